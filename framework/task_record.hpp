// TaskRecord: one accepted task on its way through the engine. The only
// per-task heap block (see DESIGN §1, "at most one block per task").
#ifndef LITEPOOL_FRAMEWORK_TASK_RECORD_HPP_
#define LITEPOOL_FRAMEWORK_TASK_RECORD_HPP_

#include <functional>
#include <utility>

#include "group_state.hpp"
#include "litepool/detail/task_spec.hpp"
#include "litepool/err_handle.hpp"
#include "litepool/task_group.hpp"

namespace litepool::detail {

struct TaskRecord {
  // Only moves; noexcept so RecordPool can build it in a recycled block.
  explicit TaskRecord(TaskSpec&& s) noexcept
      : spec(std::move(s)), group(GroupAccess::Make(std::move(spec.group))) {}

  GroupState* Group() const noexcept { return GroupAccess::State(group); }
  bool GroupCancelled() const noexcept {
    GroupState* g = Group();
    return g != nullptr && g->stop.stop_requested();
  }

  TaskSpec spec;    // the hooks; spec.group was moved into `group`
  TaskGroup group;  // kept until settled: OnError's TaskGroup& refers to it
  bool private_group = false;   // `group` was made for OnError of a group-less task
  bool retrying = false;        // OnError asked for retries: `after` decides
  bool credit_requested = false;  // Done() called from the task's own code
  int retries_left = 0;         // -1: unlimited
  int attempt = 0;              // retries run so far
  std::function<void(const Error&)> after;
  Backoff backoff;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_TASK_RECORD_HPP_
