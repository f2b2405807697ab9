// litepool/detail/deadline.hpp — a timeout turned into a steady_clock
// deadline, and the time left until one. Internal: for the engine and the
// front-ends (Alloter, ErrGroup); do not name anything in litepool::detail
// from application code.
//
//   auto deadline = detail::DeadlineAfter(options.timeout);  // nullopt: none
//   if (deadline) cv.wait_for(lock, detail::TimeLeft(*deadline));
//
// Header-only. Thread-safe (pure functions of their arguments and the
// clock), never block, never allocate, never throw.
#ifndef LITEPOOL_DETAIL_DEADLINE_HPP_
#define LITEPOOL_DETAIL_DEADLINE_HPP_

#include "litepool/detail/export.hpp"

#include <chrono>
#include <optional>

namespace litepool::detail {

// now + `timeout` on the steady clock. "No timeout" (nullopt) and a timeout
// too long to represent (nanoseconds::max(), or anything that would overflow
// the time_point) both give nullopt: no deadline. A negative timeout gives a
// deadline in the past.
inline std::optional<std::chrono::steady_clock::time_point> DeadlineAfter(
    std::optional<std::chrono::nanoseconds> timeout) {
  using Clock = std::chrono::steady_clock;
  if (!timeout) return std::nullopt;
  const auto now = Clock::now();
  if (*timeout >= Clock::time_point::max() - now) return std::nullopt;
  return now + std::chrono::duration_cast<Clock::duration>(*timeout);
}

// The time from now until `deadline`, never negative (0 once it passed):
// what an add-timeout or a WaitFor bounded by `deadline` should be given.
inline std::chrono::nanoseconds TimeLeft(std::chrono::steady_clock::time_point deadline) {
  const auto now = std::chrono::steady_clock::now();
  // Compared before subtracting: a deadline far in the past (time_point::min())
  // minus now would overflow.
  if (deadline <= now) return std::chrono::nanoseconds::zero();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - now);
}

}  // namespace litepool::detail

#endif  // LITEPOOL_DETAIL_DEADLINE_HPP_
