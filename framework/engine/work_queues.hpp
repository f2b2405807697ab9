// WorkQueues: the tasks waiting for one pool thread — a lock-free queue per
// priority level, and the stack of tasks spawned by the code that thread
// runs. Producers push, the owner pops (with its consumer tokens), thieves
// pop from the other end; the queued count is the dispatcher's load hint
// and the park protocol's re-check.
#ifndef LITEPOOL_FRAMEWORK_ENGINE_WORK_QUEUES_HPP_
#define LITEPOOL_FRAMEWORK_ENGINE_WORK_QUEUES_HPP_

#include <concurrentqueue/concurrentqueue.h>

#include <atomic>
#include <cstdint>
#include <deque>

#include "base/cache_line.hpp"
#include "litepool/detail/mutex.hpp"
#include "litepool/priority.hpp"

namespace litepool::detail {

struct TaskRecord;

class WorkQueues {
 public:
  WorkQueues() = default;
  WorkQueues(const WorkQueues&) = delete;
  WorkQueues& operator=(const WorkQueues&) = delete;

  // Producer side: queue `task` here. Thread-safe.
  void Push(TaskRecord* task);
  // The same at priority `p` (kNormal: Push).
  void PushAt(Priority p, TaskRecord* task);
  // Takes one task queued at `p` (kHigh or kLow): a thief / the owner.
  bool TryPopAt(Priority p, TaskRecord*& task);
  bool TryPopOwnAt(Priority p, TaskRecord*& task);
  // Tasks queued at `p` (kHigh or kLow); approximate, as Queued().
  std::int64_t QueuedAt(Priority p) const noexcept {
    return (p == Priority::kHigh ? high_ : low_).queued.load(std::memory_order_relaxed);
  }
  // Takes one task from this worker's queue (a thief). Thread-safe.
  bool TryPop(TaskRecord*& task);
  // The same for the owner's own thread only: uses its consumer token.
  bool TryPopOwn(TaskRecord*& task);

  // --- the spawned stack ---------------------------------------------------
  // Tasks added by the code this worker runs (AddTask on its own thread) go
  // on a stack of their own: the owner takes the newest (LIFO), thieves the
  // oldest. Positions are absolute (they only grow), so a task started at
  // SpawnedTop() == m owns everything pushed above m: a helping wait runs
  // only those (isolation). A mutex, not a lock-free deque:
  // the stack is touched only by tasks that spawn tasks, and by thieves.
  void PushSpawned(TaskRecord* task);
  // Own thread only: pops the newest spawned task if its position is at or
  // above `mark`.
  bool TryPopSpawnedAbove(std::uint64_t mark, TaskRecord*& task);
  // A thief: takes the oldest spawned task. Thread-safe.
  bool TryStealSpawned(TaskRecord*& task);
  // Own thread only: the position the next spawned task will get.
  std::uint64_t SpawnedTop() const noexcept { return spawned_top_.load(std::memory_order_relaxed); }

  // Tasks waiting in the queue and the spawned stack; approximate while
  // pushes/pops are in flight.
  std::int64_t Queued() const noexcept { return queued_.load(std::memory_order_relaxed); }
  // The same with a seq_cst load, for the park protocol's re-check.
  std::int64_t QueuedSeqCst() const noexcept { return queued_.load(std::memory_order_seq_cst); }

 private:
  moodycamel::ConcurrentQueue<TaskRecord*> queue_;  // Priority::kNormal
  moodycamel::ConsumerToken own_token_{queue_};     // the worker thread's only
  // The other two levels: a queue each (a slot is a slot,
  // whatever the priority), and their share of queued_.
  struct Level {
    moodycamel::ConcurrentQueue<TaskRecord*> queue;
    moodycamel::ConsumerToken own_token{queue};
    std::atomic<std::int64_t> queued{0};
  };
  Level high_;
  Level low_;
  Level& LevelOf(Priority p) noexcept { return p == Priority::kHigh ? high_ : low_; }
  // Written by producers and thieves.
  alignas(kCacheLine) std::atomic<std::int64_t> queued_{0};
  // The spawned stack on a line of its own: the owner writes it, producers
  // do not touch it.
  // The spawned stack: spawned_[0] sits at position spawned_top_ - size.
  alignas(kCacheLine) Mutex spawned_mu_;
  std::deque<TaskRecord*> spawned_ LITEPOOL_GUARDED_BY(spawned_mu_);
  std::atomic<std::uint64_t> spawned_top_{0};  // written under spawned_mu_
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ENGINE_WORK_QUEUES_HPP_
