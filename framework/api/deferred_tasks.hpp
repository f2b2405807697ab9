// DeferredTasks: the tasks a Pool has admitted but not queued yet — delayed
// ones (TaskOptions::SetDelay) until their time, dependent ones
// (SetAfter) until their dependencies settle. They hold no slot and no
// worker: the engine counts them accepted (Engine::AdmitDeferred), so
// Close(kDrain) and WaitIdle wait for them; this class holds their records
// and gives each back exactly once (Engine::ReleaseDeferred): queued, or
// settled kCancelled by Purge / Close(kCancelPending).
#ifndef LITEPOOL_FRAMEWORK_DEFERRED_TASKS_HPP_
#define LITEPOOL_FRAMEWORK_DEFERRED_TASKS_HPP_

#include <atomic>
#include <chrono>
#include <cstddef>
#include "litepool/detail/mutex.hpp"

#include "engine/engine.hpp"
#include "litepool/detail/task_spec.hpp"
#include "litepool/error.hpp"
#include "timers/deadline_timer.hpp"

namespace litepool::detail {

struct TaskRecord;

class DeferredTasks {
 public:
  using Clock = std::chrono::steady_clock;
  explicit DeferredTasks(Engine& engine);
  ~DeferredTasks() { Stop(); }
  DeferredTasks(const DeferredTasks&) = delete;
  DeferredTasks& operator=(const DeferredTasks&) = delete;

  // Requires spec.Deferred(). Admits the task now (or returns why not, as
  // AddTask does) and queues it once its delay passed and its dependencies
  // settled. Thread-safe; never blocks on the pool's capacity.
  Error Add(TaskSpec&& spec);
  // Settles every task held now as kCancelled, on the calling thread, and
  // returns how many. `for_good` (Close(kCancelPending)): tasks added from
  // now on, or whose wait ends from now on, are cancelled too. Thread-safe.
  std::size_t CancelAll(bool for_good);
  // Tasks held now (delayed or waiting for dependencies). Never blocks.
  std::size_t Held() const noexcept {
    // Relaxed: a statistic; WaitIdle counts through the engine.
    return held_.load(std::memory_order_relaxed);
  }
  // Stops the timer thread. Call once the engine has drained (nothing is
  // held then). Idempotent.
  void Stop();

 private:
  struct Dependent;
  // Queues `task` at `when` (at once if it has passed), through the timer.
  void Hold(TaskRecord* task, Clock::time_point when);
  // The timer's sink, and the end of every wait: queues the task.
  void Release(TaskRecord* task);
  void Cancel(TaskRecord* task);
  // One dependency of `d` settled (or the Add call is done with it).
  void Arrive(Dependent* d);

  Engine& engine_;
  Mutex mu_;
  bool cancel_new_ LITEPOOL_GUARDED_BY(mu_) = false;
  Dependent* waiting_ LITEPOOL_GUARDED_BY(mu_) = nullptr;  // dependents still waiting
  std::atomic<std::size_t> held_{0};
  DeadlineTimer<TaskRecord*> timer_;  // delayed tasks (dependents: once released)
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_DEFERRED_TASKS_HPP_
