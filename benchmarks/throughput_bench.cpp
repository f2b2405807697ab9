// benchmarks/throughput_bench.cpp — empty-task throughput: submit -> run ->
// settle, 1 and 2 producers, litepool against every peer in this run.
//
// Variants (rows of docs/performance.md):
//   EmptyTask/p<N>/plain        every system: Submit(job) x kTasks, then wait
//                               until every job ran (one shared countdown)
//   EmptyTask/p<N>/group        systems with a group primitive: litepool
//                               TaskGroup + SetAutoDone + Wait, oneTBB
//                               task_group::defer + task_arena::enqueue
//   EmptyTask/p<N>/hooks        litepool only: OnSuccess, OnError and
//                               OnComplete set (the countdown in OnComplete)
//   EmptyTask/p<N>/hooks_group  litepool only: hooks + TaskGroup
//   EmptyTask/p<N>/hooks_timed  litepool only: hooks + SetQueueTimeout(1 s)
//                               on every task, never reached (the expiry
//                               timer's cost per task; peer: hooks)
// Counters: items_per_second, ns_per_task (wall time / tasks).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>

#include "bench_registration.hpp"
#include "common/bench_util.hpp"
#include "peers/executor.hpp"
#include "peers/litepool_peer.hpp"

namespace litepool_bench {
namespace {

constexpr std::size_t kWorkers = 2;
constexpr std::size_t kQueueCapacity = 1024;
constexpr int kTasks = 20000;  // per iteration, split among the producers
constexpr double kMinTime = 0.3;

void EmptyJob(void* arg) { static_cast<Completion*>(arg)->Arrive(); }
void NopJob(void*) {}

void BM_Plain(benchmark::State& state, const System* sys, int producers) {
  auto exec = sys->make({kWorkers, kQueueCapacity});
  ProducerGang gang(producers);
  Completion done;
  const Job job{&EmptyJob, &done};
  std::int64_t total_ns = 0;
  for (auto _ : state) {
    const std::int64_t t0 = NowNs();
    done.Reset(kTasks);
    gang.Run([&](int p) {
      for (int i = ProducerGang::Share(kTasks, producers, p); i > 0; --i) {
        exec->Submit(job);
      }
    });
    done.Wait();
    total_ns += NowNs() - t0;
  }
  SetTaskCounters(state, total_ns, state.iterations() * kTasks);
}

void BM_Group(benchmark::State& state, const System* sys, int producers) {
  auto exec = sys->make({kWorkers, kQueueCapacity});
  ProducerGang gang(producers);
  const Job job{&NopJob, nullptr};
  std::int64_t total_ns = 0;
  for (auto _ : state) {
    const std::int64_t t0 = NowNs();
    std::unique_ptr<Group> group = exec->NewGroup(kTasks);
    gang.Run([&](int p) {
      for (int i = ProducerGang::Share(kTasks, producers, p); i > 0; --i) {
        group->Submit(job);
      }
    });
    group->Wait();
    total_ns += NowNs() - t0;
  }
  SetTaskCounters(state, total_ns, state.iterations() * kTasks);
}

// litepool only: the callback-driven shape the library exists for.
// `timed`: every task also has a queue timeout (group-less form only).
void BM_Hooks(benchmark::State& state, int producers, bool with_group, bool timed) {
  LitepoolExecutor exec({kWorkers, kQueueCapacity});
  litepool::Pool& pool = exec.pool();
  ProducerGang gang(producers);
  Completion done;
  std::int64_t total_ns = 0;
  for (auto _ : state) {
    const std::int64_t t0 = NowNs();
    if (with_group) {
      litepool::TaskGroup tg = pool.NewTaskGroup(kTasks);
      gang.Run([&](int p) {
        for (int i = ProducerGang::Share(kTasks, producers, p); i > 0; --i) {
          CheckOk(pool.AddTask(
                      tg.NewTaskOptions()
                          .SetTask([]() -> litepool::Error { return {}; })
                          .SetOnSuccess([] {})
                          .SetOnError([](litepool::ErrHandle&,
                                         const litepool::Error&) {})
                          .SetOnComplete([] {})
                          .SetAutoDone()),
                  "AddTask (hooks, group)");
        }
      });
      tg.Wait();
    } else {
      done.Reset(kTasks);
      Completion* d = &done;
      gang.Run([&](int p) {
        for (int i = ProducerGang::Share(kTasks, producers, p); i > 0; --i) {
          litepool::TaskOptions o;
          o.SetTask([]() -> litepool::Error { return {}; })
              .SetOnSuccess([] {})
              .SetOnError([](litepool::ErrHandle&, const litepool::Error&) {})
              .SetOnComplete([d] { d->Arrive(); });
          if (timed) o.SetQueueTimeout(std::chrono::seconds(1));
          CheckOk(pool.AddTask(std::move(o)), "AddTask (hooks)");
        }
      });
      done.Wait();
    }
    total_ns += NowNs() - t0;
  }
  SetTaskCounters(state, total_ns, state.iterations() * kTasks);
}

[[maybe_unused]] const bool kRegistered = [] {
  for (int producers : {1, 2}) {
    const std::string p = "p" + std::to_string(producers);
    for (const System& sys : Systems()) {
      benchmark::RegisterBenchmark(
          BenchName("EmptyTask", p + "/plain", sys.name).c_str(), BM_Plain,
          &sys, producers)
          ->UseRealTime()
          ->MinTime(kMinTime);
    }
    for (const System& sys : Systems()) {
      if (!sys.has_group) continue;
      benchmark::RegisterBenchmark(
          BenchName("EmptyTask", p + "/group", sys.name).c_str(), BM_Group,
          &sys, producers)
          ->UseRealTime()
          ->MinTime(kMinTime);
    }
    benchmark::RegisterBenchmark(
        BenchName("EmptyTask", p + "/hooks", "litepool").c_str(), BM_Hooks,
        producers, false, false)
        ->UseRealTime()
        ->MinTime(kMinTime);
    benchmark::RegisterBenchmark(
        BenchName("EmptyTask", p + "/hooks_group", "litepool").c_str(),
        BM_Hooks, producers, true, false)
        ->UseRealTime()
        ->MinTime(kMinTime);
    benchmark::RegisterBenchmark(
        BenchName("EmptyTask", p + "/hooks_timed", "litepool").c_str(),
        BM_Hooks, producers, false, true)
        ->UseRealTime()
        ->MinTime(kMinTime);
  }
  return true;
}();

}  // namespace
}  // namespace litepool_bench

BENCHMARK_MAIN();
