// Engine-side access to ErrHandle's private state.
#ifndef LITEPOOL_FRAMEWORK_ERR_HANDLE_ACCESS_HPP_
#define LITEPOOL_FRAMEWORK_ERR_HANDLE_ACCESS_HPP_

#include <functional>

#include "litepool/err_handle.hpp"

namespace litepool::detail {

struct ErrHandleAccess {
  static void SetActive(ErrHandle& h, bool active) noexcept { h.active_ = active; }
  static void MarkUnhandled(ErrHandle& h) noexcept { h.unhandled_ = true; }
  static bool Unhandled(const ErrHandle& h) noexcept { return h.unhandled_; }
  static bool ReloadRequested(const ErrHandle& h) noexcept { return h.reload_requested_; }
  static int MaxRetries(const ErrHandle& h) noexcept { return h.max_retries_; }
  static ErrHandle::AfterFn TakeAfter(ErrHandle& h) noexcept { return std::move(h.after_); }
  static const Backoff& GetBackoff(const ErrHandle& h) noexcept { return h.backoff_; }
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ERR_HANDLE_ACCESS_HPP_
