// StatsReader: Pool::Stats() — one row per seated worker, read from each
// thread's counters and histograms, and a total that also holds what has no
// row (workers that left, spares, Purge's and the expiry timer's records).
// The owner of the row baselines: a worker seated again after it left
// (SetWorkers) starts its row from zero, its counters at that moment
// subtracted from its row (the total keeps everything).
//
// Thread-safety: every member, any thread. Read allocates the report.
#ifndef LITEPOOL_FRAMEWORK_ENGINE_STATS_READER_HPP_
#define LITEPOOL_FRAMEWORK_ENGINE_STATS_READER_HPP_

#include <cstddef>
#include <map>
#include <memory>
#include <string>

#include "litepool/detail/latency_histogram.hpp"
#include "litepool/detail/mutex.hpp"
#include "litepool/pool.hpp"
#include "observe/busy_clock.hpp"

namespace litepool::detail {

class Ledger;
class OffRowWorkers;
class Spares;
class Worker;
class WorkerTable;

class StatsReader {
 public:
  StatsReader(const WorkerTable& workers, const Spares& spares, const OffRowWorkers& off_row,
              const Ledger& ledger, const BusyClock& clock, const std::string& name,
              std::size_t queue_capacity) noexcept
      : workers_(workers),
        spares_(spares),
        off_row_(off_row),
        ledger_(ledger),
        clock_(clock),
        name_(name),
        queue_capacity_(queue_capacity) {}

  UsageReport Read() const LITEPOOL_EXCLUDES(mu_);
  // `w` is seated again (its thread was joined): its row restarts from its
  // counters now. Throws std::bad_alloc.
  void Rebase(const Worker& w) LITEPOOL_EXCLUDES(mu_);

 private:
  // One worker's counters as read now.
  struct Row {
    WorkerUsage usage;
    // The busy time in BusyClock ticks: a row minus its baseline is taken
    // in ticks, then converted. (Converted first, each at the tick rate
    // measured at its own time, the difference could go below zero.)
    BusyClock::Ticks busy_ticks = 0;
    LatencyCounts waits, runs;  // BusyClock ticks
  };
  Row ReadRow(const Worker& w) const;

  const WorkerTable& workers_;
  const Spares& spares_;
  const OffRowWorkers& off_row_;
  const Ledger& ledger_;
  const BusyClock& clock_;
  const std::string& name_;
  const std::size_t queue_capacity_;
  mutable Mutex mu_;
  std::map<std::size_t, std::unique_ptr<Row>> baselines_ LITEPOOL_GUARDED_BY(mu_);
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ENGINE_STATS_READER_HPP_
