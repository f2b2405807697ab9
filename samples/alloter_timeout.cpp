// Seed 001 (alloter, older README): the overall timeout. Three tasks under a
// 50 ms timeout print "1" and "2", then Exec gives Timeout; the pooled
// alloter (limit 1, 50 ms) times out before "1 end"; a custom pool; the
// package-level Exec; and fast_return, Go's return-at-once.
//
// Where Go's time.Sleep leaves goroutines behind, these tasks sleep on their
// std::stop_token: the timeout stops them, so nothing outlives Exec.
#include <litepool/litepool.hpp>

#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

namespace {

// time.Sleep(d) that wakes early when `stop` is requested; false if it did.
bool Sleep(std::stop_token stop, std::chrono::milliseconds d) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait_for(lock, stop, d, [] { return false; });
  return !stop.stop_requested();
}

}  // namespace

int main() {
  // Normal Alloter. Go: opt := &Options{TimeOut: DurationPtr(time.Millisecond*50)}
  litepool::AlloterOptions opt{.timeout = 50ms};
  litepool::Alloter c(opt);
  litepool::Error err = c.Exec(
      [](std::stop_token stop) {
        std::cout << "1\n";
        Sleep(stop, 2s);
      },
      [] { std::cout << "2\n"; },
      [](std::stop_token stop) {
        if (Sleep(stop, 1s)) std::cout << "3\n";
      });
  if (err) std::cout << "normal alloter: " << err << "\n";

  // Pooled Alloter: NewPooledAlloter(1, opt) runs on a pool of one worker.
  std::vector<litepool::AlloterStopTask> tasks = {
      [](std::stop_token stop) {
        if (Sleep(stop, 1s)) std::cout << "1 end\n";
        return litepool::Error();
      },
      [](std::stop_token stop) {
        if (Sleep(stop, 1s)) std::cout << "2 end\n";
        return litepool::Error();
      },
  };
  litepool::Pool one(1, 16);
  auto pooled = litepool::Alloter::WithPool(one, opt);
  err = pooled.Exec(tasks);  // or pooled.ExecWithContext(stop_token, tasks)
  if (err) std::cout << "pooled alloter: " << err << "\n";

  // Use a custom pool: NewPooledAlloter(5).WithPool(pool).
  litepool::Pool pool(4, 64);
  auto custom = litepool::Alloter::WithLimit(5, pool);
  std::cout << "custom pool: " << custom.Exec([] {}, [] {}) << ", "
            << pool.Stats().total.executed << " tasks ran on it\n";

  // Simply exec: the package-level Exec waits for all, true if all succeeded.
  bool done = litepool::Exec([] {}, [] { return litepool::Error(); });
  std::cout << "Exec: done = " << std::boolalpha << done << "\n";
  done = litepool::Exec([] {}, [] { return litepool::Error("one failed"); });
  if (!done) std::cout << "Exec: done = false, do sth\n";

  // fast_return: return at the timeout even though the task ignores its
  // stop_token (it holds nothing of main's); the pool's destructor waits.
  {
    litepool::Pool background(1, 4);
    auto fast = litepool::Alloter::WithPool(background, {.timeout = 50ms, .fast_return = true});
    const auto start = std::chrono::steady_clock::now();
    err = fast.Exec([] { std::this_thread::sleep_for(300ms); });
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    std::cout << "fast_return: " << err << " (returned in " << (ms < 250ms ? "<" : ">=")
              << " 250 ms, the task still running)\n";
  }
  std::cout << "fast_return: the task finished before its pool closed\n";
}
