// Alloter: limit, first error, cancellation, timeout, stop, fast return, the
// free Exec — and no slot leak on failure (the Go CtrlAlloter's deadlock).
#include "litepool/alloter.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "frontend_test_util.hpp"
#include "litepool/litepool.hpp"

namespace litepool {
namespace {

using namespace std::chrono_literals;
using testing::HighWater;
using testing::TimedLatch;
using testing::WaitForStop;

TEST(AlloterTest, ExecReturnsOkWhenAllSucceed) {
  Pool pool(2, 8);
  std::atomic<int> ran{0};
  std::vector<AlloterTask> tasks;
  for (int i = 0; i < 50; ++i) {
    tasks.push_back([&ran] {
      ++ran;
      return Error();
    });
  }
  EXPECT_FALSE(Alloter::WithPool(pool).Exec(std::move(tasks)));
  EXPECT_EQ(ran.load(), 50);
}

TEST(AlloterTest, EmptyBatchIsOk) { EXPECT_FALSE(Alloter().Exec(std::vector<AlloterTask>{})); }

TEST(AlloterTest, VariadicExecAcceptsEveryFunctionForm) {
  Pool pool(2, 8);
  std::atomic<int> ran{0};
  auto owned = std::make_unique<int>(7);
  const Error err = Alloter::WithPool(pool).Exec(
      [&] {
        ++ran;
        return Error();
      },
      [&](std::stop_token) {
        ++ran;
        return Error();
      },
      [&] { ++ran; }, [&](std::stop_token) { ++ran; },
      [&ran, p = std::move(owned)] { ran += *p; });  // move-only
  EXPECT_FALSE(err);
  EXPECT_EQ(ran.load(), 4 + 7);
}

TEST(AlloterTest, ReturnsTheFailure) {
  Pool pool(2, 8);
  const Error err = Alloter::WithPool(pool).Exec(
      std::vector<AlloterTask>{[] { return Error(); }, [] { return Error("user not found"); }});
  EXPECT_EQ(err.Code(), ErrorCode::kFailed);
  EXPECT_EQ(err.Message(), "user not found");
}

TEST(AlloterTest, ExceptionBecomesErrorWithItsMessage) {
  Pool pool(2, 8);
  const Error err =
      Alloter::WithPool(pool).Exec([] { throw std::runtime_error("recovery of goroutine panic"); });
  EXPECT_EQ(err.Code(), ErrorCode::kException);
  EXPECT_EQ(err.Message(), "recovery of goroutine panic");
  EXPECT_THROW(std::rethrow_exception(err.Exception()), std::runtime_error);
}

TEST(AlloterTest, LimitIsNeverExceededAndIsReached) {
  Pool pool(4, 64);
  const Alloter alloter = Alloter::WithLimit(2, pool);
  HighWater hw;
  TimedLatch first_two(2);  // both first tasks must be running at once
  std::vector<AlloterTask> tasks;
  for (int i = 0; i < 40; ++i) {
    tasks.push_back([&, i] {
      hw.Enter();
      const bool met = i >= 2 || first_two.ArriveAndWait();
      hw.Leave();
      return met ? Error() : Error("first two never ran together");
    });
  }
  EXPECT_FALSE(alloter.Exec(std::move(tasks)));
  EXPECT_EQ(hw.Max(), 2);
}

TEST(AlloterTest, ConcurrentExecCallsShareTheLimit) {
  Pool pool(4, 64);
  const Alloter alloter = Alloter::WithLimit(1, pool);
  HighWater hw;
  auto batch = [&] {
    std::vector<AlloterTask> tasks;
    for (int i = 0; i < 20; ++i) {
      tasks.push_back([&hw] {
        hw.Enter();
        std::this_thread::yield();
        hw.Leave();
        return Error();
      });
    }
    return alloter.Exec(std::move(tasks));
  };
  std::thread other([&] { EXPECT_FALSE(batch()); });
  EXPECT_FALSE(batch());
  other.join();
  EXPECT_EQ(hw.Max(), 1);
}

TEST(AlloterTest, FirstErrorSkipsTasksNotStarted) {
  // One worker: whichever task runs first fails; none of the others may run.
  Pool pool(1, 64);
  std::atomic<int> ran{0};
  std::vector<AlloterTask> tasks;
  for (int i = 0; i < 30; ++i) {
    tasks.push_back([&ran] { return ran.fetch_add(1) == 0 ? Error("first") : Error(); });
  }
  EXPECT_EQ(Alloter::WithPool(pool).Exec(std::move(tasks)).Message(), "first");
  EXPECT_EQ(ran.load(), 1);
}

TEST(AlloterTest, FirstErrorSkipsTasksWaitingForTheLimit) {
  Pool pool(4, 64);
  std::atomic<int> ran{0};
  std::vector<AlloterTask> tasks{[] { return Error("boom"); }};
  for (int i = 0; i < 20; ++i) {
    tasks.push_back([&ran] {
      ++ran;
      return Error();
    });
  }
  EXPECT_EQ(Alloter::WithLimit(1, pool).Exec(std::move(tasks)).Message(), "boom");
  EXPECT_EQ(ran.load(), 0);
}

TEST(AlloterTest, FirstErrorStopsRunningTasks) {
  Pool pool(2, 8);
  TimedLatch started(1);
  std::atomic<bool> saw_stop{false};
  const Error err = Alloter::WithPool(pool).Exec(
      [&](std::stop_token stop) {
        started.CountDown();
        saw_stop = WaitForStop(stop);
        return Error();
      },
      [&] { return started.Wait() ? Error("boom") : Error("never started"); });
  EXPECT_EQ(err.Message(), "boom");
  EXPECT_TRUE(saw_stop.load());
}

TEST(AlloterTest, FirstErrorIsTheFirstByTimeNotBySubmission) {
  Pool pool(2, 8);
  TimedLatch started(1);
  std::atomic<bool> second_failed{false};
  const Error err = Alloter::WithPool(pool).Exec(
      // Submitted first, fails only after the other one failed.
      [&](std::stop_token stop) {
        started.CountDown();
        WaitForStop(stop);
        second_failed = true;
        return Error("second");
      },
      [&] { return started.Wait() ? Error("first") : Error("never started"); });
  EXPECT_EQ(err.Message(), "first");
  EXPECT_TRUE(second_failed.load());
}

TEST(AlloterTest, TimeoutReturnsTimeoutAndStopsTheTasks) {
  Pool pool(2, 16);
  const Alloter alloter = Alloter::WithPool(pool, AlloterOptions{.timeout = 50ms});
  std::atomic<int> ran{0}, stopped{0};
  std::vector<AlloterStopTask> tasks;
  for (int i = 0; i < 8; ++i) {
    tasks.push_back([&](std::stop_token stop) {
      ++ran;
      if (WaitForStop(stop)) ++stopped;
      return Error();
    });
  }
  const Error err = alloter.Exec(std::move(tasks));
  EXPECT_EQ(err.Code(), ErrorCode::kTimeout);
  // Two workers: at most two ran, and every one that ran was stopped; the
  // others never started.
  EXPECT_LE(ran.load(), 2);
  EXPECT_EQ(stopped.load(), ran.load());
}

TEST(AlloterTest, TimeoutWaitsForRunningTasksWithoutFastReturn) {
  Pool pool(2, 8);
  std::atomic<bool> finished{false};
  const Error err = Alloter::WithPool(pool, {.timeout = 20ms}).Exec([&](std::stop_token stop) {
    WaitForStop(stop);
    std::this_thread::sleep_for(20ms);  // clean-up work
    finished = true;
  });
  EXPECT_EQ(err.Code(), ErrorCode::kTimeout);
  EXPECT_TRUE(finished.load());  // Exec returned only after the task did
}

TEST(AlloterTest, FastReturnDoesNotWaitForRunningTasks) {
  Pool pool(2, 8);
  auto started = std::make_shared<TimedLatch>(1);
  auto release = std::make_shared<TimedLatch>(1);
  auto finished = std::make_shared<TimedLatch>(1);
  const Error err = Alloter::WithPool(pool, {.fast_return = true})
                        .Exec(
                            [=] {  // ignores the stop; holds only shared state
                              started->CountDown();
                              release->Wait();
                              finished->CountDown();
                            },
                            [=] { return started->Wait() ? Error("boom") : Error("?"); });
  EXPECT_EQ(err.Message(), "boom");
  EXPECT_FALSE(finished->Done());  // still running in the background
  release->CountDown();
  EXPECT_TRUE(finished->Wait());
}

TEST(AlloterTest, StopReturnsCancelledAndStopsTheTasks) {
  Pool pool(2, 8);
  std::stop_source source;
  std::atomic<bool> saw_stop{false};
  const Error err =
      Alloter::WithPool(pool).ExecWithContext(source.get_token(), [&](std::stop_token stop) {
        source.request_stop();  // e.g. the client went away
        saw_stop = WaitForStop(stop);
      });
  EXPECT_EQ(err.Code(), ErrorCode::kCancelled);
  EXPECT_TRUE(saw_stop.load());
}

TEST(AlloterTest, AlreadyStoppedContextRunsNothing) {
  Pool pool(2, 8);
  std::stop_source source;
  source.request_stop();
  std::atomic<int> ran{0};
  const Error err = Alloter::WithLimit(1, pool).ExecWithContext(
      source.get_token(), std::vector<AlloterTask>{[&] {
                                                     ++ran;
                                                     return Error();
                                                   },
                                                   [&] {
                                                     ++ran;
                                                     return Error();
                                                   }});
  EXPECT_EQ(err.Code(), ErrorCode::kCancelled);
  EXPECT_EQ(ran.load(), 0);
}

TEST(AlloterTest, TimedOutBatchDoesNotWaitForAnotherBatchsSlot) {
  Pool pool(2, 8);
  const Alloter alloter = Alloter::WithLimit(1, pool, {.timeout = 20ms});
  TimedLatch started(1);
  TimedLatch release(1);
  std::atomic<bool> holder_done{false};
  std::thread holder([&] {
    // Not stop-aware: holds the only slot past its own timeout until released.
    alloter.Exec([&] {
      started.CountDown();
      release.Wait();
      holder_done = true;
    });
  });
  ASSERT_TRUE(started.Wait());
  std::atomic<int> ran{0};
  // Its task waits for the holder's slot; the timeout must drop it at once
  // instead of waiting for the slot to be able to skip it.
  const Error err = alloter.Exec([&] { ++ran; });
  EXPECT_EQ(err.Code(), ErrorCode::kTimeout);
  EXPECT_FALSE(holder_done.load());  // returned while the holder still runs
  release.CountDown();
  holder.join();
  EXPECT_EQ(ran.load(), 0);
}

TEST(AlloterTest, RepeatedFailingExecOnLimitOneDoesNotDeadlock) {
  // The Go CtrlAlloter keeps a semaphore slot on error and hangs here.
  Pool pool(2, 8);
  const Alloter alloter = Alloter::WithLimit(1, pool);
  for (int round = 0; round < 200; ++round) {
    const Error err = alloter.Exec(std::vector<AlloterTask>{
        [] { return Error("fail"); }, [] { return Error(); }, [] { return Error(); }});
    ASSERT_EQ(err.Message(), "fail") << "round " << round;
  }
  std::atomic<int> ran{0};
  EXPECT_FALSE(alloter.Exec([&] { ++ran; }, [&] { ++ran; }));
  EXPECT_EQ(ran.load(), 2);
}

TEST(AlloterTest, ClosedPoolReturnsClosedAndKeepsNoSlot) {
  Pool pool(1, 4);
  pool.Close();
  const Alloter alloter = Alloter::WithLimit(1, pool);
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(alloter.Exec([] {}, [] {}).Code(), ErrorCode::kClosed);
  }
}

// Functions the pool cancels without running them make
// Exec fail; it never returns ok for work that did not happen.
TEST(AlloterTest, FunctionsCancelledByThePoolMakeExecFail) {
  Pool pool(1, 8);
  std::atomic<int> ran{0};
  Error result;
  testing::CancelPendingWhileQueued(pool, 3, [&] {
    auto f = [&]() -> Error {
      ++ran;
      return Error();
    };
    result = Alloter::WithPool(pool).Exec({f, f, f});
  });
  EXPECT_EQ(ran.load(), 0);
  EXPECT_EQ(result.Code(), ErrorCode::kCancelled) << result;
}

TEST(AlloterTest, ExecInsideATaskHelpsInsteadOfBlockingTheWorker) {
  Pool pool(1, 4);  // the only worker runs the outer task
  const Alloter alloter = Alloter::WithPool(pool);
  std::atomic<int> ran{0};
  TaskGroup tg(1);
  Error inner;
  ASSERT_FALSE(pool.AddTask(
      tg.NewTaskOptions()
          .SetTask([&] { inner = alloter.Exec([&] { ++ran; }, [&] { ++ran; }, [&] { ++ran; }); })
          .SetAutoDone()));
  ASSERT_TRUE(tg.WaitFor(testing::kHangGuard));
  EXPECT_FALSE(inner);
  EXPECT_EQ(ran.load(), 3);
}

TEST(AlloterTest, WithPoolRunsOnThatPool) {
  Pool pool(2, 8);
  ASSERT_FALSE(Alloter::WithPool(pool).Exec([] {}, [] {}, [] {}));
  EXPECT_EQ(pool.Stats().total.executed, 3u);
}

TEST(AlloterTest, DefaultAlloterRunsOnTheDefaultPool) {
  const Alloter alloter;
  EXPECT_EQ(&alloter.GetPool(), &DefaultPool());
  EXPECT_EQ(alloter.Limit(), 0u);
  EXPECT_FALSE(alloter.Exec([] { return Error(); }));
}

TEST(AlloterTest, FreeExecRunsEverythingAndReportsSuccess) {
  std::atomic<int> ran{0};
  EXPECT_TRUE(litepool::Exec([&] { ++ran; },
                             [&] {
                               ++ran;
                               return Error();
                             }));
  // No cancellation: a failure does not stop the others.
  EXPECT_FALSE(litepool::Exec(std::vector<AlloterTask>{[&] {
                                                         ++ran;
                                                         return Error("x");
                                                       },
                                                       [&] {
                                                         ++ran;
                                                         return Error();
                                                       },
                                                       [&] {
                                                         ++ran;
                                                         return Error();
                                                       }}));
  EXPECT_FALSE(litepool::Exec([] { throw std::runtime_error("panic"); }));
  EXPECT_EQ(ran.load(), 5);
}

TEST(AlloterTest, InvalidArgumentsThrow) {
  EXPECT_THROW(Alloter::WithLimit(0), std::invalid_argument);
  EXPECT_THROW(Alloter(AlloterOptions{.timeout = -1ms}), std::invalid_argument);
  EXPECT_THROW(Alloter().Exec(std::vector<AlloterTask>{AlloterTask()}), std::invalid_argument);
  EXPECT_THROW(Alloter().Exec(AlloterTask()), std::invalid_argument);
}

TEST(AlloterTest, OptionsKeepWhatTheyWereGiven) {
  const Alloter alloter =
      Alloter::WithLimit(3, AlloterOptions{.timeout = 50ms, .fast_return = true});
  EXPECT_EQ(alloter.Limit(), 3u);
  EXPECT_EQ(alloter.Options().timeout, std::chrono::nanoseconds(50ms));
  EXPECT_TRUE(alloter.Options().fast_return);
}

}  // namespace
}  // namespace litepool
