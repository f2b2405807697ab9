// Which call for which job: every row of the README's first table, run.
// Each pair of lines marked "README" is the two-line snippet of that row
// (docs/check_snippets.py finds them here, so the README's code compiles).
#include <litepool/litepool.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <sstream>
#include <string_view>
#include <vector>

namespace {
using namespace std::chrono_literals;

litepool::Error Work() { return litepool::Error(); }
int Square(int x) { return x * x; }
int Lookup() { return 7; }

litepool::CoTask<int> SumAsync(litepool::Pool& pool) {
  co_await pool.Schedule();  // continue on one of the pool's workers
  litepool::Future<int> a = pool.Submit([] { return 20; });
  litepool::Future<int> b = pool.Submit([] { return 22; });
  co_return co_await a + co_await b;
}
}  // namespace

int main() {
  // A stuck wait (a group whose Done() is missing) is reported on stderr
  // after 10 s by default; this pool reports through its own callback.
  litepool::Pool pool(litepool::PoolOptions{.workers = 2, .queue_capacity = 64,
                                            .name = "tour",
                                            .stuck_wait_report = 10s,
                                            .on_stuck_wait = [](std::string_view m) { std::cerr << m << '\n'; }});
  int done = 0;

  // Callbacks with hooks (README)
  auto work = [] { return Work(); };
  auto retry = [](litepool::ErrHandle& h, const litepool::Error&) { h.ErrReload(3); };
  litepool::TaskGroup tg = pool.NewTaskGroup(1);
  pool.AddTask(tg.NewTaskOptions().SetTask(work).SetOnError(retry).SetAutoDone());
  tg.Wait();  // after the last OnComplete
  std::cout << "hooks: 1 task settled, " << tg.Errors().size() << " unhandled errors\n";
  ++done;

  // A value back (README)
  litepool::Future<int> answer = pool.Submit([] { return 6 * 7; });
  int value = answer.Get();  // rethrows what the task threw
  std::cout << "Submit: " << value << '\n';
  ++done;

  // Chain and join without blocking a thread (README)
  {
    litepool::Future<int> answer = pool.Submit([] { return 21; });
    std::vector<litepool::Future<int>> futures;
    for (int i = 1; i <= 3; ++i) futures.push_back(pool.Submit([i] { return i; }));
    litepool::Future<int> doubled = std::move(answer).Then([](int v) { return 2 * v; });
    litepool::Future<std::vector<int>> all = litepool::WhenAll(std::move(futures));
    std::cout << "Then: " << doubled.Get() << ", WhenAll: " << all.Get().size() << " values\n";
  }
  ++done;

  // Parallel loops (README)
  std::vector<int> out(100), inputs = {1, 2, 3};
  litepool::ParallelFor(0, 100, [&](int i) { out[i] = Square(i); }, {.pool = pool});
  std::vector<int> squares = litepool::Map(inputs, Square, {.pool = pool});
  std::cout << "ParallelFor: out[99] = " << out[99] << ", Map: " << squares[2] << '\n';
  ++done;

  // Coroutines (README)
  litepool::Future<int> total = pool.Spawn(SumAsync(pool));
  int sum = litepool::SyncWait(SumAsync(pool));
  std::cout << "coroutines: " << total.Get() << " and " << sum << '\n';
  ++done;

  // Priorities and queue timeouts (README)
  pool.AddTask(litepool::TaskOptions().SetTask([] { Work(); }).SetPriority(litepool::Priority::kHigh));
  auto fresh = pool.Submit([] { return Lookup(); }, {.priority = litepool::Priority::kHigh, .queue_timeout = 30ms});
  std::cout << "priorities: lookup gave " << fresh.Get() << '\n';
  ++done;

  // Controls (README: two rows)
  pool.Pause();
  std::size_t dropped = pool.Purge();  // cancels what is queued
  pool.Resume();
  pool.WaitIdle();  // nothing queued, running or waiting to retry
  pool.SetWorkers(3);
  std::cout << "controls: purged " << dropped << ", now " << pool.Workers() << " workers\n";
  ++done;

  // A batch of functions, the first error (README)
  litepool::ErrGroup group(pool);
  group.Go([] { return Work(); });
  litepool::Error first = group.Wait();  // the first error, or ok
  std::cout << "ErrGroup: " << (first ? first.Message() : "ok") << '\n';
  ++done;

  // Seeing the load (README: two rows)
  std::ostringstream json;
  pool.StartTrace();
  (void)pool.Submit([] { return Square(3); }).Get();
  litepool::Trace trace = pool.StopTrace();
  trace.WriteChromeJson(json);  // open in ui.perfetto.dev
  pool.Usage();                                // the per-worker table
  litepool::UsageReport stats = pool.Stats();  // the same numbers; .ToJson()
  std::cout << "trace: " << trace.Events().size() << " event(s); Stats: "
            << stats.total.executed << " runs\n";
  ++done;

  std::cout << "Summary: " << done
            << " kinds of job (hooks, Submit, Then/WhenAll, loops, coroutines, priorities, "
               "controls, ErrGroup, load) ran on one pool.\n";
}
