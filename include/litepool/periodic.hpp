// litepool/periodic.hpp — PeriodicOptions and PeriodicHandle: the options
// and the handle of Pool::Every (pool.hpp), a task that runs every period.
//
//   litepool::PeriodicHandle beat = pool.Every(1s, [&] { Ping(); });
//   ...
//   beat.Cancel();            // no run starts after it returns
//   beat.Runs();              // completed runs
//
// Each run is an ordinary task of the pool (queued on its time, even on a
// full pool; priority from the options); runs of one periodic task never
// overlap. Fixed rate by default: run k is due at first + k * period; a run
// that ends after the next one's time does not cause a burst — the times
// that passed are skipped (Missed() counts them) and the schedule goes on
// at the next multiple of the period. fixed_delay: each run is due
// `period` after the end of the previous one. A run that returns an Error
// or throws is counted in Failures() and the schedule goes on; so does a
// queued run that Pool::Purge cancels (fixed rate: counted in Missed()). The
// schedule ends at Cancel(), after max_runs runs, or when the pool closes
// (Close, or its destructor; a run in progress then finishes).
#ifndef LITEPOOL_PERIODIC_HPP_
#define LITEPOOL_PERIODIC_HPP_

#include "litepool/detail/export.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "litepool/priority.hpp"

namespace litepool {

class Pool;

namespace detail {
class PeriodicState;
}  // namespace detail

// How Pool::Every schedules. Every field has a default (designated
// initialisers: `PeriodicOptions{.fixed_delay = true}`).
struct PeriodicOptions {
  // The first run's delay after Every returns; unset: one period. Zero or
  // negative: at once.
  std::optional<std::chrono::nanoseconds> first_after{};
  // True: the period counts from the end of the previous run.
  bool fixed_delay = false;
  // The priority of each run's task.
  Priority priority = Priority::kNormal;
  // Stops after this many completed runs; 0: until cancelled or the pool
  // closes.
  std::uint64_t max_runs = 0;
};

// The handle of one periodic task. Move-only; destroying it does not
// cancel (the schedule goes on until the pool closes). A default-constructed
// or moved-from handle has no task: Cancel does nothing, Active is false,
// the counters are 0. Every member is thread-safe; none throws.
class LITEPOOL_API PeriodicHandle {
 public:
  PeriodicHandle() noexcept;
  PeriodicHandle(PeriodicHandle&&) noexcept;
  PeriodicHandle& operator=(PeriodicHandle&&) noexcept;
  PeriodicHandle(const PeriodicHandle&) = delete;
  PeriodicHandle& operator=(const PeriodicHandle&) = delete;
  ~PeriodicHandle();

  // Ends the schedule: no run starts after Cancel returns. If a run is in
  // progress on another thread, Cancel blocks until it returns (so what
  // the run did happens before Cancel returns); called from inside the
  // run itself, it returns at once. Idempotent. May outlive the pool.
  void Cancel();
  // True while the schedule goes on: not cancelled, max_runs not reached,
  // the pool not closed. A snapshot. Never blocks.
  bool Active() const;
  // Completed runs (failed ones included). Never blocks.
  std::uint64_t Runs() const;
  // Fixed rate: due times skipped because a run (or the queue) was late, or
  // whose run Pool::Purge cancelled. Fixed delay: always 0. Never blocks.
  std::uint64_t Missed() const;
  // Runs that returned an Error or threw. Never blocks.
  std::uint64_t Failures() const;

 private:
  friend class Pool;
  explicit PeriodicHandle(std::shared_ptr<detail::PeriodicState> state) noexcept;
  std::shared_ptr<detail::PeriodicState> state_;
};

}  // namespace litepool

#endif  // LITEPOOL_PERIODIC_HPP_
