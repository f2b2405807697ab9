// DefaultPool(): a leaked singleton (see default_pool.hpp for why).
#include "litepool/default_pool.hpp"

namespace litepool {

Pool& DefaultPool() {
  // Never deleted on purpose: a static Pool would be destroyed (joining its
  // workers) during static destruction, racing other static destructors that
  // still want to use it. The pointer stays reachable, so leak checkers do
  // not report it.
  static Pool* const pool = new Pool(PoolOptions{
      .workers = 0,  // hardware_concurrency, at least 1
      .queue_capacity = 256,
      .name = "default",
      .spin_iterations = 256,
  });
  return *pool;
}

}  // namespace litepool
