// samples/pipeline.cpp — composing work without blocking a thread:
// a pipeline of Then continuations, a fan-out/fan-in with WhenAll, and a
// diamond of dependent tasks (SubmitOptions::after).
#include <litepool/litepool.hpp>

#include <atomic>
#include <iostream>
#include <numeric>
#include <string>
#include <vector>

int main() {
  litepool::Pool pool(litepool::PoolOptions{.workers = 2, .name = "pipeline"});

  // 1. A pipeline: each stage is a task that starts when the previous one
  //    is done; a failure skips the value stages and reaches the end as is.
  litepool::Future<std::string> report =
      pool.Submit([] { return std::string("  42 apples "); })        // fetch
          .Then([](std::string raw) { return std::stoi(raw); })       // parse
          .Then([](int n) { return n * 3; })                          // transform
          .Then([](int total) { return "total = " + std::to_string(total); });
  std::cout << "Pipeline: " << report.Get() << "\n";

  litepool::Future<int> broken =
      pool.Submit([] { return std::string("no number"); })
          .Then([](std::string raw) { return std::stoi(raw); })  // throws
          .Then([](int n) { return n * 3; });                    // skipped
  try {
    (void)broken.Get();
  } catch (const std::invalid_argument& e) {
    std::cout << "Pipeline with a bad input: the parse stage threw (" << e.what()
              << "), the later stage did not run\n";
  }

  // 2. Fan-out / fan-in: ten chunks in parallel, one join that waits for
  //    none of them on a thread.
  std::vector<litepool::Future<long>> parts;
  for (long chunk = 0; chunk < 10; ++chunk) {
    parts.push_back(pool.Submit([chunk] {
      long sum = 0;
      for (long i = chunk * 1000; i < (chunk + 1) * 1000; ++i) sum += i;
      return sum;
    }));
  }
  litepool::Future<long> total = litepool::WhenAll(std::move(parts)).Then([](std::vector<long> s) {
    return std::accumulate(s.begin(), s.end(), 0L);
  });
  std::cout << "Fan-out/fan-in: sum of 0..9999 = " << total.Get() << "\n";

  // 3. A diamond: load, then two independent halves, then merge. The halves
  //    and the merge are admitted at once and queued only when their
  //    dependencies settle: no worker sits waiting for them.
  std::vector<int> data;
  litepool::Future<void> load = pool.Submit([&data] {
    data.resize(100);
    std::iota(data.begin(), data.end(), 1);
  });
  std::atomic<long> left{0}, right{0};
  litepool::Future<void> sum_left = pool.Submit(
      [&] { left = std::accumulate(data.begin(), data.begin() + 50, 0L); },
      litepool::SubmitOptions{.after = {load}});
  litepool::Future<void> sum_right = pool.Submit(
      [&] { right = std::accumulate(data.begin() + 50, data.end(), 0L); },
      litepool::SubmitOptions{.after = {load}});
  std::cout << "Diamond: waiting for their dependencies now: " << pool.Stats().delayed
            << " task(s)\n";
  litepool::Future<long> merged = pool.Submit([&] { return left.load() + right.load(); },
                                              litepool::SubmitOptions{.after = {sum_left, sum_right}});
  std::cout << "Diamond: 1 + ... + 100 = " << merged.Get() << "\n";

  std::cout << "Summary: a Then pipeline, a WhenAll fan-in and an `after` diamond computed "
               "their results with no thread blocked between the steps\n";
}
