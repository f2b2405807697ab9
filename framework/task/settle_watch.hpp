// SettleWatch: how a settled task tells the threads that wait for its pool
// to be done (Close's drain, WaitIdle). Implemented by the engine's
// Quiescence; settlement calls Settled() once per settled task, right after
// the task's counters are written — the one place where a task becomes
// settled is the one place that notifies, so no path that settles a task
// (a worker, a spare, the expiry timer, Purge, Close) can forget to.
//
// The handshake is an asymmetric Dekker (base/asymmetric_fence.hpp):
//   a settling thread (every task)        a waiter (rare)
//   ------------------------------        ---------------
//   its counters written                  waiters_ + 1
//   LightFence (a compiler barrier)       HeavyFence (membarrier)
//   reads waiters_: if > 0, notifies      reads the counters: done, or
//     under the wait's mutex                sleeps (it holds the mutex from
//                                           before waiters_ + 1 to its sleep)
// Either the waiter sees the counts, or the settling thread sees the waiter
// and notifies it under the mutex, which it can take only once the waiter
// sleeps. The settling thread's cost per task: a relaxed load of a line
// nobody writes while nobody waits.
#ifndef LITEPOOL_FRAMEWORK_TASK_SETTLE_WATCH_HPP_
#define LITEPOOL_FRAMEWORK_TASK_SETTLE_WATCH_HPP_

#include <atomic>
#include <cstdint>

#include "base/asymmetric_fence.hpp"
#include "base/cache_line.hpp"

namespace litepool::detail {

class SettleWatch {
 public:
  // A task settled (its counters are written) or an admission was undone:
  // wakes the waiters, if any. Any thread; never blocks but for the short
  // locks of a notify, and only while somebody waits.
  void Settled() noexcept {
    LightFence();
    if (waiters_.load(std::memory_order_relaxed) > 0) [[unlikely]]
      NotifyWaiters();
  }

 protected:
  SettleWatch() noexcept { EnableHeavyFence(); }
  ~SettleWatch() = default;

  // The waiter's half: registered (call with the wait's mutex held, before
  // the first check of the counters), and gone.
  void AddWaiter() noexcept {
    waiters_.fetch_add(1, std::memory_order_relaxed);
    HeavyFence();
  }
  void RemoveWaiter() noexcept { waiters_.fetch_sub(1, std::memory_order_relaxed); }

  // Wakes every waiter: locks each wait's mutex and notifies its condition
  // variable.
  virtual void NotifyWaiters() noexcept = 0;

 private:
  // Written by waiters only: read by every settled task, on its own line.
  alignas(kCacheLine) std::atomic<std::int64_t> waiters_{0};
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_TASK_SETTLE_WATCH_HPP_
