// Trace: the writers of a recorded trace (trace-event JSON and SVG).
//
// Both writers build the text in a std::string with locale-independent
// number formatting (std::to_chars / std::to_string) and write it once, so
// a stream imbued with a grouping locale cannot corrupt the output.
#include "litepool/trace.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <ostream>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "observe/usage_format.hpp"

namespace litepool {
namespace {

using std::chrono::nanoseconds;

// `v` with `decimals` digits after the point, no locale.
std::string Num(double v, int decimals = 2) {
  std::array<char, 64> buf{};
  const auto res =
      std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::fixed, decimals);
  return std::string(buf.data(), res.ptr);
}

// Nanoseconds as microseconds with three decimals, exactly ("12.345").
std::string Micros(std::int64_t ns) {
  const bool negative = ns < 0;
  const std::uint64_t a =
      negative ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  std::string frac = std::to_string(a % 1000);
  frac.insert(0, 3 - frac.size(), '0');
  return (negative ? "-" : "") + std::to_string(a / 1000) + "." + frac;
}

// The track of worker w: tid w + 1, since tid 0 reads as "no thread" to
// some trace viewers; the track is named "worker w".
std::string Tid(std::size_t w) { return std::to_string(w + 1); }

const char* PriorityName(Priority p) {
  switch (p) {
    case Priority::kLow:
      return "low";
    case Priority::kNormal:
      return "normal";
    case Priority::kHigh:
      return "high";
  }
  return "unknown";
}

// Outcome classes of the SVG: a colour each, in legend order.
struct OutcomeStyle {
  const char* label;
  const char* color;
};
constexpr std::array<OutcomeStyle, 7> kOutcomes = {{
    {"ok", "#43a047"},
    {"failed", "#e53935"},
    {"exception", "#8e24aa"},
    {"timeout", "#fb8c00"},
    {"cancelled", "#9e9e9e"},
    {"closed", "#546e7a"},
    {"other", "#3949ab"},
}};

std::size_t OutcomeClass(ErrorCode c) {
  switch (c) {
    case ErrorCode::kOk:
      return 0;
    case ErrorCode::kFailed:
      return 1;
    case ErrorCode::kException:
      return 2;
    case ErrorCode::kTimeout:
      return 3;
    case ErrorCode::kCancelled:
      return 4;
    case ErrorCode::kClosed:
      return 5;
    default:
      return 6;  // kInvalidArgument and codes added later (kExpired)
  }
}

// SVG geometry, in pixels.
constexpr double kSvgWidth = 1200;
constexpr double kLeft = 116;  // lane labels
constexpr double kRight = 24;
constexpr double kPlot = kSvgWidth - kLeft - kRight;
constexpr double kTop = 64;   // title and legend
constexpr double kAxis = 44;  // time axis and its caption
constexpr double kLaneGap = 4;
constexpr double kMaxLane = 24;       // lane height with few workers
constexpr double kMinLane = 4;        // ... and with very many
constexpr double kLanesHeight = 640;  // lanes share this height once they shrink
// Up to this many attempts every one gets its own bar and hover title;
// beyond, lanes are aggregated per pixel column so the file stays bounded
// (1,000 tasks stay readable, 1,000,000 still draw in a browser).
constexpr std::size_t kDetailLimit = 5000;
// A bar never drawn thinner than this, so a 1 us attempt stays visible.
constexpr double kMinBar = 0.75;
// Bars at least this wide get a white outline, so neighbours stay apart.
constexpr double kOutlinedBar = 3;
// Shades of the aggregated view (busy share of a pixel column).
constexpr int kShadeLevels = 8;
// Opacity steps of the failure strip (share of not-ok attempts).
constexpr int kMarkLevels = 4;
constexpr std::size_t kPlotColumns = static_cast<std::size_t>(kPlot);

// A trace's bounds (Trace's constructor checks them): worker ids as in a
// pool (at most 4096 workers), and times since the trace started up to 100
// years, so the difference of any two fits an int64 of nanoseconds.
constexpr std::size_t kMaxTraceWorkers = 4096;
constexpr nanoseconds kMaxTraceTime = std::chrono::hours(24 * 365 * 100);

// A "nice" tick step (1, 2 or 5 x 10^k ns) for about 8 ticks over `span`.
double TickStep(double span) {
  const double raw = span / 8;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * mag >= raw) return m * mag;
  }
  return 10 * mag;
}

std::string Title(const TraceEvent& e) {
  return "task " + std::to_string(e.task) + " attempt " + std::to_string(e.attempt) +
         " on worker " + std::to_string(e.worker) + ": " + std::string(ToString(e.outcome)) +
         ", ran " + detail::ShortDuration(e.end - e.start) + " from " +
         detail::ShortDuration(e.start) + ", queued " +
         detail::ShortDuration(e.start - e.admitted) + (e.stolen ? ", stolen" : "") +
         ", priority " + PriorityName(e.priority);
}

}  // namespace

Trace::Trace(std::vector<TraceEvent> events, std::uint64_t dropped, std::size_t workers)
    : events_(std::move(events)), dropped_(dropped), workers_(workers) {
  // The writers draw a lane per worker and subtract times: a worker id or
  // a time out of these bounds would index past the lanes, overflow, or
  // make the output unbounded.
  if (workers_ > kMaxTraceWorkers) {
    throw std::invalid_argument("litepool::Trace: workers = " + std::to_string(workers_) +
                                " (at most " + std::to_string(kMaxTraceWorkers) + ")");
  }
  for (const auto& e : events_) {
    if (e.worker >= kMaxTraceWorkers) {
      throw std::invalid_argument("litepool::Trace: an event names worker " +
                                  std::to_string(e.worker) + " (at most " +
                                  std::to_string(kMaxTraceWorkers - 1) + ")");
    }
    for (const nanoseconds t : {e.admitted, e.start, e.end}) {
      if (t < nanoseconds(0) || t > kMaxTraceTime) {
        throw std::invalid_argument("litepool::Trace: an event time of " +
                                    std::to_string(t.count()) + " ns is outside [0, 100 years]");
      }
    }
    workers_ = std::max(workers_, e.worker + 1);
  }
}

std::size_t Trace::Workers() const noexcept { return workers_; }

void Trace::WriteChromeJson(std::ostream& out) const {
  std::string s;
  s.reserve(256 + events_.size() * 260);
  s += "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"producer\":\"litepool\",\"events\":" +
       std::to_string(events_.size()) + ",\"dropped\":" + std::to_string(dropped_) +
       "},\"traceEvents\":[\n";
  s += R"({"name":"process_name","ph":"M","pid":1,"tid":1,"args":{"name":"litepool"}})";
  for (std::size_t w = 0; w < workers_; ++w) {
    const std::string tid = Tid(w);
    s += ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":" + tid +
         ",\"args\":{\"name\":\"worker " + std::to_string(w) + "\"}}";
    s += ",\n{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":1,\"tid\":" + tid +
         ",\"args\":{\"sort_index\":" + tid + "}}";
  }
  // Retries: find each retry's previous attempt to draw a flow arrow.
  std::unordered_set<std::uint64_t> retried;
  for (const auto& e : events_) {
    if (e.attempt > 0) retried.insert(e.task);
  }
  std::unordered_map<std::uint64_t, std::unordered_map<std::uint32_t, std::size_t>> attempts;
  if (!retried.empty()) {
    for (std::size_t i = 0; i < events_.size(); ++i) {
      if (retried.count(events_[i].task)) attempts[events_[i].task][events_[i].attempt] = i;
    }
  }
  std::uint64_t flow_id = 0;
  for (const auto& e : events_) {
    const std::string tid = Tid(e.worker);
    const std::string task = std::to_string(e.task);
    s += ",\n{\"name\":\"task " + task +
         "\",\"cat\":\"task\",\"ph\":\"X\",\"pid\":1,\"tid\":" + tid +
         ",\"ts\":" + Micros(e.start.count()) +
         ",\"dur\":" + Micros(std::max<std::int64_t>(0, (e.end - e.start).count())) +
         ",\"args\":{\"task\":" + task + ",\"attempt\":" + std::to_string(e.attempt) +
         ",\"outcome\":" + detail::JsonString(ToString(e.outcome)) +
         ",\"stolen\":" + (e.stolen ? "true" : "false") + ",\"priority\":\"" +
         PriorityName(e.priority) +
         "\",\"queue_wait_us\":" + Micros((e.start - e.admitted).count()) + "}}";
    if (e.attempt == 0) continue;
    s += ",\n{\"name\":\"retry\",\"cat\":\"retry\",\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":" +
         tid + ",\"ts\":" + Micros(e.start.count()) + ",\"args\":{\"task\":" + task +
         ",\"attempt\":" + std::to_string(e.attempt) + "}}";
    const auto& by_attempt = attempts[e.task];
    const auto prev = by_attempt.find(e.attempt - 1);
    if (prev == by_attempt.end()) continue;  // the previous attempt was dropped
    const TraceEvent& p = events_[prev->second];
    // Flow events bind to the slice enclosing their timestamp: use each
    // slice's midpoint, never an edge shared with a neighbour.
    const std::string id = std::to_string(++flow_id);
    s += ",\n{\"name\":\"retry\",\"cat\":\"retry\",\"ph\":\"s\",\"id\":" + id +
         ",\"pid\":1,\"tid\":" + Tid(p.worker) +
         ",\"ts\":" + Micros((p.start + (p.end - p.start) / 2).count()) + "}";
    s += ",\n{\"name\":\"retry\",\"cat\":\"retry\",\"ph\":\"f\",\"bp\":\"e\",\"id\":" + id +
         ",\"pid\":1,\"tid\":" + tid +
         ",\"ts\":" + Micros((e.start + (e.end - e.start) / 2).count()) + "}";
  }
  s += "\n]}\n";
  out.write(s.data(), static_cast<std::streamsize>(s.size()));
}

void Trace::WriteSvg(std::ostream& out) const {
  const std::size_t lanes = workers_;
  const bool aggregated = events_.size() > kDetailLimit;
  std::int64_t t0 = 0, t1 = 0;
  if (!events_.empty()) {
    t0 = events_.front().start.count();
    t1 = events_.front().end.count();
    for (const auto& e : events_) {
      t0 = std::min(t0, e.start.count());
      t1 = std::max(t1, e.end.count());
    }
  }
  const double span = static_cast<double>(std::max<std::int64_t>(t1 - t0, 1));
  const double lane_h =
      lanes == 0
          ? kMaxLane
          : std::clamp(kLanesHeight / static_cast<double>(lanes) - kLaneGap, kMinLane, kMaxLane);
  const double pitch = lane_h + kLaneGap;
  const double lanes_bottom = kTop + pitch * static_cast<double>(lanes);
  const double height = lanes_bottom + kAxis;
  auto x_of = [&](std::int64_t t) { return kLeft + static_cast<double>(t - t0) * kPlot / span; };
  auto lane_y = [&](std::size_t w) { return kTop + pitch * static_cast<double>(w); };

  // Per-lane totals for the lane titles.
  std::vector<std::uint64_t> lane_count(lanes, 0), lane_bad(lanes, 0);
  std::vector<double> lane_busy(lanes, 0);
  for (const auto& e : events_) {
    ++lane_count[e.worker];
    lane_bad[e.worker] += e.outcome != ErrorCode::kOk;
    lane_busy[e.worker] +=
        static_cast<double>(std::max<std::int64_t>(0, (e.end - e.start).count()));
  }

  std::string s;
  s.reserve(aggregated ? 64 * 1024 + lanes * 48 * 1024 : 8 * 1024 + events_.size() * 200);
  s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + Num(kSvgWidth, 0) + "\" height=\"" +
       Num(height, 0) + "\" viewBox=\"0 0 " + Num(kSvgWidth, 0) + " " + Num(height, 0) +
       "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  s += "<style>\n";
  for (std::size_t k = 0; k < kOutcomes.size(); ++k) {
    s += ".o" + std::to_string(k) + "{fill:" + kOutcomes[k].color + "}\n";
  }
  s += ".b{stroke:#fff;stroke-width:.5}.r{stroke:#212121;stroke-width:1.2}"
       ".lane{fill:#f4f4f4}.grid{stroke:#ddd;stroke-width:1}.axis{stroke:#333;stroke-width:1}"
       ".lbl{fill:#333}.muted{fill:#666}\n";
  for (int level = 1; level <= kShadeLevels; ++level) {
    s += ".a" + std::to_string(level) + "{fill:" + kOutcomes[0].color +
         ";fill-opacity:" + Num(static_cast<double>(level) / kShadeLevels, 3) + "}\n";
  }
  s += "</style>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n";

  // Title and legend.
  s += "<text x=\"" + Num(kLeft, 0) +
       "\" y=\"20\" font-size=\"15\" font-weight=\"bold\" class=\"lbl\">"
       "litepool trace: " +
       std::to_string(events_.size()) + " attempts on " + std::to_string(lanes) + " workers over " +
       detail::ShortDuration(nanoseconds(t1 - t0)) +
       (dropped_ ? ", " + std::to_string(dropped_) + " dropped" : std::string()) +
       (aggregated ? " (aggregated per pixel column)" : "") + "</text>\n";
  double lx = kLeft;
  const std::string ly = "34";
  auto legend = [&](const std::string& swatch_class, const std::string& extra,
                    const std::string& label) {
    s += "<rect x=\"" + Num(lx) + "\" y=\"" + ly + "\" width=\"14\" height=\"12\" class=\"" +
         swatch_class + "\"" + extra + "/><text x=\"" + Num(lx + 18) +
         "\" y=\"44\" class=\"lbl\">" + label + "</text>\n";
    lx += 26 + 7.0 * static_cast<double>(label.size());
  };
  if (aggregated) {
    legend("a2", "", "busy 25%");
    legend("a5", "", "60%");
    legend("a8", "", "100% of a pixel column");
    s += "<text x=\"" + Num(lx) + "\" y=\"44\" class=\"lbl\">strip below: not ok</text>\n";
    lx += 124;
    for (std::size_t k = 1; k < kOutcomes.size(); ++k) {
      legend("o" + std::to_string(k), "", kOutcomes[k].label);
    }
  } else {
    for (std::size_t k = 0; k < kOutcomes.size(); ++k)
      legend("o" + std::to_string(k), "", kOutcomes[k].label);
    legend("o0 r", "", "retry (outlined)");
  }

  // Grid, lanes and their labels.
  const double step = TickStep(span);
  const double first_tick = std::ceil(static_cast<double>(t0) / step) * step;
  std::string axis;
  for (double t = first_tick; t <= static_cast<double>(t1) + 1e-9; t += step) {
    const double x = kLeft + (t - static_cast<double>(t0)) * kPlot / span;
    s += "<line x1=\"" + Num(x) + "\" y1=\"" + Num(kTop - 4) + "\" x2=\"" + Num(x) + "\" y2=\"" +
         Num(lanes_bottom) + "\" class=\"grid\"/>\n";
    axis += "<line x1=\"" + Num(x) + "\" y1=\"" + Num(lanes_bottom) + "\" x2=\"" + Num(x) +
            "\" y2=\"" + Num(lanes_bottom + 5) + "\" class=\"axis\"/><text x=\"" + Num(x) +
            "\" y=\"" + Num(lanes_bottom + 18) + "\" text-anchor=\"middle\" class=\"lbl\">" +
            detail::ShortDuration(nanoseconds(static_cast<std::int64_t>(std::llround(t)))) +
            "</text>\n";
  }
  const double label_size = std::min(12.0, lane_h * 0.8);
  for (std::size_t w = 0; w < lanes; ++w) {
    const double y = lane_y(w);
    const double busy = lane_busy[w] / span * 100;
    s += "<g class=\"worker\" id=\"worker-" + std::to_string(w) + "\">\n<rect x=\"" + Num(kLeft) +
         "\" y=\"" + Num(y) + "\" width=\"" + Num(kPlot) + "\" height=\"" + Num(lane_h) +
         "\" class=\"lane\"><title>worker " + std::to_string(w) + ": " +
         std::to_string(lane_count[w]) + " attempts, " + std::to_string(lane_bad[w]) +
         " not ok, busy " + Num(busy, 1) + "% of the span</title></rect>\n";
    if (lane_h >= kMinLane * 2) {
      s += "<text x=\"" + Num(kLeft - 6) + "\" y=\"" + Num(y + lane_h / 2 + label_size * 0.35) +
           "\" text-anchor=\"end\" font-size=\"" + Num(label_size, 1) + "\" class=\"lbl\">worker " +
           std::to_string(w) + " <tspan class=\"muted\">" + Num(busy, 0) + "%</tspan></text>\n";
    }
    s += "</g>\n";
  }

  // The attempts.
  const double bar_h = std::max(1.0, lane_h - 4);
  if (!aggregated) {
    for (const auto& e : events_) {
      const double x = x_of(e.start.count());
      const double width = std::max(kMinBar, x_of(e.end.count()) - x);
      const std::string cls = "o" + std::to_string(OutcomeClass(e.outcome)) +
                              (e.attempt > 0           ? " r"
                               : width >= kOutlinedBar ? " b"
                                                       : "");
      s += "<rect x=\"" + Num(x) + "\" y=\"" + Num(lane_y(e.worker) + 2) + "\" width=\"" +
           Num(width) + "\" height=\"" + Num(bar_h) + "\" class=\"" + cls + "\"><title>" +
           Title(e) + "</title></rect>\n";
    }
  } else {
    // Busy time per pixel column (partial first/last column, a difference
    // array for the columns an attempt covers whole) and the worst outcome
    // that started in each column.
    const double col_ns = span / static_cast<double>(kPlotColumns);
    std::vector<double> busy(lanes * kPlotColumns, 0.0), full(lanes * kPlotColumns + 1, 0.0);
    std::vector<std::uint8_t> worst(lanes * kPlotColumns, 0);
    std::vector<std::uint32_t> started(lanes * kPlotColumns, 0), bad(lanes * kPlotColumns, 0);
    auto column = [&](double t) {
      return std::min(kPlotColumns - 1, static_cast<std::size_t>(std::max(0.0, t / col_ns)));
    };
    for (const auto& e : events_) {
      const double a = static_cast<double>(e.start.count() - t0);
      const double b = std::max(a, static_cast<double>(e.end.count() - t0));
      const std::size_t ca = column(a), cb = column(b);
      const std::size_t row = e.worker * kPlotColumns;
      if (ca == cb) {
        busy[row + ca] += b - a;
      } else {
        busy[row + ca] += static_cast<double>(ca + 1) * col_ns - a;
        busy[row + cb] += b - static_cast<double>(cb) * col_ns;
        full[row + ca + 1] += 1;
        full[row + cb] -= 1;
      }
      const auto k = static_cast<std::uint8_t>(OutcomeClass(e.outcome));
      ++started[row + ca];
      if (k != 0) ++bad[row + ca];
      if (k != 0 && (worst[row + ca] == 0 || k < worst[row + ca])) worst[row + ca] = k;
    }
    for (std::size_t w = 0; w < lanes; ++w) {
      const std::size_t row = w * kPlotColumns;
      const double y = lane_y(w);
      double covering = 0;
      std::vector<int> level(kPlotColumns);
      for (std::size_t c = 0; c < kPlotColumns; ++c) {
        covering += full[row + c];
        const double share = std::min(1.0, (busy[row + c] + covering * col_ns) / col_ns);
        level[c] = static_cast<int>(std::lround(share * kShadeLevels));
        if (share > 0 && level[c] == 0) level[c] = 1;  // something ran: show it
      }
      // One rect per run of equal shade, one per run of equal mark.
      const double mark_h = std::max(1.0, std::min(4.0, lane_h / 5));
      const double shade_h = std::max(1.0, lane_h - mark_h - 3);
      for (std::size_t c = 0; c < kPlotColumns;) {
        std::size_t end = c;
        while (end < kPlotColumns && level[end] == level[c]) ++end;
        if (level[c] > 0) {
          s += "<rect x=\"" + Num(kLeft + static_cast<double>(c)) + "\" y=\"" + Num(y + 1) +
               "\" width=\"" + std::to_string(end - c) + "\" height=\"" + Num(shade_h) +
               "\" class=\"a" + std::to_string(level[c]) + "\"/>\n";
        }
        c = end;
      }
      // The strip: the worst outcome that started in the column, more
      // opaque the larger the share of not-ok attempts (steps of 1/4),
      // below the shade so a rare failure still shows.
      auto mark = [&](std::size_t c) {
        if (worst[row + c] == 0) return 0;
        const double share = static_cast<double>(bad[row + c]) / started[row + c];
        return worst[row + c] * 8 + static_cast<int>(std::ceil(share * kMarkLevels));
      };
      for (std::size_t c = 0; c < kPlotColumns;) {
        std::size_t end = c;
        const int m = mark(c);
        while (end < kPlotColumns && mark(end) == m) ++end;
        if (m != 0) {
          s += "<rect x=\"" + Num(kLeft + static_cast<double>(c)) + "\" y=\"" +
               Num(y + lane_h - mark_h - 1) + "\" width=\"" + std::to_string(end - c) +
               "\" height=\"" + Num(mark_h) + "\" class=\"o" + std::to_string(m / 8) +
               "\" fill-opacity=\"" + Num(0.2 + 0.8 * static_cast<double>(m % 8) / kMarkLevels) +
               "\"/>\n";
        }
        c = end;
      }
    }
  }

  // The time axis.
  s += "<line x1=\"" + Num(kLeft) + "\" y1=\"" + Num(lanes_bottom) + "\" x2=\"" +
       Num(kLeft + kPlot) + "\" y2=\"" + Num(lanes_bottom) + "\" class=\"axis\"/>\n" + axis;
  s += "<text x=\"" + Num(kLeft + kPlot) + "\" y=\"" + Num(lanes_bottom + 36) +
       "\" text-anchor=\"end\" class=\"muted\">time since the trace started</text>\n";
  if (events_.empty()) {
    s += "<text x=\"" + Num(kLeft) + "\" y=\"" + Num(kTop + 16) +
         "\" class=\"muted\">no events</text>\n";
  }
  s += "</svg>\n";
  out.write(s.data(), static_cast<std::streamsize>(s.size()));
}

}  // namespace litepool
