#include "slot_gate.hpp"

#include <thread>

namespace litepool::detail {

bool SlotGate::TryAcquire(std::int64_t n) noexcept {
  // Relaxed initial read: the CAS re-validates. acq_rel on success orders
  // this admission after the release that freed the slot.
  std::int64_t cur = free_.load(std::memory_order_relaxed);
  while (cur >= n) {
    if (free_.compare_exchange_weak(cur, cur - n, std::memory_order_acq_rel,
                                    std::memory_order_relaxed)) {
      return true;
    }
  }
  return false;
}

void SlotGate::ForceAcquire(std::int64_t n) noexcept {
  free_.fetch_sub(n, std::memory_order_acq_rel);
}

void SlotGate::RaiseMark(std::int64_t n) noexcept {
  std::int64_t cur = wake_mark_.load(std::memory_order_seq_cst);
  while (cur < n &&
         !wake_mark_.compare_exchange_weak(cur, n, std::memory_order_seq_cst)) {
  }
}

SlotGate::Result SlotGate::Acquire(std::int64_t n, Deadline deadline,
                                   const std::atomic<bool>& closed) {
  // Re-tries before sleeping, a yield apart (see the header: on few cores the
  // workers this lets run usually free a slot; neither side pays a futex).
  // 64 yields are a few microseconds when nothing else runs, and about one
  // scheduler slice of other threads' work when the CPU is contended.
  constexpr int kYieldsBeforeSleep = 64;
  for (int i = 0; i < kYieldsBeforeSleep; ++i) {
    if (TryAcquire(n)) return Result::kAcquired;
    if (closed.load(std::memory_order_acquire)) return Result::kClosed;
    if (deadline && std::chrono::steady_clock::now() >= *deadline) break;
    std::this_thread::yield();
  }
  if (TryAcquire(n)) return Result::kAcquired;
  std::unique_lock lock(mu_);
  // seq_cst: pairs with Release() (free_ increment, then the waiter counts
  // and the mark): either Release sees this waiter and its mark, or the
  // re-check below sees the freed slots.
  waiters_.fetch_add(1, std::memory_order_seq_cst);
  if (deadline) eager_waiters_.fetch_add(1, std::memory_order_seq_cst);
  Result result = Result::kAcquired;
  for (;;) {
    RaiseMark(n);  // again after each wake: the last waiter to leave resets it
    if (closed.load(std::memory_order_acquire)) {
      result = Result::kClosed;
      break;
    }
    if (TryAcquire(n)) break;
    if (!deadline) {
      cv_.wait(lock);
    } else if (cv_.wait_until(lock, *deadline) == std::cv_status::timeout) {
      if (TryAcquire(n)) break;
      result = Result::kTimeout;
      break;
    }
  }
  if (deadline) eager_waiters_.fetch_sub(1, std::memory_order_seq_cst);
  if (waiters_.fetch_sub(1, std::memory_order_seq_cst) == 1) {
    wake_mark_.store(base_mark_, std::memory_order_seq_cst);
  }
  // Slots may remain for another waiter (batch releases, a smaller ask).
  if (result != Result::kAcquired || free_.load(std::memory_order_relaxed) > 0) {
    cv_.notify_all();
  }
  return result;
}

void SlotGate::Release(std::int64_t n) noexcept {
  const std::int64_t before = free_.fetch_add(n, std::memory_order_seq_cst);
  if (waiters_.load(std::memory_order_seq_cst) == 0) return;
  const std::int64_t mark = wake_mark_.load(std::memory_order_seq_cst);
  const bool crossed = before < mark && before + n >= mark;
  if (crossed || eager_waiters_.load(std::memory_order_seq_cst) > 0) {
    std::lock_guard lock(mu_);
    cv_.notify_all();
  }
}

void SlotGate::WakeAll() {
  std::lock_guard lock(mu_);
  cv_.notify_all();
}

}  // namespace litepool::detail
