// benchmarks/future_bench.cpp — a task with a result: Pool::Submit + Get of
// an empty task against rvaser thread_pool::Submit (std::future) and
// std::async(std::launch::async), same run.
//
// Future/one/<system>       submit one task, wait for its result, repeat
// Future/in_flight/<system> submit 10,000 tasks, then get all results
//   (std::async: 1,000 — each one is a thread, alive until its get())
// Counters: ns_per_task (lower is better).
//
// Built a second time as future_alloc_bench with the heap counter
// (LITEPOOL_BENCH_COUNT_HEAP): Future/alloc/<system> reports new_per_task,
// operator new calls per Submit+Get in steady state (1 producer). Timing
// rows come from future_bench only (no counting overhead).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <future>
#include <vector>

#include "bench_registration.hpp"
#include "common/bench_util.hpp"
#include "litepool/future.hpp"
#include "litepool/pool.hpp"

#if LITEPOOL_BENCH_COUNT_HEAP
#include "common/heap_counter.hpp"
#endif
#if LITEPOOL_BENCH_HAVE_RVASER
#include <thread_pool/thread_pool.hpp>
#endif

namespace litepool_bench {
namespace {

constexpr std::size_t kWorkers = 2;
constexpr std::size_t kQueueCapacity = 8192;  // 10,000 in flight fit
[[maybe_unused]] constexpr int kInFlight = 10'000;
[[maybe_unused]] constexpr int kAsyncInFlight = 1'000;  // std::async starts a thread per task
constexpr int kBatch = 1'000;                           // tasks per timed iteration ("one")

int Answer() { return 42; }

// --- the systems: submit an empty task returning int, then get it -----------

struct LitepoolSys {
  litepool::Pool pool{kWorkers, kQueueCapacity};
  litepool::Future<int> Submit() { return pool.Submit(&Answer); }
  static int Get(litepool::Future<int>& f) { return f.Get(); }
};

#if LITEPOOL_BENCH_HAVE_RVASER
struct RvaserSys {
  thread_pool::ThreadPool pool{kWorkers};
  std::future<int> Submit() { return pool.Submit(&Answer); }
  static int Get(std::future<int>& f) { return f.get(); }
};
#endif

struct AsyncSys {
  static std::future<int> Submit() { return std::async(std::launch::async, &Answer); }
  static int Get(std::future<int>& f) { return f.get(); }
};

template <class Sys>
void RunOne(Sys& sys, int n) {
  for (int i = 0; i < n; ++i) {
    auto f = sys.Submit();
    benchmark::DoNotOptimize(Sys::Get(f));
  }
}

template <class Sys>
void RunInFlight(Sys& sys, int n) {
  using F = decltype(sys.Submit());
  std::vector<F> futures;
  futures.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) futures.push_back(sys.Submit());
  for (F& f : futures) benchmark::DoNotOptimize(Sys::Get(f));
}

template <class Sys>
void BM_One(benchmark::State& state) {
  Sys sys;
  RunOne(sys, 100);  // warm-up
  std::int64_t total = 0, tasks = 0;
  for (auto _ : state) {
    const std::int64_t t0 = NowNs();
    RunOne(sys, kBatch);
    total += NowNs() - t0;
    tasks += kBatch;
  }
  SetTaskCounters(state, total, tasks);
}

template <class Sys>
void BM_InFlight(benchmark::State& state, int n) {
  Sys sys;
  RunInFlight(sys, n / 10);  // warm-up
  std::int64_t total = 0, tasks = 0;
  for (auto _ : state) {
    const std::int64_t t0 = NowNs();
    RunInFlight(sys, n);
    total += NowNs() - t0;
    tasks += n;
  }
  SetTaskCounters(state, total, tasks);
}

#if LITEPOOL_BENCH_COUNT_HEAP
template <class Sys>
void BM_Alloc(benchmark::State& state) {
  Sys sys;
  RunOne(sys, kBatch);  // warm-up: record blocks, thread caches
  std::uint64_t news = 0, tasks = 0;
  for (auto _ : state) {
    const std::uint64_t n0 = NewCalls();
    RunOne(sys, kBatch);
    news += NewCalls() - n0;
    tasks += kBatch;
  }
  state.counters["new_per_task"] = static_cast<double>(news) / static_cast<double>(tasks);
}
#endif

void Register() {
#if LITEPOOL_BENCH_COUNT_HEAP
  benchmark::RegisterBenchmark(BenchName("Future", "alloc", "litepool").c_str(),
                               &BM_Alloc<LitepoolSys>);
#if LITEPOOL_BENCH_HAVE_RVASER
  benchmark::RegisterBenchmark(BenchName("Future", "alloc", "rvaser").c_str(),
                               &BM_Alloc<RvaserSys>);
#endif
  benchmark::RegisterBenchmark(BenchName("Future", "alloc", "std_async").c_str(),
                               &BM_Alloc<AsyncSys>);
#else
  benchmark::RegisterBenchmark(BenchName("Future", "one", "litepool").c_str(), &BM_One<LitepoolSys>)
      ->UseRealTime();
#if LITEPOOL_BENCH_HAVE_RVASER
  benchmark::RegisterBenchmark(BenchName("Future", "one", "rvaser").c_str(), &BM_One<RvaserSys>)
      ->UseRealTime();
#endif
  benchmark::RegisterBenchmark(BenchName("Future", "one", "std_async").c_str(), &BM_One<AsyncSys>)
      ->UseRealTime();
  benchmark::RegisterBenchmark(BenchName("Future", "in_flight", "litepool").c_str(),
                               &BM_InFlight<LitepoolSys>, kInFlight)
      ->UseRealTime();
#if LITEPOOL_BENCH_HAVE_RVASER
  benchmark::RegisterBenchmark(BenchName("Future", "in_flight", "rvaser").c_str(),
                               &BM_InFlight<RvaserSys>, kInFlight)
      ->UseRealTime();
#endif
  benchmark::RegisterBenchmark(BenchName("Future", "in_flight", "std_async").c_str(),
                               &BM_InFlight<AsyncSys>, kAsyncInFlight)
      ->UseRealTime();
#endif
}

[[maybe_unused]] const bool kRegistered = (Register(), true);

}  // namespace
}  // namespace litepool_bench

BENCHMARK_MAIN();
