// The Go litepool README's first example ("使用闭包来执行任务", tasks as closures):
// 1000 tasks of 0-2 ms on 5 workers with queues of 10; a third of the runs
// fail and are retried up to 3 times; AutoDone plus a Done() in the retry
// callback counts each task once; then Usage().
#include <litepool/litepool.hpp>

#include <atomic>
#include <chrono>
#include <iostream>
#include <random>
#include <thread>

namespace {
int RandIntn(int n) {  // Go: rand.Intn(n), one generator per thread
  thread_local std::mt19937 rng{std::random_device{}()};
  return std::uniform_int_distribution<int>(0, n - 1)(rng);
}
}  // namespace

int main() {
  // A pool of 5 workers, each with a task queue of 10.
  litepool::Pool lp(5, 10);

  const int n = 1000;
  litepool::TaskGroup tg = lp.NewTaskGroup(n);
  std::atomic<int> first_try{0}, recovered{0}, gave_up{0};

  for (int i = 0; i < n; ++i) {
    auto opt = tg.NewTaskOptions()
                   // The task: sleep 0-2 ms; fail one time in three.
                   .SetTask([]() -> litepool::Error {
                     std::this_thread::sleep_for(std::chrono::milliseconds(RandIntn(3)));
                     if (RandIntn(3) == 1) return litepool::Error("error");
                     return litepool::Error();
                   })
                   // On failure: retry up to 3 times.
                   .SetOnError([&](litepool::ErrHandle& handle, litepool::TaskGroup& tg1,
                                   const litepool::Error&) {
                     handle.ErrReload(3, [&](const litepool::Error& err) {
                       // Still failing after 3 retries: mark the task done.
                       if (err) {
                         ++gave_up;
                         tg1.Done();
                       } else {
                         ++recovered;
                       }
                     });
                   })
                   .SetOnSuccess([&] { ++first_try; })
                   .SetOnComplete([] {})
                   // Credit the group automatically once the task is settled.
                   .SetAutoDone();
    lp.AddTask(opt);
  }

  // Wait for every task; each one is counted exactly once.
  tg.Wait();
  std::cout << "tasks: " << n << ", succeeded first time: " << first_try
            << ", after retries: " << recovered << ", gave up: " << gave_up
            << ", pending now: " << tg.Pending() << "\n\n";
  lp.Usage();
  std::cout << "\nSummary: 1000 closure tasks, a third of the runs failing and retried up to 3 "
               "times; AutoDone and the Done() in the retry callback counted each task once.\n";
}
