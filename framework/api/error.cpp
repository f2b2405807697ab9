// Error: a code plus, for failures, one shared immutable block.
#include "litepool/error.hpp"

#include <ostream>

#include "task/error_access.hpp"

namespace litepool {

std::string_view ToString(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kOk:
      return "Ok";
    case ErrorCode::kFailed:
      return "Failed";
    case ErrorCode::kException:
      return "Exception";
    case ErrorCode::kTimeout:
      return "Timeout";
    case ErrorCode::kCancelled:
      return "Cancelled";
    case ErrorCode::kClosed:
      return "Closed";
    case ErrorCode::kInvalidArgument:
      return "InvalidArgument";
    case ErrorCode::kExpired:
      return "Expired";
  }
  return "Unknown";
}

Error::Error(std::string message, ErrorCode code) : code_(code) {
  if (code_ != ErrorCode::kOk) {
    rep_ = std::make_shared<const Rep>(Rep{std::move(message), nullptr});
  }
}

Error Error::FromException(std::exception_ptr e) {
  if (!e) return Error();
  return detail::ErrorAccess::Make(detail::DescribeException(e), ErrorCode::kException, e);
}

const std::string& Error::Message() const noexcept {
  static const std::string kEmpty;
  return rep_ ? rep_->message : kEmpty;
}

std::exception_ptr Error::Exception() const noexcept { return rep_ ? rep_->exception : nullptr; }

std::string Error::ToString() const {
  std::string out(litepool::ToString(code_));
  if (!Message().empty()) {
    out += ": ";
    out += Message();
  }
  return out;
}

bool operator==(const Error& a, const Error& b) noexcept {
  return a.Code() == b.Code() && a.Message() == b.Message();
}

std::ostream& operator<<(std::ostream& out, const Error& e) { return out << e.ToString(); }

std::ostream& operator<<(std::ostream& out, ErrorCode code) { return out << ToString(code); }

namespace detail {

Error ErrorAccess::Make(std::string message, ErrorCode code, std::exception_ptr e) {
  Error err;
  err.code_ = code;
  err.rep_ = std::make_shared<const Error::Rep>(Error::Rep{std::move(message), std::move(e)});
  return err;
}

std::string DescribeException(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return ex.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace detail
}  // namespace litepool
