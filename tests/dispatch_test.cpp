// Dispatch policies (PoolOptions::dispatch): every policy settles every task
// exactly once, round-robin spreads tasks evenly, least-loaded picks the
// emptiest queue. Placement is checked while every worker is held by a
// blocking task, so no worker steals and each queue's count is exact.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <latch>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "litepool/litepool.hpp"
#include "test_util.hpp"

namespace litepool {
namespace {

using testing::Blocker;
using testing::kHangGuard;

std::string PolicyName(Dispatch d) {
  switch (d) {
    case Dispatch::kIdleFirstTwoChoices:
      return "IdleFirstTwoChoices";
    case Dispatch::kRoundRobin:
      return "RoundRobin";
    case Dispatch::kRandom:
      return "Random";
    case Dispatch::kLeastLoaded:
      return "LeastLoaded";
  }
  return "unknown";
}

std::vector<std::size_t> QueuedPerWorker(const Pool& pool) {
  std::vector<std::size_t> q;
  for (const WorkerUsage& w : pool.Stats().workers) q.push_back(w.queued);
  return q;
}

// Tasks that each block on their own latch; records the order they started.
class HeldTasks {
 public:
  explicit HeldTasks(std::size_t n) : released_(n, false) {
    for (std::size_t i = 0; i < n; ++i) release_.push_back(std::make_shared<std::latch>(1));
  }
  ~HeldTasks() { ReleaseAll(); }
  TaskOptions Task(std::size_t i) {
    return TaskOptions().SetTask([this, i, release = release_[i]] {
      {
        std::lock_guard lock(mu_);
        started_.push_back(i);
      }
      cv_.notify_all();
      release->wait();
    });
  }
  // Blocks until `n` of the tasks have started; returns the last one.
  std::size_t WaitStarted(std::size_t n) {
    std::unique_lock lock(mu_);
    EXPECT_TRUE(cv_.wait_for(lock, kHangGuard, [&] { return started_.size() >= n; }));
    return started_.empty() ? 0 : started_.back();
  }
  void Release(std::size_t i) {
    if (!released_.at(i)) release_[i]->count_down();
    released_[i] = true;
  }
  void ReleaseAll() {
    for (std::size_t i = 0; i < release_.size(); ++i) Release(i);
  }

 private:
  std::vector<bool> released_;
  std::vector<std::shared_ptr<std::latch>> release_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::size_t> started_;
};

class DispatchPolicyTest : public ::testing::TestWithParam<Dispatch> {};

TEST_P(DispatchPolicyTest, SettlesEveryTaskExactlyOnceWithHooksRetriesAndGroups) {
  constexpr int kTasks = 600;  // AddTask one by one
  constexpr int kBatch = 6;    // and AddTaskGroup (capacity 3 x 4 = 12)
  constexpr int kBatches = 20;
  constexpr int kAll = kTasks + kBatch * kBatches;
  TaskGroup tg(kAll);
  std::vector<std::atomic<int>> runs(kAll), completes(kAll), afters(kAll), successes(kAll);
  // Declared after what its tasks use: it drains before they go away.
  Pool pool(PoolOptions{.workers = 3, .queue_capacity = 4, .dispatch = GetParam()});
  auto options = [&](int i) {
    // Every third task fails its first two runs and retries (up to 3 times).
    return tg.NewTaskOptions()
        .SetTask([&, i]() -> Error {
          const int run = runs[i].fetch_add(1);
          return (i % 3 == 0 && run < 2) ? Error("not yet") : Error();
        })
        .SetOnSuccess([&, i] { successes[i].fetch_add(1); })
        .SetOnError([&, i](ErrHandle& h, const Error&) {
          h.ErrReload(3, [&, i](const Error& e) {
            EXPECT_FALSE(e) << "task " << i;
            afters[i].fetch_add(1);
          });
        })
        .SetOnComplete([&, i] { completes[i].fetch_add(1); })
        .SetAutoDone();
  };
  for (int i = 0; i < kTasks; ++i) ASSERT_FALSE(pool.AddTask(options(i)));
  for (int b = 0; b < kBatches; ++b) {
    std::vector<TaskOptions> batch;
    for (int j = 0; j < kBatch; ++j) batch.push_back(options(kTasks + b * kBatch + j));
    ASSERT_FALSE(pool.AddTaskGroup(std::move(batch)));
  }
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  for (int i = 0; i < kAll; ++i) {
    ASSERT_EQ(completes[i].load(), 1) << "task " << i;
    ASSERT_EQ(runs[i].load(), i % 3 == 0 ? 3 : 1) << "task " << i;
    ASSERT_EQ(afters[i].load(), i % 3 == 0 ? 1 : 0) << "task " << i;
    ASSERT_EQ(successes[i].load(), i % 3 == 0 ? 0 : 1) << "task " << i;
  }
  EXPECT_TRUE(tg.Errors().empty());
  const UsageReport r = pool.Stats();
  const std::uint64_t retries = 2 * static_cast<std::uint64_t>((kAll + 2) / 3);
  EXPECT_EQ(r.total.executed, static_cast<std::uint64_t>(kAll) + retries);
  EXPECT_EQ(r.total.retried, retries);
  EXPECT_EQ(r.total.succeeded, static_cast<std::uint64_t>(kAll));
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, DispatchPolicyTest,
                         ::testing::Values(Dispatch::kIdleFirstTwoChoices, Dispatch::kRoundRobin,
                                           Dispatch::kRandom, Dispatch::kLeastLoaded),
                         [](const auto& info) { return PolicyName(info.param); });

// Holds every worker with a running Blocker: nothing is stolen or run, so
// each worker's queued count is exactly what dispatch put there.
std::vector<std::unique_ptr<Blocker>> HoldAll(Pool& pool) {
  std::vector<std::unique_ptr<Blocker>> held;
  for (std::size_t w = 0; w < pool.Workers(); ++w) {
    held.push_back(std::make_unique<Blocker>());
    held.back()->AddTo(pool);  // returns once it runs: one more worker held
  }
  return held;
}

TEST(DispatchTest, RoundRobinSpreadsKTasksToEachWorker) {
  constexpr std::size_t kWorkers = 4, kPerWorker = 5;
  Pool pool(PoolOptions{
      .workers = kWorkers, .queue_capacity = kPerWorker, .dispatch = Dispatch::kRoundRobin});
  auto held = HoldAll(pool);
  TaskGroup tg(kWorkers * kPerWorker);
  std::vector<std::size_t> previous(kWorkers, 0);
  std::size_t last = kWorkers;  // none yet
  for (std::size_t i = 0; i < kWorkers * kPerWorker; ++i) {
    ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions().SetTask([] {}).SetAutoDone()));
    // Workers in turn: each add lands on the worker after the previous one.
    const std::vector<std::size_t> now = QueuedPerWorker(pool);
    std::size_t changed = kWorkers;
    for (std::size_t w = 0; w < kWorkers; ++w) {
      if (now[w] == previous[w] + 1) changed = w;
    }
    ASSERT_LT(changed, kWorkers) << "add " << i;
    if (last < kWorkers) {
      ASSERT_EQ(changed, (last + 1) % kWorkers) << "add " << i;
    }
    last = changed;
    previous = now;
  }
  EXPECT_EQ(QueuedPerWorker(pool), std::vector<std::size_t>(kWorkers, kPerWorker));
  for (auto& b : held) b->Release();
  EXPECT_TRUE(tg.WaitFor(kHangGuard));
}

TEST(DispatchTest, LeastLoadedPicksTheEmptiestQueue) {
  constexpr std::size_t kWorkers = 4, kPerWorker = 4;
  HeldTasks tasks(kWorkers * kPerWorker);  // outlives the pool: its tasks use it
  Pool pool(PoolOptions{
      .workers = kWorkers, .queue_capacity = kPerWorker, .dispatch = Dispatch::kLeastLoaded});
  // Released before the pool drains, also when an assertion returns early.
  struct ReleaseAtExit {
    HeldTasks& tasks;
    ~ReleaseAtExit() { tasks.ReleaseAll(); }
  } release_at_exit{tasks};
  auto held = HoldAll(pool);
  // Equal loads: each add goes to a least-loaded queue, so they end equal.
  for (std::size_t i = 0; i < kWorkers * kPerWorker; ++i) {
    ASSERT_FALSE(pool.AddTask(tasks.Task(i)));
    const std::vector<std::size_t> q = QueuedPerWorker(pool);
    ASSERT_LE(*std::max_element(q.begin(), q.end()) - *std::min_element(q.begin(), q.end()), 1u)
        << "add " << i;
  }
  ASSERT_EQ(QueuedPerWorker(pool), std::vector<std::size_t>(kWorkers, kPerWorker));

  // Free one worker W: it runs its own queue first and is held again by
  // each task; release two of them, so W runs a third and has 1 task queued
  // while the others have 4.
  held[0]->Release();
  for (std::size_t started = 1; started <= 3; ++started) {
    const std::size_t running = tasks.WaitStarted(started);
    if (started < 3) tasks.Release(running);
  }
  std::vector<std::size_t> q = QueuedPerWorker(pool);
  const auto w = static_cast<std::size_t>(std::min_element(q.begin(), q.end()) - q.begin());
  std::vector<std::size_t> expected(kWorkers, kPerWorker);
  expected[w] = kPerWorker - 3;  // W ran two tasks and runs a third
  ASSERT_EQ(q, expected);

  // The next three adds must all go to W (no other policy does that surely).
  TaskGroup tg(3);
  for (int i = 0; i < 3; ++i) {
    ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions().SetTask([] {}).SetAutoDone()));
    ++expected[w];
    ASSERT_EQ(QueuedPerWorker(pool), expected) << "add " << i << ", emptiest worker " << w;
  }
  tasks.ReleaseAll();
  for (auto& b : held) b->Release();
  EXPECT_TRUE(tg.WaitFor(kHangGuard));
}

}  // namespace
}  // namespace litepool
