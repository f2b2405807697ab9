// MakePrometheusCollectable: the optional litepool_prometheus library. It
// uses the public API (Pool::Stats) and the metric list ToPrometheus renders
// (observe/metric_families.hpp, header-only), so both agree by construction.
#include "litepool/prometheus.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>
#include <prometheus/metric_type.h>

#include "observe/metric_families.hpp"
#include "observe/prometheus_text.hpp"

namespace litepool {
namespace {

prometheus::MetricType TypeOf(detail::MetricKind kind) {
  switch (kind) {
    case detail::MetricKind::kCounter:
      return prometheus::MetricType::Counter;
    case detail::MetricKind::kGauge:
      return prometheus::MetricType::Gauge;
    case detail::MetricKind::kHistogram:
      return prometheus::MetricType::Histogram;
  }
  return prometheus::MetricType::Untyped;
}

class PoolCollectable final : public prometheus::Collectable {
 public:
  explicit PoolCollectable(const Pool& pool) : pool_(pool) {}

  // On the Exposer's HTTP thread, once per scrape.
  std::vector<prometheus::MetricFamily> Collect() const override {
    const UsageReport r = pool_.Stats();
    std::vector<prometheus::MetricFamily> out;
    for (const detail::MetricFamilyView& view : detail::MetricFamilies(r)) {
      prometheus::MetricFamily family;
      family.name = view.name;
      family.help = view.help;
      family.type = TypeOf(view.kind);
      for (const detail::MetricPoint& point : view.points) {
        prometheus::ClientMetric m;
        // prometheus-cpp escapes label values itself; it gets valid UTF-8.
        m.label.push_back({detail::kPoolLabel, detail::ValidUtf8(r.name)});
        for (const detail::MetricLabel& l : point.labels) m.label.push_back({l.name, l.value});
        switch (view.kind) {
          case detail::MetricKind::kCounter:
            m.counter.value = point.value;
            break;
          case detail::MetricKind::kGauge:
            m.gauge.value = point.value;
            break;
          case detail::MetricKind::kHistogram: {
            const LatencyBuckets& b = *point.buckets;
            m.histogram.sample_count = b.count;
            m.histogram.sample_sum = detail::Seconds(b.sum);
            for (std::size_t i = 0; i < LatencyBuckets::kBounds; ++i) {
              m.histogram.bucket.push_back({b.cumulative[i], detail::BoundSeconds(i)});
            }
            m.histogram.bucket.push_back({b.count, std::numeric_limits<double>::infinity()});
            break;
          }
        }
        family.metric.push_back(std::move(m));
      }
      out.push_back(std::move(family));
    }
    return out;
  }

 private:
  const Pool& pool_;
};

}  // namespace

std::shared_ptr<prometheus::Collectable> MakePrometheusCollectable(const Pool& pool) {
  return std::make_shared<PoolCollectable>(pool);
}

}  // namespace litepool
