// A Pool whose worker thread cannot start: the constructor throws
// std::system_error after stopping and joining the workers it did start.
// The failure is injected by an engine test hook, so it
// happens at the same thread every run.
#include <gtest/gtest.h>

#include <system_error>

#include "engine/engine.hpp"
#include "litepool/litepool.hpp"

namespace litepool {
namespace {

TEST(PoolConstructionTest, WorkerThatCannotStartThrowsSystemErrorNotTerminate) {
  for (const int failing : {1, 2, 3}) {
    detail::FailWorkerStartForTesting(failing);
    EXPECT_THROW(Pool(4, 8), std::system_error) << "failing start " << failing;
    detail::FailWorkerStartForTesting(0);
  }
  // The hook is spent: the next pool starts and works.
  Pool pool(2, 4);
  TaskGroup tg(1);
  ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions().SetTask([] {}).SetAutoDone()));
  tg.Wait();
}

}  // namespace
}  // namespace litepool
