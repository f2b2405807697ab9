// Per-worker counters. Each is written only by its worker's thread (single
// writer), so an increment is a load + store rather than a locked
// read-modify-write; readers (Stats, Totals, Close) load them concurrently.
#ifndef LITEPOOL_FRAMEWORK_WORKER_STATS_HPP_
#define LITEPOOL_FRAMEWORK_WORKER_STATS_HPP_

#include <atomic>
#include <cstdint>

#include "litepool/detail/latency_histogram.hpp"

namespace litepool::detail {

class SingleWriterCounter {
 public:
  // The relaxed load: only the owning thread writes, so it reads its own
  // last value. Release store / acquire load: a reader that sees a count
  // also sees what the worker wrote before it (Totals reads the sub-counts
  // before `failed`, see Settle); Close's drain handshake adds its own
  // seq_cst fences (Engine::NotifyDrainIfClosed).
  void Add(std::uint64_t n = 1) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_release);
  }
  std::uint64_t Load() const noexcept { return value_.load(std::memory_order_acquire); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

struct WorkerStats {
  SingleWriterCounter executed;
  SingleWriterCounter succeeded;
  SingleWriterCounter failed;      // every final failure, the two below included
  SingleWriterCounter cancelled;   // of `failed`: stopped by Cancel/Close
  SingleWriterCounter exceptions;  // of `failed`: the final result was a throw
  SingleWriterCounter expired;     // of `failed`: its queue timeout ran out
  SingleWriterCounter retried;
  SingleWriterCounter stolen;
  SingleWriterCounter callback_errors;
  SingleWriterCounter busy_ticks;  // BusyClock ticks; Stats() converts them to time
  // In BusyClock ticks too (Stats() scales the summaries): admission (a
  // retry: its re-queue) -> start of an attempt, and one Exec. One sample
  // per attempt that ran Exec.
  LatencyHistogram queue_wait;
  LatencyHistogram run_time;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_WORKER_STATS_HPP_
