// DeadlineTimer<Item>: holds items until their time, then hands each to a
// sink on the timer's own thread. The one timer structure of a pool: the
// engine's retries waiting out a backoff (Retries) and queue timeouts
// (Expiry), and the facade's delayed tasks (DeferredTasks) and periodic
// runs (PeriodicTimer) each own an instance. One thread each, started on
// first use: a pool that uses none of them has no timer thread. They are
// not merged into one thread because the expiry sink runs the hooks of
// expired tasks: a hook that blocks would otherwise stall every retry,
// delayed task and periodic run of its pool.
//
//   DeadlineTimer<Job*> timer([](Job* j) { j->Run(); });
//   timer.Schedule(job, DeadlineTimer<Job*>::Clock::now() + 5ms);
//   for (Job* j : timer.TakeAll()) j->Cancel();   // what had not fired
//   for (Job* j : timer.Stop()) j->Run();         // or fire the rest now
//
// Item: a small, trivially copyable handle (a pointer, an index); the timer
// never dereferences it. Each held item costs one heap entry of
// sizeof(Entry) (16 bytes for a pointer) in a std::vector, which keeps at
// most twice the entries it held at its peak; nothing else per item (no
// allocation per Schedule once the vector has grown).
//
// Invariants:
//   - every scheduled item leaves the timer exactly once: handed to the
//     sink (on the timer thread, not before its time unless flushed),
//     returned by TakeAll, or returned by Stop;
//   - the sink runs on the timer thread only, one item at a time, without
//     the timer's lock held (it may call Schedule, TakeAll or Size; not
//     Stop);
//   - items due at the same time fire in no promised order; items with
//     different times fire in the order of their times.
// Memory ordering: everything done before Schedule(item) happens before the
// sink's call for that item, and before TakeAll or Stop returns it (both
// through the timer's mutex).
//
// Wake-ups: the thread sleeps until the earliest deadline; Schedule wakes it
// only when the new item is the earliest (a later one changes nothing: a
// notify per queue timeout would cost a context switch per timed task).
//
// Lateness: the timer thread sleeps in a condition variable's wait_until
// for the earliest deadline; on an idle machine it wakes within the
// kernel's timer slack (tens of microseconds) of it. A busy machine may
// delay it by a scheduler slice.
//
// Thread-safety: every member is thread-safe. Schedule may throw
// std::bad_alloc (the vector grows) or std::system_error (the thread
// cannot start); then the item was not taken.
#ifndef LITEPOOL_FRAMEWORK_TIMERS_DEADLINE_TIMER_HPP_
#define LITEPOOL_FRAMEWORK_TIMERS_DEADLINE_TIMER_HPP_

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>
#include "litepool/detail/mutex.hpp"

namespace litepool::detail {

template <class Item>
class DeadlineTimer {
  static_assert(std::is_trivially_copyable_v<Item>,
                "DeadlineTimer holds small handles (a pointer, an index)");

 public:
  using Clock = std::chrono::steady_clock;
  using Sink = std::function<void(Item)>;

  // `fire` receives each item at its time, on the timer thread.
  explicit DeadlineTimer(Sink fire) : fire_(std::move(fire)) {}
  // Stop(): items still held are dropped unfired (take them first).
  ~DeadlineTimer() { Stop(); }
  DeadlineTimer(const DeadlineTimer&) = delete;
  DeadlineTimer& operator=(const DeadlineTimer&) = delete;

  // Hands `item` to the sink not before `when` (at once when `when` has
  // passed). After Stop: not taken, returns false. Blocks only on the lock.
  bool Schedule(Item item, Clock::time_point when) {
    MutexLock lock(mu_);
    if (stopped_) return false;
    if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
    heap_.push_back(Entry{when, item});
    std::push_heap(heap_.begin(), heap_.end(), Later{});
    // Only a new earliest deadline changes what the thread waits for.
    const bool earliest = heap_.front().when == when;
    lock.Unlock();
    if (earliest) cv_.NotifyOne();
    return true;
  }

  // Removes every held item and returns them, unfired (an item being handed
  // to the sink at this moment is not among them). Frees the heap's memory.
  std::vector<Item> TakeAll() {
    std::vector<Entry> taken;
    {
      MutexLock lock(mu_);
      taken.swap(heap_);
    }
    std::vector<Item> items;
    items.reserve(taken.size());
    for (const Entry& e : taken) items.push_back(e.item);
    return items;
  }

  // From now on every held and newly scheduled item is due at once (a
  // pool's Close: nothing waits out its time any more). Idempotent.
  void Flush() {
    {
      MutexLock lock(mu_);
      flush_ = true;
    }
    cv_.NotifyOne();
  }

  // Items held now (a snapshot).
  std::size_t Size() const {
    MutexLock lock(mu_);
    return heap_.size();
  }

  // Stops the thread (after the sink call in progress, if any) and returns
  // the items still held, unfired: the owner fires or cancels them. Later
  // Schedules return false. Idempotent. Must not be called from the sink.
  std::vector<Item> Stop() {
    {
      MutexLock lock(mu_);
      stopped_ = true;
    }
    cv_.NotifyOne();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
    return TakeAll();
  }

  // Tests: the timer thread is blocked in its wait (for the earliest entry,
  // or on an empty heap), so only a notify or that entry's time wakes it.
  bool AsleepForTesting() const {
    MutexLock lock(mu_);
    return asleep_;
  }

 private:
  struct Entry {
    Clock::time_point when;
    Item item;
  };
  // std::push_heap builds a max-heap: "later" as less puts the earliest on top.
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const noexcept { return a.when > b.when; }
  };

  void Run() {
    MutexLock lock(mu_);
    while (!stopped_) {
      if (heap_.empty()) {
        asleep_ = true;
        cv_.Wait(lock);
        asleep_ = false;
        continue;
      }
      // A copy: the wait reads its time point after waking, when TakeAll
      // may have emptied the heap.
      const Clock::time_point when = heap_.front().when;
      if (!flush_ && Clock::now() < when) {
        asleep_ = true;
        cv_.WaitUntil(lock, when);
        asleep_ = false;
        continue;  // woken early, by a new earliest entry, Flush or Stop
      }
      std::pop_heap(heap_.begin(), heap_.end(), Later{});
      const Item item = heap_.back().item;
      heap_.pop_back();
      lock.Unlock();
      fire_(item);
      lock.Lock();
    }
  }

  Sink fire_;
  mutable Mutex mu_;
  CondVar cv_;
  std::vector<Entry> heap_ LITEPOOL_GUARDED_BY(mu_);  // a binary heap, earliest on top
  bool stopped_ LITEPOOL_GUARDED_BY(mu_) = false;
  bool flush_ LITEPOOL_GUARDED_BY(mu_) = false;   // every item is due
  bool asleep_ LITEPOOL_GUARDED_BY(mu_) = false;  // in cv_'s wait (AsleepForTesting)
  std::thread thread_;                            // started by the first Schedule (under mu_)
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_TIMERS_DEADLINE_TIMER_HPP_
