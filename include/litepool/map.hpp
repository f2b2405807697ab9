// litepool/map.hpp — Map: apply a function to every input concurrently and
// collect the results in input order (bluebird's Promise.map(), which
// inspired the Go alloter).
//
//   std::vector<std::string> urls = {...};
//   std::vector<Page> pages = litepool::Map(urls, [](const std::string& url) {
//     return Download(url);                      // Page(const std::string&)
//   }, litepool::MapOptions{.concurrency = 4});
//
// Guarantees: the result has one element per input, in input order; `fn` is
// called at most once per input, from pool workers (concurrently: it must be
// safe to call from several threads at once). The first exception `fn`
// throws stops the inputs not started yet (they are never passed to `fn`;
// a chunk of inputs already running notices within 64 inputs); Map waits
// until the running calls have returned, then rethrows that exception.
// Results may be move-only; they need no default constructor.
//
// Blocking: Map returns when every call has returned. Called on a worker
// thread it is a helping wait (see "Waits on a worker thread" in pool.hpp),
// so a task may call Map.
#ifndef LITEPOOL_MAP_HPP_
#define LITEPOOL_MAP_HPP_

#include "litepool/detail/export.hpp"

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <stop_token>
#include <type_traits>
#include <utility>
#include <vector>

#include "litepool/default_pool.hpp"
#include "litepool/err_group.hpp"
#include "litepool/error.hpp"
#include "litepool/pool.hpp"

namespace litepool {

// A pool to run on, or none (DefaultPool()): made from a Pool*, a Pool& or
// nullptr, so both `.pool = &pool` and `.pool = pool` read naturally.
class PoolRef {
 public:
  constexpr PoolRef() noexcept = default;
  constexpr PoolRef(std::nullptr_t) noexcept {}
  constexpr PoolRef(Pool* pool) noexcept : pool_(pool) {}
  constexpr PoolRef(Pool& pool) noexcept : pool_(&pool) {}
  // The pool, or null for DefaultPool().
  constexpr Pool* get() const noexcept { return pool_; }
  // The pool, DefaultPool() when none was given.
  Pool& Resolve() const { return pool_ != nullptr ? *pool_ : DefaultPool(); }

 private:
  Pool* pool_ = nullptr;
};

// Every field has a default, so `MapOptions{.concurrency = 4}` works.
struct MapOptions {
  // At most this many calls of fn at once; 0: no limit of its own (the
  // pool's workers bound it).
  std::size_t concurrency = 0;
  // The pool to run on (`&pool` or `pool`); none: DefaultPool(). Must
  // outlive the call.
  PoolRef pool{};
  // Inputs per task; 0: chosen — about 4 tasks per worker of the pool (as
  // ParallelFor), or 1 when `concurrency` is set (limited calls are mostly
  // slow, blocking ones: each gets its own task, so the limit is reached).
  std::size_t grain = 0;
};

namespace detail {

// Chunks per worker when Map's or ParallelFor's grain is chosen: enough
// for the dynamic hand-out to even out uneven chunks and busy workers, few
// enough that the per-chunk cost (a task) stays negligible.
inline constexpr std::uint64_t kChunksPerWorker = 4;

// The grain for `n` items on `workers` workers (`grain` 0: chosen).
inline std::uint64_t ChooseGrain(std::uint64_t n, std::size_t workers, std::size_t grain) {
  if (grain != 0) return grain;
  const std::uint64_t chunks = kChunksPerWorker * std::max<std::uint64_t>(workers, 1);
  // Rounded up without n + chunks - 1, which wraps for n near 2^64.
  return std::max<std::uint64_t>(1, n / chunks + (n % chunks != 0 ? 1 : 0));
}

template <class Inputs, class F>
using MapResult =
    std::remove_cvref_t<std::invoke_result_t<F&, const std::ranges::range_value_t<Inputs>&>>;

// Map's results while the calls run: one uninitialised cell per input, each
// built in place from fn's return value by the task that computes it, then
// moved once into the returned vector. Cells of different inputs are
// written by different threads (separate `built_` bytes, no shared word).
// Inputs a running chunk passes to fn between two looks at the stop: often
// enough that a failure stops the rest at once, rarely enough that the
// loop over a chunk stays a tight loop (the compiler may vectorise it).
inline constexpr std::size_t kMapStopStride = 64;

// Where Map puts its results. A result type with a noexcept default
// constructor and move assignment (numbers, strings, vectors) is assigned
// into the returned vector itself: one write per result, no pass after.
// Others are built in place in MapCells and moved once into the vector.
// bool is never assigned in place: std::vector<bool> packs its elements,
// and two threads would write the same word.
template <class R>
inline constexpr bool kMapAssignsInPlace =
    std::is_nothrow_default_constructible_v<R>&& std::is_nothrow_move_assignable_v<R> &&
    !std::is_same_v<R, bool>;

template <class R>
class MapSlots {
 public:
  explicit MapSlots(std::size_t n) : out_(n) {}
  template <class F, class T>
  void Build(std::size_t k, F& f, const T& in) {
    out_[k] = std::invoke(f, in);
  }
  std::vector<R> Take() { return std::move(out_); }

 private:
  std::vector<R> out_;
};

template <class R>
class MapCells {
 public:
  explicit MapCells(std::size_t n)
      : n_(n), cells_(std::make_unique<Cell[]>(n)), built_(std::make_unique<bool[]>(n)) {}
  MapCells(const MapCells&) = delete;
  MapCells& operator=(const MapCells&) = delete;
  ~MapCells() {
    for (std::size_t k = 0; k < n_; ++k) {
      if (built_[k]) cells_[k].value.~R();
    }
  }
  // Builds cell k from f(in): fn's prvalue initialises the cell directly.
  template <class F, class T>
  void Build(std::size_t k, F& f, const T& in) {
    ::new (static_cast<void*>(std::addressof(cells_[k].value))) R(std::invoke(f, in));
    built_[k] = true;
  }
  // Every cell built (after the calls' wait): one move each.
  std::vector<R> Take() {
    std::vector<R> out;
    out.reserve(n_);
    for (std::size_t k = 0; k < n_; ++k) out.push_back(std::move(cells_[k].value));
    return out;
  }

 private:
  union Cell {
    Cell() noexcept {}
    ~Cell() {}
    R value;
  };
  std::size_t n_;
  std::unique_ptr<Cell[]> cells_;
  std::unique_ptr<bool[]> built_;  // value-initialised: false
};

}  // namespace detail

// R Map(inputs, fn, options): fn is R(const T&) for the inputs' value type T.
// A result whose type has a noexcept default constructor and move
// assignment is assigned into the returned vector; any other is built in
// place from fn's return value and moved once into the returned vector. Throws what fn threw first;
// TaskError with the refusal as its Cause() (kClosed, kCancelled, ...) if the pool refused the work
// (e.g. it is closed) or cancelled inputs before fn ran (Close(kCancelPending), Purge): Map never
// returns results that were not computed. A null fn (empty std::function, null function pointer)
// throws std::invalid_argument.
template <std::ranges::forward_range Inputs, class F>
requires std::invocable < F&, const std::ranges::range_value_t<Inputs>
& > std::vector<detail::MapResult<Inputs, F>> Map(Inputs&& inputs, F&& fn,
                                                  MapOptions options = {}) {
  using T = std::ranges::range_value_t<Inputs>;
  using R = detail::MapResult<Inputs, F>;
  static_assert(!std::is_void_v<R>,
                "litepool::Map: fn must return a value (use ErrGroup for "
                "work without results)");
  static_assert(std::is_move_constructible_v<R>, "litepool::Map: results must be movable");

  if constexpr (!std::is_lvalue_reference_v<std::ranges::range_reference_t<Inputs>>) {
    // Elements made on the fly (views::iota, proxies): keep them while the
    // calls run.
    std::vector<T> kept;
    for (auto&& x : inputs) kept.push_back(static_cast<T>(x));
    return Map(kept, fn, options);
  } else {
    detail::RequireCallable(fn, "litepool::Map: null fn");
    const auto n = static_cast<std::size_t>(std::ranges::distance(inputs));
    using Store =
        std::conditional_t<detail::kMapAssignsInPlace<R>, detail::MapSlots<R>, detail::MapCells<R>>;
    Store cells(n);
    {
      ErrGroup group = ErrGroup::WithContext(options.pool.Resolve());
      if (options.concurrency != 0) {
        group.SetLimit(static_cast<int>(std::min<std::size_t>(options.concurrency, INT_MAX)));
      }
      F& f = fn;
      // Chunks of `grain` inputs, one task each; between two inputs a
      // chunk checks whether an earlier call threw (the group stopped).
      const std::size_t grain = options.grain == 0 && options.concurrency != 0
                                    ? 1
                                    : static_cast<std::size_t>(detail::ChooseGrain(
                                          n, options.pool.Resolve().Workers(), options.grain));
      std::stop_token stop = group.Context();
      auto it = std::ranges::begin(inputs);
      for (std::size_t start = 0; start < n; start += grain) {
        const std::size_t count = std::min(grain, n - start);
        Store* out = &cells;
        group.Go([&f, stop, it, out, start, count] {
          auto in = it;
          for (std::size_t k = 0; k < count;) {
            if (stop.stop_requested()) return;
            const std::size_t stride_end = std::min(count, k + detail::kMapStopStride);
            for (; k < stride_end; ++k, ++in) {
              out->Build(start + k, f, static_cast<const T&>(*in));
            }
          }
        });
        std::ranges::advance(it, static_cast<std::ranges::range_difference_t<Inputs>>(count));
      }
      if (Error err = group.Wait()) {
        if (std::exception_ptr e = err.Exception()) std::rethrow_exception(e);
        throw TaskError(Error("litepool::Map: " + err.Message(), err.Code()));
      }
    }
    return cells.Take();
  }
}

// Map({a, b, c}, fn): a braced list of inputs (copied into a vector first).
template <class T, class F>
requires std::invocable<F&, const T&>
auto Map(std::initializer_list<T> inputs, F&& fn, MapOptions options = {}) {
  const std::vector<T> kept(inputs);
  return Map(kept, std::forward<F>(fn), options);
}

}  // namespace litepool

#endif  // LITEPOOL_MAP_HPP_
