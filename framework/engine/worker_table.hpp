// WorkerTable: a pool's workers, in a table that Pool::SetWorkers grows and
// shrinks while producers and thieves read it without a lock.
//
// Slots are filled once, in order, and never emptied before the engine
// goes: a slot's Worker outlives every thread that ever served in it.
//   [0, Seated())  the workers the dispatcher picks from (and Stats' rows)
//   [0, Made())    every worker ever made: a worker that left (SetWorkers
//                  shrank the pool) may still get a task from a producer
//                  that picked it just before, so thieves, the park
//                  re-check, the counters and Close walk these too; growing
//                  again seats the same Workers (new threads), so the table
//                  never holds more than the largest size the pool had
// SetWorkers (one at a time, under the engine's resize mutex) writes; any
// thread reads. A reader that saw a count sees the slots below it (release
// on the count, acquire on its load); a stale count is harmless: the worker
// it names still exists.
#ifndef LITEPOOL_FRAMEWORK_WORKER_TABLE_HPP_
#define LITEPOOL_FRAMEWORK_WORKER_TABLE_HPP_

#include <atomic>
#include <cstddef>
#include <memory>

#include "engine/worker.hpp"

namespace litepool::detail {

class WorkerTable {
 public:
  // One thread, queue and stack each: beyond a few thousand workers a pool
  // is a configuration mistake, not a machine (PoolOptions::workers and
  // SetWorkers refuse more). The table is this long from the start (32 KiB
  // of pointers), so that growing never moves it under a reader.
  static constexpr std::size_t kMaxWorkers = 4096;

  WorkerTable() : slots_(std::make_unique<std::unique_ptr<Worker>[]>(kMaxWorkers)) {}

  std::size_t Seated() const noexcept { return seated_.load(std::memory_order_acquire); }
  std::size_t Made() const noexcept { return made_.load(std::memory_order_acquire); }
  // Slot i < Made().
  Worker& operator[](std::size_t i) const noexcept { return *slots_[i]; }

  // The resizer only: fills slot Made() (not yet visible to readers).
  void Make(std::unique_ptr<Worker> w) noexcept { slots_[made_.load()] = std::move(w); }
  // The resizer only: publishes the slot Make() filled.
  void PublishMade() noexcept { made_.fetch_add(1, std::memory_order_release); }
  // The resizer only: the dispatcher picks from [0, n) from now on.
  void SetSeated(std::size_t n) noexcept { seated_.store(n, std::memory_order_seq_cst); }

  // f(Worker&) for every worker ever made, or for the seated ones.
  template <class F>
  void ForEachMade(F&& f) const {
    const std::size_t n = Made();
    for (std::size_t i = 0; i < n; ++i) f(*slots_[i]);
  }
  template <class F>
  void ForEachSeated(F&& f) const {
    const std::size_t n = Seated();
    for (std::size_t i = 0; i < n; ++i) f(*slots_[i]);
  }

 private:
  std::unique_ptr<std::unique_ptr<Worker>[]> slots_;
  std::atomic<std::size_t> made_{0};
  std::atomic<std::size_t> seated_{0};
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_WORKER_TABLE_HPP_
