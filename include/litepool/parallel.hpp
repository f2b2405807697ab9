// litepool/parallel.hpp — ParallelFor: run a loop body over an index range
// on a pool, in chunks.
//
//   std::vector<double> y(n);
//   litepool::ParallelFor(0, n, [&](std::size_t i) { y[i] = f(x[i]); });
//   litepool::ParallelFor(0, n, [&](std::size_t b, std::size_t e) {   // a chunk
//     for (std::size_t i = b; i < e; ++i) y[i] = f(x[i]);
//   }, litepool::ForOptions{.pool = pool, .grain = 1024});
//
// The range [first, last) is cut into chunks of `grain` indices (0: about 4
// chunks per worker of the pool). The calling thread runs chunks too, and
// the pool's workers take the others, one chunk at a time, so uneven chunks
// balance out.
//
// Guarantees:
// - Every index in [first, last) is passed to `fn` exactly once — unless a
//   call throws or the pool is closed/purged: then chunks not started yet
//   are skipped, the running ones finish, and ParallelFor throws.
// - Returns (or throws) only after every call of `fn` has returned; it
//   happens-after all of them (their effects are visible to the caller).
// - Blocking: on a worker thread it runs chunks itself and is a helping wait
//   (see "Waits on a worker thread" in pool.hpp), so nested loops never
//   deadlock a pool.
//
// Thread-safety: `fn` is shared by all chunks and called concurrently from
// several threads; it must be safe for that. ParallelFor itself may be
// called from any thread, also from inside tasks and other loops.
#ifndef LITEPOOL_PARALLEL_HPP_
#define LITEPOOL_PARALLEL_HPP_

#include <algorithm>
#include <atomic>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "litepool/detail/mutex.hpp"
#include "litepool/error.hpp"
#include "litepool/future.hpp"
#include "litepool/map.hpp"
#include "litepool/pool.hpp"
#include "litepool/task_group.hpp"

namespace litepool {

// Every field has a default, so `ForOptions{.grain = 256}` works.
struct ForOptions {
  // The pool to run on (`&pool` or `pool`); none: DefaultPool(). Must
  // outlive the call.
  PoolRef pool{};
  // Indices per chunk (per task); 0: chosen, about 4 chunks per worker.
  std::size_t grain = 0;
};

namespace detail {

// A loop index type: integral, not bool.
template <class I>
concept LoopIndex = std::integral<I> && !std::same_as<std::remove_cv_t<I>, bool>;
// A loop body for indices of type C: a chunk void(C, C) or one index void(C).
template <class F, class C>
concept LoopBody = std::invocable < std::remove_reference_t<F>
&, C, C > || std::invocable<std::remove_reference_t<F>&, C>;

// The state of one ParallelFor, shared by the caller and the runner tasks.
// Chunks are handed out by `next_`; each one claimed is counted in `done_`
// once its calls returned (or it was skipped), and the one that completes
// the count credits `finished_`. A runner that starts after the last chunk
// was claimed touches nothing but this state, so the caller may return
// (and `fn` die) while late runners are still queued.
template <class C, class F>
class LoopState {
 public:
  using U = std::make_unsigned_t<C>;

  LoopState(C first, std::uint64_t n, std::uint64_t grain, F& fn)
      // n / grain rounded up without n + grain - 1, which wraps for a grain
      // near 2^64.
      : first_(first),
        n_(n),
        grain_(grain),
        chunks_(n / grain + (n % grain != 0 ? 1 : 0)),
        fn_(fn) {}

  std::uint64_t Chunks() const noexcept { return chunks_; }

  // Runs chunks until none is left to claim. Never throws.
  void Drain() noexcept {
    for (;;) {
      if (stop_.load(std::memory_order_acquire)) {
        // Stopped: every chunk not claimed yet is skipped at once, not one
        // at a time (a range of 2^64 indices with grain 1 has 2^64 chunks).
        // Relaxed as below.
        const std::uint64_t c = next_.exchange(chunks_, std::memory_order_relaxed);
        if (c < chunks_) Skip(chunks_ - c);
        return;
      }
      // Relaxed: the counter only hands out distinct chunk numbers; the
      // effects of the chunks are ordered by done_ (acq_rel) below.
      const std::uint64_t c = next_.fetch_add(1, std::memory_order_relaxed);
      if (c >= chunks_) return;
      if (stop_.load(std::memory_order_acquire)) {
        Skip(1);
        continue;
      }
      RunChunk(c);
      if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == chunks_) finished_.Done();
    }
  }

  // A runner that never ran (pool closed or purged) or was rejected:
  // chunks not started yet are skipped and the loop throws TaskError.
  // `replace`: this reason wins over an earlier one.
  void Cancel(Error why, bool replace = false) noexcept {
    {
      detail::MutexLock lock(mu_);
      if (!cancel_ || replace) cancel_ = std::move(why);
    }
    stop_.store(true, std::memory_order_release);
  }

  // Waits for every chunk (helping on a worker), then throws what stopped
  // the loop: fn's exception, or the cancel only if some index did not run
  // (a runner dropped after the others ran every chunk changes nothing).
  void WaitAndRethrow() {
    finished_.Wait();
    detail::MutexLock lock(mu_);
    if (exception_) std::rethrow_exception(exception_);
    if (cancel_ && skipped_.load(std::memory_order_relaxed)) throw TaskError(cancel_);
  }

 private:
  // `count` claimed chunks that do not run. Relaxed: read after finished_'s
  // wait, which orders it.
  void Skip(std::uint64_t count) noexcept {
    skipped_.store(true, std::memory_order_relaxed);
    if (done_.fetch_add(count, std::memory_order_acq_rel) + count == chunks_) finished_.Done();
  }

  void RunChunk(std::uint64_t c) noexcept {
    const std::uint64_t lo = c * grain_;
    // lo + grain_ may wrap for a huge grain: compare with what is left.
    const std::uint64_t hi = grain_ >= n_ - lo ? n_ : lo + grain_;
    const C b = static_cast<C>(static_cast<U>(static_cast<U>(first_) + static_cast<U>(lo)));
    const C e = static_cast<C>(static_cast<U>(static_cast<U>(first_) + static_cast<U>(hi)));
    try {
      F& fn = fn_;  // a local: the loop below keeps it (and its captures) in registers
      if constexpr (std::invocable<F&, C, C>) {
        std::invoke(fn, b, e);
      } else {
        for (C i = b; i < e; ++i) std::invoke(fn, i);
      }
    } catch (...) {
      {
        detail::MutexLock lock(mu_);
        if (!exception_) exception_ = std::current_exception();
      }
      stop_.store(true, std::memory_order_release);
    }
  }

  const C first_;
  const std::uint64_t n_, grain_, chunks_;
  F& fn_;
  TaskGroup finished_{1};
  std::atomic<std::uint64_t> next_{0};
  std::atomic<std::uint64_t> done_{0};
  std::atomic<bool> stop_{false};
  std::atomic<bool> skipped_{false};  // a claimed chunk did not run
  detail::Mutex mu_;
  std::exception_ptr exception_ LITEPOOL_GUARDED_BY(mu_);  // the first throw
  Error cancel_ LITEPOOL_GUARDED_BY(mu_);                  // why runners did not run
};

// The task that helps with a loop: drains chunks; destroyed without having
// run (Close with kCancelPending, Purge), it cancels the loop.
template <class State>
struct LoopRunner {
  std::shared_ptr<State> state;
  bool ran = false;

  LoopRunner(std::shared_ptr<State> s) noexcept : state(std::move(s)) {}
  LoopRunner(LoopRunner&&) noexcept = default;
  LoopRunner& operator=(LoopRunner&&) = delete;
  ~LoopRunner() {
    if (state && !ran) {
      state->Cancel(Error("ParallelFor: a chunk task was dropped (pool closed or purged)",
                          ErrorCode::kCancelled));
    }
  }
  void operator()() {
    ran = true;
    state->Drain();
  }
};

}  // namespace detail

// Calls fn over [first, last) (see the overview). `first` and `last` may be
// different integral types (not bool); indices have their common type C,
// and the comparison first <= last is made in C. F: void(C begin, C end) —
// a chunk; preferred when both forms are callable — or void(C).
// Any range works, the extremes of the index type included, with any
// grain (a grain above the range's size makes one chunk).
// Throws: std::invalid_argument for first > last or a null `fn` (empty
// std::function, null function pointer); the first exception `fn` threw
// (after the running chunks returned); TaskError kClosed for a non-empty
// range on a pool that is closed (whatever the number of chunks: nothing
// runs, not even on the caller); TaskError (kClosed, kCancelled) when the
// pool is closed or purged during the loop and some index did not run
// (when every index ran, it returns normally).
template <class I1, class I2, class F>
requires detail::LoopIndex<I1> && detail::LoopIndex<I2> &&
    detail::LoopBody<F, std::common_type_t<I1, I2>>
void ParallelFor(I1 first, I2 last, F&& fn, ForOptions options = {}) {
  using C = std::common_type_t<I1, I2>;
  using U = std::make_unsigned_t<C>;
  using Fn = std::remove_reference_t<F>;
  detail::RequireCallable(fn, "litepool::ParallelFor: null fn");
  const C b = static_cast<C>(first);
  const C e = static_cast<C>(last);
  if (b > e) throw std::invalid_argument("litepool::ParallelFor: first > last");
  // In U, so the extremes of a signed type do not overflow (and narrow
  // types, promoted to int by the subtraction, are wrapped back).
  const std::uint64_t n = static_cast<U>(static_cast<U>(e) - static_cast<U>(b));
  if (n == 0) return;

  Pool& pool = options.pool.Resolve();
  if (pool.Closed()) {
    throw TaskError(Error("ParallelFor: pool is closed", ErrorCode::kClosed));
  }
  const std::uint64_t grain = detail::ChooseGrain(n, pool.Workers(), options.grain);
  using State = detail::LoopState<C, Fn>;
  auto state = std::make_shared<State>(b, n, grain, fn);
  // The caller runs chunks too: one runner fewer than chunks, at most one
  // per worker.
  const std::uint64_t runners = std::min<std::uint64_t>(state->Chunks() - 1, pool.Workers());
  for (std::uint64_t r = 0; r < runners; ++r) {
    TaskOptions task;
    task.SetTask(detail::LoopRunner<State>(state));
    if (Error err = pool.AddTask(std::move(task))) {
      // Rejected (closed): the runner was dropped unrun and cancelled the
      // loop; name the real reason.
      state->Cancel(Error("ParallelFor: " + err.Message(), err.Code()), true);
      break;
    }
  }
  state->Drain();
  state->WaitAndRethrow();
}

// Anything else given as the loop: a compile-time error that lists the
// accepted forms (never an error deep inside this header).
template <class I1, class I2, class F, class... More>
requires(!(detail::LoopIndex<I1> && detail::LoopIndex<I2>) ||
         !detail::LoopBody<F, std::common_type_t<I1, I2>> ||
         (sizeof...(More) > 0 &&
          !(sizeof...(More) == 1 && (std::is_convertible_v<More, ForOptions> &&
                                     ...)))) void ParallelFor(I1, I2, F&&, More&&...) {
  static_assert(detail::kAlwaysFalse<F>,
                "litepool::ParallelFor(first, last, fn, ForOptions = {}): first and last "
                "are integers (not bool), fn is callable as void(I begin, I end) (a chunk) "
                "or void(I) (one index), I being the common type of first and last; "
                "ParallelFor passes fn no other arguments: capture them");
}

}  // namespace litepool

#endif  // LITEPOOL_PARALLEL_HPP_
