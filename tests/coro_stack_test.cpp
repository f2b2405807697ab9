// Built at -O0 (see meson.build): a CoTask awaiting 1,000,000 children that
// all complete synchronously must run in constant stack. g++ 12 does not
// turn symmetric transfer into a tail call at -O0, so without litepool's
// trampoline this overflows the stack of a thread.
#include <gtest/gtest.h>

#include "litepool/coro.hpp"

namespace litepool {
namespace {

CoTask<int> One() { co_return 1; }
CoTask<void> Nothing() { co_return; }

TEST(CoTaskStackTest, MillionSynchronousChildrenAtO0) {
  constexpr long kChildren = 1'000'000;
  auto loop = []() -> CoTask<long> {
    long sum = 0;
    for (long i = 0; i < kChildren; ++i) {
      sum += co_await One();
      co_await Nothing();
    }
    co_return sum;
  };
  EXPECT_EQ(SyncWait(loop()), kChildren);
}

CoTask<long> Depth(long n) {
  if (n == 0) co_return 0;
  co_return 1 + co_await Depth(n - 1);
}

TEST(CoTaskStackTest, MillionDeepRecursionAtO0) {
  EXPECT_EQ(SyncWait(Depth(1'000'000)), 1'000'000);
}

}  // namespace
}  // namespace litepool
