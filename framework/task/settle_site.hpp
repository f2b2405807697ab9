// SettleSite: what settlement writes on the thread that settles a task — its
// counters, its cache of freed record blocks, its share of a running trace.
// A pool thread's Worker is one; so are the records Purge and the expiry
// timer settle with. Settlement sees nothing else of the thread.
#ifndef LITEPOOL_FRAMEWORK_TASK_SETTLE_SITE_HPP_
#define LITEPOOL_FRAMEWORK_TASK_SETTLE_SITE_HPP_

#include <atomic>
#include <cstdint>

#include "base/cache_line.hpp"
#include "observe/trace_buffer.hpp"
#include "observe/worker_stats.hpp"
#include "task/record_pool.hpp"

namespace litepool::detail {

class SettleSite {
 public:
  explicit SettleSite(RecordPool& records) : records_(records) {}
  SettleSite(const SettleSite&) = delete;
  SettleSite& operator=(const SettleSite&) = delete;

  WorkerStats& Stats() noexcept { return stats_; }
  const WorkerStats& Stats() const noexcept { return stats_; }
  // This thread's cache of freed record blocks; its own thread only.
  RecordPool::LocalCache& Records() noexcept { return records_; }
  // Whether the task this thread took last was stolen. Own thread only.
  bool LastStolen() const noexcept { return last_stolen_; }
  void SetLastStolen(bool stolen) noexcept { last_stolen_ = stolen; }

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

 private:
  alignas(kCacheLine) WorkerStats stats_;
  // The owner's own bookkeeping, next to its counters.
  bool last_stolen_ = false;
  std::uint64_t next_trace_id_ = 0;
  std::uint64_t trace_id_end_ = 0;
  std::atomic<TraceBuffer*> trace_{nullptr};
  std::atomic<bool> trace_writing_{false};  // an append is in flight
  RecordPool::LocalCache records_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_TASK_SETTLE_SITE_HPP_
