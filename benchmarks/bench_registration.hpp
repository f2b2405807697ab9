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

inline std::string BenchName(const std::string& topic, const std::string& variant,
                             const std::string& system) {
  return topic + "/" + variant + "/" + system;
}

// items/s (Google Benchmark's own counter) and ns_per_task from the wall
// time the benchmark measured itself.
inline void SetTaskCounters(benchmark::State& state, std::int64_t total_ns, std::int64_t tasks) {
  state.SetItemsProcessed(tasks);
  state.counters["ns_per_task"] =
      tasks > 0 ? static_cast<double>(total_ns) / static_cast<double>(tasks) : 0.0;
}

// cpu_ns_per_task: the process's CPU time (user + system, every thread,
// from getrusage) over the measured rounds, per task. Lower is better, as
// for every counter: CPU a pool spins away is CPU other work on the machine
// does not get.
inline void SetCpuCounter(benchmark::State& state, std::int64_t cpu_ns, std::int64_t tasks) {
  state.counters["cpu_ns_per_task"] =
      tasks > 0 ? static_cast<double>(cpu_ns) / static_cast<double>(tasks) : 0.0;
}

// Variant names of the rows run while a CoreHolder spins on one core:
// "<variant>_held", so report.py and runs_table.py treat them as rows of
// their own ("EmptyTask/p1/plain_held/tbb").
inline std::string HeldVariant(const std::string& variant, bool held) {
  return held ? variant + "_held" : variant;
}

}  // namespace litepool_bench

#endif  // LITEPOOL_BENCHMARKS_BENCH_REGISTRATION_HPP_
