// benchmarks/common/heap_counter.hpp — process-wide allocation counters for
// memory_bench only (linking heap_counter.cpp replaces operator new/delete
// and interposes malloc/free for the whole binary).
//
// Two layers, both relaxed atomic counters:
//   NewCalls()   every global operator new (all forms): what the allocation target
//                means by "allocations per task" for C++ code;
//   HeapAllocs() every malloc-family call, operator new included, so
//                allocations that bypass operator new (moodycamel's blocks
//                use std::malloc) are seen too;
//   LiveBytes()  bytes currently allocated (malloc_usable_size), for
//                "bytes per queued task".
// Not seen: memory a library maps itself (oneTBB's tbbmalloc).
#ifndef LITEPOOL_BENCHMARKS_COMMON_HEAP_COUNTER_HPP_
#define LITEPOOL_BENCHMARKS_COMMON_HEAP_COUNTER_HPP_

#include <cstdint>

namespace litepool_bench {

std::uint64_t NewCalls() noexcept;
std::uint64_t HeapAllocs() noexcept;
std::int64_t LiveBytes() noexcept;

}  // namespace litepool_bench

#endif  // LITEPOOL_BENCHMARKS_COMMON_HEAP_COUNTER_HPP_
