#include "dispatcher.hpp"

#include <cstdint>

#include "worker.hpp"

namespace litepool::detail {

namespace {
// Per-thread xorshift: no shared state, so producers never contend on it.
std::uint64_t NextRandom() noexcept {
  thread_local std::uint64_t state =
      0x9E3779B97F4A7C15ull ^
      reinterpret_cast<std::uintptr_t>(&state);  // distinct per thread
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}
}  // namespace

Worker& Dispatcher::Pick(std::int64_t idle_workers, bool* picked_idle) const {
  const std::size_t n = workers_.size();
  *picked_idle = false;
  if (n == 1) {
    *picked_idle = workers_[0]->Idle();
    return *workers_[0];
  }
  const std::uint64_t r = NextRandom();
  if (idle_workers > 0) {
    // Start at a random worker so concurrent producers spread out.
    const std::size_t start = static_cast<std::size_t>(r % n);
    for (std::size_t i = 0; i < n; ++i) {
      Worker& w = *workers_[(start + i) % n];
      if (w.Idle()) {
        *picked_idle = true;
        return w;
      }
    }
  }
  const std::size_t a = static_cast<std::size_t>((r >> 16) % n);
  std::size_t b = static_cast<std::size_t>((r >> 40) % (n - 1));
  if (b >= a) ++b;
  Worker& wa = *workers_[a];
  Worker& wb = *workers_[b];
  return wa.Load() <= wb.Load() ? wa : wb;
}

}  // namespace litepool::detail
