// detail::DeadlineAfter and detail::TimeLeft (litepool/detail/deadline.hpp),
// shared by the engine and the front-ends.
#include "litepool/detail/deadline.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace litepool {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(DeadlineTest, NoTimeoutAndUnrepresentableTimeoutsMeanNoDeadline) {
  EXPECT_FALSE(detail::DeadlineAfter(std::nullopt));
  EXPECT_FALSE(detail::DeadlineAfter(std::chrono::nanoseconds::max()));
}

TEST(DeadlineTest, DeadlineIsNowPlusTimeout) {
  const auto before = Clock::now();
  const auto deadline = detail::DeadlineAfter(5s);
  const auto after = Clock::now();
  ASSERT_TRUE(deadline);
  EXPECT_GE(*deadline, before + 5s);
  EXPECT_LE(*deadline, after + 5s);
}

TEST(DeadlineTest, TimeLeftIsNeverNegative) {
  EXPECT_EQ(detail::TimeLeft(Clock::now() - 1s), 0ns);
  EXPECT_EQ(detail::TimeLeft(Clock::time_point::min()), 0ns);
  const auto left = detail::TimeLeft(Clock::now() + 1h);
  EXPECT_GT(left, 59min);
  EXPECT_LE(left, 1h);
}

}  // namespace
}  // namespace litepool
