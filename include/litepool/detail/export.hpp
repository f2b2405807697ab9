// litepool/detail/export.hpp — symbol visibility. The library is built with
// hidden visibility; LITEPOOL_API marks what it exports.
#ifndef LITEPOOL_DETAIL_EXPORT_HPP_
#define LITEPOOL_DETAIL_EXPORT_HPP_

#if defined(_WIN32)
#define LITEPOOL_API
#else
#define LITEPOOL_API __attribute__((visibility("default")))
#endif

#endif  // LITEPOOL_DETAIL_EXPORT_HPP_
