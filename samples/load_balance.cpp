// Seed 003, third example: 1000 tasks of a random 5-500 ms each on 5 workers
// with queues of 5, then Usage() to show how evenly the workers were loaded.
//
//   load_balance                 # as in Go: about 50 s
//   load_balance --scale 0.01    # the same shape in about half a second
//   load_balance --verbose       # print every task's line, as the Go version
#include <litepool/litepool.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <thread>

namespace {
// randomDelay: sleep a random [min, max] ms, times `scale`.
void RandomDelay(int min, int max, double scale) {
  thread_local std::mt19937 rng{std::random_device{}()};
  const int ms = std::uniform_int_distribution<int>(min, max)(rng);
  std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(ms * scale));
}
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
  for (int i = 0; i < n; ++i) {
    const int a = i;
    auto opt = tg.NewTaskOptions()
                   .SetOnSuccess([&] {
                     if (++tmp == n) {
                       std::cout << "任务总数量：" << n << ",完成了" << tmp.load() << "次\n";
                     }
                   })
                   .SetOnError([&](litepool::ErrHandle& handle, const litepool::Error&) {
                     handle.ErrReload(3, [&](const litepool::Error& err) {
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
  lp.Usage();
}
