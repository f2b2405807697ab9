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
#include "litepool/task_group.hpp"
#include "litepool/task.hpp"
#include "litepool/task_options.hpp"

namespace litepool {
namespace detail {

struct ErrGroupState final : LimitedClient {
  ErrGroupState(Pool& p, bool ctx) : pool(p), with_context(ctx) {}

  std::stop_token Token() const {
    return with_context ? context.get_token() : std::stop_token();
  }

  // Keeps every error; the first one by time also stops a WithContext group.
  void Record(const Error& e) {
    bool first = false;
    {
      std::lock_guard lock(mu);
      if (!first_error) {
        first_error = e;
        first = true;
      }
      errors.push_back(e);
    }
    if (first && with_context) Stop();
  }

  // The parent's stop becomes the group's error only if it cut something
  // short: functions were pending, or Go came after it (NoteSkipped).
  void RecordCancelledIfNoError() {
    std::lock_guard lock(mu);
    if (first_error) return;
    first_error = Error("errgroup: parent stop requested", ErrorCode::kCancelled);
    errors.push_back(first_error);
  }

  void ParentStopped() {
    parent_stopped.store(true, std::memory_order_release);
    if (run.Pending() > 0) RecordCancelledIfNoError();
    Stop();
  }

  // A function was skipped because the group is cancelled.
  void NoteSkipped() {
    if (parent_stopped.load(std::memory_order_acquire)) {
      RecordCancelledIfNoError();
    }
  }

  void Stop() {
    context.request_stop();
    run.Cancel();  // functions not started yet settle as kCancelled, unrun
    limiter->RejectQueued(this);  // and those beyond the limit at once
  }

  void OnRejected(const Error& why) override {
    if (why.Code() == ErrorCode::kCancelled && run.Cancelled()) {
      NoteSkipped();
      return;
    }
    Record(why);  // e.g. kClosed
  }

  // The pool settled a function without running it. Skipping because the
  // group itself stopped is no error; anything else (the pool's
  // Close(kCancelPending)) is reported.
  void NotRun(const Error& why) {
    if (why.Code() == ErrorCode::kCancelled && run.Cancelled()) {
      NoteSkipped();
      return;
    }
    Record(Error("errgroup: function not run: " + why.Message(), why.Code()));
  }

  Error FirstError() const {
    std::lock_guard lock(mu);
    return first_error;
  }

  Pool& pool;
  const bool with_context;
  TaskGroup run;               // counts Go'd functions until they return
  std::stop_source context;    // Context(), for WithContext groups
  std::shared_ptr<Limiter> limiter = std::make_shared<Limiter>(0);
  std::atomic<bool> zero_limit{false};
  std::atomic<bool> parent_stopped{false};

  mutable std::mutex mu;
  Error first_error;          // guarded by mu
  std::vector<Error> errors;  // guarded by mu

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
  GoTask(std::shared_ptr<ErrGroupState> st, std::function<Error(std::stop_token)> fn)
      : st_(std::move(st)), fn_(std::move(fn)) {}

  Error Exec() override {
    ran_ = true;
    Error e;
    try {
      e = fn_(st_->Token());
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
  std::function<Error(std::stop_token)> fn_;
  bool ran_ = false;
};

LimitedTask MakeTask(const std::shared_ptr<ErrGroupState>& st,
                     std::function<Error(std::stop_token)> fn) {
  LimitedTask task;
  task.pool = &st->pool;
  task.client = st;
  auto body = std::make_shared<GoTask>(st, std::move(fn));
  task.options = st->run.NewTaskOptions()
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
  state_->run.Wait();
  // Blocks while the callback runs on another thread, then unregisters it.
  state_->parent_callback.reset();
}

std::stop_token ErrGroup::Context() const { return state_->Token(); }

void ErrGroup::SetLimit(int n) {
  if (const std::int64_t pending = state_->run.Pending(); pending > 0) {
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
  if (st.run.Cancelled()) {
    st.NoteSkipped();
    return;
  }
  st.run.Add(1);  // before submitting: the task's auto-Done credits it
  detail::LimitedTask task = detail::MakeTask(state_, std::move(fn));
  if (detail::OnAnyWorker()) {
    st.limiter->Submit(std::move(task));  // never block a worker
  } else {
    st.limiter->SubmitWaiting(std::move(task));
  }
  // Cancelled while it was queued: don't leave it waiting for a slot.
  if (st.run.Cancelled()) st.limiter->RejectQueued(&st);
}

bool ErrGroup::TryGoImpl(std::function<Error(std::stop_token)> fn) {
  detail::ErrGroupState& st = *state_;
  if (st.zero_limit.load(std::memory_order_acquire) || st.run.Cancelled()) {
    return false;
  }
  bool counted = false;
  if (!st.limiter->TryAcquire(&counted)) return false;
  st.run.Add(1);
  detail::LimitedTask task = detail::MakeTask(state_, std::move(fn));
  task.add_deadline = std::chrono::steady_clock::now();  // try once for a slot
  return !st.limiter->Launch(std::move(task), counted,
                             /*report_rejection=*/false);
}

Error ErrGroup::Wait() {
  state_->run.Wait();
  if (state_->with_context) state_->context.request_stop();
  return state_->FirstError();
}

std::vector<Error> ErrGroup::Errors() const {
  std::lock_guard lock(state_->mu);
  return state_->errors;
}

}  // namespace litepool
