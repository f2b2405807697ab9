// Engine-side access to what a TaskOptions holds.
#ifndef LITEPOOL_FRAMEWORK_TASK_OPTIONS_ACCESS_HPP_
#define LITEPOOL_FRAMEWORK_TASK_OPTIONS_ACCESS_HPP_

#include "litepool/task_options.hpp"

namespace litepool::detail {

struct TaskOptionsAccess {
  static TaskSpec& Spec(TaskOptions& o) noexcept { return o.spec_; }
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_TASK_OPTIONS_ACCESS_HPP_
