// Stress: many producers, random outcomes, nothing lost.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include "api/pool_access.hpp"
#include "litepool/litepool.hpp"

#ifndef LITEPOOL_STRESS_SCALE
#define LITEPOOL_STRESS_SCALE 100
#endif

namespace litepool {
namespace {

constexpr int Scaled(int n) { return n * LITEPOOL_STRESS_SCALE / 100; }

TEST(StressTest, RandomOutcomesFromManyProducersAllSettleOnce) {
  constexpr int kProducers = 4;
  const int per = Scaled(50000);
  Pool pool(2, 16);
  TaskGroup tg = pool.NewTaskGroup(kProducers * per);
  std::atomic<int> completes{0}, afters{0}, on_errors{0}, successes{0}, hook_throws{0};
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      std::minstd_rand rng(static_cast<unsigned>(p + 1));
      for (int i = 0; i < per; ++i) {
        const int kind = static_cast<int>(rng() % 5);
        auto tries = std::make_shared<std::atomic<int>>(0);
        auto o = tg.NewTaskOptions()
                     .SetTask([kind, tries]() -> Error {
                       const int n = ++*tries;
                       switch (kind) {
                         case 1:
                           return Error("fail");
                         case 2:
                           throw std::runtime_error("boom");
                         case 3:
                           return n < 3 ? Error("retry") : Error();
                         default:
                           return Error();
                       }
                     })
                     .SetOnSuccess([&] { ++successes; })
                     .SetOnError([&](ErrHandle& h, TaskGroup&, const Error&) {
                       ++on_errors;
                       h.ErrReload(2, [&](const Error&) { ++afters; });
                     })
                     .SetOnComplete([&, kind] {
                       ++completes;
                       if (kind == 4 && (completes & 1023) == 0) {
                         ++hook_throws;
                         throw std::logic_error("hook");
                       }
                     })
                     .SetAutoDone();
        Error e = pool.AddTask(std::move(o));
        if (e) ADD_FAILURE() << e;
      }
    });
  }
  for (auto& t : producers) t.join();
  ASSERT_TRUE(tg.WaitFor(std::chrono::minutes(5)));
  const int total = kProducers * per;
  EXPECT_EQ(completes, total);
  EXPECT_EQ(successes + afters, total);  // every task: exactly one final hook
  EXPECT_EQ(on_errors, afters);
  pool.Close();
  const detail::Accounting a = detail::PoolAccess::Totals(pool);
  EXPECT_EQ(a.accepted, static_cast<std::uint64_t>(total));
  EXPECT_TRUE(a.Balanced());
  EXPECT_EQ(a.callback_errors, static_cast<std::uint64_t>(hook_throws.load()));
  EXPECT_EQ(a.cancelled, 0u);  // nothing here cancels
}

TEST(StressTest, CloseWhileProducersSubmitLosesNothing) {
  for (int round = 0; round < Scaled(20) + 1; ++round) {
    const bool cancel = round % 2 == 1;
    std::atomic<int> accepted{0}, completes{0};
    auto pool = std::make_unique<Pool>(2, 8);
    std::vector<std::thread> producers;
    std::atomic<bool> go{false};
    for (int p = 0; p < 3; ++p) {
      producers.emplace_back([&] {
        while (!go) std::this_thread::yield();
        for (int i = 0; i < 2000; ++i) {
          Error e = pool->AddTask(TaskOptions().SetTask([] {}).SetOnComplete([&] { ++completes; }));
          if (!e) {
            ++accepted;
          } else if (e.Code() != ErrorCode::kClosed) {
            ADD_FAILURE() << e;
          }
        }
      });
    }
    go = true;
    pool->Close(cancel ? CloseMode::kCancelPending : CloseMode::kDrain);
    for (auto& t : producers) t.join();
    const detail::Accounting a = detail::PoolAccess::Totals(*pool);
    EXPECT_TRUE(a.Balanced());
    EXPECT_EQ(a.accepted, static_cast<std::uint64_t>(accepted.load()));
    pool.reset();
    EXPECT_EQ(completes, accepted);
  }
}

// Lost wake-ups: with no spinning, a worker parks right after its queue ran
// dry, the moment the next task is pushed. Each round trip waits for its
// task; a missed wake-up leaves the task queued and the WaitFor fails.
TEST(StressTest, PingPongWithImmediateParkingNeverLosesAWakeup) {
  for (std::size_t workers : {1u, 2u}) {
    Pool pool(PoolOptions{.workers = workers, .queue_capacity = 1, .spin_iterations = 0});
    const int trips = Scaled(100000);
    std::atomic<int> done{0};
    for (int i = 0; i < trips; ++i) {
      ASSERT_FALSE(pool.AddTask(
          TaskOptions().SetTask([&] { done.fetch_add(1, std::memory_order_release); })));
      // Spin (no futex round trip) so the next push races the worker's park.
      const auto guard = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      for (unsigned spin = 1; done.load(std::memory_order_acquire) <= i; ++spin) {
        if (spin % 1024 == 0) {
          ASSERT_LT(std::chrono::steady_clock::now(), guard)
              << "task " << i << " of " << trips << " never ran (" << workers << " workers)";
          std::this_thread::yield();
        }
      }
    }
    pool.Close();
    const detail::Accounting a = detail::PoolAccess::Totals(pool);
    EXPECT_TRUE(a.Balanced());
    EXPECT_EQ(a.succeeded, static_cast<std::uint64_t>(trips));
  }
}

// An endlessly retrying task (ErrReload(-1), no backoff) on the only
// worker must not starve the tasks queued behind it. The queue is not FIFO
// across producers, and the worker thread re-queues the retry through its
// own producer stream: a dequeue that always prefers that stream would
// run the retry for ever and the queued task never (until Close).
TEST(StressTest, EndlessRetryDoesNotStarveQueuedTasks) {
  for (std::size_t capacity : {1u, 4u}) {
    Pool pool(1, capacity);
    std::atomic<bool> others_done{false};
    TaskGroup retrier(1), others(static_cast<std::int64_t>(capacity));
    ASSERT_FALSE(pool.AddTask(
        retrier.NewTaskOptions()
            .SetTask([&] { return others_done ? Error() : Error("not yet"); })
            .SetOnError([](ErrHandle& h, TaskGroup&, const Error&) { h.ErrReload(-1); })
            .SetAutoDone()));
    for (std::size_t i = 0; i < capacity; ++i) {
      ASSERT_FALSE(pool.AddTask(others.NewTaskOptions()
                                    .SetTask([] {})
                                    .SetAddTimeout(std::chrono::seconds(10))
                                    .SetAutoDone()))
          << "no slot for task " << i << " (capacity " << capacity << ")";
    }
    ASSERT_TRUE(others.WaitFor(std::chrono::seconds(10)))
        << others.Pending() << " of " << capacity << " queued tasks starved";
    others_done = true;
    ASSERT_TRUE(retrier.WaitFor(std::chrono::seconds(60)));
    pool.Close();
    EXPECT_TRUE(detail::PoolAccess::Totals(pool).Balanced());
  }
}

}  // namespace
}  // namespace litepool
