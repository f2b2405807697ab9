// benchmarks/cpu_bench.cpp — 100k tasks of ~1 us of CPU spin each, one
// producer, 2 workers: how much of the machine the pool leaves to the work.
//
// Counters: ns_per_task (wall / tasks), wall_over_ideal = wall / ideal
// where ideal = total spin / workers (1.0 = no overhead; the producer
// competes with the workers for the same cores, which all systems pay).
#include <benchmark/benchmark.h>

#include <cstdint>

#include "bench_registration.hpp"
#include "common/bench_util.hpp"
#include "peers/executor.hpp"

namespace litepool_bench {
namespace {

constexpr std::size_t kWorkers = 2;
constexpr std::size_t kQueueCapacity = 1024;
constexpr int kTasks = 100000;
constexpr std::int64_t kSpinNs = 1000;

void SpinJob(void* arg) {
  SpinFor(kSpinNs);
  static_cast<Completion*>(arg)->Arrive();
}

void BM_Spin(benchmark::State& state, const System* sys) {
  auto exec = sys->make({kWorkers, kQueueCapacity});
  Completion done;
  const Job job{&SpinJob, &done};
  std::int64_t total_ns = 0;
  for (auto _ : state) {
    const std::int64_t t0 = NowNs();
    done.Reset(kTasks);
    for (int i = 0; i < kTasks; ++i) exec->Submit(job);
    done.Wait();
    total_ns += NowNs() - t0;
  }
  const std::int64_t tasks = state.iterations() * kTasks;
  SetTaskCounters(state, total_ns, tasks);
  const double ideal =
      static_cast<double>(tasks) * static_cast<double>(kSpinNs) / static_cast<double>(kWorkers);
  state.counters["wall_over_ideal"] = static_cast<double>(total_ns) / ideal;
}

[[maybe_unused]] const bool kRegistered = [] {
  for (const System& sys : Systems()) {
    benchmark::RegisterBenchmark(BenchName("Spin1us", "100k", sys.name).c_str(), BM_Spin, &sys)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond)
        ->Iterations(3);
  }
  return true;
}();

}  // namespace
}  // namespace litepool_bench

BENCHMARK_MAIN();
