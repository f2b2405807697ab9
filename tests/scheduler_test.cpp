// The scheduler's guarantees: helping waits
// are isolated (a wait runs only tasks its own task spawned), a waiter that
// must block gets a spare thread in its place, and the pool is
// work-conserving (no task waits in a queue while a worker sleeps).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <latch>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "litepool/litepool.hpp"
#include "test_util.hpp"

namespace litepool {
namespace {

using testing::kHangGuard;

// N queued tasks, each adds one child and waits
// for it, on 2 workers. A helping wait that runs any queued task nests one
// frame per queued task (4,745 deep for 5,000; a stack overflow at
// 10,000-20,000). Isolated, each wait runs its own child only: depth 1.
TEST(SchedulerTest, EachTaskWaitingOnItsOwnChildDoesNotNest) {
  constexpr int kTasks = 20'000;
  Pool pool(PoolOptions{.workers = 2, .queue_capacity = kTasks});
  TaskGroup all(kTasks);
  // Outer tasks running on one thread at once: 1 unless a wait nests.
  static thread_local int depth = 0;
  std::atomic<int> deepest{0};
  std::atomic<int> children{0};
  for (int i = 0; i < kTasks; ++i) {
    ASSERT_FALSE(pool.AddTask(
        all.NewTaskOptions()
            .SetTask([&] {
              const int d = ++depth;
              int seen = deepest.load();
              while (d > seen && !deepest.compare_exchange_weak(seen, d)) {
              }
              TaskGroup child(1);
              pool.AddTask(child.NewTaskOptions().SetTask([&] { ++children; }).SetAutoDone());
              child.Wait();
              --depth;
            })
            .SetAutoDone()));
  }
  ASSERT_TRUE(all.WaitFor(kHangGuard));
  EXPECT_EQ(children.load(), kTasks);
  // A wait never runs another outer task on its thread.
  EXPECT_EQ(deepest.load(), 1);
}

// A helping waiter that picks up an unrelated task cannot return
// until that task returns; if the task waits for the waiter, both are stuck
// (until a timeout). Isolated, the waiter runs only its own child and
// returns as soon as the child is done; the unrelated task runs after it.
TEST(SchedulerTest, WaiterNeverRunsATaskThatWaitsForIt) {
  Pool pool(1, 8);  // one worker: the waiter is the only thread that could run U
  std::latch waiter_started(1);
  std::latch unrelated_queued(1);
  std::promise<void> waiter_returned;
  std::shared_future<void> returned = waiter_returned.get_future().share();
  std::atomic<bool> unrelated_saw_waiter_done{false};
  TaskGroup tg;  // AddTask(tg, f) adds 1 per task
  ASSERT_FALSE(pool.AddTask(tg, [&] {
    waiter_started.count_down();
    unrelated_queued.wait();  // U is queued on this very worker now
    TaskGroup child;
    pool.AddTask(child, [] {});
    // Helping may run the child only. A helper that ran U would wait here
    // for U, which waits (2 s) for this wait to return.
    child.Wait();
    waiter_returned.set_value();
  }));
  waiter_started.wait();
  ASSERT_FALSE(pool.AddTask(tg, [&] {
    unrelated_saw_waiter_done =
        returned.wait_for(std::chrono::seconds(2)) == std::future_status::ready;
  }));
  unrelated_queued.count_down();
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  EXPECT_TRUE(unrelated_saw_waiter_done);
}

// A wait that must block (its child was stolen, or it waits for a Future of
// another pool's task) while tasks are queued gets a spare thread in its
// place: here the only worker blocks, and the queued tasks still run.
TEST(SchedulerTest, BlockedWaiterGetsASpareThread) {
  Pool pool(1, 16);
  std::promise<void> gate;
  std::shared_future<void> open = gate.get_future().share();
  std::latch blocked_started(1);
  TaskGroup waiter;
  ASSERT_FALSE(pool.AddTask(waiter, [&] {
    blocked_started.count_down();
    // A wait on something no task of this pool will finish: a group that
    // the test thread credits once the queued tasks below have all run.
    TaskGroup outside(1);
    std::thread([outside, open] {
      open.wait();
      outside.Done();
    }).detach();
    outside.Wait();
  }));
  blocked_started.wait();
  TaskGroup queued;
  for (int i = 0; i < 8; ++i) ASSERT_FALSE(pool.AddTask(queued, [] {}));
  // Without a spare the worker is blocked in Wait and these never run.
  EXPECT_TRUE(queued.WaitFor(kHangGuard));
  gate.set_value();
  ASSERT_TRUE(waiter.WaitFor(kHangGuard));
  // The spare's tasks are in the total.
  EXPECT_EQ(pool.Stats().total.executed, 9u);
}

// One spare per blocked waiter, also after Pause/Resume. A Resume that
// woke idle spares as if a waiter had claimed them would make each one
// leave the count of active spares once too often (below zero); a later
// waiter would then get two spares, and they would never retire. Here the single
// worker blocks in a wait while slow tasks are queued: exactly one spare
// thread must run them, however often the pool was paused before.
TEST(SchedulerTest, OneSparePerBlockedWaiterAfterPauseAndResume) {
  Pool pool(1, 64);
  // The worker blocks in a wait; `tasks` slow tasks are queued meanwhile.
  // Returns the threads that ran them.
  auto stand_in = [&pool](int tasks) {
    std::promise<void> gate;
    std::shared_future<void> open = gate.get_future().share();
    std::latch waiting(1);
    TaskGroup waiter;
    EXPECT_FALSE(pool.AddTask(waiter, [&waiting, open] {
      waiting.count_down();
      TaskGroup outside(1);  // credited by the test thread, not by a task
      std::thread([outside, open] {
        open.wait();
        outside.Done();
      }).detach();
      outside.Wait();
    }));
    waiting.wait();
    std::mutex mu;
    std::set<std::thread::id> threads;
    TaskGroup queued;
    for (int i = 0; i < tasks; ++i) {
      EXPECT_FALSE(pool.AddTask(queued, [&mu, &threads] {
        {
          std::lock_guard<std::mutex> lock(mu);
          threads.insert(std::this_thread::get_id());
        }
        const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(2);
        while (std::chrono::steady_clock::now() < until) {
        }
      }));
    }
    EXPECT_TRUE(queued.WaitFor(kHangGuard));
    gate.set_value();
    EXPECT_TRUE(waiter.WaitFor(kHangGuard));
    return threads;
  };
  EXPECT_EQ(stand_in(1).size(), 1u);  // a spare now exists, idle
  for (int i = 0; i < 5; ++i) {
    pool.Pause();
    pool.Resume();
  }
  EXPECT_EQ(stand_in(20).size(), 1u) << "more than one spare stood in for one blocked worker";
}

// Work-conserving: no task waits in a queue while some worker
// of the pool sleeps. Worker A runs a long task; short tasks arrive at
// random moments (the other worker idle, parked, or busy with a short one),
// some from the test thread under every dispatch policy (round-robin and
// random put every other one behind the long task), some spawned by the
// long task itself (they sit on its worker's spawned stack). Each must
// start while the long task still runs.
TEST(SchedulerTest, NoTaskWaitsBehindALongOneWhileAWorkerSleeps) {
  std::mt19937 rng(12345);
  for (const Dispatch policy : {Dispatch::kIdleFirstTwoChoices, Dispatch::kRoundRobin,
                                Dispatch::kRandom, Dispatch::kLeastLoaded}) {
    Pool pool(
        PoolOptions{.workers = 2, .queue_capacity = 64, .spin_iterations = 16, .dispatch = policy});
    std::latch long_started(1);
    std::promise<void> end_long;
    std::shared_future<void> long_may_end = end_long.get_future().share();
    std::atomic<bool> long_running{true};
    std::atomic<int> started_during_long{0};
    std::atomic<int> started_after_long{0};
    auto short_task = [&] { (long_running ? started_during_long : started_after_long)++; };
    constexpr int kFromOutside = 40;
    constexpr int kSpawned = 10;
    TaskGroup shorts;
    // How many tasks the long task may spawn by now (a condition variable:
    // released one by one below, never all at once).
    std::mutex spawn_mu;
    std::condition_variable spawn_cv;
    int spawn_permits = 0;
    TaskGroup long_group;
    ASSERT_FALSE(pool.AddTask(long_group, [&] {
      long_started.count_down();
      for (int i = 0; i < kSpawned; ++i) {
        {
          std::unique_lock lock(spawn_mu);
          spawn_cv.wait(lock, [&] { return spawn_permits > i; });
        }
        pool.AddTask(shorts, short_task);
        // The test thread waits for this one to start before the next.
      }
      long_may_end.wait();
      long_running = false;
    }));
    long_started.wait();
    // On a failed ASSERT below: let the long task end, or the pool's
    // destructor would wait for it.
    auto allow_spawn = [&](int n) {
      std::lock_guard lock(spawn_mu);
      spawn_permits = n;
      spawn_cv.notify_all();
    };
    struct EndLongTask {
      std::promise<void>& end;
      std::function<void(int)> allow;
      bool ended = false;
      ~EndLongTask() {
        if (!ended) {
          allow(kSpawned);
          end.set_value();
        }
      }
    } guard{end_long, allow_spawn};
    auto pause = [&] {
      // Random moments, not synchronisation: 0-2 ms of doing nothing.
      const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(rng() % 2000);
      while (std::chrono::steady_clock::now() < until) std::this_thread::yield();
    };
    int expected = 0;
    for (int i = 0; i < kFromOutside + kSpawned; ++i) {
      pause();
      if (i % 5 == 4) {
        allow_spawn(i / 5 + 1);  // the long task spawns the next one
      } else {
        ASSERT_FALSE(pool.AddTask(shorts, short_task));
      }
      ++expected;
      // A task stranded behind the long one never starts: the long task
      // ends only after this loop.
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (started_during_long.load() < expected && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::yield();
      }
      ASSERT_EQ(started_during_long.load(), expected)
          << "policy " << static_cast<int>(policy) << ", task " << i
          << " waited behind the long task while a worker slept";
    }
    guard.ended = true;
    end_long.set_value();
    ASSERT_TRUE(shorts.WaitFor(kHangGuard));
    ASSERT_TRUE(long_group.WaitFor(kHangGuard));
    EXPECT_EQ(started_after_long.load(), 0);
  }
}

}  // namespace
}  // namespace litepool
