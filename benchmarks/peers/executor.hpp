// benchmarks/peers/executor.hpp — the one interface every system under test
// is driven through, so each workload is literally the same code for
// litepool and for its peers.
//
//   for (const System& sys : Systems()) {
//     auto exec = sys.make({.workers = 2, .queue_capacity = 1024});
//     exec->Submit(Job{&Fn, &ctx});          // fire and forget
//   }
//
// A Job is 16 trivially copyable bytes, so every system can store it inline
// (it fits std::function's small buffer too): no system pays an allocation
// for the adapter itself. Each adapter uses its system's natural submit
// call; the virtual call on top costs the same for everyone.
#ifndef LITEPOOL_BENCHMARKS_PEERS_EXECUTOR_HPP_
#define LITEPOOL_BENCHMARKS_PEERS_EXECUTOR_HPP_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace litepool_bench {

struct Job {
  void (*fn)(void*) = nullptr;
  void* arg = nullptr;
  void operator()() const { fn(arg); }
};

// A group built on the system's own primitive (litepool TaskGroup, oneTBB
// task_group). Submit is thread-safe; Wait blocks until every job of the
// group has run (and, for litepool, settled).
class Group {
 public:
  virtual ~Group() = default;
  virtual void Submit(Job job) = 0;
  virtual void Wait() = 0;
};

struct ExecutorConfig {
  std::size_t workers = 2;
  // Queued tasks per worker where the system bounds its queues (litepool);
  // the peers' queues are unbounded.
  std::size_t queue_capacity = 1024;
};

class Executor {
 public:
  virtual ~Executor() = default;
  // Queues `job`. Thread-safe, callable from inside a job. May block while
  // a bounded system is full. The destructor runs what is still queued.
  virtual void Submit(Job job) = 0;
  // A group expecting `n` jobs, or nullptr when the system has no group
  // primitive of its own.
  virtual std::unique_ptr<Group> NewGroup(std::int64_t n) {
    (void)n;
    return nullptr;
  }
  // max busy / mean busy from the system's own statistics; < 0 when the
  // system keeps none (then the benchmark measures it from the tasks).
  virtual double Imbalance() const { return -1.0; }
};

struct System {
  std::string name;  // "litepool", "tbb", "asio", "rvaser", "ceiling"
  std::unique_ptr<Executor> (*make)(const ExecutorConfig&) = nullptr;
  bool has_group = false;
  // False when the system allocates through its own allocator (oneTBB's
  // tbbmalloc maps memory itself), so a heap counter cannot see it.
  bool allocations_visible = true;
};

// litepool first, then every peer this binary was built with, in a fixed
// order. Compile-time defines (LITEPOOL_BENCH_HAVE_TBB, ..._ASIO,
// ..._RVASER) decide which peers exist.
const std::vector<System>& Systems();

}  // namespace litepool_bench

#endif  // LITEPOOL_BENCHMARKS_PEERS_EXECUTOR_HPP_
