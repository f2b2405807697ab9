#include "engine/retries.hpp"

#include "admission/slot_gate.hpp"
#include "engine/router.hpp"
#include "observe/busy_clock.hpp"
#include "task/group_state.hpp"
#include "task/task_record.hpp"

namespace litepool::detail {

Retries::Retries(SlotGate& gate, Router& router, const std::atomic<bool>& cancel_pending)
    : gate_(gate),
      router_(router),
      cancel_pending_(cancel_pending),
      timer_([this](TaskRecord* task) { RequeueNow(task); }) {}

void Retries::Requeue(TaskRecord* task, std::chrono::nanoseconds delay) {
  // A waiting retry holds no slot (see RequeueNow for a queued one).
  if (delay.count() > 0 && !cancel_pending_.load(std::memory_order_acquire)) {
    GroupState* g = task->Group();
    timer_.Schedule(task, std::chrono::steady_clock::now() + delay,
                    g != nullptr ? g->stop.get_token() : std::stop_token());
  } else {
    RequeueNow(task);
  }
}

void Retries::RequeueNow(TaskRecord* task) {
  gate_.ForceAcquire(1);
  task->SetAdmitted(BusyClock::Now());  // a retry's queue wait starts here
  router_.Dispatch(task);
}

}  // namespace litepool::detail
