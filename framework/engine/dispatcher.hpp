// Dispatcher: picks the worker for a new task, by the pool's Dispatch policy
// (chosen once, at construction):
//   kIdleFirstTwoChoices  an idle worker first, else the less loaded of two
//                         random candidates (power of two choices); default
//   kRoundRobin           workers in turn (one shared counter)
//   kRandom               a uniformly random worker
//   kLeastLoaded          the worker with the fewest queued + running tasks
//                         (reads every worker's load: O(workers) per task)
//
// The default path is the only one tuned for throughput: Pick() stays out
// of line, tests the policy once (a branch that always goes the same way,
// so it is predicted), then runs the default policy's code. Measured with
// callgrind on EmptyTask/p1/plain: the policy test costs two instructions
// per task.
//
// Idle workers are found through a bit mask (one bit per worker, one word
// per 64 workers) that workers update only when they go idle or busy, so a
// producer reads one cache line instead of every worker's state.
#ifndef LITEPOOL_FRAMEWORK_DISPATCHER_HPP_
#define LITEPOOL_FRAMEWORK_DISPATCHER_HPP_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "base/cache_line.hpp"
#include "litepool/dispatch.hpp"

namespace litepool::detail {

class Worker;
class WorkerTable;

class Dispatcher {
 public:
  // Picks among `workers`' seated workers (filled by the engine afterwards;
  // SetWorkers changes them).
  explicit Dispatcher(const WorkerTable& workers, Dispatch policy = Dispatch::kIdleFirstTwoChoices);

  // The worker to push to, one of the seated ones when it looked (a resize
  // may unseat it meanwhile: its tasks are then stolen or handed off);
  // `*picked_idle` tells whether it was idle (the engine then skips waking a
  // second worker to steal). Thread-safe, lock-free, never blocks.
  Worker& Pick(bool* picked_idle) const;

  Dispatch Policy() const noexcept { return policy_; }

  // Called by worker `id` when it starts or stops looking for work (and,
  // not idle, when it leaves).
  void SetIdle(std::size_t id, bool idle) noexcept;

 private:
  struct alignas(kCacheLine) MaskWord {
    std::atomic<std::uint64_t> bits{0};
  };
  // Round-robin, random and least-loaded.
  Worker& PickOther(bool* picked_idle) const;

  const WorkerTable& workers_;
  std::unique_ptr<MaskWord[]> idle_;  // (WorkerTable::kMaxWorkers + 63) / 64 words
  Dispatch policy_;
  // kRoundRobin's turn counter; its own line, touched by that policy only.
  alignas(kCacheLine) mutable std::atomic<std::uint64_t> next_{0};
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_DISPATCHER_HPP_
