// Engine: the pool behind litepool::Pool — workers, admission, dispatch,
// retries and close. Pool is a thin facade over it.
#ifndef LITEPOOL_FRAMEWORK_ENGINE_HPP_
#define LITEPOOL_FRAMEWORK_ENGINE_HPP_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "busy_clock.hpp"
#include "dispatcher.hpp"
#include "record_pool.hpp"
#include "litepool/pool.hpp"
#include "litepool/trace.hpp"
#include "retry_timer.hpp"
#include "slot_gate.hpp"
#include "worker.hpp"

namespace litepool::detail {

struct GroupState;
struct TaskRecord;
struct TaskSpec;

// Pool-wide totals for the accounting invariant (tests/internal, stress,
// fuzz): once idle, every accepted task is settled exactly once, under
// exactly one outcome. Read while tasks run, each number is exact but the
// set is not a snapshot.
struct Accounting {
  std::uint64_t accepted = 0;   // tasks admitted
  std::uint64_t settled = 0;    // tasks settled: the sum of the four below
  std::uint64_t in_flight = 0;  // accepted - settled
  // Settled by the final result the task's hooks saw (disjoint):
  std::uint64_t succeeded = 0;  // ok
  std::uint64_t failed = 0;     // an error the task returned
  std::uint64_t cancelled = 0;  // kCancelled / kClosed: group Cancel or Close
  std::uint64_t exception = 0;  // kException: the task threw
  std::uint64_t executed = 0;         // runs of Exec, retries included
  std::uint64_t retried = 0;          // retries requested by ErrReload (run or not)
  std::uint64_t callback_errors = 0;  // hooks that threw

  // The invariant, once idle: every accepted task settled, once.
  bool Balanced() const noexcept { return accepted == settled; }
};

// Test hook (tests/internal): the n-th worker thread started from now on
// (n >= 1; 0: none) fails to start with std::system_error, as when the OS
// refuses a thread. Process-wide; one atomic load per thread start.
void FailWorkerStartForTesting(int nth) noexcept;
// Throws std::system_error if the hook above says this start must fail.
void MaybeFailWorkerStart();

class Engine {
 public:
  explicit Engine(PoolOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // --- Pool's API -------------------------------------------------------
  Error AddTask(TaskSpec&& spec);
  Error AddTaskGroup(std::vector<TaskSpec>&& specs);
  void Close(CloseMode mode);
  bool Closed() const noexcept { return closed_.load(std::memory_order_acquire); }
  bool CancelPending() const noexcept {
    return cancel_pending_.load(std::memory_order_acquire);
  }
  UsageReport Stats() const;
  Accounting Totals() const;
  void StartTrace(TraceOptions options);
  Trace StopTrace();
  std::size_t Workers() const noexcept { return workers_.size(); }
  std::size_t QueueCapacity() const noexcept { return queue_capacity_; }
  std::size_t Capacity() const noexcept { return capacity_; }
  const std::string& Name() const noexcept { return options_.name; }

  // --- for workers --------------------------------------------------------
  // Own queue first, then steal from the busiest other queue.
  bool FindWork(Worker& self, TaskRecord*& task);
  // Releases the task's slot and runs its next attempt; the worker has been
  // busy since `start`. Returns the time the attempt ended.
  BusyClock::Ticks Process(Worker& self, TaskRecord* task, BusyClock::Ticks start);
  bool HasQueuedWork() const noexcept;
  bool Stopping() const noexcept { return stop_.load(std::memory_order_seq_cst); }
  void NoteParked() noexcept { parked_.fetch_add(1, std::memory_order_seq_cst); }
  // A worker is about to park: every task it settled is counted. Wakes a
  // Close waiting for the drain, if the pool is closed.
  void NoteParking();
  void NoteUnparked() noexcept { parked_.fetch_sub(1, std::memory_order_seq_cst); }
  // Unparks one parked worker other than `self`, if any (work-conserving:
  // tasks queued behind a running one must not wait while a worker sleeps).
  void WakeParkedOtherThan(const Worker& self) noexcept;
  // Worker `id` starts (true) or stops looking for work.
  void NoteIdle(std::size_t id, bool idle) noexcept { dispatcher_.SetIdle(id, idle); }
  std::uint32_t SpinIterations() const noexcept { return options_.spin_iterations; }
  std::string ThreadName(std::size_t id) const;
  // A helping wait: runs queued tasks on `self` until the group is done.
  bool HelpUntilZero(Worker& self, GroupState& group,
                     std::optional<std::chrono::steady_clock::time_point> deadline);

  // --- for settlement -----------------------------------------------------
  // Re-queues a retry (after `delay`), beyond the capacity if need be.
  void Requeue(TaskRecord* task, std::chrono::nanoseconds delay);
  // Where the workers' caches hand freed record blocks back.
  RecordPool& Records() noexcept { return records_; }

 private:
  // Credits the group of a task that is not accepted (auto-Done, or a Done()
  // from its OnAddTimeout: `credit_requested`) and returns `why`.
  Error Reject(TaskSpec& spec, Error why, bool credit_requested = false);
  // Takes n slots (at once; by the overflow path on this pool's worker, or
  // in an OverflowScope, unless the add-timeout is 0; or waiting up to
  // `timeout`) and counts n accepted tasks. kAcquired: admitted; otherwise
  // nothing was taken.
  SlotGate::Result Admit(std::int64_t n, std::optional<std::chrono::nanoseconds> timeout);
  // Undoes an admission whose tasks were never queued.
  void Unadmit(std::int64_t n);
  bool OnOwnWorker() const noexcept;
  void Dispatch(TaskRecord* task);
  // Queues an admitted task again (a retry), beyond the capacity if need be.
  void RequeueNow(TaskRecord* task);
  void WakeAll();
  // Wakes a Close waiting in WaitDrained if the pool is closed. Called after
  // the caller's counter updates (see the fence inside).
  void NotifyDrainIfClosed();
  void WaitDrained();
  void StopWorkers();

  PoolOptions options_;
  BusyClock busy_clock_;
  std::size_t queue_capacity_;
  std::size_t capacity_;
  RecordPool records_;  // before workers_: their caches hand blocks to it
  std::vector<std::unique_ptr<Worker>> workers_;
  Dispatcher dispatcher_;

  // Producer-side hot counters share a line: every AddTask touches both.
  alignas(kCacheLine) SlotGate gate_;
  std::atomic<std::uint64_t> accepted_{0};
  alignas(kCacheLine) std::atomic<std::int64_t> parked_{0};
  alignas(kCacheLine) std::atomic<bool> closed_{false};
  std::atomic<bool> cancel_pending_{false};
  std::atomic<bool> stop_{false};

  std::mutex drain_mu_;
  std::condition_variable drain_cv_;
  std::once_flag stopped_once_;
  RetryTimer timer_;

  // The running trace: one buffer per worker (installed in the workers),
  // and the clock value its times count from. Guarded by trace_mu_.
  std::mutex trace_mu_;
  std::vector<std::unique_ptr<TraceBuffer>> trace_buffers_;
  BusyClock::Ticks trace_origin_ = 0;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ENGINE_HPP_
