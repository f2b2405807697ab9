// The one scheduling loop (see scheduler.hpp for who runs it and how they
// differ).
#include "engine/scheduler.hpp"

#include <thread>

#include "admission/slot_gate.hpp"
#include "engine/expiry.hpp"
#include "engine/parking.hpp"
#include "engine/pool_flags.hpp"
#include "engine/quiescence.hpp"
#include "engine/router.hpp"
#include "engine/spares.hpp"
#include "engine/worker.hpp"
#include "engine/worker_table.hpp"
#include "litepool/pool.hpp"
#include "task/execution_context.hpp"
#include "task/group_state.hpp"
#include "task/settlement.hpp"
#include "task/task_record.hpp"

namespace litepool::detail {

using Clock = std::chrono::steady_clock;

struct Scheduler::Until {
  GroupState* group;  // until its counter is zero; null: until the pool is idle
  Deadline deadline;
  std::uint64_t mark;  // the waiting task's first spawned position

  bool Reached(const Quiescence& quiescence) const {
    return group != nullptr ? group->pending.load(std::memory_order_acquire) == 0
                            : quiescence.IdleNow();
  }
};

bool Scheduler::RunUntil(Worker& self, const Until* until) {
  TaskRecord* task = nullptr;
  // While a thread goes from task to task, the end of one attempt is the
  // start of the next: one clock read per task.
  BusyClock::Ticks busy_since = BusyClock::Now();
  for (;;) {
    if (until != nullptr) {
      if (until->Reached(p_.quiescence)) return true;
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
      if (self.Spare() && p_.spares.MoreActiveThanBlocked() && p_.spares.TryRetire()) {
        if (!IdleSpare(self, task, /*counted=*/false)) return true;
        busy_since = RunTask(self, task, BusyClock::Now());
      }
      continue;
    }
    const bool found = self.Spare() ? IdleSpare(self, task, /*counted=*/true) : Idle(self, task);
    if (!found) {
      if (p_.flags.Stopping()) return true;
      continue;  // asked to leave: see the top of the loop
    }
    busy_since = RunTask(self, task, BusyClock::Now());
  }
}

BusyClock::Ticks Scheduler::RunTask(Worker& self, TaskRecord* task, BusyClock::Ticks start) {
  // Expired while it waited: settled by the expiry timer, slot included.
  if (task->extras != nullptr && !p_.expiry.Claim(self, task)) [[unlikely]]
    return start;
  p_.gate.ReleaseFrom(self.Id());  // a running task holds no slot
  // Tasks this one spawns sit above this mark: a wait inside it runs those.
  ExecutionContext& ctx = Context();
  const std::uint64_t saved = ctx.spawned_mark;
  ctx.spawned_mark = self.SpawnedTop();
  const BusyClock::Ticks end = RunAttempt(p_.sink, self, task, start);
  ctx.spawned_mark = saved;
  return end;
}

bool Scheduler::FindWork(Worker& self, TaskRecord*& task) {
  if (Paused()) [[unlikely]]
    return false;  // Pause: no queued task starts
  if (p_.router.Prioritized()) [[unlikely]]
    return FindWorkByPriority(self, task);
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

bool Scheduler::FindWorkByPriority(Worker& self, TaskRecord*& task) {
  // The priority rule: a worker takes the highest-priority task it can see
  // (its own queue, then the queue it steals from) before a lower one.
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

bool Scheduler::KeepUnlessPaused(Worker& self, TaskRecord* task, Priority level) {
  // Paused between the check above and the pop: a task added after Pause()
  // returned is seen paused here (its push happens-before the pop), so it
  // goes back to this worker's queue at the level it came from, still
  // holding its slot. The level is the queue's, never read from the record:
  // the expiry timer may be emptying a queued record's extras right now.
  if (!Paused()) [[likely]]
    return true;
  self.PushAt(level, task);
  return false;
}

template <class Count, class Pop>
bool Scheduler::StealBy(Worker& self, Count count, Pop pop) {
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
  p_.workers.ForEachMade(consider);
  p_.spares.ForEach(consider);
  if (victim == nullptr) return false;
  if (pop(*victim)) return true;
  bool found = false;
  auto any = [&](Worker& w) {
    if (!found && &w != &self && count(w) > 0) found = pop(w);
  };
  p_.workers.ForEachMade(any);
  p_.spares.ForEach(any);
  return found;
}

bool Scheduler::StealAt(Priority p, Worker& self, TaskRecord*& task) {
  return StealBy(
      self, [p](const Worker& w) { return w.QueuedAt(p); },
      [p, &task](Worker& w) { return w.TryPopAt(p, task); });
}

bool Scheduler::Steal(Worker& self, TaskRecord*& task) {
  // Its queue, then the oldest of its spawned stack.
  return StealBy(
      self, [](const Worker& w) { return w.Queued(); },
      [&task](Worker& w) { return w.TryPop(task) || w.TryStealSpawned(task); });
}

bool Scheduler::HasQueuedWork() const noexcept {
  bool any = false;
  p_.workers.ForEachMade([&](const Worker& w) { any = any || w.QueuedSeqCst() > 0; });
  p_.spares.ForEach([&](const Worker& w) { any = any || w.QueuedSeqCst() > 0; });
  return any;
}

bool Scheduler::Idle(Worker& self, TaskRecord*& task) {
  Dispatcher& dispatcher = p_.router.Policy();
  // Relaxed: idleness is a dispatch hint; a stale value costs balance,
  // never correctness (Park re-checks the queues before sleeping).
  self.SetIdleFlag(true);
  dispatcher.SetIdle(self.Id(), true);
  // A producer asleep on a full pool waits for a batch of free slots (a
  // refill): with a worker out of work, it gets the free ones now.
  p_.gate.HandOffNow();
  bool found = false;
  // Poll with a yield between polls, not a pause: on a machine with few
  // cores the thread that will produce the next task (a producer, or the
  // other worker) often waits for this very CPU, and a yield hands it
  // over; with a spare core, yield returns at once. Measured with
  // throughput_bench on 2 cores: EmptyTask/p1 -24 %, p2 -13 % ns/task
  // against pause-spinning, balance and wake-up rows unchanged.
  //
  // A closed pool skips the poll: stopping does not wait out
  // spin_iterations polls, however many the options asked for.
  const std::uint32_t spins = p_.options.spin_iterations;
  for (std::uint32_t i = 0; i < spins && !found && !p_.flags.Closed() && !self.LeaveAsked(); ++i) {
    std::this_thread::yield();
    found = FindWork(self, task);
  }
  while (!found) {
    if (p_.flags.Stopping() || self.LeaveAsked()) {
      self.SetIdleFlag(false);
      dispatcher.SetIdle(self.Id(), false);
      return false;
    }
    Park(self);
    found = FindWork(self, task);
  }
  // seq_cst store, then the queue count: the worker's half of the
  // work-conserving handshake (Router::DispatchAt). A producer that saw
  // this worker idle and queued here is seen now: about to run a task that
  // may be long, the worker wakes a parked one to take the rest.
  self.SetIdleFlag(false);
  dispatcher.SetIdle(self.Id(), false);
  if (self.QueuedSeqCst() > 0) p_.router.WakeHelperFor(self);
  return true;
}

void Scheduler::Park(Worker& self) {
  p_.parking.Prepare(self);
  // Paused: queued tasks wait for Resume, which wakes every worker. Asked
  // to leave: SetWorkers stored that before it unparks this worker.
  if ((HasQueuedWork() && !Paused()) || p_.flags.Stopping() || self.LeaveAskedSeqCst()) {
    p_.parking.Cancel(self);
    return;
  }
  p_.parking.Commit(self);
}

bool Scheduler::IdleSpare(Worker& self, TaskRecord*& task, bool counted) {
  if (counted) p_.spares.Deactivate();
  for (;;) {
    self.Spot().SetParked();
    if (p_.flags.Stopping()) {
      if (!self.Spot().CancelPark()) self.Spot().Sleep();
      return false;
    }
    self.Spot().Sleep();
    if (p_.flags.Stopping()) return false;
    // Only a claim (Spares::Activate counted this spare active) sends it to
    // work; any other wake-up leaves the count alone and it sleeps again.
    if (!self.Spot().TakeClaim()) continue;
    if (FindWork(self, task)) return true;
    // Nothing after all (another thread took it): idle again.
    p_.spares.Deactivate();
  }
}

bool Scheduler::WaitGroup(Worker& self, GroupState& group, Deadline deadline) {
  const Until until{&group, deadline, Context().spawned_mark};
  return RunUntil(self, &until);
}

bool Scheduler::WaitIdle(Worker& self, Deadline deadline) {
  // The calling task is running, but it waits: it does not count.
  p_.quiescence.EnterWaitOnWorker();
  const Until until{nullptr, deadline, Context().spawned_mark};
  const bool idle = RunUntil(self, &until);
  p_.quiescence.LeaveWaitOnWorker();
  return idle;
}

bool Scheduler::BlockOrHelp(Worker& self, const Until& until) {
  InterruptibleWait& wait =
      until.group != nullptr ? static_cast<InterruptibleWait&>(*until.group) : p_.quiescence;
  Spares::BlockedWaiter me(wait);
  Spares& spares = p_.spares;
  spares.List(me);  // first: a thread that sees the blocked count up finds it listed
  // seq_cst: blocked up, then the queue counts, against a producer's queue
  // count, then blocked (Router::WakeHelperFor): either this thread sees
  // the queued task and a spare comes, or the producer sees this thread
  // blocked (and a spare comes, or, at the bound, it asks a blocked waiter
  // to help).
  spares.Block();
  for (;;) {
    const bool asked = me.help.exchange(false, std::memory_order_relaxed);
    if (asked || (HasQueuedWork() && !spares.Activate(Spares::kPerWorker * p_.workers.Seated()))) {
      // The spares are at their bound: run a queued task of any origin
      // rather than leave it waiting (this may nest, as unisolated helping
      // does).
      spares.Unblock();
      TaskRecord* task = nullptr;
      if (FindWork(self, task)) {
        spares.Unlist(me);
        RunTask(self, task, BusyClock::Now());
        return true;
      }
      spares.Block();  // taken meanwhile, or paused
    }
    if (until.group != nullptr) {
      until.group->WaitUntilZero(until.deadline, &me.help);
    } else {
      p_.quiescence.BlockUntilIdle(until.deadline, &me.help);
    }
    // Asked to help (even if the wait is over: the request is this thread's
    // to serve), or the wait ended.
    if (!me.help.load(std::memory_order_relaxed)) break;
  }
  spares.Unblock();
  spares.Unlist(me);
  return false;
}

void Scheduler::Leave(Worker& self) {
  HandOffQueued(self);
  // Not idle (the dispatcher skips it; a producer that still picks it sees
  // it busy, so it wakes a parked worker to steal the task).
  self.SetIdleFlag(false);
  p_.router.Policy().SetIdle(self.Id(), false);
  // Pushed by a producer that picked this worker before it left (between
  // the hand-off and the flag): moved too; any later one is stolen.
  HandOffQueued(self);
}

void Scheduler::HandOffQueued(Worker& w) {
  // Each task at the level of the queue it came from (its record is not
  // read: the expiry timer may be emptying it), with its slot.
  TaskRecord* task = nullptr;
  Router& router = p_.router;
  while (w.TryPopOwnAt(Priority::kHigh, task)) router.DispatchAt(Priority::kHigh, task);
  while (w.TryPopSpawnedAbove(0, task) || w.TryPopOwn(task)) {
    router.DispatchAt(Priority::kNormal, task);
  }
  while (w.TryPopOwnAt(Priority::kLow, task)) router.DispatchAt(Priority::kLow, task);
}

void Scheduler::Pause() noexcept {
  paused_.store(true, std::memory_order_seq_cst);
  // No effect once closed: Close clears the flag after it sets `closed`, so
  // either it sees this store or this thread sees `closed` and undoes it.
  if (p_.flags.closed.load(std::memory_order_seq_cst)) Unpause();
}

void Scheduler::Resume() {
  // seq_cst: a worker about to park re-checks the flag after announcing
  // itself (Park); either it sees the pool resumed or WakeAll sees it parked.
  if (!paused_.exchange(false, std::memory_order_seq_cst)) return;
  WakeAll();
  // Waiters blocked while paused lost their spares (a spare with nothing to
  // run goes idle): the queued tasks get them back.
  Spares& spares = p_.spares;
  while (spares.SpareWanted() && HasQueuedWork()) {
    if (!spares.Activate(Spares::kPerWorker * p_.workers.Seated())) {
      spares.AskOneToHelp();
      break;
    }
  }
}

void Scheduler::WakeAll() noexcept {
  p_.parking.UnparkAll(p_.workers);
  // An idle spare sleeps until claimed or the pool stops: woken without a
  // claim it goes back to sleep, so only a stopping pool wakes them.
  if (p_.flags.Stopping()) p_.spares.UnparkAll();
}

}  // namespace litepool::detail
