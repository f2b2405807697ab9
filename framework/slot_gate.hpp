// SlotGate: the pool's admission bound. One slot per queued task; a running
// task holds none. Producers take slots (waiting, with an optional
// deadline, while none is free); workers give one back per dequeued task.
// Forced acquisitions (retries, AddTask on a worker thread of a full pool)
// may drive the free count below zero: the pool then holds more than its
// capacity until the workers catch up, instead of deadlocking.
#ifndef LITEPOOL_FRAMEWORK_SLOT_GATE_HPP_
#define LITEPOOL_FRAMEWORK_SLOT_GATE_HPP_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>

namespace litepool::detail {

class SlotGate {
 public:
  enum class Result { kAcquired, kTimeout, kClosed };
  using Deadline = std::optional<std::chrono::steady_clock::time_point>;

  explicit SlotGate(std::int64_t capacity) : free_(capacity) {}

  // Takes n slots if they are free now. Lock-free.
  bool TryAcquire(std::int64_t n) noexcept;
  // Takes n slots even if none is free.
  void ForceAcquire(std::int64_t n) noexcept;
  // Waits for n free slots until `deadline` (none: forever) or `closed`.
  Result Acquire(std::int64_t n, Deadline deadline,
                 const std::atomic<bool>& closed);
  // Gives n slots back and wakes a waiting producer if any.
  void Release(std::int64_t n) noexcept;
  // Wakes every waiting producer (they re-check `closed`).
  void WakeAll();

  std::int64_t Free() const noexcept {
    return free_.load(std::memory_order_relaxed);
  }

 private:
  std::atomic<std::int64_t> free_;
  std::atomic<std::int32_t> waiters_{0};
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_SLOT_GATE_HPP_
