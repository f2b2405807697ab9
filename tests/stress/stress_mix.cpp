// The stress mix (see stress_mix.hpp). Every task records, in its own Track,
// what happened to it: Exec runs, each hook call, the codes its hooks saw and
// any hook that ran out of order. After the round the tracks are checked one
// by one and summed, and the sums are compared with the engine's accounting.
#include "stress_mix.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "api/pool_access.hpp"
#include "litepool/coro.hpp"
#include "litepool/litepool.hpp"

namespace litepool::stress {
namespace {

using Clock = std::chrono::steady_clock;
using std::memory_order_relaxed;

// The controller resizes the pool to 1 .. this many workers (random
// SetWorkers between 1 and 8): up to four times the largest starting pool.
constexpr std::size_t kMaxMixWorkers = 8;

enum class Kind : std::uint8_t {
  kOk,
  kFail,          // returns an error (or throws: fail_by_throw)
  kThrow,         // throws
  kRetryThenOk,   // fails `fail_runs` times, then succeeds
  kRetryNeverOk,  // always fails
  kSpawn,         // submits children from inside Exec (nested submits)
};

enum class Credit : std::uint8_t {
  kAuto,         // SetAutoDone()
  kDone,         // no auto-done: Done() in OnComplete (the producer calls
                 // Done() itself when AddTask rejects the task)
  kAutoAndDone,  // SetAutoDone() and Done() in after and OnComplete: once
};

// What one task will do; written by its submitter before AddTask.
struct Plan {
  Kind kind = Kind::kOk;
  Credit credit = Credit::kAuto;
  bool on_success = false, on_error = false;
  bool throw_success = false, throw_error = false, throw_after = false, throw_complete = false;
  bool reload = false;  // OnError calls ErrReload(max_retries, after)
  int max_retries = 0;
  int fail_runs = 0;
  bool fail_by_throw = false;
  bool backoff = false;
  bool add_timeout = false, on_add_timeout = false;
  std::int64_t timeout_ns = 0;
  bool batch_timeout = false;  // a member of its batch has an add-timeout
  bool oversize = false;       // member of a batch larger than the pool
  bool cancel_group = false;   // Exec cancels its own group
  bool close_pool = false;     // Exec closes the pool
  bool set_priority = false;
  Priority priority = Priority::kNormal;
  // A queue timeout (SetQueueTimeout): such a task always has OnError, the
  // only hook that tells an expired task (kExpired) from a cancelled one.
  bool queue_timeout = false;
  std::int64_t queue_timeout_ns = 0;
  int children = 0;  // kSpawn
  bool wait_children = false;
  std::size_t child_base = 0;
};

constexpr int kNotSubmitted = -1;

struct Track {
  Plan plan;
  int add_result = kNotSubmitted;  // ErrorCode of AddTask, by the submitter
  std::atomic<std::uint32_t> runs{0};
  std::atomic<std::uint32_t> success{0}, error{0}, after{0}, complete{0}, add_timeout_hook{0},
      throws{0}, reloads{0}, order_faults{0};
  std::atomic<int> error_code{-1};  // what OnError saw
  std::atomic<int> after_code{-1};  // what after saw
  std::atomic<int> exec_code{-1};   // what the last Exec produced
  // OnError or `after` saw the kCancelled of Pool::Purge (told apart from a
  // group Cancel or a Close by its message).
  std::atomic<bool> purge_seen{false};
};

int Code(ErrorCode c) { return static_cast<int>(c); }
bool IsStop(int c) { return c == Code(ErrorCode::kCancelled) || c == Code(ErrorCode::kClosed); }
// The error Pool::Purge settles a task with (engine.cpp: "purged
// (Pool::Purge)"). Tasks without OnError find it in their group's Errors().
bool IsPurge(const Error& e) {
  return e.Code() == ErrorCode::kCancelled && e.Message().find("Pool::Purge") != std::string::npos;
}

struct GroupRec {
  TaskGroup group;
  std::size_t first = 0, count = 0;
};

// What a continuation saw of its task through the Future it was given.
enum class Saw : std::uint8_t { kNothing, kValue, kThrow, kStop, kOther };

// A Submit and its continuation (Future::Then, outcome form): what each did
// and what the continuation saw.
struct ThenPair {
  bool task_throws = false, continuation_throws = false;
  std::atomic<std::uint32_t> task_runs{0}, continuation_runs{0};
  Saw saw = Saw::kNothing;  // written by the continuation's run
  bool saw_purge = false;   // the task's stop was a Purge
  Future<int> result;
};

// One periodic task (Pool::Every) and what its runs did.
struct PeriodicRec {
  PeriodicHandle handle;
  std::uint64_t max_runs = 0;
  int kind = 0;  // 0: ok, 1: returns an Error, 2: throws
  std::atomic<std::uint64_t> calls{0}, failing{0};
  bool cancelled = false;  // by its producer
  std::uint64_t runs_at_cancel = 0;
  std::uint64_t runs_at_end = 0;  // once the pool closed
};

constexpr int kTaskValue = 7;
constexpr int kContinuationValue = 8;
// A producer starts a Then pair at a group's start with this chance
// (percent): a few hundred pairs per round beside ~30 000 tasks.
constexpr int kThenPercent = 20;
// Schedules per producer: enough that runs overlap the other work, few
// enough that their timer stays a small share of the round.
constexpr std::size_t kPeriodicsPerProducer = 2;
// Chance (percent) per group that a producer starts, or cancels, one.
constexpr int kPeriodicPercent = 2;
// Their periods (microseconds): short enough for hundreds of runs per
// ending, long enough that the pool's timer thread, waking for each, does
// not take a core from the round.
constexpr int kPeriodMinUs = 200;
constexpr int kPeriodMaxUs = 2000;

struct Round {
  MixConfig cfg;
  // Composed work, handed over by the producers when they end (guarded by
  // mu then). Declared before the pool: their records outlive its tasks.
  std::vector<std::unique_ptr<ThenPair>> then_pairs;
  std::vector<std::unique_ptr<PeriodicRec>> periodics;
  std::unique_ptr<Pool> owner;
  Pool* pool = nullptr;
  std::unique_ptr<Track[]> tasks;
  std::unique_ptr<Track[]> children;
  std::size_t child_capacity = 0;
  std::atomic<std::size_t> child_next{0};
  std::atomic<std::uint64_t> submitted{0};
  std::atomic<int> producers_done{0};
  std::atomic<std::uint64_t> nested_submits{0};
  CloseMode close_mode = CloseMode::kDrain;
  std::uint64_t close_at = 0;                // submissions before a racing close
  std::atomic<bool> group_cancelled{false};  // any group was cancelled

  std::mutex mu;
  std::vector<std::string> violations;   // guarded by mu
  std::vector<GroupRec> groups;          // guarded by mu
  std::vector<TaskGroup> child_groups;   // guarded by mu
  std::atomic<std::uint64_t> purged{0};  // Purge()'s returns, summed
  MixTally tally;                        // producers' plan counts, by mu

  void Violation(std::string what) {
    std::lock_guard lock(mu);
    if (violations.size() < 40) violations.push_back(std::move(what));
  }
};

void OrderFault(Track& t) { t.order_faults.fetch_add(1, memory_order_relaxed); }

[[noreturn]] void Throw(Track& t, const char* what) {
  t.throws.fetch_add(1, memory_order_relaxed);
  throw std::runtime_error(what);
}

Error Fail(Track& t, const char* what) {
  if (t.plan.fail_by_throw) {
    t.exec_code.store(Code(ErrorCode::kException), memory_order_relaxed);
    throw std::runtime_error(what);
  }
  t.exec_code.store(Code(ErrorCode::kFailed), memory_order_relaxed);
  return Error(what);
}

void AddHooks(TaskOptions& o, Track* t, const TaskGroup& tg) {
  const Plan& p = t->plan;
  if (p.on_success) {
    o.SetOnSuccess([t] {
      if (t->success.fetch_add(1, memory_order_relaxed) != 0 ||
          t->error.load(memory_order_relaxed) != 0 || t->complete.load(memory_order_relaxed) != 0 ||
          t->runs.load(memory_order_relaxed) != 1) {
        OrderFault(*t);
      }
      if (t->plan.throw_success) Throw(*t, "planned OnSuccess throw");
    });
  }
  if (p.on_error) {
    o.SetOnError([t](ErrHandle& h, TaskGroup& g, const Error& e) {
      if (t->error.fetch_add(1, memory_order_relaxed) != 0 ||
          t->success.load(memory_order_relaxed) != 0 ||
          t->complete.load(memory_order_relaxed) != 0 || !e) {
        OrderFault(*t);
      }
      t->error_code.store(Code(e.Code()), memory_order_relaxed);
      if (IsPurge(e)) t->purge_seen.store(true, memory_order_relaxed);
      if (t->plan.throw_error) Throw(*t, "planned OnError throw");
      if (!t->plan.reload) return;
      Backoff b;
      if (t->plan.backoff) {
        b.initial = std::chrono::microseconds(20);
        b.max = std::chrono::microseconds(200);
        b.jitter = 0.5;
      }
      t->reloads.fetch_add(1, memory_order_relaxed);
      // `g` by reference: the engine keeps the group until the task settles.
      h.ErrReload(
          t->plan.max_retries,
          [t, &g](const Error& r) {
            if (t->after.fetch_add(1, memory_order_relaxed) != 0 ||
                t->error.load(memory_order_relaxed) != 1 ||
                t->complete.load(memory_order_relaxed) != 0) {
              OrderFault(*t);
            }
            t->after_code.store(Code(r.Code()), memory_order_relaxed);
            if (IsPurge(r)) t->purge_seen.store(true, memory_order_relaxed);
            if (t->plan.credit == Credit::kAutoAndDone) g.Done();
            if (t->plan.throw_after) Throw(*t, "planned after throw");
          },
          b);
    });
  }
  o.SetOnComplete([t, tg] {
    if (t->complete.fetch_add(1, memory_order_relaxed) != 0) OrderFault(*t);
    const std::uint32_t s = t->success.load(memory_order_relaxed);
    const std::uint32_t e = t->error.load(memory_order_relaxed);
    if (t->plan.on_success && t->plan.on_error && s + e != 1) OrderFault(*t);
    if (t->reloads.load(memory_order_relaxed) != 0 && t->after.load(memory_order_relaxed) != 1) {
      OrderFault(*t);
    }
    if (t->plan.credit != Credit::kAuto) tg.Done();
    if (t->plan.throw_complete) Throw(*t, "planned OnComplete throw");
  });
  if (p.credit != Credit::kDone) o.SetAutoDone();
  if (p.set_priority) o.SetPriority(p.priority);
  if (p.queue_timeout) o.SetQueueTimeout(std::chrono::nanoseconds(p.queue_timeout_ns));
  if (p.add_timeout) {
    o.SetAddTimeout(std::chrono::nanoseconds(p.timeout_ns));
    if (p.on_add_timeout) {
      o.SetOnAddTimeout([t] { t->add_timeout_hook.fetch_add(1, memory_order_relaxed); });
    }
  }
}

Error Exec(Round& r, Track& t, const TaskGroup& tg);

TaskOptions Build(Round& r, Track* t, const TaskGroup& tg) {
  TaskOptions o = tg.NewTaskOptions();
  o.SetTask([&r, t, tg]() -> Error { return Exec(r, *t, tg); });
  AddHooks(o, t, tg);
  return o;
}

void Spawn(Round& r, Track& parent) {
  const Plan& p = parent.plan;
  TaskGroup cg(p.children);
  {
    std::lock_guard lock(r.mu);  // its Errors() hold its purged tasks
    r.child_groups.push_back(cg);
  }
  for (int k = 0; k < p.children; ++k) {
    Track* c = &r.children[p.child_base + static_cast<std::size_t>(k)];
    // On a worker of a full pool, without add-timeout: the overflow path,
    // never a wait (a wait here could deadlock a small pool).
    Error e = r.pool->AddTask(Build(r, c, cg));
    c->add_result = Code(e.Code());
    r.nested_submits.fetch_add(1, memory_order_relaxed);
  }
  if (p.wait_children && !cg.WaitFor(r.cfg.watchdog)) {
    r.Violation("a helping Wait on nested children did not return");
  }
}

Error Exec(Round& r, Track& t, const TaskGroup& tg) {
  const Plan& p = t.plan;
  const std::uint32_t run = t.runs.fetch_add(1, memory_order_relaxed) + 1;
  if (t.complete.load(memory_order_relaxed) != 0) OrderFault(t);
  if (run == 1) {
    if (p.cancel_group) {
      r.group_cancelled.store(true, memory_order_relaxed);
      tg.Cancel();
    }
    if (p.close_pool) r.pool->Close(r.close_mode);  // only starts the close
  }
  switch (p.kind) {
    case Kind::kFail:
    case Kind::kRetryNeverOk:
      return Fail(t, "planned failure");
    case Kind::kThrow:
      t.exec_code.store(Code(ErrorCode::kException), memory_order_relaxed);
      throw std::runtime_error("planned throw");
    case Kind::kRetryThenOk:
      if (static_cast<int>(run) <= p.fail_runs) return Fail(t, "planned transient failure");
      break;
    case Kind::kSpawn:
      Spawn(r, t);
      break;
    case Kind::kOk:
      break;
  }
  t.exec_code.store(Code(ErrorCode::kOk), memory_order_relaxed);
  return Error();
}

bool Chance(std::mt19937_64& rng, int percent) { return static_cast<int>(rng() % 100) < percent; }
int Between(std::mt19937_64& rng, int lo, int hi) {  // inclusive
  return lo + static_cast<int>(rng() % static_cast<std::uint64_t>(hi - lo + 1));
}

// Priorities and queue timeouts on a share of the tasks. Short timeouts
// (0 to 50 us) expire under load and whenever the controller pauses the
// pool; long ones (1 to 20 ms) rarely do.
void ControlPlan(std::mt19937_64& rng, Plan& p) {
  if (Chance(rng, 30)) {
    p.set_priority = true;
    static constexpr Priority kLevels[] = {Priority::kLow, Priority::kNormal, Priority::kHigh};
    p.priority = kLevels[rng() % 3];
  }
  if (Chance(rng, 6)) {  // each timed task costs the expiry timer a wake-up
    p.queue_timeout = true;
    p.on_error = true;
    p.queue_timeout_ns =
        Chance(rng, 60) ? Between(rng, 0, 50) * 1000 : Between(rng, 1, 20) * 1000000;
  }
}

Plan ChildPlan(std::mt19937_64& rng) {
  Plan p;
  const int k = Between(rng, 0, 9);
  p.kind = k < 6 ? Kind::kOk : k < 8 ? Kind::kFail : Kind::kThrow;
  p.on_success = Chance(rng, 50);
  p.on_error = Chance(rng, 50);
  p.throw_complete = Chance(rng, 3);
  ControlPlan(rng, p);
  return p;
}

Plan TopPlan(std::mt19937_64& rng, Round& r) {
  Plan p;
  const int k = Between(rng, 0, 99);
  p.kind = k < 35   ? Kind::kOk
           : k < 50 ? Kind::kFail
           : k < 58 ? Kind::kThrow
           : k < 75 ? Kind::kRetryThenOk
           : k < 83 ? Kind::kRetryNeverOk
           : k < 88 ? Kind::kSpawn
                    : Kind::kOk;
  p.fail_by_throw = Chance(rng, 25);
  p.on_success = Chance(rng, 80);
  const bool retry_kind = p.kind == Kind::kRetryThenOk || p.kind == Kind::kRetryNeverOk;
  p.on_error = retry_kind || Chance(rng, 80);
  if (p.on_error) p.reload = retry_kind ? Chance(rng, 90) : Chance(rng, 30);
  if (p.kind == Kind::kRetryThenOk) {
    p.fail_runs = Between(rng, 1, 3);
    p.max_retries = Between(rng, -1, 4);  // -1: until it succeeds
  } else {
    p.max_retries = Between(rng, 0, 3);  // never -1: it would never end
  }
  p.backoff = p.reload && Chance(rng, 5);
  ControlPlan(rng, p);
  p.throw_success = Chance(rng, 3);
  p.throw_error = Chance(rng, 3);
  p.throw_after = Chance(rng, 3);
  p.throw_complete = Chance(rng, 3);
  const int c = Between(rng, 0, 9);
  p.credit = c < 8 ? Credit::kAuto : c < 9 ? Credit::kDone : Credit::kAutoAndDone;
  if (Chance(rng, 10)) {
    p.add_timeout = true;
    p.timeout_ns = Chance(rng, 50) ? 0 : Between(rng, 1, 100) * 1000;
    p.on_add_timeout = Chance(rng, 70);
  }
  if (p.kind == Kind::kSpawn) {
    p.children = Between(rng, 1, 4);
    const std::size_t base =
        r.child_next.fetch_add(static_cast<std::size_t>(p.children), memory_order_relaxed);
    if (r.cfg.ending == Ending::kDestroy ||
        base + static_cast<std::size_t>(p.children) > r.child_capacity) {
      p.kind = Kind::kOk;  // no room left (or no pool to submit to): plain
      p.children = 0;
    } else {
      p.child_base = base;
      p.wait_children = Chance(rng, 50);
      for (int i = 0; i < p.children; ++i) {
        r.children[base + static_cast<std::size_t>(i)].plan = ChildPlan(rng);
      }
    }
  }
  return p;
}

void Record(Round& r, Track& t, const Error& e, const TaskGroup& tg) {
  t.add_result = Code(e.Code());
  // A rejected task without auto-done: the submitter credits it.
  if (e && t.plan.credit == Credit::kDone) {
    try {
      tg.Done();
    } catch (const std::logic_error& ex) {  // the engine credited it already
      r.Violation(std::string("Done() for a rejected task: ") + ex.what());
    }
  }
  r.submitted.fetch_add(1, memory_order_relaxed);
}

// A task (throws at times) and a continuation of it in outcome form (sees
// the task's value, throw or stop; throws at times), on the round's pool.
std::unique_ptr<ThenPair> SubmitThenPair(Round& r, std::mt19937_64& rng) {
  auto p = std::make_unique<ThenPair>();
  p->task_throws = Chance(rng, 20);
  p->continuation_throws = Chance(rng, 20);
  ThenPair* tp = p.get();
  Future<int> task = r.pool->Submit([tp]() -> int {
    tp->task_runs.fetch_add(1, memory_order_relaxed);
    if (tp->task_throws) throw std::runtime_error("planned task throw");
    return kTaskValue;
  });
  p->result = std::move(task).Then([tp](Future<int> in) -> int {
    tp->continuation_runs.fetch_add(1, memory_order_relaxed);
    try {
      tp->saw = in.Get() == kTaskValue ? Saw::kValue : Saw::kOther;
    } catch (const TaskError& e) {
      tp->saw = IsStop(Code(e.Cause().Code())) ? Saw::kStop : Saw::kOther;
      tp->saw_purge = IsPurge(e.Cause());
    } catch (const std::runtime_error&) {
      tp->saw = Saw::kThrow;
    }
    if (tp->continuation_throws) throw std::runtime_error("planned continuation throw");
    return kContinuationValue;
  });
  return p;
}

// A periodic task every kPeriodMinUs-kPeriodMaxUs, fixed rate or delay,
// half of them with max_runs; its runs succeed, return an Error or throw.
std::unique_ptr<PeriodicRec> StartPeriodic(Round& r, std::mt19937_64& rng) {
  auto p = std::make_unique<PeriodicRec>();
  p->max_runs = Chance(rng, 50) ? 0 : static_cast<std::uint64_t>(Between(rng, 1, 20));
  p->kind = Between(rng, 0, 2);
  PeriodicRec* pr = p.get();
  const bool fixed_delay = Chance(rng, 50);
  p->handle = r.pool->Every(
      std::chrono::microseconds(Between(rng, kPeriodMinUs, kPeriodMaxUs)),
      [pr]() -> Error {
        pr->calls.fetch_add(1, memory_order_relaxed);
        if (pr->kind == 0) return Error();
        pr->failing.fetch_add(1, memory_order_relaxed);
        if (pr->kind == 1) return Error("planned periodic failure");
        throw std::runtime_error("planned periodic throw");
      },
      PeriodicOptions{.fixed_delay = fixed_delay, .max_runs = p->max_runs});
  return p;
}

// Cancel waits for a run in progress: once it returns, the schedule is not
// Active() and Runs() counts every run that happened.
void CancelPeriodic(Round& r, PeriodicRec& p) {
  p.handle.Cancel();
  const std::uint64_t runs = p.handle.Runs();
  if (p.handle.Active()) r.Violation("a periodic task is Active() after Cancel");
  if (runs != p.calls.load(memory_order_relaxed)) {
    r.Violation("Cancel returned with a periodic run in progress: Runs() " + std::to_string(runs) +
                ", runs that happened " + std::to_string(p.calls.load()));
  }
  if (!p.cancelled) {
    p.cancelled = true;
    p.runs_at_cancel = runs;
  }
}

void Produce(Round& r, int id, std::size_t first, std::size_t end) {
  std::mt19937_64 rng(r.cfg.seed * 1000003u + static_cast<std::uint64_t>(id));
  MixTally local;
  std::vector<GroupRec> mine;
  // The controller resizes the pool (1 to kMaxMixWorkers workers) at any
  // moment: a batch of at most one worker's queue always fits, one larger
  // than kMaxMixWorkers queues never does, whatever Capacity() is when
  // AddTaskGroup looks.
  const std::size_t fits = r.pool->QueueCapacity();
  const std::size_t never_fits = kMaxMixWorkers * fits;
  std::vector<std::unique_ptr<ThenPair>> pairs;
  std::vector<std::unique_ptr<PeriodicRec>> periodics;
  std::size_t i = first;
  while (i < end) {
    if (Chance(rng, kThenPercent)) pairs.push_back(SubmitThenPair(r, rng));
    if (Chance(rng, kPeriodicPercent)) {
      if (periodics.size() < kPeriodicsPerProducer) {
        periodics.push_back(StartPeriodic(r, rng));
      } else {
        CancelPeriodic(r, *periodics[rng() % periodics.size()]);
      }
    }
    const std::size_t n = std::min<std::size_t>(
        end - i, static_cast<std::size_t>(Between(rng, 1, r.cfg.max_group_size)));
    TaskGroup tg = r.pool->NewTaskGroup(static_cast<std::int64_t>(n));
    mine.push_back(GroupRec{tg, i, n});
    ++local.groups;
    const std::size_t cancel_at =
        Chance(rng, 8) ? static_cast<std::size_t>(Between(rng, 0, static_cast<int>(n) - 1)) : n;
    const std::size_t cancel_task =
        Chance(rng, 3) ? static_cast<std::size_t>(Between(rng, 0, static_cast<int>(n) - 1)) : n;
    std::size_t j = 0;
    while (j < n) {
      if (j >= cancel_at && !tg.Cancelled()) {
        r.group_cancelled.store(true, memory_order_relaxed);
        tg.Cancel();
        ++local.group_cancels;
      }
      const std::size_t left = n - j;
      std::size_t batch = 1;
      bool oversize = false;
      if (Chance(rng, 2)) {
        if (left > never_fits && Chance(rng, 20)) {
          batch = std::min(left, never_fits + 1 + static_cast<std::size_t>(Between(rng, 0, 2)));
          oversize = true;
        } else {
          batch = std::min({left, fits, static_cast<std::size_t>(Between(rng, 2, 16))});
        }
      }
      // Plans are complete before the first AddTask: workers read them.
      bool batch_timeout = false;
      for (std::size_t b = 0; b < batch; ++b) {
        Plan& p = r.tasks[i + j + b].plan;
        p = TopPlan(rng, r);
        p.oversize = oversize;
        p.cancel_group = (j + b == cancel_task);
        p.close_pool = r.cfg.ending == Ending::kCloseFromTask && i + j + b == r.close_at;
        if (p.close_pool) p.queue_timeout = false;  // the close must happen
        batch_timeout = batch_timeout || p.add_timeout;
      }
      std::vector<TaskOptions> options;
      for (std::size_t b = 0; b < batch; ++b) {
        r.tasks[i + j + b].plan.batch_timeout = batch > 1 && batch_timeout;
        options.push_back(Build(r, &r.tasks[i + j + b], tg));
      }
      if (batch == 1) {
        Record(r, r.tasks[i + j], r.pool->AddTask(std::move(options[0])), tg);
      } else {
        ++local.batches;
        if (oversize) ++local.oversize_batches;
        const Error e = r.pool->AddTaskGroup(std::move(options));
        for (std::size_t b = 0; b < batch; ++b) Record(r, r.tasks[i + j + b], e, tg);
      }
      j += batch;
    }
    i += n;
  }
  r.producers_done.fetch_add(1, memory_order_relaxed);
  if (r.cfg.ending != Ending::kDestroy) {
    // Wait returns only after every OnComplete of the group has returned.
    for (const GroupRec& g : mine) {
      if (!g.group.WaitFor(r.cfg.watchdog)) {
        r.Violation("TaskGroup::Wait did not return (pending " + std::to_string(g.group.Pending()) +
                    ")");
        continue;
      }
      for (std::size_t k = g.first; k < g.first + g.count; ++k) {
        const Track& t = r.tasks[k];
        if (t.add_result == Code(ErrorCode::kOk) && t.complete.load(memory_order_relaxed) != 1) {
          r.Violation("Wait returned before OnComplete of task " + std::to_string(k));
        }
      }
    }
  }
  std::lock_guard lock(r.mu);
  r.tally.Add(local);
  for (auto& g : mine) r.groups.push_back(std::move(g));
  for (auto& p : pairs) r.then_pairs.push_back(std::move(p));
  for (auto& p : periodics) r.periodics.push_back(std::move(p));
}

// Turns a hang into a failure: aborts the process (with a description of
// the round) if the round is not over within its limit.
class Watchdog {
 public:
  Watchdog(std::chrono::seconds limit, std::function<std::string()> describe)
      : thread_([this, limit, describe = std::move(describe)] {
          std::unique_lock lock(mu_);
          if (!cv_.wait_for(lock, limit, [this] { return done_; })) {
            std::fprintf(stderr, "WATCHDOG: stress round hung for %llds: %s\n",
                         static_cast<long long>(limit.count()), describe().c_str());
            std::fflush(stderr);
            std::abort();
          }
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

// Checks one task; adds it to the tally. Returns the errors its group's
// Errors() must hold for it (unhandled failures and hook throws).
// `purge_seen` counts the purged tasks whose OnError or `after` saw it;
// `purge_candidates` the settled tasks without OnError that never ran (a
// purge, a group Cancel or a Close: only their group's Errors() tell).
std::uint64_t Verify(Round& r, const Track& t, std::size_t index, bool child, MixTally& tally,
                     std::uint64_t& reload_cancelled, std::uint64_t& purge_seen,
                     std::uint64_t& purge_candidates) {
  const Plan& p = t.plan;
  const std::string who = (child ? "child " : "task ") + std::to_string(index);
  const std::uint32_t runs = t.runs.load(memory_order_relaxed);
  const std::uint32_t success = t.success.load(memory_order_relaxed);
  const std::uint32_t error = t.error.load(memory_order_relaxed);
  const std::uint32_t after = t.after.load(memory_order_relaxed);
  const std::uint32_t complete = t.complete.load(memory_order_relaxed);
  const std::uint32_t throws = t.throws.load(memory_order_relaxed);
  const std::uint32_t timeout_hook = t.add_timeout_hook.load(memory_order_relaxed);
  if (t.add_result == kNotSubmitted) {
    if (runs + success + error + after + complete != 0)
      r.Violation(who + " ran without being submitted");
    return 0;
  }
  ++tally.submitted;
  if (p.add_timeout) ++tally.add_timeouts_set;
  if (p.set_priority && p.priority != Priority::kNormal) ++tally.prioritised;
  if (p.queue_timeout) ++tally.queue_timeouts_set;
  if (p.kind == Kind::kFail || p.kind == Kind::kRetryNeverOk || p.kind == Kind::kRetryThenOk) {
    if (p.fail_by_throw)
      ++tally.planned_exceptions;
    else
      ++tally.planned_errors;
  }
  if (p.kind == Kind::kThrow) ++tally.planned_exceptions;
  if (p.credit != Credit::kAuto) ++tally.manual_done;
  if (p.oversize && t.add_result != Code(ErrorCode::kInvalidArgument)) {
    r.Violation(who + ": a batch larger than the pool was not rejected at once");
  }
  if (t.add_result != Code(ErrorCode::kOk)) {
    ++tally.rejected;
    const auto code = static_cast<ErrorCode>(t.add_result);
    bool expected = false;
    switch (code) {
      case ErrorCode::kClosed:
        ++tally.rejected_closed;
        expected = r.cfg.ending != Ending::kWaitThenClose;
        break;
      case ErrorCode::kCancelled:
        ++tally.rejected_cancelled;
        expected = !child;
        break;
      case ErrorCode::kTimeout:
        ++tally.rejected_timeout;
        expected = !child && (p.add_timeout || p.batch_timeout);
        break;
      case ErrorCode::kInvalidArgument:
        ++tally.rejected_invalid;
        expected = p.oversize;
        break;
      default:
        break;
    }
    if (!expected) r.Violation(who + " rejected unexpectedly: " + std::string(ToString(code)));
    if (runs + success + error + after + complete + throws != 0) {
      r.Violation(who + " was rejected but its hooks ran");
    }
    const bool hook_expected = code == ErrorCode::kTimeout && p.on_add_timeout;
    if (timeout_hook != (hook_expected ? 1u : 0u)) {
      r.Violation(who + ": OnAddTimeout ran " + std::to_string(timeout_hook) + " times");
    }
    return 1;  // the rejection itself is in its group's Errors()
  }
  ++tally.accepted;
  tally.runs += runs;
  tally.retry_runs += runs > 0 ? runs - 1 : 0;
  tally.retry_requests += t.reloads.load(memory_order_relaxed);
  tally.hook_throws += throws;
  if (complete != 1) r.Violation(who + ": OnComplete ran " + std::to_string(complete) + " times");
  if (t.order_faults.load(memory_order_relaxed) != 0)
    r.Violation(who + ": a hook ran out of order");
  if (timeout_hook != 0) r.Violation(who + " was accepted but OnAddTimeout ran");
  if (p.reload && p.max_retries >= 0 && runs > 1u + static_cast<std::uint32_t>(p.max_retries)) {
    r.Violation(who + ": ran " + std::to_string(runs) + " times, retries allowed " +
                std::to_string(p.max_retries));
  }
  if (!p.reload && runs > 1) r.Violation(who + ": ran again without ErrReload");
  // The final result, as the task's own hooks saw it.
  int final_code;
  bool handled = true;  // a failure the user saw in OnError
  if (after == 1) {
    final_code = t.after_code.load(memory_order_relaxed);
    handled = false;  // retries exhausted: also recorded in Errors()
  } else if (error == 1) {
    final_code = t.error_code.load(memory_order_relaxed);
    handled = !p.throw_error;
  } else if (runs == 0) {
    // Cancelled, no OnError to see it (a task with a queue timeout has one).
    final_code = Code(ErrorCode::kCancelled);
    ++purge_candidates;
  } else {
    final_code = t.exec_code.load(memory_order_relaxed);
    handled = false;
    if (p.on_error && final_code != Code(ErrorCode::kOk)) {
      r.Violation(who + " failed without calling OnError");
    }
  }
  if (t.purge_seen.load(memory_order_relaxed)) {
    ++purge_seen;
    if (!IsStop(final_code))
      r.Violation(who + ": purged, but its final code is " + std::to_string(final_code));
  }
  if (final_code == Code(ErrorCode::kExpired)) {
    ++tally.expired;
    if (!p.queue_timeout) r.Violation(who + " expired without a queue timeout");
    if (runs != 0) r.Violation(who + " expired after it ran");
  } else if (final_code == Code(ErrorCode::kOk)) {
    ++tally.succeeded;
  } else if (IsStop(final_code)) {
    ++tally.cancelled;
    if (t.reloads.load(memory_order_relaxed) != 0) ++reload_cancelled;
  } else if (final_code == Code(ErrorCode::kException)) {
    ++tally.exception;
  } else if (final_code == Code(ErrorCode::kFailed)) {
    ++tally.failed;
  } else {
    r.Violation(who + ": unexpected final code " + std::to_string(final_code));
  }
  const bool unhandled = !handled && final_code != Code(ErrorCode::kOk) && !IsStop(final_code);
  return throws + (unhandled ? 1u : 0u);
}

// What the composed work did, as the test saw it.
struct ComposedCounts {
  std::uint64_t ran = 0;  // Then pairs' task and continuation runs
  std::uint64_t ok = 0, thrown = 0;
  std::uint64_t purge_seen = 0;  // Purge()'s cancels a continuation or a result showed
  std::uint64_t periodic_calls = 0, schedules = 0;
};

// Checks the composed work once the pool is closed (or destroyed): each
// body ran at most once; each result settled; a result holds the
// continuation's value or throw if and only if it ran, else a stop; a
// continuation saw what its task did (a stop when it never ran); each
// schedule ended, its Runs() the runs that happened, Failures() the failed
// ones, at most max_runs, none after its Cancel.
ComposedCounts VerifyComposed(Round& r, MixTally& tally) {
  ComposedCounts c;
  for (const std::unique_ptr<ThenPair>& pp : r.then_pairs) {
    ThenPair& p = *pp;
    const std::uint32_t tr = p.task_runs.load(memory_order_relaxed);
    const std::uint32_t cr = p.continuation_runs.load(memory_order_relaxed);
    ++tally.then_pairs;
    tally.continuation_runs += cr;
    if (tr > 1 || cr > 1) {
      r.Violation("a Then pair ran twice: task " + std::to_string(tr) + ", continuation " +
                  std::to_string(cr));
    }
    c.ran += tr + cr;
    const bool task_ok = tr == 1 && !p.task_throws;
    const bool continuation_ok = cr == 1 && !p.continuation_throws;
    c.ok += (task_ok ? 1 : 0) + (continuation_ok ? 1 : 0);
    c.thrown += (tr == 1 && p.task_throws ? 1 : 0) + (cr == 1 && p.continuation_throws ? 1 : 0);
    if (!p.result.WaitFor(r.cfg.watchdog)) {
      r.Violation("a continuation's result never settled");
      continue;
    }
    try {
      const int v = p.result.Get();
      if (v != kContinuationValue || !continuation_ok)
        r.Violation("a continuation's result holds a value it did not return");
    } catch (const TaskError& e) {
      if (!IsStop(Code(e.Cause().Code())))
        r.Violation("a continuation's result: unexpected " + e.Cause().ToString());
      if (cr != 0) r.Violation("a continuation ran, yet its result is a stop");
      if (IsPurge(e.Cause())) ++c.purge_seen;
    } catch (const std::runtime_error&) {
      if (cr != 1 || !p.continuation_throws)
        r.Violation("a continuation's result holds a throw it did not make");
    }
    if (cr == 1) {
      const Saw want = tr == 0 ? Saw::kStop : p.task_throws ? Saw::kThrow : Saw::kValue;
      if (p.saw != want) r.Violation("a continuation saw what its task did not do");
      if (p.saw_purge) ++c.purge_seen;
    }
  }
  for (const std::unique_ptr<PeriodicRec>& pp : r.periodics) {
    PeriodicRec& p = *pp;
    const std::uint64_t runs = p.handle.Runs();
    const std::uint64_t calls = p.calls.load(memory_order_relaxed);
    ++tally.periodics;
    tally.periodic_runs += calls;
    tally.periodic_cancels += p.cancelled ? 1 : 0;
    c.periodic_calls += calls;
    ++c.schedules;
    if (p.handle.Active()) r.Violation("a periodic task is Active() after its pool closed");
    if (runs != calls) {
      r.Violation("a periodic task's Runs() " + std::to_string(runs) + " != runs that happened " +
                  std::to_string(calls));
    }
    if (p.handle.Failures() != p.failing.load(memory_order_relaxed))
      r.Violation("a periodic task's Failures() is not its failed runs");
    if (p.max_runs != 0 && runs > p.max_runs) {
      r.Violation("a periodic task ran " + std::to_string(runs) + " times, max_runs " +
                  std::to_string(p.max_runs));
    }
    if (p.cancelled && runs != p.runs_at_cancel) {
      r.Violation("a periodic task ran after Cancel returned (" + std::to_string(p.runs_at_cancel) +
                  " then, " + std::to_string(runs) + " now)");
    }
    p.runs_at_end = runs;
  }
  return c;
}

// Returns the composed tasks the engine cancelled unrun.
std::uint64_t CheckEngine(Round& r, const detail::Accounting& a, const MixTally& t,
                          std::uint64_t reload_cancelled, const ComposedCounts& c) {
  auto eq = [&](const char* what, std::uint64_t engine, std::uint64_t test) {
    if (engine != test) {
      r.Violation(std::string("accounting: engine ") + what + " " + std::to_string(engine) +
                  " != observed " + std::to_string(test));
    }
  };
  if (!a.Balanced()) {
    r.Violation("accounting: accepted " + std::to_string(a.accepted) + " != settled " +
                std::to_string(a.settled));
  }
  // Beside the tasks the producers added: the Then pairs' bodies that ran;
  // the periodic run tasks, each of which runs its schedule's function or
  // finds the schedule ended and runs nothing (at most once per schedule:
  // nothing reschedules it then), and always succeeds; and the composed
  // tasks cancelled unrun (a Purge, or a kCancelPending close), which an
  // outsider cannot tell from those a closed pool refused.
  if (a.executed < t.runs + c.ran || a.cancelled < t.cancelled) {
    r.Violation("accounting: engine executed " + std::to_string(a.executed) + ", cancelled " +
                std::to_string(a.cancelled) + " < observed " + std::to_string(t.runs + c.ran) +
                ", " + std::to_string(t.cancelled));
    return 0;
  }
  const std::uint64_t periodic_tasks = a.executed - t.runs - c.ran;
  const std::uint64_t composed_cancelled = a.cancelled - t.cancelled;
  if (periodic_tasks < c.periodic_calls || periodic_tasks > c.periodic_calls + c.schedules) {
    r.Violation("accounting: " + std::to_string(periodic_tasks) + " periodic run tasks for " +
                std::to_string(c.periodic_calls) + " runs of " + std::to_string(c.schedules) +
                " schedules");
  }
  const std::uint64_t composed = c.ran + periodic_tasks + composed_cancelled;
  eq("accepted", a.accepted, t.accepted + composed);
  eq("settled", a.settled, t.accepted + composed);
  eq("succeeded", a.succeeded, t.succeeded + c.ok + periodic_tasks);
  // The accounting counts expired tasks in `failed`.
  eq("failed", a.failed, t.failed + t.expired);
  eq("exception", a.exception, t.exception + c.thrown);
  eq("callback_errors", a.callback_errors, t.hook_throws);
  // A requeued retry that a cancel stops before it runs is counted by the
  // engine but never runs: exact unless something could cancel.
  const bool cancels =
      r.group_cancelled.load() || r.close_mode == CloseMode::kCancelPending || t.purged != 0;
  if (!cancels) {
    eq("retried", a.retried, t.retry_runs);
  } else if (a.retried < t.retry_runs || a.retried > t.retry_runs + reload_cancelled) {
    r.Violation("accounting: engine retried " + std::to_string(a.retried) + " outside [" +
                std::to_string(t.retry_runs) + ", " +
                std::to_string(t.retry_runs + reload_cancelled) + "]");
  }
  return composed_cancelled;
}

}  // namespace

std::string_view ToString(Ending e) {
  switch (e) {
    case Ending::kWaitThenClose:
      return "WaitThenClose";
    case Ending::kDrainRace:
      return "DrainRace";
    case Ending::kCancelRace:
      return "CancelRace";
    case Ending::kCloseFromTask:
      return "CloseFromTask";
    case Ending::kDestroy:
      return "Destroy";
  }
  return "?";
}

std::string Describe(const MixConfig& c) {
  std::ostringstream s;
  s << "seed=" << c.seed << " ending=" << ToString(c.ending) << " workers=" << c.workers
    << " capacity=" << c.queue_capacity << " producers=" << c.producers << " tasks=" << c.tasks
    << " max_group=" << c.max_group_size;
  return s.str();
}

void MixTally::Add(const MixTally& o) {
  submitted += o.submitted;
  accepted += o.accepted;
  rejected += o.rejected;
  rejected_closed += o.rejected_closed;
  rejected_cancelled += o.rejected_cancelled;
  rejected_timeout += o.rejected_timeout;
  rejected_invalid += o.rejected_invalid;
  succeeded += o.succeeded;
  failed += o.failed;
  cancelled += o.cancelled;
  exception += o.exception;
  runs += o.runs;
  retry_runs += o.retry_runs;
  retry_requests += o.retry_requests;
  planned_errors += o.planned_errors;
  planned_exceptions += o.planned_exceptions;
  hook_throws += o.hook_throws;
  add_timeouts_set += o.add_timeouts_set;
  group_cancels += o.group_cancels;
  nested_submits += o.nested_submits;
  batches += o.batches;
  oversize_batches += o.oversize_batches;
  manual_done += o.manual_done;
  groups += o.groups;
  expired += o.expired;
  prioritised += o.prioritised;
  queue_timeouts_set += o.queue_timeouts_set;
  pauses += o.pauses;
  purges += o.purges;
  idle_waits += o.idle_waits;
  idle_hits += o.idle_hits;
  purged += o.purged;
  grows += o.grows;
  shrinks += o.shrinks;
  then_pairs += o.then_pairs;
  continuation_runs += o.continuation_runs;
  periodics += o.periodics;
  periodic_runs += o.periodic_runs;
  periodic_cancels += o.periodic_cancels;
}

namespace {

CoTask<int> TwoHops(Pool& pool, std::atomic<int>& steps) {
  co_await pool.Schedule();
  steps.fetch_add(1, memory_order_relaxed);
  co_await pool.Schedule();
  steps.fetch_add(1, memory_order_relaxed);
  co_return 1;
}

// The inputs that found the edge defects, on a side pool of their own (the
// round's exact accounting covers the round's pool only): coroutines under
// Pause/Purge and SyncWait on a worker, ParallelFor over huge ranges with
// huge grains, null callables, hand-built traces. `violation` reports a
// broken contract. Returns once `done` is true (checked between steps).
void RunEdges(std::uint64_t seed, const std::atomic<bool>& done,
              const std::function<void(std::string)>& violation) {
  std::mt19937_64 rng(seed ^ 0xed9e5u);
  Pool side(PoolOptions{.workers = static_cast<std::size_t>(Between(rng, 1, 3)),
                        .queue_capacity = 8,
                        .name = "edges"});
  while (!done.load(memory_order_relaxed)) {
    switch (Between(rng, 0, 4)) {
      case 0: {           // coroutines, maybe paused and purged: Purge counts only starts
        side.WaitIdle();  // Spawn waits for a slot: start from an idle pool
        const std::size_t n = std::min<std::size_t>(side.Capacity(), Between(rng, 1, 6));
        const bool pause = Chance(rng, 50);
        if (pause) side.Pause();
        std::vector<std::unique_ptr<std::atomic<int>>> steps;
        std::vector<Future<int>> futures;
        for (std::size_t i = 0; i < n; ++i) {
          steps.push_back(std::make_unique<std::atomic<int>>(0));
          futures.push_back(side.Spawn(TwoHops(side, *steps.back())));
        }
        const std::size_t purged = Chance(rng, 60) ? side.Purge() : 0;
        if (pause) {
          for (auto& st : steps) {
            if (st->load() != 0)
              violation("edges: a coroutine body ran while paused (Purge's caller?)");
          }
        }
        side.Resume();
        std::size_t cancelled = 0;
        for (std::size_t i = 0; i < n; ++i) {
          try {
            if (futures[i].Get() != 1 || steps[i]->load() != 2)
              violation("edges: a coroutine was cut short");
          } catch (const TaskError& e) {
            if (e.Cause().Code() != ErrorCode::kCancelled || steps[i]->load() != 0) {
              violation("edges: a cancelled coroutine ran or failed otherwise: " +
                        e.Cause().ToString());
            }
            ++cancelled;
          }
        }
        if (cancelled != purged) {
          violation("edges: Purge returned " + std::to_string(purged) + ", " +
                    std::to_string(cancelled) + " coroutine starts cancelled");
        }
        break;
      }
      case 1: {  // SyncWait on a worker of the side pool
        std::atomic<int> steps{0};
        Future<int> f = side.Submit([&side, &steps] { return SyncWait(TwoHops(side, steps)); });
        if (f.Get() != 1 || steps.load() != 2) violation("edges: SyncWait on a worker");
        break;
      }
      case 2: {  // huge ranges and grains: the chunks cover the range exactly
        static constexpr std::size_t kGrains[] = {0, 1, 7, SIZE_MAX / 3, SIZE_MAX - 1, SIZE_MAX};
        const std::size_t grain = kGrains[rng() % std::size(kGrains)];
        const bool full = Chance(rng, 50);
        const std::uint64_t n =
            full ? UINT64_MAX : static_cast<std::uint64_t>(Between(rng, 0, 1000));
        struct Stop {};
        const bool throws = full && grain != 0 && grain < (std::size_t{1} << 40);
        std::atomic<std::uint64_t> covered{0};
        try {
          ParallelFor(
              std::uint64_t{0}, n,
              [&](std::uint64_t b, std::uint64_t e) {
                if (throws) throw Stop{};
                covered.fetch_add(e - b, memory_order_relaxed);
              },
              ForOptions{.pool = side, .grain = grain});
          if (throws) violation("edges: a throwing ParallelFor body did not stop the loop");
          if (covered.load() != n) violation("edges: ParallelFor chunks do not cover the range");
        } catch (const Stop&) {
        }
        break;
      }
      case 3: {  // null callables: refused, nothing runs
        Future<int> f = side.Submit(static_cast<int (*)()>(nullptr));
        try {
          (void)f.Get();
          violation("edges: Submit(null) ran");
        } catch (const TaskError& e) {
          if (e.Cause().Code() != ErrorCode::kInvalidArgument)
            violation("edges: Submit(null): " + e.Cause().ToString());
        }
        try {
          ParallelFor(0, 4, static_cast<void (*)(int)>(nullptr), ForOptions{.pool = side});
          violation("edges: ParallelFor(null) ran");
        } catch (const std::invalid_argument&) {
        }
        break;
      }
      default: {  // hand-built traces: out of bounds refused, else written
        TraceEvent e;
        e.worker = Chance(rng, 50) ? static_cast<std::size_t>(Between(rng, 0, 7)) : SIZE_MAX - 1;
        e.start = Chance(rng, 50) ? std::chrono::nanoseconds(Between(rng, 0, 1000))
                                  : std::chrono::nanoseconds::min();
        e.end = e.start + std::chrono::nanoseconds(10);
        const bool in_bounds = e.worker < 8 && e.start.count() >= 0;
        try {
          const Trace t({e});
          if (!in_bounds) violation("edges: a trace out of bounds was accepted");
          std::ostringstream out;
          t.WriteSvg(out);
          t.WriteChromeJson(out);
        } catch (const std::invalid_argument&) {
          if (in_bounds) violation("edges: a trace in bounds was refused");
        }
        break;
      }
    }
  }
  side.Close();
  const detail::Accounting a = detail::PoolAccess::Totals(side);
  if (!a.Balanced()) violation("edges: the side pool lost a task");
}

}  // namespace

MixConfig RandomConfig(std::uint64_t seed, Ending ending, int tasks) {
  std::mt19937_64 rng(seed);
  MixConfig c;
  c.seed = seed;
  c.ending = ending;
  c.tasks = tasks;
  c.workers = static_cast<std::size_t>(Between(rng, 1, 4));
  static constexpr std::size_t kCapacities[] = {1, 2, 4, 8, 16, 64};
  c.queue_capacity = kCapacities[rng() % std::size(kCapacities)];
  c.producers = Between(rng, 2, 4);
  c.max_group_size = Between(rng, 1, 200);
  return c;
}

MixResult RunMix(const MixConfig& config) {
  const auto start = Clock::now();
  Round r;
  r.cfg = config;
  const auto n = static_cast<std::size_t>(config.tasks);
  r.tasks = std::make_unique<Track[]>(n);
  r.child_capacity = n / 2 + 4;
  r.children = std::make_unique<Track[]>(r.child_capacity);
  r.owner = std::make_unique<Pool>(PoolOptions{
      .workers = config.workers, .queue_capacity = config.queue_capacity, .name = "stress"});
  r.pool = r.owner.get();
  std::mt19937_64 rng(config.seed ^ 0x5eedu);
  r.close_at = n / 2 + rng() % (n * 2 / 5 + 1);  // 50%..90% submitted
  if (config.ending == Ending::kCancelRace ||
      (config.ending == Ending::kCloseFromTask && Chance(rng, 50))) {
    r.close_mode = CloseMode::kCancelPending;
  }

  Watchdog watchdog(config.watchdog, [&r] {
    return Describe(r.cfg) + " submitted=" + std::to_string(r.submitted.load()) +
           " producers_done=" + std::to_string(r.producers_done.load());
  });

  std::thread closer;
  if (config.ending == Ending::kDrainRace || config.ending == Ending::kCancelRace) {
    closer = std::thread([&r] {
      while (r.submitted.load(memory_order_relaxed) < r.close_at &&
             r.producers_done.load(memory_order_relaxed) < r.cfg.producers) {
        std::this_thread::yield();
      }
      r.pool->Close(r.close_mode);  // producers are still submitting
    });
  }
  // The controller: pauses (for a short window), purges, resizes the pool
  // (SetWorkers, 1 to kMaxMixWorkers), waits for idle, at random, while the
  // producers submit; it ends with the pool resumed.
  // Each step lingers: WaitIdleFor(d), and when the pool was idle early, a
  // sleep for d (pacing only, it synchronises nothing), so that the pause
  // windows last and the controller does not take a core from the round.
  MixTally controls;
  std::thread controller([&r, &controls] {
    std::mt19937_64 crng(r.cfg.seed ^ 0xc0417011u);
    auto micros = [&crng](int lo, int hi) {
      return std::chrono::microseconds(Between(crng, lo, hi));
    };
    auto linger = [&](std::chrono::microseconds d) {
      ++controls.idle_waits;
      if (r.pool->WaitIdleFor(d)) {
        ++controls.idle_hits;
        std::this_thread::sleep_for(d);
      }
    };
    auto purge = [&] {
      ++controls.purges;
      r.purged.fetch_add(r.pool->Purge(), memory_order_relaxed);
    };
    // SetWorkers runs here, on a plain thread (on a worker it throws
    // std::logic_error). `lo` bounds the new size from below: while paused
    // the pool only grows, since a shrink waits for the retiring workers'
    // running tasks, and a task waiting for its children would wait for
    // the Resume that comes after the shrink.
    auto resize = [&](std::size_t lo) {
      const std::size_t before = r.pool->Workers();
      const auto n = static_cast<std::size_t>(
          Between(crng, static_cast<int>(lo), static_cast<int>(kMaxMixWorkers)));
      r.pool->SetWorkers(n);
      // Closed() is checked after the call: SetWorkers does nothing only
      // once a Close has started (a racing closer, or a task's Close).
      if (r.pool->Closed()) return;
      if (r.pool->Workers() != n || r.pool->Capacity() != n * r.pool->QueueCapacity()) {
        r.Violation("SetWorkers(" + std::to_string(n) + ") from " + std::to_string(before) +
                    ": Workers() " + std::to_string(r.pool->Workers()) + ", Capacity() " +
                    std::to_string(r.pool->Capacity()));
      }
      if (n > before) ++controls.grows;
      if (n < before) ++controls.shrinks;
      // A re-seated worker's row starts from zero, never below.
      for (const WorkerUsage& w : r.pool->Stats().workers) {
        if (w.busy.count() < 0) {
          r.Violation("worker " + std::to_string(w.id) +
                      "'s row shows negative busy time after SetWorkers");
        }
      }
    };
    while (r.producers_done.load(memory_order_relaxed) < r.cfg.producers) {
      const int op = Between(crng, 0, 99);
      if (op < 35) {
        r.pool->Pause();
        ++controls.pauses;
        if (Chance(crng, 30)) purge();                    // paused: purges what waits
        if (Chance(crng, 20)) resize(r.pool->Workers());  // new workers find nothing to start
        linger(micros(20, 300));                          // not idle while paused with work
        r.pool->Resume();
      } else if (op < 50) {
        purge();
      } else if (op < 60) {
        r.pool->Resume();  // a Resume of a running pool does nothing
      } else if (op < 80) {
        resize(1);  // under load: queued tasks move to the remaining workers
      }
      linger(micros(200, 2000));
    }
    r.pool->Resume();
  });
  std::atomic<bool> edges_done{false};
  std::thread edges([&r, &edges_done] {
    RunEdges(r.cfg.seed, edges_done, [&r](std::string what) { r.Violation(std::move(what)); });
  });
  std::vector<std::thread> producers;
  const std::size_t per = n / static_cast<std::size_t>(config.producers);
  for (int p = 0; p < config.producers; ++p) {
    const std::size_t first = per * static_cast<std::size_t>(p);
    const std::size_t end = p + 1 == config.producers ? n : first + per;
    producers.emplace_back([&r, p, first, end] { Produce(r, p, first, end); });
  }
  for (auto& t : producers) t.join();
  if (closer.joinable()) closer.join();
  controller.join();  // it resumed the pool before it returned
  edges_done.store(true, memory_order_relaxed);
  edges.join();
  r.tally.Add(controls);

  MixResult result;
  result.config = config;
  std::uint64_t engine_expired = 0;
  UsageReport stats;  // after the Close: nothing runs any more
  if (config.ending == Ending::kDestroy) {
    r.owner.reset();  // tasks may still be queued and running: it drains
    r.pool = nullptr;
    for (const GroupRec& g : r.groups) {
      if (g.group.Pending() != 0) r.Violation("a group is still pending after ~Pool");
    }
  } else {
    if (r.pool->Paused()) r.Violation("the pool is still paused after the controller ended");
    r.pool->Close();  // joins the workers (also after a close from a task)
    result.engine = detail::PoolAccess::Totals(*r.pool);
    stats = r.pool->Stats();
    engine_expired = stats.total.expired;
    result.engine_checked = true;
  }

  MixTally tally = r.tally;  // plan counts from the producers
  std::uint64_t reload_cancelled = 0;
  std::uint64_t purge_seen = 0, purge_in_errors = 0;
  // A purged task without OnError puts its kCancelled in its group's
  // Errors() (a group Cancel or a Close does not): at most one per task
  // that never ran and had no OnError.
  auto purges_in = [&r, &purge_in_errors](const std::vector<Error>& errors,
                                          std::uint64_t candidates, const std::string& who) {
    std::uint64_t n = 0;
    for (const Error& e : errors) n += IsPurge(e) ? 1 : 0;
    if (n > candidates) {
      r.Violation(who + ": " + std::to_string(n) + " purge errors, but only " +
                  std::to_string(candidates) + " tasks without OnError were cancelled");
    }
    purge_in_errors += n;
    return n;
  };
  for (const GroupRec& g : r.groups) {
    std::uint64_t expected_errors = 0, candidates = 0;
    for (std::size_t k = g.first; k < g.first + g.count; ++k) {
      expected_errors +=
          Verify(r, r.tasks[k], k, false, tally, reload_cancelled, purge_seen, candidates);
    }
    const std::vector<Error> errors = g.group.Errors();
    expected_errors += purges_in(errors, candidates, "group of tasks " + std::to_string(g.first));
    if (errors.size() != expected_errors) {
      std::string first = errors.empty() ? "" : " (first: " + errors.front().ToString() + ")";
      r.Violation("group of tasks " + std::to_string(g.first) + ".." +
                  std::to_string(g.first + g.count - 1) + ": Errors() holds " +
                  std::to_string(errors.size()) + ", expected " + std::to_string(expected_errors) +
                  first);
    }
    for (const Error& e : errors) {
      if (e.Message().find("below zero") != std::string::npos) {
        r.Violation("group credited more often than it has tasks: " + e.ToString());
      }
    }
  }
  const std::size_t children_used = std::min(r.child_next.load(), r.child_capacity);
  std::uint64_t child_candidates = 0;
  for (std::size_t k = 0; k < children_used; ++k) {
    Verify(r, r.children[k], k, true, tally, reload_cancelled, purge_seen, child_candidates);
  }
  {
    std::vector<Error> child_errors;
    for (const TaskGroup& g : r.child_groups) {
      for (Error& e : g.Errors()) child_errors.push_back(std::move(e));
    }
    purges_in(child_errors, child_candidates, "nested children");
  }
  tally.nested_submits = r.nested_submits.load();
  tally.purged = r.purged.load();
  const ComposedCounts composed = VerifyComposed(r, tally);
  // Every task Purge() counted settled once as purged, and no other did:
  // the producers' tasks all show it; the rest were composed tasks, of which
  // only some show it (a periodic run task shows nothing).
  if (purge_seen + purge_in_errors + composed.purge_seen > tally.purged) {
    r.Violation("Purge() returned " + std::to_string(tally.purged) + " in all, tasks saw " +
                std::to_string(purge_seen) + " purges in their hooks, " +
                std::to_string(purge_in_errors) + " in their groups' Errors() and " +
                std::to_string(composed.purge_seen) + " in composed results");
  }
  if (result.engine_checked) {
    const std::uint64_t composed_cancelled =
        CheckEngine(r, result.engine, tally, reload_cancelled, composed);
    // Only a Purge or a kCancelPending close cancels a composed task unrun.
    const std::uint64_t composed_purged = tally.purged - purge_seen - purge_in_errors;
    if (composed_purged > composed_cancelled ||
        (r.close_mode == CloseMode::kDrain && composed_purged != composed_cancelled)) {
      r.Violation("Purge() cancelled " + std::to_string(composed_purged) +
                  " composed tasks, the engine cancelled " + std::to_string(composed_cancelled) +
                  " unrun (close mode " +
                  (r.close_mode == CloseMode::kDrain ? "kDrain" : "kCancelPending") + ")");
    }
    if (engine_expired != tally.expired) {
      r.Violation("Stats().total.expired " + std::to_string(engine_expired) + " != observed " +
                  std::to_string(tally.expired));
    }
    // The controller resized the pool: the rows are the current workers,
    // and the total keeps what the retired ones ran (pool.hpp, SetWorkers).
    std::uint64_t row_runs = 0;
    for (const WorkerUsage& w : stats.workers) row_runs += w.executed;
    if (stats.workers.size() != r.pool->Workers()) {
      r.Violation("Stats() has " + std::to_string(stats.workers.size()) + " rows for " +
                  std::to_string(r.pool->Workers()) + " workers");
    }
    // The engine's accounting was checked against the observed runs and
    // outcomes (composed work included) above.
    if (stats.total.executed != result.engine.executed || row_runs > stats.total.executed) {
      r.Violation("Stats().total.executed " + std::to_string(stats.total.executed) +
                  " (rows: " + std::to_string(row_runs) + ") != accounting's " +
                  std::to_string(result.engine.executed));
    }
    if (stats.total.succeeded != result.engine.succeeded) {
      r.Violation("Stats().total.succeeded " + std::to_string(stats.total.succeeded) +
                  " != accounting's " + std::to_string(result.engine.succeeded));
    }
  }
  // Nothing ran after the pool closed: no schedule ran again meanwhile.
  for (const std::unique_ptr<PeriodicRec>& p : r.periodics) {
    if (p->handle.Runs() != p->runs_at_end || p->handle.Active())
      r.Violation("a periodic task ran after its pool closed");
  }
  if (tally.submitted != tally.accepted + tally.rejected)
    r.Violation("submitted != accepted + rejected");

  result.tally = tally;
  result.violations = std::move(r.violations);
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

}  // namespace litepool::stress
