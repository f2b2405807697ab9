#include "engine/dispatcher.hpp"

#include <bit>

#include "engine/worker.hpp"
#include "engine/worker_table.hpp"

namespace litepool::detail {

namespace {
// Per-thread xorshift: no shared state, so producers never contend on it.
// initial-exec: a direct TLS access, not a __tls_get_addr call per task.
__attribute__((tls_model("initial-exec"))) thread_local std::uint64_t random_state = 0;

std::uint64_t NextRandom() noexcept {
  std::uint64_t s = random_state;
  if (s == 0) s = 0x9E3779B97F4A7C15ull ^ reinterpret_cast<std::uintptr_t>(&s);
  s ^= s << 13;
  s ^= s >> 7;
  s ^= s << 17;
  random_state = s;
  return s;
}
}  // namespace

Dispatcher::Dispatcher(const WorkerTable& workers, Dispatch policy)
    : workers_(workers),
      idle_(std::make_unique<MaskWord[]>((WorkerTable::kMaxWorkers + 63) / 64)),
      policy_(policy) {}

void Dispatcher::SetIdle(std::size_t id, bool idle) noexcept {
  const std::uint64_t bit = std::uint64_t{1} << (id % 64);
  // Relaxed: the mask is a dispatch hint; Park() re-checks the queues
  // before sleeping, so a stale bit costs balance, never a lost task.
  if (idle) {
    idle_[id / 64].bits.fetch_or(bit, std::memory_order_relaxed);
  } else {
    idle_[id / 64].bits.fetch_and(~bit, std::memory_order_relaxed);
  }
}

Worker& Dispatcher::Pick(bool* picked_idle) const {
  if (policy_ != Dispatch::kIdleFirstTwoChoices) [[unlikely]]
    return PickOther(picked_idle);
  // Acquire: the slots below the count are filled (WorkerTable).
  const std::size_t n = workers_.Seated();
  *picked_idle = false;
  if (n == 1) {
    *picked_idle = workers_[0].Idle();
    return workers_[0];
  }
  const std::uint64_t r = NextRandom();
  const std::size_t used_words = (n + 63) / 64;
  for (std::size_t k = 0; k < used_words; ++k) {
    const std::size_t word = (static_cast<std::size_t>(r) + k) % used_words;
    const std::uint64_t bits = idle_[word].bits.load(std::memory_order_relaxed);
    if (bits == 0) continue;
    // A random idle worker, so concurrent producers spread out.
    const int shift = static_cast<int>((r >> 8) % 64);
    const int at = (std::countr_zero(std::rotr(bits, shift)) + shift) % 64;
    const std::size_t i = word * 64 + static_cast<std::size_t>(at);
    if (i >= n) break;  // a worker started by a SetWorkers in flight, not seated yet
    Worker& w = workers_[i];
    if (w.Queued() == 0) {
      *picked_idle = true;
      return w;
    }
    break;  // it has work already: fall back to two choices
  }
  const std::size_t a = static_cast<std::size_t>((r >> 16) % n);
  std::size_t b = static_cast<std::size_t>((r >> 40) % (n - 1));
  if (b >= a) ++b;
  Worker& wa = workers_[a];
  Worker& wb = workers_[b];
  return wa.Load() <= wb.Load() ? wa : wb;
}

Worker& Dispatcher::PickOther(bool* picked_idle) const {
  const std::size_t n = workers_.Seated();
  std::size_t at = 0;
  switch (policy_) {
    case Dispatch::kRoundRobin:
      // Relaxed: the counter only spreads tasks; no data is published
      // through it, and fetch_add alone makes each turn unique.
      at = static_cast<std::size_t>(next_.fetch_add(1, std::memory_order_relaxed) % n);
      break;
    case Dispatch::kRandom:
      at = static_cast<std::size_t>(NextRandom() % n);
      break;
    case Dispatch::kLeastLoaded: {
      // Scan from a random start so that ties (e.g. an all-idle pool) do
      // not all go to worker 0 when several producers add at once.
      const std::size_t first = static_cast<std::size_t>(NextRandom() % n);
      std::int64_t least = workers_[first].Load();
      at = first;
      for (std::size_t k = 1; k < n && least > 0; ++k) {
        const std::size_t i = (first + k) % n;
        const std::int64_t load = workers_[i].Load();
        if (load < least) {
          least = load;
          at = i;
        }
      }
      break;
    }
    case Dispatch::kIdleFirstTwoChoices:
      break;  // not reached: Pick() runs the default itself
  }
  Worker& w = workers_[at];
  *picked_idle = w.Idle();
  return w;
}

}  // namespace litepool::detail
