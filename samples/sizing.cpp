// Choosing workers and queue capacity (docs/guide.md, "Choosing workers and
// queue capacity"), measured rather than argued:
//   1. tasks that wait (I/O, sleeps): more workers than cores pays off;
//   2. tasks that compute: workers beyond the core count buy nothing;
//   3. queue capacity is back-pressure: a small queue makes a fast producer
//      wait inside AddTask; a large one lets it run ahead (and hold memory).
#include <litepool/litepool.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <thread>

namespace {

using Clock = std::chrono::steady_clock;

double MillisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Burns about `us` microseconds of CPU.
void Compute(int us) {
  const auto end = Clock::now() + std::chrono::microseconds(us);
  volatile std::uint64_t x = 0;
  while (Clock::now() < end) {
    for (int i = 0; i < 1000; ++i) x = x + static_cast<std::uint64_t>(i);
  }
}

struct Run {
  double wall_ms;     // first AddTask to the group's Wait() returning
  double adding_ms;   // time the producer spent inside AddTask
};

// Runs `n` tasks of `body` on a pool of the given shape.
template <class F>
Run RunTasks(std::size_t workers, std::size_t queue_capacity, int n, F body) {
  litepool::Pool pool(workers, queue_capacity);
  litepool::TaskGroup tg = pool.NewTaskGroup(n);
  const auto start = Clock::now();
  for (int i = 0; i < n; ++i) pool.AddTask(tg.NewTaskOptions().SetTask(body).SetAutoDone());
  const double adding = MillisSince(start);
  tg.Wait();
  return {MillisSince(start), adding};
}

}  // namespace

int main() {
  const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  std::cout << std::fixed << std::setprecision(1) << "cores: " << cores << "\n";

  std::cout << "\n1. 200 tasks that wait 2 ms each (I/O-like)\n";
  for (std::size_t workers : {cores, 4 * cores, 32 * cores}) {
    const Run r = RunTasks(workers, 64, 200, [] { std::this_thread::sleep_for(std::chrono::milliseconds(2)); });
    std::cout << "   " << std::setw(4) << workers << " workers: " << std::setw(7) << r.wall_ms << " ms\n";
  }

  std::cout << "\n2. 200 tasks that compute 1 ms each (CPU-bound)\n";
  for (std::size_t workers : {cores, 4 * cores}) {
    const Run r = RunTasks(workers, 64, 200, [] { Compute(1000); });
    std::cout << "   " << std::setw(4) << workers << " workers: " << std::setw(7) << r.wall_ms << " ms\n";
  }

  std::cout << "\n3. 100 tasks of 1 ms on 2 workers: the producer's time inside AddTask\n";
  for (std::size_t capacity : {std::size_t{1}, std::size_t{64}}) {
    const Run r = RunTasks(2, capacity, 100, [] { std::this_thread::sleep_for(std::chrono::milliseconds(1)); });
    std::cout << "   queue " << std::setw(3) << capacity << " per worker: adding took " << std::setw(6)
              << r.adding_ms << " ms of " << std::setw(6) << r.wall_ms << " ms\n";
  }
  std::cout << "\nSummary: waiting tasks want more workers than cores, computing tasks do not, "
               "and a small queue makes the producer wait.\n";
}
