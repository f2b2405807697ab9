// HelpingWaits: the one way a wait on a worker thread enters its pool's
// scheduler. TaskGroup::Wait (and Future::Get, ParallelFor and Map, which
// wait through a TaskGroup) and Pool::WaitIdle called on a worker thread
// reach it through that thread's Worker (Worker::Waits()), so nothing below
// the scheduler names the scheduler or the engine.
#ifndef LITEPOOL_FRAMEWORK_ENGINE_HELPING_WAITS_HPP_
#define LITEPOOL_FRAMEWORK_ENGINE_HELPING_WAITS_HPP_

#include <chrono>
#include <optional>

namespace litepool::detail {

class Worker;
struct GroupState;

class HelpingWaits {
 public:
  using Deadline = std::optional<std::chrono::steady_clock::time_point>;

  // On `self`'s own thread: runs the tasks that the running task spawned
  // (and only those) until `group`'s counter is zero; with none left to run,
  // blocks on the group, a spare thread standing in. True at zero, false at
  // `deadline`. Returns happens-after every credit that brought it to zero.
  virtual bool WaitGroup(Worker& self, GroupState& group, Deadline deadline) = 0;
  // The same until the pool is idle (Pool::WaitIdle on a worker thread; the
  // waiting task itself does not count as running).
  virtual bool WaitIdle(Worker& self, Deadline deadline) = 0;

 protected:
  ~HelpingWaits() = default;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ENGINE_HELPING_WAITS_HPP_
