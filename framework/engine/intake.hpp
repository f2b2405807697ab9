// Intake: how a task enters a pool — AddTask and AddTaskGroup. The owner of
// admission: it checks the task, takes its slot from the SlotGate (at once,
// by the overflow path on a thread of this pool, or waiting in line up to
// the add-timeout), counts it accepted (Ledger), builds its record, arms its
// queue timeout (Expiry) and hands it to the Router. A refused task runs no
// hook, but its group is credited and keeps the reason (Errors()).
//
// Thread-safety: every member, any thread. AddTask blocks only while the
// pool is full and no add-timeout ran out (never on a thread of this pool).
#ifndef LITEPOOL_FRAMEWORK_ENGINE_INTAKE_HPP_
#define LITEPOOL_FRAMEWORK_ENGINE_INTAKE_HPP_

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "admission/slot_gate.hpp"
#include "litepool/error.hpp"
#include "litepool/priority.hpp"

namespace litepool::detail {

class Expiry;
class HelpingWaits;
class Ledger;
class Quiescence;
class RecordPool;
class Router;
class Worker;
class WorkerTable;
struct PoolFlags;
struct TaskRecord;
struct TaskSpec;

class Intake {
 public:
  struct Parts {
    const PoolFlags& flags;
    SlotGate& gate;
    Ledger& ledger;
    RecordPool& records;
    Router& router;
    Expiry& expiry;
    Quiescence& quiescence;
    const WorkerTable& workers;  // the capacity follows the seated workers
    std::size_t queue_capacity;
    const HelpingWaits& pool;  // which worker threads are this pool's
  };
  explicit Intake(const Parts& parts) noexcept : p_(parts) {}

  Error AddTask(TaskSpec&& spec);
  // All admitted or none.
  Error AddTaskGroup(std::vector<TaskSpec>&& specs);
  // Deferred tasks (delayed and dependent; api/deferred_tasks.*): admits
  // `spec` as AddTask does — validated, refused the same way, counted
  // accepted (Close(kDrain) and WaitIdle wait for it) — but takes no slot
  // and queues nothing: the caller holds the record until it gives it back
  // (QueueDeferred, or Purger::SettleDeferred), exactly once. Null (and
  // `rejected` set) when refused. Never blocks; may throw std::bad_alloc
  // (then nothing was admitted).
  TaskRecord* AdmitDeferred(TaskSpec&& spec, Error& rejected);
  // Queues a deferred task now, beyond the capacity if need be (as a retry
  // is: it was admitted at the call, and whoever releases it must not
  // block); a queue timeout counts from here.
  void QueueDeferred(TaskRecord* task);
  // The calling thread's Worker if it belongs to this pool, else null.
  Worker* OwnWorker() const noexcept;

 private:
  // Why a spec with a task must be refused (kInvalidArgument), or null.
  static const char* InvalidReason(const TaskSpec& spec) noexcept;
  // Credits the group of a task that is not accepted (auto-Done, or a Done()
  // from its OnAddTimeout: `credit_requested`) and returns `why`.
  Error Reject(TaskSpec& spec, Error why, bool credit_requested = false);
  // Takes n slots and counts n accepted tasks; kAcquired: admitted,
  // otherwise nothing was taken.
  SlotGate::Result Admit(std::int64_t n, std::optional<std::chrono::nanoseconds> timeout,
                         Priority priority, Worker* own);
  // Undoes an admission whose tasks were never queued.
  void Unadmit(std::int64_t n);
  // Queues an admitted record: on the spawned stack of `own`, or dispatched.
  void Enqueue(TaskRecord* record, Worker* own);
  std::size_t Capacity() const noexcept;

  Parts p_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ENGINE_INTAKE_HPP_
