// litepool/trace.hpp — seeing the load: latency summaries and task traces.
//
//   litepool::Trace trace(events, dropped);       // or from the pool's tracer
//   std::ofstream json("trace.json");
//   trace.WriteChromeJson(json);                  // open in ui.perfetto.dev
//   std::ofstream svg("timeline.svg");
//   trace.WriteSvg(svg);                          // open in any browser
//
// LatencySummary is the per-worker latency row of Pool::Stats() (queue wait:
// admission -> start of an attempt; run time: one Exec). A Trace is a plain
// value holding one TraceEvent per attempt (retries included), in no
// particular order, and the number of events that did not fit the trace's
// bounded buffer. The writers turn it into a timeline: trace-event JSON for
// Perfetto / chrome://tracing, or a self-contained SVG with one lane per
// worker.
//
// Thread-safety: every type here is a value; concurrent const use of one
// object is safe, writing one while another thread reads it is not.
#ifndef LITEPOOL_TRACE_HPP_
#define LITEPOOL_TRACE_HPP_

#include "litepool/detail/export.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <vector>

#include "litepool/error.hpp"
#include "litepool/priority.hpp"

namespace litepool {

// Percentiles of a latency distribution, from a log-bucket histogram: count
// and max are exact; p50/p90/p99 are the upper bound of the bucket that holds
// that rank (never below the true value, at most 1/16 above it, and never
// above max). All zero while count == 0 (no sample: not a latency of 0).
struct LatencySummary {
  std::uint64_t count = 0;
  std::chrono::nanoseconds p50{0}, p90{0}, p99{0}, max{0};
};

// How many events a trace keeps. Bounded: events beyond max_events (the
// total across workers, split evenly) are counted as dropped, never block.
struct TraceOptions {
  std::size_t max_events = 1u << 20;
};

// One attempt of one task: where and when it ran, and how it ended. Times
// are since the trace started.
struct TraceEvent {
  std::uint64_t task = 0;     // id, stable across attempts
  std::size_t worker = 0;     // the worker that ran the attempt
  std::uint32_t attempt = 0;  // 0 = first run, 1 = first retry, ...
  bool stolen = false;        // taken from another worker's queue
  Priority priority = Priority::kNormal;
  ErrorCode outcome = ErrorCode::kOk;    // of this attempt
  std::chrono::nanoseconds admitted{0};  // queued (a retry: re-queued)
  std::chrono::nanoseconds start{0};     // Exec began
  std::chrono::nanoseconds end{0};       // Exec returned
};

// A recorded trace: the events and how many were dropped.
class LITEPOOL_API Trace {
 public:
  // An empty trace (no events, none dropped).
  Trace() = default;
  // A trace of `events` (any order) of which `dropped` more did not fit;
  // `workers` is the worker count of the pool, so idle workers get a lane
  // too (the writers use at least the highest worker id + 1). Used by the
  // pool when tracing stops; also for traces built by tools and tests.
  // Throws std::invalid_argument for `workers` above 4096 (the most a pool
  // has), an event's worker of 4096 or more, or an event time (admitted,
  // start, end) below zero or above 100 years: so the writers' output is
  // bounded for any trace that exists.
  explicit Trace(std::vector<TraceEvent> events, std::uint64_t dropped = 0,
                 std::size_t workers = 0);

  // The recorded attempts, in no particular order. Never throws.
  const std::vector<TraceEvent>& Events() const noexcept { return events_; }
  // Attempts that ran but were not recorded (the buffer was full).
  std::uint64_t Dropped() const noexcept { return dropped_; }
  // Lanes the writers draw: the pool's worker count, or more if an event
  // names a higher worker id.
  std::size_t Workers() const noexcept;

  // Writes the trace-event JSON format (one object, "traceEvents"), which
  // ui.perfetto.dev and chrome://tracing open: one track per worker (named
  // "worker N", thread id N + 1), a complete ("X") event per attempt whose args hold the task
  // id, attempt, outcome, stolen, priority and queue wait; a retry is an
  // instant event on its worker plus a flow arrow from the previous attempt.
  // Times in microseconds. Allocates; writes to `out` only.
  void WriteChromeJson(std::ostream& out) const;

  // Writes a self-contained SVG timeline (no scripts, fonts or links): a
  // lane per worker, a time axis, a legend, and a bar per attempt coloured
  // by outcome with a hover title (task, attempt, times, queue wait). Beyond
  // 5,000 attempts the lanes are aggregated per pixel column
  // (shade = share of the column the worker was busy, a mark where an
  // attempt failed): at most two rects per pixel column and lane, so the
  // size is bounded however many events there are (up to 5,000 attempts
  // each gets its own bar). Allocates; writes to `out` only.
  void WriteSvg(std::ostream& out) const;

 private:
  std::vector<TraceEvent> events_;
  std::uint64_t dropped_ = 0;
  std::size_t workers_ = 0;
};

}  // namespace litepool

#endif  // LITEPOOL_TRACE_HPP_
