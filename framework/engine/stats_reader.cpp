#include "engine/stats_reader.hpp"

#include <algorithm>
#include <chrono>

#include <array>

#include "engine/ledger.hpp"
#include "engine/off_row.hpp"
#include "engine/spares.hpp"
#include "engine/worker.hpp"
#include "engine/worker_table.hpp"

namespace litepool::detail {
namespace {

void Accumulate(WorkerUsage& total, const WorkerUsage& w) {
  total.executed += w.executed;
  total.succeeded += w.succeeded;
  total.failed += w.failed;
  total.retried += w.retried;
  total.stolen += w.stolen;
  total.callback_errors += w.callback_errors;
  total.busy += w.busy;
  total.queued += w.queued;
  total.expired += w.expired;
}

// A summary of BusyClock ticks, in nanoseconds.
LatencySummary InNanos(LatencySummary s, double ns_per_tick) {
  auto scale = [&](std::chrono::nanoseconds ticks) {
    return std::chrono::nanoseconds(
        static_cast<std::int64_t>(static_cast<double>(ticks.count()) * ns_per_tick));
  };
  s.p50 = scale(s.p50);
  s.p90 = scale(s.p90);
  s.p99 = scale(s.p99);
  s.max = scale(s.max);
  return s;
}

// Counts since `base` (a row's baseline). The max is the largest sample
// overall, lowered to the top of the highest bucket still counted: a
// histogram does not keep which samples came after the baseline.
LatencyCounts Since(const LatencyCounts& now, const LatencyCounts& base) {
  LatencyCounts d;
  std::size_t top = 0;
  for (std::size_t b = 0; b < kLatencyBuckets; ++b) {
    d.buckets[b] = now.buckets[b] - base.buckets[b];
    if (d.buckets[b] != 0) top = b + 1;
  }
  d.count = now.count - base.count;
  d.max = top == 0 ? 0 : std::min(now.max, LatencyBucketHigh(top - 1));
  return d;
}

// `c` (BusyClock ticks) on LatencyBuckets' fixed bounds, in nanoseconds.
// A sample is no larger than the top of its bucket nor than the max, so it
// counts under the first bound at or above the smaller of the two.
LatencyBuckets OnFixedBounds(const LatencyCounts& c, double ns_per_tick) {
  LatencyBuckets out;
  out.count = c.count;
  if (c.count == 0) return out;
  std::array<std::uint64_t, LatencyBuckets::kBounds> in_bound{};  // not cumulative
  double sum_ns = 0;
  std::size_t bound = 0;  // bucket tops grow with b: the bound only moves up
  for (std::size_t b = 0; b < kLatencyBuckets; ++b) {
    const std::uint64_t n = c.buckets[b];
    if (n == 0) continue;
    const std::uint64_t top = std::min(LatencyBucketHigh(b), c.max);
    const std::uint64_t low = std::min(LatencyBucketLow(b), top);
    sum_ns += static_cast<double>(n) * static_cast<double>(low + top) / 2 * ns_per_tick;
    const double top_ns = static_cast<double>(top) * ns_per_tick;
    while (bound < LatencyBuckets::kBounds &&
           static_cast<double>(LatencyBuckets::kUpperBounds[bound].count()) < top_ns) {
      ++bound;
    }
    if (bound < LatencyBuckets::kBounds) in_bound[bound] += n;  // else only in +Inf
  }
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < LatencyBuckets::kBounds; ++i) {
    running += in_bound[i];
    out.cumulative[i] = running;
  }
  out.sum = std::chrono::nanoseconds(static_cast<std::int64_t>(sum_ns + 0.5));
  return out;
}

}  // namespace

void StatsReader::Rebase(const Worker& w) {
  auto base = std::make_unique<Row>(ReadRow(w));
  MutexLock lock(mu_);
  baselines_[w.Id()] = std::move(base);
}

StatsReader::Row StatsReader::ReadRow(const Worker& w) const {
  const WorkerStats& st = w.Stats();
  Row row;
  WorkerUsage& u = row.usage;
  u.id = w.Id();
  u.executed = st.executed.Load();
  // `expired` before `failed`: Settle writes `failed` first, so `failed`
  // read last is never behind it (a row never shows more expired than
  // failed tasks).
  u.expired = st.expired.Load();
  u.succeeded = st.succeeded.Load();
  u.failed = st.failed.Load();
  u.retried = st.retried.Load();
  u.stolen = st.stolen.Load();
  u.callback_errors = st.callback_errors.Load();
  row.busy_ticks = st.busy_ticks.Load();
  u.busy = clock_.ToNanos(row.busy_ticks);
  row.waits = st.queue_wait.Read();
  row.runs = st.run_time.Read();
  const std::int64_t q = w.Queued();
  u.queued = q > 0 ? static_cast<std::size_t>(q) : 0;
  return row;
}

UsageReport StatsReader::Read() const {
  UsageReport r;
  r.name = name_;
  r.queue_capacity = queue_capacity_;
  r.rejected = ledger_.Rejected();
  const std::size_t seated = workers_.Seated();
  r.workers.reserve(seated);
  // The histograms count BusyClock ticks; the total merges them.
  const double ns_per_tick = clock_.NanosPerTick();
  // On the heap: two histograms' counts are about 10 KiB each.
  auto merged = std::make_unique<LatencyCounts[]>(2);
  LatencyCounts& all_waits = merged[0];
  LatencyCounts& all_runs = merged[1];
  // Adds `w`'s counts to the total; returns them as its row.
  auto read = [&](const Worker& w) {
    // Before ReadRow reads `failed` (see there): cancelled <= failed.
    r.cancelled += w.Stats().cancelled.Load();
    auto row = std::make_unique<Row>(ReadRow(w));
    all_waits.Merge(row->waits);
    all_runs.Merge(row->runs);
    Accumulate(r.total, row->usage);
    return row;
  };
  // Rows: the seated workers. Those that left (SetWorkers shrank the pool),
  // the spare threads (they stood in for workers blocked in waits), Purge's
  // caller and the expiry timer have none: their counts are in the total
  // only. A worker seated again starts its row from zero (its baseline).
  MutexLock lock(mu_);
  const std::size_t made = workers_.Made();
  for (std::size_t i = 0; i < made; ++i) {
    const auto row = read(workers_[i]);
    if (i >= seated) continue;
    WorkerUsage u = row->usage;
    LatencyCounts waits = row->waits;
    LatencyCounts runs = row->runs;
    if (const auto base = baselines_.find(i); base != baselines_.end()) {
      const WorkerUsage& b = base->second->usage;
      u.executed -= b.executed;
      u.succeeded -= b.succeeded;
      u.failed -= b.failed;
      u.retried -= b.retried;
      u.stolen -= b.stolen;
      u.callback_errors -= b.callback_errors;
      u.expired -= b.expired;
      const BusyClock::Ticks base_ticks = base->second->busy_ticks;
      u.busy = clock_.ToNanos(row->busy_ticks >= base_ticks ? row->busy_ticks - base_ticks : 0);
      waits = Since(waits, base->second->waits);
      runs = Since(runs, base->second->runs);
    }
    u.queue_wait = InNanos(waits.Summary(), ns_per_tick);
    u.run_time = InNanos(runs.Summary(), ns_per_tick);
    r.workers.push_back(u);
  }
  spares_.ForEach([&](const Worker& w) { read(w); });
  off_row_.ForEach([&](const Worker& w) { read(w); });
  // total.id stays 0: the total is not a worker (ToJson leaves it out).
  // The total's latency summaries come from the workers' histograms merged,
  // not from their summaries.
  r.total.queue_wait = InNanos(all_waits.Summary(), ns_per_tick);
  r.total.run_time = InNanos(all_runs.Summary(), ns_per_tick);
  r.queue_wait_buckets = OnFixedBounds(all_waits, ns_per_tick);
  r.run_time_buckets = OnFixedBounds(all_runs, ns_per_tick);
  // Over the workers' rows only (the total also holds the spares').
  std::chrono::nanoseconds max_busy{0};
  std::chrono::nanoseconds sum_busy{0};
  for (const auto& u : r.workers) {
    max_busy = std::max(max_busy, u.busy);
    sum_busy += u.busy;
  }
  const double mean = static_cast<double>(sum_busy.count()) / static_cast<double>(r.workers.size());
  r.imbalance = mean > 0 ? static_cast<double>(max_busy.count()) / mean : 1.0;
  return r;
}

}  // namespace litepool::detail
