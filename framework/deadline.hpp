// DeadlineAfter / TimeLeft live in the public detail header (the front-ends
// use them and include only public headers); this name stays for the
// engine's includes.
#ifndef LITEPOOL_FRAMEWORK_DEADLINE_HPP_
#define LITEPOOL_FRAMEWORK_DEADLINE_HPP_

#include "litepool/detail/deadline.hpp"

#endif  // LITEPOOL_FRAMEWORK_DEADLINE_HPP_
