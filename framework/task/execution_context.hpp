// Thread-local facts about the calling thread: which pool worker it is (if
// any), which task's code it is running, and which ErrHandle is live.
#ifndef LITEPOOL_FRAMEWORK_EXECUTION_CONTEXT_HPP_
#define LITEPOOL_FRAMEWORK_EXECUTION_CONTEXT_HPP_

#include <cstdint>

namespace litepool {
class ErrHandle;
class Error;
}  // namespace litepool

namespace litepool::detail {

class Worker;
struct GroupState;
struct TaskRecord;

struct ExecutionContext {
  Worker* worker = nullptr;    // set for the life of a worker thread
  TaskRecord* task = nullptr;  // the task whose code runs now
  // The spawned-stack position of the worker when that task started: a
  // wait inside it runs only tasks spawned at or above it (isolation).
  std::uint64_t spawned_mark = 0;
  // While a task is settled without running (Purge, expiry): why. A Future
  // whose task body is destroyed then reports it (detail::DropReason).
  const Error* drop_reason = nullptr;
  ErrHandle* err_handle = nullptr;  // live while OnError runs
  // While a rejected task's OnAddTimeout runs (task is null then): its group,
  // and whether the hook called that group's Done() (credits the rejected
  // task, once, like Done() inside an accepted task's own code).
  const GroupState* rejected_group = nullptr;
  bool rejected_credit = false;
  // Set by a front-end submitting from a worker thread of any pool: a full
  // target pool takes the task on its overflow path instead of blocking this
  // worker (which could deadlock the two pools). See
  // litepool/detail/overflow_scope.hpp.
  bool overflow_ok = false;
};

// initial-exec: a direct TLS access instead of a __tls_get_addr call (the
// library is linked at start-up, not dlopen'ed late; the block is tiny).
extern __attribute__((tls_model("initial-exec"))) thread_local ExecutionContext tls_context;

inline ExecutionContext& Context() noexcept { return tls_context; }

// Makes `task` the current task for the scope; restores the previous one
// (a helping Wait runs tasks inside a task).
class CurrentTaskScope {
 public:
  explicit CurrentTaskScope(TaskRecord* task) noexcept
      : saved_task_(Context().task), saved_handle_(Context().err_handle) {
    Context().task = task;
    Context().err_handle = nullptr;
  }
  ~CurrentTaskScope() {
    Context().task = saved_task_;
    Context().err_handle = saved_handle_;
  }
  CurrentTaskScope(const CurrentTaskScope&) = delete;
  CurrentTaskScope& operator=(const CurrentTaskScope&) = delete;

 private:
  TaskRecord* saved_task_;
  ErrHandle* saved_handle_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_EXECUTION_CONTEXT_HPP_
