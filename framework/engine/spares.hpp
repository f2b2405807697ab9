// Spares: threads blocked in helping waits, and the spare threads that stand
// in for them. The one owner of the blocked count, the active-spare count,
// the spare threads and the list of blocked waiters.
//
// Why: a worker blocked in a wait (TaskGroup::Wait, Future::Get, ParallelFor
// on a worker thread) with tasks still queued would cost the pool a thread.
// A spare thread runs in its place (at most kPerWorker per seated worker);
// beyond that bound, the thread that queues a task asks one blocked waiter
// to run it instead (AskOneToHelp), so no task waits for ever while every
// thread of the pool sleeps in a wait.
//
// The counts (all seq_cst: each is one side of a Dekker-style handshake):
//   blocked   threads asleep in a wait (Block/Unblock, by the waiter)
//   active    spares counted as standing in: 0 <= active, and a spare is
//             counted only while it runs or was claimed (see below)
// The claim: Activate counts one more active spare (a CAS while active <
// blocked), then either wakes an idle spare with a claim
// (ParkSpot::UnparkWithClaim) or starts a new one (born counted). A spare that
// wakes without a claim (a stop, or any other wake-up) does not touch the
// count, so no waker but Activate can make it go below zero. A spare gives
// its count back itself (Deactivate) when it goes idle, or retires one
// (TryRetire) when more are active than threads blocked.
//
// Thread-safety: every member, any thread. Activate may start a thread
// (blocks for its start); the rest never block but for short locks.
#ifndef LITEPOOL_FRAMEWORK_ENGINE_SPARES_HPP_
#define LITEPOOL_FRAMEWORK_ENGINE_SPARES_HPP_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "base/interruptible_wait.hpp"
#include "engine/worker.hpp"
#include "litepool/detail/mutex.hpp"

namespace litepool::detail {

class HelpingWaits;
class RecordPool;

class Spares {
 public:
  // Spare threads a pool may start, per seated worker; they are kept for
  // reuse and counted in Stats()' total.
  static constexpr std::size_t kPerWorker = 2;

  // A thread asleep in a wait, listed before it counts as blocked, so that
  // whoever queues a task with the spares at their bound can ask it to run
  // the task (AskOneToHelp). On the waiter's stack.
  struct BlockedWaiter {
    explicit BlockedWaiter(InterruptibleWait& w) noexcept : wait(w) {}
    InterruptibleWait& wait;  // the group's wait, or WaitIdle's
    // Asked to run a queued task: raised through wait.Interrupt.
    std::atomic<bool> help{false};
    BlockedWaiter* prev = nullptr;
    BlockedWaiter* next = nullptr;
  };

  // `start` starts a new spare's thread (running the scheduler's loop) and
  // throws if it cannot; `stop` is the pool's stop flag; spares get ids
  // first_id, first_id + 1, ... up to `max` of them.
  Spares(HelpingWaits& pool, RecordPool& records, const std::atomic<bool>& stop,
         std::size_t first_id, std::size_t max, std::function<void(Worker&)> start);

  // --- blocked waiters ------------------------------------------------------
  void List(BlockedWaiter& w) LITEPOOL_EXCLUDES(list_mu_);
  void Unlist(BlockedWaiter& w) LITEPOOL_EXCLUDES(list_mu_);
  void Block() noexcept { blocked_.fetch_add(1, std::memory_order_seq_cst); }
  void Unblock() noexcept { blocked_.fetch_sub(1, std::memory_order_seq_cst); }
  std::int64_t Blocked() const noexcept { return blocked_.load(std::memory_order_seq_cst); }
  // Wakes one listed waiter not asked yet, to run a queued task of any
  // origin (the spares are at their bound).
  void AskOneToHelp() LITEPOOL_EXCLUDES(list_mu_);

  // --- spare threads --------------------------------------------------------
  // One more spare stands in, while fewer are active than blocked (true if
  // none was needed); false if none could (`bound` reached, stopping, or no
  // thread to be had).
  bool Activate(std::size_t bound) LITEPOOL_EXCLUDES(spawn_mu_);
  // A spare that found nothing after its claim, or goes idle: it is no
  // longer counted.
  void Deactivate() noexcept { active_.fetch_sub(1, std::memory_order_seq_cst); }
  // A spare that just ran a task: it leaves the active count if more are
  // active than blocked (a CAS: false if another one left instead).
  bool TryRetire() noexcept;
  bool SpareWanted() const noexcept {
    return blocked_.load(std::memory_order_seq_cst) > active_.load(std::memory_order_seq_cst);
  }
  bool MoreActiveThanBlocked() const noexcept {
    return active_.load(std::memory_order_seq_cst) > blocked_.load(std::memory_order_seq_cst);
  }
  // Spares counted as standing in now (a CAS target; tests read it).
  std::int64_t Active() const noexcept { return active_.load(std::memory_order_seq_cst); }
  // Wakes every idle spare without a claim (a stopping pool).
  void UnparkAll() const noexcept;
  // Joins every spare thread (after the pool stopped).
  void JoinAll() LITEPOOL_EXCLUDES(spawn_mu_);
  // f(Worker&) for every spare made so far; lock-free.
  template <class F>
  void ForEach(F&& f) const {
    // Acquire: a slot counted here was filled (and its Worker built) before
    // the count was raised.
    const std::size_t n = count_.load(std::memory_order_acquire);
    for (std::size_t i = 0; i < n; ++i) f(*slots_[i].load(std::memory_order_acquire));
  }

 private:
  HelpingWaits& pool_;
  RecordPool& records_;
  const std::atomic<bool>& stop_;
  const std::size_t first_id_;
  const std::size_t max_;
  const std::function<void(Worker&)> start_;

  std::atomic<std::int64_t> blocked_{0};
  std::atomic<std::int64_t> active_{0};
  Mutex list_mu_;
  BlockedWaiter* list_ LITEPOOL_GUARDED_BY(list_mu_) = nullptr;
  // Made on demand under spawn_mu_, never freed before the pool; readers
  // walk slots_[0, count_) without the lock.
  Mutex spawn_mu_;
  std::vector<std::unique_ptr<Worker>> spares_ LITEPOOL_GUARDED_BY(spawn_mu_);
  std::unique_ptr<std::atomic<Worker*>[]> slots_;
  std::atomic<std::size_t> count_{0};
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ENGINE_SPARES_HPP_
