// Future's shared state: readiness, waits and the continuation.
#include "litepool/future.hpp"

#include <thread>

#include "litepool/detail/deadline.hpp"
#include "engine/execution_context.hpp"
#include "task/stuck_watch.hpp"

namespace litepool {

TaskError::TaskError(Error e) : std::runtime_error(e.ToString()), cause_(std::move(e)) {}

namespace detail {
namespace {
// Polls of Ready() (a yield between two) before a plain thread blocks: a
// short task is often done within the time a futex sleep and wake-up take
// (two system calls, ~5 us each way on a VM), which dominated Submit+Get
// of an empty task one at a time (Future/one in future_bench).
constexpr int kPollsBeforeBlocking = 64;
}  // namespace

const Error* DropReason() noexcept { return Context().drop_reason; }

bool FutureStateBase::WaitFor(std::optional<std::chrono::nanoseconds> timeout) {
  if (Ready()) return true;
  const auto deadline = DeadlineAfter(timeout);
  if (Context().worker != nullptr) {
    // A worker must not just block: the task it waits for may sit in this
    // very pool's queues behind it. TaskGroup's helping wait runs queued
    // tasks until the group (credited by Publish) reaches zero. The group
    // is made only here, so a Future waited on elsewhere costs no second
    // allocation.
    std::optional<TaskGroup> group;
    {
      std::lock_guard lock(mu_);
      if (Ready()) return true;
      if (!helper_) helper_.emplace(1);
      group = *helper_;
    }
    if (!deadline) {
      group->Wait();
      return true;
    }
    const auto left = *deadline - std::chrono::steady_clock::now();
    return group->WaitFor(std::max(std::chrono::nanoseconds(0),
                                   std::chrono::duration_cast<std::chrono::nanoseconds>(left)));
  }
  for (int i = 0; i < kPollsBeforeBlocking; ++i) {
    std::this_thread::yield();
    if (Ready()) return true;
    if (deadline && std::chrono::steady_clock::now() >= *deadline) break;
  }
  auto wait_until = [this](std::optional<std::chrono::steady_clock::time_point> until) {
    std::unique_lock lock(mu_);
    auto ready = [this] { return Ready(); };
    if (!until) {
      cv_.wait(lock, ready);
      return true;
    }
    return cv_.wait_until(lock, *until, ready);
  };
  return WatchedWait(watch_.get(), deadline, wait_until,
                     [this] { return StuckFutureMessage(*watch_); });
}

bool FutureStateBase::TryAttach(MoveOnlyFunction<void()>& callback) {
  std::lock_guard lock(mu_);
  if (Ready()) return false;
  if (continuation_) {
    throw std::logic_error("litepool::Future: a continuation is attached already");
  }
  continuation_ = std::move(callback);
  return true;
}

void FutureStateBase::Publish() noexcept {
  MoveOnlyFunction<void()> continuation;
  std::optional<TaskGroup> helper;
  {
    // Under the lock, so a waiter between its check and its wait cannot
    // miss the notification, and TryAttach/WaitFor see either "ready" or
    // leave their callback/group for us.
    std::lock_guard lock(mu_);
    ready_.store(true, std::memory_order_release);
    continuation = std::move(continuation_);
    helper = std::move(helper_);
    helper_.reset();
  }
  cv_.notify_all();
  if (helper) helper->Done();
  if (continuation) continuation();
}

void FutureStateBase::ThrowIfFailed() const {
  if (exception_) std::rethrow_exception(exception_);
  if (error_) throw TaskError(error_);
}

}  // namespace detail
}  // namespace litepool
