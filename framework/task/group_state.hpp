// The shared state behind TaskGroup handles.
#ifndef LITEPOOL_FRAMEWORK_GROUP_STATE_HPP_
#define LITEPOOL_FRAMEWORK_GROUP_STATE_HPP_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <vector>

#include "base/interruptible_wait.hpp"
#include "litepool/detail/coro_group_waiter.hpp"
#include "litepool/detail/mutex.hpp"
#include "litepool/error.hpp"
#include "litepool/task_group.hpp"
#include "task/stuck_watch.hpp"

namespace litepool::detail {

struct GroupState final : InterruptibleWait {
  explicit GroupState(std::int64_t n) : pending(n) {}

  // Decrements the counter unless it is zero; false when it was zero.
  // Wakes waiters when it reaches zero.
  bool TryDecrement();
  // Adds n > 0 to the counter; false (and unchanged) if the sum would pass
  // INT64_MAX.
  bool Increment(std::int64_t n);
  void AddError(Error e) LITEPOOL_EXCLUDES(mu_);
  // The errors recorded so far (TaskGroup::Errors).
  std::vector<Error> Errors() const LITEPOOL_EXCLUDES(mu_);
  // The error of a credit that would take the counter below zero; `why`
  // names where the extra credit came from.
  static Error BelowZero(const char* why);
  // A settled or rejected task's credit: decrements, or, when the counter is
  // zero already, records BelowZero(why) in errors.
  void Credit(const char* why);
  // Blocks until the counter is zero or `deadline` passed; true at zero.
  // `also`: another reason to return (set under mu_, then cv_ notified; false
  // back: the counter is not zero).
  bool WaitUntilZero(std::optional<std::chrono::steady_clock::time_point> deadline,
                     const std::atomic<bool>* also = nullptr);
  // Cuts a WaitUntilZero short: `flag` (its `also`) set under mu_, then
  // cv_ notified.
  void Interrupt(std::atomic<bool>& flag) override;
  // Coroutine waiters (TaskGroup::WaitAsync): registered under mu_, taken
  // under mu_ by the decrement that finds the counter at zero, then called
  // off the lock (their `ready` posts a resumption, which may block).
  bool AddWaiter(GroupWaiter& w) LITEPOOL_EXCLUDES(mu_);
  GroupWaiter* TakeWaitersLocked() LITEPOOL_REQUIRES(mu_);
  static void RunWaiters(GroupWaiter* list) noexcept;

  std::atomic<std::int64_t> pending;
  std::stop_source stop;
  // The pool a blocking Wait reports a stuck wait on (Pool::NewTaskGroup
  // sets it before the group is shared; null: no report).
  std::shared_ptr<const StuckWatch> watch;

 private:
  // Only GroupState locks these: waiters block on cv_, and Interrupt is the
  // one way another part of the library reaches them.
  mutable Mutex mu_;
  CondVar cv_;
  std::vector<Error> errors_ LITEPOOL_GUARDED_BY(mu_);
  GroupWaiter* waiters_ LITEPOOL_GUARDED_BY(mu_) = nullptr;  // an intrusive stack
};

struct GroupAccess {
  static GroupState* State(const TaskGroup& g) noexcept { return g.state_.get(); }
  static const std::shared_ptr<GroupState>& Shared(const TaskGroup& g) noexcept { return g.state_; }
  static TaskGroup Make(std::shared_ptr<GroupState> s) noexcept { return TaskGroup(std::move(s)); }
  // Moves the state out of a handle the engine owns and drops (a record's),
  // without the reference-count round trip of TaskGroup's copying move.
  static TaskGroup Take(TaskGroup& g) noexcept { return TaskGroup(std::move(g.state_)); }
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_GROUP_STATE_HPP_
