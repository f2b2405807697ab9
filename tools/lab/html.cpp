#include "html.hpp"

#include <algorithm>
#include <cstdio>
#include <ostream>
#include <sstream>
#include <string>

#include "workload.hpp"

namespace lab {
namespace {

// One colour per policy, the same in every chart (in PolicyName order).
const char* PolicyColor(litepool::Dispatch d) {
  switch (d) {
    case litepool::Dispatch::kIdleFirstTwoChoices:
      return "#3867d6";
    case litepool::Dispatch::kRoundRobin:
      return "#e67e22";
    case litepool::Dispatch::kRandom:
      return "#8e44ad";
    case litepool::Dispatch::kLeastLoaded:
      return "#16a085";
  }
  return "#777";
}

std::string Escaped(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

double Ratio(const PolicyResult& p, const Ideal& ideal) {
  return static_cast<double>(p.makespan.count()) /
         static_cast<double>(std::max<std::int64_t>(1, ideal.makespan.count()));
}

// Charts end this much past their longest bar, so its end stays visible
// and the bar never touches the value beside it.
constexpr double kBarHeadroom = 1.04;

// The narrowest bar, in percent of its chart: a sliver, so a zero shows.
constexpr double kMinBarPercent = 0.5;

// Bar width in percent of the chart.
std::string Percent(double v, double max) {
  return Fixed(max > 0 ? std::max(kMinBarPercent, 100.0 * v / max) : kMinBarPercent, 2) + "%";
}

// Class names are prefixed: the inline trace SVGs bring their own short
// ones (.b, .r, .lane, .grid, .lbl, .o0 ...) into the same document.
constexpr const char* kStyle = R"(
:root{--ink:#1f2430;--soft:#5b6270;--line:#e3e6ec;--card:#fff;--bg:#f5f6f9}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.lp-page{max-width:1200px;margin:0 auto;padding:24px 20px 40px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:17px;margin:0 0 12px}
.lp-sub{color:var(--soft);margin:0 0 20px}
.lp-facts{display:flex;flex-wrap:wrap;gap:8px;margin:0 0 22px;padding:0;list-style:none}
.lp-facts li{background:var(--card);border:1px solid var(--line);border-radius:999px;padding:3px 12px;font-size:13px}
.lp-facts b{font-weight:600}
.lp-card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:18px 20px;margin:0 0 18px;box-shadow:0 1px 2px rgba(20,30,50,.05)}
.lp-cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,340px),1fr));gap:18px;margin:0 0 18px}
.lp-cards .lp-card{margin:0}
.lp-narrow{display:none}
.lp-meta{display:block;font-size:12px;font-weight:400;color:var(--soft);margin-top:2px}
.lp-small{grid-template-columns:repeat(auto-fit,minmax(min(100%,250px),1fr))}
.lp-note{color:var(--soft);font-size:13px;margin:10px 0 0}
.lp-tablebox{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:7px 10px;text-align:right;border-bottom:1px solid var(--line);white-space:nowrap}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--soft);font-weight:600;white-space:normal;vertical-align:bottom}
th:first-child,td:first-child{text-align:left}
tr.lp-best td{background:#eef7f1}
.lp-dot{display:inline-block;width:10px;height:10px;border-radius:3px;margin-right:8px;vertical-align:baseline}
.lp-tag{font-size:11px;color:#1e7b45;background:#d8f0e1;border-radius:4px;padding:1px 6px;margin-left:6px}
.lp-bars{display:grid;grid-template-columns:max-content 1fr max-content;gap:8px 10px;align-items:center}
.lp-name{font-size:13px;white-space:nowrap}
.lp-track{position:relative;height:18px;background:#eef0f4;border-radius:5px}
.lp-fill{position:absolute;left:0;top:0;bottom:0;border-radius:5px}
.lp-ref{position:absolute;top:-4px;bottom:-4px;border-left:2px dashed var(--ink);opacity:.55}
.lp-val{font-size:13px;font-variant-numeric:tabular-nums;text-align:right;white-space:nowrap}
.lp-scroll{overflow-x:auto;border:1px solid var(--line);border-radius:8px}
.lp-scroll svg{display:block;width:100%;min-width:760px;height:auto}
figure{margin:0 0 20px}
figcaption{font-size:14px;margin:0 0 8px;font-weight:600}
@media (max-width:600px){
 body{font-size:14px}
 .lp-page{padding:16px 10px 28px}
 h1{font-size:21px}
 .lp-card{padding:14px 10px}
 th,td{padding:6px 4px;font-size:12px}
 .lp-wide{display:none}
 .lp-narrow{display:inline}
 th{font-size:10px;letter-spacing:0}
 .lp-dot{margin-right:4px}
 .lp-tag{display:none}
}
)";

// A horizontal bar chart: one bar per policy, `value` of each, scaled to
// the largest (or to `reference` if larger), with an optional dashed line.
template <class Value, class Label>
void BarChart(std::ostream& out, const std::vector<PolicyResult>& results, Value value, Label label,
              double reference) {
  double max = reference;
  for (const auto& p : results) max = std::max(max, value(p));
  max *= kBarHeadroom;
  out << "<div class=\"lp-bars\">\n";
  for (const auto& p : results) {
    out << "<span class=\"lp-name\"><span class=\"lp-dot\" style=\"background:"
        << PolicyColor(p.policy) << "\"></span>" << PolicyName(p.policy)
        << "</span><span class=\"lp-track\"><span class=\"lp-fill\" style=\"width:"
        << Percent(value(p), max) << ";background:" << PolicyColor(p.policy) << "\"></span>";
    if (reference > 0) {
      out << "<span class=\"lp-ref\" style=\"left:" << Percent(reference, max)
          << "\" title=\"ideal\"></span>";
    }
    out << "</span><span class=\"lp-val\">" << label(p) << "</span>\n";
  }
  out << "</div>\n";
}

}  // namespace

void WriteHtml(std::ostream& out, const LabOptions& o, const Ideal& ideal,
               const std::vector<PolicyResult>& results) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < results.size(); ++i) {
    if (results[i].makespan < results[best].makespan) best = i;
  }
  const std::string title = "litepool-lab: " + std::to_string(o.tasks) + " tasks on " +
                            std::to_string(o.workers) + " workers";

  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>" << Escaped(title) << "</title>\n<style>" << kStyle << "</style>\n</head>\n"
      << "<body>\n<main class=\"lp-page\">\n<h1>" << Escaped(title) << "</h1>\n"
      << "<p class=\"lp-sub\">How each dispatch policy spread the same tasks over the "
         "workers. Shorter bars are better.</p>\n";

  out << "<ul class=\"lp-facts\">"
      << "<li>tasks <b>" << o.tasks << "</b></li>"
      << "<li>sizes <b>" << Escaped(Describe(o.dist)) << "</b></li>"
      << "<li>unit <b>" << FormatDuration(o.unit) << "</b></li>"
      << "<li>workers <b>" << o.workers << " &times; queue " << o.queue << "</b></li>"
      << "<li>mode <b>" << ModeName(o.mode) << "</b></li>"
      << "<li>seed <b>" << o.seed << "</b></li>"
      << "<li>cores <b>" << ideal.cores << "</b></li>"
      << "<li>ideal makespan <b>" << FormatDuration(ideal.makespan) << "</b></li>"
      << "<li>runs per policy <b>" << o.repeat << (o.repeat > 1 ? " (medians)" : "")
      << "</b></li></ul>\n";

  // The table.
  out << "<section class=\"lp-card\">\n<h2>Policies</h2>\n<div class=\"lp-tablebox\"><table>\n"
      << "<thead><tr><th>policy</th><th>makespan</th><th>&times; ideal</th>"
         "<th>busy max/mean</th><th class=\"lp-wide\">wait p50</th><th>wait p99</th>"
         "<th class=\"lp-wide\">steals</th></tr></thead>\n"
      << "<tbody>\n";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const PolicyResult& p = results[i];
    out << "<tr" << (i == best && results.size() > 1 ? " class=\"lp-best\"" : "")
        << "><td><span class=\"lp-dot\" style=\"background:" << PolicyColor(p.policy)
        << "\"></span>" << PolicyName(p.policy)
        << (i == best && results.size() > 1 ? "<span class=\"lp-tag\">fastest</span>" : "")
        << "</td><td>" << FormatDuration(p.makespan) << "</td><td>" << Fixed(Ratio(p, ideal), 2)
        << "</td><td>" << Fixed(p.busy_max_over_mean, 2) << "</td><td class=\"lp-wide\">"
        << FormatDuration(p.wait_p50) << "</td><td>" << FormatDuration(p.wait_p99)
        << "</td><td class=\"lp-wide\">" << p.steals << "</td></tr>\n";
  }
  out << "</tbody></table></div>\n<p class=\"lp-note\"><span class=\"lp-narrow\">Wait p50 and "
         "steals: on a wider screen. </span>&times; ideal: the makespan over "
      << FormatDuration(ideal.makespan) << " ("
      << (ideal.makespan == ideal.longest
              ? std::string("the longest task")
              : "the work over " + std::to_string(ideal.lanes) +
                    (ideal.lanes < o.workers ? " usable cores" : " workers"))
      << "). Busy max/mean: 1.00 is perfectly even. Wait: from AddTask to the task's start. "
         "Steals: tasks taken from another worker's queue.</p>\n</section>\n";

  // The two bar charts side by side (stacked on a phone).
  out << "<div class=\"lp-cards\">\n<section class=\"lp-card\" id=\"chart-ideal\">\n"
      << "<h2>Makespan &divide; ideal</h2>\n";
  BarChart(
      out, results, [&](const PolicyResult& p) { return Ratio(p, ideal); },
      [&](const PolicyResult& p) { return Fixed(Ratio(p, ideal), 2) + "&times;"; }, 1.0);
  out << "<p class=\"lp-note\">Dashed line: the ideal, " << FormatDuration(ideal.makespan)
      << ".</p>\n</section>\n<section class=\"lp-card\" id=\"chart-wait\">\n"
      << "<h2>Queue wait p99</h2>\n";
  BarChart(
      out, results, [](const PolicyResult& p) { return static_cast<double>(p.wait_p99.count()); },
      [](const PolicyResult& p) { return FormatDuration(p.wait_p99); }, 0);
  out << "<p class=\"lp-note\">From AddTask to the task's start; 99 in 100 tasks waited "
         "less.</p>\n</section>\n</div>\n";

  // Busy time per worker, one card per policy, one scale for all.
  double max_busy = 0;
  for (const auto& p : results) {
    for (const auto& b : p.runs[p.median_run].worker_busy) {
      max_busy = std::max(max_busy, static_cast<double>(b.count()));
    }
  }
  out << "<h2>Busy time per worker (median run)</h2>\n<div class=\"lp-cards lp-small\" "
         "id=\"busy\">\n";
  for (const auto& p : results) {
    const auto& busy = p.runs[p.median_run].worker_busy;
    out << "<section class=\"lp-card\">\n<h2><span class=\"lp-dot\" style=\"background:"
        << PolicyColor(p.policy) << "\"></span>" << PolicyName(p.policy)
        << "<small class=\"lp-meta\">busiest over mean "
        << Fixed(p.runs[p.median_run].busy_max_over_mean, 2) << "</small></h2>\n"
        << "<div class=\"lp-bars\">\n";
    for (std::size_t w = 0; w < busy.size(); ++w) {
      out << "<span class=\"lp-name\">worker " << w
          << "</span><span class=\"lp-track\"><span class=\"lp-fill lp-busy\" style=\"width:"
          << Percent(static_cast<double>(busy[w].count()), max_busy * kBarHeadroom)
          << ";background:" << PolicyColor(p.policy) << "\"></span></span><span class=\"lp-val\">"
          << FormatDuration(busy[w]) << "</span>\n";
    }
    out << "</div>\n</section>\n";
  }
  out << "</div>\n";

  // The timelines.
  out << "<section class=\"lp-card\" id=\"timelines\">\n<h2>Timeline of the median run</h2>\n"
      << "<p class=\"lp-note\" style=\"margin:0 0 12px\">One lane per worker, one bar per "
         "task; hover a bar for its task. Wide: scroll sideways inside the box on a small "
         "screen.</p>\n";
  for (const auto& p : results) {
    const litepool::Trace& t = p.runs[p.median_run].trace;
    if (t.Events().empty()) continue;
    std::ostringstream svg;
    t.WriteSvg(svg);
    std::string s = svg.str();
    // Inline SVG in HTML takes no XML declaration.
    if (s.rfind("<?xml", 0) == 0) s.erase(0, s.find('\n') + 1);
    out << "<figure><figcaption><span class=\"lp-dot\" style=\"background:" << PolicyColor(p.policy)
        << "\"></span>" << PolicyName(p.policy) << ", "
        << FormatDuration(p.runs[p.median_run].makespan) << "</figcaption>\n"
        << "<div class=\"lp-scroll\">" << s << "</div></figure>\n";
  }
  out << "</section>\n</main>\n</body>\n</html>\n";
}

}  // namespace lab
