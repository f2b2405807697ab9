// litepool/err_handle.hpp — ErrHandle (retry requests) and Backoff.
//
// The engine passes an `ErrHandle&` to OnError. Calling `ErrReload` there
// asks for the task to be run again — re-queued to any worker, never by
// blocking the current one — and names the `after` callback that receives
// the final result once the retries are over.
#ifndef LITEPOOL_ERR_HANDLE_HPP_
#define LITEPOOL_ERR_HANDLE_HPP_

#include "litepool/detail/export.hpp"

#include <chrono>
#include <functional>

#include "litepool/detail/move_only_function.hpp"
#include "litepool/error.hpp"

namespace litepool {

namespace detail {
struct ErrHandleAccess;
}  // namespace detail

// Delay before retry k (k = 1, 2, ...):
//   min(initial * multiplier^(k-1), max), then randomly shortened or
//   lengthened by up to `jitter` (a fraction in [0, 1]) of itself.
// The default is no delay: the retry is re-queued at once.
// A plain value; ErrReload validates it.
struct LITEPOOL_API Backoff {
  std::chrono::nanoseconds initial{0};                     // delay before retry 1; 0: none
  double multiplier = 2.0;                                 // growth per retry, >= 1
  std::chrono::nanoseconds max{std::chrono::seconds(30)};  // cap on one delay
  double jitter = 0.0;                                     // fraction in [0, 1]

  // The delay before retry `attempt` (1-based), without jitter applied;
  // zero for attempt < 1 or initial <= 0. Never throws, never allocates.
  std::chrono::nanoseconds DelayFor(int attempt) const;
};

// The retry request of one OnError call. The engine owns it; user code
// only calls it inside OnError. Not copyable, not thread-safe: use it on
// the thread running OnError only. Go name: *ErrHandle.
class LITEPOOL_API ErrHandle {
 public:
  // What ErrReload's `after` is stored as: built from any callable
  // void(const Error&) — a lambda (move-only ones too), a function pointer
  // or a std::function (an empty one means no `after`).
  using AfterFn = detail::MoveOnlyFunction<void(const Error&)>;

  // An inactive handle: ErrReload on it throws std::logic_error. The engine
  // hands OnError an active one.
  ErrHandle() noexcept = default;
  ErrHandle(const ErrHandle&) = delete;
  ErrHandle& operator=(const ErrHandle&) = delete;

  // Asks for up to `max_retries` more runs of the task (-1: until it
  // succeeds, or its group is cancelled, or the pool is closed; 0: none).
  // `after` receives the final result: ok on a later success, the last
  // error when retries run out (ErrReload(0): the first error, at once),
  // kCancelled / kClosed when the group or the pool stops the retries.
  // Once a retry was requested the final outcome goes to `after`, never to
  // OnSuccess. Called twice in one OnError: the last call wins.
  //
  // Requires: called on the thread running OnError, while OnError runs;
  // otherwise throws std::logic_error. max_retries < -1 throws
  // std::invalid_argument; so does an invalid `backoff` (negative delays,
  // multiplier < 1, jitter outside [0, 1]).
  void ErrReload(int max_retries, AfterFn after = {}, Backoff backoff = {});

  // True while this handle may be used (inside OnError). Never throws.
  bool Active() const noexcept { return active_; }

 private:
  friend struct detail::ErrHandleAccess;
  bool active_ = false;
  bool reload_requested_ = false;
  bool unhandled_ = false;  // set by ITask's default OnError
  int max_retries_ = 0;
  AfterFn after_;
  Backoff backoff_;
};

}  // namespace litepool

#endif  // LITEPOOL_ERR_HANDLE_HPP_
