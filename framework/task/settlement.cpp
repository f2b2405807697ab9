// Settlement: one attempt of one task, and what follows it. The record's
// phase (TaskRecord::Phase) decides the path:
//
//   kFirstAttempt --cancelled--> HandleFirstFailure (OnError)
//                 --Exec ok----> OnSuccess ----------------------> Settle
//                 --Exec error-> HandleFirstFailure (OnError) ----> Settle
//                                  \--ErrReload--> kRetrying: Retry
//   kRetrying     --cancelled / no retries left / ok--> RunAfter -> Settle
//                 --Exec error, retries left--> Retry (re-queued through
//                                                the SettleSink)
//
// Settle: OnComplete, the counters, the group credit, and the record freed.
// Every hook runs inside CatchHook (a throw is counted and recorded).
#include "task/settlement.hpp"

#include <algorithm>
#include <chrono>
#include <random>
#include <string>

#include "task/err_handle_access.hpp"
#include "task/error_access.hpp"
#include "task/execution_context.hpp"
#include "task/group_state.hpp"
#include "task/settle_site.hpp"
#include "task/task_record.hpp"

namespace litepool::detail {
namespace {

using Clock = std::chrono::steady_clock;

// How a task settled (kRetrying: not yet). The failure kinds follow the
// code of the final error the user's hooks saw, for the accounting.
enum class Outcome { kSucceeded, kFailed, kCancelled, kException, kExpired, kRetrying };

// Where a failure nobody handled is recorded.
void RecordUnhandled(TaskRecord& t, const Error& e) {
  if (GroupState* g = t.Group(); g != nullptr && !t.PrivateGroup()) {
    g->AddError(e);
  }
}

// The one catch for user hooks: runs `f`; a throw is counted, recorded in
// the group and never propagated. Returns false if it threw.
template <class F>
bool CatchHook(SettleSite& self, TaskRecord& t, const char* hook, F&& f) {
  try {
    f();
    return true;
  } catch (...) {
    self.Stats().callback_errors.Add();
    const std::exception_ptr e = std::current_exception();
    RecordUnhandled(t, ErrorAccess::Make(std::string(hook) + " threw: " + DescribeException(e),
                                         ErrorCode::kException, e));
    return false;
  }
}

// Runs a void hook set as a std::function or as an interface, if either.
template <class Iface>
void RunHook(SettleSite& self, TaskRecord& t, const char* hook, const VoidFn& fn, Iface* iface,
             void (Iface::*method)()) {
  if (fn) {
    CatchHook(self, t, hook, fn);
  } else if (iface != nullptr) {
    CatchHook(self, t, hook, [&] { (iface->*method)(); });
  }
}

Error RunExec(TaskRecord& t) {
  try {
    return t.exec_fn ? t.exec_fn() : t.extras->hooks.exec_iface->Exec();
  } catch (...) {
    return Error::FromException(std::current_exception());
  }
}

// Why a task must not run now (group or pool cancellation), or ok.
Error CancelReason(const SettleSink& pool, const TaskRecord& t) {
  // A coroutine's resumption is not a user task: dropping it would strand
  // the coroutine (its frame and whoever awaits it), so it always runs.
  if (t.Resumption()) return Error();
  if (t.GroupCancelled()) {
    return Error("task group cancelled", ErrorCode::kCancelled);
  }
  if (pool.CancelPending()) {
    return Error("pool closed with kCancelPending", ErrorCode::kCancelled);
  }
  return Error();
}

// Why no further retry may run, or ok when one may: a cancellation, or a
// closed pool (no retry is requested after Close).
Error StopReason(const SettleSink& pool, const TaskRecord& t) {
  if (Error cancel = CancelReason(pool, t)) {
    return Error("retry stopped: " + cancel.Message(), cancel.Code());
  }
  if (pool.Closed()) {
    return Error("retry stopped: pool closed", ErrorCode::kClosed);
  }
  return Error();
}

bool IsStop(const Error& e) {
  return e.Code() == ErrorCode::kCancelled || e.Code() == ErrorCode::kClosed;
}

// A reason that settles a task without running it, retries included: a
// cancel, a close, or its queue timeout (an expired task is not
// retried).
bool NeverRuns(const Error& e) { return IsStop(e) || e.Code() == ErrorCode::kExpired; }

Outcome FailureOutcome(const Error& e) {
  if (IsStop(e)) return Outcome::kCancelled;
  if (e.Code() == ErrorCode::kExpired) return Outcome::kExpired;
  if (e.Code() == ErrorCode::kException) return Outcome::kException;
  return Outcome::kFailed;
}

// Ends a retrying task's attempts: gives the final result to ErrReload's
// `after`, and records it if it is a failure the user did not see handled
// elsewhere (retries exhausted).
Outcome RunAfter(SettleSite& self, TaskRecord& t, const Error& result) {
  if (t.extras != nullptr && t.extras->after) {
    CatchHook(self, t, "ErrReload after", [&] { t.extras->after(result); });
  }
  if (!result) return Outcome::kSucceeded;
  if (!IsStop(result)) RecordUnhandled(t, result);
  return FailureOutcome(result);
}

// The longest retry delay (about a century): a longer Backoff, up to
// nanoseconds::max(), is clamped so that `now + delay` cannot overflow.
constexpr std::chrono::nanoseconds kLongestDelay = std::chrono::hours(24 * 365 * 100);

std::chrono::nanoseconds Jittered(std::chrono::nanoseconds d, double jitter) {
  if (jitter <= 0.0 || d.count() <= 0) return std::min(d, kLongestDelay);
  thread_local std::minstd_rand rng{std::random_device{}()};
  std::uniform_real_distribution<double> u(-jitter, jitter);
  const double f = 1.0 + u(rng);
  // Clamp as a double: converting a value beyond int64's range is undefined.
  const double v = static_cast<double>(d.count()) * f;
  if (!(v < static_cast<double>(kLongestDelay.count()))) return kLongestDelay;
  return std::chrono::nanoseconds(static_cast<std::int64_t>(v));
}

// Retries left: re-queue (or hand to the timer) unless stopped.
Outcome Retry(const SettleSink& pool, SettleSite& self, TaskRecord& t, const Error& last) {
  TaskExtras& x = *t.extras;  // a retrying task has OnError, so extras
  if (x.retries_left == 0) return RunAfter(self, t, last);
  if (Error stop = StopReason(pool, t)) return RunAfter(self, t, stop);
  if (x.retries_left > 0) --x.retries_left;
  ++x.attempt;
  self.Stats().retried.Add();
  const auto delay = Jittered(x.backoff.DelayFor(x.attempt), x.backoff.jitter);
  pool.Requeue(&t, delay);
  return Outcome::kRetrying;
}

// The first failure of a task (its first attempt failed, or it was
// cancelled before it ran): OnError decides — handled, unhandled, or
// retries (the task enters kRetrying).
Outcome HandleFirstFailure(const SettleSink& pool, SettleSite& self, TaskRecord& t,
                           const Error& error) {
  if (!t.HasOnError()) {
    if (!IsStop(error)) RecordUnhandled(t, error);
    return FailureOutcome(error);
  }
  if (!t.Group()) {
    // A group-less task still gets a TaskGroup& in OnError.
    t.group = TaskGroup();
    t.SetPrivateGroup();
  }
  ErrHandle handle;
  ErrHandleAccess::SetActive(handle, true);
  Context().err_handle = &handle;
  const bool returned = CatchHook(self, t, "OnError", [&] {
    if (t.extras->hooks.on_error_fn) {
      t.extras->hooks.on_error_fn(handle, t.group, error);
    } else {
      t.extras->hooks.on_error_iface->OnError(handle, t.group, error);
    }
  });
  Context().err_handle = nullptr;
  ErrHandleAccess::SetActive(handle, false);
  if (!returned || ErrHandleAccess::Unhandled(handle)) {
    if (!IsStop(error)) RecordUnhandled(t, error);
    return FailureOutcome(error);
  }
  if (!ErrHandleAccess::ReloadRequested(handle)) return FailureOutcome(error);
  t.EnterRetrying();
  t.extras->retries_left = ErrHandleAccess::MaxRetries(handle);
  t.extras->after = ErrHandleAccess::TakeAfter(handle);
  t.extras->backoff = ErrHandleAccess::GetBackoff(handle);
  // Cancelled or expired before it ran: no retry runs either.
  if (NeverRuns(error)) return RunAfter(self, t, error);
  return Retry(pool, self, t, error);
}

// Adds the ticks from `start` to `end` (0: now) to the worker's busy time;
// returns the end.
BusyClock::Ticks AddBusy(SettleSite& self, BusyClock::Ticks start, BusyClock::Ticks end = 0) {
  if (end == 0) end = BusyClock::Now();
  self.Stats().busy_ticks.Add(end - start);
  return end;
}

// The traced form of an attempt (cold: only while a trace may be running).
[[gnu::noinline]] void TraceAttempt(const SettleSink& pool, SettleSite& self, TaskRecord& t,
                                    BusyClock::Ticks admitted, BusyClock::Ticks begun,
                                    BusyClock::Ticks ran, const Error& result) {
  RawTraceEvent e{};
  e.priority = Priority::kNormal;  // a plain task has no extras
  if (TaskExtras* x = t.extras) {
    // Kept in the extras: the id stays the same for every attempt (a task
    // with retries always has extras). A plain task runs once.
    if (x->trace_id == 0) x->trace_id = self.NextTraceId(pool.TraceIds());
    e.task = x->trace_id;
    e.attempt = static_cast<std::uint32_t>(x->attempt);
    e.priority = x->hooks.priority;
  } else {
    e.task = self.NextTraceId(pool.TraceIds());
  }
  e.admitted = admitted;
  e.start = begun;
  e.end = ran;
  e.outcome = result.Code();
  e.stolen = self.LastStolen();
  self.RecordTrace(e);
}

// The latency samples of an attempt that ran Exec from `start` (the
// worker's clock read before it took the task: shared with the busy clock)
// to `ran`.
void NoteAttempt(const SettleSink& pool, SettleSite& self, TaskRecord& t, BusyClock::Ticks start,
                 BusyClock::Ticks ran, const Error& result) {
  const std::int64_t since = t.SinceAdmitted(start);
  // A task queued while its worker was already looking for work (since < 0)
  // was admitted after `start`: it waited 0 and began at its admission.
  const std::uint64_t wait = since > 0 ? static_cast<std::uint64_t>(since) : 0;
  const BusyClock::Ticks admitted = start - static_cast<std::uint64_t>(since);
  const BusyClock::Ticks begun = admitted + wait;
  self.Stats().queue_wait.RecordValue(wait);
  self.Stats().run_time.RecordValue(ran - begun);
  if (self.MaybeTracing()) [[unlikely]] {
    TraceAttempt(pool, self, t, admitted, begun, ran, result);
  }
}

// OnComplete, then the counters, then the group credit: once Wait() returns,
// Stats() already counts the task.
// Empties a record that must stay allocated (an expired task still sits in
// its queue): its body and hooks, and what they captured, are destroyed
// now; the block is freed by whoever lets go of it last (QueueTicket).
void Hollow(TaskRecord* t) noexcept {
  t->exec_fn = ExecFn();
  if (TaskExtras* x = t->extras) {
    x->hooks.Clear();
    x->after = nullptr;
  }
}

// A template on kHollow, inlined: RunAttempt's copy (kHollow false) is the
// hot path and pays neither a call nor a test for it (measured: +33
// instructions per task as one out-of-line function with a flag).
template <bool kHollow>
[[gnu::always_inline]] inline BusyClock::Ticks Settle(const SettleSink& pool, SettleSite& self,
                                                      TaskRecord* t, Outcome outcome,
                                                      BusyClock::Ticks start,
                                                      BusyClock::Ticks ran) {
  // A plain task has no hook after Exec: the clock read after Exec ends its
  // busy time too (one read per task; the settling below is engine work).
  const BusyClock::Ticks end_hint = t->extras == nullptr ? ran : 0;
  if (const TaskExtras* x = t->extras) {
    RunHook(self, *t, "OnComplete", x->hooks.on_complete_fn, x->hooks.on_complete_iface.get(),
            &TaskOnComplete::OnComplete);
  }
  const bool credit = (t->CreditRequested() || t->AutoDone()) && !t->PrivateGroup();
  TaskGroup group = GroupAccess::Take(t->group);
  // Free the hooks (and whatever they captured) before Wait() can return.
  if constexpr (kHollow) {
    Hollow(t);
  } else {
    self.Records().Free(t);
  }
  if (outcome == Outcome::kSucceeded) {
    self.Stats().succeeded.Add();
  } else {
    // `failed` first: Engine::Totals reads the sub-counts before it, so a
    // concurrent reader never sees a sub-count ahead of `failed`.
    self.Stats().failed.Add();
    if (outcome == Outcome::kCancelled) self.Stats().cancelled.Add();
    if (outcome == Outcome::kException) self.Stats().exceptions.Add();
    if (outcome == Outcome::kExpired) self.Stats().expired.Add();
  }
  const BusyClock::Ticks end = AddBusy(self, start, end_hint);
  if (credit) {
    if (GroupState* g = GroupAccess::State(group)) {
      g->Credit("more completions than the count given to NewTaskGroup/Add");
    }
  }
  // Settled: a Close draining the pool, or a WaitIdle, may be waiting for
  // this task. After the credit, so that a WaitIdle woken here finds the
  // task's group credited too.
  pool.Settled();
  return end;
}

}  // namespace

void SettleUnrun(const SettleSink& pool, SettleSite& self, TaskRecord* task, const Error& why,
                 bool hollow) {
  TaskRecord& t = *task;
  // A Future's promise destroyed unrun below reports `why`, not "dropped".
  ExecutionContext& ctx = Context();
  const Error* const saved_reason = ctx.drop_reason;
  ctx.drop_reason = &why;
  const BusyClock::Ticks start = BusyClock::Now();
  CurrentTaskScope scope(task);  // its hooks are the task's own code
  // Purged (kCancelled) with no OnError: the group's Errors() tell its
  // owner, who did not ask for it, that the task never ran. (A kExpired
  // failure is recorded as any unhandled error is.)
  if (IsStop(why) && !t.HasOnError() && t.GetPhase() == TaskRecord::Phase::kFirstAttempt) {
    RecordUnhandled(t, why);
  }
  const Outcome outcome = t.GetPhase() == TaskRecord::Phase::kRetrying
                              ? RunAfter(self, t, why)
                              : HandleFirstFailure(pool, self, t, why);
  if (hollow) {
    Settle<true>(pool, self, task, outcome, start, BusyClock::Now());
  } else {
    Settle<false>(pool, self, task, outcome, start, BusyClock::Now());
  }
  ctx.drop_reason = saved_reason;
}

BusyClock::Ticks RunAttempt(const SettleSink& pool, SettleSite& self, TaskRecord* task,
                            BusyClock::Ticks start) {
  TaskRecord& t = *task;
  Outcome outcome;
  BusyClock::Ticks ran = 0;  // when Exec returned; 0: it did not run
  {
    CurrentTaskScope scope(task);
    if (Error cancel = CancelReason(pool, t)) {
      outcome = t.GetPhase() == TaskRecord::Phase::kRetrying
                    ? RunAfter(self, t, cancel)
                    : HandleFirstFailure(pool, self, t, cancel);
    } else {
      const Error result = RunExec(t);
      ran = BusyClock::Now();
      self.Stats().executed.Add();
      NoteAttempt(pool, self, t, start, ran, result);
      if (t.GetPhase() == TaskRecord::Phase::kRetrying) {
        outcome = result ? Retry(pool, self, t, result) : RunAfter(self, t, result);
      } else if (!result) {
        if (const TaskExtras* x = t.extras) {
          RunHook(self, t, "OnSuccess", x->hooks.on_success_fn, x->hooks.on_success_iface.get(),
                  &TaskOnSuccess::OnSuccess);
        }
        outcome = Outcome::kSucceeded;
      } else {
        outcome = HandleFirstFailure(pool, self, t, result);
      }
    }
    if (outcome != Outcome::kRetrying) {
      // Inside the scope: OnComplete is still the task's own code.
      return Settle<false>(pool, self, task, outcome, start, ran);
    }
  }
  return AddBusy(self, start);
}

}  // namespace litepool::detail
