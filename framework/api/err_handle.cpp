// ErrHandle: records a retry request while OnError runs; the settlement
// reads it back through ErrHandleAccess once OnError has returned.
#include "litepool/err_handle.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "task/err_handle_access.hpp"
#include "task/execution_context.hpp"

namespace litepool {

std::chrono::nanoseconds Backoff::DelayFor(int attempt) const {
  if (initial.count() <= 0 || attempt < 1) return std::chrono::nanoseconds(0);
  const double raw =
      static_cast<double>(initial.count()) * std::pow(multiplier, static_cast<double>(attempt - 1));
  const double cap = static_cast<double>(max.count());
  const double d = raw < cap ? raw : cap;
  // nanoseconds::max() is 2^63 as a double, one past int64's range, and
  // converting it (or more) is undefined behaviour: saturate instead.
  if (!(d < std::ldexp(1.0, 63))) return std::chrono::nanoseconds::max();
  return std::chrono::nanoseconds(static_cast<std::int64_t>(d));
}

void ErrHandle::ErrReload(int max_retries, AfterFn after, Backoff backoff) {
  if (!active_ || detail::Context().err_handle != this) {
    throw std::logic_error(
        "ErrHandle::ErrReload called outside OnError: the handle is only "
        "valid on the thread running OnError, while OnError runs");
  }
  if (max_retries < -1) {
    throw std::invalid_argument(
        "ErrHandle::ErrReload: max_retries must be "
        "-1 (unlimited), 0 or positive, got " +
        std::to_string(max_retries));
  }
  if (backoff.initial.count() < 0 || backoff.max.count() < 0 || !(backoff.multiplier >= 1.0) ||
      !(backoff.jitter >= 0.0) || !(backoff.jitter <= 1.0)) {
    throw std::invalid_argument(
        "ErrHandle::ErrReload: invalid Backoff (delays must be >= 0, "
        "multiplier >= 1, jitter in [0, 1])");
  }
  reload_requested_ = true;
  max_retries_ = max_retries;
  after_ = std::move(after);
  backoff_ = backoff;
}

}  // namespace litepool
