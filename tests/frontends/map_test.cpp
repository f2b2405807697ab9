// Map: input order, move-only results, concurrency, first exception.
#include "litepool/map.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <list>
#include <memory>
#include <ranges>
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

TEST(MapTest, ResultsAreInInputOrder) {
  Pool pool(4, 16);
  std::vector<int> inputs;
  for (int i = 0; i < 200; ++i) inputs.push_back(i);
  const std::vector<long> out =
      Map(inputs, [](const int& x) { return static_cast<long>(x) * x; },
          MapOptions{0, &pool});
  ASSERT_EQ(out.size(), inputs.size());
  for (int i = 0; i < 200; ++i) EXPECT_EQ(out[i], static_cast<long>(i) * i);
}

TEST(MapTest, EmptyInputGivesEmptyResult) {
  const std::vector<std::string> none;
  EXPECT_TRUE(Map(none, [](const std::string& s) { return s.size(); }).empty());
}

TEST(MapTest, MoveOnlyResults) {
  Pool pool(2, 8);
  const std::vector<int> inputs{1, 2, 3, 4};
  std::vector<std::unique_ptr<int>> out = Map(
      inputs, [](const int& x) { return std::make_unique<int>(x * 10); },
      {.pool = &pool});
  ASSERT_EQ(out.size(), 4u);
  for (std::size_t i = 0; i < out.size(); ++i) EXPECT_EQ(*out[i], inputs[i] * 10);
}

struct NoDefault {
  explicit NoDefault(int v) : value(v) {}
  int value;
};

TEST(MapTest, ResultsNeedNoDefaultConstructor) {
  const std::vector<int> inputs{5, 6};
  const std::vector<NoDefault> out = Map(inputs, [](int x) { return NoDefault(x); });
  EXPECT_EQ(out[0].value, 5);
  EXPECT_EQ(out[1].value, 6);
}

TEST(MapTest, AcceptsListsBracedListsAndViews) {
  const std::list<std::string> words{"a", "bb", "ccc"};
  EXPECT_THAT(Map(words, [](const std::string& w) { return w.size(); }),
              ::testing::ElementsAre(1u, 2u, 3u));
  EXPECT_THAT(Map({1, 2, 3}, [](int x) { return x + 1; }),
              ::testing::ElementsAre(2, 3, 4));
#if !defined(__clang__) || __clang_major__ >= 16
  // (clang before 16 cannot compile libstdc++'s views.)
  EXPECT_THAT(Map(std::views::iota(0, 4), [](int x) { return x * 2; }),
              ::testing::ElementsAre(0, 2, 4, 6));
#endif
}

TEST(MapTest, ConcurrencyIsNeverExceededAndIsReached) {
  Pool pool(4, 64);
  std::vector<int> inputs;
  for (int i = 0; i < 40; ++i) inputs.push_back(i);
  HighWater hw;
  TimedLatch first_two(2);
  const std::vector<bool> met = Map(
      inputs,
      [&](int i) {
        hw.Enter();
        const bool ok = i >= 2 || first_two.ArriveAndWait();
        hw.Leave();
        return ok;
      },
      {.concurrency = 2, .pool = &pool});
  EXPECT_THAT(met, ::testing::Each(true));
  EXPECT_EQ(hw.Max(), 2);
}

struct FetchError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

TEST(MapTest, FirstExceptionStopsInputsNotStartedAndIsRethrown) {
  Pool pool(4, 16);
  std::vector<int> inputs;
  for (int i = 0; i < 20; ++i) inputs.push_back(i);
  std::atomic<int> calls{0};
  try {
    Map(
        inputs,
        [&](int i) {
          ++calls;
          if (i == 0) throw FetchError("input 0 failed");
          return i;
        },
        {.concurrency = 1, .pool = &pool});
    FAIL() << "Map did not throw";
  } catch (const FetchError& e) {
    EXPECT_STREQ(e.what(), "input 0 failed");
  }
  EXPECT_EQ(calls.load(), 1);
}

TEST(MapTest, RethrowsOnlyAfterRunningCallsReturned) {
  Pool pool(2, 8);
  const std::vector<int> inputs{0, 1};
  TimedLatch started(1);
  std::atomic<bool> slow_done{false};
  EXPECT_THROW(Map(
                   inputs,
                   [&](int i) {
                     if (i == 0) {
                       started.CountDown();
                       std::this_thread::sleep_for(20ms);  // simulated work
                       slow_done = true;
                       return i;
                     }
                     started.Wait();
                     throw FetchError("fast failure");
                   },
                   {.pool = &pool}),
               FetchError);
  EXPECT_TRUE(slow_done.load());
}

TEST(MapTest, MapInsideATaskHelps) {
  Pool pool(1, 8);  // the outer task occupies the only worker
  TaskGroup tg(1);
  std::vector<int> out;
  ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                .SetTask([&] {
                                  out = Map({1, 2, 3}, [](int x) { return -x; },
                                            {.pool = &pool});
                                })
                                .SetAutoDone()));
  ASSERT_TRUE(tg.WaitFor(testing::kHangGuard));
  EXPECT_THAT(out, ::testing::ElementsAre(-1, -2, -3));
}

TEST(MapTest, PoolMayBeGivenByPointerOrReference) {
  Pool pool(2, 8);
  const std::vector<int> inputs{1, 2};
  EXPECT_EQ(Map(inputs, [](int x) { return x; }, MapOptions{2, &pool}).size(), 2u);
  EXPECT_EQ(Map(inputs, [](int x) { return x; }, MapOptions{.pool = pool}).size(), 2u);
  EXPECT_EQ(pool.Stats().total.executed, 4u);
  EXPECT_EQ(MapOptions{}.pool.get(), nullptr);
  EXPECT_EQ(&MapOptions{}.pool.Resolve(), &DefaultPool());
}

// Inputs the pool cancels without calling fn make Map
// throw; it never returns results that were never computed.
TEST(MapTest, InputsCancelledByThePoolMakeMapThrow) {
  Pool pool(1, 8);
  std::atomic<int> calls{0};
  bool threw = false;
  std::size_t returned = 0;
  testing::CancelPendingWhileQueued(pool, 4, [&] {
    try {
      returned = Map({1, 2, 3, 4}, [&](int x) {
                   ++calls;
                   return std::vector<int>(static_cast<std::size_t>(x), x);
                 }, {.pool = &pool}).size();
    } catch (const std::runtime_error&) {
      threw = true;
    }
  });
  EXPECT_TRUE(threw);
  EXPECT_EQ(returned, 0u);
  EXPECT_EQ(calls.load(), 0);
}

TEST(MapTest, ClosedPoolThrowsRuntimeError) {
  Pool pool(1, 4);
  pool.Close();
  EXPECT_THROW(Map({1}, [](int x) { return x; }, {.pool = &pool}),
               std::runtime_error);
}

}  // namespace
}  // namespace litepool
