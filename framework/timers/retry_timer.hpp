// RetryTimer: holds items until their time and hands each to `fire` then,
// or at once when its stop token stops. The engine has two: retries that
// asked for a backoff (items are TaskRecords; the token is the group's, so
// its Cancel() ends the wait), and queue timeouts (items are QueueTickets).
// One thread each, started on first use; tasks that need neither never
// touch them.
#ifndef LITEPOOL_FRAMEWORK_RETRY_TIMER_HPP_
#define LITEPOOL_FRAMEWORK_RETRY_TIMER_HPP_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <stop_token>
#include <thread>
#include <vector>
#include "litepool/detail/mutex.hpp"

namespace litepool::detail {

class RetryTimer {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RetryTimer(std::function<void(void*)> fire) : fire_(std::move(fire)) {}
  ~RetryTimer() { Stop(); }
  RetryTimer(const RetryTimer&) = delete;
  RetryTimer& operator=(const RetryTimer&) = delete;

  // Calls fire(item) on the timer thread at `when`, or as soon as `cancel`
  // stops (the group's Cancel: the retry then settles as kCancelled
  // promptly instead of waiting out its delay). Thread-safe.
  void Schedule(void* item, Clock::time_point when, std::stop_token cancel = {});
  // From now on every held and newly scheduled task fires at once.
  void Flush();
  // Removes every held task and returns them (Pool::Purge settles them).
  // A task firing at this moment is not among them. Thread-safe.
  std::vector<void*> TakeAll();
  // Fires whatever is held, then stops the thread. Idempotent.
  void Stop();
  // Tests: the timer thread is blocked in its wait (for the earliest entry,
  // or on an empty heap), so only a notify or that entry's time wakes it.
  bool AsleepForTesting();

 private:
  struct Entry;
  // Makes `entry` due now (its group was cancelled). Takes mu_.
  void FireSoon(Entry* entry);
  struct WakeOnCancel {
    RetryTimer* timer;
    Entry* entry;
    void operator()() const { timer->FireSoon(entry); }
  };
  struct Entry {
    Clock::time_point when;  // written under the timer's mu_
    std::uint64_t seq;       // ties in `when` keep insertion order
    void* item;
    bool held = false;  // in heap_; written under the timer's mu_
    // Destroyed (on the timer thread, without mu_) before the task fires:
    // waits for a concurrent FireSoon to return.
    std::optional<std::stop_callback<WakeOnCancel>> on_cancel;
  };
  struct Earlier {
    bool operator()(const Entry* a, const Entry* b) const {
      return a->when != b->when ? a->when < b->when : a->seq < b->seq;
    }
  };
  void Run();

  std::function<void(void*)> fire_;
  Mutex mu_;
  CondVar cv_;
  std::set<Entry*, Earlier> heap_ LITEPOOL_GUARDED_BY(mu_);  // owns its entries
  std::uint64_t next_seq_ LITEPOOL_GUARDED_BY(mu_) = 0;
  bool flush_ LITEPOOL_GUARDED_BY(mu_) = false;
  bool stop_ LITEPOOL_GUARDED_BY(mu_) = false;
  bool asleep_ LITEPOOL_GUARDED_BY(mu_) = false;  // in cv_'s wait (AsleepForTesting)
  std::thread thread_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_RETRY_TIMER_HPP_
