// benchmarks/bench_registration.hpp — naming and counters shared by the
// topic binaries.
//
// Every benchmark is named "<Topic>/<variant>/<system>"; benchmarks/report.py
// groups runs by "<Topic>/<variant>" and compares litepool with every other
// system of the group. All counters are "lower is better".
#ifndef LITEPOOL_BENCHMARKS_BENCH_REGISTRATION_HPP_
#define LITEPOOL_BENCHMARKS_BENCH_REGISTRATION_HPP_

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

namespace litepool_bench {

inline std::string BenchName(const std::string& topic,
                             const std::string& variant,
                             const std::string& system) {
  return topic + "/" + variant + "/" + system;
}

// items/s (Google Benchmark's own counter) and ns_per_task from the wall
// time the benchmark measured itself.
inline void SetTaskCounters(benchmark::State& state, std::int64_t total_ns,
                            std::int64_t tasks) {
  state.SetItemsProcessed(tasks);
  state.counters["ns_per_task"] =
      tasks > 0 ? static_cast<double>(total_ns) / static_cast<double>(tasks)
                : 0.0;
}

}  // namespace litepool_bench

#endif  // LITEPOOL_BENCHMARKS_BENCH_REGISTRATION_HPP_
