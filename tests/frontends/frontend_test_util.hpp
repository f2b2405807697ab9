// Helpers for the front-end tests: a high-water mark of concurrent calls, a
// latch whose wait is bounded by the hang guard, and a wait for a stop.
#ifndef LITEPOOL_TESTS_FRONTENDS_FRONTEND_TEST_UTIL_HPP_
#define LITEPOOL_TESTS_FRONTENDS_FRONTEND_TEST_UTIL_HPP_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <stop_token>
#include <thread>

#include "../test_util.hpp"

namespace litepool::testing {

// Counts calls in flight; Max() is the most there ever were at once.
class HighWater {
 public:
  void Enter() {
    const int now = current_.fetch_add(1) + 1;
    int seen = max_.load();
    while (now > seen && !max_.compare_exchange_weak(seen, now)) {
    }
  }
  void Leave() { current_.fetch_sub(1); }
  int Max() const { return max_.load(); }

 private:
  std::atomic<int> current_{0};
  std::atomic<int> max_{0};
};

// std::latch with a bounded wait, so a bug fails the test instead of
// hanging it.
class TimedLatch {
 public:
  explicit TimedLatch(int count) : count_(count) {}
  void CountDown() {
    std::lock_guard lock(mu_);
    if (count_ > 0 && --count_ == 0) cv_.notify_all();
  }
  // True once the count reached zero; false after kHangGuard.
  bool Wait() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kHangGuard, [this] { return count_ == 0; });
  }
  bool ArriveAndWait() {
    CountDown();
    return Wait();
  }
  bool Done() {
    std::lock_guard lock(mu_);
    return count_ == 0;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int count_;
};

// Blocks until `stop` is requested; false if the hang guard expired first.
inline bool WaitForStop(std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait_for(lock, stop, kHangGuard, [] { return false; });
  return stop.stop_requested();
}

// Occupies `pool`'s only worker, runs `start` on another thread (it may
// block) until it has queued `n` tasks, then closes the pool with
// kCancelPending while they are still queued, and lets the worker go. The
// queued tasks are settled without running. Returns once `start` returned.
template <class F>
void CancelPendingWhileQueued(Pool& pool, std::size_t n, F&& start) {
  Blocker blocker;
  blocker.AddTo(pool);
  std::thread starter(std::forward<F>(start));
  // Conditions, not sleeps: each loop waits for a state the test needs.
  while (pool.Stats().total.queued < n) std::this_thread::yield();
  std::thread closer([&pool] { pool.Close(CloseMode::kCancelPending); });
  while (!pool.Closed()) std::this_thread::yield();
  blocker.Release();
  closer.join();
  starter.join();
}

}  // namespace litepool::testing

#endif  // LITEPOOL_TESTS_FRONTENDS_FRONTEND_TEST_UTIL_HPP_
