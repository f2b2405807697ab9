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

#include "observe/busy_clock.hpp"
#include "litepool/error.hpp"
#include "litepool/priority.hpp"

namespace litepool::detail {

// One attempt, as the worker records it (see litepool::TraceEvent). Trivial
// on purpose: the buffer is allocated without touching its pages.
struct RawTraceEvent {
  std::uint64_t task;
  BusyClock::Ticks admitted, start, end;
  std::uint32_t attempt;
  ErrorCode outcome;
  bool stolen;
  Priority priority;
};

class TraceBuffer {
 public:
  explicit TraceBuffer(std::size_t capacity)
      // Not value-initialised: a large trace (40 MiB by default) costs no
      // zeroing at StartTrace, and untouched pages no memory.
      : events_(capacity > 0 ? std::make_unique_for_overwrite<RawTraceEvent[]>(capacity)
                             : nullptr),
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
