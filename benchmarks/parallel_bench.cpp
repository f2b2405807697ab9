// benchmarks/parallel_bench.cpp — loops: litepool::ParallelFor against
// tbb::parallel_for (auto partitioner) and a serial loop, and Map with its
// chosen grain against one task per element (the Map of before the grain),
// same run.
//
// ParallelFor/1e6/<system>   1,000,000 trivial indices: a[i] = a[i] * 3 + 1
//   litepool (index form), litepool_chunk (chunk form), tbb (blocked_range,
//   auto_partitioner), tbb_index (tbb::parallel_for(first, last, f)), serial
// Map/200k/<system>          Map over 200,000 ints (x -> x * 2)
//   litepool (chosen grain), litepool_grain1 (one task per element)
// Counters: ns_per_task = ns per index / element (lower is better).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "bench_registration.hpp"
#include "common/bench_util.hpp"
#include "litepool/map.hpp"
#include "litepool/parallel.hpp"
#include "litepool/pool.hpp"

#if LITEPOOL_BENCH_HAVE_TBB
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/partitioner.h>
#include <oneapi/tbb/task_arena.h>
#endif

namespace litepool_bench {
namespace {

constexpr std::size_t kWorkers = 2;
constexpr std::size_t kQueueCapacity = 256;
constexpr int kIndices = 1'000'000;
constexpr int kMapInputs = 200'000;

inline void Touch(std::vector<std::int32_t>& a, int i) {
  a[static_cast<std::size_t>(i)] = a[static_cast<std::size_t>(i)] * 3 + 1;
}

template <class Loop>
void Timed(benchmark::State& state, std::int64_t items, Loop&& loop) {
  loop();  // warm-up
  std::int64_t total = 0, n = 0;
  for (auto _ : state) {
    const std::int64_t t0 = NowNs();
    loop();
    total += NowNs() - t0;
    n += items;
  }
  SetTaskCounters(state, total, n);
}

void BM_ForLitepool(benchmark::State& state, bool chunk_form) {
  litepool::Pool pool(kWorkers, kQueueCapacity);
  std::vector<std::int32_t> a(kIndices, 1);
  Timed(state, kIndices, [&] {
    if (chunk_form) {
      litepool::ParallelFor(
          0, kIndices,
          [&](int b, int e) {
            for (int i = b; i < e; ++i) Touch(a, i);
          },
          litepool::ForOptions{.pool = pool});
    } else {
      litepool::ParallelFor(
          0, kIndices, [&](int i) { Touch(a, i); }, litepool::ForOptions{.pool = pool});
    }
  });
  benchmark::DoNotOptimize(a.data());
}

void BM_ForSerial(benchmark::State& state) {
  std::vector<std::int32_t> a(kIndices, 1);
  Timed(state, kIndices, [&] {
    for (int i = 0; i < kIndices; ++i) Touch(a, i);
    benchmark::ClobberMemory();
  });
}

#if LITEPOOL_BENCH_HAVE_TBB
void BM_ForTbb(benchmark::State& state, bool index_form) {
  oneapi::tbb::task_arena arena(static_cast<int>(kWorkers));
  std::vector<std::int32_t> a(kIndices, 1);
  Timed(state, kIndices, [&] {
    arena.execute([&] {
      if (index_form) {
        oneapi::tbb::parallel_for(0, kIndices, [&](int i) { Touch(a, i); });
      } else {
        oneapi::tbb::parallel_for(
            oneapi::tbb::blocked_range<int>(0, kIndices),
            [&](const oneapi::tbb::blocked_range<int>& r) {
              for (int i = r.begin(); i < r.end(); ++i) Touch(a, i);
            },
            oneapi::tbb::auto_partitioner());
      }
    });
  });
  benchmark::DoNotOptimize(a.data());
}
#endif

void BM_Map(benchmark::State& state, std::size_t grain) {
  litepool::Pool pool(kWorkers, kQueueCapacity);
  std::vector<int> in(kMapInputs, 3);
  Timed(state, kMapInputs, [&] {
    std::vector<int> out = litepool::Map(
        in, [](const int& x) { return x * 2; }, litepool::MapOptions{.pool = pool, .grain = grain});
    benchmark::DoNotOptimize(out.data());
  });
}

[[maybe_unused]] const bool kRegistered = [] {
  auto ms = [](benchmark::internal::Benchmark* b) {
    b->UseRealTime()->Unit(benchmark::kMicrosecond);
  };
  ms(benchmark::RegisterBenchmark(BenchName("ParallelFor", "1e6", "litepool").c_str(),
                                  BM_ForLitepool, false));
  ms(benchmark::RegisterBenchmark(BenchName("ParallelFor", "1e6", "litepool_chunk").c_str(),
                                  BM_ForLitepool, true));
#if LITEPOOL_BENCH_HAVE_TBB
  ms(benchmark::RegisterBenchmark(BenchName("ParallelFor", "1e6", "tbb").c_str(), BM_ForTbb,
                                  false));
  ms(benchmark::RegisterBenchmark(BenchName("ParallelFor", "1e6", "tbb_index").c_str(), BM_ForTbb,
                                  true));
#endif
  ms(benchmark::RegisterBenchmark(BenchName("ParallelFor", "1e6", "serial").c_str(), BM_ForSerial));
  ms(benchmark::RegisterBenchmark(BenchName("Map", "200k", "litepool").c_str(), BM_Map,
                                  std::size_t{0}));
  ms(benchmark::RegisterBenchmark(BenchName("Map", "200k", "litepool_grain1").c_str(), BM_Map,
                                  std::size_t{1}));
  return true;
}();

}  // namespace
}  // namespace litepool_bench

BENCHMARK_MAIN();
