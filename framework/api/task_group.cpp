// TaskGroup handles and their shared GroupState.
#include "litepool/task_group.hpp"

#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "engine/helping_waits.hpp"
#include "engine/worker.hpp"
#include "litepool/detail/deadline.hpp"
#include "litepool/task_options.hpp"
#include "task/execution_context.hpp"
#include "task/group_state.hpp"
#include "task/task_record.hpp"

namespace litepool {

namespace {
std::shared_ptr<detail::GroupState> NewState(std::int64_t n) {
  if (n < 0) {
    throw std::invalid_argument("TaskGroup: negative count " + std::to_string(n));
  }
  return std::make_shared<detail::GroupState>(n);
}
}  // namespace

TaskGroup::TaskGroup() : state_(NewState(0)) {}
TaskGroup::TaskGroup(std::int64_t n) : state_(NewState(n)) {}
TaskGroup::TaskGroup(std::shared_ptr<detail::GroupState> state) noexcept
    : state_(std::move(state)) {}

TaskOptions TaskGroup::NewTaskOptions() const {
  TaskOptions options;
  options.SetGroup(*this);
  return options;
}

void TaskGroup::Add(std::int64_t n) const {
  if (n < 0) {
    throw std::invalid_argument("TaskGroup::Add: negative count " + std::to_string(n) +
                                " (use Done())");
  }
  if (n > 0 && !state_->Increment(n)) {
    throw std::invalid_argument("TaskGroup::Add: " + std::to_string(n) +
                                " would take the counter past INT64_MAX");
  }
}

void TaskGroup::Done() const {
  // Inside the task's own code: credit that task once, when it settles.
  detail::ExecutionContext& ctx = detail::Context();
  if (detail::TaskRecord* task = ctx.task; task != nullptr && task->Group() == state_.get()) {
    task->SetCreditRequested();
    return;
  }
  // Inside a rejected task's OnAddTimeout: credit that task, once.
  if (ctx.rejected_group != nullptr && ctx.rejected_group == state_.get()) {
    ctx.rejected_credit = true;
    return;
  }
  if (!state_->TryDecrement()) {
    Error error =
        detail::GroupState::BelowZero("more Done() calls than the count given to NewTaskGroup/Add");
    // Also in Errors(): a throw in code that swallows exceptions (a hook, a
    // catch-all) must not make the mistake invisible.
    state_->AddError(error);
    throw std::logic_error(error.Message());
  }
}

void TaskGroup::Wait() const { WaitFor(std::chrono::nanoseconds::max()); }

bool TaskGroup::WaitFor(std::chrono::nanoseconds timeout) const {
  const auto deadline = detail::DeadlineAfter(timeout);
  if (detail::Worker* worker = detail::Context().worker) {
    return worker->Waits().WaitGroup(*worker, *state_, deadline);
  }
  return detail::WatchedWait(
      state_->watch.get(), deadline,
      [this](std::optional<std::chrono::steady_clock::time_point> until) {
        return state_->WaitUntilZero(until);
      },
      [this, &deadline] {
        return detail::StuckGroupMessage(deadline ? "TaskGroup::WaitFor" : "TaskGroup::Wait",
                                         *state_->watch, Pending());
      });
}

std::int64_t TaskGroup::Pending() const { return state_->pending.load(std::memory_order_acquire); }

void TaskGroup::Cancel() const { state_->stop.request_stop(); }
bool TaskGroup::Cancelled() const { return state_->stop.stop_requested(); }
std::stop_token TaskGroup::StopToken() const { return state_->stop.get_token(); }

bool detail::AddGroupWaiter(const TaskGroup& group, GroupWaiter& waiter) {
  return GroupAccess::State(group)->AddWaiter(waiter);
}

std::vector<Error> TaskGroup::Errors() const { return state_->Errors(); }

}  // namespace litepool
