// Thread-safety annotations: clang's capability attributes, checked by
// `clang++ -Wthread-safety` (scripts/test builds the library and the tests
// that way once, with -Werror). Other compilers see nothing.
//
//   Mutex mu_;
//   int count_ LITEPOOL_GUARDED_BY(mu_);            // read or written only under mu_
//   void Bump() LITEPOOL_REQUIRES(mu_);             // the caller holds mu_
//   void Flush() LITEPOOL_EXCLUDES(mu_);            // the caller must not hold mu_
//
// The analysis is local to a function and knows only annotated types: lock
// mutexes through litepool/detail/mutex.hpp (Mutex, MutexLock), never through
// std::lock_guard on a std::mutex, or nothing is checked.
#ifndef LITEPOOL_DETAIL_THREAD_ANNOTATIONS_HPP_
#define LITEPOOL_DETAIL_THREAD_ANNOTATIONS_HPP_

#if defined(__clang__)
#define LITEPOOL_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define LITEPOOL_THREAD_ANNOTATION(x)
#endif

// On a class: its objects are locks (a capability named `name`).
#define LITEPOOL_CAPABILITY(name) LITEPOOL_THREAD_ANNOTATION(capability(name))
// On a class: an RAII object that holds a capability for its lifetime.
#define LITEPOOL_SCOPED_CAPABILITY LITEPOOL_THREAD_ANNOTATION(scoped_lockable)
// On a data member: accessed only while `mu` is held.
#define LITEPOOL_GUARDED_BY(mu) LITEPOOL_THREAD_ANNOTATION(guarded_by(mu))
// On a pointer member: the pointee is accessed only while `mu` is held.
#define LITEPOOL_PT_GUARDED_BY(mu) LITEPOOL_THREAD_ANNOTATION(pt_guarded_by(mu))
// On a function: the caller must hold the capabilities.
#define LITEPOOL_REQUIRES(...) LITEPOOL_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
// On a function: the caller must not hold them (the function takes them).
#define LITEPOOL_EXCLUDES(...) LITEPOOL_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// On a function: it acquires / releases the capabilities.
#define LITEPOOL_ACQUIRE(...) LITEPOOL_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define LITEPOOL_RELEASE(...) LITEPOOL_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define LITEPOOL_ACQUIRE_SHARED(...) \
  LITEPOOL_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define LITEPOOL_TRY_ACQUIRE(...) LITEPOOL_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
// On a function: returns a reference to the capability it names.
#define LITEPOOL_RETURN_CAPABILITY(x) LITEPOOL_THREAD_ANNOTATION(lock_returned(x))
// On a function: the analysis does not look inside (say why at each use).
#define LITEPOOL_NO_THREAD_SAFETY_ANALYSIS LITEPOOL_THREAD_ANNOTATION(no_thread_safety_analysis)

#endif  // LITEPOOL_DETAIL_THREAD_ANNOTATIONS_HPP_
