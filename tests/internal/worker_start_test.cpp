// A pool whose worker thread cannot start: the engine's constructor throws
// std::system_error after stopping and joining the workers it did start.
// The failure comes from an injected thread factory that refuses the n-th
// thread, as the OS may, so it happens at the same thread every run.
#include <gtest/gtest.h>

#include <atomic>
#include <system_error>
#include <thread>

#include "engine/engine.hpp"
#include "litepool/litepool.hpp"

namespace litepool {
namespace {

// Starts threads until the `failing`-th, which it refuses; counts the
// threads it started and the ones that have returned.
struct RefusingFactory {
  int failing;
  std::atomic<int>* started;
  std::atomic<int>* finished;
  std::thread operator()(std::function<void()> main) const {
    if (started->load() + 1 == failing) {
      throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again),
                              "no thread (injected)");
    }
    started->fetch_add(1);
    return std::thread([main = std::move(main), finished = finished] {
      main();
      finished->fetch_add(1);
    });
  }
};

TEST(PoolConstructionTest, WorkerThatCannotStartThrowsSystemErrorNotTerminate) {
  for (const int failing : {1, 2, 3}) {
    std::atomic<int> started{0};
    std::atomic<int> finished{0};
    EXPECT_THROW(detail::Engine(PoolOptions{.workers = 4, .queue_capacity = 8},
                                RefusingFactory{failing, &started, &finished}),
                 std::system_error)
        << "failing start " << failing;
    // Every thread that did start was stopped and joined before the throw.
    EXPECT_EQ(started.load(), failing - 1);
    EXPECT_EQ(finished.load(), started.load()) << "failing start " << failing;
  }
  // An ordinary pool starts and works.
  Pool pool(2, 4);
  TaskGroup tg(1);
  ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions().SetTask([] {}).SetAutoDone()));
  tg.Wait();
}

}  // namespace
}  // namespace litepool
