// libFuzzer target: the input is a program of pool / group / options
// operations (create a pool of any shape, add tasks of random outcomes and
// hooks, batches, cancels, Done/Add, moved-from and copied options, nested
// submits, Close in either mode, even bad sizes; the scheduling controls:
// Pause, Resume, Purge, WaitIdleFor, SetWorkers (1 to 8, and the refused 0
// and 4097), tasks with a priority or a queue timeout). On a second, side
// pool: ParallelFor over huge ranges with huge grains, null callables and
// bad Submit options, hand-built traces given to the writers, coroutines
// Spawned under Pause/Purge (and SyncWait on a worker), a stop on a queued
// Submit. Composed work on a third pool of its own (Then chains in both
// forms, on the same and on the side pool; WhenAll in vector and void form
// and WhenAny over a few futures; periodic tasks from Every, cancelled or
// left to Close), each checked against what its tasks did (see FuzzThen,
// FuzzWhenAll, FuzzWhenAny, FuzzEvery). After each input the pool
// is closed and the invariant is checked: the engine's accepted == settled,
// accepted equals the AddTask calls that returned ok, every accepted task ran
// OnComplete exactly once and no rejected task ran anything; groups nobody
// touched by hand end at the count the model predicts; purged tasks count as
// cancelled and only timed tasks that never ran expired; a WaitIdleFor that
// reports idle leaves nothing in flight; after a SetWorkers, Workers() and
// Capacity() follow (unless closed). A violation aborts
// (the fuzzer saves the input). Built only with -Dfuzz=enabled (scripts/fuzz).
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <type_traits>
#include <vector>

#include "api/pool_access.hpp"
#include "litepool/coro.hpp"
#include "litepool/litepool.hpp"

namespace {

using litepool::ErrHandle;
using litepool::Error;
using litepool::ErrorCode;
using litepool::Pool;
using litepool::TaskGroup;
using litepool::TaskOptions;

// The most workers a pool may have (pool.hpp: PoolOptions::workers, SetWorkers).
constexpr std::size_t kMaxWorkers = 4096;

[[noreturn]] void Violation(const char* what, long long a = 0, long long b = 0) {
  std::fprintf(stderr, "INVARIANT VIOLATED: %s (%lld vs %lld)\n", what, a, b);
  std::abort();
}

// What one submitted task did.
struct Track {
  explicit Track(bool reusable_options = false) : reusable(reusable_options) {}
  const bool reusable;  // kept options, submitted any number of times
  std::atomic<int> runs{0}, completes{0}, hooks{0};
  bool accepted = false;  // by the submitter, after AddTask returned
  bool timed = false;     // has a queue timeout: may expire
  int ok_submits = 0;     // reusable options: AddTask calls that returned ok
};

struct Group {
  TaskGroup group;
  std::int64_t initial = 0;
  std::int64_t auto_credits = 0;  // auto-done tasks submitted (any result)
  bool touched = false;           // Add/Done by hand: no exact model
};

// One schedule of Pool::Every and what its runs did.
struct Periodic {
  litepool::PeriodicHandle handle;
  std::atomic<std::uint64_t> calls{0}, failing{0};
  std::uint64_t max_runs = 0;
  bool fixed_delay = false;
  bool cancelled = false;
  std::uint64_t runs_at_cancel = 0;
  std::uint64_t runs_at_close = 0;  // once its pool closed
};

struct State {
  std::unique_ptr<Pool> pool;
  // The side pool of the ops that add tasks the model above does not count
  // (ParallelFor's runners, Submit, coroutines): checked on its own.
  std::unique_ptr<Pool> side;
  std::vector<Group> groups;
  std::vector<std::shared_ptr<Track>> tracks;
  std::vector<TaskOptions> saved;  // options kept for reuse (copy / moved-from)
  std::vector<std::shared_ptr<Track>> saved_tracks;
  std::atomic<std::uint64_t> nested_accepted{0};
  std::uint64_t accepted = 0;
  std::uint64_t purged = 0;  // Purge()'s returns
  // The pool of the composed-work ops (Then, WhenAll, WhenAny, Every): the
  // engine accepts their continuations and periodic runs without an AddTask
  // of the fuzzer's, so it is checked on its own (balance, schedules).
  std::unique_ptr<Pool> compose;
  std::vector<std::shared_ptr<Periodic>> periodics;  // of `compose`
  std::vector<std::shared_ptr<Periodic>> ended;      // of closed pools
  // Checks that hold once every pool of the input is closed (nothing runs
  // any more): what had not run when a join or a chain was ready never ran.
  std::vector<std::function<void()>> after_close;
};

// While the pool is paused nothing frees a slot: an add that could wait for
// one (a full pool) gets an add-timeout so that it cannot wait for ever.
void BoundWhilePaused(FuzzedDataProvider& in, State& s, TaskOptions& o) {
  if (s.pool->Paused()) {
    o.SetAddTimeout(std::chrono::nanoseconds(in.ConsumeIntegralInRange(0, 20000)));
  }
}

// A task built from fuzz bytes; `t` records what happens to it.
TaskOptions MakeTask(FuzzedDataProvider& in, State& s, const std::shared_ptr<Track>& t, Group* g) {
  TaskOptions o = g != nullptr ? g->group.NewTaskOptions() : TaskOptions();
  const int kind = in.ConsumeIntegralInRange(0, 5);
  const int fail_runs = in.ConsumeIntegralInRange(0, 3);
  Pool* pool = s.pool.get();
  State* state = &s;
  o.SetTask([t, kind, fail_runs, pool, state]() -> Error {
    const int run = ++t->runs;
    if (!t->reusable && t->completes.load() != 0) Violation("Exec after OnComplete");
    switch (kind) {
      case 1:
        return Error("fail");
      case 2:
        throw std::runtime_error("boom");
      case 3:
        return run <= fail_runs ? Error("transient") : Error();
      case 4: {  // nested submit from a worker (overflow path on a full pool)
        Error e = pool->AddTask(TaskOptions().SetTask([] {}));
        if (!e)
          state->nested_accepted.fetch_add(1);
        else if (e.Code() != ErrorCode::kClosed)
          Violation("nested AddTask refused", static_cast<int>(e.Code()));
        return Error();
      }
      case 5:
        throw 7;  // not a std::exception
      default:
        return Error();
    }
  });
  const int hooks = in.ConsumeIntegral<std::uint8_t>();
  if (hooks & 1) o.SetOnSuccess([t] { ++t->hooks; });
  if (hooks & 2) {
    const int retries = in.ConsumeIntegralInRange(-3, 3);  // < -1: invalid
    const bool twice = hooks & 64;
    // An hour of backoff: only the group's Cancel or the pool's Close can end
    // the wait.
    const bool hour = hooks & 128;
    o.SetOnError([t, retries, twice, hour](ErrHandle& h, TaskGroup&, const Error&) {
      ++t->hooks;
      if (twice) h.ErrReload(1);
      // ErrReload(-1) on a task that always fails retries until Close. With
      // no backoff, two of them on a one-slot pool would keep more tasks
      // queued than the capacity for ever, and a producer waiting for a
      // slot would wait for ever (documented: admission needs a free slot).
      // A backoff keeps the waiting retry out of the queue.
      const bool delayed = retries == -1 || retries == 2;
      const auto initial = hour ? std::chrono::microseconds(std::chrono::hours(1))
                                : std::chrono::microseconds(delayed ? 50 : 0);
      h.ErrReload(
          retries, [t](const Error&) { ++t->hooks; },
          litepool::Backoff{.initial = initial, .max = std::chrono::hours(1)});
    });
  }
  o.SetOnComplete([t, throws = (hooks & 12) == 12] {
    if (t->completes.fetch_add(1) != 0 && !t->reusable) Violation("OnComplete twice");
    if (throws) throw std::runtime_error("hook");
  });
  if (hooks & 16) {
    o.SetAutoDone();
    if (g != nullptr) ++g->auto_credits;
  }
  if (hooks & 32) {
    o.SetAddTimeout(std::chrono::nanoseconds(in.ConsumeIntegralInRange(0, 20000)));
    o.SetOnAddTimeout([t] { ++t->hooks; });
  }
  return o;
}

Group* PickGroup(FuzzedDataProvider& in, State& s) {
  if (s.groups.empty() || in.ConsumeBool()) return nullptr;
  return &s.groups[in.ConsumeIntegralInRange<std::size_t>(0, s.groups.size() - 1)];
}

void Submit(FuzzedDataProvider& in, State& s, const std::shared_ptr<Track>& t, TaskOptions o) {
  BoundWhilePaused(in, s, o);
  const Error e = s.pool->AddTask(std::move(o));
  t->accepted = !e;
  if (!e) ++s.accepted;
  s.tracks.push_back(t);
}

void CloseSide(State& s) {
  if (!s.side) return;
  s.side->Close();
  const litepool::detail::Accounting a = litepool::detail::PoolAccess::Totals(*s.side);
  if (!a.Balanced()) Violation("side pool: accepted != settled", a.accepted, a.settled);
  s.side.reset();
}

Pool& Side(FuzzedDataProvider& in, State& s) {
  if (!s.side) {
    s.side = std::make_unique<Pool>(in.ConsumeIntegralInRange<std::size_t>(1, 3),
                                    in.ConsumeIntegralInRange<std::size_t>(1, 8));
  }
  return *s.side;
}

// Get() of `f` must throw TaskError with `code`.
template <class T>
void ExpectTaskError(litepool::Future<T>& f, ErrorCode code, const char* what) {
  try {
    (void)f.Get();
    Violation(what, 0, static_cast<long long>(code));
  } catch (const litepool::TaskError& e) {
    if (e.Cause().Code() != code)
      Violation(what, static_cast<long long>(e.Cause().Code()), static_cast<long long>(code));
  }
}

// ParallelFor over a range of any size with any grain: returns (or throws
// the body's exception) and, when it returns, its chunks cover the range.
void FuzzParallelFor(FuzzedDataProvider& in, State& s) {
  Pool& pool = Side(in, s);
  const int shape = in.ConsumeIntegralInRange(0, 3);
  const std::uint64_t n = shape == 0   ? in.ConsumeIntegralInRange<std::uint64_t>(0, 64)
                          : shape == 1 ? UINT64_MAX - in.ConsumeIntegralInRange<std::uint64_t>(0, 3)
                          : shape == 2 ? in.ConsumeIntegral<std::uint64_t>()
                                       : std::uint64_t{1} << in.ConsumeIntegralInRange(0, 63);
  const int grain_kind = in.ConsumeIntegralInRange(0, 3);
  const std::size_t grain = grain_kind == 0   ? 0
                            : grain_kind == 1 ? in.ConsumeIntegralInRange<std::size_t>(1, 16)
                            : grain_kind == 2
                                ? SIZE_MAX - in.ConsumeIntegralInRange<std::size_t>(0, 3)
                                : in.ConsumeIntegral<std::size_t>();
  // Too many chunks to run: the body throws at its first call.
  const bool throws = n > 4096 && (grain == 0 ? false : n / std::max<std::size_t>(grain, 1) > 4096);
  const bool from_signed = in.ConsumeBool();
  std::atomic<std::uint64_t> covered{0};
  struct Stop {};
  try {
    if (from_signed) {
      const std::int64_t first =
          INT64_MIN + static_cast<std::int64_t>(in.ConsumeIntegralInRange(0, 3));
      const std::int64_t last = static_cast<std::int64_t>(static_cast<std::uint64_t>(first) + n);
      if (last < first) return;  // beyond the signed range
      litepool::ParallelFor(
          first, last,
          [&](std::int64_t b, std::int64_t e) {
            if (throws) throw Stop{};
            covered += static_cast<std::uint64_t>(e) - static_cast<std::uint64_t>(b);
          },
          litepool::ForOptions{.pool = pool, .grain = grain});
    } else {
      litepool::ParallelFor(
          std::uint64_t{0}, n,
          [&](std::uint64_t b, std::uint64_t e) {
            if (throws) throw Stop{};
            covered += e - b;
          },
          litepool::ForOptions{.pool = pool, .grain = grain});
    }
    if (throws && n > 0) Violation("ParallelFor: the throwing body did not stop the loop");
    if (!throws && covered.load() != n)
      Violation("ParallelFor: chunks do not cover the range",
                static_cast<long long>(covered.load()), static_cast<long long>(n));
  } catch (const Stop&) {
  } catch (const litepool::TaskError& e) {
    if (!pool.Closed())
      Violation("ParallelFor: TaskError on an open pool", static_cast<long long>(e.Cause().Code()));
  }
}

// Null callables and bad options: refused the documented way, never run.
void FuzzNullCallables(FuzzedDataProvider& in, State& s) {
  Pool& pool = Side(in, s);
  int (*null_fn)() = nullptr;
  switch (in.ConsumeIntegralInRange(0, 6)) {
    case 0: {
      litepool::Future<int> f = pool.Submit(null_fn);
      ExpectTaskError(f, ErrorCode::kInvalidArgument, "Submit(null)");
      break;
    }
    case 1: {
      litepool::Future<int> f = pool.Submit(std::function<int()>());
      ExpectTaskError(f, ErrorCode::kInvalidArgument, "Submit(empty function)");
      break;
    }
    case 2:
      try {
        litepool::ParallelFor(0, 8, static_cast<void (*)(int)>(nullptr),
                              litepool::ForOptions{.pool = pool});
        Violation("ParallelFor(null) ran");
      } catch (const std::invalid_argument&) {
      }
      break;
    case 3:
      try {
        (void)litepool::Map({1, 2}, static_cast<int (*)(const int&)>(nullptr), {.pool = pool});
        Violation("Map(null) ran");
      } catch (const std::invalid_argument&) {
      }
      break;
    case 4:
      try {
        (void)TaskOptions().SetTask(static_cast<void (*)()>(nullptr));
        Violation("SetTask(null) accepted");
      } catch (const std::invalid_argument&) {
      }
      break;
    case 5: {
      litepool::Future<int> f = pool.Submit(
          [] { return 1; }, litepool::SubmitOptions{.add_timeout = std::chrono::nanoseconds(
                                                        -in.ConsumeIntegralInRange(1, 1000))});
      ExpectTaskError(f, ErrorCode::kInvalidArgument, "Submit(negative add_timeout)");
      break;
    }
    default: {
      litepool::Future<int> f = pool.Submit(
          [] { return 1; }, litepool::SubmitOptions{.priority = static_cast<litepool::Priority>(
                                                        in.ConsumeIntegralInRange(3, 100))});
      ExpectTaskError(f, ErrorCode::kInvalidArgument, "Submit(bad priority)");
      break;
    }
  }
}

// A hand-built trace: refused when out of bounds, else written, bounded.
void FuzzTrace(FuzzedDataProvider& in) {
  std::vector<litepool::TraceEvent> events(in.ConsumeIntegralInRange<std::size_t>(0, 6));
  bool in_bounds = true;
  constexpr std::int64_t kCentury = 24LL * 365 * 100 * 3600 * 1000000000;
  auto time = [&] {
    const int kind = in.ConsumeIntegralInRange(0, 4);
    const std::int64_t t = kind == 0   ? in.ConsumeIntegralInRange<std::int64_t>(0, 1000000)
                           : kind == 1 ? INT64_MIN
                           : kind == 2 ? INT64_MAX
                           : kind == 3 ? kCentury + in.ConsumeIntegralInRange(-1, 1)
                                       : in.ConsumeIntegral<std::int64_t>();
    if (t < 0 || t > kCentury) in_bounds = false;
    return std::chrono::nanoseconds(t);
  };
  for (auto& e : events) {
    const int w = in.ConsumeIntegralInRange(0, 4);
    e.worker = w == 0   ? in.ConsumeIntegralInRange<std::size_t>(0, 7)
               : w == 1 ? SIZE_MAX - in.ConsumeIntegralInRange<std::size_t>(0, 1)
               : w == 2 ? 4095 + in.ConsumeIntegralInRange<std::size_t>(0, 1)
               : w == 3 ? 100000
                        : in.ConsumeIntegral<std::size_t>();
    if (e.worker >= kMaxWorkers) in_bounds = false;
    e.admitted = time();
    e.start = time();
    e.end = time();
    e.attempt = in.ConsumeIntegral<std::uint32_t>();
    e.outcome = static_cast<ErrorCode>(in.ConsumeIntegralInRange(0, 7));
    e.priority = static_cast<litepool::Priority>(in.ConsumeIntegralInRange(0, 2));
    e.task = in.ConsumeIntegralInRange<std::uint64_t>(0, 3);
  }
  const std::size_t workers = in.ConsumeBool() ? in.ConsumeIntegralInRange<std::size_t>(0, 8)
                                               : in.ConsumeIntegralInRange<std::size_t>(4090, 4100);
  if (workers > kMaxWorkers) in_bounds = false;
  try {
    const litepool::Trace t(std::move(events), in.ConsumeIntegral<std::uint32_t>(), workers);
    if (!in_bounds) Violation("Trace accepted an event out of bounds");
    std::ostringstream svg, json;
    t.WriteSvg(svg);
    t.WriteChromeJson(json);
    // A lane per worker (at most 4096) and at most 6 bars: a few MB.
    constexpr std::size_t kMaxBytes = 8u << 20;
    if (svg.str().size() > kMaxBytes)
      Violation("trace SVG unbounded", static_cast<long long>(svg.str().size()));
    if (json.str().size() > kMaxBytes)
      Violation("trace JSON unbounded", static_cast<long long>(json.str().size()));
  } catch (const std::invalid_argument&) {
    if (in_bounds) Violation("Trace refused an event in bounds");
  }
}

// Not coverage-instrumented: clang 14 cannot assemble sanitizer-coverage
// counters in a coroutine's split functions ("Cannot represent a difference
// across sections"). The library code it calls is instrumented as usual.
__attribute__((no_sanitize("coverage"))) litepool::CoTask<int> TwoHops(Pool& pool,
                                                                       std::atomic<int>& steps) {
  co_await pool.Schedule();
  ++steps;
  co_await pool.Schedule();
  ++steps;
  co_return 1;
}

// Coroutines under Pause/Purge: Purge counts only the Spawned starts it
// cancels (their Futures say kCancelled, their bodies never ran) and never
// runs a body on this thread; every other coroutine runs to its end.
void FuzzCoroutines(FuzzedDataProvider& in, State& s) {
  Pool& pool = Side(in, s);
  std::size_t n = in.ConsumeIntegralInRange<std::size_t>(0, 6);
  const bool pause = in.ConsumeBool();
  const bool purge = in.ConsumeBool();
  const bool sync_wait_on_worker = in.ConsumeBool();
  // From an idle pool: then Purge can only find the coroutines' starts and
  // resumptions (ParallelFor's late runners are gone). And Spawn waits for
  // a slot like AddTask, while nothing frees one when paused: spawn no more
  // than the pool holds.
  pool.WaitIdle();
  if (pause) {
    n = std::min(n, pool.Capacity());
    pool.Pause();
  }
  std::vector<std::unique_ptr<std::atomic<int>>> steps;
  std::vector<litepool::Future<int>> futures;
  for (std::size_t i = 0; i < n; ++i) {
    steps.push_back(std::make_unique<std::atomic<int>>(0));
    futures.push_back(pool.Spawn(TwoHops(pool, *steps.back())));
  }
  std::size_t purged = 0;
  if (purge) {
    // A body run by Purge would run here, before Resume.
    const std::uint64_t before = [&] {
      std::uint64_t t = 0;
      for (auto& x : steps) t += x->load();
      return t;
    }();
    purged = pool.Purge();
    if (pause) {
      std::uint64_t after = 0;
      for (auto& x : steps) after += x->load();
      if (after != before) Violation("Purge ran a coroutine body on its caller");
    }
  }
  pool.Resume();
  std::size_t cancelled = 0;
  for (std::size_t i = 0; i < n; ++i) {
    try {
      if (futures[i].Get() != 1 || steps[i]->load() != 2)
        Violation("coroutine cut short", steps[i]->load(), 2);
    } catch (const litepool::TaskError& e) {
      if (e.Cause().Code() != ErrorCode::kCancelled && e.Cause().Code() != ErrorCode::kClosed) {
        Violation("coroutine start: unexpected error", static_cast<long long>(e.Cause().Code()));
      }
      if (steps[i]->load() != 0) Violation("cancelled coroutine ran", steps[i]->load(), 0);
      cancelled += e.Cause().Code() == ErrorCode::kCancelled;
    }
  }
  if (purge && cancelled != purged)
    Violation("Purge's count is not the starts it cancelled", static_cast<long long>(purged),
              static_cast<long long>(cancelled));
  if (sync_wait_on_worker && !pool.Closed()) {
    std::atomic<int> inner{0};
    litepool::Future<int> f =
        pool.Submit([&pool, &inner] { return litepool::SyncWait(TwoHops(pool, inner)); });
    try {
      if (f.Get() != 1) Violation("SyncWait on a worker: wrong value");
    } catch (const litepool::TaskError&) {
      if (!pool.Closed()) Violation("SyncWait on a worker: refused on an open pool");
    }
  }
}

// A stop requested on a queued Submit settles it at once: its Future is
// ready while the pool is still paused.
void FuzzQueuedStop(FuzzedDataProvider& in, State& s) {
  Pool& pool = Side(in, s);
  if (pool.Closed()) return;
  pool.Pause();
  std::stop_source stop;
  std::atomic<bool> ran{false};
  litepool::Future<int> f = pool.Submit(
      [&ran] {
        ran = true;
        return 1;
      },
      litepool::SubmitOptions{.add_timeout = std::chrono::nanoseconds(0),
                              .stop = stop.get_token()});
  stop.request_stop();
  const bool ready = f.WaitFor(std::chrono::seconds(10));
  pool.Resume();
  if (!ready) Violation("a stopped queued Submit did not settle while paused");
  try {
    (void)f.Get();
    Violation("a stopped queued Submit ran");
  } catch (const litepool::TaskError& e) {
    // kTimeout: a full pool refused it before the stop.
    if (e.Cause().Code() != ErrorCode::kCancelled && e.Cause().Code() != ErrorCode::kTimeout) {
      Violation("a stopped queued Submit: unexpected error",
                static_cast<long long>(e.Cause().Code()));
    }
  }
  if (ran.load()) Violation("a stopped queued Submit ran");
}

// --- Composed work (ops 28-31), on the compose pool ------------------------

// The longest a composed future may take to settle before the input counts
// as a hang: below the fuzzer's -timeout (30 s, scripts/fuzz), far above
// the delays and periods used here (at most 2 ms).
constexpr auto kSettleGuard = std::chrono::seconds(10);
// What an outcome continuation returns after a failed input (plus its step
// number): apart from any value a chain of +1 steps from 0 reaches.
constexpr int kRecovered = 1000;
// Live schedules on one compose pool: enough to overlap, few enough that
// their runs leave the workers room for the other ops.
constexpr std::size_t kMaxPeriodics = 4;

// A planned failure of a composed task, told apart by `id`. Not a
// std::exception: Get must rethrow the task's own object, whatever its type.
struct Boom {
  int id;
};

// What a settled future gave: a value, a planned failure, or a stop (the
// task never ran: purged, cancelled by a close, refused by a closed pool).
struct Out {
  enum Kind { kValue, kBoom, kStop } kind = kStop;
  int v = 0;
  bool operator==(const Out&) const = default;
};

Out Stop() { return {Out::kStop, 0}; }

// Get() of a ready future as an Out; any other failure is a violation.
template <class T>
Out Observe(litepool::Future<T>& f, const char* what) {
  try {
    if constexpr (std::is_void_v<T>) {
      f.Get();
      return {Out::kValue, 0};
    } else {
      return {Out::kValue, f.Get()};
    }
  } catch (const Boom& b) {
    return {Out::kBoom, b.id};
  } catch (const litepool::TaskError& e) {
    const ErrorCode c = e.Cause().Code();
    if (c != ErrorCode::kCancelled && c != ErrorCode::kClosed)
      Violation(what, static_cast<long long>(c));
    return Stop();
  }
}

// Closes the compose pool and checks it: balanced, no delayed task left,
// and every schedule ended: not Active(), Runs() is exactly the runs that
// happened (Close joined the workers: none is in progress), Failures() the
// failed ones, never more than max_runs, none missed at a fixed delay, none
// after a Cancel returned.
void CloseCompose(State& s) {
  if (!s.compose) return;
  s.compose->Close();
  const litepool::detail::Accounting a = litepool::detail::PoolAccess::Totals(*s.compose);
  if (!a.Balanced()) Violation("compose pool: accepted != settled", a.accepted, a.settled);
  if (s.compose->Stats().delayed != 0)
    Violation("compose pool: delayed tasks after Close",
              static_cast<long long>(s.compose->Stats().delayed));
  for (std::shared_ptr<Periodic>& p : s.periodics) {
    const std::uint64_t runs = p->handle.Runs();
    const std::uint64_t calls = p->calls.load();
    if (p->handle.Active()) Violation("periodic: Active() after its pool closed");
    if (runs != calls)
      Violation("periodic: Runs() is not the runs that happened", static_cast<long long>(runs),
                static_cast<long long>(calls));
    if (p->handle.Failures() != p->failing.load())
      Violation("periodic: Failures() is not the failed runs",
                static_cast<long long>(p->handle.Failures()),
                static_cast<long long>(p->failing.load()));
    if (p->max_runs != 0 && runs > p->max_runs)
      Violation("periodic: more runs than max_runs", static_cast<long long>(runs),
                static_cast<long long>(p->max_runs));
    if (p->fixed_delay && p->handle.Missed() != 0)
      Violation("periodic: a fixed delay missed a time",
                static_cast<long long>(p->handle.Missed()));
    if (p->cancelled && runs != p->runs_at_cancel)
      Violation("periodic: ran after Cancel returned", static_cast<long long>(runs),
                static_cast<long long>(p->runs_at_cancel));
    p->runs_at_close = runs;
    s.ended.push_back(std::move(p));
  }
  s.periodics.clear();
  s.compose.reset();
}

// The compose pool, open (a closed one is checked and replaced).
Pool& Compose(FuzzedDataProvider& in, State& s) {
  if (s.compose && s.compose->Closed()) CloseCompose(s);
  if (!s.compose) {
    s.compose = std::make_unique<Pool>(in.ConsumeIntegralInRange<std::size_t>(1, 3),
                                       in.ConsumeIntegralInRange<std::size_t>(1, 8));
  }
  return *s.compose;
}

// One step of a Then chain: where it must run, and what it saw and did.
struct Link {
  bool outcome_form = false;  // f(Future<int>): runs on every outcome
  Pool* pool = nullptr;
  std::atomic<int> runs{0};
  std::atomic<bool> elsewhere{false};  // ran on a thread not of `pool`
  Out seen, produced;                  // by its run; read once the chain is ready
};

void Enter(Link& l) {
  if (l.runs.fetch_add(1) != 0) Violation("Then: a continuation ran twice");
  if (!l.pool->OnWorkerThread()) l.elsewhere = true;
}

// A task on the compose pool and a chain of 1-4 continuations, each in value
// form (f(int)) or outcome form (f(Future<int>)), each on the pool of the
// step before (Then(f)) or on the side pool (Then(pool, f)); one step may
// throw. A Purge of either pool and a Close of the compose pool may race the
// chain. Once the chain is ready (bounded): each continuation ran at most
// once, on its pool; a value continuation ran only after a success, with
// that value; an outcome continuation saw what the step before produced; a
// step that did not run gave a stop (kCancelled / kClosed) or, in value form
// after a failure, passed that failure on; the chain's result is its last
// step's; with nothing racing, every step that should run ran. A step that
// had not run when the chain was ready never runs later (checked once every
// pool is closed).
void FuzzThen(FuzzedDataProvider& in, State& s) {
  Pool& home = Compose(in, s);
  const int links = in.ConsumeIntegralInRange(1, 4);
  const int fail_at = in.ConsumeIntegralInRange(-1, links);  // step 0: the task; -1: none
  auto base = std::make_shared<std::atomic<int>>(0);
  litepool::Future<int> f = home.Submit([base, fail_at]() -> int {
    if (base->fetch_add(1) != 0) Violation("Then: the first task ran twice");
    if (fail_at == 0) throw Boom{0};
    return 0;
  });
  std::vector<std::shared_ptr<Link>> chain;
  Pool* prev = &home;
  for (int k = 1; k <= links; ++k) {
    auto l = std::make_shared<Link>();
    l->outcome_form = in.ConsumeBool();
    const bool other = in.ConsumeBool();
    l->pool = other ? &Side(in, s) : prev;
    prev = l->pool;
    const bool throws = fail_at == k;
    Link* lp = l.get();  // kept in `chain`, then by after_close: outlives its task
    if (l->outcome_form) {
      auto fn = [lp, throws, k](litepool::Future<int> x) -> int {
        Enter(*lp);
        lp->seen = Observe(x, "Then: an outcome continuation saw an unexpected error");
        const int v = lp->seen.kind == Out::kValue ? lp->seen.v + 1 : kRecovered + k;
        lp->produced = throws ? Out{Out::kBoom, k} : Out{Out::kValue, v};
        if (throws) throw Boom{k};
        return v;
      };
      f = other ? std::move(f).Then(*l->pool, fn) : std::move(f).Then(fn);
    } else {
      auto fn = [lp, throws, k](int v) -> int {
        Enter(*lp);
        lp->seen = {Out::kValue, v};
        lp->produced = throws ? Out{Out::kBoom, k} : Out{Out::kValue, v + 1};
        if (throws) throw Boom{k};
        return v + 1;
      };
      f = other ? std::move(f).Then(*l->pool, fn) : std::move(f).Then(fn);
    }
    chain.push_back(std::move(l));
  }
  const int race = in.ConsumeIntegralInRange(0, 7);
  if (race & 1) (void)home.Purge();
  if ((race & 2) && s.side) (void)s.side->Purge();
  if (race & 4)
    home.Close(in.ConsumeBool() ? litepool::CloseMode::kDrain
                                : litepool::CloseMode::kCancelPending);
  const bool may_stop = race != 0;
  if (!f.WaitFor(kSettleGuard)) Violation("Then: a chain did not settle");
  const Out result = Observe(f, "Then: the chain's result is an unexpected error");
  // What the step before produced: `want`, or (or_stop) maybe a stop instead.
  const int base_runs = base->load();
  Out want = base_runs == 0 ? Stop() : fail_at == 0 ? Out{Out::kBoom, 0} : Out{Out::kValue, 0};
  if (base_runs == 0 && !may_stop) Violation("Then: the first task never ran, nothing stopped it");
  bool or_stop = false;
  std::vector<int> runs_at_ready;
  for (const std::shared_ptr<Link>& l : chain) {
    const int runs = l->runs.load();
    runs_at_ready.push_back(runs);
    if (l->elsewhere.load()) Violation("Then: a continuation ran on a thread of another pool");
    if (runs > 1) Violation("Then: a continuation ran twice", runs, 1);
    if (runs == 1) {
      const bool saw_want = l->seen == want || (or_stop && l->seen.kind == Out::kStop);
      if (!l->outcome_form && l->seen.kind != Out::kValue)
        Violation("Then: a value continuation ran after a failure");
      if (!saw_want)
        Violation("Then: a continuation saw what the step before did not produce", l->seen.v,
                  want.v);
      want = l->produced;
      or_stop = false;
    } else if (!l->outcome_form && want.kind != Out::kValue) {
      or_stop = may_stop;  // the failure passed on, or the step was stopped
    } else {
      if (!may_stop) Violation("Then: a continuation never ran, nothing stopped it");
      want = Stop();
      or_stop = false;
    }
  }
  if (!(result == want || (or_stop && result.kind == Out::kStop)))
    Violation("Then: the chain's result is not its last step's", result.v, want.v);
  s.after_close.push_back([chain = std::move(chain), runs_at_ready, base, base_runs] {
    if (base->load() != base_runs) Violation("Then: the first task ran after the chain was ready");
    for (std::size_t i = 0; i < chain.size(); ++i) {
      if (chain[i]->runs.load() != runs_at_ready[i])
        Violation("Then: a continuation ran after the chain was ready");
    }
  });
}

// One input of a join: its plan and whether its task ran.
struct JoinInput {
  bool invalid = false;  // a Future without state
  bool throws = false;   // throws Boom{its index}
  std::atomic<int> ran{0};
};

// Input i's task on `pool`: returns 10 * i + 1 (nothing for void) or throws.
template <class T>
litepool::Future<T> SubmitInput(Pool& pool, const std::shared_ptr<JoinInput>& x, int i,
                                std::chrono::nanoseconds delay) {
  if (x->invalid) return {};
  return pool.Submit(
      [x, i]() -> T {
        if (x->ran.fetch_add(1) != 0) Violation("join: an input ran twice");
        if (x->throws) throw Boom{i};
        if constexpr (std::is_void_v<T>) {
          return;
        } else {
          return 10 * i + 1;
        }
      },
      litepool::SubmitOptions{.delay = delay});
}

// What input i's future holds, by what its task did (read once it settled).
Out InputOutcome(const JoinInput& x, int i, bool void_form) {
  if (x.ran.load() == 0) return Stop();
  if (x.throws) return {Out::kBoom, i};
  return {Out::kValue, void_form ? 0 : 10 * i + 1};
}

// 0-5 join inputs on the compose pool (rarely one without state), some
// failing, some delayed; `purge`: a Purge races them.
std::vector<std::shared_ptr<JoinInput>> PlanInputs(FuzzedDataProvider& in, std::size_t n) {
  std::vector<std::shared_ptr<JoinInput>> xs;
  for (std::size_t i = 0; i < n; ++i) {
    auto x = std::make_shared<JoinInput>();
    const int plan = in.ConsumeIntegralInRange(0, 15);
    x->invalid = plan == 0;
    x->throws = plan >= 12;
    xs.push_back(std::move(x));
  }
  return xs;
}

std::chrono::nanoseconds InputDelay(FuzzedDataProvider& in) {
  return in.ConsumeBool() ? std::chrono::microseconds(in.ConsumeIntegralInRange(0, 300))
                          : std::chrono::nanoseconds(0);
}

template <class T>
litepool::Future<T> Ready(litepool::Future<T> f, const char* what) {
  if (!f.WaitFor(kSettleGuard)) Violation(what);
  return f;
}

void ExpectInvalidJoin(const litepool::TaskError& e, const char* what) {
  if (e.Cause().Code() != ErrorCode::kInvalidArgument)
    Violation(what, static_cast<long long>(e.Cause().Code()));
}

// WhenAll over 0-5 inputs, vector or void form, maybe a Then on the result
// (its sum), maybe a Purge racing them. Once ready (bounded): the values in
// input order, or the failure of the first failed input by position (its
// Boom, or the stop of one that never ran), never a stop with nothing
// racing; kInvalidArgument when an input had no state, and then a Then on
// the result (no pool known) throws std::logic_error. Every input had
// settled: none that had not run by then runs later.
void FuzzWhenAll(FuzzedDataProvider& in, State& s) {
  Pool& home = Compose(in, s);
  const std::size_t n = in.ConsumeIntegralInRange<std::size_t>(0, 5);
  const bool void_form = in.ConsumeBool();
  std::vector<std::shared_ptr<JoinInput>> xs = PlanInputs(in, n);
  bool invalid = false;
  std::vector<litepool::Future<int>> values;
  std::vector<litepool::Future<void>> voids;
  for (std::size_t i = 0; i < n; ++i) {
    invalid = invalid || xs[i]->invalid;
    if (void_form) {
      voids.push_back(SubmitInput<void>(home, xs[i], static_cast<int>(i), InputDelay(in)));
    } else {
      values.push_back(SubmitInput<int>(home, xs[i], static_cast<int>(i), InputDelay(in)));
    }
  }
  const bool then_sum = !void_form && in.ConsumeBool();
  const bool purge = in.ConsumeBool();
  litepool::Future<void> all_void;
  litepool::Future<std::vector<int>> all;
  litepool::Future<int> sum;
  if (void_form) {
    all_void = litepool::WhenAll(std::move(voids));
  } else {
    all = litepool::WhenAll(std::move(values));
    if (then_sum) {
      const bool anchored = n > 0 && !invalid;
      try {
        sum = std::move(all).Then([](std::vector<int> v) {
          int t = 0;
          for (int x : v) t += x;
          return t;
        });
        if (!anchored) Violation("WhenAll: Then on a result without a pool accepted");
      } catch (const std::logic_error&) {
        if (anchored) Violation("WhenAll: Then on a result of pool inputs refused");
        if (!all.Valid()) Violation("WhenAll: a refused Then consumed the result");
      }
    }
  }
  if (purge) (void)home.Purge();
  // The first failure by position, or every value in order.
  Out want{Out::kValue, 0};
  std::vector<int> want_values;
  auto expect = [&] {
    for (std::size_t i = 0; i < n; ++i) {
      const Out o = InputOutcome(*xs[i], static_cast<int>(i), void_form);
      if (o.kind != Out::kValue) {
        want = o;
        if (o.kind == Out::kStop && !purge)
          Violation("WhenAll: an input never ran, nothing stopped it");
        return;
      }
      want_values.push_back(o.v);
      want.v += o.v;
    }
  };
  std::vector<int> ran_at_ready;
  auto settled = [&] {
    for (const auto& x : xs) ran_at_ready.push_back(x->ran.load());
  };
  if (void_form) {
    litepool::Future<void> r = Ready(std::move(all_void), "WhenAll(void): not ready");
    if (invalid) {
      try {
        r.Get();
        Violation("WhenAll(void): an input without state, yet ok");
      } catch (const litepool::TaskError& e) {
        ExpectInvalidJoin(e, "WhenAll(void): an input without state, other error");
      }
      return;
    }
    settled();
    expect();
    if (Observe(r, "WhenAll(void): unexpected error") != want)
      Violation("WhenAll(void): not ok, or not the first failure by position", want.v);
  } else if (sum.Valid()) {
    litepool::Future<int> r = Ready(std::move(sum), "WhenAll then sum: not ready");
    const Out got = Observe(r, "WhenAll then sum: unexpected error");
    // Ready after the join: every input settled by now.
    settled();
    expect();
    if (!(got == want || (purge && got.kind == Out::kStop)))
      Violation("WhenAll then sum: not the sum or the first failure by position", got.v, want.v);
  } else {
    litepool::Future<std::vector<int>> r = Ready(std::move(all), "WhenAll: not ready");
    if (invalid) {
      try {
        (void)r.Get();
        Violation("WhenAll: an input without state, yet a value");
      } catch (const litepool::TaskError& e) {
        ExpectInvalidJoin(e, "WhenAll: an input without state, other error");
      }
      return;
    }
    settled();
    expect();
    try {
      const std::vector<int> v = r.Get();
      if (want.kind != Out::kValue) Violation("WhenAll: values although an input failed", want.v);
      if (v != want_values)
        Violation("WhenAll: not the inputs' values in order", static_cast<long long>(v.size()),
                  static_cast<long long>(want_values.size()));
    } catch (const Boom& b) {
      if (want != Out{Out::kBoom, b.id})
        Violation("WhenAll: a failure that is not the first by position", b.id, want.v);
    } catch (const litepool::TaskError& e) {
      if (want.kind != Out::kStop)
        Violation("WhenAll: a stop that is not the first failure by position",
                  static_cast<long long>(e.Cause().Code()));
    }
  }
  s.after_close.push_back([xs, ran_at_ready] {
    for (std::size_t i = 0; i < xs.size(); ++i) {
      if (xs[i]->ran.load() != ran_at_ready[i]) Violation("WhenAll: an input ran after the join");
    }
  });
}

// WhenAny over 0-4 inputs (rarely one without state), maybe a Purge racing
// them. Once ready (bounded): the winner's index is in range, `first` is
// ready with what that input's task did (its value, its Boom, or a stop if
// it never ran), `rest` holds the others in input order and each settles
// the same way; never a stop with nothing racing; no input, or one without
// state: kInvalidArgument.
void FuzzWhenAny(FuzzedDataProvider& in, State& s) {
  Pool& home = Compose(in, s);
  const std::size_t n = in.ConsumeIntegralInRange<std::size_t>(0, 4);
  std::vector<std::shared_ptr<JoinInput>> xs = PlanInputs(in, n);
  bool invalid = n == 0;
  std::vector<litepool::Future<int>> futures;
  for (std::size_t i = 0; i < n; ++i) {
    invalid = invalid || xs[i]->invalid;
    futures.push_back(SubmitInput<int>(home, xs[i], static_cast<int>(i), InputDelay(in)));
  }
  const bool purge = in.ConsumeBool();
  litepool::Future<litepool::WhenAnyResult<int>> any = litepool::WhenAny(std::move(futures));
  if (purge) (void)home.Purge();
  any = Ready(std::move(any), "WhenAny: not ready");
  if (invalid) {
    try {
      (void)any.Get();
      Violation("WhenAny: no input or one without state, yet a winner");
    } catch (const litepool::TaskError& e) {
      ExpectInvalidJoin(e, "WhenAny: no input or one without state, other error");
    }
    return;
  }
  litepool::WhenAnyResult<int> r = any.Get();
  if (r.index >= n) Violation("WhenAny: index out of range", static_cast<long long>(r.index));
  if (r.rest.size() != n - 1) Violation("WhenAny: rest", static_cast<long long>(r.rest.size()));
  if (!r.first.Valid() || !r.first.WaitFor(std::chrono::nanoseconds(0)))
    Violation("WhenAny: the first input is not ready");
  auto check = [&](litepool::Future<int>& f, std::size_t i) {
    if (!f.WaitFor(kSettleGuard)) Violation("WhenAny: an input did not settle");
    const Out got = Observe(f, "WhenAny: an input's unexpected error");
    const Out want = InputOutcome(*xs[i], static_cast<int>(i), false);
    if (got != want) Violation("WhenAny: an input holds what its task did not do", got.v, want.v);
    if (got.kind == Out::kStop && !purge)
      Violation("WhenAny: an input never ran, nothing stopped it");
  };
  check(r.first, r.index);
  std::size_t j = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (i != r.index) check(r.rest[j++], i);
  }
}

// Periodic tasks on the compose pool: start one (period 1 us to 2 ms, a
// period <= 0 throws; fixed rate or delay; maybe a first delay; max_runs
// 0-3; runs that succeed, return an Error or throw), cancel one (then at
// once: not Active(), and Runs() counts every run that happened, since
// Cancel waits for a run in progress), or close the pool (either mode) with
// the schedules left running. CloseCompose checks each schedule when its
// pool closes; CheckAndClose, that none ran after that.
void FuzzEvery(FuzzedDataProvider& in, State& s) {
  Pool& home = Compose(in, s);
  const int what = in.ConsumeIntegralInRange(0, 3);
  if (what <= 1) {
    if (s.periodics.size() >= kMaxPeriodics) return;
    const int period_us = in.ConsumeIntegralInRange(-1, 2000);
    auto p = std::make_shared<Periodic>();
    p->fixed_delay = in.ConsumeBool();
    p->max_runs = in.ConsumeIntegralInRange<std::uint64_t>(0, 3);
    const int kind = in.ConsumeIntegralInRange(0, 2);
    litepool::PeriodicOptions o{.fixed_delay = p->fixed_delay, .max_runs = p->max_runs};
    if (in.ConsumeBool())
      o.first_after = std::chrono::microseconds(in.ConsumeIntegralInRange(-1, 500));
    Periodic* raw = p.get();  // kept in s.periodics, then s.ended: outlives the schedule
    try {
      p->handle = home.Every(
          std::chrono::microseconds(period_us),
          [raw, kind]() -> Error {
            raw->calls.fetch_add(1);
            if (kind == 0) return Error();
            raw->failing.fetch_add(1);
            if (kind == 1) return Error("periodic failure");
            throw std::runtime_error("periodic throw");
          },
          o);
      if (period_us <= 0) Violation("Every: a period <= 0 accepted", period_us);
    } catch (const std::invalid_argument&) {
      if (period_us > 0) Violation("Every: a positive period refused", period_us);
      return;
    }
    // Ends only at max_runs here (nothing cancelled it, the pool is open).
    if (!p->handle.Active() && (p->max_runs == 0 || p->handle.Runs() < p->max_runs))
      Violation("Every: not Active() on an open pool");
    s.periodics.push_back(std::move(p));
  } else if (what == 2) {
    if (s.periodics.empty()) return;
    Periodic& p = *s.periodics[in.ConsumeIntegralInRange<std::size_t>(0, s.periodics.size() - 1)];
    p.handle.Cancel();
    if (p.handle.Active()) Violation("periodic: Active() after Cancel");
    const std::uint64_t runs = p.handle.Runs();
    if (runs != p.calls.load())
      Violation("periodic: Cancel returned before a run in progress ended",
                static_cast<long long>(runs), static_cast<long long>(p.calls.load()));
    if (!p.cancelled) {
      p.cancelled = true;
      p.runs_at_cancel = runs;
    } else if (runs != p.runs_at_cancel) {
      Violation("periodic: ran after Cancel returned", static_cast<long long>(runs),
                static_cast<long long>(p.runs_at_cancel));
    }
  } else {
    home.Close(in.ConsumeBool() ? litepool::CloseMode::kDrain
                                : litepool::CloseMode::kCancelPending);
    CloseCompose(s);
  }
}

void CheckAndClose(State& s) {
  CloseCompose(s);
  CloseSide(s);
  // Every pool of the input is closed: nothing runs any more.
  for (const auto& check : s.after_close) check();
  s.after_close.clear();
  for (const std::shared_ptr<Periodic>& p : s.ended) {
    if (p->handle.Active() || p->handle.Runs() != p->runs_at_close ||
        p->calls.load() != p->runs_at_close)
      Violation("periodic: ran after its pool closed", static_cast<long long>(p->handle.Runs()),
                static_cast<long long>(p->runs_at_close));
  }
  s.ended.clear();
  if (!s.pool) return;
  s.pool->Close();
  const litepool::detail::Accounting a = litepool::detail::PoolAccess::Totals(*s.pool);
  if (!a.Balanced()) Violation("accepted != settled", a.accepted, a.settled);
  const std::uint64_t expected = s.accepted + s.nested_accepted.load();
  if (a.accepted != expected) Violation("engine accepted != AddTask ok", a.accepted, expected);
  if (a.settled != a.succeeded + a.failed + a.cancelled + a.exception) {
    Violation("outcomes do not add up", a.settled,
              a.succeeded + a.failed + a.cancelled + a.exception);
  }
  // Purged tasks settle as cancelled; only timed tasks that never ran expire.
  if (a.cancelled < s.purged)
    Violation("purged tasks not counted as cancelled", static_cast<long long>(a.cancelled),
              static_cast<long long>(s.purged));
  std::uint64_t could_expire = 0;
  for (const auto& t : s.tracks) could_expire += t->timed && t->accepted && t->runs.load() == 0;
  const std::uint64_t expired = s.pool->Stats().total.expired;
  if (expired > could_expire)
    Violation("more expired than timed tasks that never ran", static_cast<long long>(expired),
              static_cast<long long>(could_expire));
  for (const auto& t : s.saved_tracks) {
    if (t->completes.load() != t->ok_submits) {
      Violation("reused options: OnComplete count", t->completes.load(), t->ok_submits);
    }
  }
  for (const auto& t : s.tracks) {
    const int c = t->completes.load();
    if (t->accepted && c != 1) Violation("accepted task: OnComplete count", c, 1);
    if (!t->accepted && (c != 0 || t->runs.load() != 0)) {
      Violation("rejected task ran", c, t->runs.load());
    }
  }
  for (const Group& g : s.groups) {
    if (g.touched) continue;
    // Every auto-done task credits once (accepted or rejected); surplus
    // credits are refused and reported as kInvalidArgument errors.
    const std::int64_t want = g.initial > g.auto_credits ? g.initial - g.auto_credits : 0;
    if (g.group.Pending() != want) Violation("group pending", g.group.Pending(), want);
    std::int64_t below_zero = 0;
    // Rejected tasks put their reason in Errors() too (also kInvalidArgument
    // for a task without a body): count the refused credits by their message.
    for (const Error& e : g.group.Errors()) {
      below_zero += e.Message().find("below zero") != std::string::npos;
    }
    const std::int64_t surplus = g.auto_credits > g.initial ? g.auto_credits - g.initial : 0;
    if (below_zero != surplus) Violation("refused credits", below_zero, surplus);
  }
  s.tracks.clear();
  s.saved.clear();
  s.saved_tracks.clear();
  s.groups.clear();
  s.accepted = 0;
  s.purged = 0;
  s.nested_accepted = 0;
  s.pool.reset();
}

void NewPool(FuzzedDataProvider& in, State& s) {
  CheckAndClose(s);
  // Sizes include the invalid ones (0, huge): they must throw, not crash.
  const std::size_t workers = in.ConsumeIntegralInRange<std::size_t>(0, 5);
  std::size_t capacity = in.ConsumeIntegralInRange<std::size_t>(0, 9);
  if (capacity == 9) capacity = ~std::size_t{0};
  try {
    s.pool = std::make_unique<Pool>(workers == 5 ? 100000 : workers, capacity);
    if (workers == 0 || workers == 5 || capacity == 0 || capacity == ~std::size_t{0}) {
      Violation("bad pool size accepted", static_cast<long long>(workers),
                static_cast<long long>(capacity));
    }
  } catch (const std::invalid_argument&) {
    s.pool = std::make_unique<Pool>(1, 2);
  }
}

// Deferred tasks: a task of the usual kinds, delayed (from nothing to an
// hour: only Purge or Close can end that wait) and/or dependent on a gate
// group that this step opens again at the end (maybe after a Purge), so no
// dependent waits beyond the step for its dependency. They are ordinary
// accepted tasks for every invariant CheckAndClose checks.
void ComposeStep(FuzzedDataProvider& in, State& s) {
  auto t = std::make_shared<Track>();
  Group* g = PickGroup(in, s);
  TaskOptions o = MakeTask(in, s, t, g);
  const int shape = in.ConsumeIntegralInRange(0, 3);
  // An hour's delay is purged in this step: CheckAndClose's Close(kDrain)
  // would wait for it.
  const bool hour = (shape & 1) && in.ConsumeBool();
  if (shape & 1) {
    o.SetDelay(hour ? std::chrono::nanoseconds(std::chrono::hours(1))
                    : std::chrono::nanoseconds(in.ConsumeIntegralInRange(-1000, 2000000)));
  }
  TaskGroup gate(1);
  if (shape & 2) o.SetAfter({gate});
  Submit(in, s, t, std::move(o));
  if (hour || in.ConsumeBool()) s.purged += s.pool->Purge();
  gate.Done();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  State s;
  NewPool(in, s);
  int ops = 0;
  while (in.remaining_bytes() > 0 && ++ops <= 64) {
    const int op = in.ConsumeIntegralInRange(0, 31);
    switch (op) {
      case 0: {  // a group (negative sizes must throw)
        const std::int64_t n = in.ConsumeIntegralInRange<std::int64_t>(-2, 6);
        try {
          TaskGroup g = s.pool->NewTaskGroup(n);
          if (n < 0) Violation("negative group accepted", n);
          s.groups.push_back(Group{g, n, 0, false});
        } catch (const std::invalid_argument&) {
          if (n >= 0) Violation("valid group refused", n);
        }
        break;
      }
      case 1:
      case 2:
      case 3: {  // one task
        auto t = std::make_shared<Track>();
        Group* g = PickGroup(in, s);
        Submit(in, s, t, MakeTask(in, s, t, g));
        break;
      }
      case 4: {  // a batch, maybe larger than the pool
        const std::size_t n = in.ConsumeIntegralInRange<std::size_t>(0, 12);
        std::vector<TaskOptions> batch;
        std::vector<std::shared_ptr<Track>> ts;
        Group* g = PickGroup(in, s);
        for (std::size_t i = 0; i < n; ++i) {
          ts.push_back(std::make_shared<Track>());
          batch.push_back(MakeTask(in, s, ts.back(), g));
          BoundWhilePaused(in, s, batch.back());
        }
        const Error e = s.pool->AddTaskGroup(std::move(batch));
        if (n > s.pool->Capacity() && e.Code() != ErrorCode::kInvalidArgument) {
          Violation("oversized batch not refused", static_cast<long long>(n));
        }
        for (auto& t : ts) {
          t->accepted = !e;
          if (!e) ++s.accepted;
          s.tracks.push_back(t);
        }
        break;
      }
      case 5:
        if (Group* g = PickGroup(in, s)) g->group.Cancel();
        break;
      case 6:
        if (Group* g = PickGroup(in, s)) {
          g->touched = true;
          try {
            g->group.Done();
          } catch (const std::logic_error&) {
          }
        }
        break;
      case 7:
        if (Group* g = PickGroup(in, s)) {
          g->touched = true;
          const std::int64_t pick = in.ConsumeIntegralInRange<std::int64_t>(-1, 4);
          // 4: INT64_MAX, past the counter's range unless it is zero.
          const std::int64_t n = pick == 4 ? INT64_MAX : pick;
          const std::int64_t before = g->group.Pending();
          try {
            g->group.Add(n);
            if (n < 0) Violation("negative Add accepted", n);
          } catch (const std::invalid_argument&) {
            if (n >= 0 && before <= INT64_MAX - n) Violation("Add in range refused", before, n);
          }
          if (g->group.Pending() < 0) Violation("group counter wrapped", g->group.Pending());
        }
        break;
      case 8:
        if (Group* g = PickGroup(in, s)) (void)g->group.WaitFor(std::chrono::nanoseconds(0));
        break;
      case 9:
        s.pool->Close(in.ConsumeBool() ? litepool::CloseMode::kDrain
                                       : litepool::CloseMode::kCancelPending);
        break;
      case 10: {  // keep options to reuse: copy (runs twice) or move (then empty)
        auto t = std::make_shared<Track>(true);
        s.saved.push_back(MakeTask(in, s, t, nullptr));
        s.saved_tracks.push_back(t);
        break;
      }
      case 11:
        if (!s.saved.empty()) {
          const std::size_t i = in.ConsumeIntegralInRange<std::size_t>(0, s.saved.size() - 1);
          if (in.ConsumeBool()) {
            // Moved: the first add takes it; a second add of the moved-from
            // options is kInvalidArgument.
            const bool had = s.saved[i].HasTask();
            BoundWhilePaused(in, s, s.saved[i]);
            const Error e = s.pool->AddTask(std::move(s.saved[i]));
            if (!had && e.Code() != ErrorCode::kInvalidArgument) Violation("moved-from accepted");
            if (!e) {
              ++s.accepted;
              ++s.saved_tracks[i]->ok_submits;
            }
          } else {
            TaskOptions copy = s.saved[i];
            BoundWhilePaused(in, s, copy);
            const Error e = s.pool->AddTask(std::move(copy));  // a copy
            if (!e) {
              ++s.accepted;
              ++s.saved_tracks[i]->ok_submits;
            }
          }
        }
        break;
      case 12: {  // reports must not block or crash
        std::ostringstream out;
        s.pool->Usage(out);
        (void)s.pool->Stats().ToJson();
        break;
      }
      case 13:
        NewPool(in, s);
        break;
      case 14: {  // an ErrGroup, maybe cut short by Close(kCancelPending)
        const int n = in.ConsumeIntegralInRange(0, 6);
        const bool cancel = in.ConsumeBool();
        // ErrGroup::Go waits for a slot and Wait for the functions: a paused
        // pool would hold both for ever.
        s.pool->Resume();
        auto ran = std::make_shared<std::atomic<int>>(0);
        litepool::ErrGroup g(*s.pool);
        for (int i = 0; i < n; ++i) g.Go([ran] { ++*ran; });
        if (cancel) s.pool->Close(litepool::CloseMode::kCancelPending);
        const Error e = g.Wait();
        // Every function ran or was reported, never both or neither.
        const std::vector<Error> errors = g.Errors();
        const auto reported = static_cast<int>(errors.size());
        // Accepted by the pool: all but those AddTask refused (kClosed); the
        // ones cancelled before they ran (kCancelled) were accepted.
        int refused = 0;
        for (const Error& err : errors) refused += err.Code() == ErrorCode::kClosed;
        s.accepted += static_cast<std::uint64_t>(n - refused);
        if (ran->load() + reported != n)
          Violation("ErrGroup function lost", ran->load() + reported, n);
        if (!e && ran->load() != n) Violation("ErrGroup ok without running", ran->load(), n);
        break;
      }
      case 15:
        s.pool->Pause();
        break;
      case 16:
        s.pool->Resume();
        if (s.pool->Paused()) Violation("paused after Resume");
        break;
      case 17:
        s.purged += s.pool->Purge();
        break;
      case 18: {  // one task with a priority (3: outside the enum, refused)
        auto t = std::make_shared<Track>();
        Group* g = PickGroup(in, s);
        TaskOptions o = MakeTask(in, s, t, g);
        const int level = in.ConsumeIntegralInRange(0, 3);
        try {
          o.SetPriority(static_cast<litepool::Priority>(level));
          if (level == 3) Violation("priority outside the enum accepted", level);
        } catch (const std::invalid_argument&) {
          if (level != 3) Violation("valid priority refused", level);
        }
        Submit(in, s, t, std::move(o));
        break;
      }
      case 19: {  // one task with a queue timeout (negative: AddTask refuses it)
        auto t = std::make_shared<Track>();
        t->timed = true;
        Group* g = PickGroup(in, s);
        TaskOptions o = MakeTask(in, s, t, g);
        const auto timeout = std::chrono::nanoseconds(in.ConsumeIntegralInRange(-1000, 50000));
        o.SetQueueTimeout(timeout);
        if (in.ConsumeBool()) o.SetPriority(litepool::Priority::kHigh);
        Submit(in, s, t, std::move(o));
        if (timeout.count() < 0 && t->accepted) Violation("negative queue timeout accepted");
        break;
      }
      case 20: {  // idle means nothing queued, running or waiting to retry
        const auto d = std::chrono::microseconds(in.ConsumeIntegralInRange(0, 2000));
        if (s.pool->WaitIdleFor(d)) {
          const litepool::detail::Accounting a = litepool::detail::PoolAccess::Totals(*s.pool);
          if (a.in_flight != 0)
            Violation("WaitIdleFor idle with tasks in flight", static_cast<long long>(a.in_flight));
          for (const auto& t : s.tracks) {
            if (t->accepted && t->completes.load() != 1) {
              Violation("WaitIdleFor idle before an OnComplete", t->completes.load(), 1);
            }
          }
        }
        break;
      }
      case 21: {  // resize, on this thread (on a worker it would throw)
        // Also while paused: a shrink waits only for running tasks, and no
        // task here waits for anything.
        const std::size_t pick = in.ConsumeIntegralInRange<std::size_t>(0, 9);
        const std::size_t n = pick == 9 ? kMaxWorkers + 1 : pick;
        const bool valid = n >= 1 && n <= kMaxWorkers;
        const bool was_closed = s.pool->Closed();
        const std::size_t before = s.pool->Workers();
        try {
          s.pool->SetWorkers(n);
          if (!valid && !was_closed)
            Violation("bad worker count accepted", static_cast<long long>(n));
        } catch (const std::invalid_argument&) {
          if (valid) Violation("valid worker count refused", static_cast<long long>(n));
        }
        // Nothing else closes the pool meanwhile (a task's nested AddTask
        // does not), so `was_closed` tells whether it may have acted.
        const std::size_t want = valid && !was_closed ? n : before;
        if (s.pool->Workers() != want) {
          Violation("Workers() after SetWorkers", static_cast<long long>(s.pool->Workers()),
                    static_cast<long long>(want));
        }
        if (s.pool->Capacity() != want * s.pool->QueueCapacity()) {
          Violation("Capacity() after SetWorkers", static_cast<long long>(s.pool->Capacity()),
                    static_cast<long long>(want * s.pool->QueueCapacity()));
        }
        break;
      }
      case 27:  // delayed and dependent tasks (SetDelay, SetAfter)
        ComposeStep(in, s);
        break;
      case 22:
        FuzzParallelFor(in, s);
        break;
      case 23:
        FuzzNullCallables(in, s);
        break;
      case 24:
        FuzzTrace(in);
        break;
      case 25:
        FuzzCoroutines(in, s);
        break;
      case 26:
        if (in.ConsumeBool()) {
          FuzzQueuedStop(in, s);
        } else {
          CloseSide(s);  // a fresh side pool next time
        }
        break;
      case 28:
        FuzzThen(in, s);
        break;
      case 29:
        FuzzWhenAll(in, s);
        break;
      case 30:
        FuzzWhenAny(in, s);
        break;
      case 31:
        FuzzEvery(in, s);
        break;
    }
  }
  CheckAndClose(s);
  return 0;
}
