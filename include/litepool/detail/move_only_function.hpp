// litepool/detail/move_only_function.hpp — the library's own move-only
// function type. Internal: application code passes lambdas, function
// pointers or std::function objects and never names this type.
//
// MoveOnlyFunction<R(A...), Capacity> holds any move-constructible callable
// (std::unique_ptr captures included). A callable of at most `Capacity`
// bytes, aligned no more than a pointer and nothrow-movable, is kept inline
// (no heap block); a larger one lives in one heap block. A copyable target
// can still be copied explicitly with Clone() — TaskOptions uses that to
// stay copyable as long as its callables are.
//
// Not thread-safe (a value type); calling it concurrently is as safe as
// calling the target concurrently.
#ifndef LITEPOOL_DETAIL_MOVE_ONLY_FUNCTION_HPP_
#define LITEPOOL_DETAIL_MOVE_ONLY_FUNCTION_HPP_

#include <cstddef>
#include <functional>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace litepool::detail {

// Captures up to this many bytes are stored without a heap block (48: a
// few pointers plus a std::string or a std::function).
inline constexpr std::size_t kInlineCallableBytes = 48;

template <class Sig, std::size_t Capacity = kInlineCallableBytes>
class MoveOnlyFunction;

template <class T>
struct IsMoveOnlyFunction : std::false_type {};
template <class Sig, std::size_t N>
struct IsMoveOnlyFunction<MoveOnlyFunction<Sig, N>> : std::true_type {};

template <class R, class... A, std::size_t Capacity>
class MoveOnlyFunction<R(A...), Capacity> {
  // What a stored callable can do; one static table per stored type and
  // storage mode, so the object itself is one pointer plus the buffer.
  struct Ops {
    R (*invoke)(void* storage, A&&... args);
    void (*relocate)(void* from, void* to) noexcept;  // move, then destroy `from`
    void (*destroy)(void* storage) noexcept;
    void (*copy)(const void* from, void* to);  // null: the target is move-only
  };

  template <class F>
  static constexpr bool kFitsInline =
      sizeof(F) <= Capacity &&
      alignof(F) <= alignof(void*) && std::is_nothrow_move_constructible_v<F>;

  template <class F>
  static F* Target(void* storage) noexcept {
    if constexpr (kFitsInline<F>) {
      return std::launder(static_cast<F*>(storage));
    } else {
      return *static_cast<F**>(storage);
    }
  }

  template <class F>
  static R Invoke(void* storage, A&&... args) {
    if constexpr (std::is_void_v<R>) {
      std::invoke(*Target<F>(storage), std::forward<A>(args)...);
    } else {
      return std::invoke(*Target<F>(storage), std::forward<A>(args)...);
    }
  }
  template <class F>
  static void Relocate(void* from, void* to) noexcept {
    if constexpr (kFitsInline<F>) {
      F* f = Target<F>(from);
      ::new (to) F(std::move(*f));
      f->~F();
    } else {
      *static_cast<F**>(to) = *static_cast<F**>(from);
    }
  }
  template <class F>
  static void Destroy(void* storage) noexcept {
    if constexpr (kFitsInline<F>) {
      Target<F>(storage)->~F();
    } else {
      delete Target<F>(storage);
    }
  }
  template <class F>
  static void Copy(const void* from, void* to) {
    const F& f = *Target<F>(const_cast<void*>(from));
    if constexpr (kFitsInline<F>) {
      ::new (to) F(f);
    } else {
      *static_cast<F**>(to) = new F(f);
    }
  }
  using CopyFn = void (*)(const void*, void*);
  template <class F>
  static constexpr CopyFn CopyOp() noexcept {
    if constexpr (std::is_copy_constructible_v<F>) {
      return &Copy<F>;
    } else {
      return nullptr;
    }
  }
  template <class F>
  static constexpr Ops kOps{&Invoke<F>, &Relocate<F>, &Destroy<F>, CopyOp<F>()};

 public:
  // True when a callable of type F is stored inline (no heap block).
  template <class F>
  static constexpr bool kStoresInline = kFitsInline<F>;

  // Empty: operator bool is false; calling it is undefined.
  MoveOnlyFunction() noexcept = default;
  MoveOnlyFunction(std::nullptr_t) noexcept {}

  // Holds `f` (moved or copied in). An empty std::function or a null
  // function pointer gives an empty MoveOnlyFunction. Throws what moving
  // `f` throws, or std::bad_alloc for a large target.
  template <class F, class D = std::decay_t<F>>
  requires(!IsMoveOnlyFunction<D>::value && std::move_constructible<D> &&
           std::is_constructible_v<D, F> && std::is_invocable_r_v<R, D&, A...>)
      MoveOnlyFunction(F&& f)
  noexcept(kFitsInline<D>&& std::is_nothrow_constructible_v<D, F>) {
    if constexpr (std::is_pointer_v<D> || std::is_member_pointer_v<D> ||
                  std::is_constructible_v<bool, const D&>) {
      // Function pointers and std::function: empty stays empty. (A lambda
      // without captures converts to a function pointer, never null.)
      if (!static_cast<bool>(f)) return;
    }
    if constexpr (kFitsInline<D>) {
      ::new (static_cast<void*>(buf_)) D(std::forward<F>(f));
    } else {
      *reinterpret_cast<D**>(buf_) = new D(std::forward<F>(f));
    }
    ops_ = &kOps<D>;
  }

  MoveOnlyFunction(MoveOnlyFunction&& other) noexcept : ops_(other.ops_) {
    if (ops_ != nullptr) {
      ops_->relocate(other.buf_, buf_);
      other.ops_ = nullptr;
    }
  }
  MoveOnlyFunction& operator=(MoveOnlyFunction&& other) noexcept {
    if (this != &other) {
      Reset();
      if (other.ops_ != nullptr) {
        other.ops_->relocate(other.buf_, buf_);
        ops_ = std::exchange(other.ops_, nullptr);
      }
    }
    return *this;
  }
  MoveOnlyFunction& operator=(std::nullptr_t) noexcept {
    Reset();
    return *this;
  }
  template <class F>
  requires std::is_constructible_v<MoveOnlyFunction, F> MoveOnlyFunction& operator=(F&& f) {
    return *this = MoveOnlyFunction(std::forward<F>(f));
  }
  MoveOnlyFunction(const MoveOnlyFunction&) = delete;
  MoveOnlyFunction& operator=(const MoveOnlyFunction&) = delete;
  ~MoveOnlyFunction() { Reset(); }

  explicit operator bool() const noexcept { return ops_ != nullptr; }
  friend bool operator==(const MoveOnlyFunction& f, std::nullptr_t) noexcept {
    return f.ops_ == nullptr;
  }

  // Calls the target (like std::function, also through a const object).
  // Requires: non-empty.
  R operator()(A... args) const {
    return ops_->invoke(const_cast<unsigned char*>(buf_), std::forward<A>(args)...);
  }

  // True when empty or when the target is copy-constructible.
  bool Copyable() const noexcept { return ops_ == nullptr || ops_->copy != nullptr; }
  // A copy of the target. Requires: Copyable() (otherwise
  // std::bad_function_call). Throws what copying the target throws.
  MoveOnlyFunction Clone() const {
    MoveOnlyFunction out;
    if (ops_ == nullptr) return out;
    if (ops_->copy == nullptr) throw std::bad_function_call();
    ops_->copy(buf_, out.buf_);
    out.ops_ = ops_;
    return out;
  }

 private:
  void Reset() noexcept {
    if (ops_ != nullptr) std::exchange(ops_, nullptr)->destroy(buf_);
  }

  const Ops* ops_ = nullptr;
  alignas(void*) unsigned char buf_[Capacity < sizeof(void*) ? sizeof(void*) : Capacity];
};

}  // namespace litepool::detail

#endif  // LITEPOOL_DETAIL_MOVE_ONLY_FUNCTION_HPP_
