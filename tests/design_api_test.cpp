// The second-wave API as a user spells it: only <litepool/litepool.hpp> and the
// documented names (Future, Submit, SubmitOptions, TaskError, ParallelFor,
// ForOptions, Map's grain, CoTask, SyncWait, Spawn, Schedule, WaitAsync).
// If a name or a signature drifts from the documented one, this file stops
// compiling.
#include <litepool/litepool.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <stop_token>
#include <vector>

namespace {

litepool::CoTask<int> Twice(litepool::Pool& pool, int x) {
  co_await pool.Schedule();
  litepool::Future<int> f = pool.Submit([x] { return 2 * x; });
  co_return co_await f;
}

litepool::CoTask<int> SumOfTwice(litepool::Pool& pool, litepool::TaskGroup tg) {
  int sum = co_await Twice(pool, 3) + co_await Twice(pool, 4);
  co_await tg.WaitAsync();
  co_return sum;
}

TEST(DesignApiTest, SecondWaveNamesCompileAndRunAsSpelled) {
  litepool::Pool pool(litepool::PoolOptions{.workers = 2});

  // Future / Submit, move-only capture and result, SubmitOptions.
  auto owned = std::make_unique<int>(20);
  litepool::Future<std::unique_ptr<int>> moved =
      pool.Submit([p = std::move(owned)]() mutable { return std::move(p); },
                  litepool::SubmitOptions{.add_timeout = std::chrono::seconds(5)});
  EXPECT_FALSE(litepool::Future<int>().Valid());
  EXPECT_EQ(*moved.Get(), 20);

  litepool::Future<void> failed =
      pool.Submit([] { return litepool::Error("no", litepool::ErrorCode::kFailed); });
  try {
    failed.Get();
    ADD_FAILURE() << "Get of a failed task returned";
  } catch (const litepool::TaskError& e) {
    EXPECT_EQ(e.Cause().Code(), litepool::ErrorCode::kFailed);
  }
  std::stop_source stop;
  litepool::Future<bool> token = pool.Submit([](std::stop_token t) { return t.stop_possible(); },
                                             litepool::SubmitOptions{.stop = stop.get_token()});
  EXPECT_TRUE(token.Get());

  // ParallelFor (index and chunk forms, mixed integral types) and Map's grain.
  std::vector<std::atomic<int>> hits(1000);
  litepool::ParallelFor(
      0, std::size_t{1000}, [&](std::size_t i) { hits[i]++; },
      litepool::ForOptions{.pool = pool, .grain = 64});
  std::atomic<long> chunked{0};
  litepool::ParallelFor(
      short{0}, 1000L, [&](long b, long e) { chunked += e - b; },
      litepool::ForOptions{.pool = &pool});
  for (auto& h : hits) EXPECT_EQ(h.load(), 1);
  EXPECT_EQ(chunked.load(), 1000);
  const std::vector<int> in{1, 2, 3};
  const std::vector<int> out = litepool::Map(
      in, [](const int& v) { return v * v; }, litepool::MapOptions{.grain = 2});
  EXPECT_EQ(out, (std::vector<int>{1, 4, 9}));

  // Coroutines: Spawn, SyncWait, Schedule, co_await Future and CoTask, WaitAsync.
  litepool::TaskGroup tg;
  EXPECT_EQ(pool.AddTask(tg, [] {}).Code(), litepool::ErrorCode::kOk);
  litepool::Future<int> spawned = pool.Spawn(SumOfTwice(pool, tg));
  EXPECT_EQ(spawned.Get(), 14);
  EXPECT_EQ(litepool::SyncWait(Twice(pool, 5)), 10);
}

}  // namespace
