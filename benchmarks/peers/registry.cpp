// benchmarks/peers/registry.cpp — which systems this binary compares.
// litepool and the moodycamel ceiling are always built; each peer exists
// only when meson found it (LITEPOOL_BENCH_HAVE_*).
#include "executor.hpp"
#include "litepool_peer.hpp"

namespace litepool_bench {

#if LITEPOOL_BENCH_HAVE_TBB
std::unique_ptr<Executor> MakeTbb(const ExecutorConfig& config);
#endif
#if LITEPOOL_BENCH_HAVE_ASIO
std::unique_ptr<Executor> MakeAsio(const ExecutorConfig& config);
#endif
#if LITEPOOL_BENCH_HAVE_RVASER
std::unique_ptr<Executor> MakeRvaser(const ExecutorConfig& config);
#endif
std::unique_ptr<Executor> MakeCeiling(const ExecutorConfig& config);

const std::vector<System>& Systems() {
  static const std::vector<System> systems = [] {
    std::vector<System> s;
    s.push_back({"litepool", &MakeLitepool, /*has_group=*/true,
                 /*allocations_visible=*/true});
#if LITEPOOL_BENCH_HAVE_TBB
    s.push_back({"tbb", &MakeTbb, true, false});
#endif
#if LITEPOOL_BENCH_HAVE_ASIO
    s.push_back({"asio", &MakeAsio, false, true});
#endif
#if LITEPOOL_BENCH_HAVE_RVASER
    s.push_back({"rvaser", &MakeRvaser, false, true});
#endif
    s.push_back({"ceiling", &MakeCeiling, false, true});
    return s;
  }();
  return systems;
}

}  // namespace litepool_bench
