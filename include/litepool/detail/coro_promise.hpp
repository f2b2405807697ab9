// litepool/detail/coro_promise.hpp — internals of litepool/coro.hpp: the
// trampoline, the promise types, the SyncWait loop and the resumption
// posting. Users never name anything here.
#ifndef LITEPOOL_DETAIL_CORO_PROMISE_HPP_
#define LITEPOOL_DETAIL_CORO_PROMISE_HPP_

#include <atomic>
#include <concepts>
#include <condition_variable>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "litepool/detail/export.hpp"
#include "litepool/detail/mutex.hpp"
#include "litepool/err_handle.hpp"
#include "litepool/error.hpp"
#include "litepool/pool.hpp"
#include "litepool/task_group.hpp"
#include "litepool/task_options.hpp"

namespace litepool {

template <class T>
class CoTask;

namespace detail {

// ---------------------------------------------------------------------------
// The trampoline. Handing control from one coroutine to another (a parent
// starting its child, a finished child resuming its parent) never nests a
// resume() call: the hand-over is parked in a per-thread slot and the loop
// in RunCoroutine resumes it once the current coroutine has suspended. So a
// coroutine that awaits a million children which all finish synchronously
// runs in constant stack, at every optimisation level (g++ 12 at -O0 does
// not turn symmetric transfer into a tail call, so we do not rely on it).
struct CoTrampoline {
  std::coroutine_handle<> next{};
  bool running = false;
};

// This thread's trampoline. Defined in the library, not inline: see
// framework/coro.cpp (clang caches thread_local addresses across co_await).
LITEPOOL_API CoTrampoline& ThreadTrampoline() noexcept;

// Resumes `h` and every coroutine handed over while it runs, on this
// thread, until none is left. A loop of its own: safe to call from inside
// a running coroutine (SyncWait inside a coroutine, a fallback resume).
inline void RunCoroutine(std::coroutine_handle<> h) noexcept {
  CoTrampoline& t = ThreadTrampoline();
  const CoTrampoline outer = t;
  t.running = true;
  t.next = h;
  while (t.next) std::exchange(t.next, {}).resume();
  t = outer;
}

// Hands control to `h`: inside a trampoline loop on this thread `h` runs as
// soon as the caller (an await_suspend) has returned and its coroutine is
// suspended; otherwise a loop starts here.
inline void Transfer(std::coroutine_handle<> h) noexcept {
  CoTrampoline& t = ThreadTrampoline();
  if (t.running && !t.next) {
    t.next = h;
    return;
  }
  RunCoroutine(h);
}

// ---------------------------------------------------------------------------
// The thread blocked in SyncWait: resumptions of a coroutine tree that has
// no pool (nothing Spawned it, no Schedule() yet) are posted here and run
// on that thread, never inline in the thread that made them ready.
//
// On a worker thread of a pool, the SyncWait thread must not just block:
// the coroutine's resumptions posted from it sit on its own spawned stack,
// where only it (or a spare) runs them. There it waits as TaskGroup::Wait
// does (a helping wait), on a group of one that a Post or Finish credits.
class SyncLoop;
class StuckWatch;
// The SyncWait thread's wait while nothing of its tree is ready, on a
// plain thread: as the loop's own wait, but once the pool behind what the
// tree awaits (SyncLoop::Awaiting) has been quiet for
// PoolOptions::stuck_wait_report, it reports the wait as stuck, once.
// Returns when something is ready or the tree finished.
LITEPOOL_API void SyncWaitBlock(SyncLoop& loop);

class SyncLoop {
 public:
  // What the tree's coroutine now awaits, from the awaiter that suspended
  // it: a Future's pool watch, or a TaskGroup (whose pool watch the
  // library reads). The SyncWait thread's wait reports on it; a later
  // await replaces it. Wakes that wait so it picks the new one up.
  void Awaiting(std::shared_ptr<const StuckWatch> watch, const TaskGroup* group) noexcept {
    {
      MutexLock lock(mu_);
      ++awaited_seq_;
      awaited_watch_ = std::move(watch);
      if (group != nullptr) {
        awaited_group_ = *group;
      } else {
        awaited_group_.reset();
      }
      cv_.NotifyOne();
    }
  }
  // Queues `h` for the SyncWait thread. False if it could not (no memory).
  bool Post(std::coroutine_handle<> h) noexcept {
    std::optional<TaskGroup> wake;
    try {
      MutexLock lock(mu_);
      ready_.push_back(h);
      wake = TakeWaker();
      cv_.NotifyOne();  // under the lock: the loop may be destroyed after
    } catch (...) {
      return false;
    }
    if (wake) wake->Done();  // a handle of its own: the loop may be gone
    return true;
  }
  // The root coroutine finished: Run returns. Notifies under the lock, so
  // the SyncWait thread cannot destroy the loop before this call is done
  // with it.
  void Finish() noexcept {
    std::optional<TaskGroup> wake;
    {
      MutexLock lock(mu_);
      done_ = true;
      wake = TakeWaker();
      cv_.NotifyOne();
    }
    if (wake) wake->Done();
  }
  // Runs `root`, then whatever is posted, until Finish. Blocks the calling
  // thread while nothing is ready (that is SyncWait's contract); on a
  // worker thread the wait helps (see above).
  void Run(std::coroutine_handle<> root) {
    RunCoroutine(root);
    const bool helping = Pool::OnAnyPoolWorkerThread();
    std::vector<std::coroutine_handle<>> batch;
    for (;;) {
      std::optional<TaskGroup> wait;
      if (!helping) SyncWaitBlock(*this);
      {
        MutexLock lock(mu_);
        if (ready_.empty()) {
          if (done_) return;  // nothing of the tree is left
          waker_.emplace(1);  // credited by the next Post or Finish
          wait = *waker_;
        } else {
          batch.swap(ready_);
        }
      }
      if (wait) {
        wait->Wait();
        continue;
      }
      for (std::coroutine_handle<> h : batch) RunCoroutine(h);
      batch.clear();
    }
  }

 private:
  friend void SyncWaitBlock(SyncLoop& loop);
  // The group a helping Run waits on, if it waits (under mu_).
  std::optional<TaskGroup> TakeWaker() noexcept LITEPOOL_REQUIRES(mu_) {
    std::optional<TaskGroup> w = std::move(waker_);
    waker_.reset();
    return w;
  }

  Mutex mu_;
  CondVar cv_;
  std::vector<std::coroutine_handle<>> ready_ LITEPOOL_GUARDED_BY(mu_);
  bool done_ LITEPOOL_GUARDED_BY(mu_) = false;
  std::optional<TaskGroup> waker_ LITEPOOL_GUARDED_BY(mu_);
  std::shared_ptr<const StuckWatch> awaited_watch_ LITEPOOL_GUARDED_BY(mu_);
  std::optional<TaskGroup> awaited_group_ LITEPOOL_GUARDED_BY(mu_);
  std::uint64_t awaited_seq_ LITEPOOL_GUARDED_BY(mu_) = 0;  // Awaiting calls so far
};

// ---------------------------------------------------------------------------
// Posting a resumption to a pool. The resumption is a task the engine marks
// as such (PostResumption): Purge leaves it queued, Close(kCancelPending)
// still runs it and it has no queue timeout, so it is never dropped and the
// coroutine always resumes on a worker, never inside the thread that purges
// or closes.
//
// `posted` lives in the suspended coroutine's frame (an awaiter or the
// promise). The resumption waits for it: AddTask still touches the pool
// after the task is queued (waking a worker), and a coroutine resumed in
// that window could finish, let its owner destroy the pool and leave this
// thread inside a destroyed pool. Once `posted` is set this thread touches
// neither the pool nor the frame.
//
// Returns ok once posted, or why the pool rejected the task (kClosed, an
// exception such as bad_alloc): then the caller resumes the coroutine some
// other way.
inline void AwaitPosted(const std::atomic<bool>& posted) noexcept {
  // The poster is between queueing the task and returning from AddTask:
  // a few hundred nanoseconds unless it was preempted, so yield, not park.
  while (!posted.load(std::memory_order_acquire)) std::this_thread::yield();
}

// pool.AddTask(options) with the task marked as a coroutine's resumption.
LITEPOOL_API Error PostResumption(Pool& pool, TaskOptions&& options);

inline Error PostToPool(Pool& pool, std::coroutine_handle<> h, std::atomic<bool>& posted) noexcept {
  // Relaxed: no other thread can see `posted` before AddTask publishes the
  // task (which is a release).
  posted.store(false, std::memory_order_relaxed);
  try {
    TaskOptions options;
    options.SetTask([h, &posted] {
      AwaitPosted(posted);
      RunCoroutine(h);
    });
    if (Error rejected = PostResumption(pool, std::move(options))) return rejected;
  } catch (...) {
    return Error::FromException(std::current_exception());
  }
  posted.store(true, std::memory_order_release);  // the last touch
  return Error();
}

// What every litepool coroutine promise carries: where it resumes.
struct CoPromiseBase {
  Pool* pool = nullptr;                    // Spawn's pool or the last Schedule()'s
  SyncLoop* loop = nullptr;                // SyncWait's thread, if the tree has one
  std::coroutine_handle<> continuation{};  // the awaiting parent
  // A root (Spawn, SyncWait) has no parent: this is called instead, with
  // `root_context`, from the final suspend; it takes the result out,
  // destroys the frame and signals whoever waits.
  void (*root_done)(std::coroutine_handle<>, void*) noexcept = nullptr;
  void* root_context = nullptr;

  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <class P>
    void await_suspend(std::coroutine_handle<P> h) noexcept {
      CoPromiseBase& p = h.promise();
      if (p.continuation) {
        Transfer(p.continuation);
      } else if (p.root_done != nullptr) {
        p.root_done(h, p.root_context);
      }
    }
    void await_resume() const noexcept {}
  };

  std::suspend_always initial_suspend() const noexcept { return {}; }
  FinalAwaiter final_suspend() const noexcept { return {}; }
};

// Makes a suspended coroutine ready again, never inline in the caller
// (which is some other thread's Done(), settlement or future completion):
// posted to its pool; if that pool refuses (closed), to its SyncWait
// thread; with neither, resumed here as the last resort (a coroutine is
// never dropped). `posted` as for PostToPool.
inline void Reschedule(CoPromiseBase& p, std::coroutine_handle<> h,
                       std::atomic<bool>& posted) noexcept {
  // Read before posting: once posted, the frame may be resumed and freed.
  Pool* pool = p.pool;
  SyncLoop* loop = p.loop;
  if (pool != nullptr && !PostToPool(*pool, h, posted)) return;
  if (loop != nullptr && loop->Post(h)) return;
  RunCoroutine(h);
}

// ---------------------------------------------------------------------------
// Result storage of CoTask<T>: the value (an empty struct for void) or the
// exception the body let escape.
struct CoVoid {};
template <class T>
using CoStored = std::conditional_t<std::is_void_v<T>, CoVoid, T>;
template <class T>
using CoResult = std::variant<std::monostate, CoStored<T>, std::exception_ptr>;

// The value of a finished coroutine, or its exception rethrown.
template <class T>
T TakeResult(CoResult<T>& r) {
  if (r.index() == 2) std::rethrow_exception(std::get<2>(r));
  if constexpr (!std::is_void_v<T>) return std::move(std::get<1>(r));
}

template <class T>
class CoPromiseStorage : public CoPromiseBase {
 public:
  void unhandled_exception() noexcept { result_.template emplace<2>(std::current_exception()); }
  CoResult<T>& Result() noexcept { return result_; }

 protected:
  CoResult<T> result_;
};

template <class T>
class CoPromiseReturn : public CoPromiseStorage<T> {
 public:
  template <class U = T>
  requires std::convertible_to<U&&, T>
  void return_value(U&& value) { this->result_.template emplace<1>(std::forward<U>(value)); }
};

template <>
class CoPromiseReturn<void> : public CoPromiseStorage<void> {
 public:
  void return_void() noexcept { this->result_.template emplace<1>(); }
};

template <class T>
class CoPromise : public CoPromiseReturn<T> {
 public:
  CoTask<T> get_return_object() noexcept {
    return CoTask<T>(std::coroutine_handle<CoPromise>::from_promise(*this));
  }
};

template <class T>
using CoHandle = std::coroutine_handle<CoPromise<T>>;

// The awaiter of `co_await cotask`: starts the child (through the
// trampoline), resumes the parent when it finishes.
template <class T>
class CoTaskAwaiter {
 public:
  explicit CoTaskAwaiter(CoHandle<T> child) noexcept : child_(child) {}

  bool await_ready() const {
    if (!child_) {
      throw std::logic_error("co_await on an empty CoTask (moved from)");
    }
    if (child_.done()) {
      throw std::logic_error("co_await on a CoTask that was awaited already");
    }
    return false;  // lazy: it has not started
  }
  template <class P>
  void await_suspend(std::coroutine_handle<P> parent) noexcept {
    CoPromise<T>& c = child_.promise();
    c.continuation = parent;
    if constexpr (std::is_base_of_v<CoPromiseBase, P>) {
      parent_ = &parent.promise();
      c.pool = parent_->pool;
      c.loop = parent_->loop;
    }
    Transfer(child_);
  }
  T await_resume() {
    // The parent goes on where the child finished (its last Schedule()).
    if (parent_ != nullptr) parent_->pool = child_.promise().pool;
    return TakeResult<T>(child_.promise().Result());
  }

 private:
  CoHandle<T> child_;
  CoPromiseBase* parent_ = nullptr;
};

// The one door to CoTask's handle, for Spawn and SyncWait.
struct CoTaskAccess {
  template <class T>
  static CoHandle<T> Release(CoTask<T>& task) noexcept {
    return std::exchange(task.handle_, {});
  }
};

// Makes `h` a root: at its end `done(h, context)` runs instead of a
// parent's resumption.
template <class T>
void MakeRoot(CoHandle<T> h, Pool* pool, SyncLoop* loop,
              void (*done)(std::coroutine_handle<>, void*) noexcept, void* context) noexcept {
  CoPromise<T>& p = h.promise();
  p.pool = pool;
  p.loop = loop;
  p.continuation = {};
  p.root_done = done;
  p.root_context = context;
}

// Moves the result out of a finished root and frees its frame.
template <class T>
CoResult<T> TakeRootResult(std::coroutine_handle<> root) noexcept {
  CoHandle<T> h = CoHandle<T>::from_address(root.address());
  CoResult<T> result;
  try {
    result = std::move(h.promise().Result());
  } catch (...) {  // the value's move threw
    result.template emplace<2>(std::current_exception());
  }
  h.destroy();
  return result;
}

// SyncWait's state, on the blocked thread's stack.
template <class T>
struct SyncState {
  SyncLoop loop;
  CoResult<T> result;

  static void Done(std::coroutine_handle<> root, void* context) noexcept {
    auto* self = static_cast<SyncState*>(context);
    self->result = TakeRootResult<T>(root);
    self->loop.Finish();  // the last touch of *self
  }
};

}  // namespace detail
}  // namespace litepool

#endif  // LITEPOOL_DETAIL_CORO_PROMISE_HPP_
