// PeriodicTimer: a Pool's periodic tasks (Pool::Every) between their runs,
// and PeriodicState, the shared state of one of them (PeriodicHandle's).
#ifndef LITEPOOL_FRAMEWORK_PERIODIC_TIMER_HPP_
#define LITEPOOL_FRAMEWORK_PERIODIC_TIMER_HPP_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>
#include <unordered_map>
#include "litepool/detail/mutex.hpp"

#include "litepool/detail/move_only_function.hpp"
#include "litepool/error.hpp"
#include "litepool/periodic.hpp"
#include "timers/deadline_timer.hpp"

namespace litepool {
class Pool;
}

namespace litepool::detail {

class PeriodicTimer;

class PeriodicState {
 public:
  using Clock = std::chrono::steady_clock;
  PeriodicState(std::chrono::nanoseconds period, MoveOnlyFunction<Error()> fn,
                PeriodicOptions options)
      : period_(period), fn_(std::move(fn)), options_(options) {}

  // PeriodicHandle's members (contracts in periodic.hpp).
  void Cancel();
  bool Active() const noexcept { return !ended_.load(std::memory_order_acquire); }
  // Relaxed: counters read as a snapshot.
  std::uint64_t Runs() const noexcept { return runs_.load(std::memory_order_relaxed); }
  std::uint64_t Missed() const noexcept { return missed_.load(std::memory_order_relaxed); }
  std::uint64_t Failures() const noexcept { return failures_.load(std::memory_order_relaxed); }

  // One run, as a task of the pool: f, the counters, then the next due time
  // (false: the schedule ended). `due` is the time this run was due.
  bool RunOnce(Clock::time_point due, Clock::time_point& next);
  // A run due at `due` was cancelled without running (Pool::Purge): fixed
  // rate counts it missed and `next` is the next due time, as after a run
  // that overran; fixed delay counts from now (false: the schedule ended
  // meanwhile).
  bool Skip(Clock::time_point due, Clock::time_point& next);
  // The schedule ended (Close, a refused run): no run starts from now on,
  // and f (with what it captured) is destroyed once no run is in progress.
  void End() noexcept;
  Priority GetPriority() const noexcept { return options_.priority; }

 private:
  const std::chrono::nanoseconds period_;
  // Destroys f unless a run is in progress (that run destroys it when it
  // returns): an ended schedule keeps nothing f captured alive, not even a
  // PeriodicHandle of its own.
  void DropFnUnlessRunning() noexcept;

  MoveOnlyFunction<Error()> fn_;  // called by one run at a time; guarded by mu_ when not running
  const PeriodicOptions options_;
  Mutex mu_;
  CondVar cv_;  // a run ended (Cancel waits for it)
  bool running_ LITEPOOL_GUARDED_BY(mu_) = false;
  std::thread::id runner_ LITEPOOL_GUARDED_BY(mu_);
  std::atomic<bool> ended_{false};  // cancelled, max_runs reached, or closed
  std::atomic<std::uint64_t> runs_{0};
  std::atomic<std::uint64_t> missed_{0};
  std::atomic<std::uint64_t> failures_{0};
};

// Holds each active periodic task until its next due time, then queues its
// run on the pool. Owns the states it holds (a handle may own one too).
class PeriodicTimer {
 public:
  using Clock = std::chrono::steady_clock;
  explicit PeriodicTimer(Pool& pool);
  ~PeriodicTimer() { Stop(); }
  PeriodicTimer(const PeriodicTimer&) = delete;
  PeriodicTimer& operator=(const PeriodicTimer&) = delete;

  // Starts the schedule of `state` with its first run due at `first`;
  // false when the pool is closed (the state is ended then).
  bool Start(std::shared_ptr<PeriodicState> state, Clock::time_point first);
  // Ends every schedule (Pool::Close): no run is queued from now on; a run
  // in progress finishes. Never blocks on a run.
  void EndAll();
  // Stops the timer thread (after the pool drained). Idempotent.
  void Stop();

 private:
  struct Pending {
    std::shared_ptr<PeriodicState> state;
    Clock::time_point due;
  };
  void Schedule(PeriodicState* state, Clock::time_point due);
  // After a run (or a run cancelled unrun): its next one at `next`, or,
  // when the schedule ended (!go_on), its entry goes.
  void Continue(PeriodicState* state, bool go_on, Clock::time_point next);
  void Fire(PeriodicState* state);

  Pool& pool_;
  Mutex mu_;
  bool ended_ LITEPOOL_GUARDED_BY(mu_) = false;
  // The schedules waiting for their time, by state.
  std::unordered_map<PeriodicState*, Pending> pending_ LITEPOOL_GUARDED_BY(mu_);
  DeadlineTimer<PeriodicState*> timer_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_PERIODIC_TIMER_HPP_
