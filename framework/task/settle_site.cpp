#include "task/settle_site.hpp"

#include <thread>

namespace litepool::detail {

void SettleSite::RecordTrace(const RawTraceEvent& e) noexcept {
  // seq_cst store, then seq_cst load: against ExchangeTrace's seq_cst
  // exchange, then load of the flag (Dekker). Either the exchanger sees this
  // append in flight and waits for it, or this thread sees the new pointer.
  trace_writing_.store(true, std::memory_order_seq_cst);
  if (TraceBuffer* b = trace_.load(std::memory_order_seq_cst)) b->Add(e);
  // Release: the exchanger that sees the flag clear sees the append.
  trace_writing_.store(false, std::memory_order_release);
}

TraceBuffer* SettleSite::ExchangeTrace(TraceBuffer* buffer) noexcept {
  TraceBuffer* old = trace_.exchange(buffer, std::memory_order_seq_cst);
  while (trace_writing_.load(std::memory_order_seq_cst)) std::this_thread::yield();
  return old;
}

}  // namespace litepool::detail
