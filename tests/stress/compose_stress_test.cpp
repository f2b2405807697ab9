// Composed work under load (suite `stress`): producers build Then chains,
// WhenAll / WhenAny joins, dependent and delayed tasks and periodic tasks
// on a small pool while a controller purges it at random, then the round
// ends with a close (drain or cancel). Checked: every Future settles (no
// hang, bounded by a guard), every value that arrives is the right one,
// every periodic handle ends, and the engine's accounting balances.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

#include "api/pool_access.hpp"
#include "litepool/litepool.hpp"

namespace litepool {
namespace {

using namespace std::chrono_literals;

#ifndef LITEPOOL_STRESS_SCALE
#define LITEPOOL_STRESS_SCALE 1
#endif
constexpr int kRounds = 6 * LITEPOOL_STRESS_SCALE;
constexpr int kProducers = 3;
constexpr int kStepsPerProducer = 300;
constexpr auto kGuard = std::chrono::seconds(120);  // a hang fails, it does not block

// Waits for `f` within the guard and checks what it holds: the expected
// value, or a failure (a purge or a close may cancel any step).
template <class T>
void Settles(Future<T>& f, const T& expected, std::atomic<int>& bad) {
  if (!f.WaitFor(kGuard)) {
    bad.fetch_add(1);
    return;
  }
  try {
    if (f.Get() != expected) bad.fetch_add(1);
  } catch (const TaskError& e) {
    const ErrorCode c = e.Cause().Code();
    if (c != ErrorCode::kCancelled && c != ErrorCode::kClosed) bad.fetch_add(1);
  }
}

void Producer(Pool& pool, std::uint64_t seed, std::atomic<int>& bad) {
  std::mt19937_64 rng(seed);
  std::vector<Future<int>> chains;
  std::vector<int> expected;
  for (int step = 0; step < kStepsPerProducer; ++step) {
    switch (rng() % 6) {
      case 0: {  // a short Then chain
        const int links = static_cast<int>(rng() % 8);
        Future<int> f = pool.Submit([] { return 0; });
        for (int i = 0; i < links; ++i) f = std::move(f).Then([](int v) { return v + 1; });
        chains.push_back(std::move(f));
        expected.push_back(links);
        break;
      }
      case 1: {  // a WhenAll of a few, then a sum
        std::vector<Future<int>> in;
        const int n = 1 + static_cast<int>(rng() % 5);
        for (int i = 0; i < n; ++i) in.push_back(pool.Submit([i] { return i; }));
        chains.push_back(WhenAll(std::move(in)).Then([](std::vector<int> v) {
          int s = 0;
          for (int x : v) s += x;
          return s;
        }));
        expected.push_back(n * (n - 1) / 2);
        break;
      }
      case 2: {  // a dependent of two tasks
        Future<int> a = pool.Submit([] { return 1; });
        Future<int> b = pool.Submit([] { return 2; });
        chains.push_back(pool.Submit([] { return 3; }, SubmitOptions{.after = {a, b}}));
        expected.push_back(3);
        break;
      }
      case 3: {  // a delayed task, 0-2 ms
        const auto d = std::chrono::microseconds(rng() % 2000);
        chains.push_back(pool.Submit([] { return 4; }, SubmitOptions{.delay = d}));
        expected.push_back(4);
        break;
      }
      case 4: {  // WhenAny of two
        std::vector<Future<int>> in;
        in.push_back(pool.Submit([] { return 5; }));
        in.push_back(pool.Submit([] { return 5; }, SubmitOptions{.delay = 1ms}));
        chains.push_back(WhenAny(std::move(in)).Then([](WhenAnyResult<int> r) {
          try {
            return r.first.Get();
          } catch (const TaskError&) {
            return 5;  // the winner was purged: not this test's concern
          }
        }));
        expected.push_back(5);
        break;
      }
      default: {  // an outcome continuation after a failure
        chains.push_back(
            pool.Submit([]() -> int { throw std::runtime_error("x"); }).Then([](Future<int> f) {
              try {
                return f.Get();
              } catch (const std::runtime_error&) {  // TaskError too
                return 6;
              }
            }));
        expected.push_back(6);
        break;
      }
    }
  }
  for (std::size_t i = 0; i < chains.size(); ++i) Settles(chains[i], expected[i], bad);
}

TEST(ComposeStress, MixOfThenJoinsDependentsDelaysAndPeriodicsSettlesEverything) {
  for (int round = 0; round < kRounds; ++round) {
    auto pool = std::make_unique<Pool>(1 + round % 3, 4);
    std::atomic<int> bad{0};
    std::atomic<bool> stop{false};
    std::vector<PeriodicHandle> periodics;
    std::atomic<int> beats{0};
    for (int i = 0; i < 3; ++i) {
      periodics.push_back(pool->Every(
          std::chrono::microseconds(200 + 300 * i), [&] { beats.fetch_add(1); },
          PeriodicOptions{.fixed_delay = i == 1}));
    }
    std::thread controller([&, round] {
      std::mt19937_64 rng(static_cast<std::uint64_t>(round) * 7919u);
      while (!stop.load()) {
        if (rng() % 4 == 0) (void)pool->Purge();
        if (rng() % 8 == 0) periodics[rng() % periodics.size()].Cancel();
        std::this_thread::yield();
      }
    });
    std::vector<std::thread> producers;
    for (int p = 0; p < kProducers; ++p) {
      producers.emplace_back(Producer, std::ref(*pool), static_cast<std::uint64_t>(round * 100 + p),
                             std::ref(bad));
    }
    for (std::thread& t : producers) t.join();
    stop = true;
    controller.join();
    pool->Close(round % 2 == 0 ? CloseMode::kDrain : CloseMode::kCancelPending);
    for (PeriodicHandle& h : periodics) EXPECT_FALSE(h.Active());
    EXPECT_EQ(bad.load(), 0) << "round " << round;
    EXPECT_EQ(pool->Stats().delayed, 0u);
    EXPECT_TRUE(detail::PoolAccess::Totals(*pool).Balanced()) << "round " << round;
  }
}

}  // namespace
}  // namespace litepool
