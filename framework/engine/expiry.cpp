#include "engine/expiry.hpp"

#include <chrono>
#include <string>

#include "admission/slot_gate.hpp"
#include "engine/off_row.hpp"
#include "litepool/detail/format_duration.hpp"
#include "task/execution_context.hpp"
#include "task/settlement.hpp"
#include "task/task_record.hpp"

namespace litepool::detail {
namespace {

using Clock = std::chrono::steady_clock;

// Beyond about a century a timeout cannot run out (and now + timeout could
// overflow): such a task gets no deadline.
constexpr std::chrono::hours kNeverExpires{24 * 365 * 100};

// Why an expired task did not run (kExpired).
Error ExpiredError(const TaskExtras& x) {
  return Error(
      "expired: not started within its queue timeout of " + FormatDuration(*x.hooks.queue_timeout),
      ErrorCode::kExpired);
}

}  // namespace

Expiry::Expiry(SlotGate& gate, const SettleSink& sink, OffRowWorkers& off_row)
    : gate_(gate),
      sink_(sink),
      off_row_(off_row),
      timer_([this](QueueTicket* ticket) { Expire(ticket); }) {}

QueueTicket* Expiry::Prepare(TaskRecord* task) {
  TaskExtras* x = task->extras;
  if (x == nullptr) [[likely]]
    return nullptr;
  const bool timed = x->hooks.queue_timeout && *x->hooks.queue_timeout <= kNeverExpires;
  const bool stoppable = x->hooks.stop.stop_possible();
  if (!timed && !stoppable) [[likely]]
    return nullptr;
  off_row_.Expirer();  // the timer settles with its counters: made now
  const auto deadline = timed ? Clock::now() + *x->hooks.queue_timeout : Clock::time_point::max();
  x->ticket = new QueueTicket(task, deadline, 1 + (timed ? 1 : 0) + (stoppable ? 1 : 0));
  if (stoppable) {
    // Last, as it cannot throw: a stop requested already fires here, and
    // the timer may settle the task before it is queued (the worker that
    // pops it then lets go of it, as of any expired record).
    x->ticket->on_stop.emplace(x->hooks.stop, QueueTicket::OnStop{this, x->ticket});
  }
  return x->ticket;
}

void Expiry::ExpireSoon(QueueTicket* ticket) noexcept {
  bool scheduled = false;
  try {
    scheduled = timer_.Schedule(ticket, Clock::now());
  } catch (...) {
    // No memory for the timer's entry: the task is settled when a worker
    // takes it (Submit's body checks the token), and this reference goes.
  }
  if (!scheduled) ticket->Release();
}

void Expiry::Stop() {
  for (QueueTicket* ticket : timer_.Stop()) Expire(ticket);
}

void Expiry::Start(QueueTicket* ticket) noexcept {
  // Timed: the timer's reference keeps the ticket alive until here. From here on the timer touches
  // the record only through a won CAS (Expire). A worker may have taken (and even settled) the task
  // already: the ticket outlives it.
  bool scheduled = false;
  try {
    scheduled = timer_.Schedule(ticket, ticket->deadline);
  } catch (...) {
    // No memory for the entry: the task cannot expire on its own; a worker
    // that reaches it after its deadline still expires it (Claim).
  }
  // Not held: drop the timer's reference; the worker that takes the task
  // drops the other.
  if (!scheduled) ticket->Release();
}

bool Expiry::Claim(Worker& self, TaskRecord* task) {
  TaskExtras* x = task->extras;
  QueueTicket* ticket = x != nullptr ? x->ticket : nullptr;
  if (ticket == nullptr) return true;
  int queued = QueueTicket::kQueued;
  // Its deadline passed before a worker reached it: expired, whether the
  // timer thread got to it yet or not (so a zero timeout always expires).
  // Settled here, on the worker, with its own counters.
  if (ticket->deadline != Clock::time_point::max() && Clock::now() >= ticket->deadline &&
      ticket->state.compare_exchange_strong(queued, QueueTicket::kExpired,
                                            std::memory_order_acq_rel)) {
    x->ticket = nullptr;
    ticket->DropStop();
    gate_.Release(1);  // its slot back at once
    SettleUnrun(sink_, self, task, ExpiredError(*x));
    ticket->Release();  // the record's reference (the timer's fires later)
    return false;
  }
  queued = QueueTicket::kQueued;  // a failed exchange above overwrote it
  if (ticket->state.compare_exchange_strong(queued, QueueTicket::kTaken,
                                            std::memory_order_acq_rel)) {
    x->ticket = nullptr;  // retries are not re-timed
    ticket->DropStop();   // a stop from now on is the running task's business
    ticket->Release();
    return true;
  }
  // Expired: the timer settled it (or is settling it) and gave its slot
  // back. Whoever of the two lets go last frees the record.
  if (ticket->record_refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    self.Records().Free(task);
  }
  ticket->Release();
  return false;
}

void Expiry::Expire(QueueTicket* ticket) {
  int queued = QueueTicket::kQueued;
  if (ticket->state.compare_exchange_strong(queued, QueueTicket::kExpired,
                                            std::memory_order_acq_rel)) {
    // Before any hook runs: no stop callback is left to fire into a
    // settled task.
    ticket->DropStop();
    TaskRecord* task = ticket->record;
    Worker& expirer = off_row_.Expirer();
    const Error why =
        ticket->stop_fired.load(std::memory_order_acquire)
            ? Error("cancelled while queued (its stop token was stopped)", ErrorCode::kCancelled)
            : ExpiredError(*task->extras);
    gate_.Release(1);  // an expired task gives its slot back at once
    // The timer thread serves every queue timeout of the pool: a hook of an
    // expired task that adds a task must not block it on a full pool, so it
    // takes the overflow path, as on a worker.
    const bool saved_overflow = Context().overflow_ok;
    Context().overflow_ok = true;
    SettleUnrun(sink_, expirer, task, why, /*hollow=*/true);
    Context().overflow_ok = saved_overflow;
    if (ticket->record_refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      expirer.Records().Free(task);
    }
  }
  ticket->Release();
}

}  // namespace litepool::detail
