// The library side of Future::Then: posting a continuation to the pool a
// Future's task ran on (PoolAnchor).
#include <utility>

#include "api/pool_anchor.hpp"
#include "litepool/detail/compose.hpp"
#include "task/execution_context.hpp"

namespace litepool::detail {

Error PoolAnchor::Post(TaskOptions&& task) {
  ReaderLock lock(mu_);
  if (pool_ == nullptr) {
    return Error("the pool of this continuation was destroyed", ErrorCode::kClosed);
  }
  // The overflow path on any thread: the continuation was asked for when
  // Then was called, and the thread posting it is settling another task (or
  // returning from Then); blocking it on a full pool could deadlock the
  // pool that should free a slot.
  ExecutionContext& context = Context();
  const bool saved = context.overflow_ok;
  context.overflow_ok = true;
  Error e = pool_->AddTask(std::move(task));
  context.overflow_ok = saved;
  return e;
}

void PoolAnchor::CutOff() noexcept {
  WriterLock lock(mu_);
  pool_ = nullptr;
}

Error PostToAnchor(PoolAnchor& anchor, TaskOptions task) { return anchor.Post(std::move(task)); }

}  // namespace litepool::detail
