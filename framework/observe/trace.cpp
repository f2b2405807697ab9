// Trace: a recorded trace, its bounds, and its trace-event JSON writer (the
// SVG writer is trace_svg.cpp).
//
// Both writers build the text in a std::string with locale-independent
// number formatting (std::to_chars / std::to_string) and write it once, so
// a stream imbued with a grouping locale cannot corrupt the output.
#include "litepool/trace.hpp"

#include "observe/trace_format.hpp"

namespace litepool {

using namespace detail::trace_format;

Trace::Trace(std::vector<TraceEvent> events, std::uint64_t dropped, std::size_t workers)
    : events_(std::move(events)), dropped_(dropped), workers_(workers) {
  // The writers draw a lane per worker and subtract times: a worker id or
  // a time out of these bounds would index past the lanes, overflow, or
  // make the output unbounded.
  if (workers_ > kMaxTraceWorkers) {
    throw std::invalid_argument("litepool::Trace: workers = " + std::to_string(workers_) +
                                " (at most " + std::to_string(kMaxTraceWorkers) + ")");
  }
  for (const auto& e : events_) {
    if (e.worker >= kMaxTraceWorkers) {
      throw std::invalid_argument("litepool::Trace: an event names worker " +
                                  std::to_string(e.worker) + " (at most " +
                                  std::to_string(kMaxTraceWorkers - 1) + ")");
    }
    for (const nanoseconds t : {e.admitted, e.start, e.end}) {
      if (t < nanoseconds(0) || t > kMaxTraceTime) {
        throw std::invalid_argument("litepool::Trace: an event time of " +
                                    std::to_string(t.count()) + " ns is outside [0, 100 years]");
      }
    }
    workers_ = std::max(workers_, e.worker + 1);
  }
}

std::size_t Trace::Workers() const noexcept { return workers_; }

void Trace::WriteChromeJson(std::ostream& out) const {
  std::string s;
  s.reserve(256 + events_.size() * 260);
  s += "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"producer\":\"litepool\",\"events\":" +
       std::to_string(events_.size()) + ",\"dropped\":" + std::to_string(dropped_) +
       "},\"traceEvents\":[\n";
  s += R"({"name":"process_name","ph":"M","pid":1,"tid":1,"args":{"name":"litepool"}})";
  for (std::size_t w = 0; w < workers_; ++w) {
    const std::string tid = Tid(w);
    s += ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":" + tid +
         ",\"args\":{\"name\":\"worker " + std::to_string(w) + "\"}}";
    s += ",\n{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":1,\"tid\":" + tid +
         ",\"args\":{\"sort_index\":" + tid + "}}";
  }
  // Retries: find each retry's previous attempt to draw a flow arrow.
  std::unordered_set<std::uint64_t> retried;
  for (const auto& e : events_) {
    if (e.attempt > 0) retried.insert(e.task);
  }
  std::unordered_map<std::uint64_t, std::unordered_map<std::uint32_t, std::size_t>> attempts;
  if (!retried.empty()) {
    for (std::size_t i = 0; i < events_.size(); ++i) {
      if (retried.count(events_[i].task)) attempts[events_[i].task][events_[i].attempt] = i;
    }
  }
  std::uint64_t flow_id = 0;
  for (const auto& e : events_) {
    const std::string tid = Tid(e.worker);
    const std::string task = std::to_string(e.task);
    s += ",\n{\"name\":\"task " + task +
         "\",\"cat\":\"task\",\"ph\":\"X\",\"pid\":1,\"tid\":" + tid +
         ",\"ts\":" + Micros(e.start.count()) +
         ",\"dur\":" + Micros(std::max<std::int64_t>(0, (e.end - e.start).count())) +
         ",\"args\":{\"task\":" + task + ",\"attempt\":" + std::to_string(e.attempt) +
         ",\"outcome\":" + detail::JsonString(ToString(e.outcome)) +
         ",\"stolen\":" + (e.stolen ? "true" : "false") + ",\"priority\":\"" +
         PriorityName(e.priority) +
         "\",\"queue_wait_us\":" + Micros((e.start - e.admitted).count()) + "}}";
    if (e.attempt == 0) continue;
    s += ",\n{\"name\":\"retry\",\"cat\":\"retry\",\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":" +
         tid + ",\"ts\":" + Micros(e.start.count()) + ",\"args\":{\"task\":" + task +
         ",\"attempt\":" + std::to_string(e.attempt) + "}}";
    const auto& by_attempt = attempts[e.task];
    const auto prev = by_attempt.find(e.attempt - 1);
    if (prev == by_attempt.end()) continue;  // the previous attempt was dropped
    const TraceEvent& p = events_[prev->second];
    // Flow events bind to the slice enclosing their timestamp: use each
    // slice's midpoint, never an edge shared with a neighbour.
    const std::string id = std::to_string(++flow_id);
    s += ",\n{\"name\":\"retry\",\"cat\":\"retry\",\"ph\":\"s\",\"id\":" + id +
         ",\"pid\":1,\"tid\":" + Tid(p.worker) +
         ",\"ts\":" + Micros((p.start + (p.end - p.start) / 2).count()) + "}";
    s += ",\n{\"name\":\"retry\",\"cat\":\"retry\",\"ph\":\"f\",\"bp\":\"e\",\"id\":" + id +
         ",\"pid\":1,\"tid\":" + tid +
         ",\"ts\":" + Micros((e.start + (e.end - e.start) / 2).count()) + "}";
  }
  s += "\n]}\n";
  out.write(s.data(), static_cast<std::streamsize>(s.size()));
}

}  // namespace litepool
