// Seed 003, third example: 1000 tasks of a random 5-500 ms each on 5 workers
// with queues of 5, then Usage() to show how evenly the workers were loaded.
//
//   load_balance                 # as in Go: about 50 s
//   load_balance --scale 0.01    # the same shape in about half a second
//   load_balance --verbose       # print every task's line, as the Go version
//
// On a terminal (and without --verbose) a live line shows the tasks settled
// so far; redirected to a file or a pipe the output is exactly the Go one.
#include <litepool/litepool.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <stop_token>
#include <string>
#include <thread>

namespace {
// randomDelay: sleep a random [min, max] ms, times `scale`.
void RandomDelay(int min, int max, double scale) {
  thread_local std::mt19937 rng{std::random_device{}()};
  const int ms = std::uniform_int_distribution<int>(min, max)(rng);
  std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(ms * scale));
}

// "settled  412/1000 [#########...........]  41%  3.2 s", redrawn in place
// every 100 ms on a terminal until the group is done; then erased, so only
// the results remain on screen. Writes hold `out_mutex`, as must any other
// write to std::cout meanwhile.
class Progress {
 public:
  Progress(const litepool::TaskGroup& tg, std::int64_t total, std::mutex& out_mutex)
      : out_mutex_(out_mutex),
        thread_([this, tg, total](std::stop_token stop) {
          const auto start = std::chrono::steady_clock::now();
          while (!stop.stop_requested() && !tg.WaitFor(std::chrono::milliseconds(100))) {
            const std::int64_t settled = total - tg.Pending();
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            Draw(settled, total, s);
          }
          std::lock_guard lock(out_mutex_);
          std::cout << "\r\x1b[K" << std::flush;
        }) {}

  // Erases the line before another write; call with `out_mutex` held.
  static void Clear() { std::cout << "\r\x1b[K"; }

 private:
  void Draw(std::int64_t settled, std::int64_t total, double seconds) {
    constexpr int kWidth = 30;
    const int filled = total > 0 ? static_cast<int>(kWidth * settled / total) : kWidth;
    std::ostringstream line;
    line << "settled " << std::setw(static_cast<int>(std::to_string(total).size())) << settled << "/"
         << total << " [" << std::string(static_cast<std::size_t>(filled), '#')
         << std::string(static_cast<std::size_t>(kWidth - filled), '.') << "] " << std::setw(3)
         << (total > 0 ? 100 * settled / total : 100) << "%  " << std::fixed << std::setprecision(1)
         << seconds << " s";
    std::lock_guard lock(out_mutex_);
    std::cout << "\r" << line.str() << "\x1b[K" << std::flush;
  }

  std::mutex& out_mutex_;
  std::jthread thread_;  // last: joined first, while the members above live
};
}  // namespace

int main(int argc, char** argv) {
  double scale = 1.0;
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

  // 5 workers, each with a queue of at most 5 tasks.
  litepool::Pool lp(5, 5);
  const int n = 1000;
  // To Wait() for every task, give the count up front.
  litepool::TaskGroup tg = lp.NewTaskGroup(n);
  std::atomic<int> tmp{0};
  std::mutex out_mutex;  // the progress line and the lines below share stdout
  const bool live = !verbose && ::isatty(STDOUT_FILENO) == 1;
  std::optional<Progress> progress;
  if (live) progress.emplace(tg, n, out_mutex);
  for (int i = 0; i < n; ++i) {
    const int a = i;
    auto opt = tg.NewTaskOptions()
                   .SetOnSuccess([&] {
                     if (++tmp == n) {
                       std::lock_guard lock(out_mutex);
                       if (live) Progress::Clear();
                       std::cout << "任务总数量：" << n << ",完成了" << tmp.load() << "次\n";
                     }
                   })
                   .SetOnError([&](litepool::ErrHandle& handle, const litepool::Error&) {
                     handle.ErrReload(3, [&](const litepool::Error& err) {
                       std::lock_guard lock(out_mutex);
                       if (live) Progress::Clear();
                       std::cout << err << "\n";
                       if (err) tg.Done();  // a failure is not auto-done twice
                     });
                   })
                   .SetOnComplete([&] {
                     if (verbose) std::cout << "complate\n";
                   })
                   .SetTask([a, scale, verbose] {
                     RandomDelay(5, 500, scale);
                     if (verbose) std::cout << "这是业务，我输出了 " << a << "\n";
                   })
                   .SetAutoDone()
                   .SetAddTimeout(std::chrono::seconds(1))
                   .SetOnAddTimeout([] {
                     // Not queued within the add-timeout.
                   });
    lp.AddTask(opt);
  }
  tg.Wait();
  progress.reset();  // erases the live line
  lp.Usage();
}
