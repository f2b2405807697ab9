// The lab's workload: task sizes drawn from a distribution, and the task
// body that turns a size into work (sleep, spin or computation).
#ifndef LITEPOOL_TOOLS_LAB_WORKLOAD_HPP_
#define LITEPOOL_TOOLS_LAB_WORKLOAD_HPP_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace lab {

// Task sizes, in units (--unit): uniform:A-B, exponential:MEAN,
// bimodal:SMALL,LARGE,P (a task is LARGE with probability P), or seed003
// (whole units 5..500, uniformly: the Go README's load-balance example,
// rand.Intn(500-5+1)+5 milliseconds).
struct Distribution {
  enum class Kind { kSeed003, kUniform, kExponential, kBimodal } kind = Kind::kSeed003;
  double a = 5, b = 500, p = 0;  // uniform: a..b; exponential: mean a; bimodal: a, b, p
  std::string spec = "seed003";  // as given on the command line
};

// Parses a --dist value; throws UsageError.
Distribution ParseDistribution(const std::string& text);
// "seed003 (5-500 units)", for the header line.
std::string Describe(const Distribution& d);

// `n` sizes in units, the same for the same seed.
std::vector<double> DrawSizes(const Distribution& d, std::size_t n, std::uint64_t seed);

// How a task spends its size: sleep (the thread blocks; workers beyond the
// cores still overlap), spin (busy-waits on the clock for its wall time),
// cpu (a fixed amount of arithmetic: takes longer when threads share cores).
enum class Mode { kSleep, kSpin, kCpu };

class TaskBody {
 public:
  // For kCpu, measures the arithmetic rate once (about 50 ms).
  TaskBody(Mode mode, std::chrono::nanoseconds unit);
  // Runs one task of `units` units. Thread-safe.
  void Run(double units) const;
  // The nominal time of `units` units.
  std::chrono::nanoseconds Nominal(double units) const;

 private:
  Mode mode_;
  std::chrono::nanoseconds unit_;
  double iterations_per_ns_ = 0;  // kCpu: calibrated
};

}  // namespace lab

#endif  // LITEPOOL_TOOLS_LAB_WORKLOAD_HPP_
