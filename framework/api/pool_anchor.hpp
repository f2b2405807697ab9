// PoolAnchor: what a Future keeps of the pool its task ran on, so that
// Future::Then can post there later without holding a Pool& that may dangle.
#ifndef LITEPOOL_FRAMEWORK_POOL_ANCHOR_HPP_
#define LITEPOOL_FRAMEWORK_POOL_ANCHOR_HPP_

#include "litepool/detail/mutex.hpp"

#include "litepool/error.hpp"
#include "litepool/pool.hpp"
#include "litepool/task_options.hpp"

namespace litepool::detail {

// Shared (std::shared_ptr) by the Pool and every Future state of its
// tasks. Posters hold the lock shared while they call AddTask; the Pool's
// destructor, once Close has returned, takes it exclusively and clears
// `pool_`, so a poster either finds the pool (closed by then: AddTask
// returns kClosed) or finds none. Thread-safe.
class PoolAnchor {
 public:
  explicit PoolAnchor(Pool& pool) noexcept : pool_(&pool) {}
  // Queues `task` on the pool even when it is full (the overflow path), or
  // returns kClosed once the pool is closed or gone.
  Error Post(TaskOptions&& task);
  // The pool is going away: later posts get kClosed. Blocks while a post
  // is inside AddTask (which returns at once on a closed pool).
  void CutOff() noexcept;

 private:
  SharedMutex mu_;
  Pool* pool_ LITEPOOL_GUARDED_BY(mu_);
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_POOL_ANCHOR_HPP_
