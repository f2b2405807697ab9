// Pause, Resume, Purge and queue timeouts (docs/guide.md "Controls"): a
// maintenance window.
//
//   1. the database goes into maintenance: Pause() — running jobs finish,
//      queued ones wait, AddTask still queues;
//   2. lookups carry a queue timeout (SetQueueTimeout): they expire with
//      kExpired instead of waiting for the window to end;
//   3. the reports queued meanwhile are stale: Purge() settles them as
//      kCancelled (their hooks and auto-Done run);
//   4. Resume(): the jobs queued after the purge run; WaitIdle() waits for them.
#include <litepool/litepool.hpp>

#include <atomic>
#include <chrono>
#include <iostream>

namespace {
using namespace std::chrono_literals;

// Final outcomes, counted by the tasks' hooks.
struct Outcomes {
  std::atomic<int> ran{0}, expired{0}, cancelled{0}, completed{0};
};

litepool::TaskOptions Job(const litepool::TaskGroup& tg, Outcomes& out) {
  return tg.NewTaskOptions()
      .SetTask([&out] { ++out.ran; })
      .SetOnError([&out](litepool::ErrHandle&, const litepool::Error& e) {
        if (e.Code() == litepool::ErrorCode::kExpired) ++out.expired;
        if (e.Code() == litepool::ErrorCode::kCancelled) ++out.cancelled;
      })
      .SetOnComplete([&out] { ++out.completed; })
      .SetAutoDone();
}

void Print(const char* what, const Outcomes& o) {
  std::cout << "   " << what << ": ran " << o.ran << ", expired " << o.expired
            << ", cancelled " << o.cancelled << ", OnComplete " << o.completed << "\n";
}
}  // namespace

int main() {
  litepool::Pool pool(litepool::PoolOptions{.workers = 2, .queue_capacity = 64});

  std::cout << "1. Maintenance starts: Pause()\n";
  pool.Pause();
  std::cout << "   paused: " << std::boolalpha << pool.Paused() << "\n";

  std::cout << "2. 10 lookups with a 30 ms queue timeout arrive while paused\n";
  Outcomes lookups;
  litepool::TaskGroup lookup_tg = pool.NewTaskGroup(10);
  for (int i = 0; i < 10; ++i) {
    pool.AddTask(Job(lookup_tg, lookups).SetQueueTimeout(30ms).SetPriority(litepool::Priority::kHigh));
  }
  lookup_tg.Wait();  // settled by expiry: no worker had to reach them
  Print("lookups", lookups);

  std::cout << "3. 20 reports queued during the window are stale: Purge()\n";
  Outcomes reports;
  litepool::TaskGroup report_tg = pool.NewTaskGroup(20);
  for (int i = 0; i < 20; ++i) pool.AddTask(Job(report_tg, reports));
  const std::size_t purged = pool.Purge();  // hooks ran and slots are free on return
  std::cout << "   Purge() returned " << purged << "\n";
  Print("reports", reports);

  std::cout << "4. Maintenance over: 5 new reports, Resume(), WaitIdle()\n";
  Outcomes fresh;
  litepool::TaskGroup fresh_tg = pool.NewTaskGroup(5);
  for (int i = 0; i < 5; ++i) pool.AddTask(Job(fresh_tg, fresh));
  pool.Resume();
  pool.WaitIdle();  // nothing queued, running or waiting to retry
  Print("new reports", fresh);

  const litepool::UsageReport stats = pool.Stats();
  std::cout << "   Stats: succeeded " << stats.total.succeeded << ", failed "
            << stats.total.failed << " (of which expired " << stats.total.expired << ")\n";
  std::cout << "\nSummary: while paused " << lookups.expired << " lookups expired and "
            << purged << " stale reports were purged without running; after Resume the "
            << fresh.ran << " new reports ran.\n";
}
