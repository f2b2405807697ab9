// SlotGate: the pool's admission bound. One slot per queued task; a running
// task holds none. Producers take slots (waiting, with an optional
// deadline, while none is free); workers give one back per dequeued task.
// Forced acquisitions (retries, AddTask on a worker thread of a full pool)
// may drive the free count below zero: the pool then holds more than its
// capacity until the workers catch up, instead of deadlocking.
//
// A producer that finds the pool full first yields the CPU a few times,
// re-trying, before it sleeps: on a box with few cores the workers it lets
// run usually free a slot at once, and neither side pays for a futex. Once
// it sleeps, a worker's Release() touches the mutex only when the free
// count crosses the wake mark: 1 slot, or the size of a waiting batch
// (AddTaskGroup), so a batch is not woken for each slot. A producer with a
// deadline is woken by every release. Every acquired slot belongs to a
// queued task that gives it back, so the free count always returns to the
// capacity: no waiter is stranded below the mark.
//
// Measured (balance_bench, seed003_spin, capacity 5 x 5 workers on 2
// cores): a mark of half the capacity made the producer refill too late
// (makespan/ideal 2.4-2.6 vs 1.43 with a mark of 1).
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

  explicit SlotGate(std::int64_t capacity)
      : free_(capacity), base_mark_(1), wake_mark_(base_mark_) {}

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


 private:
  // Raises the wake mark to at least n (a batch larger than half).
  void RaiseMark(std::int64_t n) noexcept;

  std::atomic<std::int64_t> free_;
  const std::int64_t base_mark_;
  std::atomic<std::int64_t> wake_mark_;
  std::atomic<std::int32_t> waiters_{0};
  std::atomic<std::int32_t> eager_waiters_{0};  // waiters with a deadline
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_SLOT_GATE_HPP_
