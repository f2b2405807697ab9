#include "report.hpp"

#include <sched.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <thread>

namespace lab {

const char* ModeName(Mode m) {
  switch (m) {
    case Mode::kSleep:
      return "sleep";
    case Mode::kSpin:
      return "spin";
    case Mode::kCpu:
      return "cpu";
  }
  return "?";
}

namespace {

std::size_t Cores() {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    return std::max(1, CPU_COUNT(&set));
  }
#endif
  return std::max(1u, std::thread::hardware_concurrency());
}

template <class T>
T Median(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  if (n == 0) return T{};
  if (n % 2 == 1) return v[n / 2];
  return v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

// A JSON string literal (the --dist text is the only user-given string).
std::string Quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// JSON has no NaN or infinity.
std::string Number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

std::string Ratio(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

}  // namespace

Ideal ComputeIdeal(const std::vector<double>& sizes, const TaskBody& body, std::size_t workers) {
  Ideal ideal;
  double units = 0, largest = 0;
  for (const double s : sizes) {
    units += s;
    largest = std::max(largest, s);
  }
  ideal.work = body.Nominal(units);
  ideal.longest = body.Nominal(largest);
  ideal.cores = Cores();
  // One rule for every mode and every system compared: sleeping tasks on
  // more workers than cores overlap, so their makespan / ideal can read
  // below 1.
  ideal.lanes = std::min(workers, ideal.cores);
  ideal.makespan = std::max(ideal.longest, ideal.work / static_cast<std::int64_t>(ideal.lanes));
  return ideal;
}

void Summarize(PolicyResult& p) {
  std::vector<std::chrono::nanoseconds> makespan, p50, p99;
  std::vector<double> busy;
  std::vector<std::uint64_t> steals;
  for (const RunResult& r : p.runs) {
    makespan.push_back(r.makespan);
    busy.push_back(r.busy_max_over_mean);
    p50.push_back(r.queue_wait.p50);
    p99.push_back(r.queue_wait.p99);
    steals.push_back(r.steals);
  }
  p.makespan = Median(makespan);
  p.busy_max_over_mean = Median(busy);
  p.wait_p50 = Median(p50);
  p.wait_p99 = Median(p99);
  p.steals = Median(steals);
  // The run whose makespan is the lower median: the one drawn by --svg.
  std::vector<std::size_t> order(p.runs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return p.runs[a].makespan < p.runs[b].makespan; });
  p.median_run = order.empty() ? 0 : order[(order.size() - 1) / 2];
}

std::string FormatDuration(std::chrono::nanoseconds d) {
  const double ns = static_cast<double>(d.count());
  const char* unit = "ns";
  double v = ns;
  if (ns >= 1e9) {
    v = ns / 1e9, unit = "s";
  } else if (ns >= 1e6) {
    v = ns / 1e6, unit = "ms";
  } else if (ns >= 1e3) {
    v = ns / 1e3, unit = "us";
  }
  char buf[32];
  // Three significant digits.
  std::snprintf(buf, sizeof buf, "%.*f %s", v < 10 ? 2 : v < 100 ? 1 : 0, v, unit);
  return buf;
}

void PrintHeader(std::ostream& out, const LabOptions& o, const Ideal& ideal) {
  out << "litepool-lab: " << o.tasks << " tasks, " << Describe(o.dist) << ", unit "
      << FormatDuration(o.unit) << ", mode " << ModeName(o.mode) << ", seed " << o.seed << "\n"
      << "  " << o.workers << " workers x queue " << o.queue << ", " << ideal.cores
      << (ideal.cores == 1 ? " core" : " cores") << "; nominal work " << FormatDuration(ideal.work)
      << ", longest task " << FormatDuration(ideal.longest) << ",\n  ideal makespan "
      << FormatDuration(ideal.makespan) << " ("
      << (ideal.makespan == ideal.longest
              ? "the longest task"
              : "work / " + std::to_string(ideal.lanes) +
                    (ideal.lanes < o.workers ? " usable cores" : " workers"))
      << ")\n"
      << "  " << o.repeat << (o.repeat == 1 ? " run" : " runs") << " per policy"
      << (o.repeat > 1 ? " (medians)" : "") << "\n";
}

void PrintTable(std::ostream& out, const std::vector<PolicyResult>& results, const Ideal& ideal) {
  char line[160];
  std::snprintf(line, sizeof line, "%-13s %10s %8s %14s %10s %10s %8s\n", "policy", "makespan",
                "x ideal", "busy max/mean", "wait p50", "wait p99", "steals");
  out << line;
  for (const PolicyResult& p : results) {
    const double ratio = static_cast<double>(p.makespan.count()) /
                         static_cast<double>(std::max<std::int64_t>(1, ideal.makespan.count()));
    std::snprintf(line, sizeof line, "%-13s %10s %8s %14s %10s %10s %8llu\n", PolicyName(p.policy),
                  FormatDuration(p.makespan).c_str(), Ratio(ratio).c_str(),
                  Ratio(p.busy_max_over_mean).c_str(), FormatDuration(p.wait_p50).c_str(),
                  FormatDuration(p.wait_p99).c_str(), static_cast<unsigned long long>(p.steals));
    out << line;
  }
}

void WriteJson(std::ostream& out, const LabOptions& o, const Ideal& ideal,
               const std::vector<PolicyResult>& results) {
  out << "{\n  \"workers\": " << o.workers << ",\n  \"queue\": " << o.queue
      << ",\n  \"tasks\": " << o.tasks << ",\n  \"dist\": " << Quoted(o.dist.spec)
      << ",\n  \"unit_ns\": " << o.unit.count() << ",\n  \"mode\": \"" << ModeName(o.mode)
      << "\",\n  \"repeat\": " << o.repeat << ",\n  \"seed\": " << o.seed
      << ",\n  \"cores\": " << ideal.cores << ",\n  \"nominal_work_ns\": " << ideal.work.count()
      << ",\n  \"longest_task_ns\": " << ideal.longest.count()
      << ",\n  \"ideal_lanes\": " << ideal.lanes << ",\n  \"ideal_ns\": " << ideal.makespan.count()
      << ",\n  \"policies\": [";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const PolicyResult& p = results[i];
    const double ratio = static_cast<double>(p.makespan.count()) /
                         static_cast<double>(std::max<std::int64_t>(1, ideal.makespan.count()));
    out << (i ? "," : "") << "\n    {\"policy\": \"" << PolicyName(p.policy)
        << "\", \"makespan_ns\": " << p.makespan.count()
        << ", \"makespan_over_ideal\": " << Number(ratio)
        << ", \"busy_max_over_mean\": " << Number(p.busy_max_over_mean)
        << ", \"queue_wait_p50_ns\": " << p.wait_p50.count()
        << ", \"queue_wait_p99_ns\": " << p.wait_p99.count() << ", \"steals\": " << p.steals
        << ",\n     \"runs\": [";
    for (std::size_t k = 0; k < p.runs.size(); ++k) {
      const RunResult& r = p.runs[k];
      out << (k ? ",\n              " : "") << "{\"makespan_ns\": " << r.makespan.count()
          << ", \"busy_max_over_mean\": " << Number(r.busy_max_over_mean)
          << ", \"steals\": " << r.steals << ", \"queue_wait\": {\"count\": " << r.queue_wait.count
          << ", \"p50_ns\": " << r.queue_wait.p50.count()
          << ", \"p90_ns\": " << r.queue_wait.p90.count()
          << ", \"p99_ns\": " << r.queue_wait.p99.count()
          << ", \"max_ns\": " << r.queue_wait.max.count() << "}}";
    }
    out << "]}";
  }
  out << "\n  ]\n}\n";
}

}  // namespace lab
