// TraceBuffer: one worker's bounded share of a running trace (Pool::StartTrace).
//
// Allocated whole at StartTrace; the worker appends to it without locking or
// allocating, and counts what does not fit as dropped. Times are BusyClock
// ticks; StopTrace turns them into a litepool::Trace.
#ifndef LITEPOOL_FRAMEWORK_TRACE_BUFFER_HPP_
#define LITEPOOL_FRAMEWORK_TRACE_BUFFER_HPP_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "busy_clock.hpp"
#include "litepool/error.hpp"

namespace litepool::detail {

// One attempt, as the worker records it (see litepool::TraceEvent).
struct RawTraceEvent {
  std::uint64_t task = 0;
  BusyClock::Ticks admitted = 0, start = 0, end = 0;
  std::uint32_t attempt = 0;
  ErrorCode outcome = ErrorCode::kOk;
  bool stolen = false;
};

class TraceBuffer {
 public:
  explicit TraceBuffer(std::size_t capacity)
      : events_(capacity > 0 ? std::make_unique<RawTraceEvent[]>(capacity) : nullptr),
        capacity_(capacity) {}

  // The owning worker only (Worker::RecordTrace). Never blocks or allocates.
  void Add(const RawTraceEvent& e) noexcept {
    if (used_ < capacity_) {
      events_[used_++] = e;
    } else {
      ++dropped_;
    }
  }

  // Once the worker has let go of the buffer (Worker::ExchangeTrace).
  const RawTraceEvent* begin() const noexcept { return events_.get(); }
  const RawTraceEvent* end() const noexcept { return events_.get() + used_; }
  std::size_t Size() const noexcept { return used_; }
  std::uint64_t Dropped() const noexcept { return dropped_; }

 private:
  std::unique_ptr<RawTraceEvent[]> events_;
  std::size_t capacity_;
  std::size_t used_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_TRACE_BUFFER_HPP_
