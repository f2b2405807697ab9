#include "experiment.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <numeric>

#include "litepool/detail/latency_histogram.hpp"
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
  std::vector<TaskTimes> times(sizes.size());
  litepool::Pool pool(litepool::PoolOptions{
      .workers = options.workers, .queue_capacity = options.queue, .name = "lab",
      .dispatch = policy});
  const auto n = static_cast<std::int64_t>(sizes.size());
  litepool::TaskGroup tg(n);

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
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    TaskTimes* t = &times[i];
    const double units = sizes[i];
    // Each task writes only its own start/end/thread; the producer writes
    // `admitted` (another member) once AddTask returned; Wait() orders both
    // before the reads below.
    litepool::Error e = pool.AddTask(tg.NewTaskOptions()
                                         .SetTask([t, units, &body, t0] {
                                           t->start = Since(t0);
                                           t->thread = std::this_thread::get_id();
                                           body.Run(units);
                                           t->end = Since(t0);
                                         })
                                         .SetAutoDone());
    t->admitted = Since(t0);
    if (e) throw std::runtime_error("AddTask failed: " + e.Message());
  }
  tg.Wait();
  RunResult r;
  r.makespan = std::chrono::nanoseconds(Since(t0));
  if (line.joinable()) {
    line.join();
    std::cerr << "\r\x1b[K" << std::flush;
  }
  const litepool::UsageReport stats = pool.Stats();
  r.busy_max_over_mean = stats.imbalance;
  r.steals = stats.total.stolen;
  litepool::detail::LatencyCounts wait;
  for (const TaskTimes& t : times) {
    wait.Record(std::chrono::nanoseconds(std::max<std::int64_t>(0, t.start - t.admitted)));
  }
  r.queue_wait = wait.Summary();
  if (keep_tasks) r.tasks = std::move(times);
  return r;
}

litepool::Trace ToTrace(const RunResult& run, std::size_t workers) {
  std::vector<std::size_t> order(run.tasks.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return run.tasks[a].start < run.tasks[b].start; });
  std::map<std::thread::id, std::size_t> lanes;
  std::vector<litepool::TraceEvent> events;
  events.reserve(order.size());
  for (std::size_t i : order) {
    const TaskTimes& t = run.tasks[i];
    const std::size_t lane = lanes.emplace(t.thread, lanes.size()).first->second;
    litepool::TraceEvent e;
    e.task = i;
    e.worker = lane;
    e.admitted = std::chrono::nanoseconds(std::min(t.admitted, t.start));
    e.start = std::chrono::nanoseconds(t.start);
    e.end = std::chrono::nanoseconds(t.end);
    events.push_back(e);
  }
  return litepool::Trace(std::move(events), 0, workers);
}

}  // namespace lab
