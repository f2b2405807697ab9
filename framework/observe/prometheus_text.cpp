// UsageReport::ToPrometheus: the text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/).
#include "observe/prometheus_text.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <string>
#include <system_error>

#include "observe/metric_families.hpp"

namespace litepool::detail {
namespace {

// HELP text: backslash and line feed escaped (quotes stay as they are).
std::string HelpText(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

const char* TypeName(MetricKind kind) {
  switch (kind) {
    case MetricKind::kCounter:
      return "counter";
    case MetricKind::kGauge:
      return "gauge";
    case MetricKind::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// `{pool="...",k="v",...}` with `extra` (a last label such as le) appended.
std::string Labels(const std::string& pool, const std::vector<MetricLabel>& labels,
                   const std::string& extra = {}) {
  std::string out = "{";
  out += kPoolLabel;
  out += "=\"" + pool + "\"";
  for (const MetricLabel& l : labels) {
    out += ',';
    out += l.name;
    out += "=\"" + PrometheusLabelValue(l.value) + "\"";
  }
  if (!extra.empty()) out += "," + extra;
  return out + "}";
}

}  // namespace

std::string PrometheusLabelValue(std::string_view value) {
  std::string out;
  for (char c : ValidUtf8(value)) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string PrometheusNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Shortest round-trip form; to_chars ignores the global locale.
  std::array<char, 32> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  if (ec != std::errc()) return "NaN";  // not reached: 32 chars hold any double
  return std::string(buf.data(), end);
}

std::string PrometheusText(const UsageReport& r) {
  const std::string pool = PrometheusLabelValue(r.name);
  std::string out;
  for (const MetricFamilyView& f : MetricFamilies(r)) {
    out += "# HELP ";
    out += f.name;
    out += ' ' + HelpText(f.help) + "\n# TYPE ";
    out += f.name;
    out += ' ';
    out += TypeName(f.kind);
    out += '\n';
    for (const MetricPoint& p : f.points) {
      if (f.kind != MetricKind::kHistogram) {
        out += f.name + Labels(pool, p.labels) + ' ' + PrometheusNumber(p.value) + '\n';
        continue;
      }
      const LatencyBuckets& h = *p.buckets;
      const std::string name = f.name;
      for (std::size_t i = 0; i < LatencyBuckets::kBounds; ++i) {
        out += name + "_bucket" +
               Labels(pool, p.labels, "le=\"" + PrometheusNumber(BoundSeconds(i)) + "\"") + ' ' +
               std::to_string(h.cumulative[i]) + '\n';
      }
      out += name + "_bucket" + Labels(pool, p.labels, "le=\"+Inf\"") + ' ' +
             std::to_string(h.count) + '\n';
      out += name + "_sum" + Labels(pool, p.labels) + ' ' + PrometheusNumber(Seconds(h.sum)) + '\n';
      out += name + "_count" + Labels(pool, p.labels) + ' ' + std::to_string(h.count) + '\n';
    }
  }
  return out;
}

}  // namespace litepool::detail
