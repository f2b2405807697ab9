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
// one-worker pool. Elsewhere they block. A Future holds no Pool&: it may outlive its
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
#include <mutex>
#include <optional>
#include <stdexcept>
#include <memory>
#include <stop_token>
#include <type_traits>
#include <utility>

#include "litepool/detail/move_only_function.hpp"
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
};

template <class T>
class Future;

namespace detail {

template <class T>
class Promise;
struct FutureAccess;

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

  // Producer side. The error a Get will throw as TaskError.
  void SetError(Error e) noexcept { error_ = std::move(e); has_result_ = true; }
  void SetException(std::exception_ptr e) noexcept {
    exception_ = std::move(e);
    has_result_ = true;
  }
  bool HasResult() const noexcept { return has_result_; }
  // What a task body checks before it starts (SubmitOptions::stop).
  std::stop_token stop;
  // One producer is done; the last one makes the state ready.
  void ReleaseProducer() noexcept {
    if (producers_.fetch_sub(1, std::memory_order_acq_rel) == 1) Publish();
  }

 protected:
  explicit FutureStateBase(std::uint32_t producers) noexcept
      : refs_(2), producers_(producers) {}
  ~FutureStateBase() = default;

  // After readiness: throws the stored exception or TaskError, if any.
  void ThrowIfFailed() const;

  std::atomic<std::uint32_t> refs_;  // the Future and the producing Promise

 private:
  void Publish() noexcept;

  std::atomic<std::uint32_t> producers_;
  std::atomic<bool> ready_{false};
  bool has_result_ = false;      // written by producers before Publish
  Error error_;                  // a TaskError's cause when set
  std::exception_ptr exception_;  // what the task threw
  std::mutex mu_;
  std::condition_variable cv_;                  // non-worker waiters
  std::optional<TaskGroup> helper_;             // guarded by mu_: worker waiters
  MoveOnlyFunction<void()> continuation_;       // guarded by mu_
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

}  // namespace detail

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

 private:
  friend struct detail::FutureAccess;
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
  explicit Promise(std::uint32_t producers)
      : state_(new FutureState<T>(producers)) {}
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
};

// The Future type of a callable's result: Error gives Future<void>.
template <class R>
using FutureValue = std::conditional_t<std::same_as<std::remove_cvref_t<R>, Error>, void,
                                       std::remove_cvref_t<R>>;

// F as Submit calls it: with SubmitOptions::stop when it takes one.
template <class F>
concept TakesStopToken = std::invocable<F&, std::stop_token>;
template <class F>
concept Submittable = std::move_constructible<std::decay_t<F>> &&
                      std::constructible_from<std::decay_t<F>, F> &&
                      (std::invocable<std::decay_t<F>&> ||
                       std::invocable<std::decay_t<F>&, std::stop_token>);

template <class F>
struct SubmitResultOf {
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

// The task body Submit queues: runs F and stores its result in the
// Promise. The Promise is declared first, so it is destroyed last: the
// Future becomes ready only once F and its captures are gone.
template <class T, class F>
struct SubmitBody {
  Promise<T> promise;
  F f;
  // Only a callable taking std::stop_token may need a linked source.
  [[no_unique_address]] std::conditional_t<TakesStopToken<F>, std::unique_ptr<SubmitStopLink>,
                                           NoStopLink> link;

  Error operator()() {
    FutureState<T>& s = promise.State();
    const std::stop_token& stop = s.stop;
    if (stop.stop_requested()) {
      Error e("cancelled before it started (SubmitOptions::stop)",
              ErrorCode::kCancelled);
      s.SetError(e);
      return e;
    }
    try {
      using R = typename SubmitResultOf<F>::type;
      auto call = [&]() -> R {
        if constexpr (TakesStopToken<F>) {
          return std::invoke(f, stop);
        } else {
          return std::invoke(f);
        }
      };
      if constexpr (std::same_as<std::remove_cvref_t<R>, Error>) {
        Error e = call();
        if (e) {
          s.SetError(e);
          return e;
        }
        s.SetValue();
      } else if constexpr (std::is_void_v<R>) {
        call();
        s.SetValue();
      } else {
        s.SetValue(call());
      }
    } catch (...) {
      s.SetException(std::current_exception());
      throw;  // the pool counts it as a kException failure
    }
    return Error();
  }
};

}  // namespace detail
}  // namespace litepool

#endif  // LITEPOOL_FUTURE_HPP_
