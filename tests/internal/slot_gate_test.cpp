// SlotGate: producers asleep on a full pool wait in line, by priority and
// in arrival order within one, and a released slot is handed to the head
// of the line (DESIGN §6.0: blocked producers are admitted in priority
// order); a batch at the head is not overtaken, and one that gives up lets
// the next in.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "slot_gate.hpp"

namespace litepool::detail {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kHangGuard = std::chrono::seconds(30);

// Polls `done` (yielding) until it holds; false after kHangGuard.
template <class F>
bool Eventually(F done) {
  const auto give_up = Clock::now() + kHangGuard;
  while (!done()) {
    if (Clock::now() > give_up) return false;
    std::this_thread::yield();
  }
  return true;
}

// Admission order, as the producers record it after Acquire returns.
struct Order {
  std::mutex mu;
  std::vector<int> seen;
  void Add(int who) {
    std::lock_guard lock(mu);
    seen.push_back(who);
  }
  std::size_t Size() {
    std::lock_guard lock(mu);
    return seen.size();
  }
};

// A gate of `capacity` slots, all taken.
std::unique_ptr<SlotGate> FullGate(std::int64_t capacity) {
  auto gate = std::make_unique<SlotGate>(capacity);
  EXPECT_TRUE(gate->TryAcquire(capacity));
  return gate;
}

TEST(SlotGateTest, BlockedProducersAreAdmittedByPriorityThenArrival) {
  const auto full = FullGate(5);
  SlotGate& gate = *full;
  const std::atomic<bool> closed{false};
  Order order;
  std::vector<std::thread> producers;
  // Lined up one at a time: low 0, normal 1, high 2, normal 3, high 4.
  const Priority arrivals[] = {Priority::kLow, Priority::kNormal, Priority::kHigh,
                               Priority::kNormal, Priority::kHigh};
  for (int i = 0; i < 5; ++i) {
    producers.emplace_back([&, i] {
      EXPECT_EQ(gate.Acquire(1, arrivals[i], std::nullopt, closed), SlotGate::Result::kAcquired);
      order.Add(i);
    });
    ASSERT_TRUE(Eventually([&] { return gate.InLine() == static_cast<std::size_t>(i + 1); }));
  }
  // One slot at a time: each release admits exactly the head of the line.
  for (std::size_t admitted = 1; admitted <= 5; ++admitted) {
    gate.Release(1);
    EXPECT_EQ(gate.InLine(), 5 - admitted) << "a release admitted more or less than one";
    ASSERT_TRUE(Eventually([&] { return order.Size() == admitted; }));
  }
  for (auto& t : producers) t.join();
  EXPECT_EQ(order.seen, (std::vector<int>{2, 4, 1, 3, 0}));
  EXPECT_FALSE(gate.TryAcquire(1)) << "a slot was counted twice";
}

TEST(SlotGateTest, ABatchAtTheHeadIsNotOvertakenBySingleTasks) {
  const auto full = FullGate(4);
  SlotGate& gate = *full;
  const std::atomic<bool> closed{false};
  Order order;
  std::thread batch([&] {
    EXPECT_EQ(gate.Acquire(3, Priority::kNormal, std::nullopt, closed),
              SlotGate::Result::kAcquired);
    order.Add(3);
  });
  ASSERT_TRUE(Eventually([&] { return gate.InLine() == 1; }));
  std::thread single([&] {
    EXPECT_EQ(gate.Acquire(1, Priority::kNormal, std::nullopt, closed),
              SlotGate::Result::kAcquired);
    order.Add(1);
  });
  ASSERT_TRUE(Eventually([&] { return gate.InLine() == 2; }));
  gate.Release(1);
  gate.Release(1);
  EXPECT_EQ(gate.InLine(), 2u) << "the single task overtook the batch";
  EXPECT_FALSE(gate.TryAcquire(1)) << "a newcomer took a slot kept for the line";
  gate.Release(1);  // the batch's third slot
  EXPECT_EQ(gate.InLine(), 1u);
  // Recorded before the next release: the order seen is the admission order.
  ASSERT_TRUE(Eventually([&] { return order.Size() == 1; }));
  gate.Release(1);
  EXPECT_EQ(gate.InLine(), 0u);
  batch.join();
  single.join();
  EXPECT_EQ(order.seen, (std::vector<int>{3, 1}));
}

TEST(SlotGateTest, AHeadThatTimesOutLetsTheNextOneIn) {
  const auto full = FullGate(2);
  SlotGate& gate = *full;
  const std::atomic<bool> closed{false};
  std::thread batch([&] {
    EXPECT_EQ(gate.Acquire(2, Priority::kHigh, Clock::now() + std::chrono::milliseconds(50),
                           closed),
              SlotGate::Result::kTimeout);
  });
  ASSERT_TRUE(Eventually([&] { return gate.InLine() == 1; }));
  std::atomic<bool> admitted{false};
  std::thread single([&] {
    EXPECT_EQ(gate.Acquire(1, Priority::kLow, std::nullopt, closed), SlotGate::Result::kAcquired);
    admitted = true;
  });
  ASSERT_TRUE(Eventually([&] { return gate.InLine() == 2; }));
  gate.Release(1);  // one free: not enough for the batch at the head
  EXPECT_EQ(gate.InLine(), 2u);
  batch.join();  // gives up after 50 ms ...
  single.join();  // ... and the single task behind it gets the free slot
  EXPECT_TRUE(admitted);
  EXPECT_EQ(gate.InLine(), 0u);
}

TEST(SlotGateTest, CloseWakesEveryWaiterWithoutASlot) {
  const auto full = FullGate(3);
  SlotGate& gate = *full;
  std::atomic<bool> closed{false};
  std::vector<std::thread> producers;
  std::atomic<int> closed_results{0};
  for (int i = 0; i < 3; ++i) {
    producers.emplace_back([&, i] {
      if (gate.Acquire(1, static_cast<Priority>(i), std::nullopt, closed) ==
          SlotGate::Result::kClosed) {
        ++closed_results;
      }
    });
  }
  ASSERT_TRUE(Eventually([&] { return gate.InLine() == 3; }));
  closed = true;
  gate.WakeAll();
  for (auto& t : producers) t.join();
  EXPECT_EQ(closed_results, 3);
  EXPECT_EQ(gate.InLine(), 0u);
}

// SetWorkers shrinking the pool: a waiter that needs more than the new
// capacity is sent away (kTooLarge) instead of waiting forever, as is one
// that comes later; the others keep their place, and a grow serves them.
TEST(SlotGateTest, ResizeSendsAwayWaitersLargerThanTheNewCapacity) {
  const auto full = FullGate(4);
  SlotGate& gate = *full;
  const std::atomic<bool> closed{false};
  std::thread batch([&] {
    EXPECT_EQ(gate.Acquire(3, Priority::kHigh, std::nullopt, closed),
              SlotGate::Result::kTooLarge);
  });
  ASSERT_TRUE(Eventually([&] { return gate.InLine() == 1; }));
  std::thread single([&] {
    EXPECT_EQ(gate.Acquire(1, Priority::kNormal, std::nullopt, closed),
              SlotGate::Result::kAcquired);
  });
  ASSERT_TRUE(Eventually([&] { return gate.InLine() == 2; }));
  gate.Resize(-2);  // capacity 2
  EXPECT_EQ(gate.InLine(), 1u) << "the batch of 3 still waits for a capacity of 2";
  batch.join();
  EXPECT_EQ(gate.Acquire(3, Priority::kLow, std::nullopt, closed), SlotGate::Result::kTooLarge);
  gate.Resize(3);  // capacity 5, free 1 (4 taken, then -2 + 3): the single task's
  single.join();
  EXPECT_EQ(gate.InLine(), 0u);
  EXPECT_FALSE(gate.TryAcquire(1));
}

}  // namespace
}  // namespace litepool::detail
