// benchmarks/retry_bench.cpp — retries: a task that fails twice and then
// succeeds, against a plain task, 1 producer, 2 workers.
//
//   Retry/plain/<system>  one successful run per task (Executor::Submit)
//   Retry/fail2/litepool  Exec fails twice; OnError calls ErrReload(2,
//                         after) and `after` sees the final success
//   Retry/fail2/<peer>    the peers have no retry: the job re-submits
//                         itself twice, what a user of them would write
// Counters: items_per_second and ns_per_task per *logical* task (3 runs
// each in fail2).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "bench_registration.hpp"
#include "common/bench_util.hpp"
#include "peers/executor.hpp"
#include "peers/litepool_peer.hpp"

namespace litepool_bench {
namespace {

constexpr std::size_t kWorkers = 2;
constexpr std::size_t kQueueCapacity = 1024;
constexpr int kTasks = 10000;
constexpr int kFailures = 2;

struct RetryCtx {
  Completion done;
  Executor* exec = nullptr;
};

struct RetryRec {
  RetryCtx* ctx = nullptr;
  int attempts = 0;  // runs are ordered by the system's own hand-offs
};

void PlainJob(void* arg) {
  auto* r = static_cast<RetryRec*>(arg);
  ++r->attempts;
  r->ctx->done.Arrive();
}

void ResubmitJob(void* arg) {
  auto* r = static_cast<RetryRec*>(arg);
  if (++r->attempts <= kFailures) {
    r->ctx->exec->Submit({&ResubmitJob, r});
    return;
  }
  r->ctx->done.Arrive();
}

enum class Mode { kPlain, kFail2 };

void BM_Retry(benchmark::State& state, const System* sys, Mode mode) {
  auto exec = sys->make({kWorkers, kQueueCapacity});
  auto* lp = dynamic_cast<LitepoolExecutor*>(exec.get());
  RetryCtx ctx;
  ctx.exec = exec.get();
  std::vector<RetryRec> recs(kTasks);
  for (auto& r : recs) r.ctx = &ctx;
  // One shared failure value, as a user would keep it: copying an Error
  // shares its immutable block.
  static const litepool::Error kPlannedFailure("planned failure");
  std::int64_t total_ns = 0;
  for (auto _ : state) {
    for (auto& r : recs) r.attempts = 0;
    ctx.done.Reset(kTasks);
    const std::int64_t t0 = NowNs();
    if (mode == Mode::kPlain) {
      for (auto& r : recs) exec->Submit({&PlainJob, &r});
    } else if (lp == nullptr) {
      for (auto& r : recs) exec->Submit({&ResubmitJob, &r});
    } else {
      for (auto& r : recs) {
        RetryRec* rec = &r;
        CheckOk(lp->pool().AddTask(
                    litepool::TaskOptions()
                        .SetTask([rec]() -> litepool::Error {
                          if (++rec->attempts <= kFailures) return kPlannedFailure;
                          return {};
                        })
                        .SetOnError([rec](litepool::ErrHandle& h, const litepool::Error&) {
                          h.ErrReload(kFailures, [rec](const litepool::Error& e) {
                            CheckOk(e, "retried task");
                            rec->ctx->done.Arrive();
                          });
                        })
                        .SetOnSuccess([rec] { rec->ctx->done.Arrive(); })),
                "AddTask (retry)");
      }
    }
    ctx.done.Wait();
    const std::int64_t elapsed = NowNs() - t0;
    total_ns += elapsed;
    state.SetIterationTime(static_cast<double>(elapsed) * 1e-9);
  }
  SetTaskCounters(state, total_ns, state.iterations() * kTasks);
}

[[maybe_unused]] const bool kRegistered = [] {
  for (Mode mode : {Mode::kPlain, Mode::kFail2}) {
    for (const System& sys : Systems()) {
      benchmark::RegisterBenchmark(
          BenchName("Retry", mode == Mode::kPlain ? "plain" : "fail2", sys.name).c_str(), BM_Retry,
          &sys, mode)
          ->UseManualTime()
          ->MinTime(0.3);
    }
  }
  return true;
}();

}  // namespace
}  // namespace litepool_bench

BENCHMARK_MAIN();
