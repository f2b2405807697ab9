// The Go litepool README's third example: 1000 tasks of a random 5-500 ms
// each on 5 workers with queues of 5, then Usage() to show how evenly the
// workers shared them. On a terminal, a live line shows the progress.
//
//   load_balance                 # the task lengths scaled by 0.02: about 1 s
//   load_balance --scale 1       # the Go original's lengths: about 50 s
//   load_balance --verbose       # a line per task, as the Go version prints
#include <litepool/litepool.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
namespace {
using Clock = std::chrono::steady_clock;
std::mutex out;  // one writer of std::cout at a time

// Go: randomDelay(min, max). Sleeps a random [min, max] ms times `scale`;
// returns the nominal (unscaled) ms.
int RandomDelay(int min, int max, double scale) {
  thread_local std::mt19937 rng{std::random_device{}()};
  const int ms = std::uniform_int_distribution<int>(min, max)(rng);
  std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(ms * scale));
  return ms;
}

// Prints one whole line: workers print concurrently, and so does the progress line.
void Say(const std::string& line) {
  std::lock_guard lock(out);
  std::cout << line << "\n";
}

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}
}  // namespace

int main(int argc, char** argv) {
  double scale = 0.02;
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--scale" && i + 1 < argc) {
      scale = std::strtod(argv[++i], nullptr);
    } else if (arg == "--verbose") {
      verbose = true;
    } else {
      std::cerr << "usage: load_balance [--scale FACTOR] [--verbose]\n";
      return 2;
    }
  }
  if (!(scale > 0)) {
    std::cerr << "load_balance: --scale must be a positive number\n";
    return 2;
  }

  const int n = 1000;  // Go: n := 1000; lp := litepool.NewPool(5, 5)
  litepool::Pool lp(5, 5);  // 5 workers, each with a queue of at most 5 tasks
  std::cout << "Running " << n << " tasks of a random 5-500 ms, scaled by " << scale
            << ", on 5 workers with queues of 5...\n" << std::flush;
  litepool::TaskGroup tg = lp.NewTaskGroup(n);  // to Wait() for all, give the count first
  std::atomic<int> succeeded{0};
  std::atomic<long> nominal_ms{0};
  const auto start = Clock::now();

  std::jthread progress;  // on a terminal only: "settled 412/1000  0.4 s", redrawn in place
  if (!verbose && ::isatty(STDOUT_FILENO) == 1) {
    progress = std::jthread([&] {
      while (!tg.WaitFor(std::chrono::milliseconds(100))) {
        std::lock_guard lock(out);
        std::cout << "\rsettled " << n - tg.Pending() << "/" << n << "  "  // tenths of seconds
                  << static_cast<int>(SecondsSince(start) * 10) / 10.0 << " s\x1b[K" << std::flush;
      }
      std::lock_guard lock(out);
      std::cout << "\r\x1b[K" << std::flush;
    });
  }

  for (int i = 0; i < n; ++i) {
    auto opt = tg.NewTaskOptions()
        .SetOnSuccess([&] { ++succeeded; })
        .SetOnError([&, i](litepool::ErrHandle& handle, const litepool::Error&) {
          handle.ErrReload(3, [i](const litepool::Error& err) {
            if (err) Say("task " + std::to_string(i) + ": 3 retries failed: " + err.ToString());
          });
        })
        .SetOnComplete([&, i] {  // Go prints "complate"
          if (verbose) Say("task " + std::to_string(i) + ": OnComplete");
        })
        .SetTask([&, i] {  // Go prints "这是业务，我输出了 <i>" (this is the work, I print i)
          nominal_ms += RandomDelay(5, 500, scale);
          if (verbose) Say("task " + std::to_string(i) + ": the work is done");
        })
        .SetAutoDone()  // credit tg once the task settled, whatever the outcome
        .SetAddTimeout(std::chrono::seconds(1))
        .SetOnAddTimeout([i] { Say("task " + std::to_string(i) + ": no queue slot within 1 s"); });
    lp.AddTask(opt);
  }
  tg.Wait();
  const double took = SecondsSince(start);
  if (progress.joinable()) progress.join();

  // Go prints this from the last OnSuccess: "任务总数量：1000,完成了1000次".
  std::cout << "Tasks: " << n << ", succeeded: " << succeeded << "\n\n";
  lp.Usage();
  const double work = nominal_ms * scale / 1000.0;  // seconds of sleeping, all tasks
  std::cout << "\nTook " << std::fixed << std::setprecision(2) << took << " s for " << work
            << " s of work: " << took / (work / 5) << "x a perfect split over 5 workers.\n";
  std::cout << "Summary: 1000 tasks of random length on 5 workers; the busy times in the "
               "table show how evenly the pool spread them.\n";
}
