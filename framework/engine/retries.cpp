#include "engine/retries.hpp"

#include <optional>
#include <stop_token>
#include <thread>

#include "admission/slot_gate.hpp"
#include "engine/router.hpp"
#include "observe/busy_clock.hpp"
#include "task/group_state.hpp"
#include "task/task_record.hpp"

namespace litepool::detail {

using Clock = std::chrono::steady_clock;

struct Retries::Wait {
  enum State : int { kWaiting, kDone };
  Wait(Retries& r, TaskRecord* t) noexcept : owner(r), task(t) {
    owner.waits_.fetch_add(1, std::memory_order_relaxed);
  }
  Retries& owner;
  TaskRecord* const task;
  std::atomic<int> state{kWaiting};
  std::atomic<int> refs{2};  // the first timer entry, and Requeue's
  // Registered by Requeue after the first entry is held; unregistered by
  // the destructor. Declared last: destroyed first, while the counters a
  // running callback reads are still alive.
  std::optional<std::stop_callback<WakeOnCancel>> on_cancel;
};

void Retries::WakeOnCancel::operator()() const noexcept {
  // Runs on the cancelling thread at most once. A reference first, only
  // while the Wait lives (its deletion waits for this call to return).
  int refs = wait->refs.load(std::memory_order_relaxed);
  do {
    if (refs == 0) return;
  } while (!wait->refs.compare_exchange_weak(refs, refs + 1, std::memory_order_acq_rel));
  bool scheduled = false;
  if (wait->state.load(std::memory_order_acquire) == Wait::kWaiting) {
    try {
      // The second entry takes this call's reference.
      scheduled = retries->timer_.Schedule(wait, Clock::time_point::min());
    } catch (...) {
      // No memory for the entry: the retry waits out its delay instead.
    }
  }
  if (!scheduled) Unref(wait);
}

Retries::Retries(SlotGate& gate, Router& router, const std::atomic<bool>& cancel_pending)
    : gate_(gate), router_(router), cancel_pending_(cancel_pending), timer_([this](Wait* wait) {
        if (TaskRecord* task = Finish(wait)) RequeueNow(task);
      }) {}

Retries::~Retries() { Stop(); }

void Retries::Unref(Wait* wait) noexcept {
  if (wait->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  Retries& owner = wait->owner;
  delete wait;  // unregisters its callback, or is inside it (the last touch of it)
  // Release: Stop, seeing the count reach zero, may destroy the owner; this
  // is the last access to it.
  owner.waits_.fetch_sub(1, std::memory_order_release);
}

TaskRecord* Retries::Finish(Wait* wait) noexcept {
  int waiting = Wait::kWaiting;
  TaskRecord* won =
      wait->state.compare_exchange_strong(waiting, Wait::kDone, std::memory_order_acq_rel)
          ? wait->task
          : nullptr;
  Unref(wait);
  return won;
}

void Retries::Requeue(TaskRecord* task, std::chrono::nanoseconds delay) {
  // A waiting retry holds no slot (see RequeueNow for a queued one).
  if (delay.count() <= 0 || cancel_pending_.load(std::memory_order_acquire)) {
    return RequeueNow(task);
  }
  // Read before the entry is held: from then on the timer may queue the
  // task, and a worker may run, settle and free it.
  std::stop_token stop;
  if (GroupState* g = task->Group()) stop = g->stop.get_token();
  auto* wait = new Wait(*this, task);
  bool scheduled = false;
  try {
    scheduled = timer_.Schedule(wait, Clock::now() + delay);
  } catch (...) {
    // No memory or no thread for the timer: retried now, early rather
    // than never.
  }
  if (!scheduled) {
    wait->refs.store(1, std::memory_order_relaxed);  // not shared: no entry, no callback
    Unref(wait);
    return RequeueNow(task);
  }
  // After the entry is held (this call's reference keeps the Wait alive
  // even if the entry fires meanwhile; `task` is not touched again): a group
  // cancelled already runs the callback right here, which adds the second
  // entry.
  if (stop.stop_possible()) wait->on_cancel.emplace(std::move(stop), WakeOnCancel{this, wait});
  Unref(wait);
}

std::vector<TaskRecord*> Retries::TakeWaiting() {
  const std::vector<Wait*> taken = timer_.TakeAll();
  std::vector<TaskRecord*> tasks;
  tasks.reserve(taken.size());  // before any Finish: a won task is never dropped
  for (Wait* wait : taken) {
    if (TaskRecord* task = Finish(wait)) tasks.push_back(task);
  }
  return tasks;
}

void Retries::Stop() {
  for (Wait* wait : timer_.Stop()) {
    if (TaskRecord* task = Finish(wait)) RequeueNow(task);
  }
  // A Wait outlives its timer entries while a group's Cancel runs its
  // callback on another thread (the callback touches this object). Once no
  // Wait is left, no callback runs or can start: each is registered only as
  // long as its Wait lives.
  while (waits_.load(std::memory_order_acquire) != 0) std::this_thread::yield();
}

void Retries::RequeueNow(TaskRecord* task) {
  gate_.ForceAcquire(1);
  task->SetAdmitted(BusyClock::Now());  // a retry's queue wait starts here
  router_.Dispatch(task);
}

}  // namespace litepool::detail
