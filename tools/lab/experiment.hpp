// One run of the lab: a fresh Pool with one dispatch policy runs every task
// once; the lab itself timestamps each task (litepool records no trace yet):
// admission (AddTask returned), start and end inside the task, and the
// thread that ran it.
#ifndef LITEPOOL_TOOLS_LAB_EXPERIMENT_HPP_
#define LITEPOOL_TOOLS_LAB_EXPERIMENT_HPP_

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "cli.hpp"
#include "litepool/pool.hpp"
#include "litepool/trace.hpp"
#include "workload.hpp"

namespace lab {

// One task's timestamps, in nanoseconds since the run started.
struct TaskTimes {
  std::int64_t admitted = 0;  // AddTask returned (the task may start before: then 0 wait)
  std::int64_t start = 0;
  std::int64_t end = 0;
  std::thread::id thread{};
};

struct RunResult {
  std::chrono::nanoseconds makespan{0};  // first AddTask to the group's Wait returning
  double busy_max_over_mean = 0;         // Pool::Stats().imbalance
  litepool::LatencySummary queue_wait{};
  std::uint64_t steals = 0;
  std::vector<TaskTimes> tasks;          // kept only when a trace is wanted
};

// Runs the workload once. `progress`: a line on stderr, prefixed by `label`.
RunResult RunOnce(const LabOptions& options, litepool::Dispatch policy,
                  const std::vector<double>& sizes, const TaskBody& body, bool keep_tasks,
                  bool progress, const std::string& label);

// The run as a Trace: one event per task, lanes = threads in the order they
// first started a task.
litepool::Trace ToTrace(const RunResult& run, std::size_t workers);

}  // namespace lab

#endif  // LITEPOOL_TOOLS_LAB_EXPERIMENT_HPP_
