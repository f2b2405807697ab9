// DeferredTasks: delayed and dependent tasks, held until they may run.
#include "api/deferred_tasks.hpp"

#include <memory>
#include <utility>
#include <vector>

#include "api/dependency_list.hpp"
#include "litepool/detail/coro_group_waiter.hpp"
#include "litepool/detail/move_only_function.hpp"

namespace litepool::detail {

// A dependent task waiting for its dependencies. Shared by the watchers
// registered on them, the waiting list and the Add call (`refs`); the
// watchers touch only the node until `state` says the task is theirs to
// release, so a watcher that fires after Purge or Close cancelled the task
// (the pool maybe gone) never touches the pool.
struct DeferredTasks::Dependent {
  enum State : int { kWaiting, kReleased, kCancelled };
  TaskRecord* task;
  Clock::time_point not_before;
  std::atomic<std::size_t> pending;  // dependencies not settled, plus the Add call
  std::atomic<int> refs;
  std::atomic<int> state{kWaiting};
  Dependent* prev = nullptr;  // in waiting_, guarded by mu_
  Dependent* next = nullptr;

  void Unref() noexcept {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
};

namespace {
// A TaskGroup dependency: the group's zero calls `ready` once.
struct GroupWatch : GroupWaiter {
  std::function<void()> arrive;
  static void Ready(GroupWaiter* w) noexcept {
    auto* self = static_cast<GroupWatch*>(w);
    self->arrive();
    delete self;
  }
};
}  // namespace

DeferredTasks::DeferredTasks(Engine& engine)
    : engine_(engine), timer_([this](TaskRecord* task) { Release(task); }) {}

void DeferredTasks::Stop() {
  // Nothing is held once the engine drained; whatever Stop returns (only
  // if called early) is cancelled rather than lost.
  for (TaskRecord* t : timer_.Stop()) Cancel(t);
}

Error DeferredTasks::Add(TaskSpec&& spec) {
  const Clock::time_point when = Clock::now() + spec.delay;
  std::shared_ptr<const DependencyList> deps = std::move(spec.after);
  spec.after.reset();
  Error rejected;
  TaskRecord* task = engine_.AdmitDeferred(std::move(spec), rejected);
  if (task == nullptr) return rejected;
  // Relaxed: a statistic (see Held).
  held_.fetch_add(1, std::memory_order_relaxed);
  if (deps == nullptr) {
    Hold(task, when);
    return Error();
  }
  std::size_t watched = 0;
  for (const Dependency& dep : deps->deps) {
    if (DependencyAccess::State(dep) != nullptr || DependencyAccess::Group(dep)) ++watched;
  }
  // The Add call keeps a share of `pending` (so the task is not released
  // while dependencies are still being registered) and of `refs`; the
  // waiting list holds one more reference.
  auto* d = new Dependent{task, when, {watched + 1}, {static_cast<int>(watched) + 2}};
  bool cancel = false;
  {
    MutexLock lock(mu_);
    if (cancel_new_) {
      cancel = true;
    } else {
      d->next = waiting_;
      if (waiting_ != nullptr) waiting_->prev = d;
      waiting_ = d;
    }
  }
  if (cancel) {
    d->state.store(Dependent::kCancelled, std::memory_order_relaxed);  // not shared yet
    Cancel(task);
    delete d;
    return Error();
  }
  for (const Dependency& dep : deps->deps) {
    if (FutureStateBase* s = DependencyAccess::State(dep)) {
      MoveOnlyFunction<void()> on_ready([this, d] {
        Arrive(d);
        d->Unref();
      });
      if (!s->TryWatch(on_ready)) {
        Arrive(d);
        d->Unref();
      }
    } else if (const std::optional<TaskGroup>& g = DependencyAccess::Group(dep)) {
      auto* w = new GroupWatch;
      w->ready = &GroupWatch::Ready;
      w->arrive = [this, d] {
        Arrive(d);
        d->Unref();
      };
      if (!AddGroupWaiter(*g, *w)) {
        delete w;
        Arrive(d);
        d->Unref();
      }
    }
  }
  Arrive(d);
  d->Unref();
  return Error();
}

void DeferredTasks::Arrive(Dependent* d) {
  // Acq_rel: the last arrival sees what every dependency did before it
  // settled, and hands it on to the task through the queue.
  if (d->pending.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  int waiting = Dependent::kWaiting;
  // Cancelled first (Purge, Close): the task is settled already, and the
  // pool may be gone; touch nothing but the node.
  if (!d->state.compare_exchange_strong(waiting, Dependent::kReleased, std::memory_order_acq_rel)) {
    return;
  }
  // Still waiting, so still counted accepted: the pool cannot have drained.
  {
    MutexLock lock(mu_);
    if (d->prev != nullptr) d->prev->next = d->next;
    if (d->next != nullptr) d->next->prev = d->prev;
    if (waiting_ == d) waiting_ = d->next;
  }
  TaskRecord* task = d->task;
  const Clock::time_point when = d->not_before;
  d->Unref();  // the list's reference
  Hold(task, when);
}

void DeferredTasks::Hold(TaskRecord* task, Clock::time_point when) {
  if (when > Clock::now()) {
    bool cancel = false;
    {
      MutexLock lock(mu_);
      cancel = cancel_new_;
      if (!cancel) {
        try {
          if (timer_.Schedule(task, when)) return;
        } catch (...) {
          // No memory or no thread for the timer: queue it now rather than
          // lose it (early is better than never).
        }
      }
    }
    if (cancel) return Cancel(task);
  }
  Release(task);
}

void DeferredTasks::Release(TaskRecord* task) {
  held_.fetch_sub(1, std::memory_order_relaxed);  // a statistic (see Held)
  engine_.ReleaseDeferred(task, nullptr);
}

void DeferredTasks::Cancel(TaskRecord* task) {
  static const Error why("cancelled while deferred (Pool::Purge or Close(kCancelPending))",
                         ErrorCode::kCancelled);
  held_.fetch_sub(1, std::memory_order_relaxed);  // a statistic (see Held)
  engine_.ReleaseDeferred(task, &why);
}

std::size_t DeferredTasks::CancelAll(bool for_good) {
  std::vector<TaskRecord*> tasks;
  std::vector<Dependent*> nodes;
  {
    MutexLock lock(mu_);
    if (for_good) cancel_new_ = true;
    tasks = timer_.TakeAll();
    for (Dependent* d = waiting_; d != nullptr;) {
      Dependent* next = d->next;
      int waiting = Dependent::kWaiting;
      if (d->state.compare_exchange_strong(waiting, Dependent::kCancelled,
                                           std::memory_order_acq_rel)) {
        if (d->prev != nullptr) d->prev->next = d->next;
        if (d->next != nullptr) d->next->prev = d->prev;
        if (waiting_ == d) waiting_ = d->next;
        nodes.push_back(d);
      }
      d = next;
    }
  }
  for (TaskRecord* t : tasks) Cancel(t);
  for (Dependent* d : nodes) {
    Cancel(d->task);
    d->Unref();  // the list's reference
  }
  return tasks.size() + nodes.size();
}

}  // namespace litepool::detail
