// What the two trace writers share (trace.cpp: JSON, trace_svg.cpp: SVG):
// locale-free number formatting, the outcome classes and their colours, the
// plot's geometry, an event's tooltip. Internal to the writers.
#ifndef LITEPOOL_FRAMEWORK_OBSERVE_TRACE_FORMAT_HPP_
#define LITEPOOL_FRAMEWORK_OBSERVE_TRACE_FORMAT_HPP_

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

#include "litepool/trace.hpp"

namespace litepool::detail::trace_format {

using std::chrono::nanoseconds;

// `v` with `decimals` digits after the point, no locale.
inline std::string Num(double v, int decimals = 2) {
  std::array<char, 64> buf{};
  const auto res =
      std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::fixed, decimals);
  return std::string(buf.data(), res.ptr);
}

// Nanoseconds as microseconds with three decimals, exactly ("12.345").
inline std::string Micros(std::int64_t ns) {
  const bool negative = ns < 0;
  const std::uint64_t a =
      negative ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  std::string frac = std::to_string(a % 1000);
  frac.insert(0, 3 - frac.size(), '0');
  return (negative ? "-" : "") + std::to_string(a / 1000) + "." + frac;
}

// The track of worker w: tid w + 1, since tid 0 reads as "no thread" to
// some trace viewers; the track is named "worker w".
inline std::string Tid(std::size_t w) { return std::to_string(w + 1); }

inline const char* PriorityName(Priority p) {
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

inline std::size_t OutcomeClass(ErrorCode c) {
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
inline double TickStep(double span) {
  const double raw = span / 8;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * mag >= raw) return m * mag;
  }
  return 10 * mag;
}

inline std::string Title(const TraceEvent& e) {
  return "task " + std::to_string(e.task) + " attempt " + std::to_string(e.attempt) +
         " on worker " + std::to_string(e.worker) + ": " + std::string(ToString(e.outcome)) +
         ", ran " + detail::ShortDuration(e.end - e.start) + " from " +
         detail::ShortDuration(e.start) + ", queued " +
         detail::ShortDuration(e.start - e.admitted) + (e.stolen ? ", stolen" : "") +
         ", priority " + PriorityName(e.priority);
}

}  // namespace litepool::detail::trace_format

#endif  // LITEPOOL_FRAMEWORK_OBSERVE_TRACE_FORMAT_HPP_
