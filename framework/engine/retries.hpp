// Retries: where a task comes back for its next attempt (ErrReload). The
// owner of the retry timer: a retry with a backoff waits there, holding no
// slot; one due now (or whose pool is cancelling) is queued at once.
//
// A queued retry takes a slot even when none is free: the task was admitted
// already, and waiting for a slot could deadlock the worker that settles it.
//
// Thread-safety: every member, any thread. Never blocks, but Stop (joins the
// timer thread).
#ifndef LITEPOOL_FRAMEWORK_ENGINE_RETRIES_HPP_
#define LITEPOOL_FRAMEWORK_ENGINE_RETRIES_HPP_

#include <atomic>
#include <chrono>
#include <vector>

#include "task/settlement.hpp"
#include "timers/typed_timer.hpp"

namespace litepool::detail {

class Router;
class SlotGate;
struct TaskRecord;

class Retries final : public RetryQueue {
 public:
  Retries(SlotGate& gate, Router& router, const std::atomic<bool>& cancel_pending);

  // After `delay` (0: now); a group's Cancel() ends the wait at once (the
  // retry then settles as kCancelled without running).
  void Requeue(TaskRecord* task, std::chrono::nanoseconds delay) override;
  // Removes every retry waiting out a backoff (Pool::Purge settles them).
  std::vector<TaskRecord*> TakeWaiting() { return timer_.TakeAll(); }
  // Close: every waiting retry is queued now, and so is any later one.
  void Flush() { timer_.Flush(); }
  // After the pool drained: stops the timer thread.
  void Stop() { timer_.Stop(); }

 private:
  void RequeueNow(TaskRecord* task);

  SlotGate& gate_;
  Router& router_;
  const std::atomic<bool>& cancel_pending_;
  TypedTimer<TaskRecord> timer_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ENGINE_RETRIES_HPP_
