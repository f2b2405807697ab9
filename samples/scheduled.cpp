// samples/scheduled.cpp — work for later: a delayed task, a heartbeat with
// Pool::Every, a fixed-rate schedule that skips what a slow run missed, and
// Purge cancelling delayed work.
#include <litepool/litepool.hpp>

#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

using namespace std::chrono_literals;

int main() {
  litepool::Pool pool(litepool::PoolOptions{.workers = 2, .name = "scheduled"});
  const auto start = std::chrono::steady_clock::now();
  auto ms_since_start = [start] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start)
        .count();
  };

  // A delayed task: admitted now, queued in 50 ms; meanwhile it holds no
  // slot and no worker.
  litepool::Future<long long> later =
      pool.Submit([&] { return static_cast<long long>(ms_since_start()); },
                  litepool::SubmitOptions{.delay = 50ms});
  std::cout << "Delayed: pending now: " << pool.Stats().delayed << "\n";
  std::cout << "Delayed: ran at about " << later.Get() << " ms (asked for 50 ms)\n";

  // A heartbeat: every 10 ms until cancelled.
  std::atomic<int> beats{0};
  litepool::PeriodicHandle heartbeat = pool.Every(10ms, [&] { beats.fetch_add(1); });
  std::this_thread::sleep_for(105ms);
  heartbeat.Cancel();  // no beat starts after this returns
  std::cout << "Heartbeat: " << heartbeat.Runs() << " beats in about 105 ms (period 10 ms)\n";

  // Fixed rate with a slow run: the first run takes 45 ms; the due times it
  // overran are skipped (Missed), not run in a burst afterwards.
  std::atomic<int> runs{0};
  litepool::PeriodicHandle report = pool.Every(
      10ms,
      [&] {
        if (runs.fetch_add(1) == 0) std::this_thread::sleep_for(45ms);
      },
      litepool::PeriodicOptions{.first_after = 0ms, .max_runs = 3});
  while (report.Active()) std::this_thread::sleep_for(5ms);
  std::cout << "Fixed rate: " << report.Runs() << " runs, " << report.Missed()
            << " due times skipped after the slow first run\n";

  // Delayed work that nobody wants any more: Purge cancels it.
  std::atomic<int> ran{0};
  for (int i = 0; i < 1000; ++i) {
    pool.AddTask(litepool::TaskOptions().SetTask([&] { ran.fetch_add(1); }).SetDelay(1h));
  }
  std::cout << "Purge: " << pool.Stats().delayed << " delayed task(s) pending, "
            << pool.Purge() << " cancelled, " << ran.load() << " ran\n";

  std::cout << "Summary: a delayed task ran at its time, a heartbeat beat until cancelled, "
               "a fixed-rate schedule skipped missed times, and Purge cancelled delayed work\n";
}
