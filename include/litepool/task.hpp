// litepool/task.hpp — the task interfaces (Go: TaskExec, TaskOnSuccess,
// TaskOnError, TaskOnComplete) and `ITask`, all four in one.
//
// Subclass `ITask`, override `Exec`, and override whichever hooks you need:
//
//   class Fetch : public litepool::ITask {
//    public:
//     litepool::Error Exec() override { return Get(url_); }
//     void OnSuccess() override { ++fetched_; }
//   };
//   pool.AddTask(litepool::TaskOptions().SetTask(std::make_shared<Fetch>()));
//
// One object may serve many tasks at once (the Go README's interface
// example): the engine calls its members concurrently from several
// workers, so the object must be thread-safe itself. The engine keeps a
// `shared_ptr` to it until the last task using it has settled.
//
// Order for one task, always: Exec -> exactly one of OnSuccess (first run
// succeeded) / OnError (first run failed) -> retries and their `after`
// callback, if OnError asked for them -> OnComplete -> group credit.
#ifndef LITEPOOL_TASK_HPP_
#define LITEPOOL_TASK_HPP_

#include "litepool/detail/export.hpp"

#include "litepool/error.hpp"

namespace litepool {

class ErrHandle;
class TaskGroup;

// The work itself. Go name: TaskExec.
struct LITEPOOL_API TaskExec {
  virtual ~TaskExec() = default;
  // Runs on a worker thread, once per attempt (retries run it again, maybe
  // on another worker). Return `Error()` for success; a failure or a throw
  // makes the attempt fail (a throw becomes ErrorCode::kException; the
  // worker survives). May block, but a blocked Exec holds its worker: long
  // waits belong in fewer, dedicated pools. Check the group's StopToken()
  // to stop early on TaskGroup::Cancel().
  virtual Error Exec() = 0;
};

// Success hook. Go name: TaskOnSuccess.
struct LITEPOOL_API TaskOnSuccess {
  virtual ~TaskOnSuccess() = default;
  // Called once, on the worker that ran Exec, right after the first run
  // succeeded (not after a successful retry: that result goes to the
  // `after` callback of ErrHandle::ErrReload). A throw is caught, counted
  // in Usage() as cb_err and listed in the group's Errors().
  virtual void OnSuccess() = 0;
};

// Failure hook. Go name: TaskOnError.
struct LITEPOOL_API TaskOnError {
  virtual ~TaskOnError() = default;
  // Called once, on the worker that ran Exec, when the first run failed
  // with `error`. Call `handle.ErrReload(...)` here to retry (see
  // err_handle.hpp); returning without it makes `error` final, and it is
  // then the hook's job (it does not go to Errors()). `group` is the task's
  // group — a handle that stays valid until the task has settled, so
  // `after` may capture it by reference; a task without a group gets a
  // private group of its own. A throw is caught, counted as cb_err, and
  // both the throw and `error` are listed in the group's Errors().
  virtual void OnError(ErrHandle& handle, TaskGroup& group, const Error& error) = 0;
};

// Completion hook. Go name: TaskOnComplete.
struct LITEPOOL_API TaskOnComplete {
  virtual ~TaskOnComplete() = default;
  // Called once, last, whatever the outcome (success, final failure,
  // cancellation, close), after OnSuccess / OnError / `after`, and before
  // the group is credited — so TaskGroup::Wait() sees its effects. Not
  // called for a task that AddTask rejected. A throw is caught and counted.
  virtual void OnComplete() = 0;
};

// All four interfaces; every hook defaults to a no-op. The default OnError
// counts as "no OnError": the failure is recorded in the group's Errors().
//
// Thread-safety: one ITask object may be submitted many times, and the
// engine then calls its members concurrently; guard its state yourself.
// A hook that throws in a task without a group is only counted (cb_err).
class LITEPOOL_API ITask : public TaskExec,
                           public TaskOnSuccess,
                           public TaskOnError,
                           public TaskOnComplete {
 public:
  // No-op.
  void OnSuccess() override {}
  // No retry; marks the failure unhandled, so it lands in Errors(). An
  // override that does not call ErrReload handles the failure itself.
  void OnError(ErrHandle& handle, TaskGroup& group, const Error& error) override;
  // No-op.
  void OnComplete() override {}
};

}  // namespace litepool

#endif  // LITEPOOL_TASK_HPP_
