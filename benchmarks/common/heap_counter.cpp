// benchmarks/common/heap_counter.cpp — see heap_counter.hpp.
//
// malloc & co. are interposed by ELF symbol interposition (glibc documents
// replacing malloc this way) and forward to glibc's own __libc_* entry
// points, so every pointer still belongs to glibc's allocator and
// malloc_usable_size stays valid. Counters are relaxed: they are read only
// after the measured tasks have settled (the system's own synchronization
// orders them), and a relaxed RMW is the cheapest way to count from every
// thread.
#include "heap_counter.hpp"

#include <malloc.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <new>

extern "C" {
void* __libc_malloc(std::size_t size);
void __libc_free(void* ptr);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* ptr, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);
}

namespace {

constinit std::atomic<std::uint64_t> g_new_calls{0};
constinit std::atomic<std::uint64_t> g_heap_allocs{0};
constinit std::atomic<std::int64_t> g_live_bytes{0};

void* Counted(void* p) noexcept {
  if (p != nullptr) {
    g_heap_allocs.fetch_add(1, std::memory_order_relaxed);
    g_live_bytes.fetch_add(static_cast<std::int64_t>(malloc_usable_size(p)),
                           std::memory_order_relaxed);
  }
  return p;
}

void Uncount(void* p) noexcept {
  if (p != nullptr) {
    g_live_bytes.fetch_sub(static_cast<std::int64_t>(malloc_usable_size(p)),
                           std::memory_order_relaxed);
  }
}

void* NewImpl(std::size_t size) {
  g_new_calls.fetch_add(1, std::memory_order_relaxed);
  void* p = malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void* NewAlignedImpl(std::size_t size, std::align_val_t al) {
  g_new_calls.fetch_add(1, std::memory_order_relaxed);
  std::size_t a = static_cast<std::size_t>(al);
  if (a < sizeof(void*)) a = sizeof(void*);
  void* p = nullptr;
  if (posix_memalign(&p, a, size == 0 ? 1 : size) != 0) throw std::bad_alloc();
  return p;
}

}  // namespace

namespace litepool_bench {
std::uint64_t NewCalls() noexcept { return g_new_calls.load(std::memory_order_relaxed); }
std::uint64_t HeapAllocs() noexcept { return g_heap_allocs.load(std::memory_order_relaxed); }
std::int64_t LiveBytes() noexcept { return g_live_bytes.load(std::memory_order_relaxed); }
}  // namespace litepool_bench

// ---- malloc family -------------------------------------------------------
extern "C" {

void* malloc(std::size_t size) noexcept { return Counted(__libc_malloc(size)); }

void free(void* ptr) noexcept {
  Uncount(ptr);
  __libc_free(ptr);
}

void* calloc(std::size_t count, std::size_t size) noexcept {
  return Counted(__libc_calloc(count, size));
}

void* realloc(void* ptr, std::size_t size) noexcept {
  Uncount(ptr);
  void* q = __libc_realloc(ptr, size);
  if (q != nullptr) {
    Counted(q);
  } else if (ptr != nullptr && size != 0) {
    // Failed: the old block is still ours.
    g_live_bytes.fetch_add(static_cast<std::int64_t>(malloc_usable_size(ptr)),
                           std::memory_order_relaxed);
  }
  return q;
}

void* memalign(std::size_t alignment, std::size_t size) noexcept {
  return Counted(__libc_memalign(alignment, size));
}

void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
  return Counted(__libc_memalign(alignment, size));
}

int posix_memalign(void** out, std::size_t alignment, std::size_t size) noexcept {
  if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) {
    return EINVAL;
  }
  void* p = Counted(__libc_memalign(alignment, size));
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}

void* valloc(std::size_t size) noexcept { return Counted(__libc_memalign(4096, size)); }

}  // extern "C"

// ---- operator new / delete ------------------------------------------------
void* operator new(std::size_t size) { return NewImpl(size); }
void* operator new[](std::size_t size) { return NewImpl(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return NewImpl(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return NewImpl(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t size, std::align_val_t al) { return NewAlignedImpl(size, al); }
void* operator new[](std::size_t size, std::align_val_t al) { return NewAlignedImpl(size, al); }
void* operator new(std::size_t size, std::align_val_t al, const std::nothrow_t&) noexcept {
  try {
    return NewAlignedImpl(size, al);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, std::align_val_t al, const std::nothrow_t&) noexcept {
  try {
    return NewAlignedImpl(size, al);
  } catch (...) {
    return nullptr;
  }
}

void operator delete(void* p) noexcept { free(p); }
void operator delete[](void* p) noexcept { free(p); }
void operator delete(void* p, std::size_t) noexcept { free(p); }
void operator delete[](void* p, std::size_t) noexcept { free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { free(p); }
void operator delete(void* p, std::align_val_t) noexcept { free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { free(p); }
