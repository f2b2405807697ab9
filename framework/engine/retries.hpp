// Retries: where a task comes back for its next attempt (ErrReload). The
// owner of the retry timer: a retry with a backoff waits there, holding no
// slot; one due now (or whose pool is cancelling) is queued at once.
//
// A queued retry takes a slot even when none is free: the task was admitted
// already, and waiting for a slot could deadlock the worker that settles it.
//
// A waiting retry is a Wait: the record, and a registration on its group's
// stop token, so that the group's Cancel() ends the wait at once (the retry
// then settles as kCancelled without waiting out its delay). A cancel puts
// a second timer entry, due now, for the same Wait; whichever entry leaves
// the timer first (fired, or taken by Purge) wins `state` and queues (or
// settles) the task; the other only lets go of the Wait:
//
//   Requeue ──► kWaiting ──(CAS by the first entry to leave the timer)──► kDone
//
// `refs`: one per timer entry, plus Requeue's own until it has registered
// the stop callback, plus a running callback's. The last one deletes the
// Wait, which unregisters the callback (waiting for one running on another
// thread). A callback takes its reference only while `refs` is not zero,
// so it never revives a Wait being deleted.
//
// Thread-safety: every member, any thread. Never blocks, but Stop (joins the
// timer thread) and TakeWaiting (may wait for a cancel in progress).
#ifndef LITEPOOL_FRAMEWORK_ENGINE_RETRIES_HPP_
#define LITEPOOL_FRAMEWORK_ENGINE_RETRIES_HPP_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

#include "task/settlement.hpp"
#include "timers/deadline_timer.hpp"

namespace litepool::detail {

class Router;
class SlotGate;
struct TaskRecord;

class Retries final : public RetryQueue {
 public:
  Retries(SlotGate& gate, Router& router, const std::atomic<bool>& cancel_pending);
  ~Retries();

  // After `delay` (0: now); a group's Cancel() ends the wait at once (the
  // retry then settles as kCancelled without running).
  void Requeue(TaskRecord* task, std::chrono::nanoseconds delay) override;
  // Removes every retry waiting out a backoff (Pool::Purge settles them).
  std::vector<TaskRecord*> TakeWaiting();
  // Close: every waiting retry is queued now, and so is any later one.
  void Flush() { timer_.Flush(); }
  // After the pool drained: stops the timer thread; a retry still held
  // (none, once drained) is queued rather than lost. Returns once no
  // group's Cancel is running a callback of this object (it may be
  // destroyed then); waits (yielding) for one in progress.
  void Stop();

 private:
  struct Wait;
  struct WakeOnCancel {
    Retries* retries;
    Wait* wait;
    void operator()() const noexcept;
  };
  // A timer entry of `wait` fired or was taken: its task if the entry won
  // the wait (then the task is the caller's), else null. Lets go of the
  // entry's reference.
  static TaskRecord* Finish(Wait* wait) noexcept;
  static void Unref(Wait* wait) noexcept;
  void RequeueNow(TaskRecord* task);

  SlotGate& gate_;
  Router& router_;
  const std::atomic<bool>& cancel_pending_;
  std::atomic<std::int64_t> waits_{0};  // Waits alive (Stop waits for none)
  DeadlineTimer<Wait*> timer_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ENGINE_RETRIES_HPP_
