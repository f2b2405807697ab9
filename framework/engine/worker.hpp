// Worker: the data of one pool thread — its lock-free queue, its stack of
// spawned tasks, its counters and its parking spot. Plain data: the loop
// that runs on the thread is the Scheduler's (scheduler.cpp), and a Worker
// calls nothing back. It knows its pool only as the HelpingWaits interface
// through which a wait on its thread enters the scheduler.
#ifndef LITEPOOL_FRAMEWORK_WORKER_HPP_
#define LITEPOOL_FRAMEWORK_WORKER_HPP_

#include <concurrentqueue/concurrentqueue.h>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <semaphore>
#include <thread>
#include "litepool/detail/mutex.hpp"

#include "base/cache_line.hpp"
#include "litepool/priority.hpp"
#include "observe/trace_buffer.hpp"
#include "observe/worker_stats.hpp"
#include "task/record_pool.hpp"

namespace litepool::detail {

class HelpingWaits;
struct TaskRecord;

class Worker {
 public:
  // `spare`: a spare thread (it stands in for a worker blocked in a wait;
  // the dispatcher never picks it, so only its spawned stack is used).
  // `pool`: the scheduler of the pool this thread serves (its identity for
  // "is this thread one of mine", and the entry for helping waits);
  // `records`: where this worker's cache hands freed record blocks back.
  Worker(HelpingWaits& pool, RecordPool& records, std::size_t id, bool spare = false);
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Takes ownership of the thread started for this worker (ThreadLauncher).
  void Adopt(std::thread thread) noexcept { thread_ = std::move(thread); }
  void Join();

  // Producer side: queue `task` here. Thread-safe.
  void Push(TaskRecord* task);
  // The same at priority `p` (kNormal: Push).
  void PushAt(Priority p, TaskRecord* task);
  // Takes one task queued at `p` (kHigh or kLow): a thief / the owner.
  bool TryPopAt(Priority p, TaskRecord*& task);
  bool TryPopOwnAt(Priority p, TaskRecord*& task);
  // Tasks queued at `p` (kHigh or kLow); approximate, as Queued().
  std::int64_t QueuedAt(Priority p) const noexcept {
    return (p == Priority::kHigh ? high_ : low_).queued.load(std::memory_order_relaxed);
  }
  // Takes one task from this worker's queue (a thief). Thread-safe.
  bool TryPop(TaskRecord*& task);
  // The same for the owner's own thread only: uses its consumer token.
  bool TryPopOwn(TaskRecord*& task);

  // --- the spawned stack ---------------------------------------------------
  // Tasks added by the code this worker runs (AddTask on its own thread) go
  // on a stack of their own: the owner takes the newest (LIFO), thieves the
  // oldest. Positions are absolute (they only grow), so a task started at
  // SpawnedTop() == m owns everything pushed above m: a helping wait runs
  // only those (isolation). A mutex, not a lock-free deque:
  // the stack is touched only by tasks that spawn tasks, and by thieves.
  void PushSpawned(TaskRecord* task);
  // Own thread only: pops the newest spawned task if its position is at or
  // above `mark`.
  bool TryPopSpawnedAbove(std::uint64_t mark, TaskRecord*& task);
  // A thief: takes the oldest spawned task. Thread-safe.
  bool TryStealSpawned(TaskRecord*& task);
  // Own thread only: the position the next spawned task will get.
  std::uint64_t SpawnedTop() const noexcept { return spawned_top_.load(std::memory_order_relaxed); }

  // Tasks waiting in the queue and the spawned stack; approximate while
  // pushes/pops are in flight.
  std::int64_t Queued() const noexcept { return queued_.load(std::memory_order_relaxed); }
  // The same with a seq_cst load, for the park protocol's re-check.
  std::int64_t QueuedSeqCst() const noexcept { return queued_.load(std::memory_order_seq_cst); }
  // Idle: looking for work (spinning or parked) with an empty queue.
  bool Idle() const noexcept { return idle_.load(std::memory_order_relaxed) && Queued() == 0; }
  // The idle flag alone, seq_cst: Dispatch's half of the work-conserving
  // handshake (see Scheduler::DispatchAt).
  bool IdleFlagSeqCst() const noexcept { return idle_.load(std::memory_order_seq_cst); }
  // Queued tasks plus the running one: the dispatcher's load measure.
  std::int64_t Load() const noexcept {
    return Queued() + (idle_.load(std::memory_order_relaxed) ? 0 : 1);
  }

  // The idle flag: set (relaxed: a dispatch hint) when the worker starts
  // looking for work; cleared with seq_cst, the worker's half of the
  // work-conserving handshake (Scheduler::DispatchAt).
  void SetIdleFlag(bool idle) noexcept {
    idle_.store(idle, idle ? std::memory_order_relaxed : std::memory_order_seq_cst);
  }

  // The park protocol (the engine's loop drives it): SetParked, re-check
  // for work, then Sleep — or CancelPark if work showed up.
  void SetParked() noexcept { parked_.store(true, std::memory_order_seq_cst); }
  // Cancels a park announced by SetParked: true if the flag was still set
  // (nobody will release the semaphore); false if a waker took it (the
  // caller must consume the wake-up with Sleep()).
  bool CancelPark() noexcept { return parked_.exchange(false, std::memory_order_seq_cst); }
  // Sleeps until Unpark().
  void Sleep() { wake_.acquire(); }
  // Announced parked and not woken yet (seq_cst).
  bool Parked() const noexcept { return parked_.load(std::memory_order_seq_cst); }
  // Wakes the worker if it is parked; returns true if it was.
  bool Unpark() noexcept;
  // A spare's claim (Spares): wakes it, if it is parked, with a claim it
  // takes on waking (TakeClaim). A wake-up without a claim (a stop) is not
  // one: only the thread that counted the spare active hands it a claim.
  bool UnparkWithClaim() noexcept;
  // Own thread, after Sleep: whether the wake-up carried a claim (cleared).
  bool TakeClaim() noexcept { return claimed_.exchange(false, std::memory_order_relaxed); }

  std::size_t Id() const noexcept { return id_; }
  bool Spare() const noexcept { return spare_; }
  HelpingWaits& Waits() const noexcept { return pool_; }
  WorkerStats& Stats() noexcept { return stats_; }
  const WorkerStats& Stats() const noexcept { return stats_; }
  // This worker's cache of freed record blocks; its own thread only.
  RecordPool::LocalCache& Records() noexcept { return records_; }

  // --- tracing (Pool::StartTrace) -----------------------------------------
  // Whether a trace may be running: the hot path's only cost while tracing
  // is off. Relaxed: a hint; RecordTrace re-checks under the handshake.
  bool MaybeTracing() const noexcept { return trace_.load(std::memory_order_relaxed) != nullptr; }
  // Appends `e` to the running trace, if any. Its own thread only; never
  // blocks or allocates.
  void RecordTrace(const RawTraceEvent& e) noexcept;
  // Installs `buffer` (null: stop tracing) and returns the previous one once
  // this worker has stopped writing to it. Any thread; waits (yielding) for an
  // append in flight, a few instructions.
  TraceBuffer* ExchangeTrace(TraceBuffer* buffer) noexcept;
  // A task id for a trace, unique in the engine (never 0): each thread
  // takes ids in blocks from the engine's `source`, so ids stay small and
  // unique however many threads come and go. Its own thread only.
  static constexpr std::uint64_t kTraceIdBlock = 256;
  std::uint64_t NextTraceId(std::atomic<std::uint64_t>& source) noexcept {
    if (next_trace_id_ == trace_id_end_) {
      // Relaxed: fetch_add alone makes each block unique.
      next_trace_id_ = source.fetch_add(kTraceIdBlock, std::memory_order_relaxed);
      trace_id_end_ = next_trace_id_ + kTraceIdBlock;
    }
    return ++next_trace_id_;
  }

  // --- leaving the pool (Pool::SetWorkers shrinking it) --------------------
  // The resizer asks a seated worker to leave and joins its thread; the
  // thread, at the top of its loop (between tasks), hands its queued tasks
  // to the others and returns. Reseat() before a new thread starts here.
  void AskToLeave() noexcept { leave_.store(true, std::memory_order_seq_cst); }
  // Relaxed: checked once per loop turn; the park re-check uses the seq_cst
  // one (against AskToLeave, then Unpark).
  bool LeaveAsked() const noexcept { return leave_.load(std::memory_order_relaxed); }
  bool LeaveAskedSeqCst() const noexcept { return leave_.load(std::memory_order_seq_cst); }
  void Reseat() noexcept { leave_.store(false, std::memory_order_seq_cst); }
  // Whether the task FindWork returned last was stolen. Own thread only.
  bool LastStolen() const noexcept { return last_stolen_; }
  void SetLastStolen(bool stolen) noexcept { last_stolen_ = stolen; }

 private:
  HelpingWaits& pool_;  // which pool this thread belongs to
  const std::size_t id_;
  const bool spare_;
  moodycamel::ConcurrentQueue<TaskRecord*> queue_;  // Priority::kNormal
  moodycamel::ConsumerToken own_token_{queue_};     // the worker thread's only
  // The other two levels: a queue each (a slot is a slot,
  // whatever the priority), and their share of queued_.
  struct Level {
    moodycamel::ConcurrentQueue<TaskRecord*> queue;
    moodycamel::ConsumerToken own_token{queue};
    std::atomic<std::int64_t> queued{0};
  };
  Level high_;
  Level low_;
  Level& LevelOf(Priority p) noexcept { return p == Priority::kHigh ? high_ : low_; }
  // Written by producers and thieves.
  alignas(kCacheLine) std::atomic<std::int64_t> queued_{0};
  // Written by the owner, read by producers.
  alignas(kCacheLine) std::atomic<bool> idle_{false};
  std::atomic<bool> parked_{false};
  std::atomic<bool> leave_{false};
  // Set before the semaphore's release by UnparkWithClaim, read after its
  // acquire (the semaphore orders the two: relaxed).
  std::atomic<bool> claimed_{false};
  std::binary_semaphore wake_{0};
  // The spawned stack: spawned_[0] sits at position spawned_top_ - size.
  Mutex spawned_mu_;
  std::deque<TaskRecord*> spawned_ LITEPOOL_GUARDED_BY(spawned_mu_);
  std::atomic<std::uint64_t> spawned_top_{0};  // written under spawned_mu_
  alignas(kCacheLine) WorkerStats stats_;
  // The owner's own bookkeeping, next to its counters.
  bool last_stolen_ = false;
  std::uint64_t next_trace_id_ = 0;
  std::uint64_t trace_id_end_ = 0;
  std::atomic<TraceBuffer*> trace_{nullptr};
  std::atomic<bool> trace_writing_{false};  // an append is in flight
  RecordPool::LocalCache records_;
  std::thread thread_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_WORKER_HPP_
