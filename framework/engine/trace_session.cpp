#include "engine/trace_session.hpp"

#include <chrono>
#include <cstdint>

#include "engine/worker.hpp"
#include "engine/worker_table.hpp"

namespace litepool::detail {

void TraceSession::Start(TraceOptions options) {
  // Every worker made so far has a buffer (those that left get theirs back
  // if they are seated again); one SetWorkers makes during the trace gets
  // one of the same share (AddWorker).
  const std::size_t n = workers_.Made();
  const std::size_t share = options.max_events / n;
  // Allocated before the lock and before any worker sees it: the workers'
  // path never allocates. The total is split evenly, the remainder to the
  // first workers.
  std::vector<std::unique_ptr<TraceBuffer>> buffers;
  buffers.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    buffers.push_back(std::make_unique<TraceBuffer>(share + (i < options.max_events % n ? 1 : 0)));
  }
  MutexLock lock(mu_);
  // Workers made since `n` was read (a SetWorkers that found no trace
  // running, or the previous one): buffers of their own, here.
  for (std::size_t i = n; i < workers_.Made(); ++i) {
    buffers.push_back(std::make_unique<TraceBuffer>(share));
  }
  // A running trace is discarded: its buffers are freed once every worker
  // has let go of them (ExchangeTrace waits for an append in flight).
  origin_ = BusyClock::Now();
  share_ = share;
  for (std::size_t i = 0; i < buffers.size(); ++i) workers_[i].ExchangeTrace(buffers[i].get());
  buffers_ = std::move(buffers);
}

void TraceSession::AddWorker(std::size_t id) {
  std::size_t share = 0;
  {
    MutexLock lock(mu_);
    // No trace running, or Start saw this worker already.
    if (buffers_.empty() || buffers_.size() != id) return;
    share = share_;
  }
  // Made outside the lock: a buffer touches all its pages as it is made.
  auto buffer = std::make_unique<TraceBuffer>(share);
  MutexLock lock(mu_);
  // A Stop or a Start meanwhile: the buffer is not needed.
  if (buffers_.empty() || buffers_.size() != id) return;
  buffers_.push_back(std::move(buffer));
  workers_[id].ExchangeTrace(buffers_.back().get());
}

Trace TraceSession::Stop() {
  std::vector<std::unique_ptr<TraceBuffer>> buffers;
  BusyClock::Ticks origin = 0;
  {
    MutexLock lock(mu_);
    if (buffers_.empty()) return Trace();
    for (std::size_t i = 0; i < buffers_.size(); ++i) workers_[i].ExchangeTrace(nullptr);
    buffers = std::move(buffers_);
    buffers_.clear();
    origin = origin_;
  }
  // The workers have let go of the buffers: convert outside the lock.
  const double ns_per_tick = clock_.NanosPerTick();
  auto since = [&](BusyClock::Ticks t) {
    // Admitted before the trace started: shown at its start.
    if (t <= origin) return std::chrono::nanoseconds(0);
    return std::chrono::nanoseconds(
        static_cast<std::int64_t>(static_cast<double>(t - origin) * ns_per_tick));
  };
  std::size_t total = 0;
  std::uint64_t dropped = 0;
  for (const auto& b : buffers) {
    total += b->Size();
    dropped += b->Dropped();
  }
  std::vector<TraceEvent> events;
  events.reserve(total);
  for (std::size_t w = 0; w < buffers.size(); ++w) {
    for (const RawTraceEvent& r : *buffers[w]) {
      TraceEvent e;
      e.task = r.task;
      e.worker = w;
      e.attempt = r.attempt;
      e.stolen = r.stolen;
      e.priority = r.priority;
      e.outcome = r.outcome;
      e.admitted = since(r.admitted);
      e.start = since(r.start);
      e.end = since(r.end);
      events.push_back(e);
    }
  }
  return Trace(std::move(events), dropped, buffers.size());
}

}  // namespace litepool::detail
