// Usage(): the per-worker load table, and its JSON form.
//
// The table is built as cells first so every column is exactly as wide as
// its widest cell; colour (ANSI) is added only for a terminal. The compact
// style caps every cell so a line never exceeds 80 display columns.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <locale>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

#include "litepool/pool.hpp"
#include "observe/prometheus_text.hpp"
#include "observe/usage_format.hpp"

namespace litepool {
namespace {

double Millis(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e6; }

// ANSI styles for Usage() on a terminal.
constexpr const char* kBold = "\x1b[1m";
constexpr const char* kDim = "\x1b[2m";
constexpr const char* kGreen = "\x1b[32m";
constexpr const char* kYellow = "\x1b[33m";
constexpr const char* kRed = "\x1b[31m";
// The compact table's budget: an 80-column terminal. Its nine columns take
// 69 columns at most (each cell is capped to its header or 6 characters),
// which leaves 10 for the load bar after a blank.
constexpr std::size_t kCompactColumns = 80;
constexpr std::size_t kCompactMinCell = 6;
constexpr std::size_t kWideBarWidth = 24;

// The stream buffers std::cout / std::cerr had at start-up. A stream whose
// buffer was swapped (a test capturing std::cout) is not the terminal, even
// if file descriptor 1 is. <iostream> above guarantees the standard streams
// exist before these are initialised.
std::streambuf* const kStdoutBuf = std::cout.rdbuf();
std::streambuf* const kStderrBuf = std::cerr.rdbuf();

// Colour only on a terminal that can show it: never when NO_COLOR is set to
// anything non-empty (https://no-color.org), nor when TERM is unset or
// "dumb" (Emacs shells, CI logs).
bool WantsColor(const std::ostream& out) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term == nullptr || term[0] == '\0' || std::string(term) == "dumb") return false;
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

// Busy milliseconds in at most `width` characters: one decimal while it
// fits, then whole milliseconds, then abbreviated ("1.23M").
std::string BusyCell(std::chrono::nanoseconds busy, std::size_t width) {
  const double ms = Millis(busy);
  std::string cell = Fixed(ms, 1);
  if (cell.size() <= width) return cell;
  cell = Fixed(ms, 0);
  if (cell.size() <= width) return cell;
  return detail::ShortCount(static_cast<std::uint64_t>(ms), width);
}

// A latency cell: "-" when nothing was measured (not a fake 0).
std::string LatencyCell(const LatencySummary& s, std::chrono::nanoseconds v) {
  return s.count == 0 ? "-" : detail::ShortDuration(v);
}

void JsonLatency(std::ostream& out, const char* key, const LatencySummary& s) {
  out << ",\"" << key << "\":{\"count\":" << s.count << ",\"p50_ns\":" << s.p50.count()
      << ",\"p90_ns\":" << s.p90.count() << ",\"p99_ns\":" << s.p99.count()
      << ",\"max_ns\":" << s.max.count() << "}";
}

// One row; the total has no id (it is not a worker).
void JsonRow(std::ostream& out, const WorkerUsage& w, bool with_id) {
  out << "{";
  if (with_id) out << "\"id\":" << w.id << ",";
  out << "\"executed\":" << w.executed << ",\"succeeded\":" << w.succeeded
      << ",\"failed\":" << w.failed << ",\"retried\":" << w.retried << ",\"stolen\":" << w.stolen
      << ",\"callback_errors\":" << w.callback_errors << ",\"busy_ns\":" << w.busy.count()
      << ",\"queued\":" << w.queued << ",\"expired\":" << w.expired;
  JsonLatency(out, "queue_wait", w.queue_wait);
  JsonLatency(out, "run_time", w.run_time);
  out << "}";
}

// One table column: its header and the widest cell it may hold.
struct Column {
  const char* header;
  std::size_t cap;  // cells are abbreviated to this width
  bool alarm;       // non-zero cells are red on a terminal (failures)
};

}  // namespace

std::string UsageReport::ToJson() const {
  std::ostringstream out;
  out.imbue(std::locale::classic());  // no digit grouping from a global locale
  out << "{\"name\":" << detail::JsonString(name) << ",\"workers\":[";
  for (std::size_t i = 0; i < workers.size(); ++i) {
    if (i) out << ",";
    JsonRow(out, workers[i], true);
  }
  out << "],\"total\":";
  JsonRow(out, total, false);
  out << ",\"imbalance\":";
  if (std::isfinite(imbalance)) {
    out << std::setprecision(6) << imbalance;
  } else {
    out << "null";  // JSON has no NaN / Infinity
  }
  out << ",\"delayed\":" << delayed << "}";
  return out.str();
}

std::string UsageReport::ToPrometheus() const { return detail::PrometheusText(*this); }

namespace detail {

std::string FormatUsage(const UsageReport& r, std::size_t worker_count, std::size_t queue_capacity,
                        UsageStyle style, bool color) {
  const bool wide = style == UsageStyle::kWide;
  const double total_busy = Millis(r.total.busy);
  double max_busy = 0;
  for (const auto& w : r.workers) max_busy = std::max(max_busy, Millis(w.busy));

  // The columns; compact cells are capped so the table fits 80 columns.
  std::vector<Column> columns = {{"worker", 6, false},    {"executed", 8, false},
                                 {"succeeded", 9, false}, {"failed", 6, true},
                                 {"retried", 7, false},   {"stolen", 6, false}};
  if (wide) columns.insert(columns.end(), {{"cb_err", 6, true}, {"expired", 7, true}});
  columns.insert(columns.end(), {{"busy_ms", 7, false}, {"queued", 6, false}, {"share", 6, false}});
  if (wide) {
    columns.insert(columns.end(), {{"wait_p50", 8, false},
                                   {"wait_p99", 8, false},
                                   {"run_p50", 8, false},
                                   {"run_p99", 8, false}});
  }
  constexpr std::size_t kUncapped = 64;  // wide: a cell never needs cutting
  auto cap = [&](std::size_t c) {
    return wide ? kUncapped : std::max(std::strlen(columns[c].header), kCompactMinCell);
  };

  // Cells first, then every column as wide as its widest cell, numbers
  // right-aligned: the header never runs into the numbers.
  using Row = std::vector<std::string>;
  std::vector<Row> rows;
  rows.emplace_back();
  for (const auto& c : columns) rows.back().push_back(c.header);
  auto cells = [&](const std::string& id, const WorkerUsage& w) {
    const double busy = Millis(w.busy);
    const double share = total_busy > 0 ? 100.0 * busy / total_busy : 0.0;
    std::size_t c = 0;
    auto count = [&](std::uint64_t v) { return detail::ShortCount(v, cap(c++)); };
    Row row;
    row.push_back(detail::TruncateColumns(id, cap(c++)));
    row.push_back(count(w.executed));
    row.push_back(count(w.succeeded));
    row.push_back(count(w.failed));
    row.push_back(count(w.retried));
    row.push_back(count(w.stolen));
    if (wide) {
      row.push_back(count(w.callback_errors));
      row.push_back(count(w.expired));
    }
    row.push_back(BusyCell(w.busy, cap(c++)));
    row.push_back(count(w.queued));
    row.push_back(Fixed(share, 1) + "%");
    if (wide) {
      row.push_back(LatencyCell(w.queue_wait, w.queue_wait.p50));
      row.push_back(LatencyCell(w.queue_wait, w.queue_wait.p99));
      row.push_back(LatencyCell(w.run_time, w.run_time.p50));
      row.push_back(LatencyCell(w.run_time, w.run_time.p99));
    }
    return row;
  };
  for (const auto& w : r.workers) rows.push_back(cells(std::to_string(w.id), w));
  rows.push_back(cells("total", r.total));
  std::vector<std::size_t> width(columns.size(), 0);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  const std::string gap = wide ? "  " : " ";
  std::size_t table = 0;
  for (std::size_t c = 0; c < width.size(); ++c) table += width[c] + (c ? gap.size() : 0);
  const std::size_t bar_width =
      wide ? kWideBarWidth : (kCompactColumns > table + 1 ? kCompactColumns - table - 1 : 0);

  std::ostringstream s;
  std::string title =
      "litepool" + (r.name.empty() ? "" : " \"" + detail::TerminalText(r.name) + "\"");
  const std::string shape = ": " + std::to_string(worker_count) +
                            (worker_count == 1 ? " worker" : " workers") + ", queue " +
                            std::to_string(queue_capacity) + " each";
  if (!wide) title = detail::TruncateColumns(title, kCompactColumns - shape.size());
  s << Paint(color, kBold, title) << shape << "\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const bool header = i == 0;
    const bool total = i + 1 == rows.size();
    std::string line;
    for (std::size_t c = 0; c < rows[i].size(); ++c) {
      if (c) line += gap;
      const std::string cell = std::string(width[c] - rows[i][c].size(), ' ') + rows[i][c];
      // Failures and throwing hooks stand out on a terminal.
      const bool alarm = !header && columns[c].alarm && rows[i][c] != "0";
      line += alarm ? Paint(color, kRed, cell) : Paint(color && (header || total), kBold, cell);
    }
    if (header) {
      s << line << " " << (wide ? " " : "")
        << Paint(color, kBold, std::string("load").substr(0, bar_width)) << "\n";
      continue;
    }
    if (total || bar_width == 0) {
      s << line << "\n";
      continue;
    }
    s << line;
    // Clamped to [0, bar_width]: a report is plain data (a hand-built one
    // may hold a negative or non-finite busy time), and a double outside
    // size_t's range must not reach the cast.
    const double busy = Millis(r.workers[i - 1].busy);
    const double fill = max_busy > 0 ? static_cast<double>(bar_width) * busy / max_busy + 0.5 : 0.0;
    const auto len =
        std::isfinite(fill) && fill > 0
            ? std::min(bar_width,
                       static_cast<std::size_t>(std::min(fill, static_cast<double>(bar_width))))
            : std::size_t{0};
    s << (wide ? "  " : " ") << Paint(color, kGreen, std::string(len, '#'))
      << Paint(color, kDim, std::string(bar_width - len, '.')) << "\n";
  }
  if (!wide && r.total.callback_errors > 0) {
    s << "hooks that threw (cb_err): "
      << Paint(color, kRed, std::to_string(r.total.callback_errors)) << "\n";
  }
  if (!wide && r.total.expired > 0) {
    s << "expired in the queue (counted in failed): "
      << Paint(color, kRed, std::to_string(r.total.expired)) << "\n";
  }
  if (r.delayed > 0) {
    s << "admitted, not queued yet (delayed or waiting for dependencies): " << r.delayed << "\n";
  }
  const char* verdict = r.imbalance <= 1.05 ? kGreen : r.imbalance <= 1.25 ? kYellow : kRed;
  s << "imbalance (max busy / mean busy): " << Paint(color, verdict, Fixed(r.imbalance, 3)) << "\n";
  return s.str();
}

}  // namespace detail

void Pool::Usage() const { Usage(std::cout); }

void Pool::Usage(std::ostream& out, UsageStyle style) const {
  out << detail::FormatUsage(Stats(), Workers(), QueueCapacity(), style, WantsColor(out));
}

}  // namespace litepool
