// Test- and front-end-side access to a Pool's engine (accounting invariant).
#ifndef LITEPOOL_FRAMEWORK_POOL_ACCESS_HPP_
#define LITEPOOL_FRAMEWORK_POOL_ACCESS_HPP_

#include "engine/engine.hpp"
#include "litepool/pool.hpp"

namespace litepool::detail {

struct PoolAccess {
  static Engine& GetEngine(const Pool& p) noexcept { return *p.engine_; }
  static Accounting Totals(const Pool& p) { return p.engine_->Totals(); }
  static std::int64_t Blocked(const Pool& p) { return p.engine_->BlockedForTesting(); }
  static std::size_t ProducersInLine(const Pool& p) {
    return p.engine_->ProducersInLineForTesting();
  }
  static bool Oversubscribed(const Pool& p) { return p.engine_->OversubscribedForTesting(); }
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_POOL_ACCESS_HPP_
