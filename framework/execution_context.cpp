#include "execution_context.hpp"

namespace litepool::detail {

ExecutionContext& Context() noexcept {
  thread_local ExecutionContext context;
  return context;
}

}  // namespace litepool::detail
