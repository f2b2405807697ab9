// litepool/default_pool.hpp — DefaultPool(), the pool the front-ends use when
// they are given none (Alloter(), ErrGroup(), Map without MapOptions::pool).
//
//   litepool::DefaultPool().AddTask(litepool::TaskOptions().SetTask(Work));
//
// Created on first use with std::thread::hardware_concurrency() workers (at
// least 1) and a queue of 256 tasks per worker; its threads are named
// "default-<n>". The only global mutable state of litepool.
//
// Lifetime: the pool is intentionally never destroyed. It stays usable for
// the whole life of the process — also from destructors of static objects
// and from atexit handlers, in any order — because no destructor of ours
// joins its threads. The flip side: work still queued or running when the
// process exits is abandoned (never run, or stopped wherever it was) and its
// OnComplete / Done never happen. Wait for your groups before main returns,
// and do not Close() the default pool (later users would get kClosed).
#ifndef LITEPOOL_DEFAULT_POOL_HPP_
#define LITEPOOL_DEFAULT_POOL_HPP_

#include "litepool/detail/export.hpp"

#include "litepool/pool.hpp"

namespace litepool {

// The process-wide default pool; the first call creates it (thread-safe:
// concurrent first calls create one pool). Never throws after the first
// successful call; the first call may throw what Pool's constructor throws
// (std::system_error when no thread can be started).
LITEPOOL_API Pool& DefaultPool();

}  // namespace litepool

#endif  // LITEPOOL_DEFAULT_POOL_HPP_
