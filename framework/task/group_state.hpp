// The shared state behind TaskGroup handles.
#ifndef LITEPOOL_FRAMEWORK_GROUP_STATE_HPP_
#define LITEPOOL_FRAMEWORK_GROUP_STATE_HPP_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <vector>

#include "litepool/detail/coro_group_waiter.hpp"
#include "litepool/error.hpp"
#include "litepool/task_group.hpp"

namespace litepool::detail {

struct GroupState {
  explicit GroupState(std::int64_t n) : pending(n) {}

  // Decrements the counter unless it is zero; false when it was zero.
  // Wakes waiters when it reaches zero.
  bool TryDecrement();
  // Adds n > 0 to the counter; false (and unchanged) if the sum would pass
  // INT64_MAX.
  bool Increment(std::int64_t n);
  void AddError(Error e);
  // The error of a credit that would take the counter below zero; `why`
  // names where the extra credit came from.
  static Error BelowZero(const char* why);
  // A settled or rejected task's credit: decrements, or, when the counter is
  // zero already, records BelowZero(why) in errors.
  void Credit(const char* why);
  // Blocks until the counter is zero or `deadline` passed; true at zero.
  // `also`: another reason to return (set under mu, then cv notified; false
  // back: the counter is not zero).
  bool WaitUntilZero(std::optional<std::chrono::steady_clock::time_point> deadline,
                     const std::atomic<bool>* also = nullptr);
  // Coroutine waiters (TaskGroup::WaitAsync): registered under mu, taken
  // under mu by the decrement that finds the counter at zero, then called
  // off the lock (their `ready` posts a resumption, which may block).
  bool AddWaiter(GroupWaiter& w);
  GroupWaiter* TakeWaitersLocked();
  static void RunWaiters(GroupWaiter* list) noexcept;

  std::atomic<std::int64_t> pending;
  std::stop_source stop;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Error> errors;  // guarded by mu
  GroupWaiter* waiters = nullptr;  // guarded by mu; intrusive stack
};

struct GroupAccess {
  static GroupState* State(const TaskGroup& g) noexcept { return g.state_.get(); }
  static const std::shared_ptr<GroupState>& Shared(const TaskGroup& g) noexcept {
    return g.state_;
  }
  static TaskGroup Make(std::shared_ptr<GroupState> s) noexcept {
    return TaskGroup(std::move(s));
  }
  // Moves the state out of a handle the engine owns and drops (a record's),
  // without the reference-count round trip of TaskGroup's copying move.
  static TaskGroup Take(TaskGroup& g) noexcept { return TaskGroup(std::move(g.state_)); }
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_GROUP_STATE_HPP_
