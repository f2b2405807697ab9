#include "engine/work_queues.hpp"

namespace litepool::detail {

void WorkQueues::Push(TaskRecord* task) {
  // seq_cst: pairs with the park re-check of the queues (Dekker-style), so
  // either the worker sees this count or the producer sees it parked.
  queued_.fetch_add(1, std::memory_order_seq_cst);
  queue_.enqueue(task);
}

void WorkQueues::PushAt(Priority p, TaskRecord* task) {
  if (p == Priority::kNormal) return Push(task);
  Level& level = LevelOf(p);
  level.queued.fetch_add(1, std::memory_order_relaxed);  // a hint for thieves
  queued_.fetch_add(1, std::memory_order_seq_cst);       // as in Push
  level.queue.enqueue(task);
}

bool WorkQueues::TryPopAt(Priority p, TaskRecord*& task) {
  Level& level = LevelOf(p);
  if (!level.queue.try_dequeue(task)) return false;
  level.queued.fetch_sub(1, std::memory_order_relaxed);
  queued_.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

bool WorkQueues::TryPopOwnAt(Priority p, TaskRecord*& task) {
  Level& level = LevelOf(p);
  if (!level.queue.try_dequeue(level.own_token, task)) return false;
  level.queued.fetch_sub(1, std::memory_order_relaxed);
  queued_.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

bool WorkQueues::TryPop(TaskRecord*& task) {
  if (!queue_.try_dequeue(task)) return false;
  // Relaxed: the count is a load hint; the queue itself synchronises the
  // hand-over of the task.
  queued_.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

bool WorkQueues::TryPopOwn(TaskRecord*& task) {
  if (!queue_.try_dequeue(own_token_, task)) return false;
  queued_.fetch_sub(1, std::memory_order_relaxed);  // a hint, as in TryPop
  return true;
}

void WorkQueues::PushSpawned(TaskRecord* task) {
  queued_.fetch_add(1, std::memory_order_seq_cst);  // as in Push
  MutexLock lock(spawned_mu_);
  spawned_.push_back(task);
  spawned_top_.store(spawned_top_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

bool WorkQueues::TryPopSpawnedAbove(std::uint64_t mark, TaskRecord*& task) {
  // Unlocked first look: only this thread pushes or pops the top, so a top
  // at or below the mark stays there until this thread pushes.
  if (spawned_top_.load(std::memory_order_relaxed) <= mark) return false;
  MutexLock lock(spawned_mu_);
  if (spawned_.empty()) return false;  // thieves took the rest
  const std::uint64_t top = spawned_top_.load(std::memory_order_relaxed);
  if (top <= mark) return false;
  task = spawned_.back();
  spawned_.pop_back();
  spawned_top_.store(top - 1, std::memory_order_relaxed);
  queued_.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

bool WorkQueues::TryStealSpawned(TaskRecord*& task) {
  MutexLock lock(spawned_mu_);
  if (spawned_.empty()) return false;
  task = spawned_.front();
  spawned_.pop_front();
  queued_.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

}  // namespace litepool::detail
