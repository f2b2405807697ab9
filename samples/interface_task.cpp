// The Go litepool README's second example ("使用接口来执行任务", tasks as
// interfaces): one ITask object serves 1000 tasks; two runs in three fail and
// retry until they succeed (ErrReload(-1)); at the end every task must have
// been counted exactly once, by OnSuccess or by the retry's `after`.
#include <litepool/litepool.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

namespace {
int RandIntn(int n) {
  thread_local std::mt19937 rng{std::random_device{}()};
  return std::uniform_int_distribution<int>(0, n - 1)(rng);
}
}  // namespace

// myTask holds a task's state; the mutex guards count and n, which every
// worker updates concurrently.
class MyTask : public litepool::ITask {
 public:
  // Exec: the work itself.
  litepool::Error Exec() override {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // simulated work
    {
      std::lock_guard lock(mu_);
      ++count_;
    }
    if (RandIntn(3) == 1) return litepool::Error();
    return litepool::Error("deliberate error");  // Go: errors.New("故意错误")
  }

  // OnSuccess: the first run succeeded.
  void OnSuccess() override {
    std::lock_guard lock(mu_);
    ++n_;
  }

  // OnError: retry until success (-1: unlimited; think twice in real code).
  void OnError(litepool::ErrHandle& handle, litepool::TaskGroup& tg,
               const litepool::Error& err) override {
    if (err) {
      handle.ErrReload(-1, [this, &tg](const litepool::Error& e) {
        std::lock_guard lock(mu_);  // Go prints count here: fmt.Println(mt.count)
        ++retried_;
        ++n_;
        if (e) tg.Done();  // only if the retry count were not -1
      });
    }
  }

  // OnComplete: after success or failure.
  void OnComplete() override {}

  // Runs of Exec, tasks counted, tasks that needed retries.
  void Report(int tasks) {
    std::lock_guard lock(mu_);
    std::cout << "Exec ran " << count_ - 1 << " times for " << tasks << " tasks; " << retried_
              << " tasks needed retries.\nEvery task counted exactly once (Go prints mt.n == n): "
              << std::boolalpha << (n_ == tasks) << "\n\n";
  }

 private:
  std::mutex mu_;
  int count_ = 1;
  int n_ = 0;
  int retried_ = 0;
};

int main() {
  litepool::Pool lp(5, 10);  // 5 workers, queues of 10

  const int n = 1000;
  litepool::TaskGroup tg = lp.NewTaskGroup(n);
  auto mt = std::make_shared<MyTask>();
  for (int i = 0; i < n; ++i) {
    auto opt = tg.NewTaskOptions()
                   .SetTaskWithInterface(mt)
                   .SetOnErrorWithInterface(mt)
                   .SetOnSuccessWithInterface(mt)
                   .SetOnCompleteWithInterface(mt)
                   .SetAutoDone();
    lp.AddTask(opt);
  }
  tg.Wait();
  mt->Report(n);
  lp.Usage();
  std::cout << "\nSummary: one ITask object served 1000 tasks through its four hooks; retries "
               "until success counted every task once.\n";
}
