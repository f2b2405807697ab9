#include "engine/expiry.hpp"

#include <chrono>
#include <string>

#include "admission/slot_gate.hpp"
#include "engine/execution_context.hpp"
#include "engine/off_row.hpp"
#include "engine/quiescence.hpp"
#include "litepool/detail/format_duration.hpp"
#include "task/settlement.hpp"
#include "task/task_record.hpp"

namespace litepool::detail {
namespace {

// Beyond about a century a timeout cannot run out (and now + timeout could
// overflow): such a task gets no ticket.
constexpr std::chrono::hours kNeverExpires{24 * 365 * 100};

}  // namespace

Expiry::Expiry(SlotGate& gate, const SettleSink& sink, OffRowWorkers& off_row,
               Quiescence& quiescence)
    : gate_(gate),
      sink_(sink),
      off_row_(off_row),
      quiescence_(quiescence),
      timer_([this](QueueTicket* ticket) { Expire(ticket); }) {}

QueueTicket* Expiry::Prepare(TaskRecord* task) {
  TaskExtras* x = task->extras;
  if (x == nullptr || !x->hooks.queue_timeout) [[likely]] return nullptr;
  if (*x->hooks.queue_timeout > kNeverExpires) return nullptr;
  off_row_.Expirer();  // the timer settles with its counters: made now
  x->ticket = new QueueTicket(task, std::chrono::steady_clock::now() + *x->hooks.queue_timeout);
  return x->ticket;
}

void Expiry::Start(QueueTicket* ticket) noexcept {
  // From here on the timer touches the record only through a won CAS
  // (Expire). A worker may have taken (and even settled) the task already:
  // the ticket outlives it.
  try {
    timer_.Schedule(ticket, ticket->deadline);
  } catch (...) {
    // Drop the timer's reference; the worker that takes the task drops the
    // other.
    ticket->Release();
  }
}

bool Expiry::Claim(Worker& self, TaskRecord* task) noexcept {
  TaskExtras* x = task->extras;
  QueueTicket* ticket = x != nullptr ? x->ticket : nullptr;
  if (ticket == nullptr) return true;
  int queued = QueueTicket::kQueued;
  if (ticket->state.compare_exchange_strong(queued, QueueTicket::kTaken,
                                            std::memory_order_acq_rel)) {
    x->ticket = nullptr;  // retries are not re-timed
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
    TaskRecord* task = ticket->record;
    Worker& expirer = off_row_.Expirer();
    const Error why("expired: not started within its queue timeout of " +
                        FormatDuration(*task->extras->hooks.queue_timeout),
                    ErrorCode::kExpired);
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
    quiescence_.Settled();
  }
  ticket->Release();
}

}  // namespace litepool::detail
