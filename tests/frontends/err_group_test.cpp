// ErrGroup: first error, all errors, WithContext cancellation, SetLimit,
// TryGo, Go from inside a task, helping Wait.
#include "litepool/err_group.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
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

TEST(ErrGroupTest, WaitReturnsOkWhenAllSucceed) {
  Pool pool(2, 8);
  ErrGroup g(pool);
  std::atomic<int> ran{0};
  for (int i = 0; i < 50; ++i) g.Go([&] { ++ran; });
  EXPECT_FALSE(g.Wait());
  EXPECT_EQ(ran.load(), 50);
  EXPECT_TRUE(g.Errors().empty());
}

TEST(ErrGroupTest, AcceptsEveryFunctionForm) {
  Pool pool(2, 8);
  ErrGroup g(pool);
  std::atomic<int> ran{0};
  g.Go([&] {
    ++ran;
    return Error();
  });
  g.Go([&](std::stop_token) {
    ++ran;
    return Error();
  });
  g.Go([&] { ++ran; });
  g.Go([&](std::stop_token) { ++ran; });
  g.Go([&ran, p = std::make_unique<int>(7)] { ran += *p; });  // move-only
  EXPECT_FALSE(g.Wait());
  EXPECT_EQ(ran.load(), 4 + 7);
}

TEST(ErrGroupTest, ErrorsCollectsEveryError) {
  Pool pool(4, 16);
  ErrGroup g(pool);
  std::vector<std::string> expected;
  for (int i = 0; i < 20; ++i) {
    if (i % 2 == 0) expected.push_back("fetch " + std::to_string(i));
    g.Go([i] { return i % 2 == 0 ? Error("fetch " + std::to_string(i)) : Error(); });
  }
  const Error first = g.Wait();
  const std::vector<Error> all = g.Errors();
  std::vector<std::string> messages;
  for (const Error& e : all) messages.push_back(e.Message());
  EXPECT_THAT(messages, ::testing::UnorderedElementsAreArray(expected));
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(first, all.front());  // Wait's error is the first recorded
}

TEST(ErrGroupTest, PlainGroupRunsEveryFunctionAfterAnError) {
  Pool pool(2, 8);
  ErrGroup g(pool);  // x/sync's zero Group: no cancellation
  g.SetLimit(1);
  std::atomic<int> ran{0};
  g.Go([] { return Error("boom"); });
  for (int i = 0; i < 10; ++i) g.Go([&] { ++ran; });
  EXPECT_EQ(g.Wait().Message(), "boom");
  EXPECT_EQ(ran.load(), 10);
  EXPECT_FALSE(g.Context().stop_possible());
}

TEST(ErrGroupTest, ExceptionBecomesError) {
  Pool pool(2, 8);
  ErrGroup g(pool);
  g.Go([]() -> Error { throw std::runtime_error("panic: nil map"); });
  const Error err = g.Wait();
  EXPECT_EQ(err.Code(), ErrorCode::kException);
  EXPECT_EQ(err.Message(), "panic: nil map");

  ErrGroup h(pool);
  h.Go([] { throw 42; });
  EXPECT_EQ(h.Wait().Message(), "unknown exception");
}

TEST(ErrGroupTest, FirstErrorStopsContext) {
  Pool pool(2, 8);
  auto g = ErrGroup::WithContext(pool);
  EXPECT_FALSE(g.Context().stop_requested());
  TimedLatch started(1);
  std::atomic<bool> saw_stop{false};
  g.Go([&](std::stop_token ctx) {
    started.CountDown();
    saw_stop = WaitForStop(ctx);
  });
  g.Go([&] { return started.Wait() ? Error("boom") : Error("never started"); });
  EXPECT_EQ(g.Wait().Message(), "boom");
  EXPECT_TRUE(saw_stop.load());
  EXPECT_TRUE(g.Context().stop_requested());
}

TEST(ErrGroupTest, FirstErrorIsTheFirstByTimeNotByGoOrder) {
  Pool pool(2, 8);
  auto g = ErrGroup::WithContext(pool);
  TimedLatch started(1);
  g.Go([&](std::stop_token ctx) {  // Go'd first, fails after the other one
    started.CountDown();
    WaitForStop(ctx);
    return Error("second");
  });
  g.Go([&] { return started.Wait() ? Error("first") : Error("never started"); });
  EXPECT_EQ(g.Wait().Message(), "first");
  ASSERT_EQ(g.Errors().size(), 2u);
  EXPECT_EQ(g.Errors()[1].Message(), "second");
}

TEST(ErrGroupTest, FirstErrorSkipsQueuedFunctions) {
  Pool pool(1, 64);  // one worker: whichever runs first fails
  auto g = ErrGroup::WithContext(pool);
  std::atomic<int> ran{0};
  for (int i = 0; i < 30; ++i) {
    g.Go([&] { return ran.fetch_add(1) == 0 ? Error("first") : Error(); });
  }
  EXPECT_EQ(g.Wait().Message(), "first");
  EXPECT_EQ(ran.load(), 1);          // the other 29 never ran
  EXPECT_EQ(g.Errors().size(), 1u);  // and skipping is no error
}

TEST(ErrGroupTest, FirstErrorSkipsFunctionsWaitingForTheLimit) {
  Pool pool(4, 16);
  auto g = ErrGroup::WithContext(pool);
  g.SetLimit(1);
  std::atomic<int> ran{0};
  g.Go([] { return Error("boom"); });
  for (int i = 0; i < 10; ++i) g.Go([&] { ++ran; });
  EXPECT_EQ(g.Wait().Message(), "boom");
  EXPECT_EQ(ran.load(), 0);
}

TEST(ErrGroupTest, WaitStopsContext) {
  Pool pool(2, 8);
  auto g = ErrGroup::WithContext(pool);
  g.Go([] {});
  EXPECT_FALSE(g.Wait());
  EXPECT_TRUE(g.Context().stop_requested());
}

TEST(ErrGroupTest, ParentStopStopsContextAndWaitReportsCancelled) {
  Pool pool(2, 8);
  std::stop_source parent;
  auto g = ErrGroup::WithContext(pool, parent.get_token());
  TimedLatch started(1);
  std::atomic<bool> saw_stop{false};
  g.Go([&](std::stop_token ctx) {
    started.CountDown();
    saw_stop = WaitForStop(ctx);
  });
  ASSERT_TRUE(started.Wait());
  parent.request_stop();
  EXPECT_EQ(g.Wait().Code(), ErrorCode::kCancelled);
  EXPECT_TRUE(saw_stop.load());
}

TEST(ErrGroupTest, StoppedParentSkipsEveryFunction) {
  Pool pool(2, 8);
  std::stop_source parent;
  parent.request_stop();
  auto g = ErrGroup::WithContext(pool, parent.get_token());
  EXPECT_TRUE(g.Context().stop_requested());
  std::atomic<int> ran{0};
  for (int i = 0; i < 5; ++i) g.Go([&] { ++ran; });
  EXPECT_FALSE(g.TryGo([&] { ++ran; }));
  EXPECT_EQ(g.Wait().Code(), ErrorCode::kCancelled);
  EXPECT_EQ(ran.load(), 0);
}

TEST(ErrGroupTest, SetLimitIsNeverExceededAndIsReached) {
  Pool pool(4, 64);
  ErrGroup g(pool);
  g.SetLimit(2);
  HighWater hw;
  TimedLatch first_two(2);
  for (int i = 0; i < 40; ++i) {
    g.Go([&, i] {
      hw.Enter();
      const bool met = i >= 2 || first_two.ArriveAndWait();
      hw.Leave();
      return met ? Error() : Error("first two never ran together");
    });
  }
  EXPECT_FALSE(g.Wait());
  EXPECT_EQ(hw.Max(), 2);
}

TEST(ErrGroupTest, TryGoFailsWhileTheLimitIsReached) {
  Pool pool(2, 8);
  ErrGroup g(pool);
  g.SetLimit(1);
  TimedLatch release(1);
  std::atomic<int> ran{0};
  EXPECT_TRUE(g.TryGo([&] {
    release.Wait();
    ++ran;
  }));
  EXPECT_FALSE(g.TryGo([&] { ++ran; }));
  release.CountDown();
  EXPECT_FALSE(g.Wait());
  EXPECT_EQ(ran.load(), 1);
  EXPECT_TRUE(g.TryGo([&] { ++ran; }));  // the slot came back
  EXPECT_FALSE(g.Wait());
  EXPECT_EQ(ran.load(), 2);
}

TEST(ErrGroupTest, TryGoFailsOnAFullPool) {
  Pool pool(1, 1);
  testing::Blocker blocker;
  blocker.AddTo(pool);  // the worker is busy
  ErrGroup g(pool);
  EXPECT_TRUE(g.TryGo([] {}));   // takes the only queue slot
  EXPECT_FALSE(g.TryGo([] {}));  // never waits
  blocker.Release();
  EXPECT_FALSE(g.Wait());
  EXPECT_TRUE(g.Errors().empty());
}

TEST(ErrGroupTest, GoInsideTaskOnFullPoolDoesNotDeadlock) {
  Pool pool(1, 1);  // one worker, one queue slot
  ErrGroup g(pool);
  std::atomic<int> children{0};
  g.Go([&] {
    for (int i = 0; i < 20; ++i) g.Go([&] { ++children; });
  });
  EXPECT_FALSE(g.Wait());
  EXPECT_EQ(children.load(), 20);
}

// Go on a worker thread of another pool never waits for the group's full
// pool either: blocking there until a slot frees could deadlock.
TEST(ErrGroupTest, GoFromAnotherPoolsWorkerDoesNotWaitForAFullPool) {
  Pool target(1, 1);
  testing::Blocker blocker;
  blocker.AddTo(target);
  ASSERT_FALSE(target.AddTask(TaskOptions().SetTask([] {})));  // the only slot
  Pool other(1, 4);
  std::promise<void> go_returned;
  std::atomic<int> ran{0};
  Error result;
  TaskGroup done(1);
  ASSERT_FALSE(other.AddTask(done.NewTaskOptions()
                                 .SetTask([&] {
                                   ErrGroup g(target);
                                   g.Go([&] { ++ran; });
                                   go_returned.set_value();
                                   result = g.Wait();
                                 })
                                 .SetAutoDone()));
  // A behaviour bound, not a synchronisation: Go must return while the
  // target pool stays full.
  EXPECT_EQ(go_returned.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  blocker.Release();
  ASSERT_TRUE(done.WaitFor(testing::kHangGuard));
  EXPECT_FALSE(result);
  EXPECT_EQ(ran, 1);
}

TEST(ErrGroupTest, GoInsideTaskAtTheLimitQueuesInsteadOfWaiting) {
  Pool pool(2, 4);
  ErrGroup g(pool);
  g.SetLimit(1);  // the parent holds the only slot while it calls Go
  HighWater hw;
  std::atomic<int> children{0};
  g.Go([&] {
    hw.Enter();
    for (int i = 0; i < 10; ++i) {
      g.Go([&] {
        hw.Enter();
        ++children;
        hw.Leave();
      });
    }
    hw.Leave();
  });
  EXPECT_FALSE(g.Wait());
  EXPECT_EQ(children.load(), 10);
  EXPECT_EQ(hw.Max(), 1);
}

TEST(ErrGroupTest, WaitOnWorkerThreadHelps) {
  Pool pool(1, 8);  // the outer function occupies the only worker
  ErrGroup outer(pool);
  std::atomic<int> ran{0};
  outer.Go([&] {
    ErrGroup inner(pool);
    for (int i = 0; i < 5; ++i) inner.Go([&] { ++ran; });
    return inner.Wait();
  });
  EXPECT_FALSE(outer.Wait());
  EXPECT_EQ(ran.load(), 5);
}

TEST(ErrGroupTest, SetLimitWhileFunctionsArePendingThrows) {
  Pool pool(2, 8);
  ErrGroup g(pool);
  TimedLatch release(1);
  g.Go([&] { release.Wait(); });
  EXPECT_THROW(g.SetLimit(2), std::logic_error);
  release.CountDown();
  EXPECT_FALSE(g.Wait());
  EXPECT_NO_THROW(g.SetLimit(2));
}

TEST(ErrGroupTest, SetLimitZeroRunsNothing) {
  Pool pool(2, 8);
  ErrGroup g(pool);
  g.SetLimit(0);
  EXPECT_FALSE(g.TryGo([] {}));
  EXPECT_THROW(g.Go([] {}), std::logic_error);
  g.SetLimit(-1);  // no limit
  EXPECT_TRUE(g.TryGo([] {}));
  EXPECT_FALSE(g.Wait());
}

TEST(ErrGroupTest, ClosedPoolReportsClosed) {
  Pool pool(1, 4);
  pool.Close();
  ErrGroup g(pool);
  std::atomic<int> ran{0};
  g.Go([&] { ++ran; });
  EXPECT_FALSE(g.TryGo([&] { ++ran; }));
  EXPECT_EQ(g.Wait().Code(), ErrorCode::kClosed);
  EXPECT_EQ(ran.load(), 0);
}

// Functions the pool cancels without running them are
// reported; Wait never returns ok for work that did not happen.
TEST(ErrGroupTest, FunctionsCancelledByThePoolAreReportedNotRun) {
  for (const bool with_context : {false, true}) {
    Pool pool(1, 8);
    std::atomic<int> ran{0};
    Error result;
    std::vector<Error> errors;
    testing::CancelPendingWhileQueued(pool, 5, [&] {
      auto run = [&](ErrGroup& g) {
        for (int i = 0; i < 5; ++i) g.Go([&] { ++ran; });
        result = g.Wait();
        errors = g.Errors();
      };
      if (with_context) {
        ErrGroup g = ErrGroup::WithContext(pool);
        run(g);
      } else {
        ErrGroup g(pool);
        run(g);
      }
    });
    EXPECT_EQ(ran.load(), 0);
    EXPECT_EQ(result.Code(), ErrorCode::kCancelled) << result;
    // A plain group reports each function; a WithContext group stops at the
    // first report and skips the rest (skipping is no error).
    EXPECT_EQ(errors.size(), with_context ? 1u : 5u);
  }
}

TEST(ErrGroupTest, DestructorWaitsForPendingFunctions) {
  Pool pool(2, 8);
  std::atomic<bool> finished{false};
  {
    ErrGroup g(pool);
    g.Go([&] {
      std::this_thread::sleep_for(20ms);  // simulated work
      finished = true;
    });
  }
  EXPECT_TRUE(finished.load());
}

TEST(ErrGroupTest, ReusableAfterWait) {
  Pool pool(2, 8);
  ErrGroup g(pool);
  g.Go([] { return Error("one"); });
  EXPECT_EQ(g.Wait().Message(), "one");
  g.Go([] { return Error("two"); });
  EXPECT_EQ(g.Wait().Message(), "one");  // the first error stays the first
  EXPECT_EQ(g.Errors().size(), 2u);
}

// A WithContext group reused after Wait starts a new round (a
// fresh Context(), no old error) instead of skipping every later Go.
TEST(ErrGroupTest, WithContextGroupStartsANewRoundAfterWait) {
  Pool pool(2, 8);
  auto g = ErrGroup::WithContext(pool);
  g.Go([] { return Error("one"); });
  EXPECT_EQ(g.Wait().Message(), "one");
  const std::stop_token old_context = g.Context();
  EXPECT_TRUE(old_context.stop_requested());
  EXPECT_EQ(g.Errors().size(), 1u);  // still the ended round's, until Go
  std::atomic<int> ran{0};
  std::atomic<bool> stopped_while_running{true};
  g.Go([&](std::stop_token stop) {
    stopped_while_running = stop.stop_requested();
    ++ran;
  });
  EXPECT_FALSE(g.Wait());
  EXPECT_EQ(ran, 1);
  EXPECT_FALSE(stopped_while_running.load());
  EXPECT_TRUE(g.Errors().empty());
  EXPECT_TRUE(old_context.stop_requested());
  g.Go([] { return Error("two"); });
  EXPECT_EQ(g.Wait().Message(), "two");
}

TEST(ErrGroupTest, DefaultGroupsUseTheDefaultPool) {
  ErrGroup g;
  std::atomic<int> ran{0};
  g.Go([&] { ++ran; });
  EXPECT_FALSE(g.Wait());
  auto h = ErrGroup::WithContext();
  h.Go([&] { ++ran; });
  EXPECT_FALSE(h.Wait());
  EXPECT_EQ(ran.load(), 2);
}

TEST(ErrGroupTest, NullFunctionThrows) {
  ErrGroup g;
  EXPECT_THROW(g.Go(std::function<Error()>()), std::invalid_argument);
  Error (*none)() = nullptr;
  EXPECT_THROW(g.Go(none), std::invalid_argument);
  EXPECT_FALSE(g.Wait());
}

}  // namespace
}  // namespace litepool
