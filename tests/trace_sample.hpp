// Synthetic traces for the trace tests and tests/trace_writer: the seed-003
// workload (tasks of 5-500 units) list-scheduled on N workers, with a few
// failures retried once, some steals and all three priorities.
#ifndef LITEPOOL_TESTS_TRACE_SAMPLE_HPP_
#define LITEPOOL_TESTS_TRACE_SAMPLE_HPP_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "litepool/trace.hpp"

namespace litepool::testing {

struct SampleStats {
  std::size_t attempts = 0;
  std::size_t retries = 0;
};

// `tasks` tasks of 5-500 `unit` on `workers` workers (the last worker of
// `idle_workers` extra ones runs nothing). Every 37th task fails once and
// is retried on the next free worker.
inline std::vector<TraceEvent> SampleEvents(std::size_t tasks, std::size_t workers,
                                            std::chrono::nanoseconds unit,
                                            SampleStats* stats = nullptr, std::uint32_t seed = 3) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> size(5, 500);
  std::vector<std::chrono::nanoseconds> free_at(workers, std::chrono::nanoseconds(0));
  std::vector<TraceEvent> events;
  events.reserve(tasks + tasks / 30);
  auto next_worker = [&] {
    std::size_t best = 0;
    for (std::size_t w = 1; w < workers; ++w) {
      if (free_at[w] < free_at[best]) best = w;
    }
    return best;
  };
  SampleStats s;
  for (std::uint64_t t = 0; t < tasks; ++t) {
    const bool fails = t % 37 == 5;
    for (std::uint32_t attempt = 0; attempt <= (fails ? 1u : 0u); ++attempt) {
      const std::size_t w = next_worker();
      TraceEvent e;
      e.task = t;
      e.worker = w;
      e.attempt = attempt;
      e.stolen = t % 11 == 0;
      e.priority = t % 13 == 0 ? Priority::kHigh : t % 7 == 0 ? Priority::kLow : Priority::kNormal;
      e.outcome = fails && attempt == 0 ? (t % 2 ? ErrorCode::kFailed : ErrorCode::kException)
                                        : ErrorCode::kOk;
      e.admitted = attempt == 0 ? std::chrono::nanoseconds(0) : free_at[w];
      e.start = free_at[w];
      e.end = e.start + unit * size(rng);
      free_at[w] = e.end;
      events.push_back(e);
      ++s.attempts;
      s.retries += attempt > 0;
    }
  }
  if (stats) *stats = s;
  return events;
}

}  // namespace litepool::testing

#endif  // LITEPOOL_TESTS_TRACE_SAMPLE_HPP_
