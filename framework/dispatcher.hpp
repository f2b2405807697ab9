// Dispatcher: picks the worker for a new task — an idle worker first, else
// the less loaded of two random candidates (power of two choices).
//
// Idle workers are found through a bit mask (one bit per worker, one word
// per 64 workers) that workers update only when they go idle or busy, so a
// producer reads one cache line instead of every worker's state.
#ifndef LITEPOOL_FRAMEWORK_DISPATCHER_HPP_
#define LITEPOOL_FRAMEWORK_DISPATCHER_HPP_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "cache_line.hpp"

namespace litepool::detail {

class Worker;

class Dispatcher {
 public:
  // `workers` is filled by the engine afterwards, up to `max_workers`.
  Dispatcher(const std::vector<std::unique_ptr<Worker>>& workers,
             std::size_t max_workers);

  // The worker to push to; `*picked_idle` tells whether it was idle.
  // Thread-safe, lock-free.
  Worker& Pick(bool* picked_idle) const;

  // Called by worker `id` when it starts or stops looking for work.
  void SetIdle(std::size_t id, bool idle) noexcept;

 private:
  struct alignas(kCacheLine) MaskWord {
    std::atomic<std::uint64_t> bits{0};
  };
  const std::vector<std::unique_ptr<Worker>>& workers_;
  std::unique_ptr<MaskWord[]> idle_;
  std::size_t words_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_DISPATCHER_HPP_
