// litepool/detail/export.hpp — the language check and symbol visibility.
// Every public header includes this one first.
#ifndef LITEPOOL_DETAIL_EXPORT_HPP_
#define LITEPOOL_DETAIL_EXPORT_HPP_

// litepool needs C++20 (concepts, std::stop_token, designated initialisers).
// Compiled as C++17 or older, say so once and stop: the missing header below
// is a fatal error, so the compiler does not go on to report hundreds of
// errors about `concept` in the headers that follow. (MSVC reports
// __cplusplus as 199711L unless /Zc:__cplusplus; _MSVC_LANG is the real one.)
#if __cplusplus <= 201703L && (!defined(_MSVC_LANG) || _MSVC_LANG <= 201703L)
#error "litepool requires C++20 (compile with -std=c++20 or later)"
#include "litepool: stopped here: compile with -std=c++20"  // does not exist: ends compilation
#endif

// The library is compiled with hidden visibility; LITEPOOL_API marks what it
// exports (a linker version script also hides the standard-library template
// instantiations it uses). In a static library the attribute changes nothing
// for the program that links it. On Windows, where a DLL would need
// dllexport/dllimport, litepool is untested and the macro is empty.
#if defined(_WIN32)
#define LITEPOOL_API
#else
#define LITEPOOL_API __attribute__((visibility("default")))
#endif

#endif  // LITEPOOL_DETAIL_EXPORT_HPP_
