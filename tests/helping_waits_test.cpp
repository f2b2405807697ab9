// The helping waits listed in pool.hpp ("Waits on a worker thread"), each
// called from the only worker of a pool for work its own task added to that
// pool: each returns (it runs that work itself), and none runs an unrelated
// task that was queued on the pool before it (a spare thread may, or the
// worker once the wait is over).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "litepool/coro.hpp"
#include "litepool/litepool.hpp"
#include "test_util.hpp"

namespace litepool {
namespace {

// Read through a volatile pointer: clang may cache get_id() across the
// co_await of a coroutine that moved threads (see coro.hpp).
std::thread::id (*volatile current_thread)() = &std::this_thread::get_id;

// Runs `wait` inside a task on the only worker of a fresh pool, after an
// unrelated task was queued behind that task. `wait(pool)` must return only
// once work that it added to the pool has run. Checks that it returned
// (bounded: a deadlock stops the program with a failure) and that the
// unrelated task ran on another thread (a spare), not inside the wait.
void CheckHelpingWait(const char* name, const std::function<void(Pool&)>& wait) {
  Pool pool(1, 8);
  std::latch waiter_running(1), unrelated_queued(1);
  std::thread::id waiter_thread;
  std::atomic<bool> waiting{false};
  std::atomic<bool> ran_inside_the_wait{false};
  Future<void> outer = pool.Submit([&] {
    waiter_thread = current_thread();
    waiter_running.count_down();
    unrelated_queued.wait();
    waiting = true;
    wait(pool);
    waiting = false;
  });
  waiter_running.wait();
  // After the wait the worker runs it anyway: only a run on the waiting
  // thread while it waits breaks the contract.
  Future<void> unrelated = pool.Submit([&] {
    if (waiting.load() && current_thread() == waiter_thread) ran_inside_the_wait = true;
  });
  unrelated_queued.count_down();
  if (!outer.WaitFor(testing::kHangGuard) || !unrelated.WaitFor(testing::kHangGuard)) {
    std::fprintf(stderr, "%s: a helping wait on the only worker deadlocked\n", name);
    std::fflush(stderr);
    std::_Exit(1);
  }
  outer.Get();
  unrelated.Get();
  EXPECT_FALSE(ran_inside_the_wait.load()) << name << " ran an unrelated task";
}

TEST(HelpingWaitsTest, TaskGroupWait) {
  CheckHelpingWait("TaskGroup::Wait", [](Pool& pool) {
    TaskGroup tg(1);
    std::atomic<bool> ran{false};
    pool.AddTask(tg.NewTaskOptions().SetTask([&ran] { ran = true; }).SetAutoDone());
    tg.Wait();
    EXPECT_TRUE(ran.load());
  });
}

TEST(HelpingWaitsTest, TaskGroupWaitFor) {
  CheckHelpingWait("TaskGroup::WaitFor", [](Pool& pool) {
    TaskGroup tg(1);
    pool.AddTask(tg.NewTaskOptions().SetTask([] {}).SetAutoDone());
    EXPECT_TRUE(tg.WaitFor(testing::kHangGuard));
  });
}

TEST(HelpingWaitsTest, FutureGetWaitAndWaitFor) {
  CheckHelpingWait("Future::Get/Wait/WaitFor", [](Pool& pool) {
    Future<int> a = pool.Submit([] { return 1; });
    Future<int> b = pool.Submit([] { return 2; });
    Future<int> c = pool.Submit([] { return 3; });
    b.Wait();
    EXPECT_TRUE(c.WaitFor(testing::kHangGuard));
    EXPECT_EQ(a.Get() + b.Get() + c.Get(), 6);
  });
}

TEST(HelpingWaitsTest, ParallelFor) {
  CheckHelpingWait("ParallelFor", [](Pool& pool) {
    std::atomic<int> sum{0};
    ParallelFor(
        0, 8, [&sum](int i) { sum += i; }, ForOptions{.pool = pool, .grain = 1});
    EXPECT_EQ(sum.load(), 28);
  });
}

TEST(HelpingWaitsTest, Map) {
  CheckHelpingWait("Map", [](Pool& pool) {
    const std::vector<int> out = Map({1, 2, 3}, [](int x) { return 2 * x; }, {.pool = pool});
    EXPECT_EQ(out, (std::vector<int>{2, 4, 6}));
  });
}

TEST(HelpingWaitsTest, ErrGroupWait) {
  CheckHelpingWait("ErrGroup::Wait", [](Pool& pool) {
    ErrGroup group(pool);
    std::atomic<int> ran{0};
    for (int i = 0; i < 3; ++i) group.Go([&ran] { ++ran; });
    EXPECT_FALSE(group.Wait());
    EXPECT_EQ(ran.load(), 3);
  });
}

TEST(HelpingWaitsTest, AlloterExec) {
  CheckHelpingWait("Alloter::Exec", [](Pool& pool) {
    std::atomic<int> ran{0};
    const Error err = Alloter::WithPool(pool).Exec([&ran] { ++ran; }, [&ran] { ++ran; });
    EXPECT_FALSE(err) << err;
    EXPECT_EQ(ran.load(), 2);
  });
}

TEST(HelpingWaitsTest, SyncWait) {
  CheckHelpingWait("SyncWait", [](Pool& pool) {
    auto co = [&pool]() -> CoTask<int> {
      co_await pool.Schedule();
      co_return 5;
    };
    EXPECT_EQ(SyncWait(co()), 5);
  });
}

TEST(HelpingWaitsTest, WaitIdleAndWaitIdleFor) {
  CheckHelpingWait("Pool::WaitIdle/WaitIdleFor", [](Pool& pool) {
    std::atomic<int> ran{0};
    pool.AddTask(TaskOptions().SetTask([&ran] { ++ran; }));
    EXPECT_TRUE(pool.WaitIdleFor(testing::kHangGuard));
    pool.AddTask(TaskOptions().SetTask([&ran] { ++ran; }));
    pool.WaitIdle();
    EXPECT_EQ(ran.load(), 2);
  });
}

}  // namespace
}  // namespace litepool
