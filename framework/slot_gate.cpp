#include "slot_gate.hpp"

#include <thread>

namespace litepool::detail {

namespace {
// Takes n slots if they are free now; lock-free.
bool TakeFree(std::atomic<std::int64_t>& free, std::int64_t n) noexcept {
  // Relaxed initial read: the CAS re-validates. acq_rel on success orders
  // this admission after the release that freed the slot.
  std::int64_t cur = free.load(std::memory_order_relaxed);
  while (cur >= n) {
    if (free.compare_exchange_weak(cur, cur - n, std::memory_order_acq_rel,
                                   std::memory_order_relaxed)) {
      return true;
    }
  }
  return false;
}
}  // namespace

bool SlotGate::TryAcquire(std::int64_t n) noexcept {
  // Not while producers wait in line: the slots are theirs, in line order.
  // Relaxed: a producer that misses a waiter that just lined up takes one
  // slot ahead of it, as if it had come first.
  if (in_line_.load(std::memory_order_relaxed) != 0) return false;
  return TakeFree(free_, n);
}

void SlotGate::ForceAcquire(std::int64_t n) noexcept {
  free_.fetch_sub(n, std::memory_order_acq_rel);
}

void SlotGate::Enqueue(Waiter& w, int level) noexcept {
  Line& line = lines_[level];
  w.prev = line.tail;
  w.next = nullptr;
  (line.tail != nullptr ? line.tail->next : line.head) = &w;
  line.tail = &w;
  // seq_cst: pairs with Release() (free_ increment, then this count): either
  // Release sees this waiter and hands it slots under mu_, or the grant that
  // follows the Enqueue sees the freed slots.
  in_line_.fetch_add(1, std::memory_order_seq_cst);
}

void SlotGate::Unlink(Waiter& w, int level) noexcept {
  Line& line = lines_[level];
  (w.prev != nullptr ? w.prev->next : line.head) = w.next;
  (w.next != nullptr ? w.next->prev : line.tail) = w.prev;
  w.prev = w.next = nullptr;
  in_line_.fetch_sub(1, std::memory_order_seq_cst);
}

void SlotGate::GrantLocked() noexcept {
  for (;;) {
    int level = kLevels - 1;
    while (level >= 0 && lines_[level].head == nullptr) --level;
    if (level < 0) return;
    Waiter& head = *lines_[level].head;
    if (!TakeFree(free_, head.need)) return;  // no overtaking the head
    Unlink(head, level);
    head.granted = true;
    // Under mu_: the waiter cannot see `granted`, return and destroy its
    // condition variable before this call is done.
    head.cv.notify_one();
  }
}

SlotGate::Result SlotGate::Acquire(std::int64_t n, Priority priority, Deadline deadline,
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
  std::unique_lock lock(mu_);
  Waiter w(n);
  const int level = LevelOf(priority);
  Result result = Result::kAcquired;
  if (closed.load(std::memory_order_acquire)) {
    result = Result::kClosed;
  } else if (n > capacity_) {
    result = Result::kTooLarge;  // the capacity shrank since the caller looked
  } else {
    Enqueue(w, level);
    GrantLocked();  // slots freed before this waiter was in line
    while (!w.granted) {
      if (w.too_large) {
        result = Result::kTooLarge;  // Resize unlinked it
        break;
      }
      if (closed.load(std::memory_order_acquire)) {
        result = Result::kClosed;
        break;
      }
      if (!deadline) {
        w.cv.wait(lock);
      } else if (w.cv.wait_until(lock, *deadline) == std::cv_status::timeout) {
        if (!w.granted) result = Result::kTimeout;
        break;
      }
    }
    // Granted: GrantLocked unlinked it (and its slots are taken, even if the
    // pool closed meanwhile: the engine then gives them back).
    if (!w.granted && !w.too_large) Unlink(w, level);
  }
  // A waiter that gave up may have held up the ones behind it (a batch at
  // the head of its line): they may go now.
  if (result != Result::kAcquired) GrantLocked();
  return result;
}

void SlotGate::Release(std::int64_t n) noexcept {
  free_.fetch_add(n, std::memory_order_seq_cst);
  if (in_line_.load(std::memory_order_seq_cst) == 0) return;
  // Hand the slots over: the head of the line gets them now, on this thread
  // (the producer wakes with them taken; nobody can take them first).
  std::lock_guard lock(mu_);
  GrantLocked();
}

void SlotGate::Resize(std::int64_t delta) {
  std::lock_guard lock(mu_);
  capacity_ += delta;
  free_.fetch_add(delta, std::memory_order_seq_cst);
  for (int level = 0; level < kLevels; ++level) {
    for (Waiter* w = lines_[level].head; w != nullptr;) {
      Waiter* next = w->next;
      if (w->need > capacity_) {
        Unlink(*w, level);
        w->too_large = true;
        w->cv.notify_one();
      }
      w = next;
    }
  }
  GrantLocked();  // grown: the line gets the new slots
}

void SlotGate::WakeAll() {
  std::lock_guard lock(mu_);
  for (Line& line : lines_) {
    for (Waiter* w = line.head; w != nullptr; w = w->next) w->cv.notify_one();
  }
}

std::size_t SlotGate::InLine() {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const Line& line : lines_) {
    for (const Waiter* w = line.head; w != nullptr; w = w->next) ++n;
  }
  return n;
}

}  // namespace litepool::detail
