// Per-worker counters. Each is written only by its worker's thread (single
// writer), so an increment is a relaxed load + store rather than a locked
// read-modify-write; readers (Stats, Close) load them concurrently.
#ifndef LITEPOOL_FRAMEWORK_WORKER_STATS_HPP_
#define LITEPOOL_FRAMEWORK_WORKER_STATS_HPP_

#include <atomic>
#include <cstdint>

namespace litepool::detail {

class SingleWriterCounter {
 public:
  // Relaxed: only the owning thread writes; readers need no ordering with
  // other data, except `settled`, which Engine reads with its own fence.
  void Add(std::uint64_t n = 1) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + n,
                 std::memory_order_release);
  }
  std::uint64_t Load() const noexcept {
    return value_.load(std::memory_order_acquire);
  }

 private:
  std::atomic<std::uint64_t> value_{0};
};

struct WorkerStats {
  SingleWriterCounter executed;
  SingleWriterCounter succeeded;
  SingleWriterCounter failed;      // every final failure, the two below included
  SingleWriterCounter cancelled;   // of `failed`: stopped by Cancel/Close
  SingleWriterCounter exceptions;  // of `failed`: the final result was a throw
  SingleWriterCounter retried;
  SingleWriterCounter stolen;
  SingleWriterCounter callback_errors;
  SingleWriterCounter busy_ticks;  // BusyClock ticks; Engine::Clock() converts
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_WORKER_STATS_HPP_
