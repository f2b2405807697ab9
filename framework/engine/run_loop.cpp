// The one scheduling loop. Worker threads, spare threads and helping waits
// (TaskGroup::Wait, Future::Get and ParallelFor on a worker thread) all run
// Engine::RunUntil; they differ in two places only, both in this file:
//   what they may take  a worker or spare: anything (its spawned stack, its
//                       queue, then steals); a wait: only the tasks that
//                       its own task spawned (isolation, DESIGN §6.0), so
//                       helping nests only as deep as the user's code;
//   with nothing to take  a worker polls, then parks; a spare retires; a
//                       wait blocks on its group, a spare standing in.
#include <thread>

#include "engine/engine.hpp"
#include "engine/execution_context.hpp"
#include "task/group_state.hpp"
#include "task/settlement.hpp"
#include "task/task_record.hpp"

namespace litepool::detail {

using Clock = std::chrono::steady_clock;

struct Engine::Until {
  GroupState* group;  // until its counter is zero; null: until the pool is idle
  std::optional<Clock::time_point> deadline;
  std::uint64_t mark;  // the waiting task's first spawned position

  bool Reached(const Engine& engine) const {
    return group != nullptr ? group->pending.load(std::memory_order_acquire) == 0
                            : engine.IdleNow();
  }
};

bool Engine::RunUntil(Worker& self, const Until* until) {
  TaskRecord* task = nullptr;
  // While a thread goes from task to task, the end of one attempt is the
  // start of the next: one clock read per task.
  BusyClock::Ticks busy_since = BusyClock::Now();
  for (;;) {
    if (until != nullptr) {
      if (until->Reached(*this)) return true;
      if (until->deadline && Clock::now() >= *until->deadline) return false;
      if (!Paused() && self.TryPopSpawnedAbove(until->mark, task)) {
        RunTask(self, task, BusyClock::Now());
      } else {
        BlockOrHelp(self, *until);
      }
      continue;
    }
    // SetWorkers shrank the pool: between two tasks, this worker leaves.
    if (self.LeaveAsked()) [[unlikely]] {
      Leave(self);
      return true;
    }
    if (FindWork(self, task)) {
      busy_since = RunTask(self, task, busy_since);
      // A spare stays only while a worker it stands in for is blocked.
      if (self.Spare() && active_spares_.load(std::memory_order_seq_cst) >
                              blocked_.load(std::memory_order_seq_cst) &&
          TryRetireSpare()) {
        if (!IdleSpare(self, task, /*counted=*/false)) return true;
        busy_since = RunTask(self, task, BusyClock::Now());
      }
      continue;
    }
    const bool found = self.Spare() ? IdleSpare(self, task, /*counted=*/true)
                                    : Idle(self, task);
    if (!found) {
      if (Stopping()) return true;
      continue;  // asked to leave: see the top of the loop
    }
    busy_since = RunTask(self, task, BusyClock::Now());
  }
}

BusyClock::Ticks Engine::RunTask(Worker& self, TaskRecord* task, BusyClock::Ticks start) {
  // Expired while it waited: settled by the expiry timer, slot included.
  if (task->extras != nullptr && !Claim(self, task)) [[unlikely]] return start;
  gate_.ReleaseFrom(self.Id());  // a running task holds no slot
  // Tasks this one spawns sit above this mark: a wait inside it runs those.
  ExecutionContext& ctx = Context();
  const std::uint64_t saved = ctx.spawned_mark;
  ctx.spawned_mark = self.SpawnedTop();
  const BusyClock::Ticks end = RunAttempt(sink_, self, task, start);
  ctx.spawned_mark = saved;
  // Relaxed: the common case (nobody in WaitIdle) costs one load. A waiter
  // that registers meanwhile is woken by the last worker to park (Park's
  // fence), so a missed wake-up here only delays it by the idle poll.
  if (idle_waiters_.load(std::memory_order_relaxed) > 0) [[unlikely]] NotifyIdle();
  return end;
}

bool Engine::FindWork(Worker& self, TaskRecord*& task) {
  if (Paused()) [[unlikely]] return false;  // Pause: no queued task starts
  if (prioritized_.load(std::memory_order_relaxed)) [[unlikely]] {
    return FindWorkByPriority(self, task);
  }
  // Only the worker's own thread calls FindWork for it: the consumer token
  // and the top of the spawned stack are its own. Newest spawned first
  // (LIFO: its data is warm), then the queue, then a steal.
  if (self.TryPopSpawnedAbove(0, task) || self.TryPopOwn(task)) {
    self.SetLastStolen(false);
    return KeepUnlessPaused(self, task, Priority::kNormal);
  }
  if (!Steal(self, task)) return false;
  self.Stats().stolen.Add();
  self.SetLastStolen(true);
  return KeepUnlessPaused(self, task, Priority::kNormal);
}

bool Engine::FindWorkByPriority(Worker& self, TaskRecord*& task) {
  auto took = [&](bool stolen, Priority level) {
    if (stolen) self.Stats().stolen.Add();
    self.SetLastStolen(stolen);
    return KeepUnlessPaused(self, task, level);
  };
  if (self.TryPopOwnAt(Priority::kHigh, task)) return took(false, Priority::kHigh);
  if (StealAt(Priority::kHigh, self, task)) return took(true, Priority::kHigh);
  if (self.TryPopSpawnedAbove(0, task) || self.TryPopOwn(task)) {
    return took(false, Priority::kNormal);
  }
  if (Steal(self, task)) return took(true, Priority::kNormal);
  if (self.TryPopOwnAt(Priority::kLow, task)) return took(false, Priority::kLow);
  if (StealAt(Priority::kLow, self, task)) return took(true, Priority::kLow);
  return false;
}

bool Engine::KeepUnlessPaused(Worker& self, TaskRecord* task, Priority level) {
  // Paused between the check above and the pop: a task added after Pause()
  // returned is seen paused here (its push happens-before the pop), so it
  // goes back to this worker's queue at the level it came from, still
  // holding its slot. The level is the queue's, never read from the record:
  // the expiry timer may be emptying a queued record's extras right now.
  if (!Paused()) [[likely]] return true;
  self.PushAt(level, task);
  return false;
}

template <class Count, class Pop>
bool Engine::StealBy(Worker& self, Count count, Pop pop) {
  // From the busiest queue by `count`; fall back to any non-empty one.
  // Workers that left are looked at too (a producer that picked one just
  // before it left queued there), and so are spares: a spare that found a
  // task just as the pool paused put it back in its own queue at its level
  // (KeepUnlessPaused), and HasQueuedWork counts it.
  Worker* victim = nullptr;
  std::int64_t most = 0;
  auto consider = [&](Worker& w) {
    if (&w == &self) return;
    const std::int64_t q = count(w);
    if (q > most) {
      most = q;
      victim = &w;
    }
  };
  workers_.ForEachMade(consider);
  ForEachSpare(consider);
  if (victim == nullptr) return false;
  if (pop(*victim)) return true;
  bool found = false;
  auto any = [&](Worker& w) {
    if (!found && &w != &self && count(w) > 0) found = pop(w);
  };
  workers_.ForEachMade(any);
  ForEachSpare(any);
  return found;
}

bool Engine::StealAt(Priority p, Worker& self, TaskRecord*& task) {
  return StealBy(
      self, [p](const Worker& w) { return w.QueuedAt(p); },
      [p, &task](Worker& w) { return w.TryPopAt(p, task); });
}

bool Engine::Steal(Worker& self, TaskRecord*& task) {
  // Its queue, then the oldest of its spawned stack.
  return StealBy(
      self, [](const Worker& w) { return w.Queued(); },
      [&task](Worker& w) { return w.TryPop(task) || w.TryStealSpawned(task); });
}

void Engine::Leave(Worker& self) {
  HandOffQueued(self);
  // Not idle (the dispatcher skips it; a producer that still picks it sees
  // it busy, so it wakes a parked worker to steal the task: Dispatch).
  self.SetIdleFlag(false);
  dispatcher_.SetIdle(self.Id(), false);
  // Pushed by a producer that picked this worker before it left (between
  // the hand-off and the flag): moved too; any later one is stolen.
  HandOffQueued(self);
  // It leaves without parking, where a worker tells a closing pool (or a
  // WaitIdle) that its settled tasks are counted: tell them here. (The last
  // task of a Close may have settled on this worker, the others parked.)
  NotifyDrainIfClosed();
}

void Engine::HandOffQueued(Worker& w) {
  // Each task at the level of the queue it came from (its record is not
  // read: the expiry timer may be emptying it), with its slot.
  TaskRecord* task = nullptr;
  while (w.TryPopOwnAt(Priority::kHigh, task)) DispatchAt(Priority::kHigh, task);
  while (w.TryPopSpawnedAbove(0, task) || w.TryPopOwn(task)) {
    DispatchAt(Priority::kNormal, task);
  }
  while (w.TryPopOwnAt(Priority::kLow, task)) DispatchAt(Priority::kLow, task);
}

bool Engine::HasQueuedWork() const noexcept {
  bool any = false;
  workers_.ForEachMade([&](const Worker& w) { any = any || w.QueuedSeqCst() > 0; });
  ForEachSpare([&](const Worker& w) { any = any || w.QueuedSeqCst() > 0; });
  return any;
}

bool Engine::Idle(Worker& self, TaskRecord*& task) {
  // Relaxed: idleness is a dispatch hint; a stale value costs balance,
  // never correctness (Park() re-checks the queues before sleeping).
  self.SetIdleFlag(true);
  dispatcher_.SetIdle(self.Id(), true);
  // A producer asleep on a full pool waits for a batch of free slots (a
  // refill): with a worker out of work, it gets the free ones now.
  gate_.HandOffNow();
  bool found = false;
  // Poll with a yield between polls, not a pause: on a machine with few
  // cores the thread that will produce the next task (a producer, or the
  // other worker) often waits for this very CPU, and a yield hands it
  // over; with a spare core, yield returns at once. Measured with
  // throughput_bench on 2 cores: EmptyTask/p1 -24 %, p2 -13 % ns/task
  // against pause-spinning, balance and wake-up rows unchanged.
  //
  // A closed pool skips the poll: the close waits for the workers to park
  // (Park() tells it when everything is settled), and stopping does not
  // wait out spin_iterations polls, however many the options asked for.
  const std::uint32_t spins = options_.spin_iterations;
  for (std::uint32_t i = 0; i < spins && !found && !Closed() && !self.LeaveAsked(); ++i) {
    std::this_thread::yield();
    found = FindWork(self, task);
  }
  while (!found) {
    if (Stopping() || self.LeaveAsked()) {
      self.SetIdleFlag(false);
      dispatcher_.SetIdle(self.Id(), false);
      return false;
    }
    Park(self);
    found = FindWork(self, task);
  }
  // seq_cst store, then the queue count: the worker's half of the
  // work-conserving handshake (Engine::Dispatch). A producer that saw
  // this worker idle and queued here is seen now: about to run a task
  // that may be long, the worker wakes a parked one to take the rest.
  self.SetIdleFlag(false);
  dispatcher_.SetIdle(self.Id(), false);
  if (self.QueuedSeqCst() > 0) WakeHelperFor(self);
  return true;
}

void Engine::Park(Worker& self) {
  parked_.fetch_add(1, std::memory_order_seq_cst);
  self.SetParked();
  // Every task this worker settled is counted before this point: a closing
  // pool learns here that it may be drained.
  NotifyDrainIfClosed();
  // Paused: queued tasks wait for Resume, which wakes every worker. Asked
  // to leave: SetWorkers stored that before it unparks this worker.
  if ((HasQueuedWork() && !Paused()) || Stopping() || self.LeaveAskedSeqCst()) {
    // Cancel the park. If a waker already cleared the flag it has released
    // (or is about to release) the semaphore: consume that token.
    if (self.CancelPark()) {
      parked_.fetch_sub(1, std::memory_order_seq_cst);
    } else {
      self.Sleep();
    }
    return;
  }
  self.Sleep();
}

bool Engine::WaitOnWorker(Worker& self, GroupState& group,
                          std::optional<Clock::time_point> deadline) {
  const Until until{&group, deadline, Context().spawned_mark};
  return RunUntil(self, &until);
}

bool Engine::WaitIdleOnWorker(Worker& self, std::optional<Clock::time_point> deadline) {
  // The calling task is running, but it waits: it does not count.
  idle_waiting_tasks_.fetch_add(1, std::memory_order_seq_cst);
  const Until until{nullptr, deadline, Context().spawned_mark};
  const bool idle = RunUntil(self, &until);
  idle_waiting_tasks_.fetch_sub(1, std::memory_order_seq_cst);
  return idle;
}

bool Engine::BlockOrHelp(Worker& self, const Until& until) {
  BlockedWaiter me{until.group};
  ListBlocked(me);  // first: a thread that sees blocked_ up finds it listed
  // seq_cst: blocked_ up, then the queue counts, against a producer's
  // queue count, then blocked_ (WakeHelperFor): either this thread sees the
  // queued task and a spare comes, or the producer sees this thread blocked
  // (and a spare comes, or, at the bound, it asks a blocked waiter to help).
  blocked_.fetch_add(1, std::memory_order_seq_cst);
  for (;;) {
    const bool asked = me.help.exchange(false, std::memory_order_relaxed);
    if (asked || (HasQueuedWork() && !ActivateSpare())) {
      // The spares are at their bound: run a queued task of any origin
      // rather than leave it waiting (this may nest, as helping did before
      // isolation).
      blocked_.fetch_sub(1, std::memory_order_seq_cst);
      TaskRecord* task = nullptr;
      if (FindWork(self, task)) {
        UnlistBlocked(me);
        RunTask(self, task, BusyClock::Now());
        return true;
      }
      blocked_.fetch_add(1, std::memory_order_seq_cst);  // taken meanwhile, or paused
    }
    if (until.group != nullptr) {
      until.group->WaitUntilZero(until.deadline, &me.help);
    } else {
      BlockUntilIdle(until.deadline, &me.help);
    }
    // Asked to help (even if the wait is over: the request is this thread's
    // to serve), or the wait ended.
    if (!me.help.load(std::memory_order_relaxed)) break;
  }
  blocked_.fetch_sub(1, std::memory_order_seq_cst);
  UnlistBlocked(me);
  return false;
}

void Engine::ListBlocked(BlockedWaiter& w) {
  std::lock_guard lock(blocked_mu_);
  w.next = blocked_list_;
  if (blocked_list_ != nullptr) blocked_list_->prev = &w;
  blocked_list_ = &w;
}

void Engine::UnlistBlocked(BlockedWaiter& w) {
  std::lock_guard lock(blocked_mu_);
  (w.prev != nullptr ? w.prev->next : blocked_list_) = w.next;
  if (w.next != nullptr) w.next->prev = w.prev;
}

void Engine::AskABlockedWaiterToHelp() {
  // Under blocked_mu_: a listed waiter stays alive until it unlists itself.
  std::lock_guard lock(blocked_mu_);
  for (BlockedWaiter* w = blocked_list_; w != nullptr; w = w->next) {
    if (w->help.load(std::memory_order_relaxed)) continue;  // asked already
    // Under the wait's mutex (its group's, or WaitIdle's): a waiter between
    // its check and its sleep cannot miss the request.
    std::mutex& mu = w->group != nullptr ? w->group->mu : idle_mu_;
    std::condition_variable& cv = w->group != nullptr ? w->group->cv : idle_cv_;
    {
      std::lock_guard wait_lock(mu);
      w->help.store(true, std::memory_order_relaxed);
    }
    cv.notify_all();
    return;
  }
}

bool Engine::ActivateSpare() {
  // Claim one more active spare, while fewer are active than blocked.
  std::int64_t active = active_spares_.load(std::memory_order_seq_cst);
  do {
    if (active >= blocked_.load(std::memory_order_seq_cst)) return true;
  } while (!active_spares_.compare_exchange_weak(active, active + 1,
                                                 std::memory_order_seq_cst));
  // An idle spare takes the claim (IdleSpare: woken, it is counted).
  bool woken = false;
  ForEachSpare([&](Worker& s) { woken = woken || s.Unpark(); });
  if (woken) return true;
  {
    std::lock_guard lock(spare_mu_);
    if (!Stopping() && spares_.size() < SpareBound()) {
      std::unique_ptr<Worker> spare;
      try {
        spare = std::make_unique<Worker>(*this, kMaxWorkers + spares_.size(), /*spare=*/true);
        StartThread(*spare);  // starts counted active: the claim is its
        spare_slots_[spares_.size()].store(spare.get(), std::memory_order_release);
        spares_.push_back(std::move(spare));
        spare_count_.store(spares_.size(), std::memory_order_release);
        return true;
      } catch (...) {
        // No thread (std::system_error, bad_alloc, on_thread_start threw):
        // the waiter helps instead.
        if (spare) spare->Join();
      }
    }
  }
  active_spares_.fetch_sub(1, std::memory_order_seq_cst);
  return false;
}

bool Engine::TryRetireSpare() noexcept {
  std::int64_t active = active_spares_.load(std::memory_order_seq_cst);
  do {
    if (active <= blocked_.load(std::memory_order_seq_cst)) return false;
  } while (!active_spares_.compare_exchange_weak(active, active - 1,
                                                 std::memory_order_seq_cst));
  return true;
}

bool Engine::IdleSpare(Worker& self, TaskRecord*& task, bool counted) {
  if (counted) active_spares_.fetch_sub(1, std::memory_order_seq_cst);
  for (;;) {
    self.SetParked();
    NotifyDrainIfClosed();  // as in Park: its settled tasks are counted
    if (Stopping()) {
      if (!self.CancelPark()) self.Sleep();
      return false;
    }
    self.Sleep();  // ActivateSpare's Unpark counted this spare active
    if (Stopping()) return false;
    if (FindWork(self, task)) return true;
    // Nothing after all (another thread took it): idle again.
    active_spares_.fetch_sub(1, std::memory_order_seq_cst);
  }
}

}  // namespace litepool::detail
