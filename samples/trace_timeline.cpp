// A picture of the load: seed 003's load-balance workload (1000 tasks of a
// random 5-500 units on 5 workers with queues of 5; 1 unit = 20 us, so about
// 1 s) with a timestamp at admission, start and end of every task, turned
// into a litepool::Trace and written as an SVG timeline and a Chrome trace.
//
//   trace_timeline            # writes to $TMPDIR/litepool-timeline/ (or /tmp)
//   trace_timeline out/       # writes out/timeline.svg and out/trace.json
#include <litepool/litepool.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>
#include <thread>
#include <vector>

namespace {
using Clock = std::chrono::steady_clock;
using std::chrono::nanoseconds;

// What one task saw, in ns since the run started; each task writes its own.
struct Times {
  nanoseconds admitted{0}, start{0}, end{0};
  std::thread::id thread;
};

double Ms(nanoseconds d) { return std::chrono::duration<double, std::milli>(d).count(); }
}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  const fs::path dir = argc > 1 ? fs::path(argv[1]) : fs::temp_directory_path() / "litepool-timeline";
  std::error_code ec;
  fs::create_directories(dir, ec);  // a failure shows when writing below
  constexpr std::size_t kWorkers = 5, kQueue = 5, kTasks = 1000;
  constexpr auto kUnit = std::chrono::microseconds(20);

  std::mt19937 rng(3);  // the same sizes every run
  std::vector<int> units(kTasks);
  for (int& u : units) u = std::uniform_int_distribution<int>(5, 500)(rng);  // Go: 5..500 ms
  std::vector<Times> times(kTasks);

  litepool::Pool pool(kWorkers, kQueue);
  litepool::TaskGroup tg = pool.NewTaskGroup(kTasks);
  std::cout << "Running " << kTasks << " tasks of 5-500 units (1 unit = 20 us, sleeping) on "
            << kWorkers << " workers with queues of " << kQueue << "...\n";
  const auto t0 = Clock::now();
  for (std::size_t i = 0; i < kTasks; ++i) {
    Times* t = &times[i];
    const auto length = kUnit * units[i];
    pool.AddTask(tg.NewTaskOptions()
                     .SetTask([t, length, t0] {
                       t->start = Clock::now() - t0;
                       t->thread = std::this_thread::get_id();
                       std::this_thread::sleep_for(length);
                       t->end = Clock::now() - t0;
                     })
                     .SetAutoDone());
    t->admitted = Clock::now() - t0;  // AddTask returned: the task is queued
  }
  tg.Wait();  // every task's writes happen-before this returns
  const nanoseconds makespan = Clock::now() - t0;

  // One lane per worker thread, in the order they first started a task.
  std::vector<std::size_t> order(kTasks);
  for (std::size_t i = 0; i < kTasks; ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return times[a].start < times[b].start; });
  std::map<std::thread::id, std::size_t> lane;
  std::vector<litepool::TraceEvent> events;
  std::vector<nanoseconds> waits;
  for (std::size_t i : order) {
    const Times& t = times[i];
    litepool::TraceEvent e;
    e.task = i;
    e.worker = lane.emplace(t.thread, lane.size()).first->second;
    e.admitted = std::min(t.admitted, t.start);  // started before AddTask returned: no wait
    e.start = t.start;
    e.end = t.end;
    events.push_back(e);
    waits.push_back(e.start - e.admitted);
  }
  const litepool::Trace trace(std::move(events), 0, kWorkers);
  std::ofstream svg(dir / "timeline.svg"), json(dir / "trace.json");
  trace.WriteSvg(svg);
  trace.WriteChromeJson(json);
  if (!svg.flush() || !json.flush()) {
    std::cerr << "Could not write to " << dir.string() << "\n";
    return 1;
  }

  std::sort(waits.begin(), waits.end());
  long total_units = 0;
  for (int u : units) total_units += u;
  const nanoseconds ideal = kUnit * total_units / kWorkers;  // sleeping: all 5 overlap
  const litepool::UsageReport stats = pool.Stats();
  std::cout << std::fixed << std::setprecision(2)
            << "Makespan:          " << Ms(makespan) / 1000 << " s (ideal " << Ms(ideal) / 1000
            << " s = the work / 5 workers)\n"
            << "Queue wait:        p50 " << Ms(waits[kTasks / 2]) << " ms, p99 "
            << Ms(waits[kTasks * 99 / 100]) << " ms (AddTask returned -> task started)\n"
            << "Busy max / mean:   " << stats.imbalance << " (from Pool::Stats(); 1.00 = even)\n"
            << "Wrote:             " << (dir / "timeline.svg").string()
            << " (open in a browser: a lane per worker, a bar per task)\n"
            << "Wrote:             " << (dir / "trace.json").string()
            << " (open in ui.perfetto.dev or chrome://tracing)\n"
            << "Summary: " << kTasks << " tasks on " << kWorkers << " workers took "
            << static_cast<double>(makespan.count()) / static_cast<double>(ideal.count())
            << " x the ideal; the timeline shows every task on its worker.\n";
}
