#include "base/asymmetric_fence.hpp"

#if defined(__linux__)
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace litepool::detail {
namespace {

#if defined(__linux__) && defined(__NR_membarrier)
long Membarrier(int command) noexcept { return syscall(__NR_membarrier, command, 0, 0); }

bool Register() noexcept {
  const long commands = Membarrier(MEMBARRIER_CMD_QUERY);
  if (commands < 0 || (commands & MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) return false;
  if (Membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) != 0) return false;
  // One trial run: a sandbox may accept the registration and refuse the call.
  return Membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0;
}
#else
bool Register() noexcept { return false; }
#endif

}  // namespace

bool EnableHeavyFence() noexcept {
  // A function-local static: registered once, whichever pool comes first.
  static const bool available = [] {
    const bool ok = Register();
    if (ok) heavy_fence_enabled.store(true, std::memory_order_relaxed);
    return ok;
  }();
  return available;
}

void HeavyFence() noexcept {
#if defined(__linux__) && defined(__NR_membarrier)
  // Through the static, not the flag: whichever thread waits, it sees the
  // registration if any frequent side could have seen the flag set. Once
  // registered (and tried), the call has no documented way to fail.
  if (EnableHeavyFence()) {
    (void)Membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED);
    return;
  }
#endif
  std::atomic_thread_fence(std::memory_order_seq_cst);
}

}  // namespace litepool::detail
