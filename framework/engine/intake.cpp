#include "engine/intake.hpp"

#include <algorithm>
#include <string>

#include "engine/expiry.hpp"
#include "engine/helping_waits.hpp"
#include "engine/ledger.hpp"
#include "engine/pool_flags.hpp"
#include "engine/quiescence.hpp"
#include "engine/router.hpp"
#include "engine/worker.hpp"
#include "engine/worker_table.hpp"
#include "litepool/detail/deadline.hpp"
#include "litepool/detail/format_duration.hpp"
#include "task/execution_context.hpp"
#include "task/group_state.hpp"
#include "task/record_pool.hpp"
#include "task/task_record.hpp"

namespace litepool::detail {
namespace {

// OnAddTimeout runs on the submitting thread; a throw goes to the group.
// It is the rejected task's own code: a Done() on its group inside it
// credits that task (returns true), never the task that called AddTask.
bool RunOnAddTimeout(TaskSpec& spec) {
  if (!spec.on_add_timeout) return false;
  ExecutionContext& ctx = Context();
  const ExecutionContext saved = ctx;
  ctx.task = nullptr;
  ctx.err_handle = nullptr;
  ctx.rejected_group = spec.group.get();
  ctx.rejected_credit = false;
  try {
    spec.on_add_timeout();
  } catch (...) {
    if (spec.group) spec.group->AddError(Error::FromException(std::current_exception()));
  }
  const bool credit = ctx.rejected_credit;
  ctx = saved;
  return credit;
}

}  // namespace

Worker* Intake::OwnWorker() const noexcept {
  Worker* w = Context().worker;
  return w != nullptr && &w->Waits() == &p_.pool ? w : nullptr;
}

std::size_t Intake::Capacity() const noexcept { return p_.workers.Seated() * p_.queue_capacity; }

void Intake::Enqueue(TaskRecord* record, Worker* own) {
  // A task added by a task of this pool goes on that worker's spawned
  // stack; any other through the dispatcher.
  if (own == nullptr) [[likely]] {
    p_.router.Dispatch(record);
  } else {
    p_.router.EnqueueSpawned(record, *own);
  }
}

TaskRecord* Intake::AdmitDeferred(TaskSpec&& spec, Error& rejected) {
  if (!spec.HasTask()) {
    rejected = Reject(spec, Error("AddTask: TaskOptions has no task (call SetTask before AddTask)",
                                  ErrorCode::kInvalidArgument));
    return nullptr;
  }
  if (const char* why = InvalidReason(spec)) {
    rejected = Reject(spec, Error(std::string("AddTask: ") + why, ErrorCode::kInvalidArgument));
    return nullptr;
  }
  if (spec.group && spec.group->stop.stop_requested()) {
    rejected = Reject(spec, Error("AddTask: task group was cancelled", ErrorCode::kCancelled));
    return nullptr;
  }
  // seq_cst pair with Close(), as in Admit: either Close counts this task
  // before it waits for the drain, or this thread sees the pool closed and
  // backs out.
  p_.ledger.Admit(1);
  if (p_.flags.closed.load(std::memory_order_seq_cst)) {
    p_.quiescence.Unadmit(1);
    rejected = Reject(spec, Error("AddTask: pool is closed", ErrorCode::kClosed));
    return nullptr;
  }
  try {
    return p_.records.Make(std::move(spec));
  } catch (...) {  // bad_alloc: nothing was admitted
    p_.quiescence.Unadmit(1);
    throw;
  }
}

void Intake::QueueDeferred(TaskRecord* task) {
  QueueTicket* ticket = nullptr;
  try {
    ticket = p_.expiry.Prepare(task);
  } catch (...) {
    ticket = nullptr;  // no memory for the ticket: the task cannot expire
  }
  // A released task holds a slot, taken even when none is free, as a
  // queued retry does.
  p_.gate.ForceAcquire(1);
  task->SetAdmitted(BusyClock::Now());
  const bool timed = ticket != nullptr && ticket->Timed();  // before it is queued
  p_.router.Dispatch(task);
  if (timed) p_.expiry.Start(ticket);
}

const char* Intake::InvalidReason(const TaskSpec& spec) noexcept { return spec.InvalidReason(); }

Error Intake::Reject(TaskSpec& spec, Error why, bool credit_requested) {
  p_.ledger.Reject();
  if (!spec.group) return why;
  // Seed-style code ignores AddTask's result: the group keeps the reason,
  // recorded before the credit so that Wait() returns after it.
  spec.group->AddError(why);
  if (spec.auto_done || credit_requested) spec.group->Credit("auto-Done of a rejected task");
  return why;
}

SlotGate::Result Intake::Admit(std::int64_t n, std::optional<std::chrono::nanoseconds> timeout,
                               Priority priority, Worker* own) {
  if (!p_.gate.TryAcquire(n)) {
    const bool try_once = timeout && timeout->count() == 0;
    if (try_once) return SlotGate::Result::kTimeout;
    if (own != nullptr || Context().overflow_ok) {
      // Overflow path: a worker waiting for a slot of its own pool could
      // wait for itself (any add-timeout but 0: an hour, or
      // nanoseconds::max(), would be a self-deadlock).
      p_.gate.ForceAcquire(n);
    } else {
      const auto result = p_.gate.Acquire(n, priority, DeadlineAfter(timeout), p_.flags.closed);
      if (result != SlotGate::Result::kAcquired) return result;
    }
  }
  // seq_cst pair with Close(): either Close counts these tasks before it
  // waits for the drain, or this thread sees closed_ and backs out.
  p_.ledger.Admit(static_cast<std::uint64_t>(n));
  if (p_.flags.closed.load(std::memory_order_seq_cst)) {
    Unadmit(n);
    return SlotGate::Result::kClosed;
  }
  return SlotGate::Result::kAcquired;
}

void Intake::Unadmit(std::int64_t n) {
  p_.gate.Release(n);
  p_.quiescence.Unadmit(static_cast<std::uint64_t>(n));  // notifies: the drain may be complete
}

Error Intake::AddTask(TaskSpec&& spec) {
  if (!spec.HasTask()) {
    return Reject(spec, Error("AddTask: TaskOptions has no task (call "
                              "SetTask before AddTask)",
                              ErrorCode::kInvalidArgument));
  }
  if (const char* why = InvalidReason(spec)) [[unlikely]] {
    return Reject(spec, Error(std::string("AddTask: ") + why, ErrorCode::kInvalidArgument));
  }
  if (p_.flags.Closed()) return Reject(spec, Error("AddTask: pool is closed", ErrorCode::kClosed));
  if (spec.group && spec.group->stop.stop_requested()) {
    return Reject(spec, Error("AddTask: task group was cancelled", ErrorCode::kCancelled));
  }
  Worker* const own = OwnWorker();
  switch (Admit(1, spec.add_timeout, spec.hooks.priority, own)) {
    case SlotGate::Result::kAcquired:
      break;
    case SlotGate::Result::kClosed:
      return Reject(spec, Error("AddTask: pool is closed", ErrorCode::kClosed));
    case SlotGate::Result::kTooLarge:  // not reached: a pool has at least one slot
      return Reject(spec, Error("AddTask: the pool has no slot", ErrorCode::kInvalidArgument));
    case SlotGate::Result::kTimeout: {
      const bool credit = RunOnAddTimeout(spec);
      return Reject(spec,
                    Error("AddTask: no free slot within the add-timeout of " +
                              FormatDuration(*spec.add_timeout),
                          ErrorCode::kTimeout),
                    credit);
    }
  }
  TaskRecord* record = nullptr;
  QueueTicket* ticket = nullptr;
  try {
    record = p_.records.Make(std::move(spec));
    ticket = p_.expiry.Prepare(record);
  } catch (...) {  // bad_alloc: undo the admission, nothing was queued
    if (record != nullptr) RecordPool::Destroy(record);
    Unadmit(1);
    throw;
  }
  // Read before the task is queued (see QueueTicket::Timed).
  const bool timed = ticket != nullptr && ticket->Timed();
  Enqueue(record, own);
  if (timed) [[unlikely]]
    p_.expiry.Start(ticket);
  return Error();
}

Error Intake::AddTaskGroup(std::vector<TaskSpec>&& specs) {
  auto reject_all = [&](const Error& why) {
    for (auto& s : specs) Reject(s, why);
    return why;
  };
  // An empty batch is admitted at once (nothing to wait for), unless the pool
  // is closed: every AddTask/AddTaskGroup after Close returns kClosed.
  if (specs.empty()) {
    return p_.flags.Closed() ? Error("AddTaskGroup: pool is closed", ErrorCode::kClosed) : Error();
  }
  // Also after waiting in line: a SetWorkers may shrink the pool meanwhile.
  auto too_large = [&] {
    return Error("AddTaskGroup: " + std::to_string(specs.size()) +
                     " tasks exceed the pool's capacity of " + std::to_string(Capacity()),
                 ErrorCode::kInvalidArgument);
  };
  if (specs.size() > Capacity()) return reject_all(too_large());
  std::optional<std::chrono::nanoseconds> timeout;
  Priority priority = Priority::kLow;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (!specs[i].HasTask()) {
      return reject_all(
          Error("AddTaskGroup: task " + std::to_string(i) + " has no task (call SetTask)",
                ErrorCode::kInvalidArgument));
    }
    if (const char* why = InvalidReason(specs[i])) {
      return reject_all(Error("AddTaskGroup: task " + std::to_string(i) + ": " + why,
                              ErrorCode::kInvalidArgument));
    }
    if (specs[i].group && specs[i].group->stop.stop_requested()) {
      return reject_all(Error("AddTaskGroup: task " + std::to_string(i) + "'s group was cancelled",
                              ErrorCode::kCancelled));
    }
    if (specs[i].add_timeout && (!timeout || *specs[i].add_timeout < *timeout)) {
      timeout = specs[i].add_timeout;
    }
    // A batch waits in line at its highest task's priority.
    priority = std::max(priority, specs[i].hooks.priority);
  }
  if (p_.flags.Closed())
    return reject_all(Error("AddTaskGroup: pool is closed", ErrorCode::kClosed));
  const auto n = static_cast<std::int64_t>(specs.size());
  Worker* const own = OwnWorker();
  switch (Admit(n, timeout, priority, own)) {
    case SlotGate::Result::kAcquired:
      break;
    case SlotGate::Result::kClosed:
      return reject_all(Error("AddTaskGroup: pool is closed", ErrorCode::kClosed));
    case SlotGate::Result::kTooLarge:  // SetWorkers shrank the pool meanwhile
      return reject_all(too_large());
    case SlotGate::Result::kTimeout: {
      const Error why("AddTaskGroup: no room for " + std::to_string(n) +
                          " tasks within the add-timeout of " + FormatDuration(*timeout),
                      ErrorCode::kTimeout);
      for (auto& s : specs) Reject(s, why, RunOnAddTimeout(s));
      return why;
    }
  }
  std::vector<TaskRecord*> records;
  std::vector<QueueTicket*> tickets;
  try {
    records.reserve(specs.size());
    tickets.reserve(specs.size());
    for (auto& s : specs) {
      records.push_back(p_.records.Make(std::move(s)));
      if (QueueTicket* t = p_.expiry.Prepare(records.back())) tickets.push_back(t);
    }
  } catch (...) {  // bad_alloc: undo the whole admission, nothing was queued
    for (QueueTicket* t : tickets) delete t;
    for (TaskRecord* r : records) RecordPool::Destroy(r);
    Unadmit(n);
    throw;
  }
  // Only the timed ones, chosen before any task is queued (see
  // QueueTicket::Timed).
  std::erase_if(tickets, [](const QueueTicket* t) { return !t->Timed(); });
  for (TaskRecord* r : records) Enqueue(r, own);
  for (QueueTicket* t : tickets) p_.expiry.Start(t);
  return Error();
}

}  // namespace litepool::detail
