// MakePrometheusCollectable behind prometheus-cpp's Exposer, scraped over
// HTTP as Prometheus does: counters move between scrapes, histograms add
// up, the numbers are ToPrometheus()'s, and the documented order (remove
// the collectable, then destroy the pool) is clean under ASan.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <prometheus/exposer.h>
#include <prometheus/metric_family.h>

#include "litepool/litepool.hpp"
#include "litepool/prometheus.hpp"

namespace litepool {
namespace {

// Bounds a scrape that would hang: the socket gives up after this long.
constexpr int kSocketTimeoutSeconds = 20;

// GET `path` from 127.0.0.1:`port` over a plain socket; returns the body,
// or "" (with a test failure) when the server does not answer 200.
std::string HttpGet(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    ADD_FAILURE() << "socket";
    return "";
  }
  timeval tv{kSocketTimeoutSeconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size())) {
      char buf[4096];
      ssize_t n = 0;
      while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0)
        response.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  const auto body = response.find("\r\n\r\n");
  if (response.rfind("HTTP/1.1 200", 0) != 0 && response.rfind("HTTP/1.0 200", 0) != 0) {
    ADD_FAILURE() << "no 200 from /metrics: " << response.substr(0, 200);
    return "";
  }
  return body == std::string::npos ? "" : response.substr(body + 4);
}

std::string Canonical(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// litepool's sample lines by "name{labels}" (labels sorted, as both writers differ in
// order only), values as numbers.
std::map<std::string, double> Samples(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    // Only ours: the Exposer adds metrics of its own (exposer_...).
    if (line.rfind("litepool_", 0) != 0) continue;
    const auto space = line.rfind(' ');
    std::string key = line.substr(0, space);
    const auto open = key.find('{');
    if (open != std::string::npos) {
      // The labels as a sorted list: a="x",b="y" (no commas inside our values).
      std::vector<std::string> labels;
      std::stringstream parts(key.substr(open + 1, key.size() - open - 2));
      std::string part;
      while (std::getline(parts, part, ',')) {
        // Bounds by value: the two writers may spell a number differently.
        if (part.rfind("le=\"", 0) == 0)
          part = "le=" + Canonical(std::strtod(part.c_str() + 4, nullptr));
        labels.push_back(part);
      }
      std::sort(labels.begin(), labels.end());
      key = key.substr(0, open) + "{";
      for (const auto& l : labels) key += l + ";";
      key += "}";
    }
    const std::string value = line.substr(space + 1);
    out[key] = value == "+Inf" ? INFINITY : std::strtod(value.c_str(), nullptr);
  }
  return out;
}

struct Served {
  prometheus::Exposer exposer{"127.0.0.1:0"};  // port 0: the OS picks a free one
  int Port() { return exposer.GetListeningPorts().at(0); }
};

TEST(PrometheusExposerTest, ScrapesMoveWithTheTasksAndMatchToPrometheus) {
  Pool pool(PoolOptions{.workers = 2, .queue_capacity = 8, .name = "web"});
  Served served;
  auto metrics = MakePrometheusCollectable(pool);
  served.exposer.RegisterCollectable(metrics);

  const auto before = Samples(HttpGet(served.Port(), "/metrics"));
  ASSERT_FALSE(before.empty());
  EXPECT_EQ(before.at("litepool_tasks_total{outcome=\"succeeded\";pool=\"web\";}"), 0);
  EXPECT_EQ(before.at("litepool_workers{pool=\"web\";}"), 2);
  EXPECT_EQ(before.at("litepool_queue_capacity{pool=\"web\";}"), 8);

  constexpr int kTasks = 40;
  TaskGroup tg = pool.NewTaskGroup(kTasks);
  for (int i = 0; i < kTasks; ++i) {
    ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                  .SetTask([i] { return i % 8 == 0 ? Error("no") : Error(); })
                                  .SetAutoDone()));
  }
  ASSERT_TRUE(tg.WaitFor(std::chrono::seconds(60)));
  ASSERT_TRUE(pool.WaitIdleFor(std::chrono::seconds(60)));

  const auto after = Samples(HttpGet(served.Port(), "/metrics"));
  EXPECT_EQ(after.at("litepool_tasks_total{outcome=\"succeeded\";pool=\"web\";}"), 35);
  EXPECT_EQ(after.at("litepool_tasks_total{outcome=\"failed\";pool=\"web\";}"), 5);
  const double runs = after.at("litepool_worker_tasks_total{pool=\"web\";worker=\"0\";}") +
                      after.at("litepool_worker_tasks_total{pool=\"web\";worker=\"1\";}");
  EXPECT_EQ(runs, kTasks);
  // Histograms add up: +Inf is the count, buckets never decrease.
  for (const std::string h : {"litepool_queue_wait_seconds", "litepool_run_seconds"}) {
    EXPECT_EQ(after.at(h + "_count{pool=\"web\";}"), kTasks) << h;
    EXPECT_EQ(after.at(h + "_bucket{le=inf;pool=\"web\";}"), kTasks) << h;
    double last = 0;
    for (const auto bound : LatencyBuckets::kUpperBounds) {
      const std::string key = h +
                              "_bucket{le=" + Canonical(static_cast<double>(bound.count()) / 1e9) +
                              ";pool=\"web\";}";
      ASSERT_EQ(after.count(key), 1u) << key;
      EXPECT_GE(after.at(key), last) << key;
      last = after.at(key);
    }
    EXPECT_LE(last, kTasks) << h;
    EXPECT_GT(after.at(h + "_sum{pool=\"web\";}"), 0) << h;
  }

  // The same numbers as ToPrometheus() of a Stats() taken now (idle pool);
  // times may differ by the clock ratio's drift between the two reads.
  const auto text = Samples(pool.Stats().ToPrometheus());
  ASSERT_EQ(text.size(), after.size());
  for (const auto& [key, value] : text) {
    const auto it = after.find(key);
    ASSERT_NE(it, after.end()) << key;
    if (key.find("seconds") != std::string::npos && key.find("_bucket") == std::string::npos) {
      EXPECT_NEAR(it->second, value, 1e-3 * value + 1e-9) << key;
    } else {
      EXPECT_EQ(it->second, value) << key;
    }
  }
  served.exposer.RemoveCollectable(metrics);
}

// The documented order: remove the collectable, then destroy the pool.
// Scrapes after that see no pool and read no freed memory (ASan builds).
TEST(PrometheusExposerTest, RemovedBeforeThePoolIsDestroyedLeavesNothingToScrape) {
  Served served;
  auto pool = std::make_unique<Pool>(PoolOptions{.workers = 1, .name = "gone"});
  auto metrics = MakePrometheusCollectable(*pool);
  served.exposer.RegisterCollectable(metrics);
  ASSERT_NE(HttpGet(served.Port(), "/metrics").find("pool=\"gone\""), std::string::npos);
  served.exposer.RemoveCollectable(metrics);
  pool.reset();
  EXPECT_EQ(HttpGet(served.Port(), "/metrics").find("litepool_"), std::string::npos);
  metrics.reset();
}

// A scrape per Collect(): each reads Stats() afresh (no cached snapshot).
TEST(PrometheusExposerTest, EachCollectReadsTheStatsOfThatMoment) {
  Pool pool(PoolOptions{.workers = 1, .name = "n"});
  auto metrics = MakePrometheusCollectable(pool);
  auto succeeded = [&] {
    for (const auto& family : metrics->Collect()) {
      if (family.name != "litepool_tasks_total") continue;
      for (const auto& m : family.metric) {
        for (const auto& l : m.label) {
          if (l.name == "outcome" && l.value == "succeeded") return m.counter.value;
        }
      }
    }
    return -1.0;
  };
  EXPECT_EQ(succeeded(), 0);
  for (int round = 1; round <= 3; ++round) {
    TaskGroup tg = pool.NewTaskGroup(1);
    ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions().SetTask([] {}).SetAutoDone()));
    ASSERT_TRUE(tg.WaitFor(std::chrono::seconds(60)));
    EXPECT_EQ(succeeded(), round);
  }
}

}  // namespace
}  // namespace litepool
