// benchmarks/coro_bench.cpp — what a coroutine costs over a plain task.
//
//   Coro/await_sync_child/litepool  co_await of a CoTask that completes at
//                                   once (the trampoline hand-over), no pool
//   Coro/hop/litepool               co_await pool.Schedule(), 1,000 times in a
//                                   row: each hop is one posted resumption
//   Coro/hop/plain_task             the same chain with plain tasks: each task
//                                   adds the next (what the hop replaces)
//   Coro/spawn_get/litepool         pool.Spawn(empty CoTask).Get()
//   Coro/submit_get/litepool        pool.Submit(empty callable).Get(), its peer
//   Coro/spawn_batch/litepool       1,000 pool.Spawn(empty CoTask), then every
//                                   Get: what a fan-out of coroutines costs
//   Coro/submit_batch/litepool      the same batch with pool.Submit, its peer
// items_per_second counts awaits / hops / spawns. 2 workers.
#include <benchmark/benchmark.h>

#include <latch>
#include <vector>

#include "bench_registration.hpp"
#include "litepool/litepool.hpp"

namespace litepool_bench {
namespace {

constexpr std::size_t kWorkers = 2;
constexpr std::size_t kQueueCapacity = 1024;
constexpr int kChain = 1000;  // awaits / hops per benchmark iteration

litepool::CoTask<int> One() { co_return 1; }

litepool::CoTask<int> AwaitChildren(int n) {
  int sum = 0;
  for (int i = 0; i < n; ++i) sum += co_await One();
  co_return sum;
}

void AwaitSyncChild(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(litepool::SyncWait(AwaitChildren(kChain)));
  }
  state.SetItemsProcessed(state.iterations() * kChain);
}

litepool::CoTask<void> Hops(litepool::Pool& pool, int n) {
  for (int i = 0; i < n; ++i) co_await pool.Schedule();
}

void HopCoroutine(benchmark::State& state) {
  litepool::Pool pool(kWorkers, kQueueCapacity);
  for (auto _ : state) litepool::SyncWait(Hops(pool, kChain));
  state.SetItemsProcessed(state.iterations() * kChain);
}

struct Chain {
  litepool::Pool* pool;
  int left;
  std::latch* done;
};

void Step(Chain* c) {
  if (--c->left == 0) {
    c->done->count_down();
    return;
  }
  c->pool->AddTask(litepool::TaskOptions().SetTask([c] { Step(c); }));
}

void HopPlainTask(benchmark::State& state) {
  litepool::Pool pool(kWorkers, kQueueCapacity);
  for (auto _ : state) {
    std::latch done(1);
    Chain chain{&pool, kChain + 1, &done};
    Step(&chain);
    done.wait();
  }
  state.SetItemsProcessed(state.iterations() * kChain);
}

litepool::CoTask<int> Empty() { co_return 0; }

void SpawnGet(benchmark::State& state) {
  litepool::Pool pool(kWorkers, kQueueCapacity);
  for (auto _ : state) benchmark::DoNotOptimize(pool.Spawn(Empty()).Get());
  state.SetItemsProcessed(state.iterations());
}

void SubmitGet(benchmark::State& state) {
  litepool::Pool pool(kWorkers, kQueueCapacity);
  for (auto _ : state) benchmark::DoNotOptimize(pool.Submit([] { return 0; }).Get());
  state.SetItemsProcessed(state.iterations());
}

constexpr int kBatch = 1000;  // futures in flight per batch (below the capacity)

void SpawnBatch(benchmark::State& state) {
  litepool::Pool pool(kWorkers, kQueueCapacity);
  std::vector<litepool::Future<int>> futures;
  futures.reserve(kBatch);
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i) futures.push_back(pool.Spawn(Empty()));
    for (auto& f : futures) benchmark::DoNotOptimize(f.Get());
    futures.clear();
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

void SubmitBatch(benchmark::State& state) {
  litepool::Pool pool(kWorkers, kQueueCapacity);
  std::vector<litepool::Future<int>> futures;
  futures.reserve(kBatch);
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i) futures.push_back(pool.Submit([] { return 0; }));
    for (auto& f : futures) benchmark::DoNotOptimize(f.Get());
    futures.clear();
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

const bool registered = [] {
  benchmark::RegisterBenchmark(BenchName("Coro", "await_sync_child", "litepool").c_str(),
                               AwaitSyncChild);
  benchmark::RegisterBenchmark(BenchName("Coro", "hop", "litepool").c_str(), HopCoroutine)
      ->UseRealTime();
  benchmark::RegisterBenchmark(BenchName("Coro", "hop", "plain_task").c_str(), HopPlainTask)
      ->UseRealTime();
  benchmark::RegisterBenchmark(BenchName("Coro", "spawn_get", "litepool").c_str(), SpawnGet)
      ->UseRealTime();
  benchmark::RegisterBenchmark(BenchName("Coro", "submit_get", "litepool").c_str(), SubmitGet)
      ->UseRealTime();
  benchmark::RegisterBenchmark(BenchName("Coro", "spawn_batch", "litepool").c_str(), SpawnBatch)
      ->UseRealTime();
  benchmark::RegisterBenchmark(BenchName("Coro", "submit_batch", "litepool").c_str(), SubmitBatch)
      ->UseRealTime();
  return true;
}();

}  // namespace
}  // namespace litepool_bench

BENCHMARK_MAIN();
