// Refills (SlotGate, "Refills"): a producer asleep on a full pool waits for a
// batch of free slots (half the capacity), so that it wakes once per batch.
// The batch is a preference, not a condition: with the workers busy in long
// tasks, one free slot admits the producer within Engine::kRefillWait.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <latch>
#include <memory>
#include <thread>

#if defined(__linux__)
#include <sched.h>
#endif

#include "api/pool_access.hpp"
#include "litepool/litepool.hpp"
#include "test_util.hpp"

namespace litepool {
namespace {

using testing::Blocker;
using testing::kHangGuard;

TEST(RefillTest, OneFreeSlotAdmitsABlockedProducerWhileTheWorkersStayBusy) {
  Pool pool(1, 8);  // the batch would be 4 slots
  Blocker first;
  first.AddTo(pool);  // running: it holds no slot
  auto gate = std::make_shared<std::latch>(1);
  TaskGroup queued;
  for (int i = 0; i < 8; ++i) {
    ASSERT_FALSE(pool.AddTask(queued, [gate] { gate->wait(); }));  // every slot
  }
  std::promise<Error> added;
  std::future<Error> result = added.get_future();
  std::thread producer([&] { added.set_value(pool.AddTask(TaskOptions().SetTask([] {}))); });
  // Asleep in line (yielding until it is), then one slot frees: the worker
  // starts the next queued task, which blocks as well, so no more free up.
  const auto give_up = std::chrono::steady_clock::now() + kHangGuard;
  while (detail::PoolAccess::ProducersInLine(pool) == 0 &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::yield();
  }
  ASSERT_EQ(detail::PoolAccess::ProducersInLine(pool), 1u);
  first.Release();
  const bool admitted = result.wait_for(kHangGuard) == std::future_status::ready;
  EXPECT_TRUE(admitted) << "the producer waited for a batch that busy workers never free";
  gate->count_down();
  producer.join();
  EXPECT_FALSE(result.get());
  EXPECT_TRUE(queued.WaitFor(kHangGuard));
}

// The CPUs this process may run on.
std::size_t Cpus() {
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
#endif
  return std::max(1u, std::thread::hardware_concurrency());
}

// A pool with more workers than CPUs admits as an oversubscribed one (its
// producers sleep at once, a yield would wait behind every busy worker's
// time slice; SlotGateTest has the refill wait); with no more workers than
// CPUs, not. SetWorkers moves the pool across the line both ways.
TEST(RefillTest, APoolWithMoreWorkersThanCpusAdmitsAsOversubscribed) {
  const std::size_t cpus = Cpus();
  Pool fits(cpus, 4);
  EXPECT_FALSE(detail::PoolAccess::Oversubscribed(fits));
  Pool over(cpus + 1, 4);
  EXPECT_TRUE(detail::PoolAccess::Oversubscribed(over));
  over.SetWorkers(cpus);
  EXPECT_FALSE(detail::PoolAccess::Oversubscribed(over));
  fits.SetWorkers(cpus + 1);
  EXPECT_TRUE(detail::PoolAccess::Oversubscribed(fits));
}

}  // namespace
}  // namespace litepool
