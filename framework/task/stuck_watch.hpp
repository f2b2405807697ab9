// The stuck-wait diagnostic (PoolOptions::stuck_wait_report): what a
// blocking wait asks its pool, and the loop that asks it.
#ifndef LITEPOOL_FRAMEWORK_STUCK_WATCH_HPP_
#define LITEPOOL_FRAMEWORK_STUCK_WATCH_HPP_

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include "litepool/detail/mutex.hpp"

namespace litepool::detail {

// One per pool, shared by the waits that may report on it (groups made by
// Pool::NewTaskGroup, Futures of Submit and Spawn), so it outlives the pool.
// Thread-safe.
class StuckWatch {
 public:
  using Clock = std::chrono::steady_clock;

  // `quiet` answers "nothing queued, running, delayed or waiting to retry"
  // for the pool's life; Detach() drops it before the pool goes away.
  StuckWatch(std::chrono::milliseconds report_after,
             std::function<void(std::string_view)> on_report, std::string pool_name,
             std::function<bool()> quiet);

  // After it, PoolQuiet() is true: a pool that is gone runs nothing more.
  // Waits until a PoolQuiet() running on another thread has returned.
  void Detach();
  // Never blocks on tasks; serialised with Detach.
  bool PoolQuiet() const;
  // Zero or less: the diagnostic is off.
  std::chrono::milliseconds ReportAfter() const noexcept { return report_after_; }
  const std::string& PoolName() const noexcept { return pool_name_; }
  // Passes `message` to on_stuck_wait, or writes it as one line on stderr
  // when none is set. An exception from on_stuck_wait is swallowed: the
  // report must not change what the wait does.
  void Report(std::string_view message) const noexcept;

 private:
  const std::chrono::milliseconds report_after_;
  const std::function<void(std::string_view)> on_report_;
  const std::string pool_name_;
  mutable Mutex mu_;
  std::function<bool()> quiet_ LITEPOOL_GUARDED_BY(mu_);  // empty once detached
};

// The messages (one line, no newline). `what` names the wait, as
// "TaskGroup::Wait"; `pending` is the group's Pending().
std::string StuckGroupMessage(const char* what, const StuckWatch& watch, std::int64_t pending);
// `what` names the wait: "Future::Get/Wait", or "SyncWait" for a coroutine
// that awaits the Future.
std::string StuckFutureMessage(const StuckWatch& watch, const char* what = "Future::Get/Wait");
std::string StuckIdleMessage(const StuckWatch& watch);

// How often a watched wait wakes to look at its pool: a quarter of the
// report time (so the report comes between 1 and 1.25 report times after
// the pool fell quiet), at least 1 ms (a tiny report time must not spin).
inline std::chrono::nanoseconds StuckWatchSlice(std::chrono::milliseconds report_after) {
  constexpr std::chrono::nanoseconds kMinSlice = std::chrono::milliseconds(1);
  return std::max<std::chrono::nanoseconds>(report_after / 4, kMinSlice);
}

// Runs `wait_until(until) -> bool` (true: the wait is over) in slices up to
// `deadline` (nullopt: none) and returns what the last call returned, so
// the result is the unwatched wait's. Once the pool has been quiet for the
// report time while the wait goes on, reports `message()` once. `watch`
// null or off: a single call.
template <class WaitUntil, class Message>
bool WatchedWait(const StuckWatch* watch, std::optional<StuckWatch::Clock::time_point> deadline,
                 WaitUntil&& wait_until, Message&& message) {
  using Clock = StuckWatch::Clock;
  if (watch == nullptr || watch->ReportAfter() <= std::chrono::milliseconds::zero()) {
    return wait_until(deadline);
  }
  const auto slice = StuckWatchSlice(watch->ReportAfter());
  // Since when the pool has been quiet (`quiet`: it is). Two plain values
  // rather than an optional: g++ 12 cannot see that an engaged optional was
  // set, and warns (-Wmaybe-uninitialized) at -O2.
  bool quiet = watch->PoolQuiet();
  Clock::time_point quiet_since = quiet ? Clock::now() : Clock::time_point{};
  for (;;) {
    const auto now = Clock::now();
    std::optional<Clock::time_point> until = now + slice;
    if (deadline && *deadline <= *until) until = deadline;
    if (wait_until(until)) return true;
    if (until == deadline) return false;  // the caller's deadline passed
    if (!watch->PoolQuiet()) {
      quiet = false;
      continue;
    }
    const auto checked = Clock::now();
    if (!quiet) {
      quiet = true;
      quiet_since = checked;
    } else if (checked - quiet_since >= watch->ReportAfter()) {
      watch->Report(message());
      return wait_until(deadline);  // once per wait: the rest unwatched
    }
  }
}

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_STUCK_WATCH_HPP_
