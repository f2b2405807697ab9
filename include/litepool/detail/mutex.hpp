// Mutex, MutexLock and CondVar: std::mutex and std::condition_variable with
// thread-safety annotations, so that clang checks every member marked
// LITEPOOL_GUARDED_BY (litepool/detail/thread_annotations.hpp). Same costs as the
// standard types they wrap; no behaviour of their own.
//
//   Mutex mu_;
//   CondVar cv_;
//   bool ready_ LITEPOOL_GUARDED_BY(mu_) = false;
//   ...
//   MutexLock lock(mu_);
//   while (!ready_) cv_.Wait(lock);
#ifndef LITEPOOL_DETAIL_MUTEX_HPP_
#define LITEPOOL_DETAIL_MUTEX_HPP_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>

#include "litepool/detail/thread_annotations.hpp"

namespace litepool::detail {

// A std::mutex the analysis knows as a capability. Not recursive.
class LITEPOOL_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() LITEPOOL_ACQUIRE() { mu_.lock(); }
  void Unlock() LITEPOOL_RELEASE() { mu_.unlock(); }

 private:
  friend class MutexLock;
  std::mutex mu_;
};

// Holds a Mutex from construction to destruction (std::unique_lock inside,
// so that CondVar can wait on it).
class LITEPOOL_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) LITEPOOL_ACQUIRE(mu) : lock_(mu.mu_) {}
  ~MutexLock() LITEPOOL_RELEASE() = default;
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  // Lets go of the mutex for a stretch (say why at the call: typically a
  // callback that may take other locks), then takes it again.
  void Unlock() LITEPOOL_RELEASE() { lock_.unlock(); }
  void Lock() LITEPOOL_ACQUIRE() { lock_.lock(); }

 private:
  friend class CondVar;
  std::unique_lock<std::mutex> lock_;
};

// A std::shared_mutex the analysis knows: many readers (ReaderLock) or one
// writer (WriterLock).
class LITEPOOL_CAPABILITY("shared mutex") SharedMutex {
 public:
  SharedMutex() = default;
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

 private:
  friend class ReaderLock;
  friend class WriterLock;
  std::shared_mutex mu_;
};

class LITEPOOL_SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(SharedMutex& mu) LITEPOOL_ACQUIRE_SHARED(mu) : mu_(mu) {
    mu_.mu_.lock_shared();
  }
  ~ReaderLock() LITEPOOL_RELEASE() { mu_.mu_.unlock_shared(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  SharedMutex& mu_;
};

class LITEPOOL_SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(SharedMutex& mu) LITEPOOL_ACQUIRE(mu) : mu_(mu) { mu_.mu_.lock(); }
  ~WriterLock() LITEPOOL_RELEASE() { mu_.mu_.unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  SharedMutex& mu_;
};

// A std::condition_variable waited on through a MutexLock. The waits
// release the mutex while asleep and hold it again when they return, as
// std::condition_variable's do; spurious wake-ups are possible: wait in a
// loop on the condition.
class CondVar {
 public:
  void Wait(MutexLock& lock) { cv_.wait(lock.lock_); }
  // std::cv_status::timeout once `deadline` passed.
  template <class Clock, class Duration>
  std::cv_status WaitUntil(MutexLock& lock,
                           const std::chrono::time_point<Clock, Duration>& deadline) {
    return cv_.wait_until(lock.lock_, deadline);
  }
  template <class Rep, class Period>
  std::cv_status WaitFor(MutexLock& lock, const std::chrono::duration<Rep, Period>& timeout) {
    return cv_.wait_for(lock.lock_, timeout);
  }
  void NotifyOne() noexcept { cv_.notify_one(); }
  void NotifyAll() noexcept { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_DETAIL_MUTEX_HPP_
