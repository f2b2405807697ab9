// litepool/task_options.hpp — TaskOptions, the builder of one task
// (Go: litepool.TaskOptions).
//
//   pool.AddTask(tg.NewTaskOptions()
//                    .SetTask([] { return DoWork(); })      // Error() or void()
//                    .SetOnError([](litepool::ErrHandle& h, litepool::TaskGroup&,
//                                   const litepool::Error&) { h.ErrReload(3); })
//                    .SetAutoDone());
//
// A value type: copy it to submit the same task twice, move it to submit it
// once. Every setter returns `*this` on an lvalue and a new TaskOptions on an
// rvalue, so chains on temporaries never dangle. Not thread-safe: build one
// TaskOptions on one thread (submitting copies from many threads is fine).
//
// Callables: any move-constructible callable, move-only ones included
// (`[p = std::make_unique<T>()] { ... }`). Captures up to 48 bytes need no
// heap block: up to 24 bytes the body lives in the task's one-cache-line
// engine record, up to 48 in the recycled block behind it. Copying a
// TaskOptions copies its callables; if one of them is move-only the copy
// throws std::logic_error naming its setter ("TaskOptions::SetTask holds a
// move-only callable: move the options instead of copying them"), so pass
// such options to AddTask with std::move. A callable of the wrong signature
// is a compile-time error whose message lists the accepted forms.
//
// Errors: setting an empty std::function, a null function pointer, a null
// interface, a negative add-timeout or a priority outside the enum throws
// std::invalid_argument at once. AddTask of a TaskOptions without a task or
// with a negative queue timeout returns ErrorCode::kInvalidArgument.
#ifndef LITEPOOL_TASK_OPTIONS_HPP_
#define LITEPOOL_TASK_OPTIONS_HPP_

#include "litepool/detail/export.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "litepool/detail/task_spec.hpp"
#include "litepool/err_handle.hpp"
#include "litepool/error.hpp"
#include "litepool/priority.hpp"
#include "litepool/task.hpp"
#include "litepool/task_group.hpp"

namespace litepool {

class Pool;
class Dependency;

namespace detail {
struct TaskOptionsAccess;
// A callable that takes no argument and returns something other than Error
// or void: what Pool::Submit is for.
template <class F, class D = std::decay_t<F>>
constexpr bool kReturnsValue = [] {
  if constexpr (std::is_invocable_v<D&>) {
    using R = std::invoke_result_t<D&>;
    return !std::is_void_v<R> && !std::is_same_v<std::remove_cvref_t<R>, Error>;
  } else {
    return false;
  }
}();
}  // namespace detail

// The messages of the wrong-signature diagnostics (static_assert needs a
// literal); undefined again at the end of this header.
#define LITEPOOL_SET_TASK_FORMS                                             \
  "litepool::TaskOptions::SetTask accepts a callable Error() or void() "    \
  "(lambda, function pointer, std::function; a move-only one passed as an " \
  "rvalue) or a std::shared_ptr to an ITask (a TaskExec: "                  \
  "SetTaskWithInterface)"
#define LITEPOOL_SET_TASK_VALUE                                            \
  "litepool::TaskOptions::SetTask accepts a callable Error() or void(); "  \
  "this one returns a value: use Pool::Submit, which returns a Future<R> " \
  "(or return Error() and store the value in a capture)"
#define LITEPOOL_VOID_HOOK_FORMS                                       \
  "litepool::TaskOptions::SetOnSuccess/SetOnComplete/SetOnAddTimeout " \
  "accept a callable void() (a move-only one passed as an rvalue); "   \
  "interfaces go to Set...WithInterface"
#define LITEPOOL_ON_ERROR_FORMS                                            \
  "litepool::TaskOptions::SetOnError accepts a callable "                  \
  "void(ErrHandle&, TaskGroup&, const Error&) or "                         \
  "void(ErrHandle&, const Error&) (a move-only one passed as an rvalue); " \
  "a TaskOnError goes to SetOnErrorWithInterface"

// The description of one task: its body, its hooks, its group, its
// add-timeout and its scheduling controls (priority, queue timeout). Build it, then hand it to
// Pool::AddTask (by copy or move).
//
// Every setter replaces what an earlier call of the same setter (or of its
// interface twin) set; SetTask(std::shared_ptr<ITask>) replaces all hooks.
// Setters never block and never touch a pool. Hooks run on a worker thread
// unless said otherwise. Each setter `&` has an `&&` twin for temporaries
// (same contract, returns the new TaskOptions by value). Go name: TaskOptions.
class LITEPOOL_API TaskOptions {
 public:
  // Options with no task and no group. Never allocates.
  TaskOptions() = default;
  // A copy holds copies of the callables, the same interface objects and
  // the same group; each copy submitted is a separate task. A move-only
  // callable cannot be copied: std::logic_error naming its setter.
  TaskOptions(const TaskOptions&) = default;
  TaskOptions& operator=(const TaskOptions&) = default;
  // A moved-from TaskOptions is empty again (no task, no group), so reusing
  // it is reported by AddTask as kInvalidArgument.
  TaskOptions(TaskOptions&& other) noexcept : spec_(std::move(other.spec_)) { other.spec_.Clear(); }
  TaskOptions& operator=(TaskOptions&& other) noexcept {
    spec_ = std::move(other.spec_);
    other.spec_.Clear();
    return *this;
  }

  // The task body: `Error()` or `void()`; a throw becomes kException.
  // Runs on a worker thread, once per attempt; copies of these options
  // submitted as several tasks run their own copies of `f` concurrently.
  // An empty std::function or null function pointer throws
  // std::invalid_argument.
  template <class F>
  requires detail::TaskBody<F> TaskOptions& SetTask(F&& f) & {
    detail::RequireCallable(f, "SetTask: empty callable");
    using D = std::decay_t<F>;
    if constexpr (std::is_void_v<std::invoke_result_t<D&>>) {
      spec_.SetBody(detail::VoidBody<D>{D(std::forward<F>(f))});
    } else {
      spec_.SetBody(D(std::forward<F>(f)));
    }
    return *this;
  }
  template <class F>
  requires detail::TaskBody<F> TaskOptions SetTask(F&& f) && {
    SetTask(std::forward<F>(f));
    return std::move(*this);
  }
  // Anything else given to SetTask: a compile-time error that lists the
  // accepted forms.
  template <class F>
  requires(!detail::TaskBody<F> && !detail::ITaskPointer<F>) TaskOptions& SetTask(F&&) & {
    // One of the two fails: a callable returning a value is pointed to
    // Submit, anything else gets the list of accepted forms.
    static_assert(!detail::kReturnsValue<F>, LITEPOOL_SET_TASK_VALUE);
    static_assert(detail::kReturnsValue<F>, LITEPOOL_SET_TASK_FORMS);
    return *this;
  }
  template <class F>
  requires(!detail::TaskBody<F> && !detail::ITaskPointer<F>) TaskOptions SetTask(F&&) && {
    // One of the two fails: a callable returning a value is pointed to
    // Submit, anything else gets the list of accepted forms.
    static_assert(!detail::kReturnsValue<F>, LITEPOOL_SET_TASK_VALUE);
    static_assert(detail::kReturnsValue<F>, LITEPOOL_SET_TASK_FORMS);
    return std::move(*this);
  }

  // The whole object: Exec and every hook of `task` (replaces hooks set
  // before). Null throws std::invalid_argument.
  TaskOptions& SetTask(std::shared_ptr<ITask> task) &;
  TaskOptions SetTask(std::shared_ptr<ITask> task) && {
    SetTask(std::move(task));
    return std::move(*this);
  }

  // Only the body: hooks stay as set. The pool
  // keeps `task` alive until the task settles. Null throws
  // std::invalid_argument.
  TaskOptions& SetTaskWithInterface(std::shared_ptr<TaskExec> task) &;
  TaskOptions SetTaskWithInterface(std::shared_ptr<TaskExec> task) && {
    SetTaskWithInterface(std::move(task));
    return std::move(*this);
  }

  // Runs once if the first run succeeded, on the worker that ran it (see
  // TaskOnSuccess). Empty throws std::invalid_argument.
  template <class F>
  requires detail::VoidHook<F> TaskOptions& SetOnSuccess(F&& f) & {
    detail::RequireCallable(f, "SetOnSuccess: empty callable");
    spec_.hooks.on_success_iface.reset();
    spec_.hooks.on_success_fn = std::forward<F>(f);
    return *this;
  }
  template <class F>
  requires detail::VoidHook<F> TaskOptions SetOnSuccess(F&& f) && {
    SetOnSuccess(std::forward<F>(f));
    return std::move(*this);
  }
  template <class F>
  requires(!(detail::VoidHook<F>)) TaskOptions& SetOnSuccess(F&&) & {
    static_assert(detail::kAlwaysFalse<F>, LITEPOOL_VOID_HOOK_FORMS);
    return *this;
  }
  template <class F>
  requires(!(detail::VoidHook<F>)) TaskOptions SetOnSuccess(F&&) && {
    static_assert(detail::kAlwaysFalse<F>, LITEPOOL_VOID_HOOK_FORMS);
    return std::move(*this);
  }
  // As SetOnSuccess, calling h->OnSuccess(). Null throws
  // std::invalid_argument.
  TaskOptions& SetOnSuccessWithInterface(std::shared_ptr<TaskOnSuccess> h) &;
  TaskOptions SetOnSuccessWithInterface(std::shared_ptr<TaskOnSuccess> h) && {
    SetOnSuccessWithInterface(std::move(h));
    return std::move(*this);
  }

  // Runs once if the first run failed, on the worker that ran it:
  // void(ErrHandle&, TaskGroup&, const Error&) or void(ErrHandle&, const Error&).
  // Call ErrHandle::ErrReload inside it to retry (see TaskOnError for what
  // happens otherwise). Without any OnError a failure lands in Errors().
  // Empty throws std::invalid_argument.
  template <class F>
  requires(detail::ErrorHook3<F> || detail::ErrorHook2<F>) TaskOptions& SetOnError(F&& f) & {
    detail::RequireCallable(f, "SetOnError: empty callable");
    spec_.hooks.on_error_iface.reset();
    if constexpr (detail::ErrorHook3<F>) {
      spec_.hooks.on_error_fn = std::forward<F>(f);
    } else {
      spec_.hooks.on_error_fn = [g = std::decay_t<F>(std::forward<F>(f))](
                                    ErrHandle& h, TaskGroup&, const Error& e) mutable { g(h, e); };
    }
    return *this;
  }
  template <class F>
  requires(detail::ErrorHook3<F> || detail::ErrorHook2<F>) TaskOptions SetOnError(F&& f) && {
    SetOnError(std::forward<F>(f));
    return std::move(*this);
  }
  template <class F>
  requires(!(detail::ErrorHook3<F> || detail::ErrorHook2<F>)) TaskOptions& SetOnError(F&&) & {
    static_assert(detail::kAlwaysFalse<F>, LITEPOOL_ON_ERROR_FORMS);
    return *this;
  }
  template <class F>
  requires(!(detail::ErrorHook3<F> || detail::ErrorHook2<F>)) TaskOptions SetOnError(F&&) && {
    static_assert(detail::kAlwaysFalse<F>, LITEPOOL_ON_ERROR_FORMS);
    return std::move(*this);
  }
  // As SetOnError, calling h->OnError(...). Null throws
  // std::invalid_argument.
  TaskOptions& SetOnErrorWithInterface(std::shared_ptr<TaskOnError> h) &;
  TaskOptions SetOnErrorWithInterface(std::shared_ptr<TaskOnError> h) && {
    SetOnErrorWithInterface(std::move(h));
    return std::move(*this);
  }

  // Runs once, last, whatever the outcome, before the group is credited
  // (see TaskOnComplete). Empty throws std::invalid_argument.
  template <class F>
  requires detail::VoidHook<F> TaskOptions& SetOnComplete(F&& f) & {
    detail::RequireCallable(f, "SetOnComplete: empty callable");
    spec_.hooks.on_complete_iface.reset();
    spec_.hooks.on_complete_fn = std::forward<F>(f);
    return *this;
  }
  template <class F>
  requires detail::VoidHook<F> TaskOptions SetOnComplete(F&& f) && {
    SetOnComplete(std::forward<F>(f));
    return std::move(*this);
  }
  template <class F>
  requires(!(detail::VoidHook<F>)) TaskOptions& SetOnComplete(F&&) & {
    static_assert(detail::kAlwaysFalse<F>, LITEPOOL_VOID_HOOK_FORMS);
    return *this;
  }
  template <class F>
  requires(!(detail::VoidHook<F>)) TaskOptions SetOnComplete(F&&) && {
    static_assert(detail::kAlwaysFalse<F>, LITEPOOL_VOID_HOOK_FORMS);
    return std::move(*this);
  }
  // As SetOnComplete, calling h->OnComplete(). Null throws
  // std::invalid_argument.
  TaskOptions& SetOnCompleteWithInterface(std::shared_ptr<TaskOnComplete> h) &;
  TaskOptions SetOnCompleteWithInterface(std::shared_ptr<TaskOnComplete> h) && {
    SetOnCompleteWithInterface(std::move(h));
    return std::move(*this);
  }

  // Credit the group once when the task has settled, whatever the outcome
  // (also when AddTask rejects it). Without a group: no effect.
  TaskOptions& SetAutoDone() &;
  TaskOptions SetAutoDone() && {
    SetAutoDone();
    return std::move(*this);
  }

  // How long AddTask may wait for a free slot. Unset: as long as it takes.
  // Zero: try once. Negative throws std::invalid_argument.
  TaskOptions& SetAddTimeout(std::chrono::nanoseconds timeout) &;
  TaskOptions SetAddTimeout(std::chrono::nanoseconds timeout) && {
    SetAddTimeout(timeout);
    return std::move(*this);
  }

  // Runs on the submitting thread, inside AddTask, when the add-timeout
  // expires (AddTask then returns kTimeout). A throw is caught and listed
  // in the group's Errors(). Empty throws std::invalid_argument.
  template <class F>
  requires detail::VoidHook<F> TaskOptions& SetOnAddTimeout(F&& f) & {
    detail::RequireCallable(f, "SetOnAddTimeout: empty callable");
    spec_.on_add_timeout = std::forward<F>(f);
    return *this;
  }
  template <class F>
  requires detail::VoidHook<F> TaskOptions SetOnAddTimeout(F&& f) && {
    SetOnAddTimeout(std::forward<F>(f));
    return std::move(*this);
  }
  template <class F>
  requires(!(detail::VoidHook<F>)) TaskOptions& SetOnAddTimeout(F&&) & {
    static_assert(detail::kAlwaysFalse<F>, LITEPOOL_VOID_HOOK_FORMS);
    return *this;
  }
  template <class F>
  requires(!(detail::VoidHook<F>)) TaskOptions SetOnAddTimeout(F&&) && {
    static_assert(detail::kAlwaysFalse<F>, LITEPOOL_VOID_HOOK_FORMS);
    return std::move(*this);
  }

  // The task's scheduling class; kNormal unless set. A
  // worker always takes the highest-priority task it can see — its own
  // queue, then the queue it steals from — before a lower one; within one
  // priority no order is promised. Priority orders starts, not admission: a
  // slot is a slot whatever the priority, and producers blocked on a full
  // pool are admitted in priority order. Every retry keeps the priority. A
  // value outside the enum throws std::invalid_argument.
  TaskOptions& SetPriority(Priority priority) &;
  TaskOptions SetPriority(Priority priority) && {
    SetPriority(priority);
    return std::move(*this);
  }

  // The queue timeout (folly's expiry; Go has none): a task whose first
  // attempt has not started within `timeout` of its admission (AddTask
  // returning ok) does not run. It settles with ErrorCode::kExpired like a
  // failed first run — OnError sees kExpired (without OnError the error goes
  // to the group's Errors()), then `after` if OnError asked for a retry,
  // OnComplete and the auto-Done credit — on one of the pool's threads,
  // about `timeout` after admission: it does not wait for a worker to reach
  // it, and its slot is free at once. Counted in WorkerUsage::expired and
  // failed. The clock keeps running while the pool is paused. Retries are
  // not re-timed. A task whose timeout has run out when a worker reaches it
  // never runs, even if the timer thread has not settled it yet: so zero
  // means the task always expires without running. Unset: no timeout. A negative `timeout` is not
  // thrown here: AddTask rejects the task with kInvalidArgument (a bad TaskOptions, like one
  // without a task).
  TaskOptions& SetQueueTimeout(std::chrono::nanoseconds timeout) &;
  TaskOptions SetQueueTimeout(std::chrono::nanoseconds timeout) && {
    SetQueueTimeout(timeout);
    return std::move(*this);
  }

  // A delayed task: AddTask admits it at once (it counts in WaitIdle and
  // Stats().delayed; Purge and Close(kCancelPending) cancel it with
  // kCancelled, its hooks and credit running as for a purged task), but
  // it is queued only `delay` after the AddTask call; until then it holds
  // no queue slot and no worker, so AddTask does not wait for a slot.
  // Coming due it is queued even on a full pool (as a retry is).
  // Close(kDrain) waits for it and runs it at its time. Zero or negative:
  // no delay. Its queue timeout, if any, counts from when it is queued.
  // Pool::AddTaskGroup rejects delayed and dependent tasks
  // (kInvalidArgument): admit them one by one.
  TaskOptions& SetDelay(std::chrono::nanoseconds delay) &;
  TaskOptions SetDelay(std::chrono::nanoseconds delay) && {
    SetDelay(delay);
    return std::move(*this);
  }

  // A dependent task (Taskflow's dependent_async): AddTask admits it at
  // once, as SetDelay does (counted, cancellable, purgeable), but it is
  // queued only once every dependency has settled, whatever the outcome
  // (a failed, cancelled or purged dependency releases it too: check its
  // Future inside the task if it matters). Until then it holds no queue
  // slot and no worker; 100 000 pending dependents cost memory, not
  // threads. With SetDelay too, it is queued once both hold. An empty list
  // means no dependency. Replaces an earlier SetAfter. Close(kDrain) waits
  // for the dependencies (a dependency that never settles keeps it
  // waiting). Never blocks.
  // (Both out of line: Dependency is complete only where future.hpp is.)
  TaskOptions& SetAfter(std::vector<Dependency> deps) &;
  TaskOptions SetAfter(std::vector<Dependency> deps) &&;

  // Binds the task to `group` (as TaskGroup::NewTaskOptions does),
  // replacing any earlier group. Does not change the group's counter: Add()
  // or size the group for the task yourself.
  TaskOptions& SetGroup(const TaskGroup& group) &;
  TaskOptions SetGroup(const TaskGroup& group) && {
    SetGroup(group);
    return std::move(*this);
  }

  // True when a task body is set. Never throws.
  bool HasTask() const noexcept { return spec_.HasTask(); }

 private:
  friend struct detail::TaskOptionsAccess;

  detail::TaskSpec spec_;
};

}  // namespace litepool

#undef LITEPOOL_SET_TASK_FORMS
#undef LITEPOOL_SET_TASK_VALUE
#undef LITEPOOL_VOID_HOOK_FORMS
#undef LITEPOOL_ON_ERROR_FORMS

#endif  // LITEPOOL_TASK_OPTIONS_HPP_
