// A picture of the load: seed 003's load-balance workload (1000 tasks of a
// random 5-500 units on 5 workers with queues of 5; 1 unit = 20 us, so about
// 1 s) traced by the pool (Pool::StartTrace / StopTrace) and written as an
// SVG timeline and a Chrome trace; queue-wait percentiles from Pool::Stats().
//
//   trace_timeline            # writes to $TMPDIR/litepool-timeline/ (or /tmp)
//   trace_timeline out/       # writes out/timeline.svg and out/trace.json
#include <litepool/litepool.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <random>
#include <thread>
#include <vector>

namespace {
using Clock = std::chrono::steady_clock;
using std::chrono::nanoseconds;

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

  litepool::Pool pool(kWorkers, kQueue);
  litepool::TaskGroup tg = pool.NewTaskGroup(kTasks);
  std::cout << "Running " << kTasks << " tasks of 5-500 units (1 unit = 20 us, sleeping) on "
            << kWorkers << " workers with queues of " << kQueue << "...\n";
  pool.StartTrace();  // one event per attempt: worker, admitted, start, end
  const auto t0 = Clock::now();
  for (std::size_t i = 0; i < kTasks; ++i) {
    const auto length = kUnit * units[i];
    pool.AddTask(tg.NewTaskOptions()
                     .SetTask([length] { std::this_thread::sleep_for(length); })
                     .SetAutoDone());
  }
  tg.Wait();
  const nanoseconds makespan = Clock::now() - t0;
  const litepool::Trace trace = pool.StopTrace();

  std::ofstream svg(dir / "timeline.svg"), json(dir / "trace.json");
  trace.WriteSvg(svg);
  trace.WriteChromeJson(json);
  if (!svg.flush() || !json.flush()) {
    std::cerr << "Could not write to " << dir.string() << "\n";
    return 1;
  }

  long total_units = 0;
  for (int u : units) total_units += u;
  const nanoseconds ideal = kUnit * total_units / kWorkers;  // sleeping: all 5 overlap
  const litepool::UsageReport stats = pool.Stats();
  const litepool::LatencySummary& wait = stats.total.queue_wait;
  std::cout << std::fixed << std::setprecision(2)
            << "Makespan:          " << Ms(makespan) / 1000 << " s (ideal " << Ms(ideal) / 1000
            << " s = the work / 5 workers)\n"
            << "Queue wait:        p50 " << Ms(wait.p50) << " ms, p99 " << Ms(wait.p99)
            << " ms (admitted -> started, from Pool::Stats())\n"
            << "Busy max / mean:   " << stats.imbalance << " (1.00 = even)\n"
            << "Traced:            " << trace.Events().size() << " attempts, "
            << trace.Dropped() << " dropped\n"
            << "Wrote:             " << (dir / "timeline.svg").string()
            << " (open in a browser: a lane per worker, a bar per task)\n"
            << "Wrote:             " << (dir / "trace.json").string()
            << " (open in ui.perfetto.dev or chrome://tracing)\n"
            << "Summary: " << kTasks << " tasks on " << kWorkers << " workers took "
            << static_cast<double>(makespan.count()) / static_cast<double>(ideal.count())
            << " x the ideal; the timeline shows every task on its worker.\n";
}
