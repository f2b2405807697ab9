// ErrGroup on the engine: one TaskGroup counts the functions (Wait is its
// helping Wait), its Cancel() skips the functions not started yet, and a
// Limiter enforces SetLimit.
#include "litepool/err_group.hpp"

#include <atomic>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include "frontends/limiter.hpp"
#include "litepool/default_pool.hpp"
#include "litepool/detail/mutex.hpp"
#include "litepool/task.hpp"
#include "litepool/task_group.hpp"
#include "litepool/task_options.hpp"

namespace litepool {
namespace detail {

// One round of a group: the functions given to Go/TryGo until a Wait returns.
// A WithContext group starts a new round at the first Go after Wait (a fresh
// Context(), no error), as a Go user calls errgroup.WithContext again.
struct ErrGroupRound {
  TaskGroup run;             // counts Go'd functions until they return
  std::stop_source context;  // Context(), for WithContext groups
  bool waited = false;       // a Wait returned; guarded by ErrGroupState::mu
};

struct ErrGroupState final : LimitedClient {
  ErrGroupState(Pool& p, bool ctx) : pool(p), with_context(ctx) {}

  std::shared_ptr<ErrGroupRound> Round() const {
    MutexLock lock(mu);
    return round;
  }

  std::stop_token Token(const ErrGroupRound& r) const {
    return with_context ? r.context.get_token() : std::stop_token();
  }

  // The round a new function joins: a WithContext group whose last round was
  // waited for and has nothing pending starts a new one (stopped at once if
  // the parent stopped).
  std::shared_ptr<ErrGroupRound> RoundForGo() {
    std::shared_ptr<ErrGroupRound> r;
    bool fresh = false;
    {
      MutexLock lock(mu);
      if (with_context && round->waited && round->run.Pending() == 0) {
        round = std::make_shared<ErrGroupRound>();
        first_error = Error();
        errors.clear();
        fresh = true;
      }
      r = round;
    }
    if (fresh && parent_stopped.load(std::memory_order_acquire)) Stop(*r);
    return r;
  }

  // Keeps every error; the first one by time also stops a WithContext group.
  void Record(const Error& e) {
    bool first = false;
    {
      MutexLock lock(mu);
      if (!first_error) {
        first_error = e;
        first = true;
      }
      errors.push_back(e);
    }
    if (first && with_context) Stop(*Round());
  }

  // The parent's stop becomes the group's error only if it cut something
  // short: functions were pending, or Go came after it (NoteSkipped).
  void RecordCancelledIfNoError() {
    MutexLock lock(mu);
    if (first_error) return;
    first_error = Error("errgroup: parent stop requested", ErrorCode::kCancelled);
    errors.push_back(first_error);
  }

  void ParentStopped() {
    parent_stopped.store(true, std::memory_order_release);
    const std::shared_ptr<ErrGroupRound> r = Round();
    if (r->run.Pending() > 0) RecordCancelledIfNoError();
    Stop(*r);
  }

  // A function was skipped because the group is cancelled.
  void NoteSkipped() {
    if (parent_stopped.load(std::memory_order_acquire)) {
      RecordCancelledIfNoError();
    }
  }

  void Stop(ErrGroupRound& r) {
    r.context.request_stop();
    r.run.Cancel();               // functions not started yet settle as kCancelled, unrun
    limiter->RejectQueued(this);  // and those beyond the limit at once
  }

  void OnRejected(const Error& why) override {
    if (why.Code() == ErrorCode::kCancelled && Round()->run.Cancelled()) {
      NoteSkipped();
      return;
    }
    Record(why);  // e.g. kClosed
  }

  // The pool settled a function without running it. Skipping because the
  // group itself stopped is no error; anything else (the pool's
  // Close(kCancelPending)) is reported.
  void NotRun(const Error& why) {
    if (why.Code() == ErrorCode::kCancelled && Round()->run.Cancelled()) {
      NoteSkipped();
      return;
    }
    Record(Error("errgroup: function not run: " + why.Message(), why.Code()));
  }

  Error FirstError() const {
    MutexLock lock(mu);
    return first_error;
  }

  Pool& pool;
  const bool with_context;
  std::shared_ptr<Limiter> limiter = std::make_shared<Limiter>(0);
  std::atomic<bool> zero_limit{false};
  std::atomic<bool> parent_stopped{false};

  mutable Mutex mu;
  // The current round; replaced only while none of its functions is pending.
  std::shared_ptr<ErrGroupRound> round LITEPOOL_GUARDED_BY(mu) = std::make_shared<ErrGroupRound>();
  Error first_error LITEPOOL_GUARDED_BY(mu);          // of the current round
  std::vector<Error> errors LITEPOOL_GUARDED_BY(mu);  // of the current round

  struct ParentStop {
    ErrGroupState* state;
    void operator()() const { state->ParentStopped(); }
  };
  // Last member: destroyed first, so it never fires into a dying state.
  std::optional<std::stop_callback<ParentStop>> parent_callback;
};

namespace {

// One Go'd function. Exec runs it and records its error. OnError hears of
// every failure, and also of the pool cancelling the function before it ran
// (Close(kCancelPending)), which no body can report: then the function is
// recorded as not run, so Wait never reports success for work that did not
// happen. Exec and OnError of one attempt run on the same thread, one after
// the other: `ran_` needs no synchronisation.
class GoTask final : public TaskExec, public TaskOnError {
 public:
  GoTask(std::shared_ptr<ErrGroupState> st, std::shared_ptr<ErrGroupRound> round,
         std::function<Error(std::stop_token)> fn)
      : st_(std::move(st)), round_(std::move(round)), fn_(std::move(fn)) {}

  Error Exec() override {
    ran_ = true;
    Error e;
    try {
      e = fn_(st_->Token(*round_));
    } catch (...) {
      e = Error::FromException(std::current_exception());
    }
    if (e) st_->Record(e);
    return e;  // also to the engine, so Usage() counts the failure
  }

  void OnError(ErrHandle&, TaskGroup&, const Error& why) override {
    if (!ran_) st_->NotRun(why);
  }

 private:
  std::shared_ptr<ErrGroupState> st_;
  std::shared_ptr<ErrGroupRound> round_;
  std::function<Error(std::stop_token)> fn_;
  bool ran_ = false;
};

LimitedTask MakeTask(const std::shared_ptr<ErrGroupState>& st,
                     const std::shared_ptr<ErrGroupRound>& round,
                     std::function<Error(std::stop_token)> fn) {
  LimitedTask task;
  task.pool = &st->pool;
  task.client = st;
  auto body = std::make_shared<GoTask>(st, round, std::move(fn));
  task.options = round->run.NewTaskOptions()
                     .SetTaskWithInterface(body)
                     .SetOnErrorWithInterface(body)
                     .SetAutoDone();
  return task;
}

}  // namespace
}  // namespace detail

ErrGroup::ErrGroup() : ErrGroup(DefaultPool(), false, {}) {}

ErrGroup::ErrGroup(Pool& pool) : ErrGroup(pool, false, {}) {}

ErrGroup::ErrGroup(Pool& pool, bool with_context, std::stop_token parent)
    : state_(std::make_shared<detail::ErrGroupState>(pool, with_context)) {
  if (with_context && parent.stop_possible()) {
    // Runs ParentStopped at once if the parent has already stopped.
    state_->parent_callback.emplace(std::move(parent),
                                    detail::ErrGroupState::ParentStop{state_.get()});
  }
}

ErrGroup ErrGroup::WithContext(std::stop_token parent) {
  return ErrGroup(DefaultPool(), true, std::move(parent));
}

ErrGroup ErrGroup::WithContext(Pool& pool, std::stop_token parent) {
  return ErrGroup(pool, true, std::move(parent));
}

ErrGroup::~ErrGroup() {
  state_->Round()->run.Wait();
  // Blocks while the callback runs on another thread, then unregisters it.
  state_->parent_callback.reset();
}

std::stop_token ErrGroup::Context() const { return state_->Token(*state_->Round()); }

void ErrGroup::SetLimit(int n) {
  if (const std::int64_t pending = state_->Round()->run.Pending(); pending > 0) {
    throw std::logic_error("ErrGroup::SetLimit: " + std::to_string(pending) +
                           " function(s) still pending; change the limit "
                           "only before Go or after Wait");
  }
  state_->zero_limit.store(n == 0, std::memory_order_release);
  state_->limiter->SetLimit(n < 0 ? 0 : static_cast<std::size_t>(n));
}

void ErrGroup::GoImpl(std::function<Error(std::stop_token)> fn) {
  detail::ErrGroupState& st = *state_;
  if (st.zero_limit.load(std::memory_order_acquire)) {
    throw std::logic_error(
        "ErrGroup::Go: SetLimit(0) lets no function run (Go would block "
        "forever)");
  }
  const std::shared_ptr<detail::ErrGroupRound> round = st.RoundForGo();
  if (round->run.Cancelled()) {
    st.NoteSkipped();
    return;
  }
  round->run.Add(1);  // before submitting: the task's auto-Done credits it
  detail::LimitedTask task = detail::MakeTask(state_, round, std::move(fn));
  if (Pool::OnAnyPoolWorkerThread()) {
    st.limiter->Submit(std::move(task));  // never block a worker
  } else {
    st.limiter->SubmitWaiting(std::move(task));
  }
  // Cancelled while it was queued: don't leave it waiting for a slot.
  if (round->run.Cancelled()) st.limiter->RejectQueued(&st);
}

bool ErrGroup::TryGoImpl(std::function<Error(std::stop_token)> fn) {
  detail::ErrGroupState& st = *state_;
  if (st.zero_limit.load(std::memory_order_acquire)) return false;
  const std::shared_ptr<detail::ErrGroupRound> round = st.RoundForGo();
  if (round->run.Cancelled()) return false;
  bool counted = false;
  if (!st.limiter->TryAcquire(&counted)) return false;
  round->run.Add(1);
  detail::LimitedTask task = detail::MakeTask(state_, round, std::move(fn));
  task.add_deadline = std::chrono::steady_clock::now();  // try once for a slot
  return !st.limiter->Launch(std::move(task), counted,
                             /*report_rejection=*/false);
}

Error ErrGroup::Wait() {
  const std::shared_ptr<detail::ErrGroupRound> round = state_->Round();
  round->run.Wait();
  if (state_->with_context) round->context.request_stop();
  detail::MutexLock lock(state_->mu);
  round->waited = true;  // the next Go of a WithContext group starts afresh
  return state_->first_error;
}

std::vector<Error> ErrGroup::Errors() const {
  detail::MutexLock lock(state_->mu);
  return state_->errors;
}

}  // namespace litepool
