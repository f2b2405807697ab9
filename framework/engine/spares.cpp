#include "engine/spares.hpp"

#include <utility>

namespace litepool::detail {

Spares::Spares(HelpingWaits& pool, RecordPool& records, const std::atomic<bool>& stop,
               std::size_t first_id, std::size_t max, std::function<void(Worker&)> start)
    : pool_(pool),
      records_(records),
      stop_(stop),
      first_id_(first_id),
      max_(max),
      start_(std::move(start)),
      slots_(std::make_unique<std::atomic<Worker*>[]>(max)) {}

void Spares::List(BlockedWaiter& w) {
  MutexLock lock(list_mu_);
  w.next = list_;
  if (list_ != nullptr) list_->prev = &w;
  list_ = &w;
}

void Spares::Unlist(BlockedWaiter& w) {
  MutexLock lock(list_mu_);
  (w.prev != nullptr ? w.prev->next : list_) = w.next;
  if (w.next != nullptr) w.next->prev = w.prev;
}

void Spares::AskOneToHelp() {
  // Under list_mu_: a listed waiter stays alive until it unlists itself.
  MutexLock lock(list_mu_);
  for (BlockedWaiter* w = list_; w != nullptr; w = w->next) {
    if (w->help.load(std::memory_order_relaxed)) continue;  // asked already
    w->wait.Interrupt(w->help);
    return;
  }
}

bool Spares::Activate(std::size_t bound) {
  // Claim one more active spare, while fewer are active than blocked.
  std::int64_t active = active_.load(std::memory_order_seq_cst);
  do {
    if (active >= blocked_.load(std::memory_order_seq_cst)) return true;
  } while (!active_.compare_exchange_weak(active, active + 1, std::memory_order_seq_cst));
  // An idle spare takes the claim with its wake-up.
  bool woken = false;
  ForEach([&](Worker& s) { woken = woken || s.Spot().UnparkWithClaim(); });
  if (woken) return true;
  {
    MutexLock lock(spawn_mu_);
    if (!stop_.load(std::memory_order_seq_cst) && spares_.size() < bound && spares_.size() < max_) {
      std::unique_ptr<Worker> spare;
      try {
        spare = std::make_unique<Worker>(pool_, records_, first_id_ + spares_.size(),
                                         /*spare=*/true);
        start_(*spare);  // starts counted active: the claim is its
        slots_[spares_.size()].store(spare.get(), std::memory_order_release);
        spares_.push_back(std::move(spare));
        count_.store(spares_.size(), std::memory_order_release);
        return true;
      } catch (...) {
        // No thread (std::system_error, bad_alloc, on_thread_start threw):
        // the waiter helps instead.
        if (spare) spare->Join();
      }
    }
  }
  active_.fetch_sub(1, std::memory_order_seq_cst);
  return false;
}

bool Spares::TryRetire() noexcept {
  std::int64_t active = active_.load(std::memory_order_seq_cst);
  do {
    if (active <= blocked_.load(std::memory_order_seq_cst)) return false;
  } while (!active_.compare_exchange_weak(active, active - 1, std::memory_order_seq_cst));
  return true;
}

void Spares::UnparkAll() const noexcept {
  ForEach([](Worker& w) { w.Spot().Unpark(); });
}

void Spares::JoinAll() {
  // Spares start only while workers run: none starts once they are joined.
  MutexLock lock(spawn_mu_);
  for (auto& w : spares_) w->Join();
}

}  // namespace litepool::detail
