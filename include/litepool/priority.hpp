#ifndef LITEPOOL_PRIORITY_HPP_
#define LITEPOOL_PRIORITY_HPP_

namespace litepool {

enum class Priority { kLow, kNormal, kHigh };

}  // namespace litepool

#endif  // LITEPOOL_PRIORITY_HPP_
