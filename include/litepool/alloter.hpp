// litepool/alloter.hpp — Alloter: run a batch of functions concurrently and
// get the first error (Go: github.com/guoquanwei/alloter).
//
//   using namespace std::chrono_literals;
//   auto alloter = litepool::Alloter::WithLimit(2, {.timeout = 500ms});
//   litepool::Error err = alloter.Exec(
//       [] { return LoadUser(); },                             // Error()
//       [](std::stop_token stop) { return LoadOrders(stop); });  // may watch stop
//   if (err) std::cout << err << '\n';     // first failure, Timeout or Cancelled
//
// One Exec / ExecWithContext call:
// - runs every function on the alloter's pool (DefaultPool() unless made
//   WithPool), at most Limit() of them at a time — the limit belongs to the
//   alloter and is shared by concurrent Exec calls on it and its copies, as
//   in Go; 0 means no limit of its own (the pool's workers bound it);
// - a function that throws fails with ErrorCode::kException and the message
//   of what() (Go: goroutine panic recovery);
// - the first failure by time is the result: functions not started yet never
//   run, running ones see their std::stop_token stopped (functions may take
//   one: `Error(std::stop_token)`; `void()` and `void(std::stop_token)` are
//   accepted too and count as success unless they throw);
// - AlloterOptions::timeout (overall, from the call): if it expires first the
//   result is kTimeout, with the same cancellation; a stop of ExecWithContext's
//   token gives kCancelled, with the same cancellation;
// - a function the pool refuses (closed: kClosed) or cancels before it runs
//   (Close(kCancelPending): kCancelled) is a failure like any other: every
//   function either runs or makes Exec fail, never a silent ok;
// - returns once the result is known and — unless fast_return — every
//   function that started has returned, so functions may capture locals by
//   reference. The Go original always returns at once (it leaves goroutines
//   behind); with fast_return so do we: running functions finish in the
//   background and their results are dropped. Exec keeps the function
//   objects alive, but whatever they reference must outlive them.
// - a slot of the limit is returned on every path (success, error, timeout,
//   cancel, rejection by a closed pool): the Go CtrlAlloter leaks one on
//   error and deadlocks on the next call; this one does not.
//
// Exec on a worker thread is a helping wait (see "Waits on a worker thread"
// in pool.hpp). Exec from
// inside a function of the same limited alloter can deadlock when that
// function holds the last slot (as in Go). Thread-safety: an Alloter is a
// cheap handle (copies share the limit); every member is const and
// thread-safe.
#ifndef LITEPOOL_ALLOTER_HPP_
#define LITEPOOL_ALLOTER_HPP_

#include "litepool/detail/export.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <utility>
#include <vector>

#include "litepool/err_group.hpp"
#include "litepool/error.hpp"
#include "litepool/pool.hpp"

namespace litepool {

namespace detail {
class Limiter;
}  // namespace detail

// A function for Exec. Go name: alloter.Task.
using AlloterTask = std::function<Error()>;
// A task that watches for cancellation (first error, timeout, stop).
using AlloterStopTask = std::function<Error(std::stop_token)>;

// Alloter options. Every field has a default, so designated initialisers
// such as `AlloterOptions{.timeout = 50ms}` work. Go name: alloter.Options.
struct AlloterOptions {
  // Overall time limit of one Exec call; unset: none.
  // Negative throws std::invalid_argument when the alloter is made.
  std::optional<std::chrono::nanoseconds> timeout{};
  // Return at the first error / timeout / stop without waiting for the
  // functions still running (Go's behaviour); see the header comment.
  bool fast_return{false};
};

// Runs a batch of functions, returns the first error (overview: alloter.hpp).
// Go name: alloter.Alloter (NewAlloter, NewCtrlAlloter, NewPooledAlloter).
class LITEPOOL_API Alloter {
 public:
  // No limit of its own, on DefaultPool().
  Alloter();
  explicit Alloter(AlloterOptions options);

  // At most `limit` functions at a time (limit 0
  // throws std::invalid_argument), on DefaultPool() or on `pool`.
  static Alloter WithLimit(std::size_t limit, AlloterOptions options = {});
  static Alloter WithLimit(std::size_t limit, Pool& pool, AlloterOptions options = {});

  // Runs on `pool` (which must
  // outlive the alloter); its workers bound the concurrency.
  static Alloter WithPool(Pool& pool, AlloterOptions options = {});

  // Blocks as described in alloter.hpp; returns the first error.
  Error Exec(std::vector<AlloterTask> tasks) const;
  Error Exec(std::vector<AlloterStopTask> tasks) const;
  // The variadic form. Each argument is Error(), Error(stop_token),
  // void() or void(stop_token).
  template <class... F>
  requires(sizeof...(F) > 0 && (detail::GoFunction<F> && ...)) Error Exec(F&&... tasks)
  const { return ExecWithContext(std::stop_token(), std::forward<F>(tasks)...); }

  // As Exec; when `stop` is stopped
  // (also before the call) and no failure came first: kCancelled.
  Error ExecWithContext(std::stop_token stop, std::vector<AlloterTask> tasks) const;
  Error ExecWithContext(std::stop_token stop, std::vector<AlloterStopTask> tasks) const;
  template <class... F>
  requires(sizeof...(F) > 0 && (detail::GoFunction<F> && ...)) Error
      ExecWithContext(std::stop_token stop, F&&... tasks)
  const {
    std::vector<AlloterStopTask> all;
    all.reserve(sizeof...(F));
    (all.push_back(detail::ToStopFunction(std::forward<F>(tasks))), ...);
    return ExecWithContext(std::move(stop), std::move(all));
  }

  // The limit (0: none of its own) and the options it was made with.
  std::size_t Limit() const noexcept { return limit_; }
  const AlloterOptions& Options() const noexcept { return options_; }
  // The pool it runs on (creates DefaultPool() on first use).
  Pool& GetPool() const;

 private:
  Alloter(Pool* pool, std::size_t limit, AlloterOptions options);

  Pool* pool_;  // null: DefaultPool()
  std::size_t limit_;
  AlloterOptions options_;
  std::shared_ptr<detail::Limiter> limiter_;
};

// The package-level helper (Go name: alloter.Exec): runs every task on
// DefaultPool() with no limit and no cancellation (a failure does not stop
// the others), waits for all of them, and returns true if all succeeded
// (none failed or threw).
LITEPOOL_API bool Exec(std::vector<AlloterTask> tasks);
LITEPOOL_API bool Exec(std::vector<AlloterStopTask> tasks);
template <class... F>
requires(sizeof...(F) > 0 && (detail::GoFunction<F> && ...)) bool Exec(F&&... tasks) {
  std::vector<AlloterStopTask> all;
  all.reserve(sizeof...(F));
  (all.push_back(detail::ToStopFunction(std::forward<F>(tasks))), ...);
  return Exec(std::move(all));
}

}  // namespace litepool

#endif  // LITEPOOL_ALLOTER_HPP_
