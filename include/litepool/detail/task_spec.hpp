// litepool/detail/task_spec.hpp — what a TaskOptions holds. Internal: do not
// name anything in litepool::detail from application code.
#ifndef LITEPOOL_DETAIL_TASK_SPEC_HPP_
#define LITEPOOL_DETAIL_TASK_SPEC_HPP_

#include "litepool/detail/export.hpp"

#include <chrono>
#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>

#include "litepool/error.hpp"
#include "litepool/task.hpp"

namespace litepool::detail {

struct GroupState;

// Everything but the body that a task may carry into the engine: the
// interface task and the hooks. Each hook is either a std::function or an
// interface pointer (never both): storing the shared_ptr directly avoids
// wrapping it in a std::function, which would allocate. A task with none
// of these (the common case) keeps its engine record to one cache line.
struct TaskHooks {
  std::shared_ptr<TaskExec> exec_iface;
  std::function<void()> on_success_fn;
  std::shared_ptr<TaskOnSuccess> on_success_iface;
  std::function<void(ErrHandle&, TaskGroup&, const Error&)> on_error_fn;
  std::shared_ptr<TaskOnError> on_error_iface;
  std::function<void()> on_complete_fn;
  std::shared_ptr<TaskOnComplete> on_complete_iface;

  // Empties the hooks for certain (a moved-from std::function is only
  // "valid but unspecified"); cheap when they are empty already.
  void Clear() noexcept {
    exec_iface.reset();
    on_success_fn = nullptr;
    on_success_iface.reset();
    on_error_fn = nullptr;
    on_error_iface.reset();
    on_complete_fn = nullptr;
    on_complete_iface.reset();
  }

  bool Any() const noexcept {
    return exec_iface || on_success_fn || on_success_iface || on_error_fn ||
           on_error_iface || on_complete_fn || on_complete_iface;
  }
};

struct TaskSpec {
  std::function<Error()> exec_fn;
  TaskHooks hooks;
  std::function<void()> on_add_timeout;
  std::shared_ptr<GroupState> group;
  std::optional<std::chrono::nanoseconds> add_timeout;
  bool auto_done = false;

  // Empties a moved-from spec for certain; cheap when the members are
  // empty already.
  void Clear() noexcept {
    exec_fn = nullptr;
    hooks.Clear();
    on_add_timeout = nullptr;
    group.reset();
    add_timeout.reset();
    auto_done = false;
  }

  bool HasTask() const noexcept {
    return static_cast<bool>(exec_fn) || static_cast<bool>(hooks.exec_iface);
  }
};

// True for callables usable as a task body: Error() or void().
template <class F>
concept TaskBody =
    std::copy_constructible<std::decay_t<F>> && std::invocable<F&> &&
    (std::same_as<std::invoke_result_t<F&>, Error> ||
     std::is_void_v<std::invoke_result_t<F&>>);

template <class F>
concept VoidHook = std::copy_constructible<std::decay_t<F>> &&
                   std::invocable<F&>;

template <class F>
concept ErrorHook3 =
    std::copy_constructible<std::decay_t<F>> &&
    std::invocable<F&, ErrHandle&, TaskGroup&, const Error&>;

template <class F>
concept ErrorHook2 = std::copy_constructible<std::decay_t<F>> &&
                     std::invocable<F&, ErrHandle&, const Error&> &&
                     !ErrorHook3<F>;

[[noreturn]] LITEPOOL_API void ThrowNullArgument(const char* what);

// Throws std::invalid_argument naming `what` when a callable that can be
// tested for emptiness (std::function, function pointer) is empty.
template <class F>
void RequireCallable(const F& f, const char* what) {
  if constexpr (std::is_constructible_v<bool, const F&>) {
    if (!static_cast<bool>(f)) ThrowNullArgument(what);
  }
}

}  // namespace litepool::detail

#endif  // LITEPOOL_DETAIL_TASK_SPEC_HPP_
