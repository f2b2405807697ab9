#include "experiment.hpp"

#include <iostream>
#include <stdexcept>
#include <thread>

#include "litepool/task_group.hpp"

namespace lab {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t Since(Clock::time_point t0) { return (Clock::now() - t0).count(); }

// How often the progress line is redrawn.
constexpr std::chrono::milliseconds kProgressPeriod{100};

}  // namespace

RunResult RunOnce(const LabOptions& options, litepool::Dispatch policy,
                  const std::vector<double>& sizes, const TaskBody& body, bool keep_tasks,
                  bool progress, const std::string& label) {
  litepool::Pool pool(litepool::PoolOptions{.workers = options.workers,
                                            .queue_capacity = options.queue,
                                            .name = "lab",
                                            .dispatch = policy});
  const auto n = static_cast<std::int64_t>(sizes.size());
  litepool::TaskGroup tg(n);
  // Room for every task on any one worker (the buffer is split evenly over
  // the workers, and a policy may give one worker most tasks); the lab's
  // tasks never retry: one event each. Unused pages cost no memory.
  if (keep_tasks) {
    pool.StartTrace(litepool::TraceOptions{.max_events = sizes.size() * options.workers});
  }

  const Clock::time_point t0 = Clock::now();
  std::jthread line;  // "  round-robin 2/3  settled 412/1000  0.4 s", redrawn in place
  if (progress) {
    line = std::jthread([&] {
      while (!tg.WaitFor(kProgressPeriod)) {
        std::cerr << "\r  " << label << "  settled " << n - tg.Pending() << "/" << n << "  "
                  << static_cast<double>(Since(t0) / 100'000'000) / 10.0 << " s\x1b[K"
                  << std::flush;
      }
    });
  }
  for (const double units : sizes) {
    litepool::Error e = pool.AddTask(
        tg.NewTaskOptions().SetTask([units, &body] { body.Run(units); }).SetAutoDone());
    if (e) throw std::runtime_error("AddTask failed: " + e.Message());
  }
  tg.Wait();
  RunResult r;
  r.makespan = std::chrono::nanoseconds(Since(t0));
  if (line.joinable()) {
    line.join();
    std::cerr << "\r\x1b[K" << std::flush;
  }
  if (keep_tasks) r.trace = pool.StopTrace();
  const litepool::UsageReport stats = pool.Stats();
  r.busy_max_over_mean = stats.imbalance;
  r.steals = stats.total.stolen;
  r.queue_wait = stats.total.queue_wait;  // admission -> start, the pool's histograms
  for (const litepool::WorkerUsage& w : stats.workers) r.worker_busy.push_back(w.busy);
  return r;
}

}  // namespace lab
