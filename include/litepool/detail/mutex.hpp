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
