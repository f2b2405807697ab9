// The command line of litepool-lab: flags, their defaults, and --help.
#ifndef LITEPOOL_TOOLS_LAB_CLI_HPP_
#define LITEPOOL_TOOLS_LAB_CLI_HPP_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "litepool/pool.hpp"
#include "workload.hpp"

namespace lab {

// A bad command line: the message says what and how to fix it (exit 2).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct LabOptions {
  std::size_t workers = 5;  // the seed-003 example's pool: 5 x 5
  std::size_t queue = 5;
  std::size_t tasks = 1000;
  Distribution dist{};  // default: seed003
  std::chrono::nanoseconds unit = std::chrono::microseconds(100);
  Mode mode = Mode::kSleep;
  std::vector<litepool::Dispatch> policies;  // default: all four
  std::size_t repeat = 1;
  std::uint64_t seed = 3;
  std::string svg, json, trace, html;  // empty: not written
  bool help = false;
};

// Parses argv; throws UsageError on a bad flag or value.
LabOptions ParseArgs(int argc, const char* const* argv);

// The --help text: every flag, its default and an example.
std::string HelpText();

// "idle-first", "round-robin", "random", "least-loaded".
const char* PolicyName(litepool::Dispatch d);

// "10us", "1.5ms", "2s": a duration with its unit; throws UsageError.
std::chrono::nanoseconds ParseDuration(const std::string& text, const std::string& flag);

}  // namespace lab

#endif  // LITEPOOL_TOOLS_LAB_CLI_HPP_
