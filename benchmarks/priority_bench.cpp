// benchmarks/priority_bench.cpp — priorities under saturation:
// a 2-worker pool saturated by low-priority tasks while high-priority tasks
// arrive steadily; each task's queue wait (AddTask call -> Exec start) is
// measured by the task itself.
//
//   Priority/high_vs_low/litepool  batch kLow, arrivals kHigh
//   Priority/all_normal/litepool   the same traffic, every task kNormal
//                                  (what priorities are measured against)
// One iteration: kLow tasks of kLowWorkNs queued at once (about
// kLow * kLowWorkNs / kWorkers of work), then kHigh tasks of kHighWorkNs,
// one every kHighGapNs, from the same producer. Counters (lower is better):
// high_p50_ns / low_p50_ns (median queue waits over all iterations) and
// high_over_low = high_p50_ns / low_p50_ns; the target for
// high_vs_low is <= 0.1. No peer: none of them has priorities.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "bench_registration.hpp"
#include "common/bench_util.hpp"
#include "litepool/litepool.hpp"

namespace litepool_bench {
namespace {

constexpr std::size_t kWorkers = 2;
constexpr std::size_t kQueueCapacity = 1024;  // 2048 slots: the batch fits
constexpr int kLow = 1500;
constexpr int kHigh = 100;
constexpr std::int64_t kLowWorkNs = 20'000;   // 20 us: ~15 ms of batch per iteration
constexpr std::int64_t kHighWorkNs = 5'000;   // 5 us
constexpr std::int64_t kHighGapNs = 100'000;  // one arrival per 100 us: ~10 ms of arrivals

// One task's stamps; written by its worker, read after the round's
// Completion (which orders them).
struct Stamp {
  std::int64_t admitted = 0;
  std::int64_t started = 0;
};

void BM_Priority(benchmark::State& state, bool prioritised) {
  litepool::Pool pool(kWorkers, kQueueCapacity);
  Completion done;
  std::vector<Stamp> low(kLow), high(kHigh);
  std::vector<std::int64_t> low_waits, high_waits;
  const litepool::Priority low_priority =
      prioritised ? litepool::Priority::kLow : litepool::Priority::kNormal;
  const litepool::Priority high_priority =
      prioritised ? litepool::Priority::kHigh : litepool::Priority::kNormal;
  auto add = [&](Stamp* s, std::int64_t work_ns, litepool::Priority p) {
    s->admitted = NowNs();
    pool.AddTask(litepool::TaskOptions()
                     .SetTask([s, work_ns, &done] {
                       s->started = NowNs();
                       SpinFor(work_ns);
                       done.Arrive();
                     })
                     .SetPriority(p));
  };
  for (auto _ : state) {
    done.Reset(kLow + kHigh);
    for (Stamp& s : low) add(&s, kLowWorkNs, low_priority);
    for (Stamp& s : high) {
      SpinFor(kHighGapNs);  // steady arrivals
      add(&s, kHighWorkNs, high_priority);
    }
    done.Wait();
    for (const Stamp& s : low) low_waits.push_back(s.started - s.admitted);
    for (const Stamp& s : high) high_waits.push_back(s.started - s.admitted);
  }
  const double high_p50 = Percentile(high_waits, 50);
  const double low_p50 = Percentile(low_waits, 50);
  state.counters["high_p50_ns"] = high_p50;
  state.counters["low_p50_ns"] = low_p50;
  state.counters["high_over_low"] = low_p50 > 0 ? high_p50 / low_p50 : 0.0;
  state.SetItemsProcessed(state.iterations() * (kLow + kHigh));
}

[[maybe_unused]] const bool kRegistered = [] {
  benchmark::RegisterBenchmark(BenchName("Priority", "high_vs_low", "litepool").c_str(),
                               BM_Priority, true)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark(BenchName("Priority", "all_normal", "litepool").c_str(), BM_Priority,
                               false)
      ->Unit(benchmark::kMillisecond);
  return true;
}();

}  // namespace
}  // namespace litepool_bench

BENCHMARK_MAIN();
