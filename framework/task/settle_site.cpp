#include "task/settle_site.hpp"

#include <thread>

#include "base/asymmetric_fence.hpp"

namespace litepool::detail {

void SettleSite::RecordTrace(const RawTraceEvent& e) noexcept {
  // A Dekker against ExchangeTrace, asymmetric (base/asymmetric_fence.hpp):
  // this side runs once per traced task, the other once per StartTrace or
  // StopTrace. Either the exchanger sees this append in flight and waits
  // for it, or this thread sees the new pointer.
  trace_writing_.store(true, std::memory_order_relaxed);
  LightFence();
  // Acquire: the buffer's pages, touched by StartTrace's thread.
  if (TraceBuffer* b = trace_.load(std::memory_order_acquire)) b->Add(e);
  // Release: the exchanger that sees the flag clear sees the append.
  trace_writing_.store(false, std::memory_order_release);
}

TraceBuffer* SettleSite::ExchangeTrace(TraceBuffer* buffer) noexcept {
  TraceBuffer* old = trace_.exchange(buffer, std::memory_order_acq_rel);
  HeavyFence();
  // Acquire: pairs with the release that clears the flag.
  while (trace_writing_.load(std::memory_order_acquire)) std::this_thread::yield();
  return old;
}

}  // namespace litepool::detail
