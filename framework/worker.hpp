// Worker: one thread, one lock-free queue, its counters and its parking spot.
#ifndef LITEPOOL_FRAMEWORK_WORKER_HPP_
#define LITEPOOL_FRAMEWORK_WORKER_HPP_

#include <atomic>
#include <concurrentqueue/concurrentqueue.h>
#include <cstddef>
#include <cstdint>
#include <semaphore>
#include <thread>

#include "cache_line.hpp"
#include "record_pool.hpp"
#include "trace_buffer.hpp"
#include "worker_stats.hpp"

namespace litepool::detail {

class Engine;
struct TaskRecord;

class Worker {
 public:
  Worker(Engine& engine, std::size_t id);
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void Start();
  void Join();

  // Producer side: queue `task` here. Thread-safe.
  void Push(TaskRecord* task);
  // Takes one task from this worker's queue (a thief). Thread-safe.
  bool TryPop(TaskRecord*& task);
  // The same for the owner's own thread only: uses its consumer token.
  bool TryPopOwn(TaskRecord*& task);

  // Tasks waiting in the queue; approximate while pushes/pops are in flight.
  std::int64_t Queued() const noexcept {
    return queued_.load(std::memory_order_relaxed);
  }
  // The same with a seq_cst load, for the park protocol's re-check.
  std::int64_t QueuedSeqCst() const noexcept {
    return queued_.load(std::memory_order_seq_cst);
  }
  // Idle: looking for work (spinning or parked) with an empty queue.
  bool Idle() const noexcept {
    return idle_.load(std::memory_order_relaxed) && Queued() == 0;
  }
  // The idle flag alone, seq_cst: Dispatch's half of the work-conserving
  // handshake (see Engine::Dispatch).
  bool IdleFlagSeqCst() const noexcept { return idle_.load(std::memory_order_seq_cst); }
  // Queued tasks plus the running one: the dispatcher's load measure.
  std::int64_t Load() const noexcept {
    return Queued() + (idle_.load(std::memory_order_relaxed) ? 0 : 1);
  }

  // Wakes the worker if it is parked; returns true if it was.
  bool Unpark();

  std::size_t Id() const noexcept { return id_; }
  Engine& GetEngine() const noexcept { return engine_; }
  WorkerStats& Stats() noexcept { return stats_; }
  const WorkerStats& Stats() const noexcept { return stats_; }
  // This worker's cache of freed record blocks; its own thread only.
  RecordPool::LocalCache& Records() noexcept { return records_; }

  // --- tracing (Pool::StartTrace) -----------------------------------------
  // Whether a trace may be running: the hot path's only cost while tracing
  // is off. Relaxed: a hint; RecordTrace re-checks under the handshake.
  bool MaybeTracing() const noexcept {
    return trace_.load(std::memory_order_relaxed) != nullptr;
  }
  // Appends `e` to the running trace, if any. Its own thread only; never
  // blocks or allocates.
  void RecordTrace(const RawTraceEvent& e) noexcept;
  // Installs `buffer` (null: stop tracing) and returns the previous one once
  // this worker no longer writes to it. Any thread; waits (yielding) for an
  // append in flight, a few instructions.
  TraceBuffer* ExchangeTrace(TraceBuffer* buffer) noexcept;
  // A task id for a trace, unique in the engine: ids of different workers
  // are different residues modulo the worker count. Its own thread only.
  std::uint64_t NextTraceId(std::size_t workers) noexcept {
    return (next_trace_id_++) * workers + id_ + 1;
  }
  // Whether the task FindWork returned last was stolen. Own thread only.
  bool LastStolen() const noexcept { return last_stolen_; }
  void SetLastStolen(bool stolen) noexcept { last_stolen_ = stolen; }

 private:
  void Run();
  // Sleeps until Unpark(), unless work or a stop shows up first.
  void Park();

  Engine& engine_;
  const std::size_t id_;
  moodycamel::ConcurrentQueue<TaskRecord*> queue_;
  moodycamel::ConsumerToken own_token_{queue_};  // the worker thread's only
  // Written by producers and thieves.
  alignas(kCacheLine) std::atomic<std::int64_t> queued_{0};
  // Written by the owner, read by producers.
  alignas(kCacheLine) std::atomic<bool> idle_{false};
  std::atomic<bool> parked_{false};
  std::binary_semaphore wake_{0};
  alignas(kCacheLine) WorkerStats stats_;
  // The owner's own bookkeeping, next to its counters.
  bool last_stolen_ = false;
  std::uint64_t next_trace_id_ = 0;
  std::atomic<TraceBuffer*> trace_{nullptr};
  std::atomic<bool> trace_writing_{false};  // an append is in flight
  RecordPool::LocalCache records_;
  std::thread thread_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_WORKER_HPP_
