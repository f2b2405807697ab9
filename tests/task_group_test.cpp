#include "litepool/task_group.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <latch>
#include <stdexcept>
#include <thread>

#include "litepool/pool.hpp"
#include "test_util.hpp"

namespace litepool {
namespace {

using testing::Blocker;

// Add refuses a count that would take the counter past INT64_MAX: the
// counter is unchanged, so the group still reaches zero.
TEST(TaskGroupTest, AddPastInt64MaxThrowsAndLeavesTheCounter) {
  TaskGroup tg(1);
  EXPECT_THROW(tg.Add(INT64_MAX), std::invalid_argument);
  EXPECT_EQ(tg.Pending(), 1);
  tg.Add(INT64_MAX - 1);  // exactly INT64_MAX: allowed
  EXPECT_EQ(tg.Pending(), INT64_MAX);
  EXPECT_THROW(tg.Add(1), std::invalid_argument);
  EXPECT_EQ(tg.Pending(), INT64_MAX);
  TaskGroup small(1);
  EXPECT_THROW(small.Add(INT64_MAX), std::invalid_argument);
  small.Done();
  EXPECT_TRUE(small.WaitFor(std::chrono::seconds(0)));
}

TEST(TaskGroupTest, NegativeCountThrows) {
  EXPECT_THROW(TaskGroup(-1), std::invalid_argument);
  TaskGroup g;
  EXPECT_THROW(g.Add(-2), std::invalid_argument);
  Pool pool(1, 1);
  EXPECT_THROW(pool.NewTaskGroup(-5), std::invalid_argument);
}

TEST(TaskGroupTest, DoneBelowZeroThrowsLogicErrorAndStaysAtZero) {
  TaskGroup g(1);
  g.Done();
  EXPECT_THROW(g.Done(), std::logic_error);
  EXPECT_EQ(g.Pending(), 0);
}

TEST(TaskGroupTest, WaitOnEmptyGroupReturnsAtOnce) {
  TaskGroup g;
  g.Wait();
  EXPECT_TRUE(g.WaitFor(std::chrono::nanoseconds(0)));
}

TEST(TaskGroupTest, WaitForTimesOutWhilePending) {
  TaskGroup g(1);
  EXPECT_FALSE(g.WaitFor(std::chrono::milliseconds(1)));
  g.Done();
  EXPECT_TRUE(g.WaitFor(std::chrono::milliseconds(1)));
}

TEST(TaskGroupTest, CopiesShareState) {
  TaskGroup a(2);
  TaskGroup b = a;
  b.Done();
  EXPECT_EQ(a.Pending(), 1);
  EXPECT_TRUE(a == b);
  a.Add(3);
  EXPECT_EQ(b.Pending(), 4);
}

// A TaskGroup has no null state; moving copies.
TEST(TaskGroupTest, MovedFromHandleStillRefersToItsGroup) {
  TaskGroup a(2);
  TaskGroup b(std::move(a));
  TaskGroup c;
  c = std::move(b);
  // NOLINTBEGIN(bugprone-use-after-move): the point of the test
  EXPECT_EQ(a.Pending(), 2);
  EXPECT_EQ(b.Pending(), 2);
  EXPECT_TRUE(a == c);
  a.Done();
  b.Done();
  EXPECT_TRUE(c.WaitFor(std::chrono::seconds(0)));
  Pool pool(1, 2);
  TaskGroup d(1);
  TaskGroup e(std::move(d));
  ASSERT_FALSE(pool.AddTask(d.NewTaskOptions().SetTask([] {}).SetAutoDone()));
  // NOLINTEND(bugprone-use-after-move)
  EXPECT_TRUE(e.WaitFor(testing::kHangGuard));  // d's task credited e's group
}

TEST(TaskGroupTest, WaitReturnsWhenOtherThreadFinishes) {
  TaskGroup g(3);
  std::thread t([g] {
    for (int i = 0; i < 3; ++i) g.Done();
  });
  g.Wait();
  EXPECT_EQ(g.Pending(), 0);
  t.join();
}

TEST(TaskGroupTest, CancelSettlesQueuedTasksAsCancelled) {
  Pool pool(1, 8);
  Blocker blocker;
  blocker.AddTo(pool);
  TaskGroup tg = pool.NewTaskGroup(5);
  std::atomic<int> ran{0}, cancelled{0}, completed{0};
  for (int i = 0; i < 5; ++i) {
    ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                  .SetTask([&] { ++ran; })
                                  .SetOnError([&](ErrHandle&, TaskGroup&, const Error& e) {
                                    if (e.Code() == ErrorCode::kCancelled) ++cancelled;
                                  })
                                  .SetOnComplete([&] { ++completed; })
                                  .SetAutoDone()));
  }
  tg.Cancel();
  EXPECT_TRUE(tg.Cancelled());
  EXPECT_TRUE(tg.StopToken().stop_requested());
  blocker.Release();
  ASSERT_TRUE(tg.WaitFor(testing::kHangGuard));
  EXPECT_EQ(ran, 0);
  EXPECT_EQ(cancelled, 5);
  EXPECT_EQ(completed, 5);
  // Cancellations are the caller's doing, not unhandled failures.
  EXPECT_TRUE(tg.Errors().empty());
}

TEST(TaskGroupTest, AddTaskToCancelledGroupIsRejectedAndCredited) {
  Pool pool(1, 1);
  TaskGroup tg(1);
  tg.Cancel();
  std::atomic<int> ran{0};
  Error e = pool.AddTask(tg.NewTaskOptions().SetTask([&] { ++ran; }).SetAutoDone());
  EXPECT_EQ(e.Code(), ErrorCode::kCancelled);
  EXPECT_EQ(tg.Pending(), 0);
  pool.Close();
  EXPECT_EQ(ran, 0);
}

// A Done() inside a rejected sub-task's OnAddTimeout
// credits that sub-task, not the task that called AddTask.
TEST(TaskGroupTest, DoneInRejectedSubtasksOnAddTimeoutCreditsTheSubtask) {
  Pool pool(1, 1);
  TaskGroup g(2);  // the outer task T and its sub-task S
  std::latch t_started(1), pool_full(1);
  Error sub_result;
  std::atomic<int> timeouts{0};
  ASSERT_FALSE(pool.AddTask(g.NewTaskOptions()
                                .SetTask([&] {
                                  t_started.count_down();
                                  pool_full.wait();
                                  sub_result =
                                      pool.AddTask(g.NewTaskOptions()
                                                       .SetTask([] {})
                                                       .SetAddTimeout(std::chrono::nanoseconds(0))
                                                       .SetOnAddTimeout([&] {
                                                         ++timeouts;
                                                         g.Done();  // credits S
                                                       }));
                                })
                                .SetAutoDone()));
  t_started.wait();
  ASSERT_FALSE(pool.AddTask(TaskOptions().SetTask([] {})));  // takes the only slot
  pool_full.count_down();
  ASSERT_TRUE(g.WaitFor(testing::kHangGuard));
  EXPECT_EQ(sub_result.Code(), ErrorCode::kTimeout);
  EXPECT_EQ(timeouts, 1);
  EXPECT_EQ(g.Pending(), 0);
}

TEST(TaskGroupTest, ErrorsCollectsUnhandledFailures) {
  Pool pool(2, 4);
  TaskGroup tg(4);
  for (int i = 0; i < 4; ++i) {
    pool.AddTask(
        tg.NewTaskOptions().SetTask([i] { return i % 2 ? Error("odd") : Error(); }).SetAutoDone());
  }
  tg.Wait();
  auto errors = tg.Errors();
  ASSERT_EQ(errors.size(), 2u);
  for (auto& e : errors) EXPECT_EQ(e.Message(), "odd");
}

}  // namespace
}  // namespace litepool
