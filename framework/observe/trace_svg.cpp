// Trace::WriteSvg: a self-contained SVG timeline, one lane per worker (see
// trace.cpp for the number formatting both writers share).
#include "litepool/trace.hpp"

#include "observe/trace_format.hpp"

namespace litepool {

using namespace detail::trace_format;

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
  // In integer nanoseconds: a trace's times reach 100 years, where a
  // double's ulp (512 ns) exceeds a short trace's tick step, and `t += step`
  // in doubles would never advance.
  const std::int64_t step = std::max<std::int64_t>(1, std::llround(TickStep(span)));
  std::int64_t first_tick = t0 / step * step;  // rounds toward zero
  if (first_tick < t0) first_tick += step;
  std::string axis;
  for (std::int64_t t = first_tick; t <= t1; t += step) {
    const double x = kLeft + static_cast<double>(t - t0) * kPlot / span;
    s += "<line x1=\"" + Num(x) + "\" y1=\"" + Num(kTop - 4) + "\" x2=\"" + Num(x) + "\" y2=\"" +
         Num(lanes_bottom) + "\" class=\"grid\"/>\n";
    axis += "<line x1=\"" + Num(x) + "\" y1=\"" + Num(lanes_bottom) + "\" x2=\"" + Num(x) +
            "\" y2=\"" + Num(lanes_bottom + 5) + "\" class=\"axis\"/><text x=\"" + Num(x) +
            "\" y=\"" + Num(lanes_bottom + 18) + "\" text-anchor=\"middle\" class=\"lbl\">" +
            detail::ShortDuration(nanoseconds(t)) + "</text>\n";
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
