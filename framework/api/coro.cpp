// Out-of-line pieces of litepool/coro.hpp.
#include "litepool/detail/coro_promise.hpp"

#include "api/task_options_access.hpp"

namespace litepool::detail {

// Out of line on purpose: clang (through at least 16) computes the address
// of a thread_local once per coroutine function and reuses it after a
// co_await resumed the coroutine on another thread. Inlined into an
// await_suspend, the trampoline of the first thread would be used from the
// second. A call into this translation unit is opaque, so every transfer
// reads the trampoline of the thread it runs on.
CoTrampoline& ThreadTrampoline() noexcept {
  thread_local CoTrampoline trampoline;
  return trampoline;
}

Error PostResumption(Pool& pool, TaskOptions&& options) {
  TaskOptionsAccess::Spec(options).resumption = true;
  return pool.AddTask(std::move(options));
}

}  // namespace litepool::detail
