// PoolAccess: the one test peer — what tests and stress checks may read of a
// Pool's engine (the accounting invariant, who waits where). Nothing in the
// library's own paths uses it.
#ifndef LITEPOOL_FRAMEWORK_POOL_ACCESS_HPP_
#define LITEPOOL_FRAMEWORK_POOL_ACCESS_HPP_

#include "engine/engine.hpp"
#include "litepool/pool.hpp"

namespace litepool::detail {

struct PoolAccess {
  static Engine& GetEngine(const Pool& p) noexcept { return *p.engine_; }
  static Accounting Totals(const Pool& p) { return p.engine_->Totals(); }
  // Threads blocked in a wait now.
  static std::int64_t Blocked(const Pool& p) { return p.engine_->spares_.Blocked(); }
  // Producers asleep in line for a slot now.
  static std::size_t ProducersInLine(const Pool& p) { return p.engine_->gate_.InLine(); }
  // Whether the admission gate treats the pool as oversubscribed.
  static bool Oversubscribed(const Pool& p) { return p.engine_->gate_.Oversubscribed(); }
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_POOL_ACCESS_HPP_
