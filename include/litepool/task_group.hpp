// litepool/task_group.hpp — TaskGroup: count completions, wait, cancel,
// collect unhandled failures (Go: litepool.TaskGroup, sync.WaitGroup).
//
//   litepool::TaskGroup tg = pool.NewTaskGroup(n);
//   for (...) pool.AddTask(tg.NewTaskOptions().SetTask(work).SetAutoDone());
//   tg.Wait();                       // after the last task's OnComplete
//   for (auto& e : tg.Errors()) ...  // failures nobody handled
//
// A TaskGroup is a cheap handle to shared state: copies refer to the same
// group, every member is const and thread-safe. A handle has no null state:
// moving one copies it, so a moved-from TaskGroup still refers to its group
// and every member works on it as before.
//
// Done semantics: with `SetAutoDone()` a task credits its group exactly once
// when it has settled, after OnComplete returned. A `Done()` called from
// inside a task's own Exec or hooks credits that task (once, at the same
// point), and the automatic credit is then skipped. The same holds for a
// rejected task's OnAddTimeout: a `Done()` there credits the rejected task
// (once, with or without auto-Done), never the task that called AddTask. A
// `Done()` from anywhere else decrements the counter at once.
#ifndef LITEPOOL_TASK_GROUP_HPP_
#define LITEPOOL_TASK_GROUP_HPP_

#include "litepool/detail/export.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <stop_token>
#include <vector>

#include "litepool/error.hpp"

namespace litepool {

class TaskOptions;

namespace detail {
struct GroupState;
struct GroupAccess;
class GroupAwaiter;
}  // namespace detail

// A completion counter with cancellation and an error list, shared by
// handle. Not tied to one pool: tasks of one group may run in several
// pools. Thread-safe: all members, on any copy. Go name: *TaskGroup.
class LITEPOOL_API TaskGroup {
 public:
  // A group waiting for 0 (or `n`) completions. n < 0 throws
  // std::invalid_argument. Allocates the shared state once.
  TaskGroup();
  explicit TaskGroup(std::int64_t n);

  // Copy and move both share the group; a move leaves the source as it was
  // (no null state). Never throw, never allocate.
  TaskGroup(const TaskGroup& other) noexcept = default;
  TaskGroup(TaskGroup&& other) noexcept : state_(other.state_) {}
  TaskGroup& operator=(const TaskGroup& other) noexcept = default;
  TaskGroup& operator=(TaskGroup&& other) noexcept {
    state_ = other.state_;
    return *this;
  }
  ~TaskGroup() = default;

  // Options bound to this group. Does not touch
  // the counter. Thread-safe.
  TaskOptions NewTaskOptions() const;

  // Adds n > 0 to the counter; n == 0 does nothing. n < 0 throws
  // std::invalid_argument (use Done()), and so does an n that would take
  // the counter past INT64_MAX (the counter is then unchanged).
  // Thread-safe, never blocks.
  void Add(std::int64_t n) const;

  // One completion; see "Done semantics" in task_group.hpp. Taking the counter below
  // zero throws std::logic_error, leaves it at zero and also adds the error
  // (kInvalidArgument) to Errors(). Thread-safe.
  void Done() const;

  // Blocks until the counter is zero. On a worker thread of a pool it runs
  // only the tasks its own task added to that pool while it waits (no other
  // task; see "Waits on a worker thread" in pool.hpp), so a task may wait for tasks it added
  // without deadlocking the pool. Off the workers, a group from Pool::NewTaskGroup whose pool has
  // nothing left that could credit it is reported once (PoolOptions::stuck_wait_report: a missing
  // Done() or SetAutoDone()). Returns happens-after everything the credited tasks did (Exec and
  // every hook) and every Done() that brought the counter to zero. Thread-safe.
  void Wait() const;

  // Wait() bounded by `timeout`; false if the counter was still above zero.
  // Blocks at most about `timeout` (on a worker thread it may finish the
  // task of its own it is running first). Thread-safe.
  bool WaitFor(std::chrono::nanoseconds timeout) const;

  // Inside a CoTask (litepool/coro.hpp): `co_await tg.WaitAsync();`
  // suspends the coroutine, without blocking a thread, until the counter is
  // zero, then resumes it as a task posted to its pool (never inline inside
  // the Done() or settlement that reached zero). Returns at once if the
  // counter is zero. Happens-after: everything the work that brought the
  // counter to zero did (callbacks included) is visible after the co_await.
  // Thread-safe; neither the call nor the co_await throws. Needs
  // litepool/coro.hpp (which defines the awaiter).
  detail::GroupAwaiter WaitAsync() const;

  // The counter now. Thread-safe, never blocks.
  std::int64_t Pending() const;

  // Requests cancellation: tasks of this group that have not started settle
  // as kCancelled (their OnError / after / OnComplete / credit still run),
  // retries stop with kCancelled (a retry waiting out a Backoff delay
  // settles at once, not when its delay ends), and AddTask of a new task of this group
  // returns kCancelled. Running tasks see it through StopToken().
  // Idempotent, thread-safe, never blocks.
  void Cancel() const;
  // True once Cancel() was called. Thread-safe, never blocks.
  bool Cancelled() const;
  // Stops when Cancel() is called: pass it to long-running task bodies.
  // Thread-safe, never blocks.
  std::stop_token StopToken() const;

  // Final failures that nobody handled — tasks with no OnError (or ITask's
  // default one), retries exhausted, tasks that expired in the queue (their
  // kExpired error itself: an expired task is never retried, even when its
  // OnError asked for retries) — every exception thrown by a hook, the
  // Error of every task of this group that AddTask/AddTaskGroup rejected
  // (kTimeout, kClosed, kCancelled, kInvalidArgument), and every Done()
  // refused below zero, in the order they happened. Thread-safe; returns a
  // copy.
  std::vector<Error> Errors() const;

  // Two handles are equal when they refer to the same group.
  friend bool operator==(const TaskGroup& a, const TaskGroup& b) noexcept {
    return a.state_ == b.state_;
  }

 private:
  friend struct detail::GroupAccess;
  explicit TaskGroup(std::shared_ptr<detail::GroupState> state) noexcept;
  std::shared_ptr<detail::GroupState> state_;
};

}  // namespace litepool

#endif  // LITEPOOL_TASK_GROUP_HPP_
