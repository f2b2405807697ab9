#include "engine/ledger.hpp"

#include "engine/off_row.hpp"
#include "engine/spares.hpp"
#include "engine/worker_table.hpp"

namespace litepool::detail {

Accounting Ledger::Totals() const {
  Accounting a;
  auto add = [&a](const Worker& w) {
    const WorkerStats& s = w.Stats();
    // The sub-counts before `failed`: Settle writes `failed` first, so
    // `failed` read last is never behind them (no underflow below).
    const std::uint64_t cancelled = s.cancelled.Load();
    const std::uint64_t exception = s.exceptions.Load();
    const std::uint64_t failed = s.failed.Load();
    const std::uint64_t succeeded = s.succeeded.Load();
    a.settled += succeeded + failed;
    a.succeeded += succeeded;
    a.failed += failed - cancelled - exception;
    a.cancelled += cancelled;
    a.exception += exception;
    a.executed += s.executed.Load();
    a.retried += s.retried.Load();
    a.callback_errors += s.callback_errors.Load();
  };
  workers_.ForEachMade(add);
  spares_.ForEach(add);
  off_row_.ForEach(add);
  a.accepted = accepted_.load(std::memory_order_seq_cst);
  a.in_flight = a.accepted >= a.settled ? a.accepted - a.settled : 0;
  return a;
}

}  // namespace litepool::detail
