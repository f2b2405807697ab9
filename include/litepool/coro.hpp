// litepool/coro.hpp — C++20 coroutines on a litepool Pool: CoTask<T>,
// co_await pool.Schedule(), co_await tg.WaitAsync(), co_await other_cotask,
// co_await future, Pool::Spawn, SyncWait. Standard library only.
//
//   litepool::CoTask<int> Child(int x) { co_return x * 2; }
//
//   litepool::CoTask<int> Parent(litepool::Pool& pool) {
//     co_await pool.Schedule();              // now on a worker of `pool`
//     auto tg = pool.NewTaskGroup(8);
//     for (int i = 0; i < 8; ++i)
//       pool.AddTask(tg.NewTaskOptions().SetTask(Work).SetAutoDone());
//     co_await tg.WaitAsync();               // suspended, no thread blocked
//     co_return co_await Child(21);          // 42; exceptions propagate
//   }
//
//   int v = litepool::SyncWait(Parent(pool));   // from a plain thread
//   litepool::Future<int> f = pool.Spawn(Parent(pool));  // or start it there
//
// Inside a CoTask, `co_await future` (a Future from Submit or Spawn)
// suspends until the future is ready and then gives Get()'s value, or
// rethrows what Get() throws (the task's own exception, or TaskError). A
// ready future does not suspend. A Future can be awaited once (it is
// consumed); an invalid one makes the co_await throw std::logic_error.
//
// Where a coroutine runs. A CoTask is lazy: nothing runs until it is
// awaited (by another CoTask, SyncWait or Pool::Spawn). A coroutine
// belongs to a pool: the one whose Schedule() it awaited last, else the one
// that Spawned it, else its parent's. Whenever something else makes it
// ready again — a TaskGroup reaching zero, a Future becoming ready — it
// resumes as a task posted to that pool, never inline inside the other
// thread's Done() or settlement. Without any pool yet (a SyncWait root
// before its first Schedule()), it resumes on the thread blocked in
// SyncWait.
//
// Guarantees.
// - No thread is blocked by a suspended coroutine (only SyncWait blocks its
//   caller, by contract).
// - Resumptions are not user tasks: Close(kCancelPending), Purge and
//   expiry never drop them, and never run them on their caller: a
//   resumption always resumes its coroutine on a worker (Purge neither
//   counts them nor settles them; they count as succeeded tasks in
//   Stats(), never as failed). The queued start of a Spawned coroutine is
//   a task: purged or cancelled by Close, the coroutine never runs and its
//   Future's Get throws TaskError (kCancelled). If the pool refuses a post
//   (closed), the coroutine resumes on the SyncWait thread of its tree, or
//   else on the thread that made it ready.
// - Awaiting a CoTask that completes synchronously uses no stack: a
//   per-thread trampoline, not symmetric transfer, hands control between
//   coroutines, so a loop awaiting 1,000,000 such tasks runs in constant
//   stack even at -O0.
// - Exceptions that escape a coroutine body are rethrown by the co_await
//   (or SyncWait, or Future::Get) that waits for it — the original object.
// - Happens-before: everything an awaited coroutine, TaskGroup's work or
//   future's task did is visible to the code after the co_await /
//   SyncWait / Future::Get that waited for it.
// - 100,000 coroutines suspended at once cost their frames, no threads
//   (tested on a 2-worker pool).
//
// Lifetimes: a Pool must outlive every coroutine that may resume on it
// (like any task); it may be destroyed as soon as the coroutines have
// finished (a resumption does not start before the AddTask that posted it
// has returned). Resumption tasks count in the pool's Stats() as tasks.
// A coroutine's parameters live in its frame; a lambda coroutine's
// captures live in the lambda object, which must outlive the coroutine.
//
// clang note: clang (through 16 at least) may read a thread_local, or
// std::this_thread::get_id(), once per coroutine and reuse the value after
// a co_await moved the coroutine to another thread. litepool's own
// per-thread state is read out of line; do the same with yours.
//
// g++ 12 note: g++ 12.2 destroys an aggregate temporary twice when it is
// created in the same full-expression as a co_await whose result throws
// (its await_resume rethrows). So
//   co_await pool.Submit(f, SubmitOptions{.stop = token});   // g++ 12: UB
// double-releases the stop_token when Get() throws (heap corruption; clang
// is correct). Make the Future in a statement of its own and await that:
//   Future<int> fut = pool.Submit(f, SubmitOptions{.stop = token});
//   co_await fut;
#ifndef LITEPOOL_CORO_HPP_
#define LITEPOOL_CORO_HPP_

#include "litepool/detail/export.hpp"

#include <atomic>
#include <coroutine>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "litepool/detail/coro_future.hpp"
#include "litepool/detail/coro_group_waiter.hpp"
#include "litepool/detail/coro_promise.hpp"
#include "litepool/future.hpp"
#include "litepool/pool.hpp"
#include "litepool/task_group.hpp"

namespace litepool {

// A lazy coroutine producing a T (T may be void; not a reference). Write a
// function returning CoTask<T> and use co_await / co_return in it. Calling
// the function allocates the frame and runs nothing; the task starts when
// it is awaited (co_await task, SyncWait(std::move(task)),
// pool.Spawn(std::move(task))) and can be awaited once.
//
// Move-only, like std::unique_ptr: one owner; destroying a CoTask that
// never started frees its frame without running it. A CoTask object is not
// thread-safe (hand it over, do not share it); the coroutine itself may run
// on different threads between two suspensions.
template <class T = void>
class [[nodiscard]] CoTask {
  static_assert(!std::is_reference_v<T>,
                "CoTask<T>: T must be an object type or void (return a "
                "pointer or std::reference_wrapper instead of a reference)");

 public:
  using promise_type = detail::CoPromise<T>;
  using value_type = T;

  // An empty task (Valid() is false). Never throws.
  CoTask() noexcept = default;
  // Moves hand the coroutine over; the source becomes empty. Never throw.
  // Assigning over a task frees the frame it held (as the destructor).
  CoTask(CoTask&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  CoTask& operator=(CoTask&& other) noexcept {
    if (this != &other) {
      Reset();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  CoTask(const CoTask&) = delete;
  CoTask& operator=(const CoTask&) = delete;
  // Frees the frame: a task that never started does not run; a finished
  // one drops its result. A started, unfinished task cannot be destroyed
  // this way: its awaiter (or Spawn, SyncWait) owns it until it finishes.
  // Never throws, never blocks.
  ~CoTask() { Reset(); }

  // True while this object owns a coroutine (not moved from). Never throws.
  bool Valid() const noexcept { return static_cast<bool>(handle_); }

  // co_await task: starts the task (on the awaiting thread, through the
  // trampoline), suspends the awaiting coroutine and resumes it when the
  // task finished, with its value or its exception rethrown. The parent
  // then belongs to the pool the child finished on. Throws
  // std::logic_error for an empty task or one awaited before.
  detail::CoTaskAwaiter<T> operator co_await() & noexcept {
    return detail::CoTaskAwaiter<T>(handle_);
  }
  detail::CoTaskAwaiter<T> operator co_await() && noexcept {
    return detail::CoTaskAwaiter<T>(handle_);
  }

 private:
  friend class detail::CoPromise<T>;
  friend struct detail::CoTaskAccess;
  explicit CoTask(detail::CoHandle<T> h) noexcept : handle_(h) {}
  void Reset() noexcept {
    if (handle_) std::exchange(handle_, {}).destroy();
  }
  detail::CoHandle<T> handle_{};
};

// What `pool.Schedule()` returns: `co_await pool.Schedule();` suspends the
// coroutine and resumes it as a task on one of the pool's workers; the
// coroutine then belongs to that pool (later resumptions go there). If the
// pool is closed it continues at once on the current thread. The co_await
// waits for a free slot like AddTask when the pool is full (never on one of
// the pool's own workers, which use the overflow path). Never throws.
// Meant for a CoTask; in any other coroutine only the thread hop applies.
// One awaiter per co_await; the object is not thread-safe.
class ScheduleAwaiter {
 public:
  explicit ScheduleAwaiter(Pool& pool) noexcept : pool_(&pool) {}
  // Copyable before it is awaited (g++ copies some awaiters into the frame).
  ScheduleAwaiter(const ScheduleAwaiter& other) noexcept : pool_(other.pool_) {}
  ScheduleAwaiter& operator=(const ScheduleAwaiter&) = delete;
  bool await_ready() const noexcept { return false; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) noexcept {
    Pool* pool = pool_;  // `this` lives in the frame: not used once posted
    if constexpr (std::is_base_of_v<detail::CoPromiseBase, P>) {
      h.promise().pool = pool;
      // Running on a pool from now on: a SyncWait of this tree waits for
      // that pool's tasks, not for what the coroutine awaited before.
      if (detail::SyncLoop* loop = h.promise().loop) loop->Awaiting(nullptr, nullptr);
    }
    // Not posted (closed pool): do not suspend, go on on this thread.
    return !detail::PostToPool(*pool, h, posted_);
  }
  void await_resume() const noexcept {}

 private:
  Pool* pool_;
  std::atomic<bool> posted_{false};
};

inline ScheduleAwaiter Pool::Schedule() { return ScheduleAwaiter(*this); }

namespace detail {

// What `tg.WaitAsync()` returns (see TaskGroup::WaitAsync).
class GroupAwaiter : private GroupWaiter {
 public:
  explicit GroupAwaiter(TaskGroup group) noexcept : group_(std::move(group)) {}
  // Copyable before it is awaited (g++ copies some awaiters into the frame).
  GroupAwaiter(const GroupAwaiter& other) noexcept : GroupWaiter(), group_(other.group_) {}
  GroupAwaiter& operator=(const GroupAwaiter&) = delete;
  bool await_ready() const noexcept { return group_.Pending() == 0; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) noexcept {
    static_assert(std::is_base_of_v<CoPromiseBase, P>,
                  "co_await tg.WaitAsync() works inside a litepool::CoTask "
                  "(it needs the coroutine's pool to resume on)");
    handle_ = h;
    promise_ = &h.promise();
    ready = &Ready;
    // Before the waiter is added: after it, the tree may be gone.
    if (SyncLoop* loop = promise_->loop) loop->Awaiting(nullptr, &group_);
    // False: the counter is zero already, go on without suspending.
    return AddGroupWaiter(group_, *this);
  }
  void await_resume() const noexcept {}

 private:
  static void Ready(GroupWaiter* w) noexcept {
    auto* self = static_cast<GroupAwaiter*>(w);
    Reschedule(*self->promise_, self->handle_, self->posted_);
  }
  TaskGroup group_;
  std::coroutine_handle<> handle_{};
  CoPromiseBase* promise_ = nullptr;
  std::atomic<bool> posted_{false};
};

}  // namespace detail

inline detail::GroupAwaiter TaskGroup::WaitAsync() const { return detail::GroupAwaiter(*this); }

// Runs `task` to completion and returns its value (or rethrows its
// exception, the original object). The task starts on the calling thread;
// it may hop to pools with Schedule(). Until it has a pool, its resumptions
// run on this thread, which otherwise blocks while the task is suspended.
// Happens-after: everything the task did is visible when SyncWait returns.
// On a worker thread of a pool it is a helping wait, like Future::Get (see
// pool.hpp): the coroutine's resumptions posted from this thread count as
// tasks its own task spawned and it runs them, and when it must block a
// spare thread stands in, so it cannot deadlock its pool (even a pool of
// one worker). Off a worker thread, while the coroutine awaits a group
// from Pool::NewTaskGroup or a Future of Submit or Spawn, a SyncWait that
// nothing in that pool can end reports itself once
// (PoolOptions::stuck_wait_report). An empty task throws
// std::invalid_argument. Thread-safe (each call owns its task).
template <class T>
T SyncWait(CoTask<T> task) {
  detail::CoHandle<T> h = detail::CoTaskAccess::Release(task);
  if (!h) throw std::invalid_argument("SyncWait: empty CoTask (moved from)");
  detail::SyncState<T> state;
  detail::MakeRoot(h, nullptr, &state.loop, &detail::SyncState<T>::Done, &state);
  state.loop.Run(h);
  return detail::TakeResult<T>(state.result);
}

}  // namespace litepool

#endif  // LITEPOOL_CORO_HPP_
