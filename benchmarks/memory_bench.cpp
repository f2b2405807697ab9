// benchmarks/memory_bench.cpp — heap cost per task, for every system whose
// allocations a heap counter can see (common/heap_counter.cpp replaces
// operator new/delete and interposes malloc in this binary only, so the
// other binaries' timings carry no counting overhead).
//
// Memory/empty/<system> counters (lower is better):
//   new_per_task      operator new calls per task, steady state (after a
//                     warm-up round), submit -> run -> settle, 1 producer
//   heap_per_task     every malloc-family call per task (operator new
//                     included; sees moodycamel's std::malloc'ed blocks)
//   bytes_per_queued  live heap bytes added per task waiting in a queue
//                     (all workers blocked on a gate job, 1000 queued),
//                     on a fresh executor (nothing recycled yet)
//   idle_pool_kib     live heap of a freshly built, idle pool
// Memory/hooks_group/litepool: the same per-task counts for a TaskGroup
// task with OnSuccess/OnError/OnComplete and SetAutoDone.
// oneTBB is skipped: it allocates tasks from tbbmalloc, which maps memory
// itself, so every count would read a misleading zero.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>

#include "bench_registration.hpp"
#include "common/bench_util.hpp"
#include "common/heap_counter.hpp"
#include "peers/executor.hpp"
#include "peers/litepool_peer.hpp"

namespace litepool_bench {
namespace {

constexpr std::size_t kWorkers = 2;
constexpr std::size_t kQueueCapacity = 1024;
constexpr int kTasks = 20000;
constexpr int kQueued = 1000;

void EmptyJob(void* arg) { static_cast<Completion*>(arg)->Arrive(); }

struct Gate {
  Completion started;
  Completion finished;
  std::atomic<int> open{0};
};

void GateJob(void* arg) {
  auto* g = static_cast<Gate*>(arg);
  g->started.Arrive();
  while (g->open.load(std::memory_order_acquire) == 0) {
    g->open.wait(0, std::memory_order_acquire);
  }
  g->finished.Arrive();
}

void RunEmpty(Executor& exec, Completion& done, int n) {
  done.Reset(n);
  for (int i = 0; i < n; ++i) exec.Submit({&EmptyJob, &done});
  done.Wait();
}

// Live bytes per queued job while every worker is held by a gate job.
// Returns < 0 when the workers did not all pick up a gate (2 s).
double BytesPerQueued(Executor& exec) {
  Gate gate;
  Completion queued_done;
  gate.started.Reset(static_cast<int>(kWorkers));
  gate.finished.Reset(static_cast<int>(kWorkers));
  for (std::size_t i = 0; i < kWorkers; ++i) exec.Submit({&GateJob, &gate});
  const bool all_started = gate.started.WaitForNs(2'000'000'000);
  double result = -1.0;
  if (all_started) {
    queued_done.Reset(kQueued);
    const std::int64_t before = LiveBytes();
    for (int i = 0; i < kQueued; ++i) exec.Submit({&EmptyJob, &queued_done});
    const std::int64_t after = LiveBytes();
    result = static_cast<double>(after - before) / kQueued;
  }
  gate.open.store(1, std::memory_order_release);
  gate.open.notify_all();
  gate.finished.Wait();
  if (all_started) queued_done.Wait();
  return result;
}

void BM_Memory(benchmark::State& state, const System* sys) {
  if (!sys->allocations_visible) {
    state.SkipWithError(
        "allocates through its own allocator (tbbmalloc), invisible to a "
        "heap counter");
    for (auto _ : state) {
    }
    return;
  }
  const std::int64_t live0 = LiveBytes();
  auto exec = sys->make({kWorkers, kQueueCapacity});
  const std::int64_t live1 = LiveBytes();
  Completion done;
  RunEmpty(*exec, done, kTasks);  // warm-up: queues, blocks, thread caches
  std::uint64_t news = 0, heaps = 0;
  for (auto _ : state) {
    const std::uint64_t n0 = NewCalls(), h0 = HeapAllocs();
    RunEmpty(*exec, done, kTasks);
    news += NewCalls() - n0;
    heaps += HeapAllocs() - h0;
  }
  const double tasks = static_cast<double>(state.iterations() * kTasks);
  state.counters["new_per_task"] = static_cast<double>(news) / tasks;
  state.counters["heap_per_task"] = static_cast<double>(heaps) / tasks;
  // On a fresh executor, before any warm-up: a system that recycles its
  // task memory (litepool's record blocks) would otherwise queue the 1000
  // jobs in blocks freed by the warm-up and report 0 bytes.
  exec.reset();
  const double per_queued = BytesPerQueued(*sys->make({kWorkers, kQueueCapacity}));
  if (per_queued < 0) {
    state.SkipWithError("workers did not all start a gate job within 2 s");
    return;
  }
  state.counters["bytes_per_queued"] = per_queued;
  state.counters["idle_pool_kib"] = static_cast<double>(live1 - live0) / 1024.0;
}

void BM_MemoryHooksGroup(benchmark::State& state) {
  LitepoolExecutor exec({kWorkers, kQueueCapacity});
  litepool::Pool& pool = exec.pool();
  auto round = [&pool] {
    litepool::TaskGroup tg = pool.NewTaskGroup(kTasks);
    for (int i = 0; i < kTasks; ++i) {
      CheckOk(pool.AddTask(tg.NewTaskOptions()
                               .SetTask([]() -> litepool::Error { return {}; })
                               .SetOnSuccess([] {})
                               .SetOnError([](litepool::ErrHandle&, const litepool::Error&) {})
                               .SetOnComplete([] {})
                               .SetAutoDone()),
              "AddTask (memory, hooks)");
    }
    tg.Wait();
  };
  round();  // warm-up
  std::uint64_t news = 0, heaps = 0;
  for (auto _ : state) {
    const std::uint64_t n0 = NewCalls(), h0 = HeapAllocs();
    round();
    news += NewCalls() - n0;
    heaps += HeapAllocs() - h0;
  }
  const double tasks = static_cast<double>(state.iterations() * kTasks);
  state.counters["new_per_task"] = static_cast<double>(news) / tasks;
  state.counters["heap_per_task"] = static_cast<double>(heaps) / tasks;
}

[[maybe_unused]] const bool kRegistered = [] {
  for (const System& sys : Systems()) {
    benchmark::RegisterBenchmark(BenchName("Memory", "empty", sys.name).c_str(), BM_Memory, &sys)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond)
        ->Iterations(5);
  }
  benchmark::RegisterBenchmark(BenchName("Memory", "hooks_group", "litepool").c_str(),
                               BM_MemoryHooksGroup)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond)
      ->Iterations(5);
  return true;
}();

}  // namespace
}  // namespace litepool_bench

BENCHMARK_MAIN();
