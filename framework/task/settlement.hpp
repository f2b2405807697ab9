// Settlement: runs one attempt of a task and takes it through its hooks,
// retries and group credit, in the one order every task follows: Exec, then
// OnSuccess or OnError (and retries, then `after`), OnComplete, the credit.
#ifndef LITEPOOL_FRAMEWORK_SETTLEMENT_HPP_
#define LITEPOOL_FRAMEWORK_SETTLEMENT_HPP_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "litepool/error.hpp"
#include "observe/busy_clock.hpp"
#include "task/settle_watch.hpp"

namespace litepool::detail {

class SettleSite;
struct TaskRecord;

// Where a retry goes back to its pool: implemented by the engine's retry
// queue. One virtual call per retry, none per plain task.
class RetryQueue {
 public:
  // Re-queues `task` for its next attempt after `delay` (0: now). Any thread.
  virtual void Requeue(TaskRecord* task, std::chrono::nanoseconds delay) = 0;

 protected:
  ~RetryQueue() = default;
};

// What settlement may know of its pool, and its only ways back: the pool's
// two stop flags (read), a retry to re-queue (the one call), the watch that
// hears of every settled task, and the trace id stride. Plain data made
// once by the pool: no virtual call per task.
class SettleSink {
 public:
  SettleSink(const std::atomic<bool>& closed, const std::atomic<bool>& cancel_pending,
             RetryQueue& retries, SettleWatch& watch,
             std::atomic<std::uint64_t>& trace_ids) noexcept
      : closed_(closed),
        cancel_pending_(cancel_pending),
        retries_(retries),
        watch_(watch),
        trace_ids_(trace_ids) {}

  // Close(kCancelPending) was called: queued tasks settle as kCancelled.
  bool CancelPending() const noexcept { return cancel_pending_.load(std::memory_order_acquire); }
  // Close() was called: no retry is queued any more.
  bool Closed() const noexcept { return closed_.load(std::memory_order_acquire); }
  // Hands a retry back to the pool, to run after `delay` (0: now).
  void Requeue(TaskRecord* task, std::chrono::nanoseconds delay) const {
    retries_.Requeue(task, delay);
  }
  // A task settled, its counters written (Settle, nowhere else).
  void Settled() const noexcept { watch_.Settled(); }
  // Task ids of a trace: threads take them in blocks from here
  // (Worker::NextTraceId).
  std::atomic<std::uint64_t>& TraceIds() const noexcept { return trace_ids_; }

 private:
  const std::atomic<bool>& closed_;
  const std::atomic<bool>& cancel_pending_;
  RetryQueue& retries_;
  SettleWatch& watch_;
  std::atomic<std::uint64_t>& trace_ids_;
};

// Runs the next attempt of `task` on the calling worker thread (or settles
// it as cancelled without running it, when its group or the pool cancelled
// it). Either re-queues it for a retry or settles it: OnComplete, credit,
// counters, and deletes it. Never throws: user exceptions are caught.
// The worker's busy time grows by now - `start`; returns now, so a worker
// that goes straight on to its next task reads the clock once per task.
BusyClock::Ticks RunAttempt(const SettleSink& pool, SettleSite& self, TaskRecord* task,
                            BusyClock::Ticks start);

// Settles `task` without running it, for `why` (kCancelled: Purge;
// kExpired: its queue timeout): OnError (or, for a retry, ErrReload's
// `after`) gets `why` and no retry follows; then OnComplete, the counters of
// `self`, the credit; the record is freed, or with `hollow` only emptied
// (an expired record still in its queue: see QueueTicket). The caller owns
// `self`'s counters and record cache (one thread at a time). Never throws.
void SettleUnrun(const SettleSink& pool, SettleSite& self, TaskRecord* task, const Error& why,
                 bool hollow = false);

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_SETTLEMENT_HPP_
