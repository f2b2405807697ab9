// ParallelFor: a Monte-Carlo estimate of pi, run as a serial loop and as a
// parallel loop over the same blocks of samples, timed side by side.
//
// The loop runs over block numbers; each block draws its own samples from
// a generator seeded by the block number, so the parallel result equals
// the serial one exactly, whatever the order the chunks ran in.
#include <litepool/litepool.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <random>
#include <vector>

namespace {

constexpr int kBlocks = 800;
constexpr int kSamplesPerBlock = 10'000;

// Points of block `block` that fall inside the quarter circle.
std::int64_t HitsInBlock(int block) {
  std::mt19937_64 rng(static_cast<std::uint64_t>(block));
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::int64_t hits = 0;
  for (int i = 0; i < kSamplesPerBlock; ++i) {
    const double x = u(rng), y = u(rng);
    if (x * x + y * y <= 1.0) ++hits;
  }
  return hits;
}

double Pi(std::int64_t hits) {
  return 4.0 * static_cast<double>(hits) / (static_cast<double>(kBlocks) * kSamplesPerBlock);
}

double MillisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

int main() {
  litepool::Pool pool(litepool::PoolOptions{.workers = 0, .queue_capacity = 64});
  std::cout << "Monte-Carlo estimate of pi: " << kBlocks << " blocks of " << kSamplesPerBlock
            << " samples, pool of " << pool.Workers() << " workers\n";

  auto start = std::chrono::steady_clock::now();
  std::int64_t serial_hits = 0;
  for (int b = 0; b < kBlocks; ++b) serial_hits += HitsInBlock(b);
  const double serial_ms = MillisecondsSince(start);

  // Index form: one call per block; each writes its own slot.
  start = std::chrono::steady_clock::now();
  std::vector<std::int64_t> per_block(kBlocks);
  litepool::ParallelFor(0, kBlocks, [&](int b) { per_block[b] = HitsInBlock(b); },
                        litepool::ForOptions{.pool = pool});
  std::int64_t parallel_hits = 0;
  for (std::int64_t h : per_block) parallel_hits += h;
  const double parallel_ms = MillisecondsSince(start);

  // Chunk form: one call per chunk of blocks, one atomic add per chunk.
  start = std::chrono::steady_clock::now();
  std::atomic<std::int64_t> chunk_hits{0};
  litepool::ParallelFor(0, kBlocks, [&](int begin, int end) {
    std::int64_t local = 0;
    for (int b = begin; b < end; ++b) local += HitsInBlock(b);
    chunk_hits.fetch_add(local, std::memory_order_relaxed);
  }, litepool::ForOptions{.pool = pool, .grain = 50});
  const double chunk_ms = MillisecondsSince(start);

  auto report = [](const char* label, std::int64_t hits, double ms) {
    std::cout << label << "pi ~ " << std::fixed << std::setprecision(6) << Pi(hits) << " in "
              << std::setprecision(1) << ms << " ms\n";
  };
  report("serial loop:                  ", serial_hits, serial_ms);
  report("ParallelFor, index form:      ", parallel_hits, parallel_ms);
  report("ParallelFor, chunks of 50:    ", chunk_hits.load(), chunk_ms);
  const bool same = serial_hits == parallel_hits && serial_hits == chunk_hits.load();
  std::cout << "speed-up of the index form over the serial loop: " << std::setprecision(2)
            << serial_ms / parallel_ms << "x\n";
  std::cout << "Summary: the parallel loops gave " << (same ? "exactly the same" : "A DIFFERENT")
            << " result as the serial loop, spread over the pool's workers.\n";
  return same ? 0 : 1;
}
