// litepool-lab: runs a load-balance experiment and prints one row per
// dispatch policy. See HelpText() in cli.cpp (or `litepool-lab --help`).
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli.hpp"
#include "experiment.hpp"
#include "html.hpp"
#include "report.hpp"
#include "workload.hpp"

namespace {

// FILE, or FILE with "-POLICY" before its extension when several policies
// share the flag.
std::string PathFor(const std::string& file, litepool::Dispatch d, bool several) {
  if (!several) return file;
  const std::size_t slash = file.find_last_of('/');
  const std::size_t dot = file.find_last_of('.');
  const std::size_t at =
      (dot == std::string::npos || (slash != std::string::npos && dot < slash)) ? file.size() : dot;
  return file.substr(0, at) + "-" + lab::PolicyName(d) + file.substr(at);
}

// Opens every output file before the runs, so a bad path fails at once.
std::unique_ptr<std::ofstream> Open(const std::string& path) {
  auto f = std::make_unique<std::ofstream>(path, std::ios::binary);
  if (!*f) throw std::runtime_error("cannot write " + path);
  return f;
}

int Run(const lab::LabOptions& o) {
  const bool several = o.policies.size() > 1;
  const bool want_trace = !o.svg.empty() || !o.trace.empty() || !o.html.empty();
  std::vector<std::unique_ptr<std::ofstream>> svg, trace;
  for (const litepool::Dispatch d : o.policies) {
    if (!o.svg.empty()) svg.push_back(Open(PathFor(o.svg, d, several)));
    if (!o.trace.empty()) trace.push_back(Open(PathFor(o.trace, d, several)));
  }
  std::unique_ptr<std::ofstream> json = o.json.empty() ? nullptr : Open(o.json);
  std::unique_ptr<std::ofstream> html = o.html.empty() ? nullptr : Open(o.html);

  const std::vector<double> sizes = lab::DrawSizes(o.dist, o.tasks, o.seed);
  const lab::TaskBody body(o.mode, o.unit);
  const lab::Ideal ideal = lab::ComputeIdeal(sizes, body, o.workers);
  lab::PrintHeader(std::cout, o, ideal);
  std::cout << std::flush;

  const bool progress = ::isatty(STDERR_FILENO) == 1;
  std::vector<lab::PolicyResult> results;
  for (const litepool::Dispatch d : o.policies) {
    lab::PolicyResult p;
    p.policy = d;
    for (std::size_t k = 0; k < o.repeat; ++k) {
      const std::string label = std::string(lab::PolicyName(d)) + " " + std::to_string(k + 1) +
                                "/" + std::to_string(o.repeat);
      p.runs.push_back(lab::RunOnce(o, d, sizes, body, want_trace, progress, label));
    }
    lab::Summarize(p);
    results.push_back(std::move(p));
  }
  std::cout << "\n";
  lab::PrintTable(std::cout, results, ideal);

  for (std::size_t i = 0; i < results.size(); ++i) {
    const lab::PolicyResult& p = results[i];
    if (!want_trace) break;
    const litepool::Trace& t = p.runs[p.median_run].trace;
    if (!o.svg.empty()) {
      t.WriteSvg(*svg[i]);
      std::cout << "wrote " << PathFor(o.svg, p.policy, several) << " (timeline, median run)\n";
    }
    if (!o.trace.empty()) {
      t.WriteChromeJson(*trace[i]);
      std::cout << "wrote " << PathFor(o.trace, p.policy, several) << " (Chrome trace)\n";
    }
  }
  if (json) {
    lab::WriteJson(*json, o, ideal, results);
    std::cout << "wrote " << o.json << " (JSON report)\n";
  }
  if (html) {
    lab::WriteHtml(*html, o, ideal, results);
    std::cout << "wrote " << o.html << " (HTML report: open it in a browser)\n";
  }
  for (auto* files : {&svg, &trace}) {
    for (auto& f : *files) {
      if (!f->flush()) throw std::runtime_error("writing an output file failed");
    }
  }
  if (json && !json->flush()) throw std::runtime_error("writing " + o.json + " failed");
  if (html && !html->flush()) throw std::runtime_error("writing " + o.html + " failed");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  lab::LabOptions options;
  try {
    options = lab::ParseArgs(argc, argv);
  } catch (const lab::UsageError& e) {
    std::cerr << "litepool-lab: " << e.what() << "\n";
    return 2;
  }
  if (options.help) {
    std::cout << lab::HelpText();
    return 0;
  }
  try {
    return Run(options);
  } catch (const std::exception& e) {
    std::cerr << "litepool-lab: " << e.what() << "\n";
    return 1;
  }
}
