#include "admission/slot_gate.hpp"

#include <algorithm>
#include <thread>

namespace litepool::detail {

namespace {
// Takes n slots if they are free now; lock-free. `look`: the order of the
// first read (the CAS re-validates; seq_cst where a Dekker pairing needs it).
bool TakeFree(std::atomic<std::int64_t>& free, std::int64_t n,
              std::memory_order look = std::memory_order_relaxed) noexcept {
  // acq_rel on success orders this admission after the release that freed
  // the slot.
  std::int64_t cur = free.load(look);
  while (cur >= n) {
    if (free.compare_exchange_weak(cur, cur - n, std::memory_order_acq_rel,
                                   std::memory_order_relaxed)) {
      return true;
    }
  }
  return false;
}

// Where this thread looks first among the shards; moved on after every look,
// so producers spread over the shards instead of all draining the first.
thread_local std::size_t next_shard = 0;
}  // namespace

SlotGate::SlotGate(std::int64_t capacity, std::size_t shards, std::int64_t per_worker,
                   std::optional<Refill> refill)
    : refill_(refill),
      free_(capacity),
      shard_count_(std::clamp<std::size_t>(shards, 1, kMaxShards)),
      // A quarter of a queue: a worker keeps at most that many of its
      // queue's slots before the shared count sees them (and producers
      // that find the shared count dry take them from the shard anyway).
      batch_(std::clamp<std::int64_t>(per_worker / 4, 1, kMaxBatch)),
      shards_(std::make_unique<Shard[]>(shard_count_)),
      capacity_(capacity) {}

bool SlotGate::TryAcquire(std::int64_t n) noexcept {
  // Not while producers wait in line: the slots are theirs, in line order.
  // Relaxed: a producer that misses a waiter that just lined up takes one
  // slot ahead of it, as if it had come first.
  if (in_line_.load(std::memory_order_relaxed) != 0) return false;
  if (TakeFree(free_, n)) return true;
  if (batch_ == 1) return false;  // no shard ever holds a slot
  if (n == 1) return TakeFromShards();
  // A batch: every shard's slots into the shared count, then the batch's.
  GatherShards();
  HandOffIfWaiting();
  return in_line_.load(std::memory_order_relaxed) == 0 && TakeFree(free_, n);
}

bool SlotGate::TakeFromShards() noexcept {
  const std::size_t first = next_shard++;
  for (std::size_t i = 0; i < shard_count_; ++i) {
    if (TakeFree(shards_[(first + i) % shard_count_].free, 1)) return true;
  }
  return false;
}

void SlotGate::GatherShards() noexcept {
  std::int64_t moved = 0;
  for (std::size_t i = 0; i < shard_count_; ++i) {
    std::atomic<std::int64_t>& shard = shards_[i].free;
    // A load first: most shards hold nothing, and a load leaves the line
    // where it is.
    if (shard.load(std::memory_order_seq_cst) > 0) {
      moved += shard.exchange(0, std::memory_order_seq_cst);
    }
  }
  if (moved != 0) free_.fetch_add(moved, std::memory_order_seq_cst);
}

void SlotGate::HandOffIfWaiting() noexcept {
  // seq_cst: pairs with Enqueue (in_line_ increment, then the line's grant
  // reads the counts): either this thread sees the waiter and hands the
  // slots over under mu_, or that grant sees the slots added before this.
  if (in_line_.load(std::memory_order_seq_cst) == 0) return;
  // The head of the line gets them now, on this thread (the producer wakes
  // with them taken; nobody can take them first).
  MutexLock lock(mu_);
  GrantLocked();
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
  bool gathered = false;
  for (;;) {
    int level = kLevels - 1;
    while (level >= 0 && lines_[level].head == nullptr) --level;
    if (level < 0) return;
    // Someone waits: the shards' slots are theirs too.
    if (!gathered) {
      GatherShards();
      gathered = true;
    }
    Waiter& head = *lines_[level].head;
    // seq_cst, the store and the loads below: the other half of the pairing
    // in Release and HandOffIfWaiting (a count up, then in_line_/grant_at_).
    grant_at_.store(head.want, std::memory_order_seq_cst);
    if (free_.load(std::memory_order_seq_cst) < head.want) return;       // a refill's batch
    if (!TakeFree(free_, head.need, std::memory_order_seq_cst)) return;  // no overtaking
    Unlink(head, level);
    head.granted = true;
    // Under mu_: the waiter cannot see `granted`, return and destroy its
    // condition variable before this call is done.
    head.cv.NotifyOne();
  }
}

SlotGate::Result SlotGate::Acquire(std::int64_t n, Priority priority, Deadline deadline,
                                   const std::atomic<bool>& closed) {
  using std::chrono::steady_clock;
  // Re-tries before sleeping, a yield apart (see the header: on few cores the
  // workers this lets run usually free a slot; neither side pays a futex).
  // 64 yields are a few microseconds when nothing else runs, and about one
  // scheduler slice of other threads' work when the CPU is contended.
  // A yield that comes back within kAloneYield ran nobody: this producer has
  // a CPU to itself, and spinning there would keep the workers off it.
  constexpr int kYieldsBeforeSleep = 64;
  constexpr auto kAloneYield = std::chrono::microseconds(3);
  constexpr int kAloneYieldsBeforeSleep = 2;
  int alone = 0;
  const bool oversubscribed = Oversubscribed();
  const int yields = oversubscribed ? 0 : kYieldsBeforeSleep;
  for (int i = 0; i < yields; ++i) {
    if (TryAcquire(n)) return Result::kAcquired;
    if (closed.load(std::memory_order_acquire)) return Result::kClosed;
    const auto before = steady_clock::now();
    if (deadline && before >= *deadline) break;
    std::this_thread::yield();
    if (refill_ && steady_clock::now() - before < kAloneYield &&
        ++alone == kAloneYieldsBeforeSleep) {
      break;
    }
  }
  MutexLock lock(mu_);
  // With refills, it waits for a batch of slots (the mark), not the first one,
  // until the refill wait has passed or a worker runs out of work (HandOffNow).
  Waiter w(n, refill_ ? std::max(n, capacity_ / 2) : n);
  const steady_clock::duration refill_wait = !refill_         ? steady_clock::duration{}
                                             : oversubscribed ? refill_->oversubscribed_wait
                                                              : refill_->wait;
  const auto refill_by = steady_clock::now() + refill_wait;
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
      Deadline until = deadline;
      if (w.want > w.need) until = until ? std::min(*until, refill_by) : refill_by;
      if (!until) {
        w.cv.Wait(lock);
      } else if (w.cv.WaitUntil(lock, *until) == std::cv_status::timeout && !w.granted) {
        // The refill wait is over, or the deadline: any free slot will do
        // (a producer never times out while the slots it needs are free).
        w.want = w.need;
        GrantLocked();
        if (w.granted) break;
        if (deadline && steady_clock::now() >= *deadline) {
          result = Result::kTimeout;
          break;
        }
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
  const std::int64_t now = free_.fetch_add(n, std::memory_order_seq_cst) + n;
  if (in_line_.load(std::memory_order_seq_cst) == 0) return;
  // Below the head's want (a refill's batch) the lock would serve nobody.
  if (now < grant_at_.load(std::memory_order_seq_cst)) return;
  MutexLock lock(mu_);
  GrantLocked();
}

void SlotGate::ReleaseFrom(std::size_t shard) noexcept {
  // While producers wait, straight to the shared count: Release compares it
  // with the head's want without gathering the shards.
  if (batch_ == 1 || in_line_.load(std::memory_order_relaxed) != 0) {
    Release(1);
    return;
  }
  // This worker's own cache line (shared only with the workers that map to
  // the same shard, and with producers that found the shared count dry).
  std::atomic<std::int64_t>& mine = shards_[shard % shard_count_].free;
  if (mine.fetch_add(1, std::memory_order_seq_cst) + 1 >= batch_) {
    const std::int64_t moved = mine.exchange(0, std::memory_order_seq_cst);
    if (moved != 0) free_.fetch_add(moved, std::memory_order_seq_cst);
  }
  HandOffIfWaiting();
}

std::int64_t SlotGate::FreeForTesting() const noexcept {
  std::int64_t free = free_.load(std::memory_order_seq_cst);
  for (std::size_t i = 0; i < shard_count_; ++i) {
    free += shards_[i].free.load(std::memory_order_seq_cst);
  }
  return free;
}

void SlotGate::Resize(std::int64_t delta) {
  MutexLock lock(mu_);
  capacity_ += delta;
  free_.fetch_add(delta, std::memory_order_seq_cst);
  for (int level = 0; level < kLevels; ++level) {
    for (Waiter* w = lines_[level].head; w != nullptr;) {
      Waiter* next = w->next;
      if (w->need > capacity_) {
        Unlink(*w, level);
        w->too_large = true;
        w->cv.NotifyOne();
      }
      w = next;
    }
  }
  GrantLocked();  // grown: the line gets the new slots
}

void SlotGate::HandOffNow() noexcept {
  if (in_line_.load(std::memory_order_relaxed) == 0) return;  // the common case: one load
  MutexLock lock(mu_);
  for (Line& line : lines_) {
    for (Waiter* w = line.head; w != nullptr; w = w->next) w->want = w->need;
  }
  GrantLocked();
}

void SlotGate::WakeAll() {
  MutexLock lock(mu_);
  for (Line& line : lines_) {
    for (Waiter* w = line.head; w != nullptr; w = w->next) w->cv.NotifyOne();
  }
}

std::size_t SlotGate::InLine() {
  MutexLock lock(mu_);
  std::size_t n = 0;
  for (const Line& line : lines_) {
    for (const Waiter* w = line.head; w != nullptr; w = w->next) ++n;
  }
  return n;
}

}  // namespace litepool::detail
