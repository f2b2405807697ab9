// The metrics of one UsageReport, as one list that both exporters render:
// UsageReport::ToPrometheus (text) and the optional litepool_prometheus
// library (prometheus-cpp's MetricFamily). One list, so the two cannot
// disagree on a name, a help text or a value.
//
// Header-only and inline on purpose: the optional library links the shipped
// liblitepool, which exports no detail:: names.
//
// Not thread-safe for a report someone modifies meanwhile; pure otherwise.
#ifndef LITEPOOL_FRAMEWORK_OBSERVE_METRIC_FAMILIES_HPP_
#define LITEPOOL_FRAMEWORK_OBSERVE_METRIC_FAMILIES_HPP_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "litepool/pool.hpp"

namespace litepool::detail {

enum class MetricKind { kCounter, kGauge, kHistogram };

// The label every sample carries first: the pool's name.
inline constexpr const char* kPoolLabel = "pool";

struct MetricLabel {
  const char* name;
  std::string value;
};

// One sample (counter, gauge) or one histogram, besides the pool label.
struct MetricPoint {
  std::vector<MetricLabel> labels;
  double value = 0;                         // counter, gauge
  const LatencyBuckets* buckets = nullptr;  // histogram (into the report)
};

struct MetricFamilyView {
  const char* name;
  const char* help;
  MetricKind kind;
  std::vector<MetricPoint> points;
};

// `s` with every byte that is not part of a valid UTF-8 sequence (stray
// continuation, truncated, overlong, surrogate, above U+10FFFF) replaced by
// U+FFFD, so a pool name never makes a scrape unreadable.
inline std::string ValidUtf8(std::string_view s) {
  static constexpr char32_t kMinOfLength[] = {0, 0, 0x80, 0x800, 0x10000};  // overlong below
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    const std::size_t len = b0 < 0x80             ? 1
                            : (b0 & 0xE0) == 0xC0 ? 2
                            : (b0 & 0xF0) == 0xE0 ? 3
                            : (b0 & 0xF8) == 0xF0 ? 4
                                                  : 0;
    char32_t cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1Fu) : len == 3 ? (b0 & 0x0Fu) : (b0 & 0x07u);
    bool ok = len != 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      ok = (c & 0xC0) == 0x80;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    ok = ok && cp >= kMinOfLength[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD, for one byte
      ++i;
    }
  }
  return out;
}

inline double Seconds(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e9; }

// A histogram's upper bound i, in seconds.
inline double BoundSeconds(std::size_t i) { return Seconds(LatencyBuckets::kUpperBounds[i]); }

// The families of `r`; histogram points point into `r`, which must outlive
// the list.
inline std::vector<MetricFamilyView> MetricFamilies(const UsageReport& r) {
  auto count = [](std::uint64_t v) { return static_cast<double>(v); };
  const WorkerUsage& t = r.total;
  // Outcomes are disjoint: `failed` in the report holds cancelled and
  // expired tasks too. Read apart they could race past it; never below 0.
  const std::uint64_t others = r.cancelled + t.expired;
  const std::uint64_t failed = t.failed > others ? t.failed - others : 0;
  std::vector<MetricFamilyView> f;
  f.push_back({"litepool_tasks_total",
               "Tasks settled, by final outcome (failed: an error returned or a throw).",
               MetricKind::kCounter,
               {{{{"outcome", "succeeded"}}, count(t.succeeded)},
                {{{"outcome", "failed"}}, count(failed)},
                {{{"outcome", "cancelled"}}, count(r.cancelled)},
                {{{"outcome", "expired"}}, count(t.expired)}}});
  f.push_back({"litepool_task_retries_total",
               "Retries requested by ErrReload.",
               MetricKind::kCounter,
               {{{}, count(t.retried)}}});
  f.push_back({"litepool_tasks_rejected_total",
               "Tasks AddTask or AddTaskGroup refused (closed, cancelled group, timeout, invalid).",
               MetricKind::kCounter,
               {{{}, count(r.rejected)}}});
  f.push_back({"litepool_hook_errors_total",
               "Task hooks that threw.",
               MetricKind::kCounter,
               {{{}, count(t.callback_errors)}}});
  f.push_back({"litepool_workers",
               "Worker threads now.",
               MetricKind::kGauge,
               {{{}, count(r.workers.size())}}});
  f.push_back({"litepool_queue_capacity",
               "Queued tasks each worker may hold.",
               MetricKind::kGauge,
               {{{}, count(r.queue_capacity)}}});
  f.push_back({"litepool_queued_tasks",
               "Tasks waiting in the queues now.",
               MetricKind::kGauge,
               {{{}, count(t.queued)}}});
  MetricFamilyView busy{"litepool_worker_busy_seconds_total",
                        "Time each worker spent running tasks and their hooks.",
                        MetricKind::kCounter,
                        {}};
  MetricFamilyView runs{"litepool_worker_tasks_total",
                        "Task runs on each worker, retries included.",
                        MetricKind::kCounter,
                        {}};
  for (const WorkerUsage& w : r.workers) {
    busy.points.push_back({{{"worker", std::to_string(w.id)}}, Seconds(w.busy)});
    runs.points.push_back({{{"worker", std::to_string(w.id)}}, count(w.executed)});
  }
  f.push_back(std::move(busy));
  f.push_back(std::move(runs));
  f.push_back({"litepool_queue_wait_seconds",
               "From admission (a retry: its re-queue) to the start of each run.",
               MetricKind::kHistogram,
               {{{}, 0, &r.queue_wait_buckets}}});
  f.push_back({"litepool_run_seconds",
               "Duration of each run of a task.",
               MetricKind::kHistogram,
               {{{}, 0, &r.run_time_buckets}}});
  return f;
}

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_OBSERVE_METRIC_FAMILIES_HPP_
