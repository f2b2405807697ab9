// litepool/err_group.hpp — ErrGroup: run functions on a pool, wait for all of
// them, get the first error (Go: golang.org/x/sync/errgroup, plus the kratos
// extensions: panic recovery, a concurrency limit, Go(ctx)).
//
//   auto g = litepool::ErrGroup::WithContext();   // Go: g, ctx := errgroup.WithContext(ctx)
//   g.SetLimit(4);                                // at most 4 run at once
//   for (const std::string& url : urls) {
//     g.Go([&url](std::stop_token stop) { return Fetch(url, stop); });
//   }
//   if (litepool::Error err = g.Wait()) std::cout << err << '\n';  // the first one
//   for (const litepool::Error& e : g.Errors()) ...                // all of them
//
// Functions: `Error()`, `Error(std::stop_token)`, `void()` or
// `void(std::stop_token)`; move-only callables are fine. A function that
// throws fails with ErrorCode::kException and the message of what() (kratos
// recovers panics; x/sync does not — we do). The std::stop_token is
// Context().
//
// Two kinds of group, as in Go:
// - ErrGroup() / ErrGroup(pool) — the zero errgroup.Group: no cancellation.
//   Every function runs; Wait returns the first error, Errors() all of them.
//   Context() is a token that never stops.
// - ErrGroup::WithContext(...) — Context() stops on the first error, when
//   Wait returns, or when `parent` stops. After the first error (or the
//   parent's stop) functions that have not started yet never run (they are
//   not errors), and running ones see Context() stopped. If the parent stops
//   while functions are pending, or Go is called after that, Wait returns
//   kCancelled unless a function failed first.
//   The first Go after Wait starts a new round (fresh Context(), no error;
//   see Wait), as calling errgroup.WithContext again does in Go.
//
// Concurrency limit (SetLimit): at most n functions of the group are queued
// or running in the pool at once. Go called from a thread that is not a pool
// worker waits while the limit is reached (x/sync); Go called on a worker
// thread of any litepool pool — typically from inside a task — never waits:
// not for the limit (the function is queued in the group and started when a
// running one finishes, as kratos does) and not for a full pool (the pool's
// overflow path takes it), so a task may call Go without deadlocking its own
// pool or the group's.
//
// Wait on a worker thread is a helping wait (see "Waits on a worker thread"
// in pool.hpp). Thread-safety: every member is thread-safe; Go, TryGo and
// Wait may be called from several threads and from inside the group's own
// functions (Wait from inside the group's own function deadlocks, as in Go).
#ifndef LITEPOOL_ERR_GROUP_HPP_
#define LITEPOOL_ERR_GROUP_HPP_

#include "litepool/detail/export.hpp"

#include <concepts>
#include <functional>
#include <memory>
#include <stop_token>
#include <type_traits>
#include <utility>
#include <vector>

#include "litepool/detail/task_spec.hpp"
#include "litepool/error.hpp"
#include "litepool/pool.hpp"

namespace litepool {

namespace detail {

struct ErrGroupState;

template <class R>
concept ErrorOrVoid = std::same_as<R, Error> || std::is_void_v<R>;

template <class G>
concept StopForm =
    std::invocable<G&, std::stop_token> && ErrorOrVoid<std::invoke_result_t<G&, std::stop_token>>;

template <class G>
concept PlainForm = std::invocable<G&> && ErrorOrVoid<std::invoke_result_t<G&>>;

// A function for ErrGroup::Go and Alloter::Exec: Error() / Error(stop_token)
// / void() / void(stop_token); copyable or move-only.
template <class F>
concept GoFunction = std::constructible_from<std::decay_t<F>, F> &&
    std::move_constructible<std::decay_t<F>> &&
    (StopForm<std::decay_t<F>> || PlainForm<std::decay_t<F>>);

template <class G>
Error CallGoFunction(G& g, std::stop_token stop) {
  if constexpr (StopForm<G>) {
    if constexpr (std::is_void_v<std::invoke_result_t<G&, std::stop_token>>) {
      std::invoke(g, std::move(stop));
      return Error();
    } else {
      return std::invoke(g, std::move(stop));
    }
  } else {
    if constexpr (std::is_void_v<std::invoke_result_t<G&>>) {
      std::invoke(g);
      return Error();
    } else {
      return std::invoke(g);
    }
  }
}

// Wraps any GoFunction into one std::function type; a move-only callable is
// kept in a shared_ptr so the wrapper stays copyable. An empty std::function
// or a null function pointer throws std::invalid_argument.
template <class F>
requires GoFunction<F> std::function<Error(std::stop_token)> ToStopFunction(F&& f) {
  using G = std::decay_t<F>;
  RequireCallable(f, "litepool: empty callable");
  if constexpr (std::copy_constructible<G>) {
    return [g = G(std::forward<F>(f))](std::stop_token stop) mutable {
      return CallGoFunction(g, std::move(stop));
    };
  } else {
    return [g = std::make_shared<G>(std::forward<F>(f))](std::stop_token stop) {
      return CallGoFunction(*g, std::move(stop));
    };
  }
}

}  // namespace detail

// Runs functions, returns the first error (overview: err_group.hpp).
// Go name: errgroup.Group.
class LITEPOOL_API ErrGroup {
 public:
  // A group on DefaultPool() / on `pool`, without a context.
  ErrGroup();
  explicit ErrGroup(Pool& pool);

  // A group with a context: Context() stops on the first error, when
  // Wait returns, or when `parent` stops (at once if it already has).
  // Returned by value into your variable (guaranteed elision):
  //   auto g = litepool::ErrGroup::WithContext(token);
  static ErrGroup WithContext(std::stop_token parent = {});
  static ErrGroup WithContext(Pool& pool, std::stop_token parent = {});

  // Not copyable, not movable: functions in flight refer to the group.
  ErrGroup(const ErrGroup&) = delete;
  ErrGroup& operator=(const ErrGroup&) = delete;

  // Waits for the functions still pending (like Wait, result dropped), so
  // they never outlive what they capture. Must not run inside one of them.
  ~ErrGroup();

  // The group's stop token (Go: the ctx of WithContext); it is also what
  // Error(std::stop_token) functions receive. Never stops for a group made
  // without WithContext. Thread-safe.
  std::stop_token Context() const;

  // At most n functions queued or running at once; n < 0: no limit (the
  // default). n == 0 lets nothing run: TryGo returns false and Go throws
  // std::logic_error (in Go it would block forever). Requires: no function
  // of the group pending; otherwise throws std::logic_error (x/sync panics).
  void SetLimit(int n);

  // Runs f on the pool. Waits while the limit is reached or the pool is
  // full, except on a worker thread of any pool (see err_group.hpp). With WithContext, once
  // Context() stopped through the first error or the parent, f is skipped and never runs. If the
  // pool is closed, f does not run and Wait returns kClosed; if the pool cancels f before it runs
  // (Close(kCancelPending)), Wait returns kCancelled and Errors() lists it: every function runs or
  // is reported.
  template <class F>
  requires detail::GoFunction<F>
  void Go(F&& f) { GoImpl(detail::ToStopFunction(std::forward<F>(f))); }

  // Starts f only if the limit is not reached and the pool
  // has a free slot right now (on one of the pool's own workers the overflow
  // path takes it instead); never waits. False otherwise — also when
  // Context() stopped through an error or the parent, or the pool is closed.
  template <class F>
  requires detail::GoFunction<F>
  bool TryGo(F&& f) { return TryGoImpl(detail::ToStopFunction(std::forward<F>(f))); }

  // Blocks until every function given to Go/TryGo so far has returned (or
  // was skipped), then returns the first error by time — ok if none. On a
  // worker thread it is a helping wait (pool.hpp). With WithContext
  // it then stops Context(). Returns happens-after everything the functions
  // did.
  //
  // Reuse after Wait: a plain group goes on as before (the first error stays
  // the first, Errors() keeps growing: Go's errOnce). A WithContext group
  // starts a new round at the first Go/TryGo after Wait returned (with none
  // of its functions pending): a fresh Context(), no first error, Errors()
  // empty — what calling errgroup.WithContext(parent) again gives in Go. A
  // token taken from Context() before stays stopped; if the parent stopped,
  // the new round is stopped at once. Until that Go, Wait and Errors() keep
  // reporting the round that ended.
  Error Wait();

  // Every error so far, in the order they happened (the "collect all
  // errors" extension). Thread-safe; returns a copy.
  std::vector<Error> Errors() const;

 private:
  ErrGroup(Pool& pool, bool with_context, std::stop_token parent);
  void GoImpl(std::function<Error(std::stop_token)> fn);
  bool TryGoImpl(std::function<Error(std::stop_token)> fn);

  std::shared_ptr<detail::ErrGroupState> state_;
};

}  // namespace litepool

#endif  // LITEPOOL_ERR_GROUP_HPP_
