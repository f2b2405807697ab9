#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "litepool/litepool.hpp"

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

TEST(UsageTest, ToJsonHasEveryField) {
  UsageReport r;
  r.name = "a\"b";
  WorkerUsage w;
  w.id = 0;
  w.executed = 7;
  w.busy = std::chrono::nanoseconds(1500);
  r.workers.push_back(w);
  r.total = w;
  r.imbalance = 1.25;
  const std::string j = r.ToJson();
  EXPECT_NE(j.find("\"name\":\"a\\\"b\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"executed\":7"), std::string::npos) << j;
  EXPECT_NE(j.find("\"busy_ns\":1500"), std::string::npos) << j;
  EXPECT_NE(j.find("\"imbalance\":1.25"), std::string::npos) << j;
  for (const char* key : {"succeeded", "failed", "retried", "stolen", "callback_errors", "queued", "total"}) {
    EXPECT_NE(j.find(std::string("\"") + key + "\""), std::string::npos) << key;
  }
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
  auto pool = std::make_unique<Pool>(PoolOptions{.workers = 3, .queue_capacity = 8, .name = "aligned"});
  TaskGroup tg(300);
  for (int i = 0; i < 300; ++i) {
    pool->AddTask(tg.NewTaskOptions()
                      .SetTask([i] { return i % 50 == 0 ? Error("x") : Error(); })
                      .SetAutoDone());
  }
  tg.Wait();
  return pool;
}

TEST(UsageTest, UsageColumnsAreAlignedAndSeparated) {
  std::ostringstream out;
  BusyPool()->Usage(out);
  const std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 7u) << out.str();  // title, header, 3 workers, total, imbalance
  const std::string& header = lines[1];
  // Every header word is at least two spaces from the next one.
  EXPECT_EQ(header.find("executed"), header.find("worker") + 6 + 2) << header;
  EXPECT_EQ(header.find(" succeeded"), header.find("executed") + 8 + 1) << header;
  EXPECT_NE(header.find("  succeeded  "), std::string::npos) << header;
  // The ten right-aligned columns end at the same offsets on every row.
  const std::vector<std::size_t> ends = ColumnEnds(header, 10);
  ASSERT_EQ(ends.size(), 10u) << header;
  for (std::size_t i = 2; i <= 5; ++i) {
    EXPECT_EQ(ColumnEnds(lines[i], 10), ends) << "row " << i << "\n" << out.str();
  }
  // Worker rows carry a bar of '#' and '.', the total row does not.
  for (std::size_t i = 2; i <= 4; ++i) {
    EXPECT_NE(lines[i].find_first_of("#."), std::string::npos) << lines[i];
  }
  EXPECT_EQ(lines[5].find('#'), std::string::npos) << lines[5];
  EXPECT_NE(lines[5].find("100.0%"), std::string::npos) << lines[5];
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
  for (ssize_t n; (n = ::read(master, buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
  ::close(master);
  return got;
}

TEST(UsageTest, UsageOnATerminalIsColouredUnlessNoColor) {
  const char* old = std::getenv("NO_COLOR");
  const std::optional<std::string> saved_no_color = old ? std::optional<std::string>(old) : std::nullopt;
  const std::unique_ptr<Pool> pool = BusyPool();
  ::unsetenv("NO_COLOR");
  const std::optional<std::string> coloured = UsageOnATerminal(*pool);
  ::setenv("NO_COLOR", "1", 1);
  const std::optional<std::string> plain = UsageOnATerminal(*pool);
  if (saved_no_color) {
    ::setenv("NO_COLOR", saved_no_color->c_str(), 1);
  } else {
    ::unsetenv("NO_COLOR");
  }
  if (!coloured || !plain) GTEST_SKIP() << "no pseudo-terminal available";
  EXPECT_NE(coloured->find("\x1b[1m"), std::string::npos) << *coloured;
  EXPECT_NE(coloured->find("imbalance"), std::string::npos) << *coloured;
  EXPECT_EQ(plain->find('\x1b'), std::string::npos) << *plain;
  EXPECT_NE(plain->find("imbalance"), std::string::npos) << *plain;
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

}  // namespace
}  // namespace litepool
