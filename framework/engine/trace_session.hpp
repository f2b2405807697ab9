// TraceSession: Pool::StartTrace / StopTrace — installs one bounded buffer
// per worker (the workers append without locks or allocation), then takes
// them back and turns their raw events into a Trace.
//
// Thread-safety: any thread; StartTrace and StopTrace serialise on a mutex.
// A trace running when StartTrace is called again is discarded.
#ifndef LITEPOOL_FRAMEWORK_ENGINE_TRACE_SESSION_HPP_
#define LITEPOOL_FRAMEWORK_ENGINE_TRACE_SESSION_HPP_

#include <memory>
#include <vector>

#include "litepool/detail/mutex.hpp"
#include "litepool/trace.hpp"
#include "observe/busy_clock.hpp"
#include "observe/trace_buffer.hpp"

namespace litepool::detail {

class WorkerTable;

class TraceSession {
 public:
  TraceSession(const WorkerTable& workers, const BusyClock& clock) noexcept
      : workers_(workers), clock_(clock) {}

  void Start(TraceOptions options) LITEPOOL_EXCLUDES(mu_);
  Trace Stop() LITEPOOL_EXCLUDES(mu_);
  // SetWorkers made worker `id` (the next slot) while a trace may run: it
  // records too, into a buffer of its own of the trace's per-worker share.
  // Throws std::bad_alloc.
  void AddWorker(std::size_t id) LITEPOOL_EXCLUDES(mu_);

 private:
  const WorkerTable& workers_;
  const BusyClock& clock_;
  Mutex mu_;
  std::vector<std::unique_ptr<TraceBuffer>> buffers_ LITEPOOL_GUARDED_BY(mu_);
  BusyClock::Ticks origin_ LITEPOOL_GUARDED_BY(mu_) = 0;  // times count from here
  std::size_t share_ LITEPOOL_GUARDED_BY(mu_) = 0;        // events per worker of the running trace
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ENGINE_TRACE_SESSION_HPP_
