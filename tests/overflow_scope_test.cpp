// detail::OverflowScope (litepool/detail/overflow_scope.hpp): a worker of one
// pool submits to another pool that is full without waiting for its slot;
// nowhere else does the scope change anything.
#include "litepool/detail/overflow_scope.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <latch>

#include "litepool/litepool.hpp"
#include "test_util.hpp"

namespace litepool {
namespace {

using namespace std::chrono_literals;
using testing::Blocker;
using testing::kHangGuard;

// Far longer than the bound the tests wait for their tasks: a scoped
// AddTask that waited for a slot would fail them.
constexpr auto kLongAddTimeout =
    std::chrono::duration_cast<std::chrono::nanoseconds>(kHangGuard) * 2;

// A pool of one worker and one slot, kept full: its worker runs a blocked
// task and the slot holds a queued one, until Release().
struct FullPool {
  Pool pool{1, 1};
  Blocker blocker;
  FullPool() {
    blocker.AddTo(pool);
    if (pool.AddTask(TaskOptions().SetTask([] {}).SetAddTimeout(0ns))) {
      throw std::runtime_error("FullPool: the one slot was not free");
    }
  }
  void Release() { blocker.Release(); }
};

// Runs `body` as a task on a worker of a fresh pool and waits for it.
template <class F>
void OnWorkerOfAnotherPool(F body) {
  Pool other(1, 4);
  TaskGroup done(1);
  ASSERT_FALSE(other.AddTask(done.NewTaskOptions().SetTask(body).SetAutoDone()));
  ASSERT_TRUE(done.WaitFor(kHangGuard)) << "the task on the other pool hung";
}

TEST(OverflowScopeTest, WorkerOfAnotherPoolAddsToAFullPoolWithoutWaiting) {
  FullPool full;
  TaskGroup added(1);
  Error unscoped, scoped;
  OnWorkerOfAnotherPool([&] {
    // Without the scope a worker of another pool waits like any thread.
    unscoped = full.pool.AddTask(TaskOptions().SetTask([] {}).SetAddTimeout(1ms));
    detail::OverflowScope overflow;
    scoped = full.pool.AddTask(
        added.NewTaskOptions().SetTask([] {}).SetAddTimeout(kLongAddTimeout).SetAutoDone());
  });
  EXPECT_EQ(unscoped.Code(), ErrorCode::kTimeout) << unscoped;
  EXPECT_FALSE(scoped) << scoped;
  full.Release();
  EXPECT_TRUE(added.WaitFor(kHangGuard)) << "the overflow task never ran";
}

TEST(OverflowScopeTest, AddTimeoutZeroStillTriesOnce) {
  FullPool full;
  Error once;
  OnWorkerOfAnotherPool([&] {
    detail::OverflowScope overflow;
    once = full.pool.AddTask(TaskOptions().SetTask([] {}).SetAddTimeout(0ns));
  });
  EXPECT_EQ(once.Code(), ErrorCode::kTimeout) << once;
}

TEST(OverflowScopeTest, NestedScopesRestoreTheSettingTheyFound) {
  FullPool full;
  TaskGroup added(1);
  Error inside_outer, after_outer;
  OnWorkerOfAnotherPool([&] {
    {
      detail::OverflowScope outer;
      { detail::OverflowScope inner; }
      // The inner scope restored "on", not "off".
      inside_outer = full.pool.AddTask(
          added.NewTaskOptions().SetTask([] {}).SetAddTimeout(kLongAddTimeout).SetAutoDone());
    }
    after_outer = full.pool.AddTask(TaskOptions().SetTask([] {}).SetAddTimeout(1ms));
  });
  EXPECT_FALSE(inside_outer) << inside_outer;
  EXPECT_EQ(after_outer.Code(), ErrorCode::kTimeout) << after_outer;
  full.Release();
  EXPECT_TRUE(added.WaitFor(kHangGuard));
}

TEST(OverflowScopeTest, DoesNothingOffWorkerThreads) {
  FullPool full;
  detail::OverflowScope overflow;
  // This thread may block: the pool's bound holds for it.
  const Error e = full.pool.AddTask(TaskOptions().SetTask([] {}).SetAddTimeout(1ms));
  EXPECT_EQ(e.Code(), ErrorCode::kTimeout) << e;
  EXPECT_FALSE(detail::ExchangeOverflowOnWorker(true));
  EXPECT_FALSE(detail::ExchangeOverflowOnWorker(false));
}

}  // namespace
}  // namespace litepool
