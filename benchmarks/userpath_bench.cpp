// benchmarks/userpath_bench.cpp — the paths users run:
// a fresh pool per round, litepool through TaskGroup + SetAutoDone + Wait,
// and a producer that outruns the workers, so a bounded pool fills up and
// blocks it. Every peer in the same run, in a rotated order.
//
// Rows (one producer, 2 workers, a fresh pool or arena every round):
//   UserPath/empty200k/<sys>    200 000 empty tasks; capacity 4096 in all
//                               (litepool: queue_capacity 2048 per worker)
//   UserPath/spin1us_50k/<sys>  50 000 tasks of 1 us of wall-clock spin;
//                               litepool at its default queue_capacity of
//                               64 per worker: 128 slots for 50 000 tasks,
//                               so the producer blocks on a full pool for
//                               most of the round
//   UserPath/<row>_held/<sys>   both rows again while a child process spins
//                               pinned to one of the CPUs (CoreHolder,
//                               started before the pool, stopped after its
//                               teardown): a machine shared with other work
// litepool: pool.NewTaskGroup(n), AddTask(tg.NewTaskOptions().SetTask(f)
//   .SetAutoDone()) per task, tg.Wait() (peers/litepool_peer.cpp).
// Peers: their plain submit and one shared countdown, waited on by the
//   producer: oneTBB task_arena::enqueue, Boost.Asio post to a
//   thread_pool, rvaser ThreadPool::Submit, the bare-queue ceiling.
// Time (manual) = construct the pool -> submit every task -> the wait
// returns. Tearing the pool down (Close / join / ~task_arena) is outside
// the time and reported as the counter teardown_us.
// Counters: ns_per_task (time / tasks), items_per_second, teardown_us,
// cpu_ns_per_task: the process's CPU time (getrusage, every thread; not the
// spinning child) from constructing the pool to the end of its teardown,
// per task, so CPU a pool spins away after the wait returns counts too.
//
// Order. Google Benchmark runs benchmarks in registration order, all
// repetitions of one before the next (or shuffled with
// --benchmark_enable_random_interleaving). On this noisy 2-core VM the
// machine drifts between two speed states for minutes at a time, so a fixed
// order charges a slow stretch to whoever runs in it. This binary has its
// own main(): it reads --benchmark_repetitions=N (default 15) as N rounds
// and registers round r's benchmarks with the systems rotated by r
// (round 0: litepool, tbb, asio, ...; round 1: tbb, asio, ..., litepool),
// each benchmark one round (Iterations(1), Repetitions(1)), so every
// system runs equally often in every position. The round is part of the
// name ("UserPath/empty200k/tbb/round:3"); benchmarks/report.py drops that
// suffix and takes the median over the rounds. --benchmark_enable_random_
// interleaving is removed from the arguments (it would undo the rotation).
// After the runs, main() prints the medians over the rounds and litepool's
// ratio to every peer (median of its per-round ratios too).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench_registration.hpp"
#include "common/bench_util.hpp"
#include "peers/executor.hpp"

namespace litepool_bench {
namespace {

constexpr std::size_t kWorkers = 2;
constexpr int kDefaultRounds = 15;
constexpr std::int64_t kSpinNs = 1000;  // the spinning row's task

struct Row {
  const char* name;
  int tasks;
  std::size_t queue_capacity;  // per worker (litepool's bound)
  bool spin;                   // kSpinNs of spin, else an empty task
  bool held;                   // a CoreHolder spins during the round
};

// 4096 slots in all for the empty tasks; litepool's default 64 per worker
// for the spinning ones.
const Row kRows[] = {
    {"empty200k", 200000, 4096 / kWorkers, false, false},
    {"spin1us_50k", 50000, 64, true, false},
    {"empty200k_held", 200000, 4096 / kWorkers, false, true},
    {"spin1us_50k_held", 50000, 64, true, true},
};

struct RowCtx {
  const Row* row = nullptr;
  Completion done;  // lives for the whole run: a late notify stays valid
};

void CountJob(void* arg) { static_cast<Completion*>(arg)->Arrive(); }
void SpinCountJob(void* arg) {
  SpinFor(kSpinNs);
  static_cast<Completion*>(arg)->Arrive();
}
void NopJob(void*) {}
void SpinJob(void*) { SpinFor(kSpinNs); }

// ns/task of every round, per row and system, for the summary.
using RoundResults = std::map<std::string, std::map<std::string, std::vector<double>>>;
RoundResults& Results() {
  static auto* results = new RoundResults;
  return *results;
}
// CPU ns/task of every round, likewise.
RoundResults& CpuResults() {
  static auto* results = new RoundResults;
  return *results;
}

void BM_UserPath(benchmark::State& state, const System* sys, RowCtx* ctx) {
  const Row& row = *ctx->row;
  const bool group = sys->name == "litepool";
  double round_ns = 0, teardown_ns = 0, cpu_ns = 0;
  std::unique_ptr<CoreHolder> holder;
  if (row.held) holder = std::make_unique<CoreHolder>();
  for (auto _ : state) {
    const std::int64_t cpu0 = ReadProcessUsage().cpu_ns;
    const std::int64_t t0 = NowNs();
    std::unique_ptr<Executor> exec = sys->make({kWorkers, row.queue_capacity});
    if (group) {
      std::unique_ptr<Group> g = exec->NewGroup(row.tasks);
      const Job job{row.spin ? &SpinJob : &NopJob, nullptr};
      for (int i = 0; i < row.tasks; ++i) g->Submit(job);
      g->Wait();
    } else {
      ctx->done.Reset(row.tasks);
      const Job job{row.spin ? &SpinCountJob : &CountJob, &ctx->done};
      for (int i = 0; i < row.tasks; ++i) exec->Submit(job);
      ctx->done.Wait();
    }
    const std::int64_t t1 = NowNs();
    exec.reset();
    teardown_ns = static_cast<double>(NowNs() - t1);
    cpu_ns = static_cast<double>(ReadProcessUsage().cpu_ns - cpu0);
    round_ns = static_cast<double>(t1 - t0);
    state.SetIterationTime(round_ns * 1e-9);
  }
  holder.reset();
  SetTaskCounters(state, static_cast<std::int64_t>(round_ns), row.tasks);
  SetCpuCounter(state, static_cast<std::int64_t>(cpu_ns), row.tasks);
  state.counters["teardown_us"] = teardown_ns * 1e-3;
  Results()[row.name][sys->name].push_back(round_ns / row.tasks);
  CpuResults()[row.name][sys->name].push_back(cpu_ns / row.tasks);
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void RegisterRounds(int rounds) {
  static std::vector<std::unique_ptr<RowCtx>> ctxs;
  for (const Row& row : kRows) {
    ctxs.push_back(std::make_unique<RowCtx>());
    ctxs.back()->row = &row;
  }
  const std::vector<System>& systems = Systems();
  const std::size_t n = systems.size();
  for (int r = 0; r < rounds; ++r) {
    for (const auto& ctx : ctxs) {
      for (std::size_t k = 0; k < n; ++k) {
        const System& sys = systems[(k + static_cast<std::size_t>(r)) % n];
        benchmark::RegisterBenchmark(
            (BenchName("UserPath", ctx->row->name, sys.name) + "/round:" + std::to_string(r))
                .c_str(),
            BM_UserPath, &sys, ctx.get())
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond)
            ->Iterations(1)
            ->Repetitions(1);
      }
    }
  }
}

// Medians over the rounds, and litepool / peer: the ratio of the medians
// and the median of the per-round ratios (rounds pair up by index).
void PrintTable(const RoundResults& results, const char* what, int rounds) {
  std::printf("\nUserPath: medians over %d rotated rounds (%s)\n", rounds, what);
  for (const auto& [row, per_sys] : results) {
    const auto ours = per_sys.find("litepool");
    std::printf("%s\n", row.c_str());
    for (const System& sys : Systems()) {
      const auto it = per_sys.find(sys.name);
      if (it == per_sys.end() || it->second.empty()) continue;
      const std::vector<double>& v = it->second;
      std::printf("  %-9s median %8.1f  min %8.1f  max %8.1f  (%zu rounds)", sys.name.c_str(),
                  Median(v), *std::min_element(v.begin(), v.end()),
                  *std::max_element(v.begin(), v.end()), v.size());
      if (ours != per_sys.end() && sys.name != "litepool" && ours->second.size() == v.size()) {
        std::vector<double> per_round;
        for (std::size_t i = 0; i < v.size(); ++i) {
          per_round.push_back(ours->second[i] / v[i]);
        }
        std::printf("  litepool/%s %.2fx (per-round median %.2fx)", sys.name.c_str(),
                    Median(ours->second) / Median(v), Median(per_round));
      }
      std::printf("\n");
    }
  }
}

void PrintSummary(int rounds) {
  PrintTable(Results(), "ns/task", rounds);
  PrintTable(CpuResults(), "CPU ns/task", rounds);
}

}  // namespace
}  // namespace litepool_bench

int main(int argc, char** argv) {
  // --benchmark_repetitions=N becomes N rotated rounds; random interleaving
  // is dropped (see the header comment).
  int rounds = litepool_bench::kDefaultRounds;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    const char* a = argv[i];
    static const char kReps[] = "--benchmark_repetitions=";
    static const char kShuffle[] = "--benchmark_enable_random_interleaving";
    if (i > 0 && std::strncmp(a, kReps, sizeof kReps - 1) == 0) {
      rounds = std::max(1, std::atoi(a + sizeof kReps - 1));
      continue;
    }
    if (i > 0 && std::strncmp(a, kShuffle, sizeof kShuffle - 1) == 0) continue;
    args.push_back(argv[i]);
  }
  int n = static_cast<int>(args.size());
  args.push_back(nullptr);
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
  litepool_bench::RegisterRounds(rounds);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  litepool_bench::PrintSummary(rounds);
  return 0;
}
