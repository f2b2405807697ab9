// TaskRecord: one accepted task on its way through the engine.
//
// A plain task (SetTask and nothing else) fits in one cache line: the body,
// the group handle, a pointer to the extras and four flags. Everything a
// plain task leaves empty (interface task, hooks, retry state) lives in a
// TaskExtras right behind the record, in a larger block that RecordPool
// hands out only to tasks that have any of it. The record crosses from the
// producer to a worker, and its block back to a producer: each line it
// spans is two cache-line transfers per task (measured: the 360-byte record
// of before cost 8-12 % ns/task in EmptyTask/plain; hooks unchanged).
// Blocks are recycled, so steady state allocates nothing.
#ifndef LITEPOOL_FRAMEWORK_TASK_RECORD_HPP_
#define LITEPOOL_FRAMEWORK_TASK_RECORD_HPP_

#include <functional>
#include <memory>
#include <new>
#include <utility>

#include "group_state.hpp"
#include "litepool/detail/task_spec.hpp"
#include "litepool/err_handle.hpp"
#include "litepool/task_group.hpp"

namespace litepool::detail {

// The cold part of a record: the hooks, and the retry state.
struct TaskExtras {
  explicit TaskExtras(TaskHooks&& h) noexcept : hooks(std::move(h)) {}

  TaskHooks hooks;
  // Retry state, set when OnError calls ErrReload (OnError lives here, so a
  // retrying task always has extras).
  int retries_left = 0;  // -1: unlimited
  int attempt = 0;       // retries run so far
  ErrHandle::AfterFn after;
  Backoff backoff;
};

struct alignas(64) TaskRecord {
  // Moves the body and group of `s` here and its hooks into a TaskExtras
  // built in `extras_block` (non-null exactly when s.hooks.Any()).
  // Only moves; noexcept so RecordPool can build it in a recycled block.
  TaskRecord(TaskSpec&& s, void* extras_block) noexcept
      : exec_fn(std::move(s.exec_fn)),
        group(GroupAccess::Make(std::move(s.group))),
        extras(extras_block != nullptr ? new (extras_block) TaskExtras(std::move(s.hooks))
                                       : nullptr),
        auto_done(s.auto_done) {
    // A body too large for the record lives in the extras: call it there.
    if (extras != nullptr && extras->hooks.exec_large) exec_fn = LargeBody{extras};
  }

  GroupState* Group() const noexcept { return GroupAccess::State(group); }
  bool GroupCancelled() const noexcept {
    GroupState* g = Group();
    return g != nullptr && g->stop.stop_requested();
  }

  bool HasOnError() const noexcept {
    return extras != nullptr && (extras->hooks.on_error_fn || extras->hooks.on_error_iface);
  }

  // Calls the body kept in the extras (TaskHooks::exec_large).
  struct LargeBody {
    TaskExtras* extras;
    Error operator()() const { return extras->hooks.exec_large(); }
  };

  ExecFn exec_fn;                  // empty for an interface task (extras)
  TaskGroup group;                 // kept until settled: OnError's TaskGroup& refers to it
  TaskExtras* extras;              // null for a plain task; RecordPool frees it
  bool auto_done;
  bool private_group = false;     // `group` was made for OnError of a group-less task
  bool retrying = false;          // OnError asked for retries: `after` decides
  bool credit_requested = false;  // Done() called from the task's own code
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_TASK_RECORD_HPP_
