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
// One object may serve many tasks at once (seed 003's interface example):
// the engine calls its members concurrently from several workers, so the
// object must be thread-safe itself. The engine keeps a `shared_ptr` to it
// until the last task using it has settled.
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

// The work itself. Return `Error()` for success; a failure or a throw makes
// the task fail (a throw becomes ErrorCode::kException).
struct LITEPOOL_API TaskExec {
  virtual ~TaskExec() = default;
  virtual Error Exec() = 0;
};

// Called once when the first run of the task succeeded.
struct LITEPOOL_API TaskOnSuccess {
  virtual ~TaskOnSuccess() = default;
  virtual void OnSuccess() = 0;
};

// Called once when the first run of the task failed. Call
// `handle.ErrReload(...)` to retry; `group` is the task's group (a handle
// that stays valid until the task has settled, so `after` may capture it by
// reference). A task without a group gets a private group of its own.
struct LITEPOOL_API TaskOnError {
  virtual ~TaskOnError() = default;
  virtual void OnError(ErrHandle& handle, TaskGroup& group,
                       const Error& error) = 0;
};

// Called once, last, whatever the outcome.
struct LITEPOOL_API TaskOnComplete {
  virtual ~TaskOnComplete() = default;
  virtual void OnComplete() = 0;
};

// All four interfaces; every hook defaults to a no-op. The default OnError
// counts as "no OnError": the failure is recorded in the group's Errors().
class LITEPOOL_API ITask : public TaskExec,
              public TaskOnSuccess,
              public TaskOnError,
              public TaskOnComplete {
 public:
  void OnSuccess() override {}
  void OnError(ErrHandle& handle, TaskGroup& group,
               const Error& error) override;
  void OnComplete() override {}
};

}  // namespace litepool

#endif  // LITEPOOL_TASK_HPP_
