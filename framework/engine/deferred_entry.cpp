// The engine's two doors for deferred tasks (delayed and dependent ones,
// held by api/deferred_tasks until they may run): admit without a slot,
// and release (queue, or settle unrun).
#include <atomic>
#include <mutex>
#include <string>

#include "engine/engine.hpp"
#include "observe/busy_clock.hpp"
#include "task/group_state.hpp"
#include "task/settlement.hpp"
#include "task/task_record.hpp"

namespace litepool::detail {

TaskRecord* Engine::AdmitDeferred(TaskSpec&& spec, Error& rejected) {
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
  // before it waits for the drain, or this thread sees closed_ and backs out.
  accepted_.fetch_add(1, std::memory_order_seq_cst);
  if (closed_.load(std::memory_order_seq_cst)) {
    accepted_.fetch_sub(1, std::memory_order_seq_cst);
    NotifyDrainIfClosed();
    rejected = Reject(spec, Error("AddTask: pool is closed", ErrorCode::kClosed));
    return nullptr;
  }
  try {
    return records_.Make(std::move(spec));
  } catch (...) {  // bad_alloc: nothing was admitted
    accepted_.fetch_sub(1, std::memory_order_seq_cst);
    NotifyDrainIfClosed();
    throw;
  }
}

void Engine::ReleaseDeferred(TaskRecord* task, const Error* cancel) {
  if (cancel != nullptr) {
    std::lock_guard lock(purge_mu_);
    if (!purger_) {
      purger_ = std::make_unique<Worker>(*this, kOffRowId, /*spare=*/true);
      purger_view_.store(purger_.get(), std::memory_order_release);
    }
    SettleUnrun(sink_, *purger_, task, *cancel);
    NotifyDrainIfClosed();  // settled: a Close or a WaitIdle may be waiting
    return;
  }
  QueueTicket* ticket = nullptr;
  try {
    ticket = PrepareExpiry(task);
  } catch (...) {
    ticket = nullptr;  // no memory for the ticket: the task cannot expire
  }
  // A released task holds a slot, taken even when none is free, as a
  // queued retry does (RequeueNow).
  gate_.ForceAcquire(1);
  task->SetAdmitted(BusyClock::Now());
  Dispatch(task);
  if (ticket != nullptr) StartExpiry(ticket);
}

}  // namespace litepool::detail
