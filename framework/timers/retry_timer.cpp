#include "timers/retry_timer.hpp"

namespace litepool::detail {

void RetryTimer::Schedule(void* item, Clock::time_point when, std::stop_token cancel) {
  auto entry = std::make_unique<Entry>();
  entry->when = when;
  entry->item = item;
  if (cancel.stop_possible()) {
    // Registered before the entry is held and without mu_: a group that is
    // cancelled already runs FireSoon right here, which takes mu_ and makes
    // the entry due; one cancelled later finds it in heap_.
    entry->on_cancel.emplace(std::move(cancel), WakeOnCancel{this, entry.get()});
  }
  MutexLock lock(mu_);
  if (flush_ || stop_) entry->when = Clock::time_point::min();
  entry->seq = next_seq_++;
  entry->held = true;
  // Two statements: the operands of `insert(e).first == begin()` are
  // unsequenced, and GCC calls begin() first: no entry was ever the
  // earliest, and a thread asleep on an empty heap slept for good (the
  // stress mix hung, seed 2026112300, WaitThenClose).
  const auto pos = heap_.insert(entry.release()).first;
  const bool earliest = pos == heap_.begin();
  if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  // The timer thread sleeps until the earliest entry: a later one changes
  // nothing, so it is not woken (a queue timeout per task would otherwise
  // cost a context switch each: measured, up to 1.5 ms per timed task on
  // 2 loaded cores).
  if (earliest) cv_.NotifyOne();
}

void RetryTimer::FireSoon(Entry* entry) {
  MutexLock lock(mu_);
  if (entry->held) {
    heap_.erase(entry);  // re-keyed: erase and insert again
    entry->when = Clock::time_point::min();
    heap_.insert(entry);
    cv_.NotifyOne();
  } else {
    entry->when = Clock::time_point::min();  // Schedule inserts it due
  }
}

void RetryTimer::Flush() {
  MutexLock lock(mu_);
  flush_ = true;
  cv_.NotifyOne();
}

std::vector<void*> RetryTimer::TakeAll() {
  std::vector<std::unique_ptr<Entry>> taken;
  {
    MutexLock lock(mu_);
    taken.reserve(heap_.size());
    for (Entry* e : heap_) {
      e->held = false;
      taken.emplace_back(e);
    }
    heap_.clear();
  }
  // Without the lock, as in Run: each stop callback's destructor waits for
  // a FireSoon in flight (which takes mu_).
  std::vector<void*> items;
  items.reserve(taken.size());
  for (auto& e : taken) {
    items.push_back(e->item);
    e.reset();
  }
  return items;
}

bool RetryTimer::AsleepForTesting() {
  MutexLock lock(mu_);
  return asleep_;
}

void RetryTimer::Stop() {
  {
    MutexLock lock(mu_);
    stop_ = true;
    cv_.NotifyOne();
  }
  if (thread_.joinable()) thread_.join();
}

void RetryTimer::Run() {
  MutexLock lock(mu_);
  for (;;) {
    if (heap_.empty()) {
      if (stop_) return;
      asleep_ = true;
      cv_.Wait(lock);
      asleep_ = false;
      continue;
    }
    Entry* next = *heap_.begin();
    // A copy: TakeAll may free the entry while this thread waits (the
    // wait takes the time point by reference and reads it after waking).
    const Clock::time_point when = next->when;
    if (!flush_ && !stop_ && when > Clock::now()) {
      asleep_ = true;
      cv_.WaitUntil(lock, when);
      asleep_ = false;
      continue;
    }
    heap_.erase(heap_.begin());
    next->held = false;
    lock.Unlock();
    // Without the lock: the stop callback's destructor waits for a FireSoon
    // running on another thread (which takes mu_), and fire_ may take
    // other locks.
    std::unique_ptr<Entry> owned(next);
    void* item = owned->item;
    owned.reset();
    fire_(item);
    lock.Lock();
  }
}

}  // namespace litepool::detail
