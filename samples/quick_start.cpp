// The README's first example, verbatim: 100 tasks of 1 ms on 4 workers,
// every 7th one failing on every attempt; each failure is retried 3 times
// without blocking a worker, then lands in the group's Errors(). Prints
// "15 unhandled failures" and the per-worker Usage() table (one row per
// worker: runs, outcomes, retries, busy time).
#include <litepool/litepool.hpp>
#include <iostream>
#include <thread>

int main() {
  litepool::Pool pool(4, 16);                     // 4 workers, 16 queued tasks each
  litepool::TaskGroup tg = pool.NewTaskGroup(100);
  for (int i = 0; i < 100; ++i) {
    pool.AddTask(tg.NewTaskOptions()
        .SetTask([i] {                            // the work: returns Error() or void
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
          return i % 7 ? litepool::Error() : litepool::Error("flaky");
        })                                        // on failure: 3 retries, re-queued
        .SetOnError([](litepool::ErrHandle& h, const litepool::Error&) { h.ErrReload(3); })
        .SetAutoDone());                          // credit tg once, whatever happens
  }
  tg.Wait();                                      // after the last OnComplete
  std::cout << tg.Errors().size() << " unhandled failures\n";  // the 15 flaky ones
  pool.Usage();                                   // per-worker load table
  std::cout << "Summary: 100 tasks, failures retried without blocking a worker, none lost\n";
}
