// The Prometheus text exposition format (0.0.4) of a UsageReport: what
// UsageReport::ToPrometheus returns. Its pieces are here for the tests.
#ifndef LITEPOOL_FRAMEWORK_OBSERVE_PROMETHEUS_TEXT_HPP_
#define LITEPOOL_FRAMEWORK_OBSERVE_PROMETHEUS_TEXT_HPP_

#include <string>
#include <string_view>

#include "litepool/pool.hpp"

namespace litepool::detail {

// A label value as the format quotes it: backslash, double quote and line
// feed escaped; bytes that are not valid UTF-8 become U+FFFD.
std::string PrometheusLabelValue(std::string_view value);
// A sample value: the shortest text that reads back as the same double,
// in the C locale ("+Inf", "-Inf", "NaN" for the non-finite ones).
std::string PrometheusNumber(double v);
// The whole report: HELP and TYPE lines, then the samples of each family.
std::string PrometheusText(const UsageReport& r);

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_OBSERVE_PROMETHEUS_TEXT_HPP_
