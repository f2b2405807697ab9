#include "frontends/limiter.hpp"

#include <utility>

#include "litepool/detail/deadline.hpp"
#include "litepool/detail/overflow_scope.hpp"

namespace litepool::detail {

void Limiter::SetLimit(std::size_t limit) {
  MutexLock lock(mu_);
  limit_ = limit;
  slot_freed_.NotifyAll();
}

std::size_t Limiter::Limit() const {
  MutexLock lock(mu_);
  return limit_;
}

void Limiter::Submit(LimitedTask task) {
  bool counted = false;
  {
    MutexLock lock(mu_);
    if (limit_ != 0) {
      // FIFO: a newcomer never overtakes a queued task.
      if (active_ >= limit_ || !queued_.empty()) {
        queued_.push_back(std::move(task));
        return;
      }
      ++active_;
      counted = true;
    }
  }
  Launch(std::move(task), counted, /*report_rejection=*/true);
}

void Limiter::SubmitWaiting(LimitedTask task) {
  bool counted = false;
  {
    MutexLock lock(mu_);
    if (limit_ != 0) {
      while (limit_ != 0 && (active_ >= limit_ || !queued_.empty())) slot_freed_.Wait(lock);
      if (limit_ != 0) {
        ++active_;
        counted = true;
      }
    }
  }
  Launch(std::move(task), counted, /*report_rejection=*/true);
}

bool Limiter::TryAcquire(bool* counted) {
  MutexLock lock(mu_);
  *counted = false;
  if (limit_ == 0) return true;
  if (active_ >= limit_ || !queued_.empty()) return false;
  ++active_;
  *counted = true;
  return true;
}

void Limiter::RejectQueued(const LimitedClient* client) {
  std::deque<LimitedTask> mine;
  {
    MutexLock lock(mu_);
    if (queued_.empty()) return;
    std::deque<LimitedTask> others;
    for (LimitedTask& t : queued_) {
      (t.client.get() == client ? mine : others).push_back(std::move(t));
    }
    queued_.swap(others);
    if (queued_.empty()) slot_freed_.NotifyAll();
  }
  for (LimitedTask& t : mine) {
    if (const Error e = AddOne(t, /*counted=*/false)) t.client->OnRejected(e);
  }
}

Error Limiter::Launch(LimitedTask task, bool counted, bool report_rejection) {
  Error e = AddOne(task, counted);
  if (!e) return e;
  if (report_rejection) task.client->OnRejected(e);
  if (counted) PassSlot();
  return e;
}

Error Limiter::AddOne(LimitedTask& task, bool counted) {
  if (counted || task.notify_settled) {
    // OnComplete runs exactly once for every accepted task, also when it is
    // cancelled before it started: the one place a slot is sure to return.
    task.options.SetOnComplete(
        [self = shared_from_this(), client = task.client, counted, notify = task.notify_settled] {
          if (notify) client->OnSettled();
          if (counted) self->PassSlot();
        });
  }
  if (task.add_deadline && !task.pool->OnWorkerThread()) {
    task.options.SetAddTimeout(TimeLeft(*task.add_deadline));
    return task.pool->AddTask(std::move(task.options));
  }
  if (Pool::OnAnyPoolWorkerThread()) {
    // A worker of another pool must not wait for this one's slot either (the
    // two pools could wait for each other): the overflow path takes it.
    OverflowScope overflow;
    return task.pool->AddTask(std::move(task.options));
  }
  return task.pool->AddTask(std::move(task.options));
}

void Limiter::PassSlot() {
  // A loop, not recursion: a long queue of tasks whose group was cancelled is
  // rejected one after the other here.
  LimitedTask next;
  while (TakeNextOrRelease(next)) {
    const Error e = AddOne(next, /*counted=*/true);
    if (!e) return;
    next.client->OnRejected(e);
  }
}

bool Limiter::TakeNextOrRelease(LimitedTask& next) {
  MutexLock lock(mu_);
  if (queued_.empty()) {
    --active_;
    slot_freed_.NotifyAll();
    return false;
  }
  next = std::move(queued_.front());
  queued_.pop_front();
  return true;
}

}  // namespace litepool::detail
