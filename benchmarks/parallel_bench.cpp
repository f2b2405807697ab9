// benchmarks/parallel_bench.cpp — loops: litepool::ParallelFor against
// tbb::parallel_for (auto partitioner) and a serial loop, and Map with its
// chosen grain against one task per element and against the ParallelFor
// that writes the same results by hand, same run.
//
// ParallelFor/1e6/<system>   1,000,000 trivial indices: a[i] = a[i] * 3 + 1
//   litepool (index form), litepool_chunk (chunk form), tbb (blocked_range,
//   auto_partitioner), tbb_index (tbb::parallel_for(first, last, f)), serial
// ParallelFor/1e7/<system>   the same over 10,000,000 indices
// Map/200k/<system>          Map over 200,000 ints (x -> x * 2)
//   litepool (chosen grain), litepool_grain1 (one task per element),
//   parallel_for (a vector of 200,000 made, then filled by ParallelFor's
//   chunk form: what Map saves its user from writing)
// Counters: ns_per_task = ns per index / element (lower is better).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <utility>
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
constexpr int kLongIndices = 10'000'000;
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

void BM_ForLitepool(benchmark::State& state, bool chunk_form, int n) {
  litepool::Pool pool(kWorkers, kQueueCapacity);
  std::vector<std::int32_t> a(static_cast<std::size_t>(n), 1);
  Timed(state, n, [&] {
    if (chunk_form) {
      litepool::ParallelFor(
          0, n,
          [&](int b, int e) {
            for (int i = b; i < e; ++i) Touch(a, i);
          },
          litepool::ForOptions{.pool = pool});
    } else {
      litepool::ParallelFor(
          0, n, [&](int i) { Touch(a, i); }, litepool::ForOptions{.pool = pool});
    }
  });
  benchmark::DoNotOptimize(a.data());
}

void BM_ForSerial(benchmark::State& state, int n) {
  std::vector<std::int32_t> a(static_cast<std::size_t>(n), 1);
  Timed(state, n, [&] {
    for (int i = 0; i < n; ++i) Touch(a, i);
    benchmark::ClobberMemory();
  });
}

#if LITEPOOL_BENCH_HAVE_TBB
void BM_ForTbb(benchmark::State& state, bool index_form, int n) {
  oneapi::tbb::task_arena arena(static_cast<int>(kWorkers));
  std::vector<std::int32_t> a(static_cast<std::size_t>(n), 1);
  Timed(state, n, [&] {
    arena.execute([&] {
      if (index_form) {
        oneapi::tbb::parallel_for(0, n, [&](int i) { Touch(a, i); });
      } else {
        oneapi::tbb::parallel_for(
            oneapi::tbb::blocked_range<int>(0, n),
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

void BM_MapByParallelFor(benchmark::State& state) {
  litepool::Pool pool(kWorkers, kQueueCapacity);
  std::vector<int> in(kMapInputs, 3);
  Timed(state, kMapInputs, [&] {
    std::vector<int> out(in.size());
    litepool::ParallelFor(
        std::size_t{0}, in.size(),
        [&](std::size_t b, std::size_t e) {
          for (std::size_t i = b; i < e; ++i) out[i] = in[i] * 2;
        },
        litepool::ForOptions{.pool = pool});
    benchmark::DoNotOptimize(out.data());
  });
}

[[maybe_unused]] const bool kRegistered = [] {
  auto ms = [](benchmark::internal::Benchmark* b) {
    b->UseRealTime()->Unit(benchmark::kMicrosecond);
  };
  for (const auto& [label, n] : {std::pair{"1e6", kIndices}, std::pair{"1e7", kLongIndices}}) {
    ms(benchmark::RegisterBenchmark(BenchName("ParallelFor", label, "litepool").c_str(),
                                    BM_ForLitepool, false, n));
    ms(benchmark::RegisterBenchmark(BenchName("ParallelFor", label, "litepool_chunk").c_str(),
                                    BM_ForLitepool, true, n));
#if LITEPOOL_BENCH_HAVE_TBB
    ms(benchmark::RegisterBenchmark(BenchName("ParallelFor", label, "tbb").c_str(), BM_ForTbb,
                                    false, n));
    ms(benchmark::RegisterBenchmark(BenchName("ParallelFor", label, "tbb_index").c_str(), BM_ForTbb,
                                    true, n));
#endif
    ms(benchmark::RegisterBenchmark(BenchName("ParallelFor", label, "serial").c_str(), BM_ForSerial,
                                    n));
  }
  ms(benchmark::RegisterBenchmark(BenchName("Map", "200k", "litepool").c_str(), BM_Map,
                                  std::size_t{0}));
  ms(benchmark::RegisterBenchmark(BenchName("Map", "200k", "litepool_grain1").c_str(), BM_Map,
                                  std::size_t{1}));
  ms(benchmark::RegisterBenchmark(BenchName("Map", "200k", "parallel_for").c_str(),
                                  BM_MapByParallelFor));
  return true;
}();

}  // namespace
}  // namespace litepool_bench

BENCHMARK_MAIN();
