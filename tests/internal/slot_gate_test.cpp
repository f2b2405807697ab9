// SlotGate: producers asleep on a full pool wait in line, by priority and
// in arrival order within one, and a released slot is handed to the head
// of the line (blocked producers are admitted in priority order); a batch at the head is not
// overtaken, and one that gives up lets the next in.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "admission/slot_gate.hpp"

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
  // Long enough for the single task to line up behind it on a loaded
  // machine (its yields before sleeping can take a scheduler slice each).
  std::thread batch([&] {
    EXPECT_EQ(gate.Acquire(2, Priority::kHigh, Clock::now() + std::chrono::seconds(1), closed),
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
  batch.join();   // gives up after 1 s ...
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
    EXPECT_EQ(gate.Acquire(3, Priority::kHigh, std::nullopt, closed), SlotGate::Result::kTooLarge);
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

// A producer that must be admitted (n slots), started and waited for until
// it is asleep in line.
std::thread ProducerInLine(SlotGate& gate, const std::atomic<bool>& closed, std::int64_t n = 1,
                           SlotGate::Deadline deadline = std::nullopt) {
  const std::size_t before = gate.InLine();
  std::thread producer([&gate, &closed, n, deadline] {
    EXPECT_EQ(gate.Acquire(n, Priority::kNormal, deadline, closed), SlotGate::Result::kAcquired);
  });
  EXPECT_TRUE(Eventually([&] { return gate.InLine() == before + 1; }));
  return producer;
}

// Sharded counts (workers give slots back to their own shard, and move them
// to the shared count a batch at a time): 2 shards, queues of 64 (a batch of
// 16), 8 slots, all taken.
std::unique_ptr<SlotGate> FullShardedGate() {
  auto gate = std::make_unique<SlotGate>(8, 2, 64);
  EXPECT_TRUE(gate->TryAcquire(8));
  return gate;
}

// A slot a worker gave back is free at once, though its shard holds it below
// a batch: a producer that finds the shared count dry takes it from there.
TEST(SlotGateTest, ASlotGivenBackToAShardIsFreeAtOnce) {
  const auto full = FullShardedGate();
  SlotGate& gate = *full;
  gate.ReleaseFrom(1);
  EXPECT_EQ(gate.FreeForTesting(), 1);
  EXPECT_TRUE(gate.TryAcquire(1)) << "the slot in the shard was withheld";
  EXPECT_FALSE(gate.TryAcquire(1)) << "a slot was counted twice";
  EXPECT_EQ(gate.FreeForTesting(), 0);
}

// A batch takes its slots from the shared count and the shards together,
// all or none.
TEST(SlotGateTest, ABatchTakesSlotsFromEveryShard) {
  const auto full = FullShardedGate();
  SlotGate& gate = *full;
  gate.Release(1);      // shared count
  gate.ReleaseFrom(0);  // shard 0
  gate.ReleaseFrom(1);  // shard 1
  EXPECT_FALSE(gate.TryAcquire(4)) << "a batch took more slots than are free";
  EXPECT_EQ(gate.FreeForTesting(), 3) << "a refused batch kept slots";
  EXPECT_TRUE(gate.TryAcquire(3));
  EXPECT_EQ(gate.FreeForTesting(), 0);
}

// A producer asleep in line is handed a slot that a worker gives back to its
// shard, before ReleaseFrom returns.
TEST(SlotGateTest, ASlotGivenBackToAShardGoesToTheLine) {
  const auto full = FullShardedGate();
  SlotGate& gate = *full;
  const std::atomic<bool> closed{false};
  // A deadline: a lost hand-off fails the test instead of hanging it.
  std::thread producer = ProducerInLine(gate, closed, 2, Clock::now() + kHangGuard);
  gate.ReleaseFrom(0);
  EXPECT_EQ(gate.InLine(), 1u) << "a batch of 2 was admitted with 1 slot";
  gate.ReleaseFrom(1);
  EXPECT_EQ(gate.InLine(), 0u) << "the slots in the shards were not handed to the line";
  producer.join();
  EXPECT_EQ(gate.FreeForTesting(), 0);
}

// Producers and workers at once: every slot taken is given back to some
// shard or to the shared count; at the end all of them are free again and
// no producer is left waiting (a lost hand-off would hang one).
TEST(SlotGateTest, ConcurrentTakesAndShardReleasesLoseNoSlot) {
  constexpr std::int64_t kCapacity = 8;
  constexpr int kPerProducer = 20000;
  SlotGate gate(kCapacity, 2, 64);
  const std::atomic<bool> closed{false};
  std::atomic<std::int64_t> taken{0};  // slots held, not yet given back
  std::atomic<int> producers_left{2};
  std::vector<std::thread> threads;
  for (int p = 0; p < 2; ++p) {
    threads.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        const std::int64_t n = (i % 7 == 0) ? 3 : 1;  // some batches
        if (!gate.TryAcquire(n)) {
          ASSERT_EQ(
              gate.Acquire(n, p == 0 ? Priority::kHigh : Priority::kNormal, std::nullopt, closed),
              SlotGate::Result::kAcquired);
        }
        taken.fetch_add(n);
      }
      producers_left.fetch_sub(1);
    });
  }
  for (std::size_t w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      // Gives back what producers took, one slot at a time, to its shard
      // (worker 1: every third one to the shared count, as an expiry would).
      for (int k = 0;; ++k) {
        std::int64_t cur = taken.load();
        if (cur == 0) {
          if (producers_left.load() == 0 && taken.load() == 0) return;
          std::this_thread::yield();
          continue;
        }
        if (!taken.compare_exchange_weak(cur, cur - 1)) continue;
        if (w == 1 && k % 3 == 0) {
          gate.Release(1);
        } else {
          gate.ReleaseFrom(w);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(gate.FreeForTesting(), kCapacity);
  EXPECT_EQ(gate.InLine(), 0u);
  EXPECT_TRUE(gate.TryAcquire(kCapacity)) << "some slots were not gathered for a full batch";
}

// Refills: a producer asleep on a full pool is served once half the capacity
// is free (the mark: 4 of 8 here), so it wakes once per batch instead of
// once per task.
std::unique_ptr<SlotGate> FullRefillGate(std::chrono::steady_clock::duration wait) {
  auto gate = std::make_unique<SlotGate>(8, 1, 1, SlotGate::Refill{wait, std::chrono::hours(1)});
  EXPECT_TRUE(gate->TryAcquire(8));
  return gate;
}

TEST(SlotGateTest, RefillServesASleepingProducerOnceTheMarkIsFree) {
  const auto full = FullRefillGate(std::chrono::hours(1));
  SlotGate& gate = *full;
  const std::atomic<bool> closed{false};
  std::thread producer = ProducerInLine(gate, closed);
  for (int i = 0; i < 3; ++i) gate.Release(1);
  EXPECT_EQ(gate.InLine(), 1u) << "served below the mark";
  gate.Release(1);
  EXPECT_EQ(gate.InLine(), 0u) << "not served at the mark";
  producer.join();
  EXPECT_EQ(gate.FreeForTesting(), 3) << "it took more than the one slot it needs";
}

// A producer lines up on the full `gate`, one slot frees: true if the
// producer is served by that slot (false after kHangGuard; then it is
// handed the slot, so that it returns).
bool OneFreeSlotServesTheLine(SlotGate& gate) {
  const std::atomic<bool> closed{false};
  std::thread producer = ProducerInLine(gate, closed);
  gate.Release(1);
  const bool served = Eventually([&] { return gate.InLine() == 0; });
  if (!served) gate.HandOffNow();
  producer.join();
  EXPECT_EQ(gate.FreeForTesting(), 0);
  return served;
}

// After Refill::wait asleep, the first free slot will do: the batching costs
// a producer whose tasks are long no more than that wait.
TEST(SlotGateTest, AfterTheRefillWaitTheFirstFreeSlotServes) {
  const auto full = FullRefillGate(std::chrono::milliseconds(1));
  EXPECT_TRUE(OneFreeSlotServesTheLine(*full))
      << "still asleep long after its refill wait, a slot free";
}

// An oversubscribed gate waits Refill::oversubscribed_wait instead (here the
// short one: with Refill::wait, an hour, the producer would not be served).
TEST(SlotGateTest, AnOversubscribedGateWaitsItsOwnRefillWait) {
  SlotGate gate(8, 1, 1, SlotGate::Refill{std::chrono::hours(1), std::chrono::milliseconds(1)});
  gate.SetOversubscribed(true);
  ASSERT_TRUE(gate.TryAcquire(8));
  EXPECT_TRUE(OneFreeSlotServesTheLine(gate))
      << "still asleep long after the oversubscribed refill wait, a slot free";
}

// A worker with nothing to run serves the line at once: no worker idles for a
// batch to build up.
TEST(SlotGateTest, HandOffNowServesTheLineBelowTheMark) {
  const auto full = FullRefillGate(std::chrono::hours(1));
  SlotGate& gate = *full;
  const std::atomic<bool> closed{false};
  std::thread producer = ProducerInLine(gate, closed);
  gate.Release(1);
  EXPECT_EQ(gate.InLine(), 1u);
  gate.HandOffNow();
  EXPECT_EQ(gate.InLine(), 0u) << "HandOffNow left the producer waiting for a batch";
  producer.join();
}

// At its deadline a producer takes a free slot, below the mark or not: it
// never times out while the slot it needs is free.
TEST(SlotGateTest, AtTheDeadlineAFreeSlotBelowTheMarkIsTaken) {
  const auto full = FullRefillGate(std::chrono::hours(1));
  SlotGate& gate = *full;
  const std::atomic<bool> closed{false};
  // Expects kAcquired: it must not time out with the slot it needs free.
  std::thread producer = ProducerInLine(gate, closed, 1, Clock::now() + std::chrono::seconds(2));
  gate.Release(1);  // free, but below the mark of 4: it sleeps on
  EXPECT_EQ(gate.InLine(), 1u);
  producer.join();
  EXPECT_EQ(gate.FreeForTesting(), 0);
  // A batch that needs more than is free does time out.
  gate.Release(1);
  EXPECT_EQ(
      gate.Acquire(2, Priority::kNormal, Clock::now() + std::chrono::milliseconds(20), closed),
      SlotGate::Result::kTimeout);
  EXPECT_EQ(gate.FreeForTesting(), 1);
}

// The mark is half the capacity now, not at construction: after SetWorkers
// shrinks the pool (Resize), a batch is half of the new capacity.
TEST(SlotGateTest, TheRefillMarkFollowsAResize) {
  const auto full = FullRefillGate(std::chrono::hours(1));
  SlotGate& gate = *full;
  const std::atomic<bool> closed{false};
  gate.Resize(-4);                              // capacity 4, free -4
  for (int i = 0; i < 4; ++i) gate.Release(1);  // free 0
  std::thread producer = ProducerInLine(gate, closed);
  gate.Release(1);
  EXPECT_EQ(gate.InLine(), 1u) << "served below half the new capacity";
  gate.Release(1);
  const bool served = gate.InLine() == 0;
  EXPECT_TRUE(served) << "the mark is still half the old capacity";
  if (!served) gate.HandOffNow();  // not to hang on the failure
  producer.join();
  EXPECT_EQ(gate.FreeForTesting(), 1);
}

}  // namespace
}  // namespace litepool::detail
