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
#include <latch>
#include <thread>

#include "api/pool_access.hpp"
#include "litepool/litepool.hpp"
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
    ASSERT_TRUE(Eventually(
        [&] { return detail::PoolAccess::Blocked(pool) == static_cast<std::int64_t>(i + 1); }));
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

namespace litepool {
namespace {

// One task waits (on the pool's only worker) for a task it did not spawn:
// it blocks, and a spare thread runs that task in its place.
void BlockedWaitServedBySpare(Pool& pool) {
  TaskGroup queued_later(1);
  std::latch waiting(1);
  TaskGroup waiter;
  ASSERT_FALSE(pool.AddTask(waiter, [&] {
    waiting.count_down();
    ASSERT_TRUE(queued_later.WaitFor(testing::kHangGuard));
  }));
  waiting.wait();
  ASSERT_TRUE(Eventually([&] { return detail::PoolAccess::Blocked(pool) == 1; }));
  TaskGroup other;
  ASSERT_FALSE(pool.AddTask(other, [&queued_later] { queued_later.Done(); }));
  ASSERT_TRUE(other.WaitFor(testing::kHangGuard)) << "no spare ran the queued task";
  ASSERT_TRUE(waiter.WaitFor(testing::kHangGuard));
}

// A spare counts itself active only when woken with a claim (the thread
// that counted it active sends one). Woken for anything else, it goes back
// to sleep without touching the count: a spare that took every wake-up for
// a claim would leave the active count once too often (below zero), and the
// pool would then believe spares stand in for waiters that have none.
TEST(SpareBoundTest, ASpareWokenWithoutAClaimLeavesTheActiveCountAlone) {
  Pool pool(1, 16);
  BlockedWaitServedBySpare(pool);
  ASSERT_EQ(detail::PoolAccess::SparesMade(pool), 1u);
  ASSERT_TRUE(Eventually([&] { return detail::PoolAccess::SparesParked(pool); }));
  ASSERT_EQ(detail::PoolAccess::ActiveSpares(pool), 0);
  for (int round = 0; round < 3; ++round) {
    detail::PoolAccess::WakeSparesWithoutClaim(pool);
    // Back asleep: it has seen the wake-up and decided what it meant.
    ASSERT_TRUE(Eventually([&] { return detail::PoolAccess::SparesParked(pool); }));
    EXPECT_EQ(detail::PoolAccess::ActiveSpares(pool), 0) << "round " << round;
  }
  // And it still stands in when a waiter blocks again.
  BlockedWaitServedBySpare(pool);
  EXPECT_EQ(detail::PoolAccess::SparesMade(pool), 1u);
}

}  // namespace
}  // namespace litepool
