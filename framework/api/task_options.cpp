// TaskOptions setters that need no template, and ITask's default OnError.
#include "litepool/task_options.hpp"

#include "api/dependency_list.hpp"
#include "litepool/future.hpp"

#include <stdexcept>
#include <string>

#include "api/task_options_access.hpp"
#include "litepool/pool.hpp"
#include "task/err_handle_access.hpp"
#include "task/group_state.hpp"

namespace litepool {

namespace detail {
void ThrowNullArgument(const char* what) { throw std::invalid_argument(what); }
void SetQueuedStop(TaskOptions& options, std::stop_token stop) {
  TaskOptionsAccess::Spec(options).hooks.stop = std::move(stop);
}
void ThrowMoveOnlyCopy(const char* setter) {
  throw std::logic_error(std::string("TaskOptions::") + setter +
                         " holds a move-only callable: move the options "
                         "instead of copying them");
}
}  // namespace detail

void ITask::OnError(ErrHandle& handle, TaskGroup&, const Error&) {
  detail::ErrHandleAccess::MarkUnhandled(handle);
}

TaskOptions& TaskOptions::SetTask(std::shared_ptr<ITask> task) & {
  if (!task) detail::ThrowNullArgument("SetTask: null ITask");
  spec_.exec_fn = nullptr;
  spec_.hooks.exec_large = nullptr;
  spec_.hooks.on_success_fn = nullptr;
  spec_.hooks.on_error_fn = nullptr;
  spec_.hooks.on_complete_fn = nullptr;
  spec_.hooks.exec_iface = task;
  spec_.hooks.on_success_iface = task;
  spec_.hooks.on_error_iface = task;
  spec_.hooks.on_complete_iface = std::move(task);
  return *this;
}

TaskOptions& TaskOptions::SetTaskWithInterface(std::shared_ptr<TaskExec> task) & {
  if (!task) detail::ThrowNullArgument("SetTaskWithInterface: null TaskExec");
  spec_.exec_fn = nullptr;
  spec_.hooks.exec_large = nullptr;
  spec_.hooks.exec_iface = std::move(task);
  return *this;
}

TaskOptions& TaskOptions::SetOnSuccessWithInterface(std::shared_ptr<TaskOnSuccess> h) & {
  if (!h) detail::ThrowNullArgument("SetOnSuccessWithInterface: null TaskOnSuccess");
  spec_.hooks.on_success_fn = nullptr;
  spec_.hooks.on_success_iface = std::move(h);
  return *this;
}

TaskOptions& TaskOptions::SetOnErrorWithInterface(std::shared_ptr<TaskOnError> h) & {
  if (!h) detail::ThrowNullArgument("SetOnErrorWithInterface: null TaskOnError");
  spec_.hooks.on_error_fn = nullptr;
  spec_.hooks.on_error_iface = std::move(h);
  return *this;
}

TaskOptions& TaskOptions::SetOnCompleteWithInterface(std::shared_ptr<TaskOnComplete> h) & {
  if (!h) detail::ThrowNullArgument("SetOnCompleteWithInterface: null TaskOnComplete");
  spec_.hooks.on_complete_fn = nullptr;
  spec_.hooks.on_complete_iface = std::move(h);
  return *this;
}

TaskOptions& TaskOptions::SetAutoDone() & {
  spec_.auto_done = true;
  return *this;
}

TaskOptions& TaskOptions::SetAddTimeout(std::chrono::nanoseconds timeout) & {
  if (timeout.count() < 0) {
    throw std::invalid_argument("SetAddTimeout: negative timeout");
  }
  spec_.add_timeout = timeout;
  return *this;
}

TaskOptions& TaskOptions::SetPriority(Priority priority) & {
  switch (priority) {
    case Priority::kLow:
    case Priority::kNormal:
    case Priority::kHigh:
      spec_.hooks.priority = priority;
      return *this;
  }
  throw std::invalid_argument("SetPriority: not a Priority (kLow, kNormal, kHigh)");
}

// A negative timeout is stored as given: AddTask rejects it with
// kInvalidArgument (TaskSpec::InvalidReason), so Submit reports it through
// its Future like any other rejected task.
TaskOptions& TaskOptions::SetQueueTimeout(std::chrono::nanoseconds timeout) & {
  spec_.hooks.queue_timeout = timeout;
  return *this;
}

TaskOptions& TaskOptions::SetDelay(std::chrono::nanoseconds delay) & {
  spec_.delay = delay.count() > 0 ? delay : std::chrono::nanoseconds(0);
  return *this;
}

TaskOptions& TaskOptions::SetAfter(std::vector<Dependency> deps) & {
  if (deps.empty()) {
    spec_.after.reset();
  } else {
    spec_.after = std::make_shared<const detail::DependencyList>(std::move(deps));
  }
  return *this;
}

TaskOptions TaskOptions::SetAfter(std::vector<Dependency> deps) && {
  SetAfter(std::move(deps));
  return std::move(*this);
}

TaskOptions& TaskOptions::SetGroup(const TaskGroup& group) & {
  spec_.group = detail::GroupAccess::Shared(group);
  return *this;
}

}  // namespace litepool
