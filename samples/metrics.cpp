// Prometheus metrics of a live pool: /metrics served by prometheus-cpp's
// Exposer while the load rises and falls (litepool/prometheus.hpp).
//
//   ./metrics                 serve 3 s on a free port, print the URL
//   ./metrics --seconds 600   long enough to point Prometheus at it
//   ./metrics --once          no server: ToPrometheus() of one Stats()
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include <prometheus/exposer.h>

#include "litepool/litepool.hpp"
#include "litepool/prometheus.hpp"

using namespace std::chrono_literals;

namespace {

// Busy for `d`: a stand-in for real work (a sleep would leave the CPU idle).
void Work(std::chrono::microseconds d) {
  for (const auto end = std::chrono::steady_clock::now() + d; std::chrono::steady_clock::now() < end;) {
  }
}

// Each outcome a known number of times: 12 succeed, 3 fail, 2 cancelled,
// 1 expires, 2 rejected.
void Mix(litepool::Pool& pool) {
  pool.Pause();
  auto cancelled = pool.NewTaskGroup(2);
  for (int i = 0; i < 2; ++i) pool.AddTask(cancelled.NewTaskOptions().SetTask([] {}).SetAutoDone());
  pool.Purge();  // settles both as cancelled
  auto expired = pool.NewTaskGroup(1);
  pool.AddTask(expired.NewTaskOptions().SetTask([] {}).SetQueueTimeout(1ms).SetAutoDone());
  expired.Wait();
  pool.Resume();
  auto ran = pool.NewTaskGroup(15);
  for (int i = 0; i < 15; ++i) {
    pool.AddTask(ran.NewTaskOptions().SetAutoDone().SetTask([i] {
      Work(std::chrono::microseconds(50 * (i + 1)));
      return i % 5 == 0 ? litepool::Error("no") : litepool::Error();
    }));
  }
  ran.Wait();
  auto refused = pool.NewTaskGroup(0);
  refused.Cancel();
  for (int i = 0; i < 2; ++i) pool.AddTask(refused.NewTaskOptions().SetTask([] {}));
}

// The snapshot's figures, for a checker (scripts/test.d/65-prometheus).
void PrintFigures(const litepool::UsageReport& r) {
  std::printf("# litepool-figures {\"json\":%s,\"queue_capacity\":%zu,\"cancelled\":%llu,"
              "\"rejected\":%llu,\"buckets\":{", r.ToJson().c_str(), r.queue_capacity,
              static_cast<unsigned long long>(r.cancelled), static_cast<unsigned long long>(r.rejected));
  for (const auto* h : {&r.queue_wait_buckets, &r.run_time_buckets}) {
    std::printf("%s\"%s\":{\"count\":%llu,\"sum_ns\":%lld,\"cumulative\":[",
                h == &r.queue_wait_buckets ? "" : ",",
                h == &r.queue_wait_buckets ? "queue_wait" : "run_time",
                static_cast<unsigned long long>(h->count), static_cast<long long>(h->sum.count()));
    for (std::size_t i = 0; i < h->cumulative.size(); ++i) {
      std::printf("%s%llu", i ? "," : "", static_cast<unsigned long long>(h->cumulative[i]));
    }
    std::printf("]}");
  }
  std::printf("}}\n");
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = 3;
  bool once = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--once") == 0) {
      once = true;
    } else if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: metrics [--seconds N | --once]\n");
      return 2;
    }
  }
  litepool::Pool pool(litepool::PoolOptions{.workers = 2, .queue_capacity = 16, .name = "sample"});
  if (once) {
    Mix(pool);
    const litepool::UsageReport r = pool.Stats();  // one snapshot for both
    std::fputs(r.ToPrometheus().c_str(), stdout);
    PrintFigures(r);
    return 0;
  }

  prometheus::Exposer exposer("127.0.0.1:0");  // port 0: any free port
  auto metrics = litepool::MakePrometheusCollectable(pool);
  exposer.RegisterCollectable(metrics);
  std::printf("Serving: http://127.0.0.1:%d/metrics for %d s (try curl)\n",
              exposer.GetListeningPorts().at(0), seconds);
  std::fflush(stdout);
  // A load that rises and falls: a wave a second, the heaviest every fourth.
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  for (int second = 0; std::chrono::steady_clock::now() < end; ++second) {
    const int tasks = 200 * (1 + (second % 4 == 2 ? 3 : second % 2));
    auto tg = pool.NewTaskGroup(tasks);
    const auto wave_end = std::chrono::steady_clock::now() + 1s;
    for (int i = 0; i < tasks; ++i) {
      pool.AddTask(tg.NewTaskOptions().SetAutoDone().SetTask([i] { Work(100us + i % 300 * 1us); }));
    }
    tg.Wait();
    std::printf("second %d: %d tasks\n", second, tasks);
    std::this_thread::sleep_until(std::min(wave_end, end));
  }
  exposer.RemoveCollectable(metrics);  // before the pool goes away
  pool.Usage();
  const auto r = pool.Stats();
  std::printf("Summary: served Stats() as Prometheus metrics; %llu tasks, queue wait p99 %.2f ms\n",
              static_cast<unsigned long long>(r.total.succeeded), r.total.queue_wait.p99.count() / 1e6);
}
