// Out-of-line pieces of litepool/coro.hpp.
#include "litepool/detail/coro_promise.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "api/task_options_access.hpp"
#include "task/group_state.hpp"
#include "task/stuck_watch.hpp"

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

void SyncWaitBlock(SyncLoop& loop) {
  for (;;) {
    std::shared_ptr<const StuckWatch> watch;
    std::optional<TaskGroup> group;
    std::uint64_t awaited = 0;
    {
      MutexLock lock(loop.mu_);
      for (;;) {
        if (loop.done_ || !loop.ready_.empty()) return;
        group = loop.awaited_group_;
        watch = group ? GroupAccess::State(*group)->watch : loop.awaited_watch_;
        awaited = loop.awaited_seq_;
        if (watch != nullptr && watch->ReportAfter() > std::chrono::milliseconds::zero()) break;
        // Nothing to report on: the loop's own wait, until something is
        // ready, the tree finishes, or an await names what it waits for.
        loop.cv_.Wait(lock);
      }
    }
    // Over when something is ready, the tree finished, or it awaits
    // something else (then watched afresh, its quiet time from zero).
    bool moved_on = false;
    auto wait_until = [&loop, awaited,
                       &moved_on](std::optional<StuckWatch::Clock::time_point> until) {
      MutexLock lock(loop.mu_);
      auto over = [&]() LITEPOOL_REQUIRES(loop.mu_) {
        moved_on = loop.awaited_seq_ != awaited;
        return loop.done_ || !loop.ready_.empty() || moved_on;
      };
      while (!over()) {
        if (!until) {
          loop.cv_.Wait(lock);
        } else if (loop.cv_.WaitUntil(lock, *until) == std::cv_status::timeout) {
          return over();
        }
      }
      return true;
    };
    WatchedWait(watch.get(), std::nullopt, wait_until, [&] {
      return group ? StuckGroupMessage("SyncWait", *watch, group->Pending())
                   : StuckFutureMessage(*watch, "SyncWait");
    });
    if (!moved_on) return;
  }
}

}  // namespace litepool::detail
