// benchmarks/latency_bench.cpp — wake-up latency of an idle pool: the pool
// idles 3 ms (long enough for every system's workers to stop spinning and
// park), then one job is submitted; latency = job start - submit call.
//
// Time reported = mean latency (manual time). Counters: p50_ns, p99_ns
// over the 200 samples of one repetition. The ceiling never parks (its
// consumers spin and yield), so it shows the floor.
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "bench_registration.hpp"
#include "common/bench_util.hpp"
#include "peers/executor.hpp"

namespace litepool_bench {
namespace {

constexpr std::size_t kWorkers = 2;
constexpr std::size_t kQueueCapacity = 1024;
constexpr int kSamples = 200;

struct LatencyCtx {
  Completion done;
  std::atomic<std::int64_t> started{0};
};

void StampJob(void* arg) {
  auto* c = static_cast<LatencyCtx*>(arg);
  c->started.store(NowNs(), std::memory_order_relaxed);
  c->done.Arrive();  // publishes `started` to the waiter
}

void BM_WakeUp(benchmark::State& state, const System* sys) {
  auto exec = sys->make({kWorkers, kQueueCapacity});
  LatencyCtx ctx;
  const Job job{&StampJob, &ctx};
  std::vector<std::int64_t> samples;
  samples.reserve(kSamples);
  for (auto _ : state) {
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    ctx.done.Reset(1);
    const std::int64_t t0 = NowNs();
    exec->Submit(job);
    ctx.done.Wait();
    const std::int64_t latency = ctx.started.load(std::memory_order_relaxed) - t0;
    samples.push_back(latency);
    state.SetIterationTime(static_cast<double>(latency) * 1e-9);
  }
  state.counters["p50_ns"] = Percentile(samples, 50);
  state.counters["p99_ns"] = Percentile(samples, 99);
}

[[maybe_unused]] const bool kRegistered = [] {
  for (const System& sys : Systems()) {
    benchmark::RegisterBenchmark(BenchName("WakeUp", "idle", sys.name).c_str(), BM_WakeUp, &sys)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond)
        ->Iterations(kSamples);
  }
  return true;
}();

}  // namespace
}  // namespace litepool_bench

BENCHMARK_MAIN();
