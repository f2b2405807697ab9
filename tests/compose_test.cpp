// Composed work: Future::Then, WhenAll, WhenAny.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "api/pool_access.hpp"
#include "litepool/coro.hpp"
#include "litepool/future.hpp"
#include "litepool/pool.hpp"
#include "test_util.hpp"

namespace litepool {
namespace {

using namespace std::chrono_literals;
using testing::Blocker;
using testing::kHangGuard;

TEST(ThenTest, ValueContinuationGetsTheValue) {
  Pool pool(2, 16);
  Future<std::string> f =
      pool.Submit([] { return 21; }).Then([](int v) { return std::to_string(v * 2); });
  ASSERT_TRUE(f.WaitFor(kHangGuard));
  EXPECT_EQ(f.Get(), "42");
}

TEST(ThenTest, VoidAntecedentTakesNoArgument) {
  Pool pool(2, 16);
  std::atomic<int> order{0};
  Future<int> f = pool.Submit([&] { order.store(1); }).Then([&] { return order.load() + 1; });
  EXPECT_EQ(f.Get(), 2);
}

TEST(ThenTest, ErrorResultGivesFutureVoidThatThrowsTaskError) {
  Pool pool(1, 4);
  Future<void> f =
      pool.Submit([] { return 1; }).Then([](int) { return Error("no", ErrorCode::kFailed); });
  try {
    f.Get();
    FAIL() << "no throw";
  } catch (const TaskError& e) {
    EXPECT_EQ(e.Cause().Code(), ErrorCode::kFailed);
  }
}

TEST(ThenTest, ValueContinuationSkipsOnFailureAndPassesTheSameException) {
  Pool pool(2, 16);
  auto thrown = std::make_shared<std::runtime_error>("boom");
  std::atomic<bool> ran{false};
  Future<int> f = pool.Submit([]() -> int { throw std::runtime_error("boom"); }).Then([&](int v) {
    ran = true;
    return v;
  });
  const std::runtime_error* first = nullptr;
  try {
    (void)f.Get();
  } catch (const std::runtime_error& e) {
    first = &e;
    EXPECT_STREQ(e.what(), "boom");
  }
  ASSERT_NE(first, nullptr);
  EXPECT_FALSE(ran.load());
}

TEST(ThenTest, FailurePassesThroughAChainUnchangedAsTheSameObject) {
  Pool pool(2, 16);
  std::exception_ptr seen_at_first;
  Future<int> root = pool.Submit([]() -> int { throw std::logic_error("root"); });
  Future<int> outcome = std::move(root).Then([&](Future<int> in) -> int {
    try {
      return in.Get();
    } catch (...) {
      seen_at_first = std::current_exception();
      throw;
    }
  });
  Future<int> chained =
      std::move(outcome).Then([](int v) { return v + 1; }).Then([](int v) { return v + 1; });
  try {
    (void)chained.Get();
    FAIL() << "no throw";
  } catch (const std::logic_error&) {
    std::exception_ptr at_end = std::current_exception();
    EXPECT_EQ(at_end, seen_at_first);  // the very object, not a copy
  }
}

TEST(ThenTest, OutcomeContinuationRunsOnFailureAndSeesTaskError) {
  Pool pool(2, 16);
  Future<std::string> f =
      pool.Submit([] { return Error("bad", ErrorCode::kFailed); }).Then([](Future<void> in) {
        try {
          in.Get();
          return std::string("ok");
        } catch (const TaskError& e) {
          return std::string("caught ") + e.Cause().Message();
        }
      });
  EXPECT_EQ(f.Get(), "caught bad");
}

TEST(ThenTest, RunsOnTheAntecedentsPoolOrTheNamedOne) {
  Pool a(1, 8);
  Pool b(1, 8);
  Future<bool> on_a = a.Submit([] { return 1; }).Then([&](int) { return a.OnWorkerThread(); });
  Future<bool> on_b = a.Submit([] { return 1; }).Then(b, [&](int) { return b.OnWorkerThread(); });
  EXPECT_TRUE(on_a.Get());
  EXPECT_TRUE(on_b.Get());
}

CoTask<int> Seven() { co_return 7; }

TEST(ThenTest, ASpawnedCoroutinesFutureContinuesOnItsPool) {
  Pool pool(1, 4);
  Future<bool> f = pool.Spawn(Seven()).Then([&](int v) { return v == 7 && pool.OnWorkerThread(); });
  ASSERT_TRUE(f.WaitFor(kHangGuard));
  EXPECT_TRUE(f.Get());
}

TEST(ThenTest, NeverRunsInlineInTheSettlingThreadNorInThen) {
  Pool pool(1, 8);
  Future<int> ready = pool.Submit([] { return 1; });
  ready.Wait();
  const std::thread::id caller = std::this_thread::get_id();
  Future<std::thread::id> f = std::move(ready).Then([](int) { return std::this_thread::get_id(); });
  EXPECT_NE(f.Get(), caller);
}

TEST(ThenTest, ConsumesTheFuture) {
  Pool pool(1, 8);
  Future<int> f = pool.Submit([] { return 1; });
  Future<int> g = std::move(f).Then([](int v) { return v; });
  EXPECT_FALSE(f.Valid());  // NOLINT(bugprone-use-after-move): the contract
  EXPECT_THROW((void)std::move(f).Then([](int v) { return v; }), std::logic_error);
  EXPECT_EQ(g.Get(), 1);
}

TEST(ThenTest, ContinuationOnAPoolClosedMeanwhileThrowsClosedAndLosesNothing) {
  auto pool = std::make_unique<Pool>(1, 8);
  Blocker blocker;
  blocker.AddTo(*pool);
  std::latch release(1);
  Future<int> first = pool->Submit([&] {
    release.wait();
    return 1;
  });
  auto captured = std::make_shared<int>(7);
  std::weak_ptr<int> watch = captured;
  std::atomic<bool> ran{false};
  Future<int> second = std::move(first).Then([&ran, c = std::move(captured)](int v) {
    ran = true;
    return v + *c;
  });
  std::thread closer([&] { pool->Close(CloseMode::kDrain); });
  // Close(kDrain) runs what was accepted (the blocker and `first`); the
  // continuation, asked for while the pool closes, is refused.
  while (!pool->Closed()) std::this_thread::yield();
  blocker.Release();
  release.count_down();
  closer.join();
  try {
    (void)second.Get();
    FAIL() << "no throw";
  } catch (const TaskError& e) {
    EXPECT_EQ(e.Cause().Code(), ErrorCode::kClosed);
  }
  EXPECT_FALSE(ran.load());
  EXPECT_TRUE(watch.expired());  // the continuation and its capture were destroyed
  EXPECT_TRUE(detail::PoolAccess::Totals(*pool).Balanced());
}

TEST(ThenTest, ThenAfterThePoolIsDestroyedThrowsClosed) {
  Future<int> ready;
  {
    Pool pool(1, 4);
    ready = pool.Submit([] { return 1; });
    ready.Wait();
  }
  Future<int> f = std::move(ready).Then([](int v) { return v; });
  try {
    (void)f.Get();
    FAIL() << "no throw";
  } catch (const TaskError& e) {
    EXPECT_EQ(e.Cause().Code(), ErrorCode::kClosed);
  }
}

TEST(ThenTest, ValueFormOnAClosedPoolPassesTheFailureNotClosed) {
  Future<int> failed;
  {
    Pool pool(1, 4);
    failed = pool.Submit([]() -> int { throw std::out_of_range("first"); });
    failed.Wait();
  }
  Future<int> f = std::move(failed).Then([](int v) { return v; });
  EXPECT_THROW((void)f.Get(), std::out_of_range);
}

TEST(ThenTest, QueuedEvenOnAFullPoolWithoutBlockingTheSettlingWorker) {
  Pool pool(1, 1);
  Blocker blocker;
  blocker.AddTo(pool);
  Future<int> queued = pool.Submit([] { return 1; });  // fills the one slot
  Future<int> f = std::move(queued).Then([](int v) { return v + 1; });
  blocker.Release();
  ASSERT_TRUE(f.WaitFor(kHangGuard));
  EXPECT_EQ(f.Get(), 2);
}

TEST(ThenTest, ChainOf100000RunsWithoutStackGrowth) {
  // Each link is a task, so a chain this long either loops through the pool
  // or (were it run inline) overflows a worker's stack.
  constexpr int kLinks = 100000;
  Pool pool(2, 64);
  std::latch go(1);
  Future<int> f = pool.Submit([&] {
    go.wait();
    return 0;
  });
  for (int i = 0; i < kLinks; ++i) f = std::move(f).Then([](int v) { return v + 1; });
  go.count_down();
  ASSERT_TRUE(f.WaitFor(kHangGuard));
  EXPECT_EQ(f.Get(), kLinks);
}

TEST(ThenTest, ChainRefusedByAClosedPoolSettlesWithoutRecursion) {
  // A refused link settles its result on the spot, which refuses the next:
  // a loop, not a recursion as deep as the chain.
  constexpr int kLinks = 100000;
  Pool pool(1, 4);
  std::latch go(1);
  Future<int> f = pool.Submit([&] {
    go.wait();
    return 0;
  });
  for (int i = 0; i < kLinks; ++i) f = std::move(f).Then([](Future<int> v) { return v.Get(); });
  std::thread closer([&] { pool.Close(CloseMode::kDrain); });
  while (!pool.Closed()) std::this_thread::yield();
  go.count_down();
  closer.join();
  try {
    (void)f.Get();
    FAIL() << "no throw";
  } catch (const TaskError& e) {
    EXPECT_EQ(e.Cause().Code(), ErrorCode::kClosed);
  }
}

TEST(ThenTest, StopTokenCancelsTheContinuation) {
  Pool pool(1, 4);
  std::stop_source stop;
  std::latch go(1);
  Future<int> first = pool.Submit([&] {
    go.wait();
    return 1;
  });
  Future<int> f =
      std::move(first).Then([](int v) { return v; }, SubmitOptions{.stop = stop.get_token()});
  stop.request_stop();
  go.count_down();
  try {
    (void)f.Get();
    FAIL() << "no throw";
  } catch (const TaskError& e) {
    EXPECT_EQ(e.Cause().Code(), ErrorCode::kCancelled);
  }
}

TEST(ThenTest, MoveOnlyValuesAndCallables) {
  Pool pool(2, 8);
  auto owned = std::make_unique<int>(5);
  Future<std::unique_ptr<int>> f = pool.Submit([] { return std::make_unique<int>(3); })
                                       .Then([o = std::move(owned)](std::unique_ptr<int> p) {
                                         return std::make_unique<int>(*p + *o);
                                       });
  EXPECT_EQ(*f.Get(), 8);
}

TEST(WhenAllTest, ValuesInInputOrder) {
  Pool pool(2, 64);
  std::vector<Future<int>> in;
  for (int i = 0; i < 50; ++i) in.push_back(pool.Submit([i] { return i * i; }));
  Future<std::vector<int>> all = WhenAll(std::move(in));
  std::vector<int> v = all.Get();
  ASSERT_EQ(v.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(v[i], i * i);
}

TEST(WhenAllTest, FirstFailureByPositionAfterAllSettled) {
  Pool pool(2, 16);
  std::latch late(1);
  std::atomic<bool> third_done{false};
  std::vector<Future<int>> in;
  in.push_back(pool.Submit([] { return 1; }));
  in.push_back(pool.Submit([&]() -> int {
    late.wait();
    throw std::invalid_argument("second");
  }));
  in.push_back(pool.Submit([]() -> int { throw std::out_of_range("third"); }));
  in.push_back(pool.Submit([&] {
    third_done = true;
    return 4;
  }));
  Future<std::vector<int>> all = WhenAll(std::move(in));
  // The third failed already; the result waits for the second.
  EXPECT_FALSE(all.WaitFor(20ms));
  late.count_down();
  EXPECT_THROW((void)all.Get(), std::invalid_argument);
  EXPECT_TRUE(third_done.load());
}

TEST(WhenAllTest, VoidAndEmptyAndTuple) {
  Pool pool(2, 16);
  std::atomic<int> n{0};
  std::vector<Future<void>> in;
  for (int i = 0; i < 10; ++i) in.push_back(pool.Submit([&] { n.fetch_add(1); }));
  WhenAll(std::move(in)).Get();
  EXPECT_EQ(n.load(), 10);

  EXPECT_TRUE(WhenAll(std::vector<Future<int>>{}).Get().empty());

  auto [a, b] =
      WhenAll(pool.Submit([] { return 1; }), pool.Submit([] { return std::string("x"); })).Get();
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, "x");
}

TEST(WhenAllTest, TaskErrorPassesThroughUnchanged) {
  Pool pool(2, 16);
  std::vector<Future<void>> in;
  in.push_back(pool.Submit([] {}));
  in.push_back(pool.Submit([] { return Error("late", ErrorCode::kTimeout); }));
  try {
    WhenAll(std::move(in)).Get();
    FAIL() << "no throw";
  } catch (const TaskError& e) {
    EXPECT_EQ(e.Cause().Code(), ErrorCode::kTimeout);
    EXPECT_EQ(e.Cause().Message(), "late");
  }
}

TEST(WhenAllTest, InvalidInputGivesInvalidArgument) {
  std::vector<Future<int>> in(2);
  try {
    (void)WhenAll(std::move(in)).Get();
    FAIL() << "no throw";
  } catch (const TaskError& e) {
    EXPECT_EQ(e.Cause().Code(), ErrorCode::kInvalidArgument);
  }
}

TEST(WhenAllTest, BlocksNoThreadOnAOneWorkerPool) {
  // The join is a continuation: the one worker runs the inputs and the
  // Then that follows the join, while nothing waits.
  Pool pool(1, 64);
  std::vector<Future<int>> in;
  for (int i = 0; i < 20; ++i) in.push_back(pool.Submit([i] { return i; }));
  Future<int> sum = WhenAll(std::move(in)).Then([](std::vector<int> v) {
    int s = 0;
    for (int x : v) s += x;
    return s;
  });
  ASSERT_TRUE(sum.WaitFor(kHangGuard));
  EXPECT_EQ(sum.Get(), 190);
  EXPECT_EQ(detail::PoolAccess::Blocked(pool), 0);
}

TEST(WhenAnyTest, FirstSettledWinsAndTheRestStayUsable) {
  Pool pool(2, 16);
  std::latch hold(1);
  std::vector<Future<int>> in;
  in.push_back(pool.Submit([&] {
    hold.wait();
    return 0;
  }));
  in.push_back(pool.Submit([] { return 1; }));
  WhenAnyResult<int> r = WhenAny(std::move(in)).Get();
  EXPECT_EQ(r.index, 1u);
  EXPECT_EQ(r.first.Get(), 1);
  ASSERT_EQ(r.rest.size(), 1u);
  EXPECT_FALSE(r.rest[0].Ready());
  // The rest can be continued: WhenAny left its continuation slot free.
  Future<int> next = std::move(r.rest[0]).Then([](int v) { return v + 10; });
  hold.count_down();
  EXPECT_EQ(next.Get(), 10);
}

TEST(WhenAnyTest, AFailureWinsToo) {
  Pool pool(2, 16);
  std::latch hold(1);
  std::vector<Future<int>> in;
  in.push_back(pool.Submit([&] {
    hold.wait();
    return 0;
  }));
  in.push_back(pool.Submit([]() -> int { throw std::runtime_error("fast"); }));
  WhenAnyResult<int> r = WhenAny(std::move(in)).Get();
  hold.count_down();
  EXPECT_EQ(r.index, 1u);
  EXPECT_THROW((void)r.first.Get(), std::runtime_error);
  EXPECT_EQ(r.rest[0].Get(), 0);
}

TEST(WhenAnyTest, EmptyGivesInvalidArgument) {
  try {
    (void)WhenAny(std::vector<Future<int>>{}).Get();
    FAIL() << "no throw";
  } catch (const TaskError& e) {
    EXPECT_EQ(e.Cause().Code(), ErrorCode::kInvalidArgument);
  }
}

TEST(WhenAnyTest, RepeatedWhenAnyDrainsAll) {
  Pool pool(2, 64);
  std::vector<Future<int>> in;
  for (int i = 0; i < 30; ++i) in.push_back(pool.Submit([i] { return i; }));
  int sum = 0;
  while (!in.empty()) {
    WhenAnyResult<int> r = WhenAny(std::move(in)).Get();
    sum += r.first.Get();
    in = std::move(r.rest);
  }
  EXPECT_EQ(sum, 435);
}

// --- Delayed tasks ---------------------------------------------------------

TEST(DelayTest, QueuedNotBeforeItsDelay) {
  constexpr auto kDelay = 30ms;
  Pool pool(2, 8);
  const auto called = std::chrono::steady_clock::now();
  Future<std::chrono::steady_clock::time_point> f =
      pool.Submit([] { return std::chrono::steady_clock::now(); }, SubmitOptions{.delay = kDelay});
  ASSERT_TRUE(f.WaitFor(kHangGuard));
  EXPECT_GE(f.Get() - called, kDelay);
}

TEST(DelayTest, HoldsNoSlotAndNoWorkerAndCountsAsDelayed) {
  Pool pool(1, 1);
  std::vector<Future<int>> delayed;
  for (int i = 0; i < 5; ++i) {
    // add_timeout 0: a task that needed a slot would be refused after the first.
    delayed.push_back(
        pool.Submit([i] { return i; }, SubmitOptions{.add_timeout = 0ns, .delay = 1h}));
  }
  EXPECT_EQ(pool.Stats().delayed, 5u);
  EXPECT_NE(pool.Stats().ToJson().find("\"delayed\":5}"), std::string::npos);
  std::ostringstream usage;
  pool.Usage(usage);
  EXPECT_NE(usage.str().find("not queued yet (delayed or waiting for dependencies): 5"),
            std::string::npos)
      << usage.str();
  EXPECT_EQ(pool.Submit([] { return 7; }, SubmitOptions{.add_timeout = 0ns}).Get(), 7);
  EXPECT_FALSE(pool.WaitIdleFor(1ms));  // delayed tasks keep the pool busy
  EXPECT_EQ(pool.Purge(), 5u);
  EXPECT_EQ(pool.Stats().delayed, 0u);
  for (Future<int>& f : delayed) {
    try {
      (void)f.Get();
      ADD_FAILURE() << "no throw";
    } catch (const TaskError& e) {
      EXPECT_EQ(e.Cause().Code(), ErrorCode::kCancelled);
    }
  }
  EXPECT_TRUE(pool.WaitIdleFor(kHangGuard));
  EXPECT_TRUE(detail::PoolAccess::Totals(pool).Balanced());
}

TEST(DelayTest, TaskOptionsSetDelayRunsHooksAndCredit) {
  Pool pool(2, 8);
  TaskGroup tg(1);
  std::atomic<int> ran{0};
  ASSERT_FALSE(
      pool.AddTask(tg.NewTaskOptions().SetTask([&] { ran = 1; }).SetDelay(5ms).SetAutoDone()));
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  EXPECT_EQ(ran.load(), 1);
}

TEST(DelayTest, WaitIdleWaitsForTheDelayedTaskToRun) {
  Pool pool(1, 4);
  std::atomic<bool> ran{false};
  ASSERT_FALSE(pool.AddTask(TaskOptions().SetTask([&] { ran = true; }).SetDelay(20ms)));
  ASSERT_TRUE(pool.WaitIdleFor(kHangGuard));
  EXPECT_TRUE(ran.load());
}

TEST(DelayTest, CloseDrainRunsThemAtTheirTime) {
  constexpr auto kDelay = 20ms;
  auto pool = std::make_unique<Pool>(1, 4);
  const auto called = std::chrono::steady_clock::now();
  Future<std::chrono::steady_clock::time_point> f =
      pool->Submit([] { return std::chrono::steady_clock::now(); }, SubmitOptions{.delay = kDelay});
  pool->Close(CloseMode::kDrain);
  ASSERT_TRUE(f.Ready());
  EXPECT_GE(f.Get() - called, kDelay);
}

TEST(DelayTest, CloseCancelPendingCancelsThemAtOnce) {
  auto pool = std::make_unique<Pool>(1, 4);
  TaskGroup tg(3);
  std::atomic<int> ran{0};
  std::atomic<int> on_error{0};
  for (int i = 0; i < 3; ++i) {
    ASSERT_FALSE(pool->AddTask(tg.NewTaskOptions()
                                   .SetTask([&] { ran.fetch_add(1); })
                                   .SetOnError([&](ErrHandle&, const Error& e) {
                                     if (e.Code() == ErrorCode::kCancelled) on_error.fetch_add(1);
                                   })
                                   .SetDelay(1h)
                                   .SetAutoDone()));
  }
  pool->Close(CloseMode::kCancelPending);  // does not wait an hour
  EXPECT_EQ(tg.Pending(), 0);
  EXPECT_EQ(ran.load(), 0);
  EXPECT_EQ(on_error.load(), 3);
  EXPECT_TRUE(detail::PoolAccess::Totals(*pool).Balanced());
}

TEST(DelayTest, ComingDueOnAFullPoolIsQueuedBeyondItsCapacity) {
  Pool pool(1, 1);
  Blocker blocker;
  blocker.AddTo(pool);
  Future<int> filler = pool.Submit([] { return 0; });  // the one slot
  Future<int> due = pool.Submit([] { return 1; }, SubmitOptions{.delay = 1ms});
  // The timer queues it although no slot is free (it never blocks on one).
  const auto guard = std::chrono::steady_clock::now() + kHangGuard;
  while (pool.Stats().delayed != 0 && std::chrono::steady_clock::now() < guard) {
    std::this_thread::yield();
  }
  EXPECT_EQ(pool.Stats().delayed, 0u);
  blocker.Release();
  EXPECT_EQ(filler.Get() + due.Get(), 1);
}

TEST(DelayTest, AMillionDelayedTasksPurgedAtOnce) {
  constexpr std::int64_t kTasks = 1000000;
  Pool pool(2, 16);
  TaskGroup tg(kTasks);
  std::atomic<std::int64_t> ran{0};
  for (std::int64_t i = 0; i < kTasks; ++i) {
    ASSERT_FALSE(pool.AddTask(
        tg.NewTaskOptions().SetTask([&ran] { ran.fetch_add(1); }).SetDelay(1h).SetAutoDone()));
  }
  EXPECT_EQ(pool.Stats().delayed, static_cast<std::size_t>(kTasks));
  EXPECT_EQ(pool.Purge(), static_cast<std::size_t>(kTasks));
  EXPECT_EQ(tg.Pending(), 0);
  EXPECT_EQ(ran.load(), 0);
  EXPECT_EQ(pool.Stats().delayed, 0u);
  EXPECT_TRUE(pool.WaitIdleFor(kHangGuard));
}

TEST(DelayTest, AddTaskGroupRefusesDeferredTasks) {
  Pool pool(1, 4);
  TaskGroup tg(2);
  std::vector<TaskOptions> batch;
  batch.push_back(tg.NewTaskOptions().SetTask([] {}).SetAutoDone());
  batch.push_back(tg.NewTaskOptions().SetTask([] {}).SetDelay(1ms).SetAutoDone());
  EXPECT_EQ(pool.AddTaskGroup(std::move(batch)).Code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(tg.Pending(), 0);
}

// --- Dependent tasks -------------------------------------------------------

TEST(AfterTest, QueuedOnlyOnceEveryDependencySettled) {
  Pool pool(2, 8);
  std::latch a_go(1), b_go(1);
  Future<int> a = pool.Submit([&] {
    a_go.wait();
    return 1;
  });
  Future<int> b = pool.Submit([&]() -> int {
    b_go.wait();
    throw std::runtime_error("b failed");
  });
  std::atomic<bool> ran{false};
  Future<void> c = pool.Submit([&] { ran = true; }, SubmitOptions{.after = {a, b}});
  EXPECT_EQ(pool.Stats().delayed, 1u);
  a_go.count_down();
  a.Wait();
  EXPECT_FALSE(c.WaitFor(10ms));
  EXPECT_FALSE(ran.load());
  b_go.count_down();  // a failure releases it too
  ASSERT_TRUE(c.WaitFor(kHangGuard));
  c.Get();
  EXPECT_TRUE(ran.load());
  EXPECT_EQ(a.Get(), 1);  // the dependency left the Future usable
  EXPECT_THROW((void)b.Get(), std::runtime_error);
}

TEST(AfterTest, DependencyOnAPurgedTaskOfAnotherPoolReleasesTheDependent) {
  Pool other(1, 4);
  Blocker blocker;
  blocker.AddTo(other);
  Future<int> queued = other.Submit([] { return 1; });
  Pool pool(1, 4);
  Future<std::string> dependent = pool.Submit(
      [&queued] {
        try {
          (void)queued.Get();
          return std::string("ran");
        } catch (const TaskError& e) {
          return std::string(e.Cause().Code() == ErrorCode::kCancelled ? "purged" : "other");
        }
      },
      SubmitOptions{.after = {queued}});
  EXPECT_FALSE(dependent.WaitFor(10ms));
  EXPECT_EQ(other.Purge(), 1u);
  ASSERT_TRUE(dependent.WaitFor(kHangGuard));
  EXPECT_EQ(dependent.Get(), "purged");
}

TEST(AfterTest, PurgeCancelsTheDependentsOfThePurgedTasksToo) {
  // Every task that is not running is purged: the queued dependency and
  // the dependent waiting for it, whichever order the queues are drained in.
  Pool pool(1, 4);
  Blocker blocker;
  blocker.AddTo(pool);
  Future<int> queued = pool.Submit([] { return 1; });
  std::atomic<bool> ran{false};
  Future<void> dependent = pool.Submit([&] { ran = true; }, SubmitOptions{.after = {queued}});
  EXPECT_EQ(pool.Purge(), 2u);
  blocker.Release();
  EXPECT_THROW((void)queued.Get(), TaskError);
  try {
    dependent.Get();
    FAIL() << "no throw";
  } catch (const TaskError& e) {
    EXPECT_EQ(e.Cause().Code(), ErrorCode::kCancelled);
  }
  EXPECT_FALSE(ran.load());
}

TEST(AfterTest, WaitingDependentIsPurgedAndItsLateDependencyTouchesNothing) {
  std::latch go(1);
  Future<int> slow;
  Future<int> dependent;
  {
    Pool other(1, 4);
    slow = other.Submit([&] {
      go.wait();
      return 1;
    });
    {
      Pool pool(1, 4);
      dependent = pool.Submit([] { return 2; }, SubmitOptions{.after = {slow}});
      EXPECT_EQ(pool.Purge(), 1u);
    }  // the dependent's pool is gone before its dependency settles
    go.count_down();
    EXPECT_EQ(slow.Get(), 1);
  }
  try {
    (void)dependent.Get();
    FAIL() << "no throw";
  } catch (const TaskError& e) {
    EXPECT_EQ(e.Cause().Code(), ErrorCode::kCancelled);
  }
}

TEST(AfterTest, TaskGroupReachingZeroReleasesIt) {
  Pool pool(2, 8);
  TaskGroup tg;  // AddTask(tg, f) adds one per task
  std::atomic<int> done{0};
  std::latch go(1);
  for (int i = 0; i < 2; ++i) {
    ASSERT_FALSE(pool.AddTask(tg, [&] {
      go.wait();
      done.fetch_add(1);
    }));
  }
  Future<int> after = pool.Submit([&] { return done.load(); }, SubmitOptions{.after = {tg}});
  EXPECT_FALSE(after.WaitFor(10ms));
  go.count_down();
  ASSERT_TRUE(after.WaitFor(kHangGuard));
  EXPECT_EQ(after.Get(), 2);
}

TEST(AfterTest, FutureWithoutStateIsNoDependency) {
  Pool pool(1, 4);
  Future<int> none;
  EXPECT_EQ(pool.Submit([] { return 3; }, SubmitOptions{.after = {none}}).Get(), 3);
  std::vector<Dependency> empty;
  std::atomic<bool> ran{false};
  TaskGroup tg(1);
  ASSERT_FALSE(
      pool.AddTask(tg.NewTaskOptions().SetTask([&] { ran = true; }).SetAfter(empty).SetAutoDone()));
  tg.Wait();
  EXPECT_TRUE(ran.load());
}

TEST(AfterTest, AfterAndDelayTogether) {
  constexpr auto kDelay = 20ms;
  Pool pool(2, 8);
  Future<int> a = pool.Submit([] { return 1; });
  const auto called = std::chrono::steady_clock::now();
  Future<std::chrono::steady_clock::time_point> f =
      pool.Submit([] { return std::chrono::steady_clock::now(); },
                  SubmitOptions{.after = {a}, .delay = kDelay});
  EXPECT_GE(f.Get() - called, kDelay);
}

TEST(AfterTest, CloseCancelPendingCancelsWaitingDependents) {
  auto pool = std::make_unique<Pool>(1, 4);
  std::latch go(1);
  Future<int> gate = pool->Submit([&] {
    go.wait();
    return 0;
  });
  Future<int> dependent = pool->Submit([] { return 1; }, SubmitOptions{.after = {gate}});
  std::thread closer([&] { pool->Close(CloseMode::kCancelPending); });
  while (!pool->Closed()) std::this_thread::yield();
  go.count_down();
  closer.join();
  try {
    (void)dependent.Get();
    FAIL() << "no throw";
  } catch (const TaskError& e) {
    EXPECT_EQ(e.Cause().Code(), ErrorCode::kCancelled);
  }
  EXPECT_TRUE(detail::PoolAccess::Totals(*pool).Balanced());
}

TEST(AfterTest, DiamondOf10000RunsWithAtMostWorkersBusyAndNoThreadBlocked) {
  constexpr int kMiddle = 10000;
  constexpr std::size_t kWorkers = 2;
  Pool pool(kWorkers, 16);
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  std::atomic<std::int64_t> blocked_seen{0};
  auto work = [&] {
    const int now = running.fetch_add(1) + 1;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    blocked_seen.fetch_add(detail::PoolAccess::Blocked(pool));
    running.fetch_sub(1);
  };
  std::latch go(1);
  Future<void> source = pool.Submit([&] {
    go.wait();
    work();
  });
  std::vector<Dependency> middles;
  middles.reserve(kMiddle);
  std::vector<Future<void>> keep;
  keep.reserve(kMiddle);
  for (int i = 0; i < kMiddle; ++i) {
    keep.push_back(pool.Submit(work, SubmitOptions{.after = {source}}));
    middles.emplace_back(keep.back());
  }
  std::atomic<bool> sink_ran{false};
  Future<void> sink = pool.Submit(
      [&] {
        work();
        sink_ran = true;
      },
      SubmitOptions{.after = std::move(middles)});
  EXPECT_EQ(pool.Stats().delayed, static_cast<std::size_t>(kMiddle + 1));
  go.count_down();
  ASSERT_TRUE(sink.WaitFor(kHangGuard));
  sink.Get();
  EXPECT_TRUE(sink_ran.load());
  EXPECT_LE(most.load(), static_cast<int>(kWorkers));
  EXPECT_EQ(blocked_seen.load(), 0);
  EXPECT_EQ(pool.Stats().total.executed, static_cast<std::uint64_t>(kMiddle + 2));
}

// --- Periodic tasks --------------------------------------------------------

// Spins (yielding) until `done` or the hang guard; false on the guard.
template <class P>
bool Eventually(P done) {
  const auto guard = std::chrono::steady_clock::now() + kHangGuard;
  while (!done()) {
    if (std::chrono::steady_clock::now() > guard) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(EveryTest, RunsEveryPeriodUntilCancelledAndNoRunStartsAfterCancel) {
  Pool pool(2, 8);
  std::atomic<int> calls{0};
  PeriodicHandle h = pool.Every(1ms, [&] { calls.fetch_add(1); });
  EXPECT_TRUE(h.Active());
  ASSERT_TRUE(Eventually([&] { return h.Runs() >= 3; }));
  h.Cancel();
  EXPECT_FALSE(h.Active());
  const int at_cancel = calls.load();
  std::this_thread::sleep_for(20ms);  // an observation window of 20 periods
  pool.WaitIdle();
  EXPECT_EQ(calls.load(), at_cancel);
  EXPECT_EQ(h.Runs(), static_cast<std::uint64_t>(at_cancel));
}

TEST(EveryTest, CancelRacingARunningRunWaitsForIt) {
  Pool pool(2, 8);
  std::latch started(1);
  std::latch release(1);
  std::atomic<bool> run_returned{false};
  PeriodicHandle h = pool.Every(
      1ms,
      [&] {
        started.count_down();
        release.wait();
        run_returned = true;
      },
      PeriodicOptions{.first_after = 0ns});
  started.wait();
  std::atomic<bool> cancel_returned{false};
  std::thread canceller([&] {
    h.Cancel();
    cancel_returned = true;
    EXPECT_TRUE(run_returned.load());  // the run happened before Cancel returned
  });
  std::this_thread::sleep_for(10ms);  // an observation window: Cancel still waits
  EXPECT_FALSE(cancel_returned.load());
  release.count_down();
  canceller.join();
  EXPECT_TRUE(cancel_returned.load());
  EXPECT_EQ(h.Runs(), 1u);
}

TEST(EveryTest, CancelFromInsideItsOwnRunReturnsAtOnce) {
  Pool pool(1, 4);
  auto handle = std::make_shared<PeriodicHandle>();
  std::latch ready(1);
  std::latch cancelled(1);
  *handle = pool.Every(1ms, [&, handle] {
    ready.wait();
    handle->Cancel();
    cancelled.count_down();
  });
  ready.count_down();
  cancelled.wait();
  pool.WaitIdle();
  EXPECT_FALSE(handle->Active());
  EXPECT_EQ(handle->Runs(), 1u);
}

TEST(EveryTest, MaxRunsAndFailuresAreCountedAndTheScheduleGoesOn) {
  Pool pool(2, 8);
  std::atomic<int> n{0};
  PeriodicHandle h = pool.Every(
      1ms,
      [&]() -> Error {
        const int i = n.fetch_add(1);
        if (i == 1) throw std::runtime_error("second run throws");
        if (i == 2) return Error("third run fails");
        return Error();
      },
      PeriodicOptions{.max_runs = 4});
  ASSERT_TRUE(Eventually([&] { return !h.Active(); }));
  pool.WaitIdle();
  EXPECT_EQ(h.Runs(), 4u);
  EXPECT_EQ(h.Failures(), 2u);
  EXPECT_EQ(n.load(), 4);
}

TEST(EveryTest, FixedRateSkipsTheTimesALateRunMissedInsteadOfBursting) {
  constexpr auto kPeriod = 5ms;
  constexpr auto kStall = 23ms;  // over four periods
  Pool pool(1, 4);
  std::atomic<int> n{0};
  PeriodicHandle h = pool.Every(
      kPeriod,
      [&] {
        if (n.fetch_add(1) == 0) std::this_thread::sleep_for(kStall);  // work, not a wait
      },
      PeriodicOptions{.max_runs = 2});
  ASSERT_TRUE(Eventually([&] { return !h.Active(); }));
  pool.WaitIdle();
  EXPECT_EQ(h.Runs(), 2u);
  EXPECT_GE(h.Missed(), 4u);  // a catch-up schedule would have run them: Missed 0
}

TEST(EveryTest, FixedDelayCountsFromTheEndOfTheLastRun) {
  constexpr auto kPeriod = 10ms;
  constexpr auto kWork = 5ms;
  Pool pool(1, 4);
  std::mutex mu;
  std::vector<std::chrono::steady_clock::time_point> starts, ends;
  PeriodicHandle h = pool.Every(
      kPeriod,
      [&] {
        const auto start = std::chrono::steady_clock::now();
        std::this_thread::sleep_for(kWork);
        std::lock_guard lock(mu);
        starts.push_back(start);
        ends.push_back(std::chrono::steady_clock::now());
      },
      PeriodicOptions{.first_after = 0ns, .fixed_delay = true, .max_runs = 3});
  ASSERT_TRUE(Eventually([&] { return !h.Active(); }));
  pool.WaitIdle();
  std::lock_guard lock(mu);
  ASSERT_EQ(starts.size(), 3u);
  for (std::size_t i = 1; i < starts.size(); ++i) EXPECT_GE(starts[i] - ends[i - 1], kPeriod);
  EXPECT_EQ(h.Missed(), 0u);
}

TEST(EveryTest, CloseStopsThemAndAClosedPoolStartsNone) {
  auto pool = std::make_unique<Pool>(1, 4);
  std::atomic<int> calls{0};
  PeriodicHandle h = pool->Every(1ms, [&] { calls.fetch_add(1); });
  ASSERT_TRUE(Eventually([&] { return h.Runs() >= 1; }));
  pool->Close();
  EXPECT_FALSE(h.Active());
  const int at_close = calls.load();
  PeriodicHandle late = pool->Every(1ms, [&] { calls.fetch_add(1); });
  EXPECT_FALSE(late.Active());
  pool.reset();  // the handles outlive the pool
  EXPECT_EQ(calls.load(), at_close);
  h.Cancel();
  EXPECT_EQ(late.Runs(), 0u);
}

// A Purge may cancel a queued run of a periodic task: a missed run, and the
// schedule goes on (only Cancel, max_runs and Close end it) — never a
// schedule that stays Active() with no run ever again.
TEST(EveryTest, APurgedRunLeavesTheScheduleRunning) {
  Pool pool(1, 4);
  std::atomic<int> calls{0};
  pool.Pause();  // the first run waits in the queue
  PeriodicHandle h = pool.Every(
      1ms, [&] { calls.fetch_add(1); }, PeriodicOptions{.first_after = 0ns});
  // Counted accepted as soon as it is admitted, queued a moment later: purge
  // until Purge finds the run (it is queued once, the pool being paused).
  ASSERT_TRUE(Eventually([&] { return pool.Purge() == 1; }));
  pool.Resume();
  EXPECT_TRUE(Eventually([&] { return calls.load() > 0; }))
      << "Active() " << h.Active() << ", Runs() " << h.Runs();
  EXPECT_TRUE(h.Active());
  EXPECT_GE(h.Missed(), 1u);  // the purged run
}

TEST(EveryTest, NonPositivePeriodThrows) {
  Pool pool(1, 4);
  EXPECT_THROW((void)pool.Every(0ns, [] {}), std::invalid_argument);
  PeriodicHandle empty;
  EXPECT_FALSE(empty.Active());
  empty.Cancel();
}

}  // namespace
}  // namespace litepool
