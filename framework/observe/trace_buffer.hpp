// TraceBuffer: one worker's bounded share of a running trace (Pool::StartTrace).
//
// Allocated whole at StartTrace, and every page of it written once there, so
// the worker appends to memory that is already mapped: without locking,
// allocating or taking a page fault, and counts what does not fit as
// dropped. Times are BusyClock ticks; StopTrace turns them into a
// litepool::Trace.
#ifndef LITEPOOL_FRAMEWORK_TRACE_BUFFER_HPP_
#define LITEPOOL_FRAMEWORK_TRACE_BUFFER_HPP_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "litepool/error.hpp"
#include "litepool/priority.hpp"
#include "observe/busy_clock.hpp"

namespace litepool::detail {

// One attempt, as the worker records it (see litepool::TraceEvent). Trivial
// on purpose: the buffer is allocated without zeroing every event.
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
  // Allocates room for `capacity` events and maps every page of it. Runs
  // on the thread calling StartTrace, before any worker sees the buffer.
  // Throws std::bad_alloc.
  explicit TraceBuffer(std::size_t capacity)
      // Not value-initialised: one write per page maps the memory at a
      // fraction of the cost of zeroing every event.
      : events_(capacity > 0 ? std::make_unique_for_overwrite<RawTraceEvent[]>(capacity) : nullptr),
        capacity_(capacity) {
    // A fresh allocation of this size is usually unmapped memory: the first
    // write to each page is a page fault (several microseconds on a virtual
    // machine). Taken here, at StartTrace, instead of by the workers in
    // the middle of running tasks. Volatile, so the writes are not dropped
    // as dead stores.
    auto* bytes = reinterpret_cast<volatile unsigned char*>(events_.get());
    const std::size_t size = capacity * sizeof(RawTraceEvent);
    for (std::size_t offset = 0; offset < size; offset += kPageStride) bytes[offset] = 0;
    if (size > 0) bytes[size - 1] = 0;
  }

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

  // Bytes between two writes that map the buffer: the smallest page size
  // of the platforms litepool runs on (4 KiB), so every page, of any size
  // at least that, gets at least one write.
  static constexpr std::size_t kPageStride = 4096;

 private:
  std::unique_ptr<RawTraceEvent[]> events_;
  std::size_t capacity_;
  std::size_t used_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_TRACE_BUFFER_HPP_
