#include "engine/router.hpp"

#include "engine/parking.hpp"
#include "engine/spares.hpp"
#include "engine/worker.hpp"
#include "engine/worker_table.hpp"
#include "task/task_record.hpp"

namespace litepool::detail {

Router::Router(const WorkerTable& workers, litepool::Dispatch policy, Parking& parking,
               Spares& spares)
    : dispatcher_(workers, policy), workers_(workers), parking_(parking), spares_(spares) {}

void Router::Dispatch(TaskRecord* task) { DispatchAt(task->GetPriority(), task); }

void Router::DispatchAt(Priority p, TaskRecord* task) {
  bool picked_idle = false;
  Worker& w = dispatcher_.Pick(&picked_idle);
  if (p == Priority::kNormal) [[likely]] {
    w.Push(task);
  } else {
    // Relaxed: see Prioritized().
    if (!prioritized_.load(std::memory_order_relaxed)) {
      prioritized_.store(true, std::memory_order_relaxed);
    }
    w.PushAt(p, task);
  }
  // seq_cst loads: pair with the park re-check (flag, count, then queues).
  if (parking_.Unpark(w)) return;
  // Work-conserving: if the chosen worker is running a task, this one
  // waits behind it, so a parked worker must come and steal it. The idle
  // flag is read now, not taken from Pick (it may be stale): Push's seq_cst
  // count, then this seq_cst load, against the worker's seq_cst idle_
  // store, then its queue count (Scheduler::Idle) — either this thread sees
  // the worker busy, or the worker sees this task and wakes someone.
  if (!w.IdleFlagSeqCst()) WakeHelperFor(w);
}

void Router::EnqueueSpawned(TaskRecord* task, Worker& own) {
  // The spawned stack holds kNormal tasks only: one LIFO cannot keep the
  // priority rule, so a prioritised task goes through the dispatcher.
  if (task->GetPriority() != Priority::kNormal) return Dispatch(task);
  // `own` is busy running the spawning task, so a parked worker comes to
  // steal it (work-conserving).
  own.PushSpawned(task);
  WakeHelperFor(own);
}

void Router::WakeHelperFor(const Worker& busy) {
  if (parking_.UnparkOther(workers_, busy)) return;
  // No parked worker: if some are blocked in waits, a spare stands in.
  // seq_cst: pairs with a waiter's Block (blocked up, then the queues).
  if (spares_.Blocked() > 0 && !spares_.Activate(Spares::kPerWorker * workers_.Seated())) {
    spares_.AskOneToHelp();
  }
}

}  // namespace litepool::detail
