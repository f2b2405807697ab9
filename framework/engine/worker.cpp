// Worker: its queue, its spawned stack and its parking spot. The loop that
// drives them is the Scheduler's (scheduler.cpp).
#include "engine/worker.hpp"

#include <thread>

namespace litepool::detail {

Worker::Worker(HelpingWaits& pool, RecordPool& records, std::size_t id, bool spare)
    : pool_(pool), id_(id), spare_(spare), records_(records) {}

void Worker::Join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::Push(TaskRecord* task) {
  // seq_cst: pairs with the park re-check of the queues (Dekker-style), so
  // either the worker sees this count or the producer sees it parked.
  queued_.fetch_add(1, std::memory_order_seq_cst);
  queue_.enqueue(task);
}

void Worker::PushAt(Priority p, TaskRecord* task) {
  if (p == Priority::kNormal) return Push(task);
  Level& level = LevelOf(p);
  level.queued.fetch_add(1, std::memory_order_relaxed);  // a hint for thieves
  queued_.fetch_add(1, std::memory_order_seq_cst);       // as in Push
  level.queue.enqueue(task);
}

bool Worker::TryPopAt(Priority p, TaskRecord*& task) {
  Level& level = LevelOf(p);
  if (!level.queue.try_dequeue(task)) return false;
  level.queued.fetch_sub(1, std::memory_order_relaxed);
  queued_.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

bool Worker::TryPopOwnAt(Priority p, TaskRecord*& task) {
  Level& level = LevelOf(p);
  if (!level.queue.try_dequeue(level.own_token, task)) return false;
  level.queued.fetch_sub(1, std::memory_order_relaxed);
  queued_.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

bool Worker::TryPop(TaskRecord*& task) {
  if (!queue_.try_dequeue(task)) return false;
  // Relaxed: the count is a load hint; the queue itself synchronises the
  // hand-over of the task.
  queued_.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

bool Worker::TryPopOwn(TaskRecord*& task) {
  if (!queue_.try_dequeue(own_token_, task)) return false;
  queued_.fetch_sub(1, std::memory_order_relaxed);  // a hint, as in TryPop
  return true;
}

void Worker::PushSpawned(TaskRecord* task) {
  queued_.fetch_add(1, std::memory_order_seq_cst);  // as in Push
  MutexLock lock(spawned_mu_);
  spawned_.push_back(task);
  spawned_top_.store(spawned_top_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

bool Worker::TryPopSpawnedAbove(std::uint64_t mark, TaskRecord*& task) {
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

bool Worker::TryStealSpawned(TaskRecord*& task) {
  MutexLock lock(spawned_mu_);
  if (spawned_.empty()) return false;
  task = spawned_.front();
  spawned_.pop_front();
  queued_.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

void Worker::RecordTrace(const RawTraceEvent& e) noexcept {
  // seq_cst store, then seq_cst load: against ExchangeTrace's seq_cst
  // exchange, then load of the flag (Dekker). Either the exchanger sees this
  // append in flight and waits for it, or this thread sees the new pointer.
  trace_writing_.store(true, std::memory_order_seq_cst);
  if (TraceBuffer* b = trace_.load(std::memory_order_seq_cst)) b->Add(e);
  // Release: the exchanger that sees the flag clear sees the append.
  trace_writing_.store(false, std::memory_order_release);
}

TraceBuffer* Worker::ExchangeTrace(TraceBuffer* buffer) noexcept {
  TraceBuffer* old = trace_.exchange(buffer, std::memory_order_seq_cst);
  while (trace_writing_.load(std::memory_order_seq_cst)) std::this_thread::yield();
  return old;
}

bool Worker::Unpark() noexcept {
  if (!parked_.load(std::memory_order_seq_cst)) return false;
  if (!parked_.exchange(false, std::memory_order_seq_cst)) return false;
  wake_.release();
  return true;
}

bool Worker::UnparkWithClaim() noexcept {
  if (!parked_.load(std::memory_order_seq_cst)) return false;
  if (!parked_.exchange(false, std::memory_order_seq_cst)) return false;
  // Only the thread that won the flag gets here: one claim per wake-up.
  claimed_.store(true, std::memory_order_relaxed);
  wake_.release();
  return true;
}

}  // namespace litepool::detail
