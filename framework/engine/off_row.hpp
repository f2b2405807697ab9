// OffRowWorkers: the Worker records of the two pool activities that settle
// tasks without a thread of their own — Purge (on its caller's thread) and
// the queue-timeout timer (on the timer's thread). Their counters go to
// Stats()' total, on no row. Each is made on first use: every record cache
// adds a producer to the shared free lists, which every RecordPool::Make
// scans (measured: +24 instructions per task when they were made up front).
#ifndef LITEPOOL_FRAMEWORK_ENGINE_OFF_ROW_HPP_
#define LITEPOOL_FRAMEWORK_ENGINE_OFF_ROW_HPP_

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>

#include "engine/worker.hpp"

namespace litepool::detail {

class OffRowWorkers {
 public:
  // Both get `id` (no thread, no row).
  OffRowWorkers(HelpingWaits& pool, RecordPool& records, std::size_t id) noexcept
      : pool_(pool), records_(records), id_(id) {}

  // Purge's and the expiry timer's records. Thread-safe; the first call
  // allocates. The caller serialises its use of the returned Worker's
  // counters and record cache (one Purge at a time; one timer thread).
  Worker& Purger() { return Get(purger_once_, purger_, purger_view_); }
  Worker& Expirer() { return Get(expirer_once_, expirer_, expirer_view_); }

  // f(const Worker&) for each one made so far; lock-free.
  template <class F>
  void ForEach(F&& f) const {
    // Acquire: made, then published (Get).
    if (Worker* w = purger_view_.load(std::memory_order_acquire)) f(*w);
    if (Worker* w = expirer_view_.load(std::memory_order_acquire)) f(*w);
  }

 private:
  Worker& Get(std::once_flag& once, std::unique_ptr<Worker>& w, std::atomic<Worker*>& view) {
    std::call_once(once, [&] {
      w = std::make_unique<Worker>(pool_, records_, id_, /*spare=*/true);
      view.store(w.get(), std::memory_order_release);
    });
    return *w;
  }

  HelpingWaits& pool_;
  RecordPool& records_;
  const std::size_t id_;
  std::once_flag purger_once_;
  std::once_flag expirer_once_;
  std::unique_ptr<Worker> purger_;
  std::unique_ptr<Worker> expirer_;
  std::atomic<Worker*> purger_view_{nullptr};
  std::atomic<Worker*> expirer_view_{nullptr};
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ENGINE_OFF_ROW_HPP_
