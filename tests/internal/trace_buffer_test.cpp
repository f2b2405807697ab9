// TraceBuffer: the worker appending to a buffer made at StartTrace takes no
// page faults (the buffer's pages are mapped when it is made), and it keeps
// what fits and counts the rest as dropped.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <thread>

#include <sys/resource.h>

#include "observe/trace_buffer.hpp"

namespace litepool::detail {
namespace {

// Larger than glibc's largest dynamic mmap threshold (32 MiB on 64-bit), so
// the buffer is always a fresh mapping whose pages nobody touched yet,
// whatever earlier tests allocated and freed: 1 Mi events is the default
// trace size.
constexpr std::size_t kEvents = std::size_t{1} << 20;
static_assert(kEvents * sizeof(RawTraceEvent) > (std::size_t{32} << 20));

// Minor faults the appending thread may take for reasons of its own (its
// stack, the test's own bookkeeping); far below the buffer's page count
// (kEvents * sizeof(RawTraceEvent) / 4 KiB, about ten thousand), which is
// what appending to unmapped pages costs.
constexpr long kMaxFaults = 64;

long ThreadMinorFaults() {
  rusage usage{};
  EXPECT_EQ(getrusage(RUSAGE_THREAD, &usage), 0);
  return usage.ru_minflt;
}

RawTraceEvent EventOf(std::uint64_t task) {
  return RawTraceEvent{task, 1, 2, 3, 0, ErrorCode::kOk, false, Priority::kNormal};
}

// ThreadSanitizer maps its shadow memory on the first write to each page,
// so under it a thread faults on every fresh page it stores to, whoever
// touched the page first: the count says nothing about the buffer there.
#if defined(__SANITIZE_THREAD__)
constexpr bool kShadowFaults = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr bool kShadowFaults = true;
#else
constexpr bool kShadowFaults = false;
#endif
#else
constexpr bool kShadowFaults = false;
#endif

TEST(TraceBuffer_Faults, AppendingOnAnotherThreadTakesNoPageFaults) {
  if (kShadowFaults) GTEST_SKIP() << "ThreadSanitizer's shadow memory faults on every fresh page";
  TraceBuffer buffer(kEvents);
  long faults = -1;
  // A thread of its own, as a worker: it appends to a buffer another thread
  // made, and its fault count covers only the appends.
  std::thread worker([&] {
    const long before = ThreadMinorFaults();
    for (std::uint64_t i = 0; i < kEvents; ++i) buffer.Add(EventOf(i));
    faults = ThreadMinorFaults() - before;
  });
  worker.join();
  EXPECT_EQ(buffer.Size(), kEvents);
  EXPECT_LE(faults, kMaxFaults);
  EXPECT_GE(faults, 0);
}

TEST(TraceBuffer_Capacity, KeepsWhatFitsAndCountsTheRestAsDropped) {
  constexpr std::size_t kCapacity = 3;
  constexpr std::size_t kExtra = 2;
  TraceBuffer buffer(kCapacity);
  for (std::uint64_t i = 0; i < kCapacity + kExtra; ++i) buffer.Add(EventOf(i));
  ASSERT_EQ(buffer.Size(), kCapacity);
  EXPECT_EQ(buffer.Dropped(), kExtra);
  std::uint64_t expected = 0;
  for (const RawTraceEvent& e : buffer) EXPECT_EQ(e.task, expected++);
}

TEST(TraceBuffer_Capacity, ZeroCapacityDropsEverything) {
  TraceBuffer buffer(0);
  buffer.Add(EventOf(7));
  EXPECT_EQ(buffer.Size(), 0u);
  EXPECT_EQ(buffer.Dropped(), 1u);
  EXPECT_EQ(buffer.begin(), buffer.end());
}

}  // namespace
}  // namespace litepool::detail
