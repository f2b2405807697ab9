// DeadlineTimer (framework/timers/deadline_timer.hpp), the one timer
// structure of a pool. Schedule wakes the timer thread only for a new
// earliest entry: the first tests schedule while the thread is known to be
// asleep (AsleepForTesting: blocked in its wait), the state in which a
// missed wake-up is never made good by a later one: on an empty heap the
// thread would sleep until Stop, on a later entry until that entry's time.
#include "timers/deadline_timer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace litepool::detail {
namespace {

using Clock = std::chrono::steady_clock;
using Timer = DeadlineTimer<std::uintptr_t>;

// Long enough never to pass on a loaded machine while the timer works;
// only a broken timer waits it out.
constexpr auto kHangGuard = std::chrono::seconds(20);
// Far enough never to come due during a test.
constexpr auto kNever = std::chrono::hours(1);

// Items are small integers; WaitFor(n) blocks until n fired.
class Fired {
 public:
  void Add(std::uintptr_t item) {
    std::lock_guard lock(mu_);
    fired_.insert(item);
    order_.push_back(item);
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
  std::vector<std::uintptr_t> Order() {
    std::lock_guard lock(mu_);
    return order_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::multiset<std::uintptr_t> fired_;
  std::vector<std::uintptr_t> order_;
};

// Polls (yielding) until the timer thread is blocked in its wait.
bool WaitAsleep(const Timer& timer) {
  const auto give_up = Clock::now() + kHangGuard;
  while (!timer.AsleepForTesting()) {
    if (Clock::now() > give_up) return false;
    std::this_thread::yield();
  }
  return true;
}

// The thread had fired everything and slept on an empty heap; the next
// entry, the earliest by definition, must wake it.
TEST(DeadlineTimerTest, AnEntryScheduledWhileTheHeapIsEmptyAndTheThreadSleepsFires) {
  Fired fired;
  Timer timer([&fired](std::uintptr_t item) { fired.Add(item); });
  ASSERT_TRUE(timer.Schedule(1, Clock::now()));
  ASSERT_TRUE(fired.WaitFor(1));
  ASSERT_TRUE(WaitAsleep(timer));  // asleep with nothing held
  ASSERT_TRUE(timer.Schedule(2, Clock::now()));
  EXPECT_TRUE(fired.WaitFor(2)) << "the entry was not fired: the sleeping thread was not woken";
}

// A new earliest entry wakes a thread that waits for a later one.
TEST(DeadlineTimerTest, AnEarlierEntryWakesTheThreadWaitingForALaterOne) {
  Fired fired;
  Timer timer([&fired](std::uintptr_t item) { fired.Add(item); });
  ASSERT_TRUE(timer.Schedule(1, Clock::now() + kNever));
  ASSERT_TRUE(WaitAsleep(timer));  // until the hour is up
  ASSERT_TRUE(timer.Schedule(2, Clock::now()));
  EXPECT_TRUE(fired.WaitFor(2)) << "the entry waited behind a later one";
  EXPECT_FALSE(fired.Has(1));
  // Stop hands back what it held, unfired: the owner decides.
  EXPECT_EQ(timer.Stop(), std::vector<std::uintptr_t>{1});
  EXPECT_FALSE(fired.Has(1));
}

// A later entry does not change what the thread waits for: both fire, in
// the order of their times.
TEST(DeadlineTimerTest, ALaterEntryFiresAfterTheEarlierOne) {
  Fired fired;
  Timer timer([&fired](std::uintptr_t item) { fired.Add(item); });
  const auto now = Clock::now();
  ASSERT_TRUE(timer.Schedule(1, now + std::chrono::milliseconds(2)));
  ASSERT_TRUE(WaitAsleep(timer));
  ASSERT_TRUE(timer.Schedule(2, now + std::chrono::milliseconds(4)));
  ASSERT_TRUE(fired.WaitFor(2));
  EXPECT_EQ(fired.Order(), (std::vector<std::uintptr_t>{1, 2}));
}

// A pool's Close: whatever waits is due now, and so is whatever comes
// after, however far its time.
TEST(DeadlineTimerTest, FlushFiresHeldAndLaterEntriesAtOnce) {
  Fired fired;
  Timer timer([&fired](std::uintptr_t item) { fired.Add(item); });
  ASSERT_TRUE(timer.Schedule(1, Clock::now() + kNever));
  ASSERT_TRUE(WaitAsleep(timer));
  timer.Flush();
  EXPECT_TRUE(fired.WaitFor(1)) << "a held entry waited out its time after Flush";
  ASSERT_TRUE(timer.Schedule(2, Clock::now() + kNever));
  EXPECT_TRUE(fired.WaitFor(2)) << "an entry scheduled after Flush waited out its time";
}

// Purge: TakeAll returns exactly the held items, which then never fire.
TEST(DeadlineTimerTest, TakeAllReturnsTheHeldItemsAndTheyNeverFire) {
  Fired fired;
  Timer timer([&fired](std::uintptr_t item) { fired.Add(item); });
  for (std::uintptr_t i = 1; i <= 3; ++i) ASSERT_TRUE(timer.Schedule(i, Clock::now() + kNever));
  ASSERT_TRUE(timer.Schedule(9, Clock::now()));
  ASSERT_TRUE(fired.WaitFor(9));
  std::vector<std::uintptr_t> taken = timer.TakeAll();
  std::sort(taken.begin(), taken.end());
  EXPECT_EQ(taken, (std::vector<std::uintptr_t>{1, 2, 3}));
  EXPECT_EQ(timer.Size(), 0u);
  timer.Flush();
  ASSERT_TRUE(timer.Schedule(10, Clock::now()));
  ASSERT_TRUE(fired.WaitFor(10));
  EXPECT_EQ(fired.Order(), (std::vector<std::uintptr_t>{9, 10}));
}

// After Stop nothing is taken: the caller keeps the item (and fires or
// cancels it itself).
TEST(DeadlineTimerTest, ScheduleAfterStopIsRefused) {
  Fired fired;
  Timer timer([&fired](std::uintptr_t item) { fired.Add(item); });
  EXPECT_TRUE(timer.Stop().empty());
  EXPECT_FALSE(timer.Schedule(1, Clock::now()));
  EXPECT_EQ(timer.Size(), 0u);
}

}  // namespace
}  // namespace litepool::detail
