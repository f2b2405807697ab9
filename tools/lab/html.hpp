// litepool-lab --html: the whole experiment as one page to open in a browser.
#ifndef LITEPOOL_TOOLS_LAB_HTML_HPP_
#define LITEPOOL_TOOLS_LAB_HTML_HPP_

#include <iosfwd>
#include <vector>

#include "cli.hpp"
#include "report.hpp"

namespace lab {

// One self-contained HTML page (inline CSS and SVG, no script, nothing
// fetched from a network): the run's parameters, the policy table, bar
// charts of makespan / ideal and queue-wait p99 per policy, the busy time
// of each worker per policy, and each policy's median-run timeline (its
// trace, as Trace::WriteSvg draws it; empty without a recorded trace).
// Laid out for a desktop window and a phone alike: nothing is wider than
// the viewport (a wide timeline scrolls inside its own box).
void WriteHtml(std::ostream& out, const LabOptions& o, const Ideal& ideal,
               const std::vector<PolicyResult>& results);

}  // namespace lab

#endif  // LITEPOOL_TOOLS_LAB_HTML_HPP_
