// Results from tasks: Pool::Submit returns a Future. Get() gives the value,
// rethrows what the task threw, or throws TaskError when the task produced
// no value (it returned an error, or the pool refused or dropped it).
#include <litepool/litepool.hpp>

#include <iostream>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// A task that returns a value.
long SumTo(long n) {
  long sum = 0;
  for (long i = 1; i <= n; ++i) sum += i;
  return sum;
}

// A task in the errors-are-values style: it returns a litepool::Error.
litepool::Error SaveReport(const std::string& path) {
  if (path.empty()) return litepool::Error("no path given", litepool::ErrorCode::kInvalidArgument);
  return litepool::Error();
}

}  // namespace

int main() {
  litepool::Pool pool(2, 64);

  // 1. A value.
  litepool::Future<long> sum = pool.Submit([] { return SumTo(1000); });
  std::cout << "sum of 1..1000 computed by a task: " << sum.Get() << '\n';

  // 2. A move-only capture and a move-only result.
  auto buffer = std::make_unique<std::vector<int>>(5, 7);
  litepool::Future<std::unique_ptr<std::vector<int>>> doubled =
      pool.Submit([b = std::move(buffer)]() mutable {
        for (int& x : *b) x *= 2;
        return std::move(b);
      });
  const auto result = doubled.Get();
  std::cout << "move-only buffer came back with " << result->size()
            << " elements, the first is " << result->front() << '\n';

  // 3. An exception thrown by the task is rethrown by Get (the same object).
  litepool::Future<int> broken = pool.Submit([]() -> int {
    throw std::runtime_error("sensor offline");
  });
  try {
    (void)broken.Get();
  } catch (const std::runtime_error& e) {
    std::cout << "task threw, Get rethrew: " << e.what() << '\n';
  }

  // 4. A returned Error becomes a TaskError whose Cause() is that error.
  litepool::Future<void> saved = pool.Submit([] { return SaveReport(""); });
  try {
    saved.Get();
  } catch (const litepool::TaskError& e) {
    std::cout << "task returned an error, Get threw TaskError: " << e.Cause().Message()
              << " (code " << e.Cause().Code() << ")\n";
  }

  // 5. A task that submits children and waits for them. On a worker thread
  //    Get helps (runs queued tasks), so even one worker cannot deadlock.
  litepool::Pool single(1, 8);
  litepool::Future<long> parent = single.Submit([&single] {
    std::vector<litepool::Future<long>> parts;
    for (long k = 0; k < 100; ++k) {
      parts.push_back(single.Submit([k] { return SumTo(k); }));
    }
    long total = 0;
    for (auto& p : parts) total += p.Get();
    return total;
  });
  std::cout << "parent task on a 1-worker pool summed 100 child results: " << parent.Get()
            << '\n';

  // 6. Many in flight: submit first, collect later.
  std::vector<litepool::Future<long>> squares;
  for (long i = 0; i < 1000; ++i) squares.push_back(pool.Submit([i] { return i * i; }));
  long total = 0;
  for (auto& f : squares) total += f.Get();
  std::cout << "1000 futures in flight, sum of squares 0..999: " << total << '\n';

  // 7. A closed pool refuses the task: Get throws TaskError kClosed.
  single.Close();
  litepool::Future<long> refused = single.Submit([] { return 1L; });
  try {
    (void)refused.Get();
  } catch (const litepool::TaskError& e) {
    std::cout << "submitted to a closed pool, Get threw TaskError with cause: "
              << e.Cause().Code() << '\n';
  }

  std::cout << "Summary: Submit returned values, move-only results, exceptions and errors "
               "through Futures; a task waited on its children without deadlock.\n";
}
