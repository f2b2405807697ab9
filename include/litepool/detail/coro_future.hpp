// litepool/detail/coro_future.hpp — internals of litepool/coro.hpp that
// join coroutines and futures: `co_await future` and Pool::Spawn. Users
// never name anything here.
#ifndef LITEPOOL_DETAIL_CORO_FUTURE_HPP_
#define LITEPOOL_DETAIL_CORO_FUTURE_HPP_

#include <atomic>
#include <coroutine>
#include <exception>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include "litepool/detail/coro_promise.hpp"
#include "litepool/future.hpp"

namespace litepool::detail {

// The awaiter of `co_await future` inside a CoTask: registers a one-shot
// continuation on the future that posts the coroutine to its pool (never
// runs it inline in the thread that made the future ready).
template <class T>
class FutureAwaiter {
 public:
  explicit FutureAwaiter(Future<T>& future) noexcept : future_(&future) {}
  // Copyable before it is awaited (g++ copies some awaiters into the frame).
  FutureAwaiter(const FutureAwaiter& other) noexcept : future_(other.future_) {}
  FutureAwaiter& operator=(const FutureAwaiter&) = delete;

  // An invalid future does not suspend: Get() then throws std::logic_error.
  bool await_ready() const noexcept { return !future_->Valid() || future_->Ready(); }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    static_assert(std::is_base_of_v<CoPromiseBase, P>,
                  "co_await future works inside a litepool::CoTask (it needs "
                  "the coroutine's pool to resume on)");
    handle_ = h;
    promise_ = &h.promise();
    // Before the callback is registered: after it, the tree (and its
    // SyncWait loop) may be gone.
    if (SyncLoop* loop = promise_->loop) {
      loop->Awaiting(FutureAccess::StateOf(*future_).StuckWatchHandle(), nullptr);
    }
    // False: ready meanwhile, go on without suspending. Once registered,
    // the callback may run (and the frame go) before this returns.
    return FutureAccess::OnReady(*future_, MoveOnlyFunction<void()>([this]() noexcept {
      Reschedule(*promise_, handle_, posted_);
    }));
  }
  T await_resume() { return future_->Get(); }

 private:
  Future<T>* future_;
  std::coroutine_handle<> handle_{};
  CoPromiseBase* promise_ = nullptr;
  std::atomic<bool> posted_{false};
};

// Pool::Spawn's state: the producing side of the Future, and the flag of
// the first post. Freed when the coroutine has finished (and its frame is
// gone).
template <class T>
struct SpawnState {
  Promise<T> promise;
  std::atomic<bool> posted{false};

  static void Done(std::coroutine_handle<> root, void* context) noexcept {
    auto* self = static_cast<SpawnState*>(context);
    CoResult<T> result = TakeRootResult<T>(root);  // the frame is freed here
    FutureStateBase& base = self->promise.State();
    if (result.index() == 2) {
      base.SetException(std::move(std::get<2>(result)));
    } else {
      try {
        if constexpr (std::is_void_v<T>) {
          self->promise.State().SetValue();
        } else {
          self->promise.State().SetValue(std::move(std::get<1>(result)));
        }
      } catch (...) {  // the value's move threw
        base.SetException(std::current_exception());
      }
    }
    delete self;  // the Promise's destruction makes the Future ready
  }
};

}  // namespace litepool::detail

namespace litepool {

// `co_await future` inside a CoTask: suspends without blocking a thread
// until the future is ready, then returns Get()'s value (or rethrows).
// The coroutine resumes as a task posted to its pool, never inline in the
// thread that made the future ready. Ready already: no suspension. A
// Future takes at most one co_await (it is consumed by Get()).
template <class T>
detail::FutureAwaiter<T> operator co_await(Future<T>& future) noexcept {
  return detail::FutureAwaiter<T>(future);
}
template <class T>
detail::FutureAwaiter<T> operator co_await(Future<T>&& future) noexcept {
  return detail::FutureAwaiter<T>(future);
}

template <class T>
Future<T> Pool::Spawn(CoTask<T> task) {
  if (!task.Valid()) {
    throw std::invalid_argument("Pool::Spawn: empty CoTask (moved from)");
  }
  auto* state = new detail::SpawnState<T>();
  state->promise.State().anchor = anchor_;  // Then(f) runs on this pool
  Future<T> future = state->promise.GetFuture();
  WatchStuckWaits(state->promise.State());
  detail::CoHandle<T> h = detail::CoTaskAccess::Release(task);
  detail::MakeRoot(h, this, nullptr, &detail::SpawnState<T>::Done, state);
  // The start is a task like any other (Purge and Close(kCancelPending)
  // may settle it unrun): its OnError frees the frame without running the
  // body and gives the Future the reason. Only later resumptions are never
  // dropped.
  Error rejected;
  try {
    TaskOptions options;
    options.SetTask([h, state] {
      detail::AwaitPosted(state->posted);
      detail::RunCoroutine(h);
    });
    options.SetOnError([h, state](ErrHandle&, const Error& why) {
      detail::AwaitPosted(state->posted);
      h.destroy();  // never started
      state->promise.State().SetError(why);
      delete state;  // the Promise's destruction makes the Future ready
    });
    rejected = AddTask(std::move(options));
  } catch (...) {
    rejected = Error::FromException(std::current_exception());
  }
  if (rejected) {
    h.destroy();  // never started
    state->promise.State().SetError(std::move(rejected));
    delete state;
  } else {
    state->posted.store(true, std::memory_order_release);  // the last touch
  }
  return future;
}

}  // namespace litepool

#endif  // LITEPOOL_DETAIL_CORO_FUTURE_HPP_
