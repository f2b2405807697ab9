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
  static Accounting Totals(const Pool& p) { return p.engine_->ledger_.Totals(); }
  // Threads blocked in a wait now.
  static std::int64_t Blocked(const Pool& p) { return p.engine_->spares_.Blocked(); }
  // Spare threads: made so far, counted active now, and whether every one
  // is parked (idle, waiting for a claim).
  static std::size_t SparesMade(const Pool& p) {
    std::size_t n = 0;
    p.engine_->spares_.ForEach([&n](const Worker&) { ++n; });
    return n;
  }
  static std::int64_t ActiveSpares(const Pool& p) { return p.engine_->spares_.Active(); }
  static bool SparesParked(const Pool& p) {
    bool all = true;
    p.engine_->spares_.ForEach([&all](const Worker& w) { all = all && w.Spot().Parked(); });
    return all;
  }
  // A wake-up that carries no claim, as any waker but Spares::Activate sends.
  static void WakeSparesWithoutClaim(const Pool& p) { p.engine_->spares_.UnparkAll(); }
  // Producers asleep in line for a slot now.
  static std::size_t ProducersInLine(const Pool& p) { return p.engine_->gate_.InLine(); }
  // Whether the admission gate treats the pool as oversubscribed.
  static bool Oversubscribed(const Pool& p) { return p.engine_->gate_.Oversubscribed(); }
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_POOL_ACCESS_HPP_
