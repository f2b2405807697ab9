// SlotGate: the pool's admission bound. One slot per queued task; a running
// task holds none. Producers take slots (waiting, with an optional
// deadline, while none is free); workers give one back per dequeued task.
// Forced acquisitions (retries, AddTask on a worker thread of a full pool)
// and a shrinking SetWorkers (Resize) may drive the free count below zero:
// the pool then holds more than its capacity until the workers catch up,
// instead of deadlocking.
//
// Free slots are counted in two levels while nobody waits: a shared count
// that producers take from, and one shard per worker that the worker gives
// its slots back to (RunTask: ReleaseFrom). A worker moves its shard into the
// shared count once it holds a batch of slots, so a producer adding many
// tasks finds the shared count in its own cache most of the time, and a
// worker touches only its own shard, instead of both sides pulling one cache
// line back and forth on every task. A shard's slots are as free as the
// shared ones: a producer that finds the shared count short takes from the
// shards (TryAcquire), so a slot is never withheld from a producer; the sum
// of the shared count and the shards is the pool's free count.
//
// Free slots are lock-free while nobody waits. A producer that finds
// the pool full first yields the CPU a few times, re-trying, before it
// sleeps: on a box with few cores the workers it lets run usually free a
// slot at once, and neither side pays for a futex. But a yield that returns
// at once ran nobody: the producer has a CPU to itself (the workers share
// the others), and spinning there keeps every worker off that CPU, so after
// two such yields it goes to sleep instead. And on a pool with more workers
// than CPUs it does not yield at all (SetOversubscribed): the kernel puts a
// yielding thread behind every runnable one for a whole time slice, so
// each yield waited out the busy workers' slices (about 2 ms, measured on
// Balance/skewed_spin) while the queues drained and workers went idle;
// asleep, it is woken at the refill mark instead. Once producers sleep,
// they wait in line, by priority (kHigh first) and in arrival order within
// one priority, and a released slot is handed to the head of the line by
// the thread that releases it: the producer wakes with its slot already
// taken, so no other producer can take it first, and blocked producers are
// admitted in priority order. A batch (AddTaskGroup) at the
// head waits until all of its slots are free; those behind it wait too
// (no overtaking: a large batch is never starved by single tasks).
//
// Refills (the engine's gate): the head of the line is served once a batch
// of slots is free (half the capacity, as it is now), so a producer that
// outruns the workers wakes once per batch instead of once per task; a
// wake is a futex call on the worker and a context switch. Workers keep
// running meanwhile (the other half is queued). The head is served at the
// first free slot once it has slept Refill::wait, once a worker runs out of
// work (HandOffNow: no worker idles while a producer waits), and at its
// deadline. An oversubscribed gate waits Refill::oversubscribed_wait
// instead: there every CPU runs a worker, and the wake-up at the end of
// the wait takes one from a worker that has work.
#ifndef LITEPOOL_FRAMEWORK_SLOT_GATE_HPP_
#define LITEPOOL_FRAMEWORK_SLOT_GATE_HPP_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include "litepool/detail/mutex.hpp"

#include "base/cache_line.hpp"
#include "litepool/priority.hpp"

namespace litepool::detail {

class SlotGate {
 public:
  // kTooLarge: more slots than the capacity (SetCapacity) ever frees.
  enum class Result { kAcquired, kTimeout, kClosed, kTooLarge };
  using Deadline = std::optional<std::chrono::steady_clock::time_point>;

  // Refills: a producer asleep on a full pool is served when half the
  // capacity is free (a batch), not at the first free slot, unless it has
  // slept `wait` (`oversubscribed_wait` on an oversubscribed gate), a
  // worker runs out of work (HandOffNow) or its deadline comes.
  struct Refill {
    std::chrono::steady_clock::duration wait;
    std::chrono::steady_clock::duration oversubscribed_wait;
  };

  // `shards`: the number of workers the slots are spread over (at least 1;
  // beyond kMaxShards, workers share); `per_worker`: the queue capacity,
  // which sets the batch a worker gives back at once (a quarter of it, at
  // most kMaxBatch; below 8, 1: every slot straight to the shared count).
  // `refill`: none: a sleeping producer is served at the first free slot.
  explicit SlotGate(std::int64_t capacity, std::size_t shards = 1, std::int64_t per_worker = 1,
                    std::optional<Refill> refill = std::nullopt);

  // Takes n slots if they are free now (from the shared count, else from
  // the shards). Lock-free.
  bool TryAcquire(std::int64_t n) noexcept;
  // Takes n slots even if none is free.
  void ForceAcquire(std::int64_t n) noexcept;
  // Waits for n free slots until `deadline` (none: forever) or `closed`,
  // in line behind the producers already waiting at `priority` or above.
  Result Acquire(std::int64_t n, Priority priority, Deadline deadline,
                 const std::atomic<bool>& closed);
  // The pool has more workers than CPUs (or, after a resize, not): a producer
  // that finds it full sleeps at once instead of yielding first, and its
  // refill wait is Refill::oversubscribed_wait (see above). Any thread;
  // off by default.
  void SetOversubscribed(bool oversubscribed) noexcept {
    oversubscribed_.store(oversubscribed, std::memory_order_relaxed);
  }
  bool Oversubscribed() const noexcept { return oversubscribed_.load(std::memory_order_relaxed); }
  // Gives n slots back to the shared count; hands them to the waiting
  // producers, if any.
  void Release(std::int64_t n) noexcept;
  // Gives one slot back from worker `shard`'s run loop, to its shard (the
  // same hand-off to waiting producers as Release).
  void ReleaseFrom(std::size_t shard) noexcept;
  // The capacity changed (SetWorkers) by `delta` slots: frees or takes them,
  // and sends away every waiter that needs more than the new capacity
  // (kTooLarge: it would wait forever).
  void Resize(std::int64_t delta);
  // A worker has nothing to run: the producers in line are served at the
  // first free slots from now on, as without refills (work-conserving: no
  // worker idles for a batch to build up).
  void HandOffNow() noexcept;
  // Wakes every waiting producer (they re-check `closed`).
  void WakeAll();
  // Producers in line now (tests: a grant takes its waiter out of line
  // before Release returns).
  std::size_t InLine();
  // Free slots now, shards included (tests; racy while tasks run).
  std::int64_t FreeForTesting() const noexcept;

  // Batches and shards beyond these give nothing more: 16 slots is a few
  // microseconds of short tasks, and 64 shards cover a large machine.
  static constexpr std::int64_t kMaxBatch = 16;
  static constexpr std::size_t kMaxShards = 64;

 private:
  // A producer asleep in Acquire; on its stack, linked into its level's
  // line while it waits. Guarded by mu_.
  struct Waiter {
    Waiter(std::int64_t n, std::int64_t w) noexcept : need(n), want(w) {}
    std::int64_t need;
    std::int64_t want;  // served once this many slots are free (>= need)
    Waiter* prev = nullptr;
    Waiter* next = nullptr;
    bool granted = false;    // its slots were taken for it (GrantLocked)
    bool too_large = false;  // sent away by Resize
    CondVar cv;
  };
  struct Line {
    Waiter* head = nullptr;
    Waiter* tail = nullptr;
  };
  static constexpr int kLevels = 3;  // Priority's, kLow = 0 .. kHigh = 2
  static int LevelOf(Priority p) noexcept { return static_cast<int>(p); }
  void Enqueue(Waiter& w, int level) noexcept LITEPOOL_REQUIRES(mu_);
  void Unlink(Waiter& w, int level) noexcept LITEPOOL_REQUIRES(mu_);
  // Hands free slots to the head of the highest non-empty line, while it
  // can take all it needs. Under mu_.
  void GrantLocked() noexcept LITEPOOL_REQUIRES(mu_);
  // Moves every shard's slots into the shared count.
  void GatherShards() noexcept;
  // After free slots were added: hands them to the line, if anyone waits.
  void HandOffIfWaiting() noexcept;
  // Takes one slot from some shard (a producer whose shared count ran dry).
  bool TakeFromShards() noexcept;

  const std::optional<Refill> refill_;
  // Read only by a producer that found the pool full.
  std::atomic<bool> oversubscribed_{false};

  struct alignas(kCacheLine) Shard {
    std::atomic<std::int64_t> free{0};
  };

  // Written by producers on every admission: alone on its cache line.
  alignas(kCacheLine) std::atomic<std::int64_t> free_;
  // Read on every release, written only when producers line up: on a line
  // of its own, with the constants, so that a worker's release reads it from
  // its own cache. Producers in line and not yet granted (written under
  // mu_): Release takes the lock only when this is not zero, so once the
  // line is served the releases are lock-free again.
  alignas(kCacheLine) std::atomic<std::int32_t> in_line_{0};
  // The free count at which the head of the line can be served (its want;
  // written under mu_): a release below it does not take the lock.
  std::atomic<std::int64_t> grant_at_{0};
  const std::size_t shard_count_;
  const std::int64_t batch_;
  const std::unique_ptr<Shard[]> shards_;
  alignas(kCacheLine) Mutex mu_;
  Line lines_[kLevels] LITEPOOL_GUARDED_BY(mu_);
  std::int64_t capacity_ LITEPOOL_GUARDED_BY(mu_);
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_SLOT_GATE_HPP_
