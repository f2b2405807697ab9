// Expiry: queue timeouts (TaskOptions::SetQueueTimeout) and stop tokens of
// queued tasks (SubmitOptions::stop). The one owner of a timed record's
// state machine and of the timer that expires it.
//
// A task with a queue timeout or a stop token gets a QueueTicket
// (task/task_record.hpp) when it is admitted. The ticket is shared by the
// queue (through the record), the timer and the stop registration;
// whoever moves its state first decides the task's fate:
//
//            Prepare                 Start
//   (admitted) ──► kQueued ──────────────────► on the timer
//                    │                              │
//     a worker pops  │ Claim: CAS kQueued→kTaken    │ Expire: CAS kQueued→kExpired
//     the record     ▼                              ▼  (at the deadline, or at
//                 kTaken: the task runs;            │   once when its stop
//                 the timer finds nothing           │   token stops: ExpireSoon)
//                 when it fires                     ▼
//                                              kExpired: its slot is given back
//                                              at once and the task settles
//                                              (kExpired, or kCancelled for a
//                                              stop) on the timer's thread;
//                                              the record stays in its queue,
//                                              emptied ("hollow")
// A worker that pops a record whose deadline has passed before the timer
// got to it expires it itself (Claim: CAS kQueued→kExpired, settled on the
// worker), so a zero timeout always expires.
//
// References: `refs` (the record's ticket pointer, plus the timer entry and
// the stop registration, each if there is one) frees the ticket; once
// expired by the timer, `record_refs` (2: the queue and the timer) frees the
// hollow record — the worker that later pops it (Claim fails) or the timer,
// whichever lets go last. A queued record is therefore read only through a
// won CAS, and its level is the queue's, never the record's.
//
// Thread-safety: every member, any thread (Claim on the popping worker).
// Retries are not re-timed.
#ifndef LITEPOOL_FRAMEWORK_ENGINE_EXPIRY_HPP_
#define LITEPOOL_FRAMEWORK_ENGINE_EXPIRY_HPP_

#include "task/task_record.hpp"
#include "timers/deadline_timer.hpp"

namespace litepool::detail {

class OffRowWorkers;
class SettleSink;
class SlotGate;
class Worker;

class Expiry final : public QueueTicket::StopSink {
 public:
  Expiry(SlotGate& gate, const SettleSink& sink, OffRowWorkers& off_row);

  // The ticket of `task`'s first attempt (null without a timeout or a stop
  // token), made before it is queued. Throws std::bad_alloc.
  QueueTicket* Prepare(TaskRecord* task);
  // After the task was queued, for a ticket that is Timed() (checked before
  // it was queued: a ticket without a deadline may be gone by now): the
  // timer may fire at once. Never throws (no memory for the timer's entry:
  // the task expires only when a worker reaches it late).
  void Start(QueueTicket* ticket) noexcept;
  // A worker took `task` from a queue: true if it may run (or be purged);
  // false if it expired first (then the record is let go of here, or, its
  // deadline passed but the timer not there yet, settled here on `self`).
  bool Claim(Worker& self, TaskRecord* task);
  // A queued task's stop token was stopped: the timer settles it now.
  void ExpireSoon(QueueTicket* ticket) noexcept override;
  // After the pool drained: stops the timer thread; the tickets it still
  // held are fired here and find nothing to expire.
  void Stop();

 private:
  // The timer's action: settles the task as kExpired unless a worker took
  // it first.
  void Expire(QueueTicket* ticket);

  SlotGate& gate_;
  const SettleSink& sink_;
  OffRowWorkers& off_row_;
  DeadlineTimer<QueueTicket*> timer_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ENGINE_EXPIRY_HPP_
