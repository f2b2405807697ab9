// The lab's results: medians per policy, the table, and the JSON report.
#ifndef LITEPOOL_TOOLS_LAB_REPORT_HPP_
#define LITEPOOL_TOOLS_LAB_REPORT_HPP_

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

#include "cli.hpp"
#include "experiment.hpp"

namespace lab {

// What every policy is measured against (one ideal for all): nominal work /
// min(workers, cores), or the longest task if that is longer, in every
// mode. Sleeping tasks (and wall-clock spinning ones, which still end on
// time when preempted) overlap beyond the cores, so with more workers than
// cores their makespan / ideal can read below 1.
struct Ideal {
  std::chrono::nanoseconds work{0};     // sum of the task sizes x unit
  std::chrono::nanoseconds longest{0};  // the largest task
  std::size_t cores = 1;                // CPUs this process may run on
  std::size_t lanes = 1;                // what the work is divided by
  std::chrono::nanoseconds makespan{0};
};
Ideal ComputeIdeal(const std::vector<double>& sizes, const TaskBody& body, std::size_t workers);

struct PolicyResult {
  litepool::Dispatch policy{};
  std::vector<RunResult> runs;
  // Medians over the runs.
  std::chrono::nanoseconds makespan{0};
  double busy_max_over_mean = 0;
  std::chrono::nanoseconds wait_p50{0}, wait_p99{0};
  std::uint64_t steals = 0;
  std::size_t median_run = 0;  // the run with the median makespan (traced)
};
void Summarize(PolicyResult& p);

// "sleep", "spin", "cpu" (the --mode values).
const char* ModeName(Mode m);

// "1.23 s", "45.6 ms", "789 us", "12 ns".
std::string FormatDuration(std::chrono::nanoseconds d);

void PrintHeader(std::ostream& out, const LabOptions& o, const Ideal& ideal);
void PrintTable(std::ostream& out, const std::vector<PolicyResult>& results, const Ideal& ideal);
void WriteJson(std::ostream& out, const LabOptions& o, const Ideal& ideal,
               const std::vector<PolicyResult>& results);

}  // namespace lab

#endif  // LITEPOOL_TOOLS_LAB_REPORT_HPP_
