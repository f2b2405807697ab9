// Limiter: the concurrency limit shared by the front-ends (Alloter, ErrGroup,
// Map). It sits in front of Pool::AddTask and never blocks a worker.
//
// A limited task holds a slot from the moment it is handed to the pool until
// its OnComplete ran (whatever the outcome: ran, failed, cancelled before it
// started). Tasks beyond the limit wait in a FIFO list inside the limiter, not
// in the pool; the OnComplete of a finishing task hands its slot to the next
// one and submits it from the worker (AddTask's overflow path: no blocking).
// So at most `limit` tasks of one limiter are queued or running in the pool
// at any time, and a slot is returned on every path — also when AddTask
// rejects the task (closed pool, cancelled group): the Go CtrlAlloter leaks
// its slot there and deadlocks on the next call.
#ifndef LITEPOOL_FRAMEWORK_FRONTENDS_LIMITER_HPP_
#define LITEPOOL_FRAMEWORK_FRONTENDS_LIMITER_HPP_

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>

#include "litepool/detail/mutex.hpp"
#include "litepool/error.hpp"
#include "litepool/pool.hpp"
#include "litepool/task_options.hpp"

namespace litepool::detail {

// The owner of limited tasks (one Alloter::Exec call, one ErrGroup).
class LimitedClient {
 public:
  virtual ~LimitedClient() = default;
  // AddTask refused the task; its group was already credited (auto-Done).
  // Called on the thread that tried to submit it.
  virtual void OnRejected(const Error& why) = 0;
  // The accepted task settled (from its OnComplete, on a worker). Only
  // called for tasks submitted with notify_settled.
  virtual void OnSettled() {}
};

struct LimitedTask {
  Pool* pool = nullptr;
  // Task, group and SetAutoDone() set; the limiter adds OnComplete.
  TaskOptions options{};
  std::shared_ptr<LimitedClient> client{};
  // Bounds the wait for a pool slot when submitted from a thread that is not
  // one of the pool's own workers (those use the overflow path instead).
  std::optional<std::chrono::steady_clock::time_point> add_deadline{};
  bool notify_settled = false;
};

class Limiter : public std::enable_shared_from_this<Limiter> {
 public:
  // 0: no limit (tasks go straight to the pool).
  explicit Limiter(std::size_t limit) : limit_(limit) {}

  // Changes the limit for tasks submitted from now on. Callers change it only
  // while none of their tasks is queued or running.
  void SetLimit(std::size_t limit);
  std::size_t Limit() const;

  // Submits `task` now if a slot is free, else queues it (FIFO). Never waits
  // for the limit (it may wait for a pool slot, see LimitedTask).
  void Submit(LimitedTask task);

  // Waits until a slot is free and no task is queued, then submits. Only for
  // threads that are no pool's workers (a blocked worker could deadlock).
  void SubmitWaiting(LimitedTask task);

  // Takes a slot if one is free and no task is queued (for TryGo): false
  // when the limit is reached. `*counted` tells Launch whether a slot was
  // taken (false without a limit).
  bool TryAcquire(bool* counted);

  // Takes the queued tasks of `client` out of the queue and submits each
  // without a slot. Only for a client whose group was cancelled: AddTask
  // then rejects them at once (kCancelled, group credited, OnRejected), so
  // they do not wait behind other clients' running tasks for a slot.
  void RejectQueued(const LimitedClient* client);

  // Hands `task` to its pool, holding the slot TryAcquire took when
  // `counted`. On rejection the slot passes to the next queued task, and the
  // client hears of it only if `report_rejection`. Returns AddTask's result.
  Error Launch(LimitedTask task, bool counted, bool report_rejection);

 private:
  Error AddOne(LimitedTask& task, bool counted);
  // Called when a counted task settled or was rejected: gives the slot to the
  // queued tasks until one is accepted, or frees it.
  void PassSlot();
  bool TakeNextOrRelease(LimitedTask& next);

  mutable Mutex mu_;
  CondVar slot_freed_;
  std::size_t limit_ LITEPOOL_GUARDED_BY(mu_);
  std::size_t active_ LITEPOOL_GUARDED_BY(mu_) = 0;  // counted tasks in the pool
  std::deque<LimitedTask> queued_ LITEPOOL_GUARDED_BY(mu_);
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_FRONTENDS_LIMITER_HPP_
