// Composed work: Future::Then, WhenAll, WhenAny.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "api/pool_access.hpp"
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
  Future<void> f = pool.Submit([] { return 1; }).Then([](int) {
    return Error("no", ErrorCode::kFailed);
  });
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
  Future<int> f = pool.Submit([]() -> int { throw std::runtime_error("boom"); })
                      .Then([&](int v) {
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
  Future<int> chained = std::move(outcome).Then([](int v) { return v + 1; }).Then([](int v) {
    return v + 1;
  });
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

TEST(ThenTest, NeverRunsInlineInTheSettlingThreadNorInThen) {
  Pool pool(1, 8);
  Future<int> ready = pool.Submit([] { return 1; });
  ready.Wait();
  const std::thread::id caller = std::this_thread::get_id();
  Future<std::thread::id> f =
      std::move(ready).Then([](int) { return std::this_thread::get_id(); });
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
  Future<int> f = std::move(first).Then([](int v) { return v; }, SubmitOptions{.stop = stop.get_token()});
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
  Future<std::unique_ptr<int>> f =
      pool.Submit([] { return std::make_unique<int>(3); })
          .Then([o = std::move(owned)](std::unique_ptr<int> p) { return std::make_unique<int>(*p + *o); });
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

  auto [a, b] = WhenAll(pool.Submit([] { return 1; }), pool.Submit([] { return std::string("x"); })).Get();
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

}  // namespace
}  // namespace litepool
