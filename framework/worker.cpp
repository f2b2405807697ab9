// The worker loop: run own tasks, steal, poll briefly (yielding), then park.
#include "worker.hpp"

#include <chrono>
#include <thread>

#include "engine.hpp"
#include "execution_context.hpp"

#if defined(__linux__)
#include <pthread.h>
#endif

namespace litepool::detail {

Worker::Worker(Engine& engine, std::size_t id)
    : engine_(engine), id_(id), records_(engine.Records()) {}

void Worker::Start() {
  MaybeFailWorkerStart();
  thread_ = std::thread([this] { Run(); });
}

void Worker::Join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::Push(TaskRecord* task) {
  // seq_cst: pairs with Park()'s re-check of the queues (Dekker-style), so
  // either the worker sees this count or the producer sees it parked.
  queued_.fetch_add(1, std::memory_order_seq_cst);
  queue_.enqueue(task);
}

bool Worker::TryPop(TaskRecord*& task) {
  if (!queue_.try_dequeue(task)) return false;
  // Relaxed: the count is a load hint; the queue itself synchronises the
  // hand-over of the task.
  queued_.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

bool Worker::TryPopOwn(TaskRecord*& task) {
  if (!queue_.try_dequeue(own_token_, task)) return false;
  queued_.fetch_sub(1, std::memory_order_relaxed);  // a hint, as in TryPop
  return true;
}

void Worker::RecordTrace(const RawTraceEvent& e) noexcept {
  // seq_cst store, then seq_cst load: against ExchangeTrace's seq_cst
  // exchange, then load of the flag (Dekker). Either the exchanger sees this
  // append in flight and waits for it, or this thread sees the new pointer.
  trace_writing_.store(true, std::memory_order_seq_cst);
  if (TraceBuffer* b = trace_.load(std::memory_order_seq_cst)) b->Add(e);
  // Release: the exchanger that sees the flag clear sees the append.
  trace_writing_.store(false, std::memory_order_release);
}

TraceBuffer* Worker::ExchangeTrace(TraceBuffer* buffer) noexcept {
  TraceBuffer* old = trace_.exchange(buffer, std::memory_order_seq_cst);
  while (trace_writing_.load(std::memory_order_seq_cst)) std::this_thread::yield();
  return old;
}

bool Worker::Unpark() {
  if (!parked_.load(std::memory_order_seq_cst)) return false;
  if (!parked_.exchange(false, std::memory_order_seq_cst)) return false;
  engine_.NoteUnparked();
  wake_.release();
  return true;
}

void Worker::Park() {
  parked_.store(true, std::memory_order_seq_cst);
  engine_.NoteParked();
  // Every task this worker settled is counted before this point: a closing
  // pool learns here that it may be drained (see Engine::NoteParking).
  engine_.NoteParking();
  if (engine_.HasQueuedWork() || engine_.Stopping()) {
    // Cancel the park. If a waker already cleared the flag it has released
    // (or is about to release) the semaphore: consume that token.
    if (parked_.exchange(false, std::memory_order_seq_cst)) {
      engine_.NoteUnparked();
    } else {
      wake_.acquire();
    }
    return;
  }
  wake_.acquire();
}

void Worker::Run() {
  Context().worker = this;
#if defined(__linux__)
  const std::string name = engine_.ThreadName(id_);
  pthread_setname_np(pthread_self(), name.c_str());
#endif
  const std::uint32_t spins = engine_.SpinIterations();
  TaskRecord* task = nullptr;
  // While the worker goes from task to task, the end of one attempt is the
  // start of the next: one clock read per task.
  BusyClock::Ticks busy_since = BusyClock::Now();
  for (;;) {
    if (engine_.FindWork(*this, task)) {
      busy_since = engine_.Process(*this, task, busy_since);
      continue;
    }
    // Relaxed: idleness is a dispatch hint; a stale value costs balance,
    // never correctness (Park() re-checks the queues before sleeping).
    idle_.store(true, std::memory_order_relaxed);
    engine_.NoteIdle(id_, true);
    bool found = false;
    // Poll with a yield between polls, not a pause: on a machine with few
    // cores the thread that will produce the next task (a producer, or the
    // other worker) often waits for this very CPU, and a yield hands it
    // over; with a spare core, yield returns at once. Measured with
    // throughput_bench on 2 cores: EmptyTask/p1 -24 %, p2 -13 % ns/task
    // against pause-spinning, balance and wake-up rows unchanged.
    //
    // A closed pool skips the poll: the close waits for the workers to park
    // (Park() tells it when everything is settled), and stopping does not
    // wait out spin_iterations polls, however many the options asked for.
    for (std::uint32_t i = 0; i < spins && !found && !engine_.Closed(); ++i) {
      std::this_thread::yield();
      found = engine_.FindWork(*this, task);
    }
    while (!found) {
      if (engine_.Stopping()) {
        idle_.store(false, std::memory_order_relaxed);
        engine_.NoteIdle(id_, false);
        Context().worker = nullptr;
        return;
      }
      Park();
      found = engine_.FindWork(*this, task);
    }
    // seq_cst store, then the queue count: the worker's half of the
    // work-conserving handshake (Engine::Dispatch). A producer that saw
    // this worker idle and queued here is seen now: about to run a task
    // that may be long, the worker wakes a parked one to take the rest.
    idle_.store(false, std::memory_order_seq_cst);
    engine_.NoteIdle(id_, false);
    if (QueuedSeqCst() > 0) engine_.WakeParkedOtherThan(*this);
    busy_since = engine_.Process(*this, task, BusyClock::Now());
  }
}

}  // namespace litepool::detail
