// litepool/detail/task_spec.hpp — what a TaskOptions holds. Internal: do not
// name anything in litepool::detail from application code.
#ifndef LITEPOOL_DETAIL_TASK_SPEC_HPP_
#define LITEPOOL_DETAIL_TASK_SPEC_HPP_

#include "litepool/detail/export.hpp"
#include "litepool/detail/move_only_function.hpp"

#include <chrono>
#include <concepts>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <type_traits>

#include "litepool/error.hpp"
#include "litepool/priority.hpp"
#include "litepool/task.hpp"

namespace litepool::detail {

struct GroupState;

// A task body stays inside the one-cache-line engine record when its
// callable (captures) is at most this many bytes: 64 bytes of record minus
// the group handle (16), the extras pointer (8), the flags (4) and the
// function's own table pointer (8), rounded down to a pointer multiple.
// A larger body (up to kInlineCallableBytes, then on the heap) is kept in
// TaskHooks::exec_large, in the record's extras block: no heap block
// either, since record blocks are recycled.
inline constexpr std::size_t kRecordInlineBytes = 24;

// The body as the record stores it, and as TaskHooks stores a larger one.
using ExecFn = MoveOnlyFunction<Error(), kRecordInlineBytes>;
using LargeExecFn = MoveOnlyFunction<Error()>;
using VoidFn = MoveOnlyFunction<void()>;
using ErrorHookFn = MoveOnlyFunction<void(ErrHandle&, TaskGroup&, const Error&)>;

// Throws std::logic_error: "TaskOptions::<setter> holds a move-only
// callable: move the options instead of copying them".
[[noreturn]] LITEPOOL_API void ThrowMoveOnlyCopy(const char* setter);

// A copy of `f` for a copied TaskOptions; a move-only target throws
// std::logic_error naming `setter`.
template <class Sig, std::size_t N>
MoveOnlyFunction<Sig, N> CloneCallable(const MoveOnlyFunction<Sig, N>& f, const char* setter) {
  if (!f.Copyable()) ThrowMoveOnlyCopy(setter);
  return f.Clone();
}

// Everything but a small body that a task may carry into the engine: the
// interface task, a large body, the hooks and the scheduling controls
// (priority, queue timeout). Each hook is either a callable or an interface
// pointer (never both): storing the shared_ptr directly avoids wrapping it.
// A task with none of these (the common case) keeps its engine record to
// one cache line.
struct TaskHooks {
  std::shared_ptr<TaskExec> exec_iface;
  LargeExecFn exec_large;  // a body larger than kRecordInlineBytes
  VoidFn on_success_fn;
  std::shared_ptr<TaskOnSuccess> on_success_iface;
  ErrorHookFn on_error_fn;
  std::shared_ptr<TaskOnError> on_error_iface;
  VoidFn on_complete_fn;
  std::shared_ptr<TaskOnComplete> on_complete_iface;
  // Scheduling controls, here so that a plain task does not
  // pay for them: a task that sets either one counts as Any(), so its record
  // gets an extras block and a retry still finds them there.
  // TaskOptions::SetPriority; the queue (level) every attempt goes to.
  Priority priority = Priority::kNormal;
  // TaskOptions::SetQueueTimeout; unset: never expires. Measured from the
  // admission of the first attempt only (retries are not re-timed). May be
  // negative here: AddTask rejects that (TaskSpec::InvalidReason).
  std::optional<std::chrono::nanoseconds> queue_timeout;
  // SubmitOptions::stop: a stop requested while the task is queued settles
  // it at once as kCancelled (its slot freed), as an expiry does.
  std::stop_token stop;

  TaskHooks() = default;
  TaskHooks(TaskHooks&&) noexcept = default;
  TaskHooks& operator=(TaskHooks&&) noexcept = default;
  // Copies the callables; a move-only one throws std::logic_error naming
  // its setter.
  TaskHooks(const TaskHooks& o)
      : exec_iface(o.exec_iface),
        exec_large(CloneCallable(o.exec_large, "SetTask")),
        on_success_fn(CloneCallable(o.on_success_fn, "SetOnSuccess")),
        on_success_iface(o.on_success_iface),
        on_error_fn(CloneCallable(o.on_error_fn, "SetOnError")),
        on_error_iface(o.on_error_iface),
        on_complete_fn(CloneCallable(o.on_complete_fn, "SetOnComplete")),
        on_complete_iface(o.on_complete_iface),
        priority(o.priority),
        queue_timeout(o.queue_timeout),
        stop(o.stop) {}
  TaskHooks& operator=(const TaskHooks& o) {
    if (this != &o) *this = TaskHooks(o);
    return *this;
  }

  // Empties the hooks; cheap when they are empty already.
  void Clear() noexcept {
    exec_iface.reset();
    exec_large = nullptr;
    on_success_fn = nullptr;
    on_success_iface.reset();
    on_error_fn = nullptr;
    on_error_iface.reset();
    on_complete_fn = nullptr;
    on_complete_iface.reset();
    priority = Priority::kNormal;
    queue_timeout.reset();
    stop = std::stop_token();
  }

  bool Any() const noexcept {
    return exec_iface || exec_large || on_success_fn || on_success_iface || on_error_fn ||
           on_error_iface || on_complete_fn || on_complete_iface || priority != Priority::kNormal ||
           queue_timeout.has_value() || stop.stop_possible();
  }
};

// The dependencies of a dependent task (TaskOptions::SetAfter), shared by
// copies of its TaskOptions; defined by the library (task_options.cpp).
struct DependencyList;

struct TaskSpec {
  ExecFn exec_fn;  // a small body; else hooks.exec_large or hooks.exec_iface
  TaskHooks hooks;
  VoidFn on_add_timeout;
  std::shared_ptr<GroupState> group;
  std::optional<std::chrono::nanoseconds> add_timeout;
  bool auto_done = false;
  // A coroutine's resumption (coro.hpp), not a user task: Purge leaves it
  // queued and a kCancelPending close still runs it, so no coroutine body
  // ever runs on the thread that purges or closes.
  bool resumption = false;
  // Deferred tasks (the Pool holds them, not the engine): queued not
  // before `delay` after AddTask (TaskOptions::SetDelay), and only once
  // every dependency in `after` settled (TaskOptions::SetAfter).
  std::chrono::nanoseconds delay{0};
  std::shared_ptr<const DependencyList> after;
  bool Deferred() const noexcept { return delay.count() > 0 || after != nullptr; }

  TaskSpec() = default;
  TaskSpec(TaskSpec&&) noexcept = default;
  TaskSpec& operator=(TaskSpec&&) noexcept = default;
  // Copies the callables; a move-only one throws std::logic_error naming
  // its setter.
  TaskSpec(const TaskSpec& o)
      : exec_fn(CloneCallable(o.exec_fn, "SetTask")),
        hooks(o.hooks),
        on_add_timeout(CloneCallable(o.on_add_timeout, "SetOnAddTimeout")),
        group(o.group),
        add_timeout(o.add_timeout),
        auto_done(o.auto_done),
        resumption(o.resumption),
        delay(o.delay),
        after(o.after) {}
  TaskSpec& operator=(const TaskSpec& o) {
    if (this != &o) *this = TaskSpec(o);
    return *this;
  }

  // Empties a moved-from spec for certain; cheap when the members are
  // empty already.
  void Clear() noexcept {
    exec_fn = nullptr;
    hooks.Clear();
    on_add_timeout = nullptr;
    group.reset();
    add_timeout.reset();
    auto_done = false;
    resumption = false;
    delay = std::chrono::nanoseconds(0);
    after.reset();
  }

  bool HasTask() const noexcept {
    return static_cast<bool>(exec_fn) || static_cast<bool>(hooks.exec_large) ||
           static_cast<bool>(hooks.exec_iface);
  }

  // Why AddTask / AddTaskGroup must reject this spec with kInvalidArgument
  // (besides a missing task, see HasTask), or null when it may be admitted.
  // Today: a negative queue timeout. Never throws, never allocates.
  const char* InvalidReason() const noexcept {
    if (hooks.queue_timeout && hooks.queue_timeout->count() < 0) {
      return "SetQueueTimeout: negative timeout";
    }
    return nullptr;
  }

  // Sets the body, inline in the record when it fits (see
  // kRecordInlineBytes), and drops any interface body.
  template <class B>
  void SetBody(B&& body) {
    hooks.exec_iface.reset();
    if constexpr (ExecFn::template kStoresInline<std::decay_t<B>>) {
      exec_fn = std::forward<B>(body);
      hooks.exec_large = nullptr;
    } else {
      hooks.exec_large = std::forward<B>(body);
      exec_fn = nullptr;
    }
  }
};

// A void() task body seen as Error() (ok when it returns).
template <class G>
struct VoidBody {
  G g;
  Error operator()() {
    std::invoke(g);
    return Error();
  }
};

template <class T>
inline constexpr bool kAlwaysFalse = false;

// True for callables usable as a task body: Error() or void(). Move-only
// callables are accepted (passed as rvalues).
template <class F>
concept TaskBody = std::move_constructible<std::decay_t<F>> &&
                   std::constructible_from<std::decay_t<F>, F> && std::invocable < std::decay_t<F>
& > &&(std::same_as<std::invoke_result_t<std::decay_t<F>&>, Error> ||
       std::is_void_v<std::invoke_result_t<std::decay_t<F>&>>);

template <class F>
concept VoidHook = std::move_constructible<std::decay_t<F>> &&
                   std::constructible_from<std::decay_t<F>, F> && std::invocable < std::decay_t<F>
& > ;

template <class F>
concept ErrorHook3 = std::move_constructible<std::decay_t<F>> &&
                     std::constructible_from<std::decay_t<F>, F> && std::invocable < std::decay_t<F>
&, ErrHandle&, TaskGroup&, const Error& > ;

template <class F>
concept ErrorHook2 = std::move_constructible<std::decay_t<F>> &&
                     std::constructible_from<std::decay_t<F>, F> && std::invocable < std::decay_t<F>
&, ErrHandle&, const Error& > &&!ErrorHook3<F>;

// What SetTask(F&&) leaves to its non-template overloads: a
// std::shared_ptr to an ITask-derived type, and nullptr.
template <class F>
concept ITaskPointer = std::is_null_pointer_v<std::remove_cvref_t<F>> ||
    std::is_convertible_v<F, std::shared_ptr<ITask>>;

[[noreturn]] LITEPOOL_API void ThrowNullArgument(const char* what);

// True for a callable that can be tested for emptiness (std::function,
// a function pointer) and is empty.
template <class F>
bool IsNullCallable(const F& f) noexcept {
  if constexpr (std::is_function_v<F>) {
    return false;  // a function named directly (SetTask(Work)) is never null
  } else if constexpr (std::is_constructible_v<bool, const F&>) {
    return !static_cast<bool>(f);
  } else {
    return false;
  }
}

// Throws std::invalid_argument naming `what` when a callable that can be
// tested for emptiness (std::function, function pointer) is empty.
template <class F>
void RequireCallable(const F& f, const char* what) {
  if (IsNullCallable(f)) ThrowNullArgument(what);
}

// True for the values of the Priority enum.
constexpr bool IsPriority(Priority p) noexcept {
  return p == Priority::kLow || p == Priority::kNormal || p == Priority::kHigh;
}

}  // namespace litepool::detail

#endif  // LITEPOOL_DETAIL_TASK_SPEC_HPP_
