// Future<T> and Pool::Submit: values, void, move-only results, exceptions,
// rejections, helping waits on worker threads.
#include "litepool/future.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <latch>
#include <memory>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "litepool/pool.hpp"

namespace litepool {
namespace {

using namespace std::chrono_literals;

TEST(FutureTest, GetReturnsTheValue) {
  Pool pool(2, 16);
  Future<int> f = pool.Submit([] { return 6 * 7; });
  ASSERT_TRUE(f.Valid());
  EXPECT_EQ(f.Get(), 42);
  EXPECT_FALSE(f.Valid());
}

TEST(FutureTest, DefaultConstructedIsInvalidAndGetThrowsLogicError) {
  Future<int> f;
  EXPECT_FALSE(f.Valid());
  EXPECT_FALSE(f.Ready());
  EXPECT_THROW((void)f.Get(), std::logic_error);
  EXPECT_THROW(f.Wait(), std::logic_error);
}

TEST(FutureTest, VoidTaskGetReturnsAfterItsEffects) {
  Pool pool(2, 16);
  int effect = 0;  // plain int: the wait must order it (TSan checks)
  Future<void> f = pool.Submit([&effect] { effect = 7; });
  f.Get();
  EXPECT_EQ(effect, 7);
}

TEST(FutureTest, MoveOnlyCaptureAndMoveOnlyResult) {
  Pool pool(2, 16);
  auto p = std::make_unique<int>(5);
  Future<std::unique_ptr<int>> f =
      pool.Submit([p = std::move(p)]() mutable { return std::move(p); });
  std::unique_ptr<int> r = f.Get();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(*r, 5);
}

TEST(FutureTest, ReturnedErrorThrowsTaskErrorWithThatCause) {
  Pool pool(1, 16);
  Future<void> f = pool.Submit([] { return Error("disk full", ErrorCode::kFailed); });
  try {
    f.Get();
    FAIL() << "Get did not throw";
  } catch (const TaskError& e) {
    EXPECT_EQ(e.Cause().Code(), ErrorCode::kFailed);
    EXPECT_EQ(e.Cause().Message(), "disk full");
  }
}

TEST(FutureTest, ReturnedOkErrorGivesVoid) {
  Pool pool(1, 16);
  Future<void> f = pool.Submit([] { return Error(); });
  EXPECT_NO_THROW(f.Get());
}

struct Marked : std::runtime_error {
  Marked() : std::runtime_error("marked") {}
};

TEST(FutureTest, GetRethrowsTheOriginalExceptionObject) {
  Pool pool(1, 16);
  const Marked* thrown = nullptr;
  Future<int> f = pool.Submit([&thrown]() -> int {
    try {
      throw Marked();
    } catch (const Marked& m) {
      thrown = &m;
      throw;
    }
  });
  try {
    (void)f.Get();
    FAIL() << "Get did not throw";
  } catch (const Marked& m) {
    EXPECT_EQ(&m, thrown);  // the very object, not a copy
  }
}

TEST(FutureTest, ThrowingTaskCountsAsFailedInStats) {
  Pool pool(1, 16);
  Future<void> f = pool.Submit([] { throw std::runtime_error("x"); });
  EXPECT_THROW(f.Get(), std::runtime_error);
  pool.Close();
  EXPECT_EQ(pool.Stats().total.failed, 1u);
}

TEST(FutureTest, ClosedPoolGivesTaskErrorClosed) {
  Pool pool(1, 16);
  pool.Close();
  bool ran = false;
  Future<int> f = pool.Submit([&ran] {
    ran = true;
    return 1;
  });
  ASSERT_TRUE(f.Ready());
  try {
    (void)f.Get();
    FAIL();
  } catch (const TaskError& e) {
    EXPECT_EQ(e.Cause().Code(), ErrorCode::kClosed);
  }
  EXPECT_FALSE(ran);
}

TEST(FutureTest, StopRequestedBeforeStartGivesCancelled) {
  Pool pool(1, 16);
  std::stop_source stop;
  stop.request_stop();
  bool ran = false;
  Future<void> f = pool.Submit([&ran] { ran = true; }, SubmitOptions{.stop = stop.get_token()});
  try {
    f.Get();
    FAIL();
  } catch (const TaskError& e) {
    EXPECT_EQ(e.Cause().Code(), ErrorCode::kCancelled);
  }
  EXPECT_FALSE(ran);
}

TEST(FutureTest, StopRequestedWhileQueuedGivesCancelled) {
  Pool pool(1, 16);
  std::latch started(1), release(1);
  Future<void> blocker = pool.Submit([&] {
    started.count_down();
    release.wait();
  });
  started.wait();
  std::stop_source stop;
  bool ran = false;
  Future<void> f = pool.Submit([&ran] { ran = true; }, SubmitOptions{.stop = stop.get_token()});
  stop.request_stop();
  release.count_down();
  EXPECT_THROW(f.Get(), TaskError);
  EXPECT_FALSE(ran);
  blocker.Get();
}

// A stop on a queued task settles it at once: its Future is ready and its
// slot free while the only worker is still busy, and it is counted as
// cancelled, not expired.
TEST(FutureTest, StopOnAQueuedTaskSettlesItAtOnceAndFreesItsSlot) {
  Pool pool(1, 1);  // one slot
  std::latch started(1), release(1);
  Future<void> blocker = pool.Submit([&] {
    started.count_down();
    release.wait();
  });
  started.wait();
  std::stop_source stop;
  bool ran = false;
  Future<void> f = pool.Submit([&ran] { ran = true; }, SubmitOptions{.stop = stop.get_token()});
  stop.request_stop();
  // The worker is still blocked: only an immediate settlement makes these true.
  EXPECT_TRUE(f.WaitFor(std::chrono::seconds(60)));
  try {
    f.Get();
    ADD_FAILURE() << "Get did not throw";
  } catch (const TaskError& e) {
    EXPECT_EQ(e.Cause().Code(), ErrorCode::kCancelled);
  }
  // Its slot is free again: a task with a 0 add-timeout (try once) gets in.
  Future<int> next =
      pool.Submit([] { return 3; }, SubmitOptions{.add_timeout = std::chrono::nanoseconds(0)});
  release.count_down();
  blocker.Get();
  EXPECT_EQ(next.Get(), 3);
  EXPECT_FALSE(ran);
  const UsageReport r = pool.Stats();
  EXPECT_EQ(r.total.expired, 0u);
  EXPECT_EQ(r.total.failed, 1u);
}

// Submit refuses bad arguments through the Future only: Get throws
// TaskError kInvalidArgument, Submit itself does not throw, nothing runs.
TEST(FutureTest, BadArgumentsAreRefusedThroughTheFuture) {
  Pool pool(1, 4);
  auto expect_invalid = [](auto make) {
    std::optional<decltype(make())> f;
    EXPECT_NO_THROW(f.emplace(make()));
    ASSERT_TRUE(f.has_value());
    try {
      (void)f->Get();
      ADD_FAILURE() << "Get did not throw";
    } catch (const TaskError& e) {
      EXPECT_EQ(e.Cause().Code(), ErrorCode::kInvalidArgument) << e.what();
    }
  };
  int (*null_fn)() = nullptr;
  expect_invalid([&] { return pool.Submit(null_fn); });
  std::function<int()> empty;
  expect_invalid([&] { return pool.Submit(empty); });
  std::atomic<int> ran{0};
  expect_invalid([&] {
    return pool.Submit([&ran] { ++ran; },
                       SubmitOptions{.add_timeout = std::chrono::nanoseconds(-1)});
  });
  expect_invalid([&] {
    return pool.Submit([&ran] { ++ran; }, SubmitOptions{.priority = static_cast<Priority>(7)});
  });
  expect_invalid([&] {
    return pool.Submit([&ran] { ++ran; },
                       SubmitOptions{.queue_timeout = std::chrono::nanoseconds(-1)});
  });
  pool.WaitIdle();
  EXPECT_EQ(ran.load(), 0);
}

TEST(FutureTest, CallableTakingStopTokenGetsOptionsStop) {
  Pool pool(1, 16);
  std::stop_source stop;
  Future<bool> f = pool.Submit([](std::stop_token t) { return t.stop_possible(); },
                               SubmitOptions{.stop = stop.get_token()});
  EXPECT_TRUE(f.Get());
}

// A queued task with a stop token but no queue timeout gets a ticket with
// no timer entry: the worker that takes the task may free it at once. The
// thread that queued it must not read it afterwards (a use after free that
// the ASan and TSan builds report; the other builds cannot see it).
TEST(FutureTest, AStopOnlyTicketIsNotReadAfterTheWorkerFreedIt) {
  Pool pool(2, 64);
  std::stop_source stop;
  constexpr int kTasks = 20000;  // enough rounds to hit the window often
  std::vector<Future<int>> futures;
  futures.reserve(kTasks);
  for (int i = 0; i < kTasks; ++i) {
    futures.push_back(pool.Submit([i] { return i; }, SubmitOptions{.stop = stop.get_token()}));
  }
  long long sum = 0;
  for (auto& f : futures) sum += f.Get();
  EXPECT_EQ(sum, static_cast<long long>(kTasks) * (kTasks - 1) / 2);
}

// Waits (bounded, so a broken build fails instead of hanging) until `t`
// stops; true when it did.
bool WaitForStop(const std::stop_token& t) {
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while (!t.stop_requested()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(FutureTest, CancelPendingCloseStopsARunningCallablesToken) {
  Pool pool(1, 16);
  std::latch started(1);
  Future<bool> f = pool.Submit([&](std::stop_token t) {
    started.count_down();
    return WaitForStop(t);
  });
  started.wait();
  pool.Close(CloseMode::kCancelPending);
  EXPECT_TRUE(f.Get());
}

TEST(FutureTest, EitherOptionsStopOrCancelPendingCloseStopsTheToken) {
  for (const bool by_close : {false, true}) {
    Pool pool(1, 16);
    std::stop_source mine;
    std::latch started(1);
    Future<bool> f = pool.Submit(
        [&](std::stop_token t) {
          started.count_down();
          return WaitForStop(t);
        },
        SubmitOptions{.stop = mine.get_token()});
    started.wait();
    if (by_close) {
      pool.Close(CloseMode::kCancelPending);
    } else {
      mine.request_stop();
    }
    EXPECT_TRUE(f.Get()) << (by_close ? "Close(kCancelPending)" : "SubmitOptions::stop");
  }
}

TEST(FutureTest, DrainingCloseDoesNotStopTheToken) {
  Pool pool(1, 16);
  Future<bool> f = pool.Submit([](std::stop_token t) { return t.stop_requested(); });
  pool.Close(CloseMode::kDrain);
  EXPECT_FALSE(f.Get());
}

TEST(FutureTest, AddTimeoutOnFullPoolGivesTimeout) {
  Pool pool(1, 1);
  std::latch started(1), release(1);
  Future<void> running = pool.Submit([&] {
    started.count_down();
    release.wait();
  });
  started.wait();
  Future<void> queued = pool.Submit([] {});  // fills the one slot
  Future<void> f = pool.Submit([] {}, SubmitOptions{.add_timeout = 0ns});
  try {
    f.Get();
    FAIL();
  } catch (const TaskError& e) {
    EXPECT_EQ(e.Cause().Code(), ErrorCode::kTimeout);
  }
  release.count_down();
  running.Get();
  queued.Get();
}

// SubmitOptions::priority and queue_timeout reach the task (the scheduling
// itself is tested in controls_test.cpp): a task with either still runs.
TEST(FutureTest, PriorityAndQueueTimeoutOptionsStillRunTheTask) {
  Pool pool(1, 16);
  Future<int> high = pool.Submit([] { return 1; }, SubmitOptions{.priority = Priority::kHigh});
  Future<int> low = pool.Submit([] { return 2; }, SubmitOptions{.priority = Priority::kLow});
  // Generous: an idle worker starts it long before (kHangGuard is the limit).
  Future<int> timed = pool.Submit([] { return 3; }, SubmitOptions{.queue_timeout = 60s});
  EXPECT_EQ(high.Get(), 1);
  EXPECT_EQ(low.Get(), 2);
  EXPECT_EQ(timed.Get(), 3);
}

TEST(FutureTest, CancelPendingCloseDropsQueuedTaskWithCancelled) {
  Pool pool(1, 16);
  std::latch queued_in(1);
  // Close from the running task (on a worker it only starts the close), so
  // the queued task is certainly still queued when Close cancels it.
  Future<void> running = pool.Submit([&] {
    queued_in.wait();
    pool.Close(CloseMode::kCancelPending);
  });
  bool ran = false;
  Future<int> queued = pool.Submit([&ran] {
    ran = true;
    return 1;
  });
  queued_in.count_down();
  running.Get();
  try {
    (void)queued.Get();
    FAIL();
  } catch (const TaskError& e) {
    EXPECT_EQ(e.Cause().Code(), ErrorCode::kCancelled);
  }
  EXPECT_FALSE(ran);
}

TEST(FutureTest, WaitForTimesOutThenSucceeds) {
  Pool pool(1, 16);
  std::latch release(1);
  Future<int> f = pool.Submit([&] {
    release.wait();
    return 3;
  });
  EXPECT_FALSE(f.WaitFor(1ms));
  EXPECT_FALSE(f.Ready());
  release.count_down();
  EXPECT_TRUE(f.WaitFor(std::chrono::hours(1)));
  EXPECT_TRUE(f.Ready());
  EXPECT_EQ(f.Get(), 3);
}

TEST(FutureTest, DroppedFutureDetachesAndTaskStillRuns) {
  Pool pool(1, 16);
  std::atomic<bool> ran{false};
  {
    (void)pool.Submit([&ran] { ran = true; });
  }
  pool.Close();
  EXPECT_TRUE(ran.load());
}

TEST(FutureTest, FutureOutlivesItsPool) {
  Future<int> f;
  {
    Pool pool(1, 16);
    f = pool.Submit([] { return 9; });
  }
  EXPECT_EQ(f.Get(), 9);
}

TEST(FutureTest, CapturesAreDestroyedBeforeGetReturns) {
  Pool pool(1, 16);
  auto alive = std::make_shared<int>(1);
  std::weak_ptr<int> watch = alive;
  Future<void> f = pool.Submit([a = std::move(alive)] { (void)a; });
  f.Get();
  EXPECT_TRUE(watch.expired());
}

TEST(FutureTest, TaskGettingAThousandChildrenOnOneWorkerDoesNotDeadlock) {
  Pool pool(1, 8);
  Future<long> parent = pool.Submit([&pool] {
    std::vector<Future<long>> children;
    for (long i = 0; i < 1000; ++i) {
      children.push_back(pool.Submit([i] { return i; }));
    }
    long sum = 0;
    for (auto& c : children) sum += c.Get();
    return sum;
  });
  EXPECT_EQ(parent.Get(), 999L * 1000 / 2);
}

TEST(FutureTest, WaitForOnWorkerTimesOutWhileChildIsBlocked) {
  Pool pool(1, 8);
  Pool other(1, 8);  // the child blocks there, so helping cannot run it
  std::latch release(1);
  Future<bool> parent = pool.Submit([&] {
    Future<void> child = other.Submit([&] { release.wait(); });
    const bool early = child.WaitFor(1ms);
    release.count_down();
    child.Wait();
    return early;
  });
  EXPECT_FALSE(parent.Get());
}

TEST(FutureTest, OnReadyCallbackRunsOnceAfterReady) {
  Pool pool(1, 16);
  std::latch release(1);
  Future<int> f = pool.Submit([&] {
    release.wait();
    return 4;
  });
  std::atomic<int> calls{0};
  std::latch called(1);
  ASSERT_TRUE(detail::FutureAccess::OnReady(f, [&] {
    calls.fetch_add(1);
    called.count_down();
  }));
  release.count_down();
  called.wait();
  EXPECT_TRUE(f.Ready());
  EXPECT_EQ(f.Get(), 4);
  EXPECT_EQ(calls.load(), 1);
}

TEST(FutureTest, OnReadyReturnsFalseWhenReadyAlready) {
  Pool pool(1, 16);
  Future<int> f = pool.Submit([] { return 1; });
  f.Wait();
  bool called = false;
  EXPECT_FALSE(detail::FutureAccess::OnReady(f, [&] { called = true; }));
  EXPECT_FALSE(called);
  EXPECT_EQ(f.Get(), 1);
}

TEST(FutureTest, ManyProducersManyFutures) {
  Pool pool(2, 64);
  constexpr int kThreads = 4, kEach = 500;
  std::atomic<long> sum{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) sum += pool.Submit([i] { return i; }).Get();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(sum.load(), long{kThreads} * (kEach - 1) * kEach / 2);
}

}  // namespace
}  // namespace litepool
