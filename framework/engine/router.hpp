// Router: where a task goes when it is queued — a new task, a retry, a task
// handed off by a worker that leaves — and whom that wakes. The owner of
// the work-conserving rule: no task waits in a queue while a worker of the
// pool sleeps (except while the pool is paused).
//
//   a plain task         onto the worker the Dispatcher picks; if that
//                        worker is parked it is woken, if it is busy a
//                        parked one is woken to steal the task, or, with
//                        workers blocked in waits, a spare stands in
//   a spawned task       (added by a task of this pool, on its worker) onto
//                        that worker's spawned stack, where a wait of the
//                        spawning task finds it (isolation); then as above
//
// Thread-safety: every member, any thread; lock-free except when a spare
// thread must be started (Spares::Activate).
#ifndef LITEPOOL_FRAMEWORK_ENGINE_ROUTER_HPP_
#define LITEPOOL_FRAMEWORK_ENGINE_ROUTER_HPP_

#include <atomic>
#include <cstddef>

#include "engine/dispatcher.hpp"
#include "litepool/priority.hpp"

namespace litepool::detail {

class Parking;
class Spares;
class Worker;
class WorkerTable;
struct TaskRecord;

class Router {
 public:
  Router(const WorkerTable& workers, litepool::Dispatch policy, Parking& parking, Spares& spares);

  // Queues `task` on a worker the policy picks, at its priority.
  void Dispatch(TaskRecord* task);
  // The same for a task whose level is known without reading the record (a
  // queue's: the expiry timer may be emptying a queued record's extras).
  void DispatchAt(Priority level, TaskRecord* task);
  // Queues a task added by the task running on `own` (a worker of this
  // pool): kNormal ones on its spawned stack, the others through Dispatch.
  void EnqueueSpawned(TaskRecord* task, Worker& own);
  // `busy` is running a task and has more queued behind it: wakes a parked
  // worker other than `busy` to steal them, or a spare for a blocked
  // waiter, or, at the spares' bound, asks a blocked waiter to help.
  void WakeHelperFor(const Worker& busy);
  // Set at the first task with a priority other than kNormal: from then on
  // workers look at the levels in order. Relaxed: a worker that misses the
  // flag for a moment still finds the task (its queue count is up).
  bool Prioritized() const noexcept { return prioritized_.load(std::memory_order_relaxed); }
  // The policy object (workers tell it when they go idle or busy).
  Dispatcher& Policy() noexcept { return dispatcher_; }

 private:
  Dispatcher dispatcher_;
  const WorkerTable& workers_;
  Parking& parking_;
  Spares& spares_;
  std::atomic<bool> prioritized_{false};
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ENGINE_ROUTER_HPP_
