// ParallelFor: every index once, both forms, grains, index types,
// exceptions, nesting on worker threads, closed pools; Map's grain.
#include "litepool/parallel.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <future>
#include <latch>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "litepool/map.hpp"
#include "litepool/pool.hpp"

namespace litepool {
namespace {

TEST(ParallelForTest, EveryIndexRunsExactlyOnce) {
  Pool pool(2, 16);
  constexpr int kN = 100'003;
  std::vector<std::atomic<int>> hits(kN);
  ParallelFor(
      0, kN, [&](int i) { hits[i].fetch_add(1, std::memory_order_relaxed); },
      ForOptions{.pool = pool});
  for (int i = 0; i < kN; ++i) ASSERT_EQ(hits[i].load(), 1) << i;
}

TEST(ParallelForTest, ResultsAreVisibleAfterReturn) {
  Pool pool(2, 16);
  std::vector<long> out(10'000, 0);  // plain writes: the return orders them (TSan)
  ParallelFor(
      std::size_t{0}, out.size(), [&](std::size_t i) { out[i] = static_cast<long>(i) * 2; },
      ForOptions{.pool = &pool, .grain = 7});
  for (std::size_t i = 0; i < out.size(); ++i) ASSERT_EQ(out[i], static_cast<long>(i) * 2);
}

TEST(ParallelForTest, ChunkFormWinsAndCoversTheRangeWithGrainSizedChunks) {
  Pool pool(2, 16);
  std::mutex mu;
  std::vector<std::pair<long, long>> chunks;
  struct Both {
    std::mutex* mu;
    std::vector<std::pair<long, long>>* chunks;
    void operator()(long b, long e) const {
      std::lock_guard lock(*mu);
      chunks->emplace_back(b, e);
    }
    void operator()(long) const { ADD_FAILURE() << "index form called"; }
  };
  ParallelFor(10L, 110L, Both{&mu, &chunks}, ForOptions{.pool = pool, .grain = 30});
  std::sort(chunks.begin(), chunks.end());
  ASSERT_EQ(chunks.size(), 4u);
  EXPECT_EQ(chunks[0], std::make_pair(10L, 40L));
  EXPECT_EQ(chunks[3], std::make_pair(100L, 110L));
  for (std::size_t k = 1; k < chunks.size(); ++k) EXPECT_EQ(chunks[k - 1].second, chunks[k].first);
}

TEST(ParallelForTest, DefaultGrainGivesAboutFourChunksPerWorker) {
  Pool pool(3, 16);
  std::atomic<int> calls{0};
  ParallelFor(
      0, 1200, [&](int, int) { calls.fetch_add(1); }, ForOptions{.pool = pool});
  EXPECT_EQ(calls.load(), 12);
}

TEST(ParallelForTest, MixedIndexTypesUseTheCommonType) {
  Pool pool(2, 16);
  std::atomic<long long> sum{0};
  short first = -5;
  long long last = 5;
  ParallelFor(
      first, last, [&](long long i) { sum += i; }, ForOptions{.pool = pool});
  EXPECT_EQ(sum.load(), -5);
  // The extremes of a signed type do not overflow.
  std::atomic<std::int64_t> count{0};
  ParallelFor(
      static_cast<signed char>(SCHAR_MIN), static_cast<signed char>(SCHAR_MAX),
      [&](signed char) { count.fetch_add(1); }, ForOptions{.pool = pool});
  EXPECT_EQ(count.load(), 255);
}

TEST(ParallelForTest, EmptyRangeCallsNothingAndReversedThrows) {
  Pool pool(1, 4);
  bool called = false;
  ParallelFor(
      5, 5, [&](int) { called = true; }, ForOptions{.pool = pool});
  EXPECT_FALSE(called);
  EXPECT_THROW(ParallelFor(
                   6, 5, [&](int) { called = true; }, ForOptions{.pool = pool}),
               std::invalid_argument);
  EXPECT_FALSE(called);
}

TEST(ParallelForTest, FirstExceptionStopsUnstartedChunksAndIsRethrown) {
  Pool pool(2, 16);
  std::atomic<int> started{0};
  struct Boom : std::runtime_error {
    Boom() : std::runtime_error("boom") {}
  };
  EXPECT_THROW(ParallelFor(
                   0, 1000,
                   [&](int, int) {
                     started.fetch_add(1);
                     throw Boom();
                   },
                   ForOptions{.pool = pool, .grain = 1}),
               Boom);
  // Each thread that throws stops the loop: at most one chunk per thread
  // (the caller and the two workers) ran.
  EXPECT_LE(started.load(), 3);
}

TEST(ParallelForTest, RunningChunksReturnBeforeTheRethrow) {
  Pool pool(2, 16);
  std::atomic<bool> slow_done{false};
  std::latch slow_started(1);
  try {
    ParallelFor(
        0, 2,
        [&](int i) {
          if (i == 0) {
            slow_started.count_down();
            std::this_thread::sleep_for(std::chrono::milliseconds(20));  // workload
            slow_done = true;
          } else {
            slow_started.wait();
            throw std::runtime_error("fast");
          }
        },
        ForOptions{.pool = pool, .grain = 1});
    FAIL();
  } catch (const std::runtime_error&) {
    EXPECT_TRUE(slow_done.load());
  }
}

TEST(ParallelForTest, NestedLoopsOnOneWorkerDoNotDeadlock) {
  Pool pool(1, 4);
  std::atomic<long> sum{0};
  Future<void> f = pool.Submit([&] {
    ParallelFor(
        0, 8,
        [&](int) {
          ParallelFor(
              0, 100, [&](int j) { sum += j; }, ForOptions{.pool = pool, .grain = 10});
        },
        ForOptions{.pool = pool, .grain = 1});
  });
  f.Get();
  EXPECT_EQ(sum.load(), 8 * 4950);
}

TEST(ParallelForTest, ClosedPoolThrowsTaskError) {
  Pool pool(2, 16);
  pool.Close();
  try {
    ParallelFor(
        0, 100, [](int) {}, ForOptions{.pool = pool, .grain = 1});
    FAIL();
  } catch (const TaskError& e) {
    EXPECT_EQ(e.Cause().Code(), ErrorCode::kClosed);
  }
}

TEST(ParallelForTest, CancelPendingCloseWhileRunnersQueuedThrowsTaskError) {
  Pool pool(1, 16);
  std::latch in_loop(1), closed(1);
  // The only worker is busy, so the loop's runner task stays queued; Close
  // with kCancelPending drops it and the loop stops (the caller already
  // holds its first chunk and finishes it).
  Future<void> blocker = pool.Submit([&] {
    in_loop.wait();
    pool.Close(CloseMode::kCancelPending);
    closed.count_down();
  });
  std::atomic<int> chunks_run{0};
  try {
    ParallelFor(
        0, 4,
        [&](int) {
          if (chunks_run.fetch_add(1) == 0) {
            in_loop.count_down();
            closed.wait();
            // The dropped runner settles as a failure once it has
            // cancelled the loop; hold this chunk until then.
            while (pool.Stats().total.failed == 0) std::this_thread::yield();
          }
        },
        ForOptions{.pool = pool, .grain = 1});
    FAIL();
  } catch (const TaskError& e) {
    EXPECT_EQ(e.Cause().Code(), ErrorCode::kCancelled);
  }
  EXPECT_EQ(chunks_run.load(), 1);
  blocker.Get();
}

// Runs `loop` on a thread of its own and waits for it, bounded: a loop that
// never returns (the code under test is wrong) stops the test program with
// a failure instead of hanging it.
template <class Loop>
void RunBounded(const char* what, Loop loop) {
  std::promise<void> done;
  std::future<void> finished = done.get_future();
  std::thread t([&] {
    try {
      loop();
      done.set_value();
    } catch (...) {
      done.set_exception(std::current_exception());
    }
  });
  if (finished.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
    std::fprintf(stderr, "%s: did not return within the hang guard\n", what);
    std::fflush(stderr);
    std::_Exit(1);
  }
  t.join();
  finished.get();  // rethrows the loop's failure, if any
}

// A grain larger than the range (up to SIZE_MAX) makes one chunk.
TEST(ParallelForEdgeTest, HugeGrainRunsTheRangeAsOneChunk) {
  Pool pool(2, 16);
  for (std::size_t grain : {std::size_t{11}, SIZE_MAX / 2, SIZE_MAX - 5, SIZE_MAX}) {
    std::mutex mu;
    std::vector<std::pair<int, int>> chunks;
    RunBounded("ParallelFor with a huge grain", [&] {
      ParallelFor(
          0, 10,
          [&](int b, int e) {
            std::lock_guard lock(mu);
            chunks.emplace_back(b, e);
          },
          ForOptions{.pool = pool, .grain = grain});
    });
    ASSERT_EQ(chunks.size(), 1u) << grain;
    EXPECT_EQ(chunks[0], std::make_pair(0, 10)) << grain;
  }
}

// The full ranges of 64-bit types: the chosen grain does not collapse, and
// a throw ends the loop at once (the chunks left are skipped together).
TEST(ParallelForEdgeTest, FullRangesReturnAfterAThrow) {
  Pool pool(2, 16);
  struct Stop {};
  auto expect_stop = [&](auto loop) {
    RunBounded("ParallelFor over a full 64-bit range", [&] { EXPECT_THROW(loop(), Stop); });
  };
  expect_stop([&] {
    ParallelFor(
        std::uint64_t{0}, UINT64_MAX, [](std::uint64_t, std::uint64_t) { throw Stop{}; },
        ForOptions{.pool = pool});
  });
  expect_stop([&] {
    ParallelFor(
        INT64_MIN, INT64_MAX, [](std::int64_t, std::int64_t) { throw Stop{}; },
        ForOptions{.pool = pool});
  });
  // Grain 1: 2^64 - 1 chunks, every one after the first skipped at once.
  expect_stop([&] {
    ParallelFor(
        std::uint64_t{0}, UINT64_MAX, [](std::uint64_t) { throw Stop{}; },
        ForOptions{.pool = pool, .grain = 1});
  });
}

// The top of the range is reached exactly, with or without a grain.
TEST(ParallelForEdgeTest, RangesEndingAtTheTypesMaximumCoverEveryIndex) {
  Pool pool(2, 16);
  for (std::size_t grain : {std::size_t{0}, std::size_t{3}, SIZE_MAX}) {
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> sum_of_offsets{0};
    RunBounded("ParallelFor up to UINT64_MAX", [&] {
      ParallelFor(
          UINT64_MAX - 10, UINT64_MAX,
          [&](std::uint64_t i) {
            ++count;
            sum_of_offsets += UINT64_MAX - i;
          },
          ForOptions{.pool = pool, .grain = grain});
    });
    EXPECT_EQ(count.load(), 10u) << grain;
    EXPECT_EQ(sum_of_offsets.load(), 55u) << grain;  // offsets 1..10
  }
}

// A runner dropped by Purge after the caller already ran every chunk: no
// index was skipped, so the loop returns normally.
TEST(ParallelForEdgeTest, PurgeDuringTheLastChunkDoesNotThrowWhenEveryIndexRan) {
  Pool pool(1, 16);
  std::latch blocker_running(1), release(1);
  Future<void> blocker = pool.Submit([&] {
    blocker_running.count_down();
    release.wait();
  });
  blocker_running.wait();
  // Two chunks, one runner queued behind the blocker: the caller runs both;
  // during the last one it purges the queued runner.
  std::atomic<int> ran{0};
  std::size_t purged = 0;
  EXPECT_NO_THROW(ParallelFor(
      0, 2,
      [&](int i) {
        ++ran;
        if (i == 1) purged = pool.Purge();
      },
      ForOptions{.pool = pool, .grain = 1}));
  EXPECT_EQ(purged, 1u);
  EXPECT_EQ(ran.load(), 2);
  release.count_down();
  blocker.Get();
}

// A closed pool refuses every loop the same way, one chunk or many: nothing
// runs, not even on the caller.
TEST(ParallelForEdgeTest, ClosedPoolThrowsClosedForOneChunkToo) {
  Pool pool(2, 16);
  pool.Close();
  for (std::size_t grain : {std::size_t{1}, std::size_t{100}}) {
    int calls = 0;
    try {
      ParallelFor(
          0, 10, [&](int) { ++calls; }, ForOptions{.pool = pool, .grain = grain});
      ADD_FAILURE() << "grain " << grain << ": no throw";
    } catch (const TaskError& e) {
      EXPECT_EQ(e.Cause().Code(), ErrorCode::kClosed);
    }
    EXPECT_EQ(calls, 0) << grain;
  }
}

TEST(ParallelForEdgeTest, NullFnThrowsInvalidArgument) {
  Pool pool(2, 16);
  void (*null_index)(int) = nullptr;
  EXPECT_THROW(ParallelFor(0, 10, null_index, ForOptions{.pool = pool}), std::invalid_argument);
  std::function<void(int, int)> empty_chunk;
  EXPECT_THROW(ParallelFor(0, 10, empty_chunk, ForOptions{.pool = pool}), std::invalid_argument);
}

TEST(MapGrainTest, ChunkedMapKeepsOrderAndStopsAfterAThrow) {
  Pool pool(2, 16);
  std::vector<int> in(1000);
  for (int i = 0; i < 1000; ++i) in[i] = i;
  const std::vector<int> out = Map(
      in, [](const int& x) { return x + 1; }, MapOptions{.pool = pool, .grain = 64});
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(out[i], i + 1);

  std::atomic<int> calls{0};
  EXPECT_THROW(Map(
                   in,
                   [&](const int&) -> int {
                     calls.fetch_add(1);
                     throw std::runtime_error("x");
                   },
                   MapOptions{.pool = pool, .grain = 100}),
               std::runtime_error);
  EXPECT_LE(calls.load(), 2);  // one throw per running chunk at most
}

TEST(MapGrainTest, DefaultGrainMakesFewTasks) {
  Pool pool(2, 16);
  std::vector<int> in(10'000, 1);
  std::atomic<int> calls{0};
  (void)Map(
      in,
      [&](const int& x) {
        calls.fetch_add(1);
        return x;
      },
      MapOptions{.pool = pool});
  EXPECT_EQ(calls.load(), 10'000);
  // 8 tasks for 2 workers: the pool executed 8 bodies, not 10,000.
  pool.Close();
  EXPECT_LE(pool.Stats().total.executed, 8u);
}

}  // namespace
}  // namespace litepool
