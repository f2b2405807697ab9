// The stress mix: one "round" builds a small pool, lets several producer
// threads flood it with tasks of random outcomes and faults, ends it in one
// of several ways (a clean close, a close racing the producers, a close from
// inside a task, destruction while tasks run), then checks that no task was
// lost: per task (hooks ran once, in order, rejected tasks ran nothing), per
// group (Wait returned after every OnComplete, Errors() lists exactly the
// unhandled failures and hook throws) and per pool (the engine's accounting
// equals what the test observed, outcome by outcome).
//
// The scheduling controls ride along: a share of the tasks has
// a random priority or a queue timeout (some short enough to expire under
// load), and a controller thread pauses, resumes, purges, resizes the pool
// (SetWorkers, 1 to 8 workers) and waits for idle at random while the
// producers submit. Purged tasks (kCancelled) and expired ones (kExpired)
// are checked as any other settled task: once, hooks in order, counted
// outcome by outcome; Stats().total keeps what retired workers did, and
// after every resize no worker's row shows negative busy time.
//
// Composed work rides along on the same pool: producers submit a task with
// a continuation (Future::Then in outcome form) now and then, and start a
// few periodic tasks (Pool::Every, some with max_runs), cancelling some and
// leaving the others to the ending. Each continuation runs at most once and
// sees what its task did (or a stop when the task never ran), each result
// settles, each schedule ends with the pool, its Runs() exactly the runs
// that happened; the engine's accounting still adds up with their tasks in
// it: exactly for failures and exceptions, and as far as an outsider can
// see for the rest (a periodic run task that finds its schedule ended runs
// no user code, a continuation refused by a closed pool and one cancelled
// in it look alike).
//
// Beside the round, on a side pool of its own, an "edges" thread repeats the
// inputs that found the edge defects: coroutines under Pause/Purge (Purge
// counts only cancelled starts, never runs a body), SyncWait on a worker,
// ParallelFor over full 64-bit ranges with huge grains, null callables and
// hand-built traces.
//
// Used by tests/stress/mix_stress_test.cpp (suite `stress`) and by the soak
// driver tests/stress/soak_main.cpp (scripts/soak).
#ifndef LITEPOOL_TESTS_STRESS_STRESS_MIX_HPP_
#define LITEPOOL_TESTS_STRESS_STRESS_MIX_HPP_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.hpp"  // detail::Accounting

namespace litepool::stress {

// How a round ends.
enum class Ending {
  kWaitThenClose,  // producers finish and wait their groups, then Close()
  kDrainRace,      // another thread calls Close(kDrain) mid-submission
  kCancelRace,     // another thread calls Close(kCancelPending) mid-submission
  kCloseFromTask,  // a task calls Close() on its own pool mid-submission
  kDestroy,        // the pool is destroyed while its tasks still run
};
inline constexpr Ending kAllEndings[] = {Ending::kWaitThenClose, Ending::kDrainRace,
                                         Ending::kCancelRace, Ending::kCloseFromTask,
                                         Ending::kDestroy};
std::string_view ToString(Ending e);

struct MixConfig {
  std::uint64_t seed = 1;
  Ending ending = Ending::kWaitThenClose;
  int producers = 3;
  int tasks = 10000;  // top-level tasks; nested children come on top
  std::size_t workers = 2;
  std::size_t queue_capacity = 4;
  int max_group_size = 64;
  // Longest a round may take before the watchdog aborts the process.
  std::chrono::seconds watchdog{180};
};

// A random pool shape and producer count for `ending`, from `seed`.
MixConfig RandomConfig(std::uint64_t seed, Ending ending, int tasks);

// What the round injected and what happened (test-side counts).
struct MixTally {
  std::uint64_t submitted = 0;  // tasks handed to AddTask / AddTaskGroup
  std::uint64_t accepted = 0;
  std::uint64_t rejected = 0;
  std::uint64_t rejected_closed = 0, rejected_cancelled = 0, rejected_timeout = 0,
                rejected_invalid = 0;
  // Outcomes as the task's own hooks saw them (disjoint, sum = accepted).
  std::uint64_t succeeded = 0, failed = 0, cancelled = 0, exception = 0;
  std::uint64_t runs = 0;                // Exec calls
  std::uint64_t retry_runs = 0;          // Exec calls after the first
  std::uint64_t retry_requests = 0;      // ErrReload calls
  std::uint64_t planned_errors = 0;      // tasks planned to return errors
  std::uint64_t planned_exceptions = 0;  // tasks planned to throw
  std::uint64_t hook_throws = 0;         // OnSuccess/OnError/after/OnComplete throws
  std::uint64_t add_timeouts_set = 0;
  std::uint64_t group_cancels = 0;
  std::uint64_t nested_submits = 0;  // AddTask calls from inside tasks
  std::uint64_t batches = 0, oversize_batches = 0;
  std::uint64_t manual_done = 0;  // tasks credited by Done() in a hook
  std::uint64_t groups = 0;
  // Scheduling controls.
  std::uint64_t expired = 0;      // settled as kExpired (not in `failed`)
  std::uint64_t prioritised = 0;  // tasks given a priority other than the default
  std::uint64_t queue_timeouts_set = 0;
  std::uint64_t pauses = 0, purges = 0, idle_waits = 0, idle_hits = 0;
  std::uint64_t purged = 0;              // the sum of Purge()'s returns
  std::uint64_t grows = 0, shrinks = 0;  // SetWorkers calls that changed the size
  // Composed work: Submit + Then pairs, and periodic tasks (Every).
  std::uint64_t then_pairs = 0;         // continuations asked for
  std::uint64_t continuation_runs = 0;  // of them, the ones that ran
  std::uint64_t periodics = 0, periodic_runs = 0, periodic_cancels = 0;

  void Add(const MixTally& o);
};

struct MixResult {
  MixConfig config;
  MixTally tally;
  bool engine_checked = false;  // false for kDestroy (no pool left to ask)
  detail::Accounting engine;
  std::vector<std::string> violations;  // empty: nothing lost, all exact
  double seconds = 0;
};

MixResult RunMix(const MixConfig& config);

// "seed=.. ending=.. workers=.. capacity=.. producers=.. tasks=.."
std::string Describe(const MixConfig& c);

}  // namespace litepool::stress

#endif  // LITEPOOL_TESTS_STRESS_STRESS_MIX_HPP_
