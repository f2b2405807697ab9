// Future's shared state: readiness, waits and the continuation.
#include "litepool/future.hpp"

#include <thread>
#include <utility>
#include <vector>

#include "litepool/detail/deadline.hpp"
#include "task/execution_context.hpp"
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
      MutexLock lock(mu_);
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
    MutexLock lock(mu_);
    while (!Ready()) {
      if (!until) {
        cv_.Wait(lock);
      } else if (cv_.WaitUntil(lock, *until) == std::cv_status::timeout) {
        return Ready();
      }
    }
    return true;
  };
  return WatchedWait(watch_.get(), deadline, wait_until,
                     [this] { return StuckFutureMessage(*watch_); });
}

bool FutureStateBase::TryAttach(MoveOnlyFunction<void()>& callback) {
  MutexLock lock(mu_);
  if (Ready()) return false;
  if (continuation_) {
    throw std::logic_error("litepool::Future: a continuation is attached already");
  }
  continuation_ = std::move(callback);
  return true;
}

bool FutureStateBase::TryWatch(MoveOnlyFunction<void()>& callback) {
  auto* node = new Watcher{MoveOnlyFunction<void()>(), nullptr};
  MutexLock lock(mu_);
  if (Ready()) {
    delete node;
    return false;
  }
  node->callback = std::move(callback);
  node->next = watchers_;
  watchers_ = node;
  return true;
}

namespace {
// Callbacks of states made ready inside a callback on this thread wait
// here until that callback returns: a chain of continuations that settle
// one another at once (joins of joins, a closed pool refusing a chain of
// Then) runs as a loop, not as a recursion as deep as the chain.
struct CallbackTrampoline {
  bool running = false;
  std::vector<MoveOnlyFunction<void()>> pending;
};

void RunCallback(MoveOnlyFunction<void()>&& callback) noexcept {
  thread_local CallbackTrampoline trampoline;
  if (trampoline.running) {
    trampoline.pending.push_back(std::move(callback));
    return;
  }
  trampoline.running = true;
  callback();
  while (!trampoline.pending.empty()) {
    MoveOnlyFunction<void()> next = std::move(trampoline.pending.back());
    trampoline.pending.pop_back();
    next();
  }
  trampoline.running = false;
}
}  // namespace

void FutureStateBase::Publish() noexcept {
  MoveOnlyFunction<void()> continuation;
  std::optional<TaskGroup> helper;
  Watcher* watchers = nullptr;
  {
    // Under the lock, so a waiter between its check and its wait cannot
    // miss the notification, and TryAttach/WaitFor see either "ready" or
    // leave their callback/group for us.
    MutexLock lock(mu_);
    ready_.store(true, std::memory_order_release);
    continuation = std::move(continuation_);
    helper = std::move(helper_);
    helper_.reset();
    watchers = std::exchange(watchers_, nullptr);
  }
  cv_.NotifyAll();
  if (helper) helper->Done();
  // From here on `this` may be gone: a callback may drop the last Future.
  if (continuation) RunCallback(std::move(continuation));
  while (watchers != nullptr) {
    Watcher* w = watchers;
    watchers = w->next;
    RunCallback(std::move(w->callback));
    delete w;
  }
}

void FutureStateBase::ThrowIfFailed() const {
  if (exception_) std::rethrow_exception(exception_);
  if (error_) throw TaskError(error_);
}

}  // namespace detail
}  // namespace litepool
