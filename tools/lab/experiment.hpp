// One run of the lab: a fresh Pool with one dispatch policy runs every task
// once; queue wait comes from Pool::Stats(), the timeline from the pool's
// trace (Pool::StartTrace / StopTrace).
#ifndef LITEPOOL_TOOLS_LAB_EXPERIMENT_HPP_
#define LITEPOOL_TOOLS_LAB_EXPERIMENT_HPP_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "cli.hpp"
#include "litepool/pool.hpp"
#include "litepool/trace.hpp"
#include "workload.hpp"

namespace lab {

struct RunResult {
  std::chrono::nanoseconds makespan{0};  // first AddTask to the group's Wait returning
  double busy_max_over_mean = 0;         // Pool::Stats().imbalance
  litepool::LatencySummary queue_wait{};
  std::uint64_t steals = 0;
  std::vector<std::chrono::nanoseconds> worker_busy;  // Pool::Stats(), by worker id
  litepool::Trace trace;                              // recorded only when a trace is wanted
};

// Runs the workload once. `progress`: a line on stderr, prefixed by `label`.
RunResult RunOnce(const LabOptions& options, litepool::Dispatch policy,
                  const std::vector<double>& sizes, const TaskBody& body, bool keep_tasks,
                  bool progress, const std::string& label);

}  // namespace lab

#endif  // LITEPOOL_TOOLS_LAB_EXPERIMENT_HPP_
