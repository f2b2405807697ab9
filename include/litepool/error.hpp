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
  kExpired,          // not started within its queue timeout
                     // (TaskOptions::SetQueueTimeout)
};

// The name of `code` without the `k`, e.g. "Timeout". Never allocates,
// never throws; an out-of-range value gives "Unknown".
LITEPOOL_API std::string_view ToString(ErrorCode code) noexcept;

namespace detail {
struct ErrorAccess;
}  // namespace detail

// The outcome of a task or of an operation on the pool: success, or a code
// plus a message (and, for kException, the exception itself).
//
// A value type: copy, move, compare and return it freely. Copies share one
// immutable block, so concurrent reads of copies from different threads are
// safe; writing one `Error` object while another thread reads it is not.
class LITEPOOL_API Error {
 public:
  // Success (Go: nil). Never allocates, never throws.
  Error() noexcept = default;

  // A failure with a message. `code` must not be kOk for a failure; an
  // `Error(msg, ErrorCode::kOk)` is success and drops the message.
  // Allocates once; throws only std::bad_alloc.
  explicit Error(std::string message, ErrorCode code = ErrorCode::kFailed);

  // A kException error carrying `e`, with the message of `what()` (or
  // "unknown exception" for a type not derived from std::exception).
  // A null `e` gives success: nothing was thrown. Never rethrows `e`.
  static Error FromException(std::exception_ptr e);

  // True when this IS an error (Go: err != nil). Never throws.
  explicit operator bool() const noexcept { return code_ != ErrorCode::kOk; }

  // The kind of outcome; kOk for success. Never throws.
  ErrorCode Code() const noexcept { return code_; }

  // The message; empty for success. The reference stays valid as long as
  // `*this` (or a copy of it) is neither destroyed nor assigned to.
  const std::string& Message() const noexcept;

  // The exception a kException error was made from (std::rethrow_exception
  // it to inspect its type); null otherwise. Never throws.
  std::exception_ptr Exception() const noexcept;

  // "Timeout: add timed out after 10ms" (code name, then the message); "Ok"
  // for success. Allocates the returned string.
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

// Equal when the codes and messages are equal (the exception objects are
// not compared). Never throws.
LITEPOOL_API bool operator==(const Error& a, const Error& b) noexcept;

// Writes `e.ToString()`.
LITEPOOL_API std::ostream& operator<<(std::ostream& out, const Error& e);
// Writes `ToString(code)`, e.g. "Cancelled".
LITEPOOL_API std::ostream& operator<<(std::ostream& out, ErrorCode code);

}  // namespace litepool

#endif  // LITEPOOL_ERROR_HPP_
