#include "litepool/pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include "test_util.hpp"

namespace litepool {
namespace {

using std::chrono::milliseconds;
using testing::Blocker;
using testing::kHangGuard;

TEST(PoolTest, RunsEveryTaskOnce) {
  Pool pool(4, 8);
  constexpr int kN = 2000;
  std::vector<std::atomic<int>> runs(kN);
  TaskGroup tg = pool.NewTaskGroup(kN);
  for (int i = 0; i < kN; ++i) {
    ASSERT_FALSE(
        pool.AddTask(tg.NewTaskOptions().SetTask([&runs, i] { ++runs[i]; }).SetAutoDone()));
  }
  tg.Wait();
  for (int i = 0; i < kN; ++i) ASSERT_EQ(runs[i], 1) << "task " << i;
  EXPECT_EQ(pool.Stats().total.succeeded, static_cast<std::uint64_t>(kN));
}

TEST(PoolTest, BadSizesThrowInvalidArgument) {
  EXPECT_THROW(Pool(0, 1), std::invalid_argument);
  EXPECT_THROW(Pool(1, 0), std::invalid_argument);
  EXPECT_THROW(Pool(PoolOptions{.workers = 1, .queue_capacity = 0}), std::invalid_argument);
  EXPECT_THROW(Pool(PoolOptions{.workers = 100000, .queue_capacity = 1}), std::invalid_argument);
  EXPECT_THROW(Pool(PoolOptions{.workers = 2, .queue_capacity = std::size_t{1} << 62}),
               std::invalid_argument);
}

TEST(PoolTest, ZeroWorkersInOptionsMeansHardwareConcurrency) {
  Pool pool(PoolOptions{.workers = 0, .queue_capacity = 2});
  EXPECT_GE(pool.Workers(), 1u);
  EXPECT_EQ(pool.Capacity(), pool.Workers() * 2);
}

TEST(PoolTest, AddTaskWithoutTaskIsInvalidArgumentAndCredited) {
  Pool pool(1, 1);
  TaskGroup tg(1);
  Error e = pool.AddTask(tg.NewTaskOptions().SetAutoDone());
  EXPECT_EQ(e.Code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(e.Message().find("no task"), std::string::npos);
  EXPECT_EQ(tg.Pending(), 0);
}

TEST(PoolTest, AddTaskAfterCloseReturnsClosedAndCredits) {
  Pool pool(1, 1);
  pool.Close();
  TaskGroup tg(1);
  std::atomic<int> hooks{0};
  Error e = pool.AddTask(
      tg.NewTaskOptions().SetTask([&] { ++hooks; }).SetOnComplete([&] { ++hooks; }).SetAutoDone());
  EXPECT_EQ(e.Code(), ErrorCode::kClosed);
  EXPECT_EQ(tg.Pending(), 0);
  EXPECT_EQ(hooks, 0);
  EXPECT_TRUE(pool.Closed());
}

TEST(PoolTest, AddTimeoutZeroOnFullPoolTimesOut) {
  Pool pool(1, 1);
  Blocker blocker;
  blocker.AddTo(pool);  // the worker is busy
  TaskGroup tg(2);
  std::atomic<int> ran{0}, timeouts{0};
  ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions().SetTask([&] { ++ran; }).SetAutoDone()));
  Error e = pool.AddTask(tg.NewTaskOptions()
                             .SetTask([&] { ++ran; })
                             .SetAddTimeout(std::chrono::nanoseconds(0))
                             .SetOnAddTimeout([&] { ++timeouts; })
                             .SetAutoDone());
  EXPECT_EQ(e.Code(), ErrorCode::kTimeout);
  EXPECT_EQ(timeouts, 1);
  EXPECT_EQ(tg.Pending(), 1);  // the timed-out task was credited
  blocker.Release();
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  EXPECT_EQ(ran, 1);
}

// A rejected task bound to a group puts its Error in
// that group's Errors(), so an ignored AddTask result loses nothing.
TEST(PoolTest, RejectedTaskBoundToAGroupPutsItsErrorInErrors) {
  Pool pool(1, 1);
  Blocker blocker;
  blocker.AddTo(pool);
  ASSERT_FALSE(pool.AddTask(TaskOptions().SetTask([] {})));  // the only slot
  TaskGroup tg(3);
  pool.AddTask(tg.NewTaskOptions().SetAutoDone());  // no task: kInvalidArgument
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([] {})
                   .SetAddTimeout(std::chrono::nanoseconds(0))
                   .SetAutoDone());  // kTimeout
  TaskGroup cancelled(1);
  cancelled.Cancel();
  pool.AddTask(cancelled.NewTaskOptions().SetTask([] {}).SetAutoDone());  // kCancelled
  blocker.Release();
  pool.Close();
  pool.AddTask(tg.NewTaskOptions().SetTask([] {}).SetAutoDone());  // kClosed
  EXPECT_EQ(tg.Pending(), 0);
  const std::vector<Error> errors = tg.Errors();
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].Code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(errors[1].Code(), ErrorCode::kTimeout);
  EXPECT_EQ(errors[2].Code(), ErrorCode::kClosed);
  ASSERT_EQ(cancelled.Errors().size(), 1u);
  EXPECT_EQ(cancelled.Errors()[0].Code(), ErrorCode::kCancelled);
}

TEST(PoolTest, AddTimeoutExpiresWhileSlotsStayTaken) {
  Pool pool(1, 1);
  Blocker blocker;
  blocker.AddTo(pool);
  ASSERT_FALSE(pool.AddTask(TaskOptions().SetTask([] {})));
  Error e = pool.AddTask(TaskOptions().SetTask([] {}).SetAddTimeout(milliseconds(5)));
  EXPECT_EQ(e.Code(), ErrorCode::kTimeout);
}

TEST(PoolTest, BlockedProducerProceedsWhenASlotFrees) {
  Pool pool(1, 1);
  Blocker blocker;
  blocker.AddTo(pool);
  ASSERT_FALSE(pool.AddTask(TaskOptions().SetTask([] {})));
  std::atomic<bool> added{false};
  std::thread producer([&] {
    Error e = pool.AddTask(TaskOptions().SetTask([] {}));
    added = !e;
  });
  blocker.Release();
  producer.join();
  EXPECT_TRUE(added);
}

TEST(PoolTest, AddTaskGroupLargerThanCapacityIsRejectedAtOnce) {
  Pool pool(2, 2);
  TaskGroup tg(5);
  std::vector<TaskOptions> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(tg.NewTaskOptions().SetTask([] {}).SetAutoDone());
  Error e = pool.AddTaskGroup(std::move(batch));
  EXPECT_EQ(e.Code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(tg.Pending(), 0);
}

TEST(PoolTest, AddTaskGroupIsAllOrNone) {
  Pool pool(1, 2);
  Blocker blocker;
  blocker.AddTo(pool);
  ASSERT_FALSE(pool.AddTask(TaskOptions().SetTask([] {})));  // 1 of 2 slots
  std::atomic<int> ran{0};
  std::vector<TaskOptions> batch;
  for (int i = 0; i < 2; ++i) {
    batch.push_back(TaskOptions().SetTask([&] { ++ran; }).SetAddTimeout(milliseconds(0)));
  }
  EXPECT_EQ(pool.AddTaskGroup(std::move(batch)).Code(), ErrorCode::kTimeout);
  blocker.Release();
  pool.Close();
  EXPECT_EQ(ran, 0);
}

TEST(PoolTest, AddTaskGroupRunsAll) {
  Pool pool(2, 4);
  TaskGroup tg(8);
  std::atomic<int> ran{0};
  std::vector<TaskOptions> batch;
  for (int i = 0; i < 8; ++i)
    batch.push_back(tg.NewTaskOptions().SetTask([&] { ++ran; }).SetAutoDone());
  ASSERT_FALSE(pool.AddTaskGroup(std::move(batch)));
  tg.Wait();
  EXPECT_EQ(ran, 8);
}

TEST(PoolTest, AddTaskGroupWithInvalidMemberRejectsAll) {
  Pool pool(1, 4);
  std::atomic<int> ran{0};
  std::vector<TaskOptions> batch;
  batch.push_back(TaskOptions().SetTask([&] { ++ran; }));
  batch.push_back(TaskOptions());
  EXPECT_EQ(pool.AddTaskGroup(std::move(batch)).Code(), ErrorCode::kInvalidArgument);
  pool.Close();
  EXPECT_EQ(ran, 0);
}

TEST(PoolTest, NestedAddOnFullPoolDoesNotDeadlock) {
  Pool pool(1, 1);
  TaskGroup inner(10);
  std::atomic<int> ran{0};
  TaskGroup outer(1);
  ASSERT_FALSE(pool.AddTask(
      outer.NewTaskOptions()
          .SetTask([&] {
            for (int i = 0; i < 10; ++i) {
              Error e = pool.AddTask(inner.NewTaskOptions().SetTask([&] { ++ran; }).SetAutoDone());
              if (e) return e;
            }
            return Error();
          })
          .SetAutoDone()));
  ASSERT_TRUE(outer.WaitFor(kHangGuard));
  ASSERT_TRUE(inner.WaitFor(kHangGuard));
  EXPECT_EQ(ran, 10);
  EXPECT_TRUE(outer.Errors().empty());
}

// On a worker thread of a full pool, an add-timeout
// other than 0 must not make AddTask wait for a slot its own worker would
// free (an hour, or nanoseconds::max(): a self-deadlock). 0 still tries once.
TEST(PoolTest, AddTaskWithAddTimeoutOnWorkerOfFullPoolDoesNotDeadlock) {
  Pool pool(1, 1);
  TaskGroup tg(3);
  std::latch started(1), full(1);
  Error finite, forever, once;
  std::atomic<int> ran{0};
  ASSERT_FALSE(pool.AddTask(
      tg.NewTaskOptions()
          .SetTask([&] {
            started.count_down();
            full.wait();
            // Far longer than the test's bound below: waiting would fail it.
            finite = pool.AddTask(tg.NewTaskOptions()
                                      .SetTask([&] { ++ran; })
                                      .SetAddTimeout(std::chrono::seconds(20))
                                      .SetAutoDone());
            forever = pool.AddTask(tg.NewTaskOptions()
                                       .SetTask([&] { ++ran; })
                                       .SetAddTimeout(std::chrono::nanoseconds::max())
                                       .SetAutoDone());
            once = pool.AddTask(
                TaskOptions().SetTask([&] { ++ran; }).SetAddTimeout(std::chrono::nanoseconds(0)));
          })
          .SetAutoDone()));
  started.wait();
  ASSERT_FALSE(pool.AddTask(TaskOptions().SetTask([] {})));  // the only slot
  full.count_down();
  // A behaviour bound below the 20 s add-timeout, not a synchronisation.
  ASSERT_TRUE(tg.WaitFor(std::chrono::seconds(10)));
  EXPECT_FALSE(finite) << finite;
  EXPECT_FALSE(forever) << forever;
  EXPECT_EQ(once.Code(), ErrorCode::kTimeout);
  EXPECT_EQ(ran, 2);
}

TEST(PoolTest, OnWorkerThreadIsTrueOnlyOnThisPoolsWorkers) {
  Pool a(2, 4), b(1, 4);
  EXPECT_FALSE(a.OnWorkerThread());
  EXPECT_FALSE(Pool::OnAnyPoolWorkerThread());
  struct Seen {
    bool on_a = false, on_b = false, on_any = false;
  };
  Seen in_a, in_b;
  TaskGroup tg(0);  // AddTask(tg, f) adds one per task
  ASSERT_FALSE(a.AddTask(tg, [&] {
    in_a = {a.OnWorkerThread(), b.OnWorkerThread(), Pool::OnAnyPoolWorkerThread()};
  }));
  ASSERT_FALSE(b.AddTask(tg, [&] {
    in_b = {a.OnWorkerThread(), b.OnWorkerThread(), Pool::OnAnyPoolWorkerThread()};
  }));
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  EXPECT_TRUE(in_a.on_a);
  EXPECT_FALSE(in_a.on_b);
  EXPECT_TRUE(in_a.on_any);
  EXPECT_FALSE(in_b.on_a);
  EXPECT_TRUE(in_b.on_b);
  EXPECT_TRUE(in_b.on_any);
  // A thread that is no pool's worker.
  bool other_thread = true;
  std::thread([&] { other_thread = a.OnWorkerThread() || Pool::OnAnyPoolWorkerThread(); }).join();
  EXPECT_FALSE(other_thread);
}

TEST(PoolTest, WaitOnWorkerThreadHelpsInsteadOfDeadlocking) {
  Pool pool(1, 8);  // one worker: only a helping Wait can finish this
  TaskGroup outer(1);
  std::atomic<int> inner_ran{0};
  ASSERT_FALSE(pool.AddTask(
      outer.NewTaskOptions()
          .SetTask([&] {
            TaskGroup inner(3);
            for (int i = 0; i < 3; ++i) {
              pool.AddTask(inner.NewTaskOptions().SetTask([&] { ++inner_ran; }).SetAutoDone());
            }
            inner.Wait();
            return inner_ran == 3 ? Error() : Error("early");
          })
          .SetAutoDone()));
  ASSERT_TRUE(outer.WaitFor(kHangGuard));
  EXPECT_TRUE(outer.Errors().empty());
  EXPECT_EQ(inner_ran, 3);
}

// Close must not wait out the idle workers' poll loop, however many polls
// spin_iterations asks for (10^8 polls would take minutes).
TEST(PoolTest, CloseReturnsPromptlyAtAnySpinIterations) {
  for (const bool busy_at_close : {false, true}) {
    std::latch release(1);
    Pool pool(PoolOptions{.workers = 2, .queue_capacity = 4, .spin_iterations = 100'000'000});
    TaskGroup tg(4);
    for (int i = 0; i < 4; ++i) {
      ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                    .SetTask([&, i] {
                                      if (busy_at_close && i == 0) release.wait();
                                    })
                                    .SetAutoDone()));
    }
    if (!busy_at_close) {
      ASSERT_TRUE(tg.WaitFor(kHangGuard));
    }
    const auto start = std::chrono::steady_clock::now();
    std::thread closer([&] { pool.Close(); });
    if (busy_at_close) release.count_down();  // the last task ends during Close
    closer.join();
    // A behaviour bound (the aim is 10 ms), generous for a loaded VM.
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2))
        << (busy_at_close ? "last task ended during Close" : "idle pool");
    EXPECT_EQ(tg.Pending(), 0);
  }
}

// Work-conserving: no task waits behind a running
// one while another worker sleeps. One worker is held by a long task until
// every short task has run; the short tasks are pushed while the other
// worker is idle, parked (spin 0, or after some delay), or busy with a short
// task of its own. Any short task stranded behind the long one fails the
// bound below.
TEST(PoolTest, ShortTasksNeverWaitBehindALongOneWhileAWorkerSleeps) {
  std::minstd_rand rng(42);
  for (const std::uint32_t spins : {0u, 64u}) {
    for (int round = 0; round < 100; ++round) {
      std::latch long_started(1), release_long(1), release_busy(1);
      Pool pool(PoolOptions{.workers = 2, .queue_capacity = 16, .spin_iterations = spins});
      TaskGroup long_group(1), shorts(8);
      ASSERT_FALSE(pool.AddTask(long_group.NewTaskOptions()
                                    .SetTask([&] {
                                      long_started.count_down();
                                      release_long.wait();
                                    })
                                    .SetAutoDone()));
      long_started.wait();
      const bool busy = rng() % 2 == 0;
      for (int i = 0; i < 8; ++i) {
        for (unsigned y = rng() % 300; y > 0; --y) std::this_thread::yield();  // a random moment
        ASSERT_FALSE(pool.AddTask(shorts.NewTaskOptions()
                                      .SetTask([&, i] {
                                        if (busy && i == 0) release_busy.wait();
                                      })
                                      .SetAutoDone()));
      }
      release_busy.count_down();
      // A behaviour bound: the long task is still running.
      EXPECT_TRUE(shorts.WaitFor(std::chrono::seconds(10)))
          << shorts.Pending() << " short task(s) stranded; spins " << spins << ", round " << round;
      release_long.count_down();
      ASSERT_TRUE(long_group.WaitFor(kHangGuard));
    }
  }
}

TEST(PoolTest, CloseDrainRunsEverythingAccepted) {
  std::atomic<int> ran{0};
  Pool pool(2, 64);
  for (int i = 0; i < 100; ++i) ASSERT_FALSE(pool.AddTask(TaskOptions().SetTask([&] { ++ran; })));
  pool.Close(CloseMode::kDrain);
  EXPECT_EQ(ran, 100);
  pool.Close();  // idempotent
  pool.Close(CloseMode::kCancelPending);
  EXPECT_EQ(ran, 100);
}

TEST(PoolTest, DestructorDrains) {
  std::atomic<int> ran{0};
  {
    Pool pool(2, 64);
    for (int i = 0; i < 100; ++i) pool.AddTask(TaskOptions().SetTask([&] { ++ran; }));
  }
  EXPECT_EQ(ran, 100);
}

TEST(PoolTest, CloseCancelPendingSettlesQueuedTasks) {
  Pool pool(1, 16);
  Blocker blocker;
  blocker.AddTo(pool);
  TaskGroup tg(10);
  std::atomic<int> ran{0}, cancelled{0}, completed{0};
  for (int i = 0; i < 10; ++i) {
    ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                  .SetTask([&] { ++ran; })
                                  .SetOnError([&](ErrHandle&, TaskGroup&, const Error& e) {
                                    if (e.Code() == ErrorCode::kCancelled) ++cancelled;
                                  })
                                  .SetOnComplete([&] { ++completed; })
                                  .SetAutoDone()));
  }
  std::thread closer([&] { pool.Close(CloseMode::kCancelPending); });
  while (!pool.Closed()) std::this_thread::yield();
  blocker.Release();
  closer.join();
  EXPECT_EQ(ran, 0);
  EXPECT_EQ(cancelled, 10);
  EXPECT_EQ(completed, 10);
  EXPECT_EQ(tg.Pending(), 0);
}

TEST(PoolTest, CloseUnblocksWaitingProducerWithClosed) {
  Pool pool(1, 1);
  Blocker blocker;
  blocker.AddTo(pool);
  ASSERT_FALSE(pool.AddTask(TaskOptions().SetTask([] {})));
  std::atomic<int> code{-1};
  std::thread producer(
      [&] { code = static_cast<int>(pool.AddTask(TaskOptions().SetTask([] {})).Code()); });
  std::thread closer([&] { pool.Close(); });
  while (!pool.Closed()) std::this_thread::yield();
  producer.join();  // woken by Close, not by a free slot
  EXPECT_EQ(code, static_cast<int>(ErrorCode::kClosed));
  blocker.Release();
  closer.join();
}

TEST(PoolTest, CloseFromInsideATaskDoesNotDeadlock) {
  Pool pool(2, 4);
  TaskGroup tg(1);
  ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions().SetTask([&] { pool.Close(); }).SetAutoDone()));
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  EXPECT_TRUE(pool.Closed());
  EXPECT_EQ(pool.AddTask(TaskOptions().SetTask([] {})).Code(), ErrorCode::kClosed);
}

TEST(PoolTest, ManyProducersNothingLost) {
  Pool pool(2, 4);
  constexpr int kProducers = 4, kPer = 2000;
  TaskGroup tg = pool.NewTaskGroup(kProducers * kPer);
  std::atomic<int> ran{0};
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&] {
      for (int i = 0; i < kPer; ++i) {
        pool.AddTask(tg.NewTaskOptions().SetTask([&] { ++ran; }).SetAutoDone());
      }
    });
  }
  for (auto& t : producers) t.join();
  tg.Wait();
  EXPECT_EQ(ran, kProducers * kPer);
}

TEST(PoolTest, IdleWorkerStealsFromBusyWorkersQueue) {
  // Worker A blocks while tasks sit behind it; worker B must take them.
  Pool pool(2, 8);
  Blocker a, b;
  a.AddTo(pool);
  b.AddTo(pool);
  TaskGroup tg(6);
  for (int i = 0; i < 6; ++i) pool.AddTask(tg.NewTaskOptions().SetTask([] {}).SetAutoDone());
  b.Release();  // only B is free now; A stays blocked until the end
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  EXPECT_GT(pool.Stats().total.stolen, 0u);
  a.Release();
}

}  // namespace
}  // namespace litepool
