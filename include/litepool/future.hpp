// litepool/future.hpp — Future<T>, TaskError and SubmitOptions: the result
// of Pool::Submit (pool.hpp).
//
//   litepool::Future<int> answer = pool.Submit([] { return 6 * 7; });
//   litepool::Future<void> saved = pool.Submit([&] { return Save(doc); });  // Error()
//   std::cout << answer.Get();   // 42; rethrows what the task threw
//   try { saved.Get(); } catch (const litepool::TaskError& e) { e.Cause(); }
//
// A Future is a move-only handle to the result of one task. Get() waits and
// returns the value (once); it rethrows the very exception object the task
// threw, or throws TaskError when the task produced no value: rejected by
// the pool (kClosed, kTimeout, kInvalidArgument), cancelled
// (SubmitOptions::stop, Close with kCancelPending, Pool::Purge —
// kCancelled), not started within its queue timeout (kExpired), or a
// returned litepool::Error (its code).
//
// Waiting: Wait/WaitFor/Get called on a worker thread of a pool are helping
// waits (see "Waits on a worker thread" in pool.hpp): they run the tasks
// their own task added to that pool, and a spare thread stands in when they
// must block, so a task may submit children and Get them even on a
// one-worker pool. Elsewhere they block; a wait that nothing in the pool
// can end any more is reported once (PoolOptions::stuck_wait_report). A
// Future holds no Pool&: it may outlive its
// pool. Dropping a Future detaches it: the task still runs.
//
// Happens-before: everything the task did — its effects, and the destruction
// of the callable and what it captured — happens before any wait (Ready()
// true, Wait, WaitFor true, Get) returns.
//
// Thread-safety: one Future is used by one thread at a time (like
// std::future); different Futures are independent. Wait/WaitFor/Ready may
// be called concurrently on the same Future.
#ifndef LITEPOOL_FUTURE_HPP_
#define LITEPOOL_FUTURE_HPP_

#include "litepool/detail/export.hpp"

#include <atomic>
#include <chrono>
#include <concepts>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "litepool/detail/move_only_function.hpp"
#include "litepool/detail/mutex.hpp"
#include "litepool/error.hpp"
#include "litepool/priority.hpp"
#include "litepool/task_group.hpp"

namespace litepool {

// Thrown by Future::Get (and ParallelFor) when the work produced no value:
// it was rejected, cancelled, closed or expired, or it returned an error. Cause()
// says which.
class LITEPOOL_API TaskError : public std::runtime_error {
 public:
  explicit TaskError(Error e);
  // kCancelled, kClosed, kTimeout, kExpired, kInvalidArgument, or the code
  // of the error the task returned. Never throws.
  const Error& Cause() const noexcept { return cause_; }

 private:
  Error cause_;
};

template <class T>
class Future;

namespace detail {
class FutureStateBase;
struct DependencyAccess;
}  // namespace detail

// What a dependent task waits for (SubmitOptions::after,
// TaskOptions::SetAfter): the settling of a Future's task, whatever its
// outcome, or a TaskGroup's counter reaching zero. A Dependency shares the
// Future's state: the Future stays usable (Wait, Get, Then, another
// Dependency), and the dependency holds even after that Future is gone. A
// Future without state (default-constructed, moved from, Get called) is no
// dependency: it is ready at once. A TaskGroup dependency waits for the
// next time the counter is zero (at once if it is zero now). Copyable;
// copies watch the same thing. Never blocks; thread-safe as a value.
class Dependency {
 public:
  template <class T>
  Dependency(const Future<T>& f);   // NOLINT(google-explicit-constructor): {f1, f2, tg}
  Dependency(const TaskGroup& tg);  // NOLINT(google-explicit-constructor)
  Dependency(const Dependency& o);
  Dependency& operator=(const Dependency& o);
  Dependency(Dependency&& o) noexcept;
  Dependency& operator=(Dependency&& o) noexcept;
  ~Dependency();

 private:
  friend struct detail::DependencyAccess;
  void Reset() noexcept;
  detail::FutureStateBase* state_ = nullptr;                      // shared, one reference
  void (*release_)(detail::FutureStateBase*) noexcept = nullptr;  // of state_'s T
  std::optional<TaskGroup> group_;
};

// How Pool::Submit admits a task. Every field has a default, so
// `SubmitOptions{.add_timeout = 0ms}` works.
struct SubmitOptions {
  // As TaskOptions::SetAddTimeout: unset, Submit waits for a free slot; set,
  // at most that long (0: try once), then Get throws TaskError kTimeout.
  std::optional<std::chrono::nanoseconds> add_timeout{};
  // As TaskOptions::SetPriority: the task's scheduling class.
  Priority priority = Priority::kNormal;
  // As TaskOptions::SetQueueTimeout: not started within this time of
  // admission, the task does not run and Get throws TaskError kExpired.
  // Unset: no timeout. Negative: rejected, Get throws TaskError
  // kInvalidArgument.
  std::optional<std::chrono::nanoseconds> queue_timeout{};
  // Stopped before the task starts: it does not run and Get throws
  // TaskError kCancelled. A stop requested while the task is queued settles
  // it at once (on the pool's timer thread, not when a worker reaches it):
  // the Future is ready and the task's slot free right after the stop,
  // even on a paused or busy pool. A callable taking std::stop_token receives a
  // token that stops when this one does or when the pool is closed with
  // CloseMode::kCancelPending.
  std::stop_token stop{};
  // As TaskOptions::SetAfter: the task is admitted now but queued only once
  // every dependency has settled (whatever its outcome); until then it
  // holds no queue slot and no worker.
  std::vector<Dependency> after{};
  // As TaskOptions::SetDelay: admitted now, queued not before this long
  // after the call; until then no slot, no worker. Zero or negative: no
  // delay. With `after` too: queued once both hold.
  std::chrono::nanoseconds delay{0};
};

class Pool;

namespace detail {

template <class T>
class Promise;
struct FutureAccess;
class StuckWatch;  // the library's; see PoolOptions::stuck_wait_report
// The pool a Future's task ran on, as long as that pool lives (compose.hpp).
class PoolAnchor;

// What Futures of every T share: the readiness, the waits, the error and
// the continuation. Non-template parts live in the library (future.cpp).
// Why the task being dropped on this thread was settled without running
// (Purge: kCancelled; its queue timeout: kExpired), or null. Internal.
LITEPOOL_API const Error* DropReason() noexcept;

class LITEPOOL_API FutureStateBase {
 public:
  FutureStateBase(const FutureStateBase&) = delete;
  FutureStateBase& operator=(const FutureStateBase&) = delete;

  bool Ready() const noexcept { return ready_.load(std::memory_order_acquire); }
  // Blocks (helping on a worker thread) until ready or `timeout` passed;
  // true when ready. No timeout: waits as long as it takes.
  bool WaitFor(std::optional<std::chrono::nanoseconds> timeout);
  // Registers `callback` to run once, on the thread that makes the state
  // ready, right after it is ready. False (and `callback` untouched) when
  // the state is ready already. At most one callback per state
  // (std::logic_error for a second one).
  bool TryAttach(MoveOnlyFunction<void()>& callback);
  // Registers `callback` as one more watcher: any number of them, each run
  // once on the thread that makes the state ready, after the continuation.
  // False (and `callback` untouched) when the state is ready already. The
  // Future stays usable (WhenAny's inputs, dependencies). Allocates one node.
  bool TryWatch(MoveOnlyFunction<void()>& callback);

  // Producer side. The error a Get will throw as TaskError.
  void SetError(Error e) noexcept {
    error_ = std::move(e);
    has_result_ = true;
  }
  void SetException(std::exception_ptr e) noexcept {
    exception_ = std::move(e);
    has_result_ = true;
  }
  bool HasResult() const noexcept { return has_result_; }
  // The pool whose quiet makes a blocking wait report itself (set by Submit
  // and Spawn before the Future is handed out).
  void SetStuckWatch(std::shared_ptr<const StuckWatch> watch) noexcept {
    watch_ = std::move(watch);
  }
  // That pool's watch (null: none), for a SyncWait whose coroutine awaits
  // this state.
  const std::shared_ptr<const StuckWatch>& StuckWatchHandle() const noexcept { return watch_; }
  // Requires: ready. True when a Get would throw.
  bool Failed() const noexcept { return exception_ != nullptr || static_cast<bool>(error_); }
  // Requires: ready and Failed(). Gives `to` the same failure: the same
  // exception object, or the same Error.
  void PassFailureTo(FutureStateBase& to) const noexcept {
    if (exception_) {
      to.SetException(exception_);
    } else {
      to.SetError(error_);
    }
  }
  // The failure as an Error (for the pool's counters), requires Failed().
  Error FailureAsError() const noexcept {
    return exception_ ? Error::FromException(exception_) : error_;
  }
  // One more owner (a producer that may outlive the Future and the task).
  void AddRef() noexcept {
    // Relaxed: the caller already holds a reference, so the state cannot go
    // away meanwhile; the release side orders the rest.
    refs_.fetch_add(1, std::memory_order_relaxed);
  }
  // What a task body checks before it starts (SubmitOptions::stop).
  std::stop_token stop;
  // The pool that runs (or ran) the task of this state, for Future::Then
  // without a pool. Null: none known. Set before the Future is handed out.
  std::shared_ptr<PoolAnchor> anchor;
  // One producer is done; the last one makes the state ready.
  void ReleaseProducer() noexcept {
    if (producers_.fetch_sub(1, std::memory_order_acq_rel) == 1) Publish();
  }

 protected:
  explicit FutureStateBase(std::uint32_t producers) noexcept : refs_(2), producers_(producers) {}
  ~FutureStateBase() = default;

  // After readiness: throws the stored exception or TaskError, if any.
  void ThrowIfFailed() const;

  std::atomic<std::uint32_t> refs_;  // the Future and the producing Promise

 private:
  void Publish() noexcept;

  std::atomic<std::uint32_t> producers_;
  std::atomic<bool> ready_{false};
  bool has_result_ = false;       // written by producers before Publish
  Error error_;                   // a TaskError's cause when set
  std::exception_ptr exception_;  // what the task threw
  Mutex mu_;
  CondVar cv_;                                                // non-worker waiters
  std::optional<TaskGroup> helper_ LITEPOOL_GUARDED_BY(mu_);  // worker waiters
  MoveOnlyFunction<void()> continuation_ LITEPOOL_GUARDED_BY(mu_);
  std::shared_ptr<const StuckWatch> watch_;  // null: no stuck-wait report
  struct Watcher {
    MoveOnlyFunction<void()> callback;
    Watcher* next;
  };
  Watcher* watchers_ LITEPOOL_GUARDED_BY(mu_) = nullptr;
};

template <class T>
class FutureState final : public FutureStateBase {
 public:
  explicit FutureState(std::uint32_t producers) noexcept : FutureStateBase(producers) {}
  void Release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
  template <class... A>
  void SetValue(A&&... a) {
    if constexpr (!std::is_void_v<T>) value_.emplace(std::forward<A>(a)...);
    SetError(Error());
  }
  // Requires: ready.
  T Take() {
    ThrowIfFailed();
    if constexpr (!std::is_void_v<T>) return std::move(*value_);
  }

 private:
  ~FutureState() = default;
  struct Empty {};
  std::optional<std::conditional_t<std::is_void_v<T>, Empty, T>> value_;
};

// The Future type of a callable's result: Error gives Future<void>.
template <class R>
using FutureValue =
    std::conditional_t<std::same_as<std::remove_cvref_t<R>, Error>, void, std::remove_cvref_t<R>>;

// Future::Then's forms: f(T) (f() for Future<void>) runs on success only;
// f(Future<T>) runs on every outcome. A callable that takes both (a generic
// lambda) is taken as the value form.
template <class T, class F>
struct TakesValue : std::bool_constant<std::invocable<F&, T>> {};
template <class F>
struct TakesValue<void, F> : std::bool_constant<std::invocable<F&>> {};
template <class T, class F>
concept ThenOnValue = TakesValue<T, std::decay_t<F>>::value;
template <class T, class F>
concept ThenOnOutcome = !ThenOnValue<T, F> && std::invocable<std::decay_t<F>&, Future<T>>;
template <class T, class F>
concept Thenable = std::move_constructible<std::decay_t<F>> &&
    std::constructible_from<std::decay_t<F>, F> &&(ThenOnValue<T, F> || ThenOnOutcome<T, F>);

// No `type` for a callable Then does not accept, so that Then's return type
// drops the overload quietly (clang substitutes it before it checks the
// constraints) and the static_assert overload speaks.
template <class T, class F>
struct ThenCallResult {};
template <class T, class F>
requires ThenOnOutcome<T, F>
struct ThenCallResult<T, F> {
  using type = std::invoke_result_t<F&, Future<T>>;
};
template <class T, class F>
requires ThenOnValue<T, F> &&(!std::is_void_v<T>)struct ThenCallResult<T, F> {
  using type = std::invoke_result_t<F&, T>;
};
template <class T, class F>
requires ThenOnValue<T, F> && std::is_void_v<T>
struct ThenCallResult<T, F> {
  using type = std::invoke_result_t<F&>;
};
// The value type of the Future Then returns: f's result, Error giving void
// (as Submit).
template <class T, class F>
using ThenResult = FutureValue<typename ThenCallResult<T, std::decay_t<F>>::type>;

template <class F>
inline constexpr bool kNotThenable = false;
struct ComposeAccess;

}  // namespace detail

// The message of Then's wrong-signature diagnostic (static_assert needs a
// literal); undefined again at the end of this header.
#define LITEPOOL_THEN_FORMS                                              \
  "litepool::Future<T>::Then accepts a callable taking T (nothing for "  \
  "Future<void>): it runs on success only; or a callable taking the "    \
  "settled Future<T>: it runs on every outcome (a move-only one passed " \
  "as an rvalue); it returns what Submit's callables return"

// The result of one task (overview: future.hpp). T may be void and may
// be move-only.
template <class T>
class Future {
 public:
  // No state: !Valid().
  Future() noexcept = default;
  Future(Future&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
  Future& operator=(Future&& other) noexcept {
    if (this != &other) {
      Reset();
      state_ = std::exchange(other.state_, nullptr);
    }
    return *this;
  }
  Future(const Future&) = delete;
  Future& operator=(const Future&) = delete;
  // Detaches: the task still runs; its result is dropped.
  ~Future() { Reset(); }

  // True until Get() was called (or it was moved from). Never blocks.
  bool Valid() const noexcept { return state_ != nullptr; }

  // True when the result is there (Get will not block). Never blocks.
  // False for !Valid().
  bool Ready() const noexcept { return state_ != nullptr && state_->Ready(); }

  // Waits until Ready() (helping on a worker thread, as Wait() does), then
  // returns the value / rethrows the task's exception / throws TaskError.
  // Once only: afterwards !Valid(). !Valid() throws std::logic_error.
  [[nodiscard]] T Get() {
    Require("Get");
    state_->WaitFor(std::nullopt);
    detail::FutureState<T>* s = std::exchange(state_, nullptr);
    struct Releaser {
      detail::FutureState<T>* s;
      ~Releaser() { s->Release(); }
    } releaser{s};
    return s->Take();
  }

  // Waits until Ready(); on a worker thread it is a helping wait (pool.hpp)
  // and never deadlocks a pool. !Valid() throws std::logic_error.
  void Wait() const {
    Require("Wait");
    state_->WaitFor(std::nullopt);
  }
  // Wait() for at most about `timeout`; false when not ready by then (on a
  // worker thread it may finish a task it is helping with first).
  bool WaitFor(std::chrono::nanoseconds timeout) const {
    Require("WaitFor");
    return state_->WaitFor(timeout);
  }

  // Continuations. Runs `f` as a task once this Future is ready — never
  // inline on the thread that settles it — on the pool that ran this
  // Future's task (Then(f)), or on `pool`. Forms:
  //   f(T) (f() for Future<void>): runs on success only; a failure (the
  //     task's exception, the same object, or its TaskError) passes to the
  //     result unchanged without calling f;
  //   f(Future<T>): runs on every outcome with this Future, ready (its Get
  //     returns the value or rethrows).
  // The result is a Future of f's result, as Submit's (Error gives
  // Future<void>; a throw from f is rethrown by its Get). Consumes *this
  // (afterwards !Valid()). The continuation is queued when this Future is
  // ready, even on a full pool (as a retry is: nobody may block on it), so
  // options.add_timeout is not used; options.priority, queue_timeout and
  // stop act as for Submit. The pool closed (or destroyed) by then: the
  // result's Get throws TaskError kClosed — for the value form after a
  // failure, that failure — and f is destroyed unrun. Then(f) on a Future
  // whose pool is unknown (none of Submit, Spawn, Then or a join of them
  // made it) throws std::logic_error and leaves *this as it was; so does
  // !Valid().
  // Happens-before: everything this Future's task did happens before f
  // runs; f and what it captured are destroyed before the result is ready.
  // Chains of any length use no stack: each link is a task. Thread-safe as
  // any member of a Future (one thread at a time per Future).
  template <class F>
  requires detail::Thenable<T, F>
  [[nodiscard]] Future<detail::ThenResult<T, F>> Then(F&& f, SubmitOptions options = {}) &&;
  template <class F>
  requires detail::Thenable<T, F>
  [[nodiscard]] Future<detail::ThenResult<T, F>> Then(Pool& pool, F&& f,
                                                      SubmitOptions options = {}) &&;
  // Anything else given to Then: a compile-time error that lists the
  // accepted forms.
  template <class F>
  requires(!detail::Thenable<T, F>) Future<void> Then(F&&, SubmitOptions = {}) && {
    static_assert(detail::kNotThenable<F>, LITEPOOL_THEN_FORMS);
    return {};
  }
  template <class F>
  requires(!detail::Thenable<T, F>) Future<void> Then(Pool&, F&&, SubmitOptions = {}) && {
    static_assert(detail::kNotThenable<F>, LITEPOOL_THEN_FORMS);
    return {};
  }

 private:
  friend struct detail::FutureAccess;
  friend struct detail::ComposeAccess;
  template <class U>
  friend class Future;
  friend class detail::Promise<T>;
  explicit Future(detail::FutureState<T>* state) noexcept : state_(state) {}

  void Require(const char* what) const {
    if (state_ == nullptr) {
      throw std::logic_error(std::string("litepool::Future::") + what +
                             ": no state (default-constructed, moved from, "
                             "or Get() already called)");
    }
  }
  void Reset() noexcept {
    if (state_ != nullptr) std::exchange(state_, nullptr)->Release();
  }

  detail::FutureState<T>* state_ = nullptr;
};

namespace detail {

// The producing side of one Future (for Submit, ParallelFor, coroutines).
// Move-only. Set a result (SetValue / SetException / SetError) at most
// once, then let it go: its destruction makes the Future ready, so the
// Future's waits happen-after everything done before that. Destroyed
// without a result, the Future's Get throws TaskError kCancelled ("dropped
// before it ran").
template <class T>
class Promise {
 public:
  Promise() : Promise(1) {}
  // `producers` > 1: ReleaseProducer must be called producers-1 more times
  // on State() before the Future is ready (Submit uses 2).
  explicit Promise(std::uint32_t producers) : state_(new FutureState<T>(producers)) {}
  Promise(Promise&& o) noexcept : state_(std::exchange(o.state_, nullptr)) {}
  Promise& operator=(Promise&&) = delete;
  ~Promise() {
    if (state_ == nullptr) return;
    if (!state_->HasResult()) {
      const Error* why = DropReason();
      state_->SetError(why != nullptr ? *why
                                      : Error("task dropped before it ran (pool closed "
                                              "with kCancelPending)",
                                              ErrorCode::kCancelled));
    }
    FutureState<T>* s = std::exchange(state_, nullptr);
    s->ReleaseProducer();
    s->Release();
  }

  // The Future; call once.
  Future<T> GetFuture() noexcept { return Future<T>(state_); }
  FutureState<T>& State() const noexcept { return *state_; }

 private:
  FutureState<T>* state_;
};

// For coroutines (coro.hpp): `co_await future` registers a one-shot
// continuation instead of blocking.
struct FutureAccess {
  // Runs `callback` once, on the thread that makes `f` ready (a worker,
  // usually inside the settlement of the task: keep it short and let it
  // post work rather than run it; it must not throw). Returns false — and
  // neither stores nor calls `callback` — when `f` is ready already (then
  // Get() does not block). Requires f.Valid(); one callback per Future.
  template <class T>
  static bool OnReady(Future<T>& f, MoveOnlyFunction<void()> callback) {
    return f.state_->TryAttach(callback);
  }
  // Requires f.Valid().
  template <class T>
  static FutureState<T>& StateOf(const Future<T>& f) noexcept {
    return *f.state_;
  }
};

// F as Submit calls it: with SubmitOptions::stop when it takes one.
template <class F>
concept TakesStopToken = std::invocable<F&, std::stop_token>;
template <class F>
concept Submittable = std::move_constructible<std::decay_t<F>> &&
    std::constructible_from<std::decay_t<F>, F> &&
    (std::invocable<std::decay_t<F>&> || std::invocable<std::decay_t<F>&, std::stop_token>);

// No `type` for a callable Submit does not accept, so Submit's return type
// drops that overload quietly and its static_assert overload speaks.
template <class F>
struct SubmitResultOf {};
template <class F>
requires(std::invocable<F&> && !TakesStopToken<F>) struct SubmitResultOf<F> {
  using type = std::invoke_result_t<F&>;
};
template <class F>
requires TakesStopToken<F>
struct SubmitResultOf<F> {
  using type = std::invoke_result_t<F&, std::stop_token>;
};
template <class F>
using SubmitResult = FutureValue<typename SubmitResultOf<std::decay_t<F>>::type>;

// The stop token of a Submit whose callable takes one when both
// SubmitOptions::stop and the pool's Close(kCancelPending) may stop it: a
// source of its own that either of them stops. Immovable (it holds
// stop_callbacks), so the body owns it through a unique_ptr.
struct SubmitStopLink {
  struct Forward {
    std::stop_source* target;
    void operator()() const noexcept { target->request_stop(); }
  };
  SubmitStopLink(const std::stop_token& a, const std::stop_token& b)
      : from_a(a, Forward{&source}), from_b(b, Forward{&source}) {}
  std::stop_source source;
  std::stop_callback<Forward> from_a;
  std::stop_callback<Forward> from_b;
};
struct NoStopLink {};

// Runs `call` and stores what it returns in `s` (Submit's body, and the
// continuations of compose.hpp): a returned Error is the failure, a throw is
// stored and rethrown (the pool counts it as a kException failure).
template <class R, class Call>
Error Produce(FutureState<R>& s, Call&& call) {
  using Out = decltype(call());
  try {
    if constexpr (std::same_as<std::remove_cvref_t<Out>, Error>) {
      Error e = call();
      if (e) {
        s.SetError(e);
        return e;
      }
      s.SetValue();
    } else if constexpr (std::is_void_v<Out>) {
      call();
      s.SetValue();
    } else {
      s.SetValue(call());
    }
  } catch (...) {
    s.SetException(std::current_exception());
    throw;
  }
  return Error();
}

// The task body Submit queues: runs F and stores its result in the
// Promise. The Promise is declared first, so it is destroyed last: the
// Future becomes ready only once F and its captures are gone.
template <class T, class F>
struct SubmitBody {
  Promise<T> promise;
  F f;
  // Only a callable taking std::stop_token may need a linked source.
  [[no_unique_address]] std::conditional_t<TakesStopToken<F>, std::unique_ptr<SubmitStopLink>,
                                           NoStopLink>
      link;

  Error operator()() {
    FutureState<T>& s = promise.State();
    const std::stop_token& stop = s.stop;
    if (stop.stop_requested()) {
      Error e("cancelled before it started (SubmitOptions::stop)", ErrorCode::kCancelled);
      s.SetError(e);
      return e;
    }
    using R = typename SubmitResultOf<F>::type;
    return Produce(s, [&]() -> R {
      if constexpr (TakesStopToken<F>) {
        return std::invoke(f, stop);
      } else {
        return std::invoke(f);
      }
    });
  }
};

}  // namespace detail

namespace detail {
template <class T>
void ReleaseStateOf(FutureStateBase* s) noexcept {
  static_cast<FutureState<T>*>(s)->Release();
}
}  // namespace detail

template <class T>
Dependency::Dependency(const Future<T>& f) {
  if (!f.Valid()) return;
  detail::FutureState<T>& s = detail::FutureAccess::StateOf(f);
  s.AddRef();
  state_ = &s;
  release_ = &detail::ReleaseStateOf<T>;
}
inline Dependency::Dependency(const TaskGroup& tg) : group_(tg) {}
inline Dependency::Dependency(const Dependency& o)
    : state_(o.state_), release_(o.release_), group_(o.group_) {
  if (state_ != nullptr) state_->AddRef();
}
inline Dependency& Dependency::operator=(const Dependency& o) {
  if (this != &o) *this = Dependency(o);
  return *this;
}
inline Dependency::Dependency(Dependency&& o) noexcept
    : state_(std::exchange(o.state_, nullptr)),
      release_(std::exchange(o.release_, nullptr)),
      group_(std::move(o.group_)) {}
inline Dependency& Dependency::operator=(Dependency&& o) noexcept {
  if (this != &o) {
    Reset();
    state_ = std::exchange(o.state_, nullptr);
    release_ = std::exchange(o.release_, nullptr);
    group_ = std::move(o.group_);
  }
  return *this;
}
inline Dependency::~Dependency() { Reset(); }
inline void Dependency::Reset() noexcept {
  if (state_ != nullptr) release_(std::exchange(state_, nullptr));
}

// --- Joining futures (definitions: litepool/detail/compose.hpp) -----------
// None of these blocks a thread: the result is made ready by the thread
// that settles the last (WhenAll) or first (WhenAny) input, as a
// continuation of it, not a wait. The inputs are consumed. The result's
// Then(f) runs on the pool of the first input whose pool is known. An input
// without state (!Valid()), or no input at all for WhenAny: the result's Get
// throws TaskError kInvalidArgument. Happens-before: everything the inputs'
// tasks did (WhenAll: all of them; WhenAny: the first) happens before the
// result is ready. Thread-safe: each call owns its inputs. Allocates one
// join block (WhenAny: plus one small node per input).

// Ready when every input has settled: their values in input order, or the
// failure of the first failed input by position (the same exception
// object, or its TaskError), once all the others settled too.
template <class T>
requires(!std::is_void_v<T>)
    [[nodiscard]] Future<std::vector<T>> WhenAll(std::vector<Future<T>> futures);
// The same for Future<void>: ok once every input succeeded.
[[nodiscard]] inline Future<void> WhenAll(std::vector<Future<void>> futures);
// The same for inputs of different types: their values as a tuple.
template <class... T>
[[nodiscard]] Future<std::tuple<T...>> WhenAll(Future<T>... futures);

// WhenAny's value: which input settled first (its index among the inputs),
// that input (ready: Get gives its value or rethrows its failure), and
// the others in input order, still running and usable (Wait, Get, Then,
// another WhenAny).
template <class T>
struct WhenAnyResult {
  std::size_t index;
  Future<T> first;
  std::vector<Future<T>> rest;
};
// Ready when the first input settles, with a value or a failure (a failure
// does not make WhenAny fail: it is in `first`); the rest keep running.
template <class T>
[[nodiscard]] Future<WhenAnyResult<T>> WhenAny(std::vector<Future<T>> futures);

}  // namespace litepool

#undef LITEPOOL_THEN_FORMS

// Then, WhenAll and WhenAny need Pool: pool.hpp defines them at its end
// (litepool/detail/compose.hpp), so either header gives the whole API.
#include "litepool/pool.hpp"

#endif  // LITEPOOL_FUTURE_HPP_
