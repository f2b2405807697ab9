#include "litepool/trace.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "json_check.hpp"
#include "litepool/litepool.hpp"
#include "trace_sample.hpp"

namespace litepool {
namespace {

// Built with AddressSanitizer or ThreadSanitizer (g++ and clang++ spell it
// differently).
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define LITEPOOL_TEST_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LITEPOOL_TEST_SANITIZED 1
#endif
#ifdef LITEPOOL_TEST_SANITIZED
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

using std::chrono::microseconds;
using std::chrono::nanoseconds;

std::size_t Count(const std::string& s, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1)) ++n;
  return n;
}

TEST(TraceTest, HoldsEventsDroppedAndWorkers) {
  const Trace empty;
  EXPECT_TRUE(empty.Events().empty());
  EXPECT_EQ(empty.Dropped(), 0u);
  EXPECT_EQ(empty.Workers(), 0u);
  std::vector<TraceEvent> events(2);
  events[1].worker = 4;
  const Trace t(events, 17, 2);
  EXPECT_EQ(t.Events().size(), 2u);
  EXPECT_EQ(t.Dropped(), 17u);
  EXPECT_EQ(t.Workers(), 5u);  // an event names worker 4
  EXPECT_EQ(Trace({}, 0, 6).Workers(), 6u);
}

TEST(TraceTest, ChromeJsonIsValidWithACompleteEventPerAttempt) {
  testing::SampleStats stats;
  const Trace t(testing::SampleEvents(1000, 5, microseconds(1), &stats), 3, 6);
  std::ostringstream out;
  t.WriteChromeJson(out);
  const std::string j = out.str();
  ASSERT_EQ(testing::JsonCheck::Problem(j), "") << j.substr(0, 2000);
  EXPECT_EQ(Count(j, "\"ph\":\"X\""), stats.attempts);
  EXPECT_EQ(Count(j, "\"name\":\"thread_name\""), 6u);  // the idle sixth worker too
  EXPECT_NE(j.find("\"args\":{\"name\":\"worker 5\"}"), std::string::npos);
  for (const char* arg : {"\"task\":", "\"attempt\":", "\"outcome\":", "\"stolen\":",
                          "\"priority\":", "\"queue_wait_us\":"}) {
    EXPECT_EQ(Count(j, arg), stats.attempts + (std::string(arg) == "\"task\":" ||
                                                       std::string(arg) == "\"attempt\":"
                                                   ? stats.retries
                                                   : 0))
        << arg;
  }
  // Each retry: an instant event and a flow from the previous attempt.
  EXPECT_GT(stats.retries, 0u);
  EXPECT_EQ(Count(j, "\"ph\":\"i\""), stats.retries);
  EXPECT_EQ(Count(j, "\"ph\":\"s\""), stats.retries);
  EXPECT_EQ(Count(j, "\"ph\":\"f\""), stats.retries);
  EXPECT_NE(j.find("\"dropped\":3"), std::string::npos);
}

TEST(TraceTest, ChromeJsonTimesAreExactMicroseconds) {
  TraceEvent e;
  e.task = 42;
  e.admitted = nanoseconds(1000);
  e.start = nanoseconds(1'234'567);
  e.end = nanoseconds(2'000'000);
  e.outcome = ErrorCode::kTimeout;
  e.priority = Priority::kHigh;
  std::ostringstream out;
  Trace({e}).WriteChromeJson(out);
  const std::string j = out.str();
  EXPECT_EQ(testing::JsonCheck::Problem(j), "") << j;
  EXPECT_NE(j.find("\"ts\":1234.567,\"dur\":765.433"), std::string::npos) << j;
  EXPECT_NE(j.find("\"queue_wait_us\":1233.567"), std::string::npos) << j;
  EXPECT_NE(j.find("\"outcome\":\"Timeout\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"priority\":\"high\""), std::string::npos) << j;
}

TEST(TraceTest, SvgHasALanePerWorkerAndABarWithTitlePerAttempt) {
  testing::SampleStats stats;
  const Trace t(testing::SampleEvents(1000, 5, microseconds(1), &stats), 0, 6);
  std::ostringstream out;
  t.WriteSvg(out);
  const std::string svg = out.str();
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
  EXPECT_EQ(Count(svg, "<g class=\"worker\""), 6u);
  EXPECT_EQ(Count(svg, "<title>task "), stats.attempts);
  EXPECT_EQ(Count(svg, " r\"><title>"), stats.retries);  // retries are outlined
  EXPECT_NE(svg.find("worker 5"), std::string::npos);
  EXPECT_NE(svg.find("time since the trace started"), std::string::npos);
  EXPECT_EQ(svg.find("<script"), std::string::npos);  // self-contained, inert
  EXPECT_EQ(svg.find("href"), std::string::npos);
}

TEST(TraceTest, SvgOfAMillionAttemptsIsAggregatedAndBounded) {
  testing::SampleStats stats;
  const Trace t(testing::SampleEvents(980'000, 8, microseconds(1), &stats), 0, 8);
  ASSERT_GE(stats.attempts, 1'000'000u);
  std::ostringstream out;
  t.WriteSvg(out);
  const std::string svg = out.str();
  EXPECT_EQ(Count(svg, "<g class=\"worker\""), 8u);
  EXPECT_EQ(Count(svg, "<title>task "), 0u);  // no per-attempt elements
  EXPECT_NE(svg.find("aggregated"), std::string::npos);
  // At most a rect per pixel column per lane (shade + failure mark).
  EXPECT_LT(svg.size(), 1'500'000u) << svg.size();
  EXPECT_GT(Count(svg, "class=\"a8\""), 0u);  // busy columns are drawn
  EXPECT_GT(Count(svg, "class=\"o1\""), 0u);  // failures still show
}

// A hand-built trace is checked when it is made: worker ids and times the
// writers cannot draw within bounds are refused.
TEST(TraceTest, ConstructorRefusesWorkersAndTimesOutOfBounds) {
  auto event = [](std::size_t worker, nanoseconds start, nanoseconds end) {
    TraceEvent e;
    e.worker = worker;
    e.start = start;
    e.end = end;
    return e;
  };
  const nanoseconds one(1000);
  for (std::size_t worker : {SIZE_MAX, SIZE_MAX - 1, std::size_t{100000}, std::size_t{4096}}) {
    EXPECT_THROW(Trace({event(worker, nanoseconds(0), one)}), std::invalid_argument) << worker;
  }
  EXPECT_THROW(Trace({}, 0, 4097), std::invalid_argument);
  EXPECT_THROW(Trace({event(0, nanoseconds::min(), one)}), std::invalid_argument);
  EXPECT_THROW(Trace({event(0, nanoseconds(0), nanoseconds::max())}), std::invalid_argument);
  EXPECT_THROW(Trace({event(0, -one, one)}), std::invalid_argument);
  TraceEvent early_admission = event(0, nanoseconds(0), one);
  early_admission.admitted = nanoseconds::min();
  EXPECT_THROW(Trace({early_admission}), std::invalid_argument);
}

// At the bounds the writers' output stays small: one event on the last
// worker id a pool has, at a century.
TEST(TraceTest, TraceAtTheBoundsWritesBoundedOutput) {
  const nanoseconds century = std::chrono::hours(24 * 365 * 100);
  TraceEvent e;
  e.worker = 4095;
  e.admitted = nanoseconds(0);
  e.start = nanoseconds(0);
  e.end = century;
  const Trace t({e});
  EXPECT_EQ(t.Workers(), 4096u);
  std::ostringstream svg, json;
  t.WriteSvg(svg);
  t.WriteChromeJson(json);
  EXPECT_EQ(Count(svg.str(), "<g class=\"worker\""), 4096u);
  EXPECT_LT(svg.str().size(), 2'000'000u) << svg.str().size();
  EXPECT_LT(json.str().size(), 1'000'000u) << json.str().size();
}

TEST(TraceTest, EmptyTraceWritesValidOutput) {
  std::ostringstream json, svg;
  Trace().WriteChromeJson(json);
  Trace().WriteSvg(svg);
  EXPECT_EQ(testing::JsonCheck::Problem(json.str()), "") << json.str();
  EXPECT_NE(svg.str().find("no events"), std::string::npos);
  EXPECT_EQ(svg.str().substr(svg.str().size() - 7), "</svg>\n");
}

// The latest time a trace accepts (trace.hpp: 100 years, in nanoseconds)
// is beyond a double's integer precision (2^53 ns is about 104 days): the
// SVG's time grid must still end, its size bounded as for any trace (a grid
// stepped in doubles never advances there: a 1 ns step is below one ulp).
TEST(TraceSvgDeathTest, ANanosecondSpanAtTheLatestTimeWritesABoundedSvg) {
  constexpr std::int64_t kLatest = 24LL * 365 * 100 * 3600 * 1000000000;  // 100 years
  TraceEvent e;
  e.worker = 0;
  e.admitted = nanoseconds(kLatest - 1);
  e.start = nanoseconds(kLatest - 1);
  e.end = nanoseconds(kLatest);
  const Trace t({e}, 0, 1);
  // In a child bounded in time and memory: a hang or a runaway string kills
  // it (SIGALRM, or bad_alloc ending in abort) instead of the test run.
  constexpr unsigned kChildSeconds = 20;
  constexpr rlim_t kChildBytes = rlim_t{4} << 30;
  constexpr std::size_t kMaxSvgBytes = 1 << 20;  // one lane, one bar: a few KB
  auto write_bounded = [&t] {
    // A sanitizer reserves terabytes of address space up front: there, only
    // the alarm bounds the child.
    if (!kSanitized) {
      const rlimit limit{kChildBytes, kChildBytes};
      setrlimit(RLIMIT_AS, &limit);
    }
    alarm(kChildSeconds);
    std::ostringstream svg;
    t.WriteSvg(svg);
    std::exit(svg.str().size() < kMaxSvgBytes ? 0 : 1);
  };
  EXPECT_EXIT(write_bounded(), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace litepool
