// Ledger: the pool-wide count of accepted tasks and the totals read from
// every thread's counters — the accounting invariant (tests/internal,
// stress, fuzz): once idle, every accepted task is settled exactly once,
// under exactly one outcome.
#ifndef LITEPOOL_FRAMEWORK_ENGINE_LEDGER_HPP_
#define LITEPOOL_FRAMEWORK_ENGINE_LEDGER_HPP_

#include <atomic>
#include <cstdint>

#include "base/cache_line.hpp"

namespace litepool::detail {

class OffRowWorkers;
class Spares;
class WorkerTable;

// Pool-wide totals. Read while tasks run, each number is exact but the set
// is not a snapshot.
struct Accounting {
  std::uint64_t accepted = 0;   // tasks admitted
  std::uint64_t settled = 0;    // tasks settled: the sum of the four below
  std::uint64_t in_flight = 0;  // accepted - settled
  // Settled by the final result the task's hooks saw (disjoint):
  std::uint64_t succeeded = 0;        // ok
  std::uint64_t failed = 0;           // an error the task returned
  std::uint64_t cancelled = 0;        // kCancelled / kClosed: group Cancel or Close
  std::uint64_t exception = 0;        // kException: the task threw
  std::uint64_t executed = 0;         // runs of Exec, retries included
  std::uint64_t retried = 0;          // retries requested by ErrReload (run or not)
  std::uint64_t callback_errors = 0;  // hooks that threw

  // The invariant, once idle: every accepted task settled, once.
  bool Balanced() const noexcept { return accepted == settled; }
};

class Ledger {
 public:
  Ledger(const WorkerTable& workers, const Spares& spares, const OffRowWorkers& off_row) noexcept
      : workers_(workers), spares_(spares), off_row_(off_row) {}

  // seq_cst: the admitting thread's half of the handshake with Close (it
  // then reads the closed flag; Close sets it, then reads this count).
  void Admit(std::uint64_t n) noexcept { accepted_.fetch_add(n, std::memory_order_seq_cst); }
  void Unadmit(std::uint64_t n) noexcept { accepted_.fetch_sub(n, std::memory_order_seq_cst); }
  // A task was turned away. Relaxed: a statistic, read by Stats() only.
  void Reject() noexcept { rejected_.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t Rejected() const noexcept { return rejected_.load(std::memory_order_relaxed); }

  // Every thread's counters, summed. Thread-safe.
  Accounting Totals() const;

 private:
  // Written by every AddTask: first, so that the engine can place it on
  // the line after the admission gate's.
  std::atomic<std::uint64_t> accepted_{0};
  const WorkerTable& workers_;
  const Spares& spares_;
  const OffRowWorkers& off_row_;
  // Written on the rejection path only: off the line every AddTask writes.
  alignas(kCacheLine) std::atomic<std::uint64_t> rejected_{0};
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ENGINE_LEDGER_HPP_
