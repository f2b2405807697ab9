// Waits on worker threads with the spare threads at their bound: a task
// queued while every thread of the pool is blocked in a wait must still run.
// With 1 worker the bound is 2 spares (Engine::SpareBound). Three tasks
// block one after the other (the worker, then a spare for each), each on a
// group that only a fourth task credits. When that fourth task is queued no
// spare may be added and every thread sleeps in a wait: one of the waiters
// must run it (as BlockOrHelp does when it finds the bound reached as it
// blocks). Otherwise it stays queued forever, for example after a
// SetWorkers shrink lowered the bound below the spares running.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <thread>

#include "litepool/litepool.hpp"
#include "api/pool_access.hpp"
#include "test_util.hpp"

namespace litepool {
namespace {

using testing::kHangGuard;

// Polls (yielding) until `done` holds; false after kHangGuard.
template <class F>
bool Eventually(F done) {
  const auto give_up = std::chrono::steady_clock::now() + kHangGuard;
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(SpareBoundTest, ATaskQueuedWhileEveryThreadIsBlockedStillRuns) {
  Pool pool(1, 16);
  std::array<TaskGroup, 3> outside{TaskGroup(1), TaskGroup(1), TaskGroup(1)};
  TaskGroup waiters;
  for (std::size_t i = 0; i < outside.size(); ++i) {
    ASSERT_FALSE(pool.AddTask(waiters, [g = outside[i]] { g.Wait(); }));
    // Blocked (not just started): the next task finds this one asleep.
    ASSERT_TRUE(Eventually([&] {
      return detail::PoolAccess::Blocked(pool) == static_cast<std::int64_t>(i + 1);
    }));
  }
  TaskGroup release;
  ASSERT_FALSE(pool.AddTask(release, [&outside] {
    for (const TaskGroup& g : outside) g.Done();
  }));
  const bool ran = release.WaitFor(kHangGuard);
  EXPECT_TRUE(ran) << "the task queued while every thread waited never ran";
  if (!ran) {
    for (const TaskGroup& g : outside) g.Done();  // let the pool close
  }
  EXPECT_TRUE(waiters.WaitFor(kHangGuard));
}

}  // namespace
}  // namespace litepool
