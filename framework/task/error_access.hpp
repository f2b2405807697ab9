// Engine-side construction of Errors that carry both a custom message and
// an exception (e.g. "OnSuccess threw: ...").
#ifndef LITEPOOL_FRAMEWORK_ERROR_ACCESS_HPP_
#define LITEPOOL_FRAMEWORK_ERROR_ACCESS_HPP_

#include <exception>
#include <string>

#include "litepool/error.hpp"

namespace litepool::detail {

struct ErrorAccess {
  static Error Make(std::string message, ErrorCode code, std::exception_ptr e);
};

// what() of the exception, or "unknown exception".
std::string DescribeException(const std::exception_ptr& e);

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ERROR_ACCESS_HPP_
