// The one FormatDuration that every error message uses: a 500 ns
// add-timeout reads "500ns", never "0ms", in the engine and Alloter alike.
#include "litepool/detail/format_duration.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <latch>
#include <string>

#include "litepool/litepool.hpp"

namespace litepool {
namespace {

using namespace std::chrono_literals;
using detail::FormatDuration;

TEST(FormatDurationTest, PicksTheLargestUnitAndKeepsThreeDecimals) {
  EXPECT_EQ(FormatDuration(0ns), "0ns");
  EXPECT_EQ(FormatDuration(500ns), "500ns");
  EXPECT_EQ(FormatDuration(1us), "1us");
  EXPECT_EQ(FormatDuration(1234ns), "1.234us");
  EXPECT_EQ(FormatDuration(1500us), "1.5ms");
  EXPECT_EQ(FormatDuration(5ms), "5ms");
  EXPECT_EQ(FormatDuration(1005us), "1.005ms");
  EXPECT_EQ(FormatDuration(2000ms), "2s");
  EXPECT_EQ(FormatDuration(90s), "90s");
  EXPECT_EQ(FormatDuration(-3ms), "-3ms");
  EXPECT_EQ(FormatDuration(std::chrono::nanoseconds::max()), "9223372036.854s");
}

TEST(FormatDurationTest, AddTimeoutMessageNeverSaysZeroMs) {
  std::latch started(1), release(1);  // before the pool: they outlive its tasks
  Pool pool(1, 1);
  ASSERT_FALSE(pool.AddTask(TaskOptions().SetTask([&] {
    started.count_down();
    release.wait();
  })));
  started.wait();
  ASSERT_FALSE(pool.AddTask(TaskOptions().SetTask([] {})));  // the only slot
  const Error e = pool.AddTask(TaskOptions().SetTask([] {}).SetAddTimeout(500ns));
  release.count_down();
  EXPECT_EQ(e.Code(), ErrorCode::kTimeout);
  EXPECT_NE(e.Message().find("500ns"), std::string::npos) << e.Message();
}

}  // namespace
}  // namespace litepool
