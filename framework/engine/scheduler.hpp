// Scheduler: the one loop that runs tasks. Worker threads, spare threads and
// helping waits (TaskGroup::Wait, Future::Get, ParallelFor and WaitIdle on a
// worker thread) all run RunUntil; they differ in two places only:
//   what they may take     a worker or spare: anything (its spawned stack,
//                          its queue, then steals); a wait: only the tasks
//                          its own task spawned (isolation), so helping
//                          nests only as deep as the user's code
//   with nothing to take   a worker polls, then parks (Parking); a spare
//                          goes idle until claimed (Spares); a wait blocks
//                          on what it waits for, a spare standing in
// The scheduler calls the parts below it (Router, Parking, Spares,
// Quiescence, Expiry, settlement); none of them calls back into it, and
// waits enter it through the HelpingWaits interface only.
//
// Pause/Resume live here: a paused pool's workers take no queued task.
#ifndef LITEPOOL_FRAMEWORK_ENGINE_SCHEDULER_HPP_
#define LITEPOOL_FRAMEWORK_ENGINE_SCHEDULER_HPP_

#include <atomic>
#include <cstdint>

#include "engine/helping_waits.hpp"
#include "litepool/priority.hpp"
#include "observe/busy_clock.hpp"

namespace litepool {
struct PoolOptions;
}

namespace litepool::detail {

class Expiry;
class Parking;
class Quiescence;
class Router;
class SettleSink;
class SlotGate;
class Spares;
class Worker;
class WorkerTable;
struct GroupState;
struct PoolFlags;
struct TaskRecord;

class Scheduler final : public HelpingWaits {
 public:
  // The parts the loop drives; all outlive the scheduler.
  struct Parts {
    const PoolOptions& options;  // spin_iterations
    const PoolFlags& flags;
    WorkerTable& workers;
    Router& router;
    Parking& parking;
    Spares& spares;
    Quiescence& quiescence;
    Expiry& expiry;
    SlotGate& gate;
    const SettleSink& sink;
  };
  explicit Scheduler(const Parts& parts) noexcept : p_(parts) {}

  // A worker's or spare's thread: runs tasks until the pool stops (or, for
  // a worker, until it is asked to leave).
  void Run(Worker& self) { RunUntil(self, nullptr); }
  bool WaitGroup(Worker& self, GroupState& group, Deadline deadline) override;
  bool WaitIdle(Worker& self, Deadline deadline) override;

  // Some worker or spare has a task queued (seq_cst reads).
  bool HasQueuedWork() const noexcept;
  // Pause: running tasks finish, no queued task starts. No effect once
  // closed. Resume wakes every worker, and gives blocked waiters their
  // spares back. Idempotent; any thread.
  void Pause() noexcept;
  void Resume();
  bool Paused() const noexcept { return paused_.load(std::memory_order_acquire); }
  // Close: the pool is resumed (kDrain runs what is queued).
  void Unpause() noexcept { paused_.store(false, std::memory_order_seq_cst); }
  // Wakes every parked worker; once stopping, every idle spare too.
  void WakeAll() noexcept;

 private:
  struct Until;
  // The loop; true when `until` holds (always, for a thread's own loop).
  bool RunUntil(Worker& self, const Until* until);
  // Runs one attempt of `task` on `self`; returns the time it ended.
  BusyClock::Ticks RunTask(Worker& self, TaskRecord* task, BusyClock::Ticks start);
  // Takes a task: the own spawned stack, the own queue, then a steal.
  bool FindWork(Worker& self, TaskRecord*& task);
  // FindWork once priorities are in use: kHigh (own queue, then a steal),
  // then kNormal, then kLow.
  bool FindWorkByPriority(Worker& self, TaskRecord*& task);
  // FindWork's last step: false (and `task` back in `self`'s queue at
  // `level`) if the pool was paused meanwhile.
  bool KeepUnlessPaused(Worker& self, TaskRecord* task, Priority level);
  bool Steal(Worker& self, TaskRecord*& task);
  bool StealAt(Priority p, Worker& self, TaskRecord*& task);
  // From the worker (or spare) with the most tasks by `count`, else from
  // any with some; `pop` takes one from a victim.
  template <class Count, class Pop>
  bool StealBy(Worker& self, Count count, Pop pop);
  // A worker with nothing to take: polls, then parks, until it finds a task
  // (true) or the pool stops or it is asked to leave (false).
  bool Idle(Worker& self, TaskRecord*& task);
  // The park handshake (Parking), with the re-check of everything a waker
  // publishes.
  void Park(Worker& self);
  // A spare with nothing to take: it sleeps until claimed again (true, with
  // a task) or the pool stops (false). `counted`: still counted active.
  bool IdleSpare(Worker& self, TaskRecord*& task, bool counted);
  // A wait with nothing of its own left to run: blocks (a spare standing in
  // while tasks are queued); at the spares' bound it runs one queued task of
  // any origin instead (true).
  bool BlockOrHelp(Worker& self, const Until& until);
  // A worker asked to leave (SetWorkers), between tasks: hands its queued
  // tasks to the seated workers; its thread then returns.
  void Leave(Worker& self);
  void HandOffQueued(Worker& w);

  Parts p_;
  std::atomic<bool> paused_{false};
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ENGINE_SCHEDULER_HPP_
