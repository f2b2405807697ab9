// litepool/error.hpp — Error and ErrorCode, the value type of the task path.
//
// A task reports failure by returning an `Error` (Go: `error`). A default
// constructed `Error` means success; `explicit operator bool` is true when it
// IS an error, so the Go idiom `if err != nil` reads `if (err)`.
//
// `Error` is a cheap value: success carries no allocation, a failure shares
// one immutable block among its copies. Thread-safe for concurrent reads of
// copies; never throws except `std::bad_alloc` when constructing a failure.
#ifndef LITEPOOL_ERROR_HPP_
#define LITEPOOL_ERROR_HPP_

#include "litepool/detail/export.hpp"

#include <exception>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>

namespace litepool {

// What kind of outcome an `Error` describes.
enum class ErrorCode {
  kOk,               // no error
  kFailed,           // the task returned a failure
  kException,        // the task (or a hook) threw; see Error::Exception()
  kTimeout,          // an add-timeout or an overall timeout expired
  kCancelled,        // the group (or the pool, kCancelPending) cancelled it
  kClosed,           // the pool was closed
  kInvalidArgument,  // bad input: no task, zero capacity, too large a batch
};

// The name of `code` without the `k`, e.g. "Timeout". Never allocates.
LITEPOOL_API std::string_view ToString(ErrorCode code) noexcept;

namespace detail {
struct ErrorAccess;
}  // namespace detail

class LITEPOOL_API Error {
 public:
  // Success (Go: nil). Never allocates.
  Error() noexcept = default;

  // A failure with a message. `code` must not be kOk for a failure; an
  // `Error(msg, ErrorCode::kOk)` is success and drops the message.
  explicit Error(std::string message, ErrorCode code = ErrorCode::kFailed);

  // A kException error carrying `e`, with the message of `what()` (or
  // "unknown exception" for a type not derived from std::exception).
  // A null `e` gives success: nothing was thrown.
  static Error FromException(std::exception_ptr e);

  // True when this IS an error (Go: err != nil).
  explicit operator bool() const noexcept { return code_ != ErrorCode::kOk; }

  ErrorCode Code() const noexcept { return code_; }

  // The message; empty for success. The reference lives as long as `*this`.
  const std::string& Message() const noexcept;

  // The exception a kException error was made from; null otherwise.
  std::exception_ptr Exception() const noexcept;

  // "Timeout: add timed out after 10ms"; "Ok" for success.
  std::string ToString() const;

 private:
  friend struct detail::ErrorAccess;
  struct Rep {
    std::string message;
    std::exception_ptr exception;
  };
  ErrorCode code_ = ErrorCode::kOk;
  std::shared_ptr<const Rep> rep_;
};

// Equal when the codes and messages are equal.
LITEPOOL_API bool operator==(const Error& a, const Error& b) noexcept;

// Writes `e.ToString()`.
LITEPOOL_API std::ostream& operator<<(std::ostream& out, const Error& e);
LITEPOOL_API std::ostream& operator<<(std::ostream& out, ErrorCode code);

}  // namespace litepool

#endif  // LITEPOOL_ERROR_HPP_
