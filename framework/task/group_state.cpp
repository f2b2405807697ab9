// GroupState: the counter, waiters and errors behind TaskGroup handles.
#include "task/group_state.hpp"

#include <limits>
#include <string>
#include <utility>

namespace litepool::detail {

bool GroupState::TryDecrement() {
  // Relaxed first read: the CAS below re-validates with acq_rel.
  std::int64_t cur = pending.load(std::memory_order_relaxed);
  do {
    if (cur <= 0) return false;
  } while (!pending.compare_exchange_weak(cur, cur - 1, std::memory_order_acq_rel,
                                          std::memory_order_relaxed));
  if (cur == 1) {
    GroupWaiter* coroutine_waiters = nullptr;
    {
      // Lock so a waiter between its check and its wait cannot miss this.
      MutexLock lock(mu_);
      cv_.NotifyAll();
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
  MutexLock lock(mu_);
  errors_.push_back(std::move(e));
}

std::vector<Error> GroupState::Errors() const {
  MutexLock lock(mu_);
  return errors_;
}

bool GroupState::WaitUntilZero(std::optional<std::chrono::steady_clock::time_point> deadline,
                               const std::atomic<bool>* also) {
  MutexLock lock(mu_);
  auto zero = [this] { return pending.load(std::memory_order_acquire) == 0; };
  auto done = [&] { return zero() || (also != nullptr && also->load(std::memory_order_relaxed)); };
  while (!done()) {
    if (!deadline) {
      cv_.Wait(lock);
    } else if (cv_.WaitUntil(lock, *deadline) == std::cv_status::timeout) {
      break;
    }
  }
  return zero();
}

void GroupState::Interrupt(std::atomic<bool>& flag) {
  {
    MutexLock lock(mu_);
    flag.store(true, std::memory_order_relaxed);  // ordered by mu_
  }
  cv_.NotifyAll();
}

bool GroupState::AddWaiter(GroupWaiter& w) {
  MutexLock lock(mu_);
  // Under mu: a decrement that reaches zero takes the list under mu after
  // its CAS, so a waiter pushed here while the counter is above zero is
  // seen by that decrement (or a later one).
  if (pending.load(std::memory_order_acquire) == 0) return false;
  w.next = waiters_;
  waiters_ = &w;
  return true;
}

GroupWaiter* GroupState::TakeWaitersLocked() {
  // Only at zero: if Add() raised the counter again since the decrement
  // that called this, the waiters wait for the next zero.
  if (pending.load(std::memory_order_acquire) != 0) return nullptr;
  return std::exchange(waiters_, nullptr);
}

void GroupState::RunWaiters(GroupWaiter* list) noexcept {
  while (list != nullptr) {
    GroupWaiter* next = list->next;  // read first: ready() may free the node
    list->ready(list);
    list = next;
  }
}

}  // namespace litepool::detail
