// stress_soak MINUTES [TASKS_PER_ROUND]: runs the stress mix (every ending in
// turn, fresh random pool shapes) until MINUTES have passed, printing each
// minute the tasks/s and the accounting invariant. Exits 1 at the first
// violation (after printing it), 0 otherwise. Driven by scripts/soak.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "stress_mix.hpp"

namespace {

using litepool::stress::MixTally;

struct Window {
  MixTally tally;
  int rounds = 0, balanced = 0, destroyed = 0;
  void Add(const litepool::stress::MixResult& r) {
    tally.Add(r.tally);
    ++rounds;
    if (!r.engine_checked) {
      ++destroyed;
    } else if (r.engine.Balanced()) {
      ++balanced;
    }
  }
};

void Print(const char* label, const Window& w, double seconds) {
  const double rate = seconds > 0 ? static_cast<double>(w.tally.accepted) / seconds : 0;
  const int engine_rounds = w.rounds - w.destroyed;
  std::printf(
      "%s: %llu tasks settled in %.1fs = %.0f tasks/s | %d rounds | invariant %s "
      "(accepted == settled in %d/%d closed pools; %d destroyed pools checked per "
      "task) | rejected %llu, retry runs %llu, hook throws %llu, group cancels "
      "%llu, nested submits %llu\n",
      label, static_cast<unsigned long long>(w.tally.accepted), seconds, rate, w.rounds,
      w.balanced == engine_rounds ? "OK" : "BROKEN", w.balanced, engine_rounds, w.destroyed,
      static_cast<unsigned long long>(w.tally.rejected),
      static_cast<unsigned long long>(w.tally.retry_runs),
      static_cast<unsigned long long>(w.tally.hook_throws),
      static_cast<unsigned long long>(w.tally.group_cancels),
      static_cast<unsigned long long>(w.tally.nested_submits));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  using Clock = std::chrono::steady_clock;
  const double minutes = argc > 1 ? std::atof(argv[1]) : 1.0;
  const int per_round = argc > 2 ? std::atoi(argv[2]) : 20000;
  if (!(minutes > 0) || per_round < 10) {
    std::fprintf(stderr, "usage: stress_soak MINUTES [TASKS_PER_ROUND>=10]\n");
    return 2;
  }
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(minutes * 60));
  auto window_start = start;
  Window window, all;
  int minute = 0;
  for (std::uint64_t round = 0; Clock::now() < end; ++round) {
    const auto ending = litepool::stress::kAllEndings[round % 5];
    const auto config = litepool::stress::RandomConfig(
        static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) ^
            round,
        ending, per_round);
    const auto r = litepool::stress::RunMix(config);
    window.Add(r);
    all.Add(r);
    if (!r.violations.empty() || (r.engine_checked && !r.engine.Balanced())) {
      std::printf("VIOLATION in round %llu (%s):\n", static_cast<unsigned long long>(round),
                  litepool::stress::Describe(config).c_str());
      for (const auto& v : r.violations) std::printf("  %s\n", v.c_str());
      Print("total", all, std::chrono::duration<double>(Clock::now() - start).count());
      return 1;
    }
    const auto now = Clock::now();
    if (now - window_start >= std::chrono::minutes(1)) {
      const std::string label = "minute " + std::to_string(++minute);
      Print(label.c_str(), window, std::chrono::duration<double>(now - window_start).count());
      window = Window();
      window_start = now;
    }
  }
  if (window.rounds > 0 && minute == 0) {
    Print("partial minute", window,
          std::chrono::duration<double>(Clock::now() - window_start).count());
  }
  Print("total", all, std::chrono::duration<double>(Clock::now() - start).count());
  return 0;
}
