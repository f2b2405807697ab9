// Alloter on the engine. One Exec call is a Batch: a TaskGroup that counts
// its tasks (Cancel() skips the ones not started and stops the token the
// running ones see), plus a one-shot latch — a TaskGroup of 1, so waiting on
// it from a worker thread helps — counted down when the result is known:
// the first failure, the timeout, the caller's stop, or the last task done.
#include "litepool/alloter.hpp"

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>

#include "frontends/limiter.hpp"
#include "litepool/default_pool.hpp"
#include "litepool/detail/deadline.hpp"
#include "litepool/detail/format_duration.hpp"
#include "litepool/detail/mutex.hpp"
#include "litepool/task.hpp"
#include "litepool/task_group.hpp"
#include "litepool/task_options.hpp"

namespace litepool {
namespace detail {
namespace {

using Clock = std::chrono::steady_clock;

// One function of a batch, in either form.
struct BatchFn {
  AlloterTask plain;
  AlloterStopTask with_stop;
};

class Batch final : public LimitedClient {
 public:
  Batch(std::vector<BatchFn> fns, std::shared_ptr<Limiter> limiter, bool cancel_on_error)
      : fns_(std::move(fns)),
        limiter_(std::move(limiter)),
        remaining_(fns_.size()),
        cancel_on_error_(cancel_on_error) {}

  TaskGroup group;       // the tasks of this call
  TaskGroup decided{1};  // counted down once, when the result is known

  std::size_t Size() const noexcept { return fns_.size(); }

  Error Call(std::size_t i) {
    BatchFn& f = fns_[i];
    return f.with_stop ? f.with_stop(group.StopToken()) : f.plain();
  }

  // The result is `result`; a failure cancels what has not finished.
  // Idempotent: the first decision wins.
  void Decide(const Error& result) {
    {
      MutexLock lock(mu_);
      if (decided_) return;
      decided_ = true;
      result_ = result;
    }
    if (result) {
      group.Cancel();
      limiter_->RejectQueued(this);  // don't wait for a slot to skip them
    }
    decided.Done();
  }

  void Failed(const Error& e) {
    if (cancel_on_error_) {
      Decide(e);
      return;
    }
    MutexLock lock(mu_);
    if (!first_failure_) first_failure_ = e;
  }

  // Each function finishes exactly once: settled, rejected, or skipped.
  void Finished() {
    // acq_rel: the last finisher must see the failures recorded before.
    if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      Error first;
      {
        MutexLock lock(mu_);
        first = first_failure_;
      }
      Decide(first);
    }
  }

  void OnRejected(const Error& why) override {
    // A rejection because this batch was cancelled is no new failure.
    if (why.Code() != ErrorCode::kCancelled || !group.Cancelled()) Failed(why);
    Finished();
  }
  void OnSettled() override { Finished(); }

  bool IsDecided() const {
    MutexLock lock(mu_);
    return decided_;
  }
  Error Result() const {
    MutexLock lock(mu_);
    return result_;
  }

 private:
  std::vector<BatchFn> fns_;
  std::shared_ptr<Limiter> limiter_;
  std::atomic<std::size_t> remaining_;
  const bool cancel_on_error_;
  mutable Mutex mu_;
  bool decided_ LITEPOOL_GUARDED_BY(mu_) = false;
  Error result_ LITEPOOL_GUARDED_BY(mu_);
  Error first_failure_ LITEPOOL_GUARDED_BY(mu_);
};

// One function of a batch. Exec runs it and records a failure; OnError also
// hears of the pool cancelling it before it ran (Close(kCancelPending)),
// which no body can report: that is a failure of the batch unless the batch
// cancelled it itself. Exec and OnError of one attempt run on the same
// thread, one after the other: `ran_` needs no synchronisation.
class BatchTask final : public TaskExec, public TaskOnError {
 public:
  BatchTask(std::shared_ptr<Batch> batch, std::size_t i) : batch_(std::move(batch)), i_(i) {}

  Error Exec() override {
    ran_ = true;
    Error e;
    try {
      e = batch_->Call(i_);
    } catch (...) {
      e = Error::FromException(std::current_exception());
    }
    if (e) batch_->Failed(e);
    return e;  // also to the engine, so Usage() counts the failure
  }

  void OnError(ErrHandle&, TaskGroup&, const Error& why) override {
    if (ran_) return;
    if (why.Code() == ErrorCode::kCancelled && batch_->group.Cancelled()) return;
    batch_->Failed(Error("alloter: function not run: " + why.Message(), why.Code()));
  }

 private:
  std::shared_ptr<Batch> batch_;
  std::size_t i_;
  bool ran_ = false;
};

struct StopBatch {
  std::shared_ptr<Batch> batch;
  void operator()() const {
    batch->Decide(Error("alloter: stop requested", ErrorCode::kCancelled));
  }
};

Error RunBatch(Pool& pool, const std::shared_ptr<Limiter>& limiter, const AlloterOptions& options,
               std::stop_token stop, std::vector<BatchFn> fns, bool cancel_on_error) {
  if (fns.empty()) {
    if (stop.stop_requested()) {
      return Error("alloter: stop requested", ErrorCode::kCancelled);
    }
    return Error();
  }
  auto batch = std::make_shared<Batch>(std::move(fns), limiter, cancel_on_error);
  const std::optional<Clock::time_point> deadline = detail::DeadlineAfter(options.timeout);
  std::optional<std::stop_callback<StopBatch>> on_stop;
  if (stop.stop_possible()) on_stop.emplace(std::move(stop), StopBatch{batch});

  for (std::size_t i = 0; i < batch->Size(); ++i) {
    // Decided already (stop, early failure): the rest never start.
    if (batch->IsDecided()) break;
    batch->group.Add(1);  // before submitting: auto-Done credits it
    LimitedTask task;
    task.pool = &pool;
    auto body = std::make_shared<BatchTask>(batch, i);
    task.options = batch->group.NewTaskOptions()
                       .SetTaskWithInterface(body)
                       .SetOnErrorWithInterface(body)
                       .SetAutoDone();
    task.client = batch;
    task.add_deadline = deadline;  // a full pool must not outlast the timeout
    task.notify_settled = true;
    limiter->Submit(std::move(task));
  }
  // Decided while the loop was queueing: drop what it queued after the purge.
  if (batch->Result()) limiter->RejectQueued(batch.get());

  if (deadline) {
    if (!batch->decided.WaitFor(TimeLeft(*deadline))) {
      batch->Decide(Error("alloter: timed out after " + FormatDuration(*options.timeout),
                          ErrorCode::kTimeout));
    }
  } else {
    batch->decided.Wait();
  }
  const Error result = batch->Result();
  // Without fast_return, nothing of this call outlives it.
  if (!options.fast_return || !result) batch->group.Wait();
  return result;
}

std::vector<BatchFn> ToBatch(std::vector<AlloterTask> tasks) {
  std::vector<BatchFn> fns;
  fns.reserve(tasks.size());
  for (auto& t : tasks) {
    RequireCallable(t, "Alloter::Exec: empty task");
    fns.push_back(BatchFn{std::move(t), {}});
  }
  return fns;
}

std::vector<BatchFn> ToBatch(std::vector<AlloterStopTask> tasks) {
  std::vector<BatchFn> fns;
  fns.reserve(tasks.size());
  for (auto& t : tasks) {
    RequireCallable(t, "Alloter::Exec: empty task");
    fns.push_back(BatchFn{{}, std::move(t)});
  }
  return fns;
}

}  // namespace
}  // namespace detail

Alloter::Alloter() : Alloter(nullptr, 0, AlloterOptions{}) {}

Alloter::Alloter(AlloterOptions options) : Alloter(nullptr, 0, std::move(options)) {}

Alloter::Alloter(Pool* pool, std::size_t limit, AlloterOptions options)
    : pool_(pool),
      limit_(limit),
      options_(std::move(options)),
      limiter_(std::make_shared<detail::Limiter>(limit)) {
  if (options_.timeout && options_.timeout->count() < 0) {
    throw std::invalid_argument("Alloter: negative timeout");
  }
}

Alloter Alloter::WithLimit(std::size_t limit, AlloterOptions options) {
  if (limit == 0) {
    throw std::invalid_argument("Alloter::WithLimit: limit must be >= 1");
  }
  return Alloter(nullptr, limit, std::move(options));
}

Alloter Alloter::WithLimit(std::size_t limit, Pool& pool, AlloterOptions options) {
  if (limit == 0) {
    throw std::invalid_argument("Alloter::WithLimit: limit must be >= 1");
  }
  return Alloter(&pool, limit, std::move(options));
}

Alloter Alloter::WithPool(Pool& pool, AlloterOptions options) {
  return Alloter(&pool, 0, std::move(options));
}

Pool& Alloter::GetPool() const { return pool_ ? *pool_ : DefaultPool(); }

Error Alloter::Exec(std::vector<AlloterTask> tasks) const {
  return ExecWithContext(std::stop_token(), std::move(tasks));
}

Error Alloter::Exec(std::vector<AlloterStopTask> tasks) const {
  return ExecWithContext(std::stop_token(), std::move(tasks));
}

Error Alloter::ExecWithContext(std::stop_token stop, std::vector<AlloterTask> tasks) const {
  return detail::RunBatch(GetPool(), limiter_, options_, std::move(stop),
                          detail::ToBatch(std::move(tasks)),
                          /*cancel_on_error=*/true);
}

Error Alloter::ExecWithContext(std::stop_token stop, std::vector<AlloterStopTask> tasks) const {
  return detail::RunBatch(GetPool(), limiter_, options_, std::move(stop),
                          detail::ToBatch(std::move(tasks)),
                          /*cancel_on_error=*/true);
}

namespace {
bool ExecAll(std::vector<detail::BatchFn> fns) {
  return !detail::RunBatch(DefaultPool(), std::make_shared<detail::Limiter>(0), AlloterOptions{},
                           std::stop_token(), std::move(fns),
                           /*cancel_on_error=*/false);
}
}  // namespace

bool Exec(std::vector<AlloterTask> tasks) { return ExecAll(detail::ToBatch(std::move(tasks))); }

bool Exec(std::vector<AlloterStopTask> tasks) { return ExecAll(detail::ToBatch(std::move(tasks))); }

}  // namespace litepool
