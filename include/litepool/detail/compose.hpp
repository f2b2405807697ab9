// litepool/detail/compose.hpp — internals of Future::Then, WhenAll and
// WhenAny (their contracts are in future.hpp). Included at the end of
// pool.hpp; do not name anything in litepool::detail from application code.
//
// How they work: Then attaches a continuation to the input's state that,
// once the input is ready, posts a task (ThenBody) to the pool; the task
// owns the result's Promise. WhenAll and WhenAny attach a callback to each
// input that counts down a shared join block; the callback that completes
// the join fills the result on the thread that settled that input. Nothing
// waits.
#ifndef LITEPOOL_DETAIL_COMPOSE_HPP_
#define LITEPOOL_DETAIL_COMPOSE_HPP_

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "litepool/detail/export.hpp"
#include "litepool/detail/move_only_function.hpp"
#include "litepool/error.hpp"
#include "litepool/future.hpp"
#include "litepool/pool.hpp"
#include "litepool/task_options.hpp"

namespace litepool::detail {

// Queues `task` on the pool `anchor` stands for, even when it is full (the
// overflow path, as a retry: a continuation must not block the thread that
// settled its input). kClosed when the pool is closed or destroyed; then
// the task was destroyed unrun. Thread-safe; never blocks on the pool's
// capacity (only, briefly, on a destructor cutting the anchor off).
LITEPOOL_API Error PostToAnchor(PoolAnchor& anchor, TaskOptions task);

// The one door to Future's and Pool's insides for this header.
struct ComposeAccess {
  template <class T>
  static FutureState<T>& State(const Future<T>& f) noexcept {
    return *f.state_;
  }
  static const std::shared_ptr<PoolAnchor>& Anchor(const Pool& p) noexcept { return p.anchor_; }
};

// A producer's share of a state that may outlive both the Future and the
// task (the poster of a continuation): one reference and one producer,
// both given back by Finish (or the destructor, which first marks the state
// cancelled if nothing set a result).
template <class R>
class ProducerShare {
 public:
  explicit ProducerShare(FutureState<R>& s) noexcept : s_(&s) { s.AddRef(); }
  ProducerShare(ProducerShare&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  ProducerShare& operator=(ProducerShare&&) = delete;
  ~ProducerShare() {
    if (s_ == nullptr) return;
    if (!s_->HasResult()) s_->SetError(Error("continuation dropped", ErrorCode::kCancelled));
    Finish();
  }
  FutureState<R>& State() const noexcept { return *s_; }
  void Finish() noexcept {
    FutureState<R>* s = std::exchange(s_, nullptr);
    s->ReleaseProducer();
    s->Release();
  }

 private:
  FutureState<R>* s_;
};

// The task a continuation runs. The Promise is declared first, so it is
// destroyed last: the result is ready only once the input and f are gone.
template <class T, class R, class F>
struct ThenBody {
  Promise<R> promise;
  Future<T> input;
  F f;

  Error operator()() {
    FutureState<R>& s = promise.State();
    if (s.stop.stop_requested()) {
      Error e("cancelled before it started (SubmitOptions::stop)", ErrorCode::kCancelled);
      s.SetError(e);
      return e;
    }
    if constexpr (ThenOnValue<T, F>) {
      FutureState<T>& in = ComposeAccess::State(input);
      if (in.Failed()) {
        in.PassFailureTo(s);
        return in.FailureAsError();
      }
      if constexpr (std::is_void_v<T>) {
        input = Future<T>();
        return Produce(s, [&]() -> decltype(auto) { return std::invoke(f); });
      } else {
        return Produce(s, [&]() -> decltype(auto) { return std::invoke(f, input.Get()); });
      }
    } else {
      return Produce(s, [&]() -> decltype(auto) { return std::invoke(f, std::move(input)); });
    }
  }
};

// What runs when the input is ready: posts the ThenBody. Holds the
// result's second producer, so a rejection's reason is in place before the
// result is ready.
template <class T, class R, class F>
struct ThenPost {
  std::shared_ptr<PoolAnchor> anchor;
  ThenBody<T, R, F> body;
  Priority priority;
  std::optional<std::chrono::nanoseconds> queue_timeout;
  ProducerShare<R> share;

  void operator()() {
    FutureState<R>& result = share.State();
    // A value continuation after a failure passes that failure on even when
    // the pool refuses the task: keep the input's state to read it then.
    FutureState<T>* failed = nullptr;
    if constexpr (ThenOnValue<T, F>) {
      FutureState<T>& in = ComposeAccess::State(body.input);
      if (in.Failed()) {
        failed = &in;
        failed->AddRef();
      }
    }
    Error e;
    try {
      TaskOptions task;
      task.SetTask(std::move(body));
      if (priority != Priority::kNormal) task.SetPriority(priority);
      if (queue_timeout) task.SetQueueTimeout(*queue_timeout);
      e = PostToAnchor(*anchor, std::move(task));
    } catch (...) {  // no memory for the task: the result gets the reason
      e = Error::FromException(std::current_exception());
    }
    if (e) {
      if (failed != nullptr) {
        failed->PassFailureTo(result);
      } else {
        result.SetError(std::move(e));
      }
    }
    if (failed != nullptr) failed->Release();
    share.Finish();
  }
};

template <class T, class F>
Future<ThenResult<T, F>> ThenOn(Future<T>&& input, std::shared_ptr<PoolAnchor> anchor, F&& f,
                                SubmitOptions&& options) {
  using R = ThenResult<T, F>;
  using Fn = std::decay_t<F>;
  Promise<R> promise(2);  // the body and the poster
  FutureState<R>& result = promise.State();
  result.anchor = anchor;
  result.stop = std::move(options.stop);
  Future<R> future = promise.GetFuture();
  ProducerShare<R> share(result);
  FutureState<T>& in = ComposeAccess::State(input);
  MoveOnlyFunction<void()> post(ThenPost<T, R, Fn>{
      std::move(anchor),
      ThenBody<T, R, Fn>{std::move(promise), std::move(input), Fn(std::forward<F>(f))},
      options.priority, options.queue_timeout, std::move(share)});
  // Ready already: post from here. Either way, not inline user code.
  if (!in.TryAttach(post)) post();
  return future;
}

// The anchor of the first input that has one (for the result's Then).
template <class... Fs>
std::shared_ptr<PoolAnchor> FirstAnchor(const Fs&... fs) {
  std::shared_ptr<PoolAnchor> a;
  ((a == nullptr && fs.Valid() ? (void)(a = ComposeAccess::State(fs).anchor) : (void)0), ...);
  return a;
}

inline Error InvalidJoinInput() {
  return Error(
      "a Future without state (default-constructed, moved from, or Get() called) "
      "given to WhenAll/WhenAny",
      ErrorCode::kInvalidArgument);
}

// WhenAll over a vector. `pending` counts the inputs plus the call itself,
// so the result is not filled while the call still reads the inputs.
template <class T>
struct AllJoin {
  using V = std::conditional_t<std::is_void_v<T>, void, std::vector<T>>;
  explicit AllJoin(std::vector<Future<T>>&& in)
      : inputs(std::move(in)), pending(inputs.size() + 1) {}
  std::vector<Future<T>> inputs;
  std::atomic<std::size_t> pending;
  Promise<V> promise;

  void Arrive() {
    // Acq_rel: the last arrival sees every input's result (each was made
    // ready before its callback ran) and the call's writes.
    if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) Finish();
  }
  void Finish() {
    Promise<V> out = std::move(promise);  // ready when this returns
    FutureState<V>& s = out.State();
    for (Future<T>& f : inputs) {
      FutureState<T>& in = ComposeAccess::State(f);
      if (in.Failed()) {
        in.PassFailureTo(s);
        inputs.clear();
        return;
      }
    }
    if constexpr (std::is_void_v<T>) {
      s.SetValue();
    } else {
      std::vector<T> values;
      values.reserve(inputs.size());
      for (Future<T>& f : inputs) values.push_back(f.Get());
      s.SetValue(std::move(values));
    }
    inputs.clear();
  }
};

template <class T>
Future<typename AllJoin<T>::V> WhenAllOf(std::vector<Future<T>>&& futures) {
  using V = typename AllJoin<T>::V;
  for (const Future<T>& f : futures) {
    if (!f.Valid()) {
      Promise<V> p;
      p.State().SetError(InvalidJoinInput());
      return p.GetFuture();
    }
  }
  auto join = std::make_shared<AllJoin<T>>(std::move(futures));
  Future<V> result = join->promise.GetFuture();
  std::shared_ptr<PoolAnchor> anchor;
  for (Future<T>& f : join->inputs) {
    FutureState<T>& in = ComposeAccess::State(f);
    if (anchor == nullptr) anchor = in.anchor;
    MoveOnlyFunction<void()> arrive([join] { join->Arrive(); });
    if (!in.TryAttach(arrive)) join->Arrive();
  }
  join->promise.State().anchor = std::move(anchor);
  join->Arrive();
  return result;
}

// WhenAll over futures of different types.
template <class... T>
struct TupleJoin {
  explicit TupleJoin(Future<T>&&... in) : inputs(std::move(in)...), pending(sizeof...(T) + 1) {}
  std::tuple<Future<T>...> inputs;
  std::atomic<std::size_t> pending;
  Promise<std::tuple<T...>> promise;

  void Arrive() {
    // Acq_rel: as AllJoin::Arrive.
    if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) Finish();
  }
  void Finish() {
    Promise<std::tuple<T...>> out = std::move(promise);
    FutureState<std::tuple<T...>>& s = out.State();
    bool failed = false;
    std::apply(
        [&](Future<T>&... f) {
          ((!failed && ComposeAccess::State(f).Failed()
                ? (void)(ComposeAccess::State(f).PassFailureTo(s), failed = true)
                : (void)0),
           ...);
        },
        inputs);
    if (!failed) {
      std::apply([&](Future<T>&... f) { s.SetValue(f.Get()...); }, inputs);
    }
    inputs = {};
  }
};

// WhenAny. `gate` counts the winner's callback and the call: the second of
// them fills the result, so it never runs while the call reads the inputs.
template <class T>
struct AnyJoin {
  explicit AnyJoin(std::vector<Future<T>>&& in) : inputs(std::move(in)) {}
  std::vector<Future<T>> inputs;
  std::atomic<bool> won{false};
  std::atomic<int> gate{2};
  std::size_t winner = 0;  // written by the winner before its Arrive
  Promise<WhenAnyResult<T>> promise;

  void Settled(std::size_t i) {
    // Acq_rel: one winner; its write of `winner` is released by Arrive.
    if (!won.exchange(true, std::memory_order_acq_rel)) {
      winner = i;
      Arrive();
    }
  }
  void Arrive() {
    if (gate.fetch_sub(1, std::memory_order_acq_rel) == 1) Finish();
  }
  void Finish() {
    Promise<WhenAnyResult<T>> out = std::move(promise);
    WhenAnyResult<T> r{winner, std::move(inputs[winner]), {}};
    r.rest.reserve(inputs.size() - 1);
    for (std::size_t j = 0; j < inputs.size(); ++j) {
      if (j != winner) r.rest.push_back(std::move(inputs[j]));
    }
    inputs.clear();
    out.State().SetValue(std::move(r));
  }
};

}  // namespace litepool::detail

namespace litepool {

template <class T>
template <class F>
requires detail::Thenable<T, F> Future<detail::ThenResult<T, F>> Future<T>::Then(
    F&& f, SubmitOptions options) && {
  Require("Then");
  std::shared_ptr<detail::PoolAnchor> anchor = state_->anchor;
  if (anchor == nullptr) {
    throw std::logic_error(
        "litepool::Future::Then: the pool of this Future is not known: name one, "
        "std::move(f).Then(pool, fn)");
  }
  return detail::ThenOn(std::move(*this), std::move(anchor), std::forward<F>(f),
                        std::move(options));
}

template <class T>
template <class F>
requires detail::Thenable<T, F> Future<detail::ThenResult<T, F>> Future<T>::Then(
    Pool& pool, F&& f, SubmitOptions options) && {
  Require("Then");
  return detail::ThenOn(std::move(*this), detail::ComposeAccess::Anchor(pool), std::forward<F>(f),
                        std::move(options));
}

template <class T>
requires(!std::is_void_v<T>) Future<std::vector<T>> WhenAll(std::vector<Future<T>> futures) {
  return detail::WhenAllOf<T>(std::move(futures));
}

inline Future<void> WhenAll(std::vector<Future<void>> futures) {
  return detail::WhenAllOf<void>(std::move(futures));
}

template <class... T>
Future<std::tuple<T...>> WhenAll(Future<T>... futures) {
  static_assert((!std::is_void_v<T> && ...),
                "litepool::WhenAll(Future<T>...): a Future<void> has no value for the tuple; "
                "join those with WhenAll(std::vector<Future<void>>)");
  if ((!futures.Valid() || ...)) {
    detail::Promise<std::tuple<T...>> p;
    p.State().SetError(detail::InvalidJoinInput());
    return p.GetFuture();
  }
  std::shared_ptr<detail::PoolAnchor> anchor = detail::FirstAnchor(futures...);
  auto join = std::make_shared<detail::TupleJoin<T...>>(std::move(futures)...);
  Future<std::tuple<T...>> result = join->promise.GetFuture();
  join->promise.State().anchor = std::move(anchor);
  std::apply(
      [&](Future<T>&... f) {
        auto attach = [&](auto& one) {
          detail::MoveOnlyFunction<void()> arrive([join] { join->Arrive(); });
          if (!detail::ComposeAccess::State(one).TryAttach(arrive)) join->Arrive();
        };
        (attach(f), ...);
      },
      join->inputs);
  join->Arrive();
  return result;
}

template <class T>
Future<WhenAnyResult<T>> WhenAny(std::vector<Future<T>> futures) {
  bool valid = !futures.empty();
  for (const Future<T>& f : futures) valid = valid && f.Valid();
  if (!valid) {
    detail::Promise<WhenAnyResult<T>> p;
    p.State().SetError(futures.empty() ? Error("WhenAny of no futures", ErrorCode::kInvalidArgument)
                                       : detail::InvalidJoinInput());
    return p.GetFuture();
  }
  auto join = std::make_shared<detail::AnyJoin<T>>(std::move(futures));
  Future<WhenAnyResult<T>> result = join->promise.GetFuture();
  std::shared_ptr<detail::PoolAnchor> anchor;
  for (std::size_t i = 0; i < join->inputs.size(); ++i) {
    detail::FutureState<T>& in = detail::ComposeAccess::State(join->inputs[i]);
    if (anchor == nullptr) anchor = in.anchor;
    // A watcher, not the continuation: the inputs go back to the caller,
    // who may still Then them. Once one input is known settled, the others
    // need no watcher.
    detail::MoveOnlyFunction<void()> settled([join, i] { join->Settled(i); });
    if (!in.TryWatch(settled)) {
      join->Settled(i);
      break;
    }
  }
  join->promise.State().anchor = std::move(anchor);
  join->Arrive();
  return result;
}

}  // namespace litepool

#endif  // LITEPOOL_DETAIL_COMPOSE_HPP_
