// Usage(): the per-worker load table, and its JSON form.
#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <string>

#include "engine.hpp"
#include "litepool/pool.hpp"

namespace litepool {
namespace {

double Millis(std::chrono::nanoseconds d) {
  return static_cast<double>(d.count()) / 1e6;
}

void Accumulate(WorkerUsage& total, const WorkerUsage& w) {
  total.executed += w.executed;
  total.succeeded += w.succeeded;
  total.failed += w.failed;
  total.retried += w.retried;
  total.stolen += w.stolen;
  total.callback_errors += w.callback_errors;
  total.busy += w.busy;
  total.queued += w.queued;
}

void JsonRow(std::ostream& out, const WorkerUsage& w) {
  out << "{\"id\":" << w.id << ",\"executed\":" << w.executed
      << ",\"succeeded\":" << w.succeeded << ",\"failed\":" << w.failed
      << ",\"retried\":" << w.retried << ",\"stolen\":" << w.stolen
      << ",\"callback_errors\":" << w.callback_errors
      << ",\"busy_ns\":" << w.busy.count() << ",\"queued\":" << w.queued << "}";
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

}  // namespace

std::string UsageReport::ToJson() const {
  std::ostringstream out;
  out << "{\"name\":" << JsonString(name) << ",\"workers\":[";
  for (std::size_t i = 0; i < workers.size(); ++i) {
    if (i) out << ",";
    JsonRow(out, workers[i]);
  }
  out << "],\"total\":";
  JsonRow(out, total);
  out << ",\"imbalance\":" << std::setprecision(6) << imbalance << "}";
  return out.str();
}

void Pool::Usage(std::ostream& out) const {
  const UsageReport r = Stats();
  const double total_busy = Millis(r.total.busy);
  double max_busy = 0;
  for (const auto& w : r.workers) max_busy = std::max(max_busy, Millis(w.busy));
  constexpr int kBar = 24;

  std::ostringstream s;
  s << "litepool" << (r.name.empty() ? "" : " \"" + r.name + "\"") << ": "
    << Workers() << " workers, queue " << QueueCapacity() << " each\n";
  s << std::right << std::setw(6) << "worker" << std::setw(10) << "executed"
    << std::setw(10) << "succeeded" << std::setw(8) << "failed" << std::setw(8)
    << "retried" << std::setw(8) << "stolen" << std::setw(8) << "cb_err"
    << std::setw(12) << "busy_ms" << std::setw(7) << "queued" << std::setw(8)
    << "share" << "  load\n";
  auto row = [&](const std::string& id, const WorkerUsage& w, bool bar) {
    const double busy = Millis(w.busy);
    const double share = total_busy > 0 ? 100.0 * busy / total_busy : 0.0;
    s << std::setw(6) << id << std::setw(10) << w.executed << std::setw(10)
      << w.succeeded << std::setw(8) << w.failed << std::setw(8) << w.retried
      << std::setw(8) << w.stolen << std::setw(8) << w.callback_errors
      << std::setw(12) << std::fixed << std::setprecision(1) << busy
      << std::setw(7) << w.queued << std::setw(7) << std::setprecision(1)
      << share << "%";
    if (bar) {
      const int len = max_busy > 0 ? static_cast<int>(kBar * busy / max_busy + 0.5) : 0;
      s << "  " << std::string(static_cast<std::size_t>(len), '#')
        << std::string(static_cast<std::size_t>(kBar - len), '.');
    }
    s << "\n";
  };
  for (const auto& w : r.workers) row(std::to_string(w.id), w, true);
  row("total", r.total, false);
  s << "imbalance (max busy / mean busy): " << std::setprecision(3)
    << r.imbalance << "\n";
  out << s.str();
}

namespace detail {

UsageReport Engine::Stats() const {
  UsageReport r;
  r.name = options_.name;
  r.workers.reserve(workers_.size());
  for (const auto& w : workers_) {
    const WorkerStats& st = w->Stats();
    WorkerUsage u;
    u.id = w->Id();
    u.executed = st.executed.Load();
    u.succeeded = st.succeeded.Load();
    u.failed = st.failed.Load();
    u.retried = st.retried.Load();
    u.stolen = st.stolen.Load();
    u.callback_errors = st.callback_errors.Load();
    u.busy = std::chrono::nanoseconds(static_cast<std::int64_t>(st.busy_ns.Load()));
    const std::int64_t q = w->Queued();
    u.queued = q > 0 ? static_cast<std::size_t>(q) : 0;
    Accumulate(r.total, u);
    r.workers.push_back(u);
  }
  r.total.id = r.workers.size();
  std::chrono::nanoseconds max_busy{0};
  for (const auto& u : r.workers) max_busy = std::max(max_busy, u.busy);
  const double mean = static_cast<double>(r.total.busy.count()) /
                      static_cast<double>(r.workers.size());
  r.imbalance = mean > 0 ? static_cast<double>(max_busy.count()) / mean : 1.0;
  return r;
}

}  // namespace detail
}  // namespace litepool
