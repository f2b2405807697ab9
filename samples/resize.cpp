// Resizing a pool at run time (Pool::SetWorkers, docs/guide.md "Controls"):
// a small pool grows while a burst of I/O-like tasks is queued and shrinks
// back once it is idle (Pool::WaitIdle).
//
//   1. a pool of 1 worker, idle: Usage() before;
//   2. a burst of 400 tasks that wait 1 ms each: a small autoscaler grows
//      the pool (doubling, up to 8 workers) while tasks are queued;
//   3. WaitIdle, then Usage() at the peak size;
//   4. SetWorkers(1): Usage() after — one row, and a total that still counts
//      what the retired workers did.
// Thread hooks (PoolOptions::on_thread_start / on_thread_stop) count the
// threads started and stopped along the way.
#include <litepool/litepool.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <thread>

namespace {
using Clock = std::chrono::steady_clock;
constexpr int kBurst = 400;
constexpr std::size_t kMaxWorkers = 8;
// How often the autoscaler looks at the queue (it is a sample, not a tuned
// controller).
constexpr auto kScalePeriod = std::chrono::milliseconds(5);
}  // namespace

int main() {
  std::atomic<int> started{0}, stopped{0};
  litepool::Pool pool(litepool::PoolOptions{
      .workers = 1,
      .queue_capacity = 512,
      .name = "io",
      // Run on the worker thread itself, also for workers SetWorkers adds.
      .on_thread_start = [&started](std::size_t /*worker*/) { ++started; },
      .on_thread_stop = [&stopped](std::size_t /*worker*/) { ++stopped; },
  });
  std::cout << "1. Before the burst: " << pool.Workers() << " worker, capacity "
            << pool.Capacity() << "\n";
  pool.Usage(std::cout);

  std::cout << "\n2. Burst of " << kBurst << " tasks of 1 ms (I/O-like)\n";
  const auto start = Clock::now();
  litepool::TaskGroup tg = pool.NewTaskGroup(kBurst);
  for (int i = 0; i < kBurst; ++i) {
    pool.AddTask(tg.NewTaskOptions()
                     .SetTask([] { std::this_thread::sleep_for(std::chrono::milliseconds(1)); })
                     .SetAutoDone());
  }
  // The autoscaler: while more tasks wait than 4 per worker, double the
  // workers (SetWorkers is called from this plain thread, never from a task).
  std::size_t peak = pool.Workers();
  while (!tg.WaitFor(kScalePeriod)) {
    const std::size_t queued = pool.Stats().total.queued;
    const std::size_t workers = pool.Workers();
    if (queued > 4 * workers && workers < kMaxWorkers) {
      const std::size_t grown = std::min(kMaxWorkers, 2 * workers);
      pool.SetWorkers(grown);
      peak = std::max(peak, grown);
      std::cout << "   " << std::setw(4) << queued << " queued: grew to " << grown
                << " workers (capacity " << pool.Capacity() << ")\n";
    }
  }
  pool.WaitIdle();  // nothing queued, running or waiting to retry
  const double burst_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  std::cout << std::fixed << std::setprecision(1) << "   burst done in " << burst_ms
            << " ms (1 worker alone: about " << kBurst << " ms)\n";

  std::cout << "\n3. At the peak: " << pool.Workers() << " workers\n";
  pool.Usage(std::cout);
  // The burst was queued on worker 0 alone: the added workers stole theirs.
  const litepool::UsageReport peak_stats = pool.Stats();
  std::cout << "   workers 1-" << peak - 1 << " ran "
            << peak_stats.total.executed - peak_stats.workers[0].executed
            << " tasks, taking " << peak_stats.total.stolen
            << " of them from another worker's queue (column stolen)\n";

  // Idle: shrink back. The highest ids leave (each after its running task,
  // handing its queue to the others); returns once their threads exited.
  pool.SetWorkers(1);
  const litepool::UsageReport after = pool.Stats();
  std::cout << "\n4. After SetWorkers(1): " << pool.Workers() << " worker, capacity "
            << pool.Capacity() << "\n";
  pool.Usage(std::cout);
  std::cout << "   rows: " << after.workers.size() << ", worker 0 executed "
            << after.workers[0].executed << ", total executed " << after.total.executed
            << " (retired workers' counts stay in the total)\n"
            << "   thread hooks: " << started << " started, " << stopped << " stopped\n";

  std::cout << "\nSummary: the pool grew from 1 to " << peak << " workers for a burst of "
            << kBurst << " tasks (" << burst_ms << " ms), shrank back to 1 when idle, and "
            << "kept all " << after.total.executed << " executions in its totals.\n";
}
