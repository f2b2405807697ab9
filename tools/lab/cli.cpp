#include "cli.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace lab {
namespace {

using litepool::Dispatch;

constexpr Dispatch kAllPolicies[] = {Dispatch::kIdleFirstTwoChoices, Dispatch::kRoundRobin,
                                     Dispatch::kRandom, Dispatch::kLeastLoaded};
// Bounds that keep a run meaningful and the pool constructible.
constexpr std::size_t kMaxWorkers = 4096;  // the engine's limit
constexpr std::size_t kMaxTasks = 100'000'000;
constexpr std::size_t kMaxRepeat = 1000;

std::size_t ParseCount(const std::string& text, const std::string& flag, std::size_t max) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
    throw UsageError(flag + " wants a whole number, got \"" + text + "\"");
  }
  errno = 0;
  const unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
  if (errno == ERANGE || v == 0 || v > max) {
    throw UsageError(flag + " must be 1.." + std::to_string(max) + ", got " + text);
  }
  return static_cast<std::size_t>(v);
}

std::vector<Dispatch> ParsePolicies(const std::string& text) {
  if (text == "all") return {std::begin(kAllPolicies), std::end(kAllPolicies)};
  std::vector<Dispatch> out;
  std::size_t from = 0;
  while (from <= text.size()) {
    const std::size_t comma = std::min(text.find(',', from), text.size());
    const std::string name = text.substr(from, comma - from);
    bool found = false;
    for (Dispatch d : kAllPolicies) {
      if (name == PolicyName(d)) {
        out.push_back(d);
        found = true;
      }
    }
    if (!found) {
      throw UsageError("--dispatch: unknown policy \"" + name +
                       "\" (idle-first, round-robin, random, least-loaded or all)");
    }
    from = comma + 1;
  }
  return out;
}

}  // namespace

const char* PolicyName(Dispatch d) {
  switch (d) {
    case Dispatch::kIdleFirstTwoChoices:
      return "idle-first";
    case Dispatch::kRoundRobin:
      return "round-robin";
    case Dispatch::kRandom:
      return "random";
    case Dispatch::kLeastLoaded:
      return "least-loaded";
  }
  return "?";
}

std::chrono::nanoseconds ParseDuration(const std::string& text, const std::string& flag) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  const std::string suffix = end ? std::string(end) : std::string();
  double scale = 0;
  if (suffix == "ns") scale = 1;
  if (suffix == "us") scale = 1e3;
  if (suffix == "ms") scale = 1e6;
  if (suffix == "s") scale = 1e9;
  if (end == text.c_str() || errno == ERANGE || scale == 0 || !(v > 0) || !std::isfinite(v) ||
      v * scale > 3600e9) {
    throw UsageError(flag +
                     " wants a positive duration up to an hour with a unit (ns, us, "
                     "ms, s), e.g. 10us; got \"" +
                     text + "\"");
  }
  return std::chrono::nanoseconds(std::max<std::int64_t>(1, std::llround(v * scale)));
}

LabOptions ParseArgs(int argc, const char* const* argv) {
  LabOptions o;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    std::string value;
    bool has_value = false;
    if (const std::size_t eq = flag.find('=');
        flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);  // --flag=value
      flag.resize(eq);
      has_value = true;
    }
    if (flag == "--help" || flag == "-h") {
      o.help = true;
      continue;
    }
    auto next = [&]() -> std::string {
      if (has_value) return value;
      if (i + 1 >= argc) throw UsageError(flag + " needs a value (see --help)");
      return argv[++i];
    };
    if (flag == "--workers") {
      o.workers = ParseCount(next(), flag, kMaxWorkers);
    } else if (flag == "--queue") {
      o.queue = ParseCount(next(), flag, std::size_t{1} << 20);
    } else if (flag == "--tasks") {
      o.tasks = ParseCount(next(), flag, kMaxTasks);
    } else if (flag == "--dist") {
      o.dist = ParseDistribution(next());
    } else if (flag == "--unit") {
      o.unit = ParseDuration(next(), flag);
    } else if (flag == "--mode") {
      const std::string m = next();
      if (m == "sleep") {
        o.mode = Mode::kSleep;
      } else if (m == "spin") {
        o.mode = Mode::kSpin;
      } else if (m == "cpu") {
        o.mode = Mode::kCpu;
      } else {
        throw UsageError("--mode: \"" + m + "\" is not sleep, spin or cpu");
      }
    } else if (flag == "--dispatch") {
      o.policies = ParsePolicies(next());
    } else if (flag == "--repeat") {
      o.repeat = ParseCount(next(), flag, kMaxRepeat);
    } else if (flag == "--seed") {
      const std::string s = next();
      if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 19) {
        throw UsageError("--seed wants a whole number, got \"" + s + "\"");
      }
      o.seed = std::strtoull(s.c_str(), nullptr, 10);
    } else if (flag == "--svg") {
      o.svg = next();
    } else if (flag == "--json") {
      o.json = next();
    } else if (flag == "--trace") {
      o.trace = next();
    } else if (flag == "--html") {
      o.html = next();
    } else {
      throw UsageError("unknown flag \"" + std::string(argv[i]) + "\" (see --help)");
    }
  }
  if (o.policies.empty()) o.policies.assign(std::begin(kAllPolicies), std::end(kAllPolicies));
  return o;
}

std::string HelpText() {
  return R"(litepool-lab: a load-balance experiment on a litepool Pool.

Runs TASKS tasks of random sizes on a pool of WORKERS workers (queues of
QUEUE tasks each), once per dispatch policy and repeat, all policies on the
same task sizes, and prints one row per policy (medians over the repeats):

  makespan   first AddTask to the last task settled
  x ideal    makespan / ideal (the same ideal for every policy): nominal
             work / min(workers, cores), or the longest task if longer;
             sleeping tasks overlap beyond the cores, so below 1 is possible
  busy max/mean  the busiest worker's busy time over the mean (Pool::Stats;
             1.00 = perfectly even)
  wait p50/p99   queue wait, from AddTask's return to the task's start,
             measured by the lab (log-bucket histogram, within 6.25 %)
  steals     tasks a worker took from another worker's queue

Usage: litepool-lab [FLAG VALUE | FLAG=VALUE]...

  --workers N       worker threads (default 5)             --workers 8
  --queue N         queue capacity per worker (default 5)  --queue 64
  --tasks N         how many tasks (default 1000)          --tasks 20000
  --dist SPEC       task sizes in units (default seed003):
                      seed003            whole units 5..500, uniformly (the
                                         Go README's 1000 tasks of 5-500 ms)
                      uniform:A-B        uniformly A..B     --dist uniform:1-100
                      exponential:MEAN   exponential        --dist exponential:50
                      bimodal:S,L,P      L with probability P, else S
                                                            --dist bimodal:10,1000,0.05
  --unit DURATION   one unit (ns, us, ms, s; default 100us)  --unit 10us
  --mode MODE       how a task spends its time (default sleep):
                      sleep  sleeps (more workers than cores still overlap)
                      spin   busy-waits on the clock for its wall time
                      cpu    fixed arithmetic, calibrated to one unit on an
                             idle core (slower when threads share cores)
                                                            --mode spin
  --dispatch LIST   policies (PoolOptions::dispatch), comma-separated, or
                    all (default all):
                      idle-first    an idle worker, else the less loaded of
                                    two random ones (the pool's default)
                      round-robin   the workers in turn
                      random        a random worker
                      least-loaded  the fewest queued + running tasks
                                                            --dispatch round-robin,least-loaded
  --repeat N        runs per policy; the table shows medians (default 1)
                                                            --repeat 3
  --seed N          seed of the task sizes (default 3)     --seed 42
  --svg FILE        SVG timeline (one lane per worker) of the median run;
                    with several policies, FILE gets "-POLICY" before its
                    extension (timeline-round-robin.svg)   --svg timeline.svg
  --trace FILE      the same run as Chrome trace-event JSON (ui.perfetto.dev,
                    chrome://tracing); named like --svg    --trace trace.json
  --json FILE       the table and every run as JSON       --json lab.json
  --html FILE       one self-contained page to open in a browser: the
                    table, bar charts of x ideal and wait p99 per policy,
                    busy time per worker, and each policy's median-run
                    timeline (no network needed)          --html lab.html
  --help            this text

A progress line is drawn on stderr when it is a terminal. Lanes in the
timeline are threads in the order they first ran a task. Bad flags: a
message on stderr and exit status 2.

Example (4 policies x 3 runs of about 1.3-2.7 s each on 2 cores):
  litepool-lab --workers 5 --queue 5 --tasks 1000 --dist seed003 \
      --dispatch all --repeat 3 --mode spin --unit 10us --svg timeline.svg
)";
}

}  // namespace lab
