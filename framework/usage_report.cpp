// Usage(): the per-worker load table, and its JSON form.
//
// The table is built as cells first so every column is exactly as wide as
// its widest cell; colour (ANSI) is added only for a terminal.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

#include "engine.hpp"
#include "litepool/pool.hpp"

namespace litepool {
namespace {

double Millis(std::chrono::nanoseconds d) {
  return static_cast<double>(d.count()) / 1e6;
}

// ANSI styles for Usage() on a terminal.
constexpr const char* kBold = "\x1b[1m";
constexpr const char* kDim = "\x1b[2m";
constexpr const char* kGreen = "\x1b[32m";
constexpr const char* kYellow = "\x1b[33m";
constexpr const char* kRed = "\x1b[31m";
constexpr int kBarWidth = 24;
constexpr std::size_t kFailedColumn = 3;
constexpr std::size_t kCallbackErrorsColumn = 6;

// The stream buffers std::cout / std::cerr had at start-up. A stream whose
// buffer was swapped (a test capturing std::cout) is not the terminal, even
// if file descriptor 1 is. <iostream> above guarantees the standard streams
// exist before these are initialised.
std::streambuf* const kStdoutBuf = std::cout.rdbuf();
std::streambuf* const kStderrBuf = std::cerr.rdbuf();

// Colour only on a terminal, and never when NO_COLOR is set to anything
// non-empty (https://no-color.org).
bool WantsColor(const std::ostream& out) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
#if defined(__unix__) || defined(__APPLE__)
  if (&out == &std::cout && out.rdbuf() == kStdoutBuf) return ::isatty(STDOUT_FILENO) == 1;
  if ((&out == &std::cerr || &out == &std::clog) && out.rdbuf() == kStderrBuf) {
    return ::isatty(STDERR_FILENO) == 1;
  }
#endif
  return false;
}

std::string Paint(bool color, const char* style, const std::string& text) {
  if (!color || text.empty()) return text;
  return style + text + "\x1b[0m";
}

std::string Fixed(double v, int precision) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(precision) << v;
  return s.str();
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
  const bool color = WantsColor(out);
  const double total_busy = Millis(r.total.busy);
  double max_busy = 0;
  for (const auto& w : r.workers) max_busy = std::max(max_busy, Millis(w.busy));

  // Cells first, then every column as wide as its widest cell, two spaces
  // apart, numbers right-aligned: the header never runs into the numbers.
  using Row = std::vector<std::string>;
  std::vector<Row> rows;
  rows.push_back({"worker", "executed", "succeeded", "failed", "retried", "stolen",
                  "cb_err", "busy_ms", "queued", "share"});
  auto cells = [&](const std::string& id, const WorkerUsage& w) {
    const double busy = Millis(w.busy);
    const double share = total_busy > 0 ? 100.0 * busy / total_busy : 0.0;
    return Row{id, std::to_string(w.executed), std::to_string(w.succeeded),
               std::to_string(w.failed), std::to_string(w.retried),
               std::to_string(w.stolen), std::to_string(w.callback_errors),
               Fixed(busy, 1), std::to_string(w.queued), Fixed(share, 1) + "%"};
  };
  for (const auto& w : r.workers) rows.push_back(cells(std::to_string(w.id), w));
  rows.push_back(cells("total", r.total));
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }

  std::ostringstream s;
  s << Paint(color, kBold, "litepool" + (r.name.empty() ? "" : " \"" + r.name + "\"")) << ": "
    << Workers() << " workers, queue " << QueueCapacity() << " each\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const bool header = i == 0;
    const bool total = i + 1 == rows.size();
    std::string line;
    for (std::size_t c = 0; c < rows[i].size(); ++c) {
      if (c) line += "  ";
      const std::string cell = std::string(width[c] - rows[i][c].size(), ' ') + rows[i][c];
      // Failures and throwing hooks stand out on a terminal.
      const bool alarm = !header && (c == kFailedColumn || c == kCallbackErrorsColumn) &&
                         rows[i][c] != "0";
      line += alarm ? Paint(color, kRed, cell)
                    : Paint(color && (header || total), kBold, cell);
    }
    if (header) {
      s << line << "  " << Paint(color, kBold, "load") << "\n";
      continue;
    }
    if (total) {
      s << line << "\n";
      continue;
    }
    s << line;
    const double busy = Millis(r.workers[i - 1].busy);
    const int len = max_busy > 0 ? static_cast<int>(kBarWidth * busy / max_busy + 0.5) : 0;
    s << "  " << Paint(color, kGreen, std::string(static_cast<std::size_t>(len), '#'))
      << Paint(color, kDim, std::string(static_cast<std::size_t>(kBarWidth - len), '.'))
      << "\n";
  }
  const char* verdict = r.imbalance <= 1.05 ? kGreen : r.imbalance <= 1.25 ? kYellow : kRed;
  s << "imbalance (max busy / mean busy): " << Paint(color, verdict, Fixed(r.imbalance, 3))
    << "\n";
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
    u.busy = busy_clock_.ToNanos(st.busy_ticks.Load());
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
