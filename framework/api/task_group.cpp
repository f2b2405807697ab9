// TaskGroup handles and their shared GroupState.
#include "litepool/task_group.hpp"

#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "litepool/detail/deadline.hpp"
#include "engine/engine.hpp"
#include "engine/execution_context.hpp"
#include "task/group_state.hpp"
#include "litepool/task_options.hpp"
#include "task/task_record.hpp"
#include "engine/worker.hpp"

namespace litepool {
namespace detail {

bool GroupState::TryDecrement() {
  // Relaxed first read: the CAS below re-validates with acq_rel.
  std::int64_t cur = pending.load(std::memory_order_relaxed);
  do {
    if (cur <= 0) return false;
  } while (!pending.compare_exchange_weak(cur, cur - 1,
                                          std::memory_order_acq_rel,
                                          std::memory_order_relaxed));
  if (cur == 1) {
    GroupWaiter* coroutine_waiters = nullptr;
    {
      // Lock so a waiter between its check and its wait cannot miss this.
      std::lock_guard lock(mu);
      cv.notify_all();
      coroutine_waiters = TakeWaitersLocked();
    }
    RunWaiters(coroutine_waiters);
  }
  return true;
}

Error GroupState::BelowZero(const char* why) {
  return Error(std::string("TaskGroup::Done: counter would go below zero (") + why + ")",
               ErrorCode::kInvalidArgument);
}

void GroupState::Credit(const char* why) {
  if (!TryDecrement()) AddError(BelowZero(why));
}

bool GroupState::Increment(std::int64_t n) {
  // A CAS loop, not fetch_add: a sum past INT64_MAX would wrap to a
  // negative count that no Done() can bring back to zero.
  std::int64_t now = pending.load(std::memory_order_acquire);
  do {
    if (now > std::numeric_limits<std::int64_t>::max() - n) return false;
  } while (!pending.compare_exchange_weak(now, now + n, std::memory_order_acq_rel,
                                          std::memory_order_acquire));
  return true;
}

void GroupState::AddError(Error e) {
  std::lock_guard lock(mu);
  errors.push_back(std::move(e));
}

bool GroupState::WaitUntilZero(
    std::optional<std::chrono::steady_clock::time_point> deadline,
    const std::atomic<bool>* also) {
  std::unique_lock lock(mu);
  auto zero = [this] { return pending.load(std::memory_order_acquire) == 0; };
  auto done = [&] { return zero() || (also != nullptr && also->load(std::memory_order_relaxed)); };
  if (!deadline) {
    cv.wait(lock, done);
  } else {
    cv.wait_until(lock, *deadline, done);
  }
  return zero();
}

bool GroupState::AddWaiter(GroupWaiter& w) {
  std::lock_guard lock(mu);
  // Under mu: a decrement that reaches zero takes the list under mu after
  // its CAS, so a waiter pushed here while the counter is above zero is
  // seen by that decrement (or a later one).
  if (pending.load(std::memory_order_acquire) == 0) return false;
  w.next = waiters;
  waiters = &w;
  return true;
}

GroupWaiter* GroupState::TakeWaitersLocked() {
  // Only at zero: if Add() raised the counter again since the decrement
  // that called this, the waiters wait for the next zero.
  if (pending.load(std::memory_order_acquire) != 0) return nullptr;
  return std::exchange(waiters, nullptr);
}

void GroupState::RunWaiters(GroupWaiter* list) noexcept {
  while (list != nullptr) {
    GroupWaiter* next = list->next;  // read first: ready() may free the node
    list->ready(list);
    list = next;
  }
}

}  // namespace detail

namespace {
std::shared_ptr<detail::GroupState> NewState(std::int64_t n) {
  if (n < 0) {
    throw std::invalid_argument("TaskGroup: negative count " +
                                std::to_string(n));
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
    throw std::invalid_argument("TaskGroup::Add: negative count " +
                                std::to_string(n) + " (use Done())");
  }
  if (n > 0 && !state_->Increment(n)) {
    throw std::invalid_argument("TaskGroup::Add: " + std::to_string(n) +
                                " would take the counter past INT64_MAX");
  }
}

void TaskGroup::Done() const {
  // Inside the task's own code: credit that task once, when it settles.
  detail::ExecutionContext& ctx = detail::Context();
  if (detail::TaskRecord* task = ctx.task;
      task != nullptr && task->Group() == state_.get()) {
    task->SetCreditRequested();
    return;
  }
  // Inside a rejected task's OnAddTimeout: credit that task, once.
  if (ctx.rejected_group != nullptr && ctx.rejected_group == state_.get()) {
    ctx.rejected_credit = true;
    return;
  }
  if (!state_->TryDecrement()) {
    Error error = detail::GroupState::BelowZero(
        "more Done() calls than the count given to NewTaskGroup/Add");
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
    return worker->GetEngine().WaitOnWorker(*worker, *state_, deadline);
  }
  return state_->WaitUntilZero(deadline);
}

std::int64_t TaskGroup::Pending() const {
  return state_->pending.load(std::memory_order_acquire);
}

void TaskGroup::Cancel() const { state_->stop.request_stop(); }
bool TaskGroup::Cancelled() const { return state_->stop.stop_requested(); }
std::stop_token TaskGroup::StopToken() const { return state_->stop.get_token(); }

bool detail::AddGroupWaiter(const TaskGroup& group, GroupWaiter& waiter) {
  return GroupAccess::State(group)->AddWaiter(waiter);
}

std::vector<Error> TaskGroup::Errors() const {
  std::lock_guard lock(state_->mu);
  return state_->errors;
}

}  // namespace litepool
