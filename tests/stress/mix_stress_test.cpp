// Stress: the full mix (stress_mix.hpp) — several producers, random
// outcomes and faults, group cancels, nested submits on a full pool — once
// per way a pool can end, with random priorities and queue timeouts and a
// controller that pauses, resumes, purges, resizes the pool (SetWorkers, 1 to
// 8 workers) and waits for idle meanwhile, and composed work on the same pool
// (Submit + Then pairs, periodic tasks, some cancelled). Each test checks, for every task,
// that it settled exactly once with its hooks in order (or, if rejected, that
// nothing of it ran), and that the engine's accounting equals what the tasks
// observed.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "stress_mix.hpp"

#ifndef LITEPOOL_STRESS_SCALE
#define LITEPOOL_STRESS_SCALE 100
#endif

namespace litepool::stress {
namespace {

// 2.5M top-level tasks submitted in a normal build over the five endings
// (about 2M accepted: the racing closes reject the rest), plus nested
// children; sanitizer builds run LITEPOOL_STRESS_SCALE percent of that.
constexpr int kTasksPerEnding = 500000 * LITEPOOL_STRESS_SCALE / 100;
// At least four rounds (four random pool shapes) per ending, also when
// the sanitizer builds shrink the task count.
constexpr int kRoundsPerEnding =
    16 * LITEPOOL_STRESS_SCALE / 100 < 4 ? 4 : 16 * LITEPOOL_STRESS_SCALE / 100;

// LITEPOOL_STRESS_SEED=n replays other plans (thread timing still varies).
std::uint64_t BaseSeed() {
  const char* s = std::getenv("LITEPOOL_STRESS_SEED");
  return s != nullptr ? std::strtoull(s, nullptr, 10) : 20261123u;
}

// LITEPOOL_STRESS_WATCHDOG=seconds: how long one round may take.
std::chrono::seconds WatchdogLimit() {
  const char* s = std::getenv("LITEPOOL_STRESS_WATCHDOG");
  return std::chrono::seconds(s != nullptr ? std::atoi(s) : 180);
}

class MixStressTest : public ::testing::TestWithParam<Ending> {};

TEST_P(MixStressTest, EveryTaskSettlesOnceAndAccountingIsExact) {
  const Ending ending = GetParam();
  MixTally total;
  int engine_checked = 0;
  double seconds = 0;
  for (int round = 0; round < kRoundsPerEnding; ++round) {
    const std::uint64_t seed = BaseSeed() * 100 + static_cast<std::uint64_t>(ending) * 10 +
                               static_cast<std::uint64_t>(round);
    MixConfig config = RandomConfig(seed, ending, kTasksPerEnding / kRoundsPerEnding);
    config.watchdog = WatchdogLimit();
    const MixResult r = RunMix(config);
    for (const std::string& v : r.violations) ADD_FAILURE() << Describe(config) << ": " << v;
    if (!r.violations.empty()) return;
    if (r.engine_checked) {
      ++engine_checked;
      EXPECT_TRUE(r.engine.Balanced()) << Describe(config);
      EXPECT_EQ(r.engine.in_flight, 0u) << Describe(config);
    }
    total.Add(r.tally);
    seconds += r.seconds;
  }
  // The mix really injected what it claims (a plan bug would hide faults).
  EXPECT_GT(total.failed, 0u);
  EXPECT_GT(total.exception, 0u);
  EXPECT_GT(total.retry_runs, 0u);
  EXPECT_GT(total.hook_throws, 0u);
  EXPECT_GT(total.nested_submits + (ending == Ending::kDestroy ? 1u : 0u), 0u);
  EXPECT_GT(total.group_cancels, 0u);
  EXPECT_GT(total.batches, 0u);
  // The controls really acted: some tasks expired, some were purged.
  EXPECT_GT(total.prioritised, 0u);
  EXPECT_GT(total.queue_timeouts_set, 0u);
  EXPECT_GT(total.expired, 0u) << "no queue timeout ran out";
  EXPECT_GT(total.pauses, 0u);
  EXPECT_GT(total.purges, 0u);
  EXPECT_GT(total.purged, 0u) << "no Purge found a queued task";
  EXPECT_GT(total.idle_waits, 0u);
  EXPECT_GT(total.grows, 0u) << "SetWorkers never grew the pool";
  EXPECT_GT(total.shrinks, 0u) << "SetWorkers never shrank the pool";
  // The composed work really ran: continuations, periodic runs, cancels.
  EXPECT_GT(total.continuation_runs, 0u);
  EXPECT_GT(total.periodic_runs, 0u);
  EXPECT_GT(total.periodic_cancels, 0u);
  if (ending == Ending::kDrainRace || ending == Ending::kCancelRace) {
    EXPECT_GT(total.rejected_closed, 0u) << "the close never raced a producer";
  }
  if (ending == Ending::kCancelRace) {
    EXPECT_GT(total.cancelled, 0u);
  }
  std::printf(
      "[ mix %-13s] %d rounds %.1fs: submitted %llu accepted %llu rejected %llu "
      "(closed %llu cancelled %llu timeout %llu invalid %llu) | outcomes ok %llu "
      "failed %llu exception %llu cancelled %llu | runs %llu retry runs %llu "
      "retry requests %llu hook throws %llu group cancels %llu nested submits %llu "
      "batches %llu (oversize %llu) add-timeouts set %llu manual Done %llu | "
      "prioritised %llu queue timeouts %llu expired %llu pauses %llu purges %llu "
      "(purged %llu) idle waits %llu (idle %llu) grows %llu shrinks %llu | "
      "then pairs %llu (continuations run %llu) periodic tasks %llu (runs %llu, "
      "cancelled %llu) | engine-checked rounds %d\n",
      std::string(ToString(ending)).c_str(), kRoundsPerEnding, seconds,
      static_cast<unsigned long long>(total.submitted),
      static_cast<unsigned long long>(total.accepted),
      static_cast<unsigned long long>(total.rejected),
      static_cast<unsigned long long>(total.rejected_closed),
      static_cast<unsigned long long>(total.rejected_cancelled),
      static_cast<unsigned long long>(total.rejected_timeout),
      static_cast<unsigned long long>(total.rejected_invalid),
      static_cast<unsigned long long>(total.succeeded),
      static_cast<unsigned long long>(total.failed),
      static_cast<unsigned long long>(total.exception),
      static_cast<unsigned long long>(total.cancelled), static_cast<unsigned long long>(total.runs),
      static_cast<unsigned long long>(total.retry_runs),
      static_cast<unsigned long long>(total.retry_requests),
      static_cast<unsigned long long>(total.hook_throws),
      static_cast<unsigned long long>(total.group_cancels),
      static_cast<unsigned long long>(total.nested_submits),
      static_cast<unsigned long long>(total.batches),
      static_cast<unsigned long long>(total.oversize_batches),
      static_cast<unsigned long long>(total.add_timeouts_set),
      static_cast<unsigned long long>(total.manual_done),
      static_cast<unsigned long long>(total.prioritised),
      static_cast<unsigned long long>(total.queue_timeouts_set),
      static_cast<unsigned long long>(total.expired), static_cast<unsigned long long>(total.pauses),
      static_cast<unsigned long long>(total.purges), static_cast<unsigned long long>(total.purged),
      static_cast<unsigned long long>(total.idle_waits),
      static_cast<unsigned long long>(total.idle_hits),
      static_cast<unsigned long long>(total.grows), static_cast<unsigned long long>(total.shrinks),
      static_cast<unsigned long long>(total.then_pairs),
      static_cast<unsigned long long>(total.continuation_runs),
      static_cast<unsigned long long>(total.periodics),
      static_cast<unsigned long long>(total.periodic_runs),
      static_cast<unsigned long long>(total.periodic_cancels), engine_checked);
  std::fflush(stdout);
}

INSTANTIATE_TEST_SUITE_P(Endings, MixStressTest, ::testing::ValuesIn(kAllEndings),
                         [](const ::testing::TestParamInfo<Ending>& info) {
                           return std::string(ToString(info.param));
                         });

}  // namespace
}  // namespace litepool::stress
