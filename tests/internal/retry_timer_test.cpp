// RetryTimer (framework/retry_timer.hpp): Schedule wakes the timer thread
// only for a new earliest entry. These tests schedule while the thread is
// known to be asleep (AsleepForTesting: blocked in its wait), the state in
// which a missed wake-up is never made good by a later one: on an empty
// heap the thread would sleep until Stop, on a later entry until that
// entry's time.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "timers/retry_timer.hpp"

namespace litepool::detail {
namespace {

using Clock = std::chrono::steady_clock;

// Long enough never to pass on a loaded machine while the timer works;
// only a broken timer waits it out.
constexpr auto kHangGuard = std::chrono::seconds(20);

// Items are small integers cast to void*; Fired(n) blocks until n fired.
class Fired {
 public:
  void Add(void* item) {
    std::lock_guard lock(mu_);
    fired_.insert(reinterpret_cast<std::uintptr_t>(item));
    cv_.notify_all();
  }
  bool WaitFor(std::uintptr_t item) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kHangGuard, [&] { return fired_.count(item) != 0; });
  }
  bool Has(std::uintptr_t item) {
    std::lock_guard lock(mu_);
    return fired_.count(item) != 0;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::multiset<std::uintptr_t> fired_;
};

void* Item(std::uintptr_t n) { return reinterpret_cast<void*>(n); }

// Polls (yielding) until the timer thread is blocked in its wait.
bool WaitAsleep(RetryTimer& timer) {
  const auto give_up = Clock::now() + kHangGuard;
  while (!timer.AsleepForTesting()) {
    if (Clock::now() > give_up) return false;
    std::this_thread::yield();
  }
  return true;
}

// The hang of the stress mix (WaitThenClose, seed 2026112300): the thread
// had fired everything and slept on an empty heap; the next entry, the
// earliest by definition, did not wake it.
TEST(RetryTimerTest, AnEntryScheduledWhileTheHeapIsEmptyAndTheThreadSleepsFires) {
  Fired fired;
  RetryTimer timer([&fired](void* item) { fired.Add(item); });
  timer.Schedule(Item(1), Clock::now());
  ASSERT_TRUE(fired.WaitFor(1));
  ASSERT_TRUE(WaitAsleep(timer));  // asleep with nothing held
  timer.Schedule(Item(2), Clock::now());
  EXPECT_TRUE(fired.WaitFor(2)) << "the entry was not fired: the sleeping thread was not woken";
}

// A new earliest entry wakes a thread that waits for a later one.
TEST(RetryTimerTest, AnEarlierEntryWakesTheThreadWaitingForALaterOne) {
  Fired fired;
  RetryTimer timer([&fired](void* item) { fired.Add(item); });
  timer.Schedule(Item(1), Clock::now() + std::chrono::hours(1));
  ASSERT_TRUE(WaitAsleep(timer));  // until the hour is up
  timer.Schedule(Item(2), Clock::now());
  EXPECT_TRUE(fired.WaitFor(2)) << "the entry waited behind a later one";
  EXPECT_FALSE(fired.Has(1));
  timer.Stop();  // fires what it holds
  EXPECT_TRUE(fired.Has(1));
}

// A later entry does not change what the thread waits for: both fire, in
// the order of their times.
TEST(RetryTimerTest, ALaterEntryFiresAfterTheEarlierOne) {
  std::mutex mu;
  std::vector<std::uintptr_t> order;
  Fired fired;
  RetryTimer timer([&](void* item) {
    {
      std::lock_guard lock(mu);
      order.push_back(reinterpret_cast<std::uintptr_t>(item));
    }
    fired.Add(item);
  });
  const auto now = Clock::now();
  timer.Schedule(Item(1), now + std::chrono::milliseconds(2));
  ASSERT_TRUE(WaitAsleep(timer));
  timer.Schedule(Item(2), now + std::chrono::milliseconds(4));
  ASSERT_TRUE(fired.WaitFor(2));
  std::lock_guard lock(mu);
  EXPECT_EQ(order, (std::vector<std::uintptr_t>{1, 2}));
}

}  // namespace
}  // namespace litepool::detail
