// benchmarks/throughput_bench.cpp — empty-task throughput: submit -> run ->
// settle, 1 and 2 producers, litepool against every peer in this run.
//
// Variants (rows of docs/performance.md):
//   EmptyTask/p<N>/plain        every system: Submit(job) x kTasks, then wait
//                               until every job ran (one shared countdown)
//   EmptyTask/p<N>/group        systems with a group primitive: litepool
//                               TaskGroup + SetAutoDone + Wait, oneTBB
//                               task_group::defer + task_arena::enqueue
//   EmptyTask/p<N>/hooks        litepool only: OnSuccess, OnError and
//                               OnComplete set (the countdown in OnComplete)
//   EmptyTask/p<N>/hooks_group  litepool only: hooks + TaskGroup
//   EmptyTask/p<N>/hooks_timed  litepool only: hooks + SetQueueTimeout(1 s)
//                               on every task, never reached (the expiry
//                               timer's cost per task; peer: hooks)
//   EmptyTask/p<N>/traced       litepool only: plain, with StartTrace()
//                               (default options, as a user calls it)
//                               before every round and StopTrace() after,
//                               both outside the measured time: tracing's
//                               cost per task is traced / plain of one run
//   EmptyTask/p<N>/plain_held   plain and group again, while a child process
//   EmptyTask/p<N>/group_held   spins pinned to one of the CPUs (CoreHolder):
//                               a machine shared with other work
// Counters: items_per_second, ns_per_task (wall time / tasks),
// cpu_ns_per_task (the process's CPU time over the measured rounds / tasks;
// the spinning child is not counted); traced also start_trace_us (one
// StartTrace) and faults_per_round (minor page faults inside the measured
// rounds; plain reports them too).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>

#include "bench_registration.hpp"
#include "common/bench_util.hpp"
#include "peers/executor.hpp"
#include "peers/litepool_peer.hpp"

namespace litepool_bench {
namespace {

constexpr std::size_t kWorkers = 2;
constexpr std::size_t kQueueCapacity = 1024;
constexpr int kTasks = 20000;  // per iteration, split among the producers
constexpr double kMinTime = 0.3;
// Rounds of the traced row: a fixed count, since every round also maps a
// whole default-sized trace at StartTrace (outside the measured time), which
// MinTime would not bound.
constexpr int kTracedRounds = 40;

// Sums the process's CPU time and minor faults over the measured rounds.
class UsageMeter {
 public:
  void Begin() noexcept { begin_ = ReadProcessUsage(); }
  void End() noexcept {
    const ProcessUsage end = ReadProcessUsage();
    cpu_ns_ += end.cpu_ns - begin_.cpu_ns;
    faults_ += end.minor_faults - begin_.minor_faults;
  }
  void Report(benchmark::State& state, std::int64_t tasks) const {
    SetCpuCounter(state, cpu_ns_, tasks);
    state.counters["faults_per_round"] =
        state.iterations() > 0
            ? static_cast<double>(faults_) / static_cast<double>(state.iterations())
            : 0.0;
  }

 private:
  ProcessUsage begin_;
  std::int64_t cpu_ns_ = 0;
  std::int64_t faults_ = 0;
};

void EmptyJob(void* arg) { static_cast<Completion*>(arg)->Arrive(); }
void NopJob(void*) {}

// One round of the plain row: kTasks submissions split among the
// producers, then the wait for the shared countdown.
void PlainRound(Executor& exec, ProducerGang& gang, Completion& done, const Job& job) {
  const int producers = gang.Producers();
  done.Reset(kTasks);
  gang.Run([&](int p) {
    for (int i = ProducerGang::Share(kTasks, producers, p); i > 0; --i) {
      exec.Submit(job);
    }
  });
  done.Wait();
}

// `held`: a CoreHolder spins on one CPU for the whole row, started before
// the system's threads and stopped after they are gone.
void BM_Plain(benchmark::State& state, const System* sys, int producers, bool held) {
  std::unique_ptr<CoreHolder> holder;
  if (held) holder = std::make_unique<CoreHolder>();
  auto exec = sys->make({kWorkers, kQueueCapacity});
  ProducerGang gang(producers);
  Completion done;
  const Job job{&EmptyJob, &done};
  UsageMeter usage;
  std::int64_t total_ns = 0;
  for (auto _ : state) {
    usage.Begin();
    const std::int64_t t0 = NowNs();
    PlainRound(*exec, gang, done, job);
    total_ns += NowNs() - t0;
    usage.End();
  }
  SetTaskCounters(state, total_ns, state.iterations() * kTasks);
  usage.Report(state, state.iterations() * kTasks);
}

// The plain row on litepool with a trace running in every round.
void BM_Traced(benchmark::State& state, int producers) {
  LitepoolExecutor exec({kWorkers, kQueueCapacity});
  ProducerGang gang(producers);
  Completion done;
  const Job job{&EmptyJob, &done};
  UsageMeter usage;
  std::int64_t total_ns = 0, start_trace_ns = 0;
  std::size_t traced_events = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::int64_t s0 = NowNs();
    exec.pool().StartTrace();
    start_trace_ns += NowNs() - s0;
    state.ResumeTiming();
    usage.Begin();
    const std::int64_t t0 = NowNs();
    PlainRound(exec, gang, done, job);
    total_ns += NowNs() - t0;
    usage.End();
    state.PauseTiming();
    traced_events += exec.pool().StopTrace().Events().size();
    state.ResumeTiming();
  }
  const std::int64_t tasks = state.iterations() * kTasks;
  if (traced_events != static_cast<std::size_t>(tasks)) {
    state.SkipWithError("the trace missed tasks");
    return;
  }
  SetTaskCounters(state, total_ns, tasks);
  usage.Report(state, tasks);
  state.counters["start_trace_us"] =
      static_cast<double>(start_trace_ns) * 1e-3 / static_cast<double>(state.iterations());
}

void BM_Group(benchmark::State& state, const System* sys, int producers, bool held) {
  std::unique_ptr<CoreHolder> holder;
  if (held) holder = std::make_unique<CoreHolder>();
  auto exec = sys->make({kWorkers, kQueueCapacity});
  ProducerGang gang(producers);
  const Job job{&NopJob, nullptr};
  UsageMeter usage;
  std::int64_t total_ns = 0;
  for (auto _ : state) {
    usage.Begin();
    const std::int64_t t0 = NowNs();
    std::unique_ptr<Group> group = exec->NewGroup(kTasks);
    gang.Run([&](int p) {
      for (int i = ProducerGang::Share(kTasks, producers, p); i > 0; --i) {
        group->Submit(job);
      }
    });
    group->Wait();
    total_ns += NowNs() - t0;
    usage.End();
  }
  SetTaskCounters(state, total_ns, state.iterations() * kTasks);
  usage.Report(state, state.iterations() * kTasks);
}

// litepool only: the callback-driven shape the library exists for.
// `timed`: every task also has a queue timeout (group-less form only).
void BM_Hooks(benchmark::State& state, int producers, bool with_group, bool timed) {
  LitepoolExecutor exec({kWorkers, kQueueCapacity});
  litepool::Pool& pool = exec.pool();
  ProducerGang gang(producers);
  Completion done;
  UsageMeter usage;
  std::int64_t total_ns = 0;
  for (auto _ : state) {
    usage.Begin();
    const std::int64_t t0 = NowNs();
    if (with_group) {
      litepool::TaskGroup tg = pool.NewTaskGroup(kTasks);
      gang.Run([&](int p) {
        for (int i = ProducerGang::Share(kTasks, producers, p); i > 0; --i) {
          CheckOk(pool.AddTask(tg.NewTaskOptions()
                                   .SetTask([]() -> litepool::Error { return {}; })
                                   .SetOnSuccess([] {})
                                   .SetOnError([](litepool::ErrHandle&, const litepool::Error&) {})
                                   .SetOnComplete([] {})
                                   .SetAutoDone()),
                  "AddTask (hooks, group)");
        }
      });
      tg.Wait();
    } else {
      done.Reset(kTasks);
      Completion* d = &done;
      gang.Run([&](int p) {
        for (int i = ProducerGang::Share(kTasks, producers, p); i > 0; --i) {
          litepool::TaskOptions o;
          o.SetTask([]() -> litepool::Error { return {}; })
              .SetOnSuccess([] {})
              .SetOnError([](litepool::ErrHandle&, const litepool::Error&) {})
              .SetOnComplete([d] { d->Arrive(); });
          if (timed) o.SetQueueTimeout(std::chrono::seconds(1));
          CheckOk(pool.AddTask(std::move(o)), "AddTask (hooks)");
        }
      });
      done.Wait();
    }
    total_ns += NowNs() - t0;
    usage.End();
  }
  SetTaskCounters(state, total_ns, state.iterations() * kTasks);
  usage.Report(state, state.iterations() * kTasks);
}

[[maybe_unused]] const bool kRegistered = [] {
  for (int producers : {1, 2}) {
    const std::string p = "p" + std::to_string(producers);
    for (bool held : {false, true}) {
      for (const System& sys : Systems()) {
        benchmark::RegisterBenchmark(
            BenchName("EmptyTask", p + "/" + HeldVariant("plain", held), sys.name).c_str(),
            BM_Plain, &sys, producers, held)
            ->UseRealTime()
            ->MinTime(kMinTime);
      }
      for (const System& sys : Systems()) {
        if (!sys.has_group) continue;
        benchmark::RegisterBenchmark(
            BenchName("EmptyTask", p + "/" + HeldVariant("group", held), sys.name).c_str(),
            BM_Group, &sys, producers, held)
            ->UseRealTime()
            ->MinTime(kMinTime);
      }
    }
    benchmark::RegisterBenchmark(BenchName("EmptyTask", p + "/traced", "litepool").c_str(),
                                 BM_Traced, producers)
        ->UseRealTime()
        ->Iterations(kTracedRounds);
    benchmark::RegisterBenchmark(BenchName("EmptyTask", p + "/hooks", "litepool").c_str(), BM_Hooks,
                                 producers, false, false)
        ->UseRealTime()
        ->MinTime(kMinTime);
    benchmark::RegisterBenchmark(BenchName("EmptyTask", p + "/hooks_group", "litepool").c_str(),
                                 BM_Hooks, producers, true, false)
        ->UseRealTime()
        ->MinTime(kMinTime);
    benchmark::RegisterBenchmark(BenchName("EmptyTask", p + "/hooks_timed", "litepool").c_str(),
                                 BM_Hooks, producers, false, true)
        ->UseRealTime()
        ->MinTime(kMinTime);
  }
  return true;
}();

}  // namespace
}  // namespace litepool_bench

BENCHMARK_MAIN();
