// Usage() and Stats(): the per-worker load table for people, the same
// numbers as a struct and as JSON for tools.
//
// 400 tasks of uneven length (0.1-2 ms) on 4 workers; every 25th task fails
// once and is retried. Usage() prints an aligned table with a load bar per
// worker (in colour on a terminal unless NO_COLOR is set); Stats() returns
// the numbers; UsageReport::ToJson() writes them for a plot or a dashboard.
//
//   usage_report            # table on stdout, then the JSON
//   usage_report --json     # only the JSON (e.g. | python3 -m json.tool)
#include <litepool/litepool.hpp>

#include <atomic>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

int main(int argc, char** argv) {
  const bool json_only = argc > 1 && std::string(argv[1]) == "--json";

  litepool::Pool pool(litepool::PoolOptions{.workers = 4, .queue_capacity = 16, .name = "report"});
  const int n = 400;
  litepool::TaskGroup tg = pool.NewTaskGroup(n);
  for (int i = 0; i < n; ++i) {
    auto attempts = std::make_shared<std::atomic<int>>(0);
    pool.AddTask(tg.NewTaskOptions()
                     .SetTask([i, attempts]() -> litepool::Error {
                       std::this_thread::sleep_for(std::chrono::microseconds(100 + (i * 37) % 1900));
                       if (i % 25 == 0 && attempts->fetch_add(1) == 0) return litepool::Error("transient");
                       return litepool::Error();
                     })
                     .SetOnError([](litepool::ErrHandle& h, const litepool::Error&) { h.ErrReload(1); })
                     .SetAutoDone());
  }
  tg.Wait();

  // The structured form: the same numbers Usage() prints.
  const litepool::UsageReport report = pool.Stats();
  if (json_only) {
    std::cout << report.ToJson() << "\n";
    return 0;
  }

  pool.Usage();  // to std::cout; pool.Usage(std::cerr) or any std::ostream works too
  std::cout << "\nfrom Stats(): " << report.total.executed << " runs of " << n << " tasks, "
            << report.total.retried << " retried, " << report.total.failed << " failed, busiest worker "
            << std::setprecision(3) << report.imbalance << "x the mean\n";
  std::cout << "\nToJson():\n" << report.ToJson() << "\n";
  std::cout << "\nSummary: the same per-worker numbers as a table (Usage), a struct (Stats) and "
               "JSON (ToJson).\n";
}
