// benchmarks/compose_bench.cpp — composed work: continuations and joins
// against their plain counterparts, and the timer behind delayed tasks.
//
// Compose/hop/submit_get    Submit an empty task and Get it, one at a time
// Compose/hop/then          one link of a chain of Then continuations
//                           (target: ≤ 1.5× submit_get's ns_per_task)
// Compose/join/get_each     10,000 Submits, then Get each in turn
// Compose/join/when_all     10,000 Submits, then WhenAll(...).Get()
//                           (target: ≤ 1.2× get_each)
// Timer/memory/delayed      1,000,000 tasks delayed by an hour: heap bytes
//                           per pending task (counter bytes_per_task,
//                           target ≤ 128), then purged
// Timer/lateness/delayed    on an idle pool, how late a task delayed by
//                           2 ms starts (counters p50_us, p99_us; target
//                           p99 ≤ 1000 us)
// Counters are "lower is better".
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <latch>
#include <vector>

#include "bench_registration.hpp"
#include "litepool/future.hpp"
#include "litepool/pool.hpp"

namespace litepool_bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kWorkers = 2;
constexpr std::size_t kQueueCapacity = 8192;                // 10,000 in flight fit (2 workers)
constexpr int kHops = 1'000;                                // links (or Submit+Gets) per iteration
constexpr int kJoin = 10'000;                               // futures per join
constexpr int kDelayedTasks = 1'000'000;                    // for the memory row
constexpr auto kLongDelay = std::chrono::hours(1);          // never comes due in the run
constexpr auto kShortDelay = std::chrono::milliseconds(2);  // the lateness row
constexpr int kLatenessSamples = 200;                       // 200 x 2 ms per iteration

int Zero() { return 0; }

void HopSubmitGet(benchmark::State& state) {
  litepool::Pool pool(kWorkers, kQueueCapacity);
  std::int64_t ns = 0, tasks = 0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    for (int i = 0; i < kHops; ++i) benchmark::DoNotOptimize(pool.Submit(&Zero).Get());
    ns += std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
    tasks += kHops;
  }
  SetTaskCounters(state, ns, tasks);
}

void HopThen(benchmark::State& state) {
  litepool::Pool pool(kWorkers, kQueueCapacity);
  std::int64_t ns = 0, tasks = 0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    litepool::Future<int> f = pool.Submit(&Zero);
    for (int i = 0; i < kHops; ++i) f = std::move(f).Then([](int v) { return v + 1; });
    benchmark::DoNotOptimize(f.Get());
    ns += std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
    tasks += kHops;
  }
  SetTaskCounters(state, ns, tasks);
}

template <bool kWhenAll>
void Join(benchmark::State& state) {
  litepool::Pool pool(kWorkers, kQueueCapacity);
  std::int64_t ns = 0, tasks = 0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    std::vector<litepool::Future<int>> futures;
    futures.reserve(kJoin);
    for (int i = 0; i < kJoin; ++i) futures.push_back(pool.Submit(&Zero));
    if constexpr (kWhenAll) {
      benchmark::DoNotOptimize(litepool::WhenAll(std::move(futures)).Get());
    } else {
      for (litepool::Future<int>& f : futures) benchmark::DoNotOptimize(f.Get());
    }
    ns += std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
    tasks += kJoin;
  }
  SetTaskCounters(state, ns, tasks);
}

void TimerMemory(benchmark::State& state) {
  litepool::Pool pool(kWorkers, kQueueCapacity);
  double bytes_per_task = 0;
  for (auto _ : state) {
    // Warm the record pool's and the timer's first blocks out of the count.
    pool.AddTask(litepool::TaskOptions().SetTask([] {}).SetDelay(kLongDelay));
    pool.Purge();
    const std::size_t before = mallinfo2().uordblks;
    for (int i = 0; i < kDelayedTasks; ++i) {
      pool.AddTask(litepool::TaskOptions().SetTask([] {}).SetDelay(kLongDelay));
    }
    const std::size_t after = mallinfo2().uordblks;
    bytes_per_task = static_cast<double>(after - before) / kDelayedTasks;
    state.PauseTiming();
    pool.Purge();
    state.ResumeTiming();
  }
  state.counters["bytes_per_task"] = bytes_per_task;
}

void TimerLateness(benchmark::State& state) {
  litepool::Pool pool(kWorkers, kQueueCapacity);
  std::vector<double> late_us;
  for (auto _ : state) {
    late_us.clear();
    for (int i = 0; i < kLatenessSamples; ++i) {
      const auto due = Clock::now() + kShortDelay;
      litepool::Future<Clock::time_point> f =
          pool.Submit([] { return Clock::now(); }, litepool::SubmitOptions{.delay = kShortDelay});
      const auto started = f.Get();
      late_us.push_back(std::chrono::duration<double, std::micro>(started - due).count());
    }
  }
  std::sort(late_us.begin(), late_us.end());
  auto at = [&](double q) {
    return late_us[std::min(late_us.size() - 1, static_cast<std::size_t>(q * late_us.size()))];
  };
  state.counters["p50_us"] = at(0.50);
  state.counters["p99_us"] = at(0.99);
}

void Register() {
  benchmark::RegisterBenchmark(BenchName("Compose", "hop", "submit_get").c_str(), HopSubmitGet)
      ->UseRealTime();
  benchmark::RegisterBenchmark(BenchName("Compose", "hop", "then").c_str(), HopThen)->UseRealTime();
  benchmark::RegisterBenchmark(BenchName("Compose", "join", "get_each").c_str(), Join<false>)
      ->UseRealTime();
  benchmark::RegisterBenchmark(BenchName("Compose", "join", "when_all").c_str(), Join<true>)
      ->UseRealTime();
  benchmark::RegisterBenchmark(BenchName("Timer", "memory", "delayed").c_str(), TimerMemory)
      ->Iterations(1)
      ->UseRealTime();
  benchmark::RegisterBenchmark(BenchName("Timer", "lateness", "delayed").c_str(), TimerLateness)
      ->Iterations(1)
      ->UseRealTime();
}

}  // namespace
}  // namespace litepool_bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  litepool_bench::Register();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
