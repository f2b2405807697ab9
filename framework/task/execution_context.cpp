#include "task/execution_context.hpp"

namespace litepool::detail {

__attribute__((tls_model("initial-exec"))) thread_local ExecutionContext tls_context;

}  // namespace litepool::detail
