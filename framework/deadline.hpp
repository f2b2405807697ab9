// DeadlineAfter: a timeout turned into a steady_clock deadline, where "no
// timeout" and timeouts too long to represent both mean "no deadline".
#ifndef LITEPOOL_FRAMEWORK_DEADLINE_HPP_
#define LITEPOOL_FRAMEWORK_DEADLINE_HPP_

#include <chrono>
#include <optional>

namespace litepool::detail {

inline std::optional<std::chrono::steady_clock::time_point> DeadlineAfter(
    std::optional<std::chrono::nanoseconds> timeout) {
  using Clock = std::chrono::steady_clock;
  if (!timeout) return std::nullopt;
  const auto now = Clock::now();
  if (*timeout >= Clock::time_point::max() - now) return std::nullopt;
  return now + std::chrono::duration_cast<Clock::duration>(*timeout);
}

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_DEADLINE_HPP_
