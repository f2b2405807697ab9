// PoolFlags: a pool's life-cycle flags, written by Close and read by every
// part of the engine. seq_cst where a reader pairs them with a counter (see
// each reader); the flags only ever go from false to true.
#ifndef LITEPOOL_FRAMEWORK_ENGINE_POOL_FLAGS_HPP_
#define LITEPOOL_FRAMEWORK_ENGINE_POOL_FLAGS_HPP_

#include <atomic>

#include "base/cache_line.hpp"

namespace litepool::detail {

struct alignas(kCacheLine) PoolFlags {
  // Close was called: no task is admitted from now on.
  std::atomic<bool> closed{false};
  // Close(kCancelPending): queued tasks settle as kCancelled. Set before
  // `closed`, so whoever sees the pool closed this way sees this too.
  std::atomic<bool> cancel_pending{false};
  // Every task settled after a Close: threads return from their loops.
  std::atomic<bool> stop{false};

  bool Closed() const noexcept { return closed.load(std::memory_order_acquire); }
  bool Stopping() const noexcept { return stop.load(std::memory_order_seq_cst); }
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ENGINE_POOL_FLAGS_HPP_
