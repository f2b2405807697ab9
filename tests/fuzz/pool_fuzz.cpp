// libFuzzer target: the input is a program of pool / group / options
// operations (create a pool of any shape, add tasks of random outcomes and
// hooks, batches, cancels, Done/Add, moved-from and copied options, nested
// submits, Close in either mode, even bad sizes; the scheduling controls:
// Pause, Resume, Purge, WaitIdleFor, SetWorkers (1 to 8, and the refused 0
// and 4097), tasks with a priority or a queue timeout). On a second, side
// pool: ParallelFor over huge ranges with huge grains, null callables and
// bad Submit options, hand-built traces given to the writers, coroutines
// Spawned under Pause/Purge (and SyncWait on a worker), a stop on a queued
// Submit. After each input the pool
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

void CheckAndClose(State& s) {
  CloseSide(s);
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
    const int op = in.ConsumeIntegralInRange(0, 27);
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
    }
  }
  CheckAndClose(s);
  return 0;
}
