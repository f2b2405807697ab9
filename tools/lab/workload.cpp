#include "workload.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <random>
#include <sstream>
#include <thread>

#include "cli.hpp"

namespace lab {
namespace {

using Clock = std::chrono::steady_clock;

// Task sizes beyond this many units are refused: a typo, not a workload.
constexpr double kMaxUnits = 1e9;

double ParseNumber(const std::string& text, const std::string& what) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(v) ||
      v < 0 || v > kMaxUnits) {
    throw UsageError("--dist: " + what + " must be a number 0.." + std::to_string(int(kMaxUnits)) +
                     ", got \"" + text + "\"");
  }
  return v;
}

// One step of the arithmetic the cpu mode runs: a 64-bit LCG the compiler
// cannot fold away (its result is kept in a volatile sink).
inline std::uint64_t Step(std::uint64_t x) {
  return x * 6364136223846793005ull + 1442695040888963407ull;
}
volatile std::uint64_t sink = 0;

}  // namespace

Distribution ParseDistribution(const std::string& text) {
  Distribution d;
  d.spec = text;
  const std::size_t colon = text.find(':');
  const std::string kind = text.substr(0, colon);
  const std::string args = colon == std::string::npos ? "" : text.substr(colon + 1);
  if (text == "seed003") return d;
  if (kind == "uniform" && colon != std::string::npos) {
    const std::size_t dash = args.find('-');
    if (dash == std::string::npos) throw UsageError("--dist uniform:A-B, e.g. uniform:1-100");
    d.kind = Distribution::Kind::kUniform;
    d.a = ParseNumber(args.substr(0, dash), "A");
    d.b = ParseNumber(args.substr(dash + 1), "B");
    if (d.a > d.b) throw UsageError("--dist uniform:A-B wants A <= B, got " + args);
    if (d.b == 0) throw UsageError("--dist uniform:0-0 has no work");
    return d;
  }
  if (kind == "exponential" && colon != std::string::npos) {
    d.kind = Distribution::Kind::kExponential;
    d.a = ParseNumber(args, "MEAN");
    if (d.a == 0) throw UsageError("--dist exponential:MEAN wants MEAN > 0");
    return d;
  }
  if (kind == "bimodal" && colon != std::string::npos) {
    std::vector<std::string> parts;
    std::stringstream in(args);
    for (std::string part; std::getline(in, part, ',');) parts.push_back(part);
    if (parts.size() != 3) throw UsageError("--dist bimodal:S,L,P, e.g. bimodal:10,1000,0.05");
    d.kind = Distribution::Kind::kBimodal;
    d.a = ParseNumber(parts[0], "S");
    d.b = ParseNumber(parts[1], "L");
    d.p = ParseNumber(parts[2], "P");
    if (d.p > 1) throw UsageError("--dist bimodal: P is a probability (0..1), got " + parts[2]);
    if (d.a == 0 && (d.b == 0 || d.p == 0)) throw UsageError("--dist bimodal: no work");
    return d;
  }
  throw UsageError("--dist: \"" + text +
                   "\" is not seed003, uniform:A-B, exponential:MEAN or bimodal:S,L,P");
}

std::string Describe(const Distribution& d) {
  std::ostringstream s;
  s << d.spec;
  if (d.kind == Distribution::Kind::kSeed003) s << " (5-500 units)";
  return s.str();
}

std::vector<double> DrawSizes(const Distribution& d, std::size_t n, std::uint64_t seed) {
  // mt19937_64 and our own mapping (not std::*_distribution, whose output
  // differs between standard libraries): the same sizes everywhere.
  std::mt19937_64 rng(seed);
  auto unit_real = [&] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };  // [0, 1)
  std::vector<double> sizes(n);
  for (double& s : sizes) {
    switch (d.kind) {
      case Distribution::Kind::kSeed003:  // Go: rand.Intn(max-min+1)+min, min 5, max 500
        s = 5 + static_cast<double>(rng() % 496);
        break;
      case Distribution::Kind::kUniform:
        s = d.a + (d.b - d.a) * unit_real();
        break;
      case Distribution::Kind::kExponential:
        s = -d.a * std::log1p(-unit_real());
        break;
      case Distribution::Kind::kBimodal:
        s = unit_real() < d.p ? d.b : d.a;
        break;
    }
  }
  return sizes;
}

TaskBody::TaskBody(Mode mode, std::chrono::nanoseconds unit) : mode_(mode), unit_(unit) {
  if (mode_ != Mode::kCpu) return;
  // Calibrate: the best of a few short rounds (the least disturbed one).
  constexpr std::uint64_t kRound = 2'000'000;  // iterations, a few ms
  constexpr int kRounds = 5;
  double best = 0;
  for (int r = 0; r < kRounds; ++r) {
    const auto start = Clock::now();
    std::uint64_t x = static_cast<std::uint64_t>(r);
    for (std::uint64_t i = 0; i < kRound; ++i) x = Step(x);
    sink = x;
    const double ns = static_cast<double>((Clock::now() - start).count());
    best = std::max(best, static_cast<double>(kRound) / std::max(ns, 1.0));
  }
  iterations_per_ns_ = best;
}

std::chrono::nanoseconds TaskBody::Nominal(double units) const {
  return std::chrono::nanoseconds(std::llround(units * static_cast<double>(unit_.count())));
}

void TaskBody::Run(double units) const {
  const std::chrono::nanoseconds d = Nominal(units);
  switch (mode_) {
    case Mode::kSleep:
      std::this_thread::sleep_for(d);
      break;
    case Mode::kSpin: {
      const auto until = Clock::now() + d;
      while (Clock::now() < until) {
      }
      break;
    }
    case Mode::kCpu: {
      const auto n =
          static_cast<std::uint64_t>(iterations_per_ns_ * static_cast<double>(d.count()));
      std::uint64_t x = n;
      for (std::uint64_t i = 0; i < n; ++i) x = Step(x);
      sink = x;
      break;
    }
  }
}

}  // namespace lab
