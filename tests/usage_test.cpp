#include <gtest/gtest.h>
#include <sched.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "json_check.hpp"
#include "litepool/litepool.hpp"
#include "observe/usage_format.hpp"
#include "test_util.hpp"

namespace litepool {
namespace {

TEST(UsageTest, StatsTotalsAreSumsOfWorkers) {
  Pool pool(3, 8);
  TaskGroup tg(60);
  for (int i = 0; i < 60; ++i) {
    pool.AddTask(tg.NewTaskOptions()
                     .SetTask([i] { return i % 4 == 0 ? Error("x") : Error(); })
                     .SetAutoDone());
  }
  tg.Wait();
  const UsageReport r = pool.Stats();
  ASSERT_EQ(r.workers.size(), 3u);
  std::uint64_t executed = 0, succeeded = 0, failed = 0;
  for (std::size_t i = 0; i < r.workers.size(); ++i) {
    EXPECT_EQ(r.workers[i].id, i);
    executed += r.workers[i].executed;
    succeeded += r.workers[i].succeeded;
    failed += r.workers[i].failed;
  }
  EXPECT_EQ(executed, 60u);
  EXPECT_EQ(r.total.executed, 60u);
  EXPECT_EQ(succeeded, 45u);
  EXPECT_EQ(failed, 15u);
  EXPECT_EQ(r.total.succeeded + r.total.failed, 60u);
  EXPECT_GE(r.imbalance, 1.0);
}

TEST(UsageTest, UsagePrintsARowPerWorkerTotalAndImbalance) {
  Pool pool(PoolOptions{.workers = 2, .queue_capacity = 4, .name = "demo"});
  TaskGroup tg(10);
  for (int i = 0; i < 10; ++i) pool.AddTask(tg.NewTaskOptions().SetTask([] {}).SetAutoDone());
  tg.Wait();
  std::ostringstream out;
  pool.Usage(out);
  const std::string s = out.str();
  EXPECT_NE(s.find("\"demo\""), std::string::npos) << s;
  EXPECT_NE(s.find("executed"), std::string::npos);
  EXPECT_NE(s.find("total"), std::string::npos);
  EXPECT_NE(s.find("imbalance"), std::string::npos);
  // header + 2 workers + total + imbalance + title
  int lines = 0;
  for (char c : s) lines += c == '\n';
  EXPECT_EQ(lines, 6) << s;
}

TEST(UsageTest, UsageTitleCountsWorkersInGoodEnglish) {
  std::ostringstream one, two;
  Pool(1, 3).Usage(one);
  Pool(2, 3).Usage(two);
  EXPECT_NE(one.str().find(": 1 worker, queue 3 each\n"), std::string::npos) << one.str();
  EXPECT_NE(two.str().find(": 2 workers, queue 3 each\n"), std::string::npos) << two.str();
}

TEST(UsageTest, ToJsonHasEveryField) {
  UsageReport r;
  r.name = "a\"b";
  WorkerUsage w;
  w.id = 0;
  w.executed = 7;
  w.busy = std::chrono::nanoseconds(1500);
  w.expired = 3;
  w.queue_wait = LatencySummary{5, std::chrono::nanoseconds(10), std::chrono::nanoseconds(20),
                                std::chrono::nanoseconds(30), std::chrono::nanoseconds(40)};
  w.run_time.count = 2;
  w.run_time.max = std::chrono::nanoseconds(99);
  r.workers.push_back(w);
  r.total = w;
  r.imbalance = 1.25;
  const std::string j = r.ToJson();
  EXPECT_EQ(testing::JsonCheck::Problem(j), "") << j;
  EXPECT_NE(j.find("\"name\":\"a\\\"b\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"executed\":7"), std::string::npos) << j;
  EXPECT_NE(j.find("\"busy_ns\":1500"), std::string::npos) << j;
  EXPECT_NE(j.find("\"imbalance\":1.25"), std::string::npos) << j;
  EXPECT_NE(j.find("\"expired\":3"), std::string::npos) << j;
  EXPECT_NE(j.find("\"queue_wait\":{\"count\":5,\"p50_ns\":10,\"p90_ns\":20,\"p99_ns\":30,"
                   "\"max_ns\":40}"),
            std::string::npos)
      << j;
  EXPECT_NE(j.find("\"run_time\":{\"count\":2,"), std::string::npos) << j;
  for (const char* key : {"succeeded", "failed", "retried", "stolen", "callback_errors", "queued",
                          "total", "expired", "queue_wait", "run_time"}) {
    EXPECT_NE(j.find(std::string("\"") + key + "\""), std::string::npos) << key;
  }
}

// The checker the JSON tests rely on must be able to fail.
TEST(JsonCheckTest, RejectsWhatStrictJsonForbids) {
  EXPECT_EQ(testing::JsonCheck::Problem(R"({"a":[1,-2.5e3,true,null,"x\u00e9"],"b":{}})"), "");
  EXPECT_EQ(testing::JsonCheck::Problem("\"\xC3\xA9\""), "");
  for (const char* bad :
       {"\"\x80\"", "\"\xC0\xAF\"", "\"\xED\xA0\x80\"", "\"a\x01\"", "[1,]", "{\"a\":1,}", "NaN",
        "{\"a\":1}x", "{\"id\":01}", "\"\\q\"", "{a:1}", ""}) {
    EXPECT_NE(testing::JsonCheck::Problem(bad), "") << bad;
  }
}

TEST(UsageTest, ToJsonTotalHasNoId) {
  // The total row carries no "id": a number there would read as a
  // worker's id.
  Pool pool(PoolOptions{.workers = 4, .queue_capacity = 2});
  const std::string j = pool.Stats().ToJson();
  EXPECT_EQ(testing::JsonCheck::Problem(j), "") << j;
  const std::size_t total = j.find("\"total\":{");
  ASSERT_NE(total, std::string::npos) << j;
  const std::string total_row = j.substr(total, j.find('}', total) - total);
  EXPECT_EQ(total_row.find("\"id\""), std::string::npos) << j;
  EXPECT_NE(total_row.find("\"executed\":0"), std::string::npos) << j;
  EXPECT_NE(j.find("\"id\":3"), std::string::npos) << j;  // the workers keep theirs
}

TEST(UsageTest, ToJsonWithANameThatIsNotUtf8IsValidJson) {
  UsageReport r;
  // A lone continuation byte, a truncated 3-byte sequence, an overlong
  // '/', a UTF-16 surrogate, 0xFF, a control character, and valid "é".
  static constexpr char kName[] = "io\x80-\xE2\x82-\xC0\xAF-\xED\xA0\x80-\xFF-\x01-\xC3\xA9";
  r.name = std::string(kName, sizeof kName - 1);
  r.workers.push_back(WorkerUsage{});
  const std::string j = r.ToJson();
  EXPECT_EQ(testing::JsonCheck::Problem(j), "") << j;
  EXPECT_NE(j.find("\\u0001"), std::string::npos) << j;
  EXPECT_NE(j.find("\xC3\xA9"), std::string::npos) << j;  // valid UTF-8 is kept as is
  EXPECT_NE(j.find("\\ufffd"), std::string::npos) << j;
}

TEST(UsageTest, ToJsonWithANonFiniteImbalanceIsValidJson) {
  UsageReport r;
  r.imbalance = std::numeric_limits<double>::infinity();
  const std::string j = r.ToJson();
  EXPECT_EQ(testing::JsonCheck::Problem(j), "") << j;
  EXPECT_NE(j.find("\"imbalance\":null"), std::string::npos) << j;
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> lines;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Where each right-aligned column of a table line ends (the offsets just
// after a run of non-blanks that is followed by a blank or the line's end).
std::vector<std::size_t> ColumnEnds(const std::string& line, std::size_t columns) {
  std::vector<std::size_t> ends;
  for (std::size_t i = 0; i < line.size() && ends.size() < columns; ++i) {
    if (line[i] != ' ' && (i + 1 == line.size() || line[i + 1] == ' ')) ends.push_back(i + 1);
  }
  return ends;
}

// A pool of 3 workers that has run 300 tasks, 6 of them failing.
std::unique_ptr<Pool> BusyPool() {
  auto pool =
      std::make_unique<Pool>(PoolOptions{.workers = 3, .queue_capacity = 8, .name = "aligned"});
  TaskGroup tg(300);
  for (int i = 0; i < 300; ++i) {
    pool->AddTask(tg.NewTaskOptions()
                      .SetTask([i] { return i % 50 == 0 ? Error("x") : Error(); })
                      .SetAutoDone());
  }
  tg.Wait();
  return pool;
}

// Every line in display columns: ANSI escapes count zero, a UTF-8 code
// point (a bar glyph, an accented name) counts one.
std::size_t Columns(const std::string& line) {
  std::size_t columns = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\x1b' && i + 1 < line.size() && line[i + 1] == '[') {
      i += 2;
      while (i < line.size() && !(line[i] >= '@' && line[i] <= '~')) ++i;  // CSI final byte
      continue;
    }
    if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) ++columns;  // not a continuation byte
  }
  return columns;
}

TEST(UsageTest, UsageColumnsAreAlignedAndSeparated) {
  for (UsageStyle style : {UsageStyle::kCompact, UsageStyle::kWide}) {
    std::ostringstream out;
    BusyPool()->Usage(out, style);
    const std::vector<std::string> lines = Lines(out.str());
    ASSERT_EQ(lines.size(), 7u) << out.str();  // title, header, 3 workers, total, imbalance
    const std::string& header = lines[1];
    const std::size_t gap = style == UsageStyle::kWide ? 2 : 1;
    // Header words never touch: at least `gap` blanks between two.
    EXPECT_EQ(header.find("executed"), header.find("worker") + 6 + gap) << header;
    EXPECT_EQ(header.find("succeeded"), header.find("executed") + 8 + gap) << header;
    // The right-aligned columns end at the same offsets on every row.
    const std::size_t n = style == UsageStyle::kWide ? 15 : 9;
    const std::vector<std::size_t> ends = ColumnEnds(header, n);
    ASSERT_EQ(ends.size(), n) << header;
    for (std::size_t i = 2; i <= 5; ++i) {
      EXPECT_EQ(ColumnEnds(lines[i], n), ends) << "row " << i << "\n" << out.str();
    }
    // Worker rows carry a bar of '#' and '.', the total row does not.
    for (std::size_t i = 2; i <= 4; ++i) {
      EXPECT_NE(lines[i].find_first_of("#."), std::string::npos) << lines[i];
    }
    EXPECT_EQ(lines[5].find('#'), std::string::npos) << lines[5];
    EXPECT_NE(lines[5].find("100.0%"), std::string::npos) << lines[5];
  }
}

TEST(UsageTest, CompactUsageOfARealPoolFitsEightyColumns) {
  std::ostringstream out;
  BusyPool()->Usage(out);
  for (const std::string& line : Lines(out.str())) EXPECT_LE(Columns(line), 80u) << line;
}

// A report no pool produces in a test's time: huge counters, long names.
UsageReport HugeReport(std::size_t workers) {
  UsageReport r;
  r.name = "a pool with a very long name, \xC3\xA9\xC3\xA9\xC3\xA9, longer than a terminal is wide";
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  for (std::size_t i = 0; i < workers; ++i) {
    WorkerUsage w;
    w.id = i;
    w.executed = w.succeeded = w.failed = w.retried = w.stolen = w.callback_errors = kMax / workers;
    w.expired = 12345678;
    w.queued = std::numeric_limits<std::size_t>::max() / workers;
    w.busy = std::chrono::hours(24 * 365 * 100) / (i + 1);
    w.queue_wait = LatencySummary{9, std::chrono::nanoseconds(123456), std::chrono::nanoseconds(2),
                                  std::chrono::seconds(12345), std::chrono::seconds(99999)};
    r.workers.push_back(w);
    r.total.executed += w.executed;
  }
  r.total.busy = std::chrono::hours(24 * 365 * 100);
  r.total.callback_errors = 7;
  r.total.expired = 3;
  r.imbalance = 1.5;
  return r;
}

TEST(UsageTest, CompactUsageFitsEightyColumnsEvenWithHugeCounts) {
  for (bool color : {false, true}) {
    const std::string s =
        detail::FormatUsage(HugeReport(4095), 4095, 1u << 20, UsageStyle::kCompact, color);
    const std::vector<std::string> lines = Lines(s);
    ASSERT_EQ(lines.size(), 4095u + 6) << "title, header, rows, total, 2 notes, imbalance";
    for (const std::string& line : lines) ASSERT_LE(Columns(line), 80u) << line;
    EXPECT_NE(
        s.find(color ? "hooks that threw (cb_err): \x1b[31m7" : "hooks that threw (cb_err): 7"),
        std::string::npos);
    EXPECT_NE(s.find("M"), std::string::npos);  // abbreviated, not cut
    // A load bar survives on every worker row.
    EXPECT_NE(lines[2].find('#'), std::string::npos) << lines[2];
  }
}

// A report is plain data: a row with a negative busy time gets an empty
// load bar (no '#'), the other rows theirs, and no out-of-range conversion.
TEST(UsageTest, NegativeBusyRowGetsAnEmptyBar) {
  UsageReport r = HugeReport(2);
  r.workers[0].busy = std::chrono::milliseconds(10);
  r.workers[1].busy = -std::chrono::microseconds(9500);
  const std::string s = detail::FormatUsage(r, 2, 8, UsageStyle::kCompact, false);
  const std::vector<std::string> lines = Lines(s);
  ASSERT_GE(lines.size(), 4u) << s;
  EXPECT_NE(lines[2].find('#'), std::string::npos) << lines[2];
  EXPECT_EQ(lines[3].find('#'), std::string::npos) << lines[3];
}

TEST(UsageTest, WideUsageHasLatencyColumnsAndADashWithoutSamples) {
  UsageReport r = HugeReport(2);
  r.workers[1].queue_wait = LatencySummary{};  // nothing measured
  const std::string s = detail::FormatUsage(r, 2, 8, UsageStyle::kWide, false);
  const std::vector<std::string> lines = Lines(s);
  ASSERT_GE(lines.size(), 5u) << s;
  for (const char* column : {"wait_p50", "wait_p99", "run_p50", "run_p99", "cb_err", "expired"}) {
    EXPECT_NE(lines[1].find(column), std::string::npos) << column << "\n" << s;
  }
  // Worker 0: queue wait measured (p50 123us, p99 12345s); run time not.
  EXPECT_NE(lines[2].find("123us"), std::string::npos) << lines[2];
  EXPECT_NE(lines[2].find("12345s"), std::string::npos) << lines[2];
  // Worker 1 measured nothing: dashes, never a fake 0.
  const std::vector<std::size_t> ends = ColumnEnds(lines[1], 15);
  ASSERT_EQ(ends.size(), 15u);
  for (std::size_t c = 11; c < 15; ++c) {
    EXPECT_EQ(lines[3].substr(ends[c] - 1, 1), "-") << lines[3];
  }
  EXPECT_EQ(lines[3].find("0ns"), std::string::npos) << lines[3];
}

TEST(UsageTest, WideUsageOfAPoolWithoutLatenciesPrintsDashes) {
  std::ostringstream out;
  BusyPool()->Usage(out, UsageStyle::kWide);
  const std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 7u) << out.str();
  // Until the engine records latencies every summary has count 0.
  const UsageReport r = BusyPool()->Stats();
  if (r.total.queue_wait.count == 0 && r.workers[0].run_time.count == 0) {
    EXPECT_NE(lines[2].find(" -  "), std::string::npos) << out.str();
  }
}

TEST(UsageTest, UsageToAStringStreamHasNoColour) {
  std::ostringstream out;
  BusyPool()->Usage(out);
  EXPECT_EQ(out.str().find('\x1b'), std::string::npos) << out.str();
}

// Runs pool.Usage() on std::cout with file descriptor 1 on a pseudo-terminal
// and returns what the terminal received (nullopt: no pty here).
std::optional<std::string> UsageOnATerminal(const Pool& pool) {
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
    if (master >= 0) ::close(master);
    return std::nullopt;
  }
  const int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
  if (slave < 0) {
    ::close(master);
    return std::nullopt;
  }
  std::cout.flush();
  std::fflush(stdout);
  const int saved = ::dup(STDOUT_FILENO);
  ::dup2(slave, STDOUT_FILENO);
  pool.Usage(std::cout);  // well under the pty's buffer: never blocks
  std::cout.flush();
  std::fflush(stdout);
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);
  ::close(slave);
  std::string got;
  ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
  char buf[4096];
  for (ssize_t n; (n = ::read(master, buf, sizeof buf)) > 0;)
    got.append(buf, static_cast<std::size_t>(n));
  ::close(master);
  return got;
}

// Sets an environment variable for one scope, restoring it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(UsageTest, UsageOnATerminalIsColouredUnlessNoColorOrDumb) {
  const std::unique_ptr<Pool> pool = BusyPool();
  std::optional<std::string> coloured, plain, dumb, no_term;
  {
    ScopedEnv term("TERM", "xterm-256color");
    {
      ScopedEnv no_color("NO_COLOR", nullptr);
      coloured = UsageOnATerminal(*pool);
    }
    ScopedEnv no_color("NO_COLOR", "1");
    plain = UsageOnATerminal(*pool);
  }
  {
    ScopedEnv no_color("NO_COLOR", nullptr);
    {
      ScopedEnv term("TERM", "dumb");
      dumb = UsageOnATerminal(*pool);
    }
    ScopedEnv term("TERM", nullptr);
    no_term = UsageOnATerminal(*pool);
  }
  if (!coloured || !plain || !dumb || !no_term) GTEST_SKIP() << "no pseudo-terminal available";
  EXPECT_NE(coloured->find("\x1b[1m"), std::string::npos) << *coloured;
  EXPECT_NE(coloured->find("imbalance"), std::string::npos) << *coloured;
  for (const std::string* s : {&*plain, &*dumb, &*no_term}) {
    EXPECT_EQ(s->find('\x1b'), std::string::npos) << *s;
    EXPECT_NE(s->find("imbalance"), std::string::npos) << *s;
  }
}

TEST(UsageTest, UsageToCoutWithASwappedBufferHasNoColour) {
  // A test that captures std::cout by swapping its buffer gets plain text,
  // whatever file descriptor 1 is.
  std::ostringstream capture;
  std::streambuf* old = std::cout.rdbuf(capture.rdbuf());
  BusyPool()->Usage();
  std::cout.rdbuf(old);
  EXPECT_EQ(capture.str().find('\x1b'), std::string::npos) << capture.str();
  EXPECT_NE(capture.str().find("\"aligned\""), std::string::npos) << capture.str();
}

TEST(UsageTest, ImbalanceIsMaxOverMeanBusy) {
  Pool pool(2, 2);
  // Nothing ran: no busy time, imbalance defined as 1.
  EXPECT_DOUBLE_EQ(pool.Stats().imbalance, 1.0);
}

TEST(PoolOptionsTest, DesignatedWorkersAloneUsesTheDefaultQueueCapacity) {
  // queue_capacity's default is usable: a 0 would throw at run time.
  Pool pool(PoolOptions{.workers = 4});
  EXPECT_EQ(pool.Workers(), 4u);
  EXPECT_EQ(pool.QueueCapacity(), 64u);
  EXPECT_EQ(PoolOptions{}.spin_iterations, 256u);
  EXPECT_EQ(PoolOptions{}.dispatch, Dispatch::kIdleFirstTwoChoices);
  EXPECT_FALSE(PoolOptions{}.pin_workers);
}

TEST(PoolOptionsTest, ZeroQueueCapacityStillThrows) {
  EXPECT_THROW(Pool(PoolOptions{.workers = 1, .queue_capacity = 0}), std::invalid_argument);
}

// The thread hooks run on each worker thread with its index: start before
// any task, stop after the last; a throwing start propagates from the
// constructor and leaves no thread behind.
TEST(PoolOptionsTest, ThreadHooksRunOnTheWorkerThreads) {
  std::mutex mu;
  std::set<std::size_t> started, stopped;
  std::map<std::thread::id, std::size_t> index_of;
  {
    Pool pool(PoolOptions{.workers = 3,
                          .on_thread_start =
                              [&](std::size_t i) {
                                std::lock_guard lock(mu);
                                started.insert(i);
                                index_of[std::this_thread::get_id()] = i;
                              },
                          .on_thread_stop =
                              [&](std::size_t i) {
                                std::lock_guard lock(mu);
                                EXPECT_EQ(index_of[std::this_thread::get_id()], i);
                                stopped.insert(i);
                              }});
    {
      std::lock_guard lock(mu);
      EXPECT_EQ(started, (std::set<std::size_t>{0, 1, 2}));  // before the constructor returned
    }
    TaskGroup tg;
    std::atomic<bool> on_a_started_thread{true};
    for (int i = 0; i < 30; ++i) {
      pool.AddTask(tg, [&] {
        std::lock_guard lock(mu);
        if (!index_of.count(std::this_thread::get_id())) on_a_started_thread = false;
      });
    }
    ASSERT_TRUE(tg.WaitFor(testing::kHangGuard));
    EXPECT_TRUE(on_a_started_thread);
    std::lock_guard lock(mu);
    EXPECT_TRUE(stopped.empty());
  }
  EXPECT_EQ(stopped, (std::set<std::size_t>{0, 1, 2}));
  std::atomic<int> stops{0};
  EXPECT_THROW(Pool(PoolOptions{.workers = 4,
                                .on_thread_start =
                                    [](std::size_t i) {
                                      if (i == 2) throw std::runtime_error("no");
                                    },
                                .on_thread_stop = [&](std::size_t) { ++stops; }}),
               std::runtime_error);
  EXPECT_EQ(stops.load(), 2);  // workers 0 and 1 had started; joined before the throw
}

#if defined(__linux__)
TEST(PoolOptionsTest, PinWorkersPinsWorkerIToTheIthCpuOfTheMask) {
  cpu_set_t mask;
  ASSERT_EQ(sched_getaffinity(0, sizeof mask, &mask), 0);
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &mask)) cpus.push_back(c);
  }
  const std::size_t n = cpus.size() + 1;  // one more than CPUs: wraps around
  std::mutex mu;
  std::map<std::size_t, std::vector<int>> seen;
  Pool probe(PoolOptions{.workers = n,
                         .on_thread_start =
                             [&](std::size_t i) {
                               cpu_set_t set;
                               sched_getaffinity(0, sizeof set, &set);
                               std::vector<int> mine;
                               for (int c = 0; c < CPU_SETSIZE; ++c) {
                                 if (CPU_ISSET(c, &set)) mine.push_back(c);
                               }
                               std::lock_guard lock(mu);
                               seen[i] = mine;
                             },
                         .pin_workers = true});
  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), n);
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_EQ(seen[i], std::vector<int>{cpus[i % cpus.size()]}) << "worker " << i;
  }
}
#endif

TEST(PoolOptionsTest, EveryFieldInOrder) {
  // Every field, in the documented order, compiles as designated initialisers.
  Pool pool(PoolOptions{.workers = 1,
                        .queue_capacity = 2,
                        .name = "all",
                        .spin_iterations = 0,
                        .on_thread_start = {},
                        .on_thread_stop = {},
                        .pin_workers = false,
                        .dispatch = Dispatch::kIdleFirstTwoChoices});
  EXPECT_EQ(pool.Capacity(), 2u);
}

TEST(PoolAddTaskOneLinerTest, AddsOneAndCreditsOnCompletion) {
  Pool pool(2, 4);
  TaskGroup tg;  // count 0: the one-liner adds 1 per task
  std::atomic<int> ran{0};
  for (int i = 0; i < 50; ++i) {
    EXPECT_FALSE(pool.AddTask(tg, [&ran] { ran.fetch_add(1); }));
  }
  EXPECT_TRUE(tg.WaitFor(testing::kHangGuard));
  EXPECT_EQ(ran.load(), 50);
  EXPECT_EQ(tg.Pending(), 0);
  // Error-returning callables work too, and their failure reaches Errors().
  pool.AddTask(tg, [] { return Error("boom"); });
  EXPECT_TRUE(tg.WaitFor(testing::kHangGuard));
  ASSERT_EQ(tg.Errors().size(), 1u);
  EXPECT_EQ(tg.Errors()[0].Message(), "boom");
}

TEST(PoolAddTaskOneLinerTest, RejectedAddStillCreditsSoWaitReturns) {
  Pool pool(1, 1);
  pool.Close();
  TaskGroup tg;
  bool ran = false;
  const Error e = pool.AddTask(tg, [&ran] { ran = true; });
  EXPECT_EQ(e.Code(), ErrorCode::kClosed);
  EXPECT_TRUE(tg.WaitFor(testing::kHangGuard));  // would hang without the credit
  EXPECT_EQ(tg.Pending(), 0);
  EXPECT_FALSE(ran);
}

TEST(PoolAddTaskOneLinerTest, InvalidCallableLeavesTheGroupUntouched) {
  Pool pool(1, 1);
  TaskGroup tg;
  Error (*null_fn)() = nullptr;
  EXPECT_THROW(pool.AddTask(tg, null_fn), std::invalid_argument);
  EXPECT_EQ(tg.Pending(), 0);  // no Add(1) that nothing would ever credit
}

}  // namespace
}  // namespace litepool
