// Map: input order, move-only results, concurrency, first exception.
#include "litepool/map.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
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
  const std::vector<long> out = Map(
      inputs, [](const int& x) { return static_cast<long>(x) * x; }, MapOptions{0, &pool});
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
  std::vector<std::unique_ptr<int>> out =
      Map(inputs, [](const int& x) { return std::make_unique<int>(x * 10); }, {.pool = &pool});
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
  EXPECT_THAT(Map({1, 2, 3}, [](int x) { return x + 1; }), ::testing::ElementsAre(2, 3, 4));
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
  const std::vector<bool> met = Map(inputs,
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
    Map(inputs,
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
  EXPECT_THROW(Map(inputs,
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
                                  out = Map({1, 2, 3}, [](int x) { return -x; }, {.pool = &pool});
                                })
                                .SetAutoDone()));
  ASSERT_TRUE(tg.WaitFor(testing::kHangGuard));
  EXPECT_THAT(out, ::testing::ElementsAre(-1, -2, -3));
}

TEST(MapTest, PoolMayBeGivenByPointerOrReference) {
  Pool pool(2, 8);
  const std::vector<int> inputs{1, 2};
  EXPECT_EQ(Map(
                inputs, [](int x) { return x; }, MapOptions{2, &pool})
                .size(),
            2u);
  EXPECT_EQ(Map(
                inputs, [](int x) { return x; }, MapOptions{.pool = pool})
                .size(),
            2u);
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
      returned = Map({1, 2, 3, 4},
                     [&](int x) {
                       ++calls;
                       return std::vector<int>(static_cast<std::size_t>(x), x);
                     },
                     {.pool = &pool})
                     .size();
    } catch (const TaskError&) {
      threw = true;
    }
  });
  EXPECT_TRUE(threw);
  EXPECT_EQ(returned, 0u);
  EXPECT_EQ(calls.load(), 0);
}

// One failure channel: a refusal is a TaskError whose Cause() says why.
TEST(MapTest, ClosedPoolThrowsTaskErrorClosed) {
  Pool pool(1, 4);
  pool.Close();
  try {
    (void)Map({1}, [](int x) { return x; }, {.pool = &pool});
    ADD_FAILURE() << "Map on a closed pool returned";
  } catch (const TaskError& e) {
    EXPECT_EQ(e.Cause().Code(), ErrorCode::kClosed) << e.what();
  }
}

TEST(MapTest, NullFnThrowsInvalidArgument) {
  Pool pool(1, 4);
  int (*null_fn)(const int&) = nullptr;
  EXPECT_THROW((void)Map({1, 2}, null_fn, {.pool = &pool}), std::invalid_argument);
  std::function<int(const int&)> empty;
  EXPECT_THROW((void)Map({1, 2}, empty, {.pool = &pool}), std::invalid_argument);
}

// A result that counts how it was made after fn returned it.
struct Counted {
  explicit Counted(int v) : value(v) {}
  Counted(const Counted& o) : value(o.value), copies(o.copies + 1), moves(o.moves) {}
  Counted(Counted&& o) noexcept : value(o.value), copies(o.copies), moves(o.moves + 1) {}
  Counted& operator=(const Counted&) = delete;
  Counted& operator=(Counted&&) = delete;
  int value;
  int copies = 0;
  int moves = 0;
};

// Each result is built in place from fn's return value and moved once into
// the returned vector: no copy, no second move.
TEST(MapTest, EachResultIsBuiltInPlaceAndMovedOnce) {
  Pool pool(2, 8);
  std::vector<int> in(100);
  for (int i = 0; i < 100; ++i) in[static_cast<std::size_t>(i)] = i;
  const std::vector<Counted> out =
      Map(in, [](const int& x) { return Counted(x); }, {.pool = &pool});
  ASSERT_EQ(out.size(), in.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].value, static_cast<int>(i));
    EXPECT_EQ(out[i].copies, 0) << i;
    EXPECT_EQ(out[i].moves, 1) << i;
  }
}

// A result type with a noexcept default constructor and move assignment
// is assigned straight into the returned vector: one move, from fn's
// return value into its element.
struct Assignable {
  Assignable() noexcept = default;
  explicit Assignable(int v) noexcept : value(v) {}
  Assignable(const Assignable& o) noexcept : value(o.value), copies(o.copies + 1), moves(o.moves) {}
  Assignable(Assignable&& o) noexcept : value(o.value), copies(o.copies), moves(o.moves + 1) {}
  Assignable& operator=(const Assignable& o) noexcept {
    value = o.value;
    copies = o.copies + 1;
    moves = o.moves;
    return *this;
  }
  Assignable& operator=(Assignable&& o) noexcept {
    value = o.value;
    copies = o.copies;
    moves = o.moves + 1;
    return *this;
  }
  int value = -1;
  int copies = 0;
  int moves = 0;
};

TEST(MapTest, AssignableResultsAreMovedOnceIntoTheResult) {
  Pool pool(2, 8);
  std::vector<int> in(1000);
  for (int i = 0; i < 1000; ++i) in[static_cast<std::size_t>(i)] = i;
  const std::vector<Assignable> out =
      Map(in, [](const int& x) { return Assignable(x); }, {.pool = &pool});
  ASSERT_EQ(out.size(), in.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].value, static_cast<int>(i));
    EXPECT_EQ(out[i].copies, 0) << i;
    EXPECT_EQ(out[i].moves, 1) << i;
  }
}

// std::vector<bool> packs its elements: results written into it by several
// threads at once would race on shared words (the TSan build reports it,
// and a lost write flips a result). Every result must be right.
TEST(MapTest, BoolResultsAreEachRight) {
  Pool pool(4, 16);
  std::vector<int> in(100000);
  for (int i = 0; i < 100000; ++i) in[static_cast<std::size_t>(i)] = i;
  const std::vector<bool> out =
      Map(in, [](const int& x) { return x % 3 == 0; }, {.pool = &pool, .grain = 7});
  ASSERT_EQ(out.size(), in.size());
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < out.size(); ++i) wrong += out[i] != (i % 3 == 0) ? 1 : 0;
  EXPECT_EQ(wrong, 0u);
}

}  // namespace
}  // namespace litepool
