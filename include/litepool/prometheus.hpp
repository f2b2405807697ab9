// litepool/prometheus.hpp — a pool's Stats() as Prometheus metrics, served
// by prometheus-cpp. Optional: it comes with the litepool_prometheus library
// (meson feature `prometheus`; pkg-config litepool-prometheus; CMake target
// litepool::prometheus), built when prometheus-cpp is installed (Debian:
// prometheus-cpp-dev). Without it, UsageReport::ToPrometheus() gives the
// same text from any Stats() snapshot.
//
//   litepool::Pool pool(litepool::PoolOptions{.workers = 4, .name = "io"});
//   prometheus::Exposer exposer("127.0.0.1:9464");
//   auto metrics = litepool::MakePrometheusCollectable(pool);
//   exposer.RegisterCollectable(metrics);
//   ...                                    // curl 127.0.0.1:9464/metrics
//   exposer.RemoveCollectable(metrics);    // before the pool goes away
//
// The metrics and their names are UsageReport::ToPrometheus()'s (pool.hpp).
#ifndef LITEPOOL_PROMETHEUS_HPP_
#define LITEPOOL_PROMETHEUS_HPP_

#include "litepool/detail/export.hpp"

#include <memory>

#include <prometheus/collectable.h>

#include "litepool/pool.hpp"

namespace litepool {

// A prometheus-cpp Collectable for `pool`: every Collect() (one per scrape)
// reads pool.Stats() and returns its metrics, so a scrape costs one Stats()
// and the task path pays nothing. Collect() is thread-safe and never blocks
// on tasks, like Stats().
//
// Lifetime: the collectable keeps a reference to `pool`, not a copy. The
// pool must outlive the collectable's registration: remove it from the
// Exposer or Registry (RemoveCollectable), or destroy them, before the pool
// is destroyed; a scrape after that reads a destroyed pool (undefined
// behaviour). Holding the returned pointer after that is harmless.
// Throws std::bad_alloc only.
LITEPOOL_API std::shared_ptr<prometheus::Collectable> MakePrometheusCollectable(const Pool& pool);

}  // namespace litepool

#endif  // LITEPOOL_PROMETHEUS_HPP_
