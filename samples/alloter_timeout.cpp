// The Go alloter README (older version), example by example: a normal
// alloter whose 50 ms overall timeout ends three functions (Go prints "1"
// and "2", then Exec returns ErrorTimeOut); a pooled alloter with a limit of
// one; your own pool; the package-level Exec; and fast_return, Go's
// return-at-once.
//
// Where Go's time.Sleep leaves goroutines behind, these functions sleep on
// their std::stop_token: the timeout stops them, so nothing outlives Exec.
#include <litepool/litepool.hpp>

#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <stop_token>
#include <string>
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

// Prints one whole line: lines of functions running at once never mix.
void Say(const std::string& line) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::cout << line << "\n";
}

}  // namespace

int main() {
  // 1. Normal Alloter. Go: c := NewAlloter(&Options{TimeOut: DurationPtr(time.Millisecond*50)})
  // Go runs each function on its own goroutine: a pool of three workers here.
  std::cout << "1. Normal alloter, 50 ms timeout, three functions:\n";
  litepool::Pool three(3, 4);
  litepool::AlloterOptions opt{.timeout = 50ms};
  auto c = litepool::Alloter::WithPool(three, opt);
  litepool::Error err = c.Exec(
      [](std::stop_token stop) {
        Say("   function 1 prints 1, then sleeps 2 s");  // Go: fmt.Println(1)
        Sleep(stop, 2s);
      },
      [] { Say("   function 2 prints 2"); },  // Go: fmt.Println(2)
      [](std::stop_token stop) {
        if (Sleep(stop, 1s)) Say("   function 3 prints 3");  // stopped before: not printed
      });
  std::cout << "   Exec returned: " << err << " (functions 1 and 3 were stopped)\n";

  // 2. Pooled Alloter. Go: NewPooledAlloter(1, opt): one worker, 50 ms timeout.
  std::vector<litepool::AlloterStopTask> tasks = {
      [](std::stop_token stop) {
        if (Sleep(stop, 1s)) Say("   1 end");
        return litepool::Error();
      },
      [](std::stop_token stop) {
        if (Sleep(stop, 1s)) Say("   2 end");
        return litepool::Error();
      },
  };
  litepool::Pool one(1, 16);
  auto pooled = litepool::Alloter::WithPool(one, opt);
  err = pooled.Exec(tasks);  // or pooled.ExecWithContext(stop_token, tasks)
  std::cout << "2. Pooled alloter, one worker, two functions of 1 s: " << err
            << " (neither printed its \"end\" line)\n";

  // 3. Your own pool. Go: NewPooledAlloter(5).WithPool(pool).
  litepool::Pool pool(4, 64);
  auto custom = litepool::Alloter::WithLimit(5, pool);
  std::cout << "3. Alloter with a limit of 5 on your own pool: " << custom.Exec([] {}, [] {})
            << ", " << pool.Stats().total.executed << " functions ran on that pool\n";

  // 4. Simply exec: the package-level Exec waits for all, true if all succeeded.
  bool done = litepool::Exec([] {}, [] { return litepool::Error(); });
  std::cout << "4. litepool::Exec, two good functions: done = " << std::boolalpha << done << "\n";
  done = litepool::Exec([] {}, [] { return litepool::Error("one failed"); });
  if (!done) std::cout << "   litepool::Exec, one failing function: done = false\n";  // Go: do sth

  // 5. fast_return: return at the timeout even though the function ignores
  // its stop_token (it holds nothing of main's); the pool's destructor waits.
  {
    litepool::Pool background(1, 4);
    auto fast = litepool::Alloter::WithPool(background, {.timeout = 50ms, .fast_return = true});
    const auto start = std::chrono::steady_clock::now();
    err = fast.Exec([] { std::this_thread::sleep_for(300ms); });
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    std::cout << "5. fast_return, a 300 ms function: " << err << ", returned in "
              << (ms < 250ms ? "under" : "over") << " 250 ms while the function still ran\n";
  }
  std::cout << "Summary: the overall timeout stops the functions still running; Exec returns once "
               "they have returned, or at once with fast_return.\n";
}
