// kCacheLine: the unit of false sharing, for alignas on hot atomics.
#ifndef LITEPOOL_FRAMEWORK_CACHE_LINE_HPP_
#define LITEPOOL_FRAMEWORK_CACHE_LINE_HPP_

#include <cstddef>

namespace litepool::detail {

// Bytes per cache line on the x86-64 and most AArch64 cores we run on. Not
// std::hardware_destructive_interference_size: g++ warns that its value may
// differ between compilations (-Winterference-size), and this value is part
// of our types' layout.
inline constexpr std::size_t kCacheLine = 64;

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_CACHE_LINE_HPP_
