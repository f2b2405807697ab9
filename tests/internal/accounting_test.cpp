// The engine's accounting invariant: accepted == settled once idle, each
// settled task counted under exactly one outcome (succeeded, failed,
// cancelled, exception), plus exact counts of runs, retries and hook throws.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

#include "api/pool_access.hpp"
#include "litepool/litepool.hpp"
#include "test_util.hpp"

namespace litepool {
namespace {

using testing::Blocker;
using testing::kHangGuard;

TEST(AccountingTest, AcceptedEqualsSettledOnceIdle) {
  Pool pool(2, 4);
  TaskGroup tg(100);
  for (int i = 0; i < 100; ++i) {
    pool.AddTask(tg.NewTaskOptions()
                     .SetTask([i] { return i % 5 == 0 ? Error("x") : Error(); })
                     .SetOnError([](ErrHandle& h, TaskGroup&, const Error&) { h.ErrReload(1); })
                     .SetAutoDone());
  }
  tg.Wait();
  pool.Close();
  const detail::Accounting a = detail::PoolAccess::Totals(pool);
  EXPECT_EQ(a.accepted, 100u);
  EXPECT_EQ(a.settled, 100u);
  EXPECT_EQ(a.in_flight, 0u);
  EXPECT_TRUE(a.Balanced());
}

TEST(AccountingTest, RejectedTasksAreNotAccepted) {
  Pool pool(1, 1);
  pool.AddTask(TaskOptions());
  pool.Close();
  pool.AddTask(TaskOptions().SetTask([] {}));
  const detail::Accounting a = detail::PoolAccess::Totals(pool);
  EXPECT_EQ(a.accepted, 0u);
  EXPECT_EQ(a.settled, 0u);
  EXPECT_TRUE(a.Balanced());
}

// The check can fail: a running task is accepted but not settled.
TEST(AccountingTest, RunningTaskIsInFlightNotBalanced) {
  Pool pool(1, 2);
  Blocker blocker;
  blocker.AddTo(pool);
  detail::Accounting a = detail::PoolAccess::Totals(pool);
  EXPECT_EQ(a.accepted, 1u);
  EXPECT_EQ(a.settled, 0u);
  EXPECT_EQ(a.in_flight, 1u);
  EXPECT_FALSE(a.Balanced());
  blocker.Release();
  pool.Close();
  a = detail::PoolAccess::Totals(pool);
  EXPECT_TRUE(a.Balanced());
  EXPECT_EQ(a.succeeded, 1u);
}

// Counts are visible as soon as Wait() returns: the counters are written
// before the group is credited, so no Close is needed to read them exactly.
TEST(AccountingTest, CountsAreExactWhenWaitReturns) {
  Pool pool(2, 8);
  TaskGroup tg(50);
  for (int i = 0; i < 50; ++i) {
    ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions().SetTask([] {}).SetAutoDone()));
  }
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  const detail::Accounting a = detail::PoolAccess::Totals(pool);
  EXPECT_EQ(a.succeeded, 50u);
  EXPECT_TRUE(a.Balanced());
}

// One deterministic task of every outcome kind; each lands in exactly one
// bucket, and runs, retries and hook throws are counted exactly.
TEST(AccountingTest, SettledIsSplitByFinalOutcome) {
  Pool pool(1, 64);
  Blocker blocker;
  blocker.AddTo(pool);  // everything below queues behind it
  TaskGroup tg(0);
  auto add = [&](TaskOptions o) {
    tg.Add(1);
    ASSERT_FALSE(pool.AddTask(std::move(o.SetGroup(tg).SetAutoDone())));
  };
  auto retry = [](int n) {
    return [n](ErrHandle& h, TaskGroup&, const Error&) { h.ErrReload(n); };
  };
  // succeeded: 3 plain, 2 that fail once and then succeed on a retry.
  for (int i = 0; i < 3; ++i) add(TaskOptions().SetTask([] {}));
  for (int i = 0; i < 2; ++i) {
    auto runs = std::make_shared<std::atomic<int>>(0);
    add(TaskOptions()
            .SetTask([runs] { return ++*runs == 1 ? Error("once") : Error(); })
            .SetOnError(retry(3)));
  }
  // failed: 4 returned errors (one handled, one retried 2x and exhausted).
  for (int i = 0; i < 2; ++i) add(TaskOptions().SetTask([] { return Error("no"); }));
  add(TaskOptions()
          .SetTask([] { return Error("handled"); })
          .SetOnError([](ErrHandle&, TaskGroup&, const Error&) {}));
  add(TaskOptions().SetTask([] { return Error("always"); }).SetOnError(retry(2)));
  // exception: 2 throws, one of them retried once.
  add(TaskOptions().SetTask([] { throw std::runtime_error("boom"); }));
  add(TaskOptions()
          .SetTask([]() -> Error { throw std::runtime_error("boom"); })
          .SetOnError(retry(1)));
  // hook throws: OnSuccess and OnComplete of a task that still succeeds.
  add(TaskOptions()
          .SetTask([] {})
          .SetOnSuccess([] { throw std::runtime_error("hook"); })
          .SetOnComplete([] { throw std::runtime_error("hook"); }));
  // cancelled: 3 tasks of a cancelled group, queued behind the blocker.
  TaskGroup doomed(3);
  for (int i = 0; i < 3; ++i) {
    ASSERT_FALSE(pool.AddTask(doomed.NewTaskOptions().SetTask([] {}).SetAutoDone()));
  }
  doomed.Cancel();
  blocker.Release();
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  ASSERT_TRUE(doomed.WaitFor(kHangGuard));
  pool.Close();
  const detail::Accounting a = detail::PoolAccess::Totals(pool);
  EXPECT_EQ(a.accepted, 1u + 12u + 3u);  // blocker + tg + doomed
  EXPECT_TRUE(a.Balanced());
  EXPECT_EQ(a.succeeded, 1u + 3u + 2u + 1u);  // blocker, plain, retried, hooks
  EXPECT_EQ(a.failed, 4u);
  EXPECT_EQ(a.exception, 2u);
  EXPECT_EQ(a.cancelled, 3u);
  EXPECT_EQ(a.settled, a.succeeded + a.failed + a.exception + a.cancelled);
  EXPECT_EQ(a.retried, 2u * 1u + 2u + 1u);
  EXPECT_EQ(a.executed, 1u + 3u + 2u * 2u + 2u + 1u + 3u + 1u + 2u + 1u);
  EXPECT_EQ(a.callback_errors, 2u);
}

// A retry stopped by Close (kClosed to `after`) counts as cancelled, as does
// a queued task settled by Close(kCancelPending).
TEST(AccountingTest, StoppedByCloseCountsAsCancelled) {
  Pool pool(1, 8);
  Blocker blocker;
  blocker.AddTo(pool);
  std::atomic<int> after_code{-1};
  ASSERT_FALSE(pool.AddTask(TaskOptions().SetTask([] {}).SetOnError(
      [](ErrHandle& h, TaskGroup&, const Error&) { h.ErrReload(-1); })));
  ASSERT_FALSE(pool.AddTask(TaskOptions()
                                .SetTask([] { return Error("x"); })
                                .SetOnError([&](ErrHandle& h, TaskGroup&, const Error&) {
                                  h.ErrReload(-1, [&](const Error& e) {
                                    after_code = static_cast<int>(e.Code());
                                  });
                                })));
  std::thread closer([&] { pool.Close(CloseMode::kCancelPending); });
  while (!pool.Closed()) std::this_thread::yield();
  blocker.Release();
  closer.join();
  const detail::Accounting a = detail::PoolAccess::Totals(pool);
  EXPECT_TRUE(a.Balanced());
  EXPECT_EQ(a.succeeded, 1u);  // the blocker
  EXPECT_EQ(a.cancelled, 2u);  // both queued tasks, never run
  EXPECT_EQ(a.executed, 1u);
  EXPECT_EQ(after_code, static_cast<int>(ErrorCode::kCancelled));
}

}  // namespace
}  // namespace litepool
