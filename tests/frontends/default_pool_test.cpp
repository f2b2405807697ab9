// DefaultPool(): one lazily made pool of hardware_concurrency workers that
// stays usable until the process ends — also from static destructors.
#include "litepool/default_pool.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "litepool/litepool.hpp"

namespace litepool {
namespace {

TEST(DefaultPoolTest, EveryCallReturnsTheSamePool) {
  Pool* seen[4] = {};
  std::vector<std::thread> threads;
  for (auto& s : seen) threads.emplace_back([&s] { s = &DefaultPool(); });
  for (auto& t : threads) t.join();
  for (Pool* p : seen) EXPECT_EQ(p, &DefaultPool());
}

TEST(DefaultPoolTest, HasHardwareConcurrencyWorkers) {
  EXPECT_EQ(DefaultPool().Workers(), std::max(1u, std::thread::hardware_concurrency()));
  EXPECT_FALSE(DefaultPool().Closed());
}

TEST(DefaultPoolTest, RunsTasks) {
  TaskGroup tg(1);
  ASSERT_FALSE(DefaultPool().AddTask(tg.NewTaskOptions().SetTask([] {}).SetAutoDone()));
  EXPECT_TRUE(tg.WaitFor(std::chrono::seconds(60)));
}

// Its destructor runs after main returned, during static destruction: the
// default pool must still work there. A failure ends the process with a
// non-zero status, which fails the test program.
struct UsesDefaultPoolAtExit {
  ~UsesDefaultPoolAtExit() {
    const std::vector<int> out = Map({1, 2, 3}, [](int x) { return x * 2; });
    ErrGroup g;
    g.Go([] {});
    if (out != std::vector<int>{2, 4, 6} || g.Wait()) {
      std::fputs("DefaultPool unusable during static destruction\n", stderr);
      std::_Exit(3);
    }
  }
};

TEST(DefaultPoolTest, UsableFromStaticDestructors) {
  static UsesDefaultPoolAtExit user;  // checked at exit, see above
  SUCCEED();
}

}  // namespace
}  // namespace litepool
