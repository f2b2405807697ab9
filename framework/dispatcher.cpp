#include "dispatcher.hpp"

#include <bit>

#include "worker.hpp"

namespace litepool::detail {

namespace {
// Per-thread xorshift: no shared state, so producers never contend on it.
// initial-exec: a direct TLS access, not a __tls_get_addr call per task.
__attribute__((tls_model("initial-exec"))) thread_local std::uint64_t
    random_state = 0;

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

Dispatcher::Dispatcher(const std::vector<std::unique_ptr<Worker>>& workers,
                       std::size_t max_workers)
    : workers_(workers),
      idle_(std::make_unique<MaskWord[]>((max_workers + 63) / 64)),
      words_((max_workers + 63) / 64) {}

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
  const std::size_t n = workers_.size();
  *picked_idle = false;
  if (n == 1) {
    *picked_idle = workers_[0]->Idle();
    return *workers_[0];
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
    Worker& w = *workers_[word * 64 + static_cast<std::size_t>(at)];
    if (w.Queued() == 0) {
      *picked_idle = true;
      return w;
    }
    break;  // it has work already: fall back to two choices
  }
  const std::size_t a = static_cast<std::size_t>((r >> 16) % n);
  std::size_t b = static_cast<std::size_t>((r >> 40) % (n - 1));
  if (b >= a) ++b;
  Worker& wa = *workers_[a];
  Worker& wb = *workers_[b];
  return wa.Load() <= wb.Load() ? wa : wb;
}

}  // namespace litepool::detail
