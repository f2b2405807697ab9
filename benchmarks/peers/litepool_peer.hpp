// benchmarks/peers/litepool_peer.hpp — the litepool adapter, exposed so the
// litepool-only variants (hooks, retries) use the same pool configuration.
#ifndef LITEPOOL_BENCHMARKS_PEERS_LITEPOOL_PEER_HPP_
#define LITEPOOL_BENCHMARKS_PEERS_LITEPOOL_PEER_HPP_

#include <memory>

#include "executor.hpp"
#include "litepool/litepool.hpp"

namespace litepool_bench {

class LitepoolExecutor final : public Executor {
 public:
  explicit LitepoolExecutor(const ExecutorConfig& config);
  ~LitepoolExecutor() override;
  void Submit(Job job) override;
  std::unique_ptr<Group> NewGroup(std::int64_t n) override;
  double Imbalance() const override;

  litepool::Pool& pool() noexcept { return pool_; }

 private:
  litepool::Pool pool_;
};

std::unique_ptr<Executor> MakeLitepool(const ExecutorConfig& config);

// Aborts with `what` and the error when `err` is an error (a benchmark must
// never silently drop tasks).
void CheckOk(const litepool::Error& err, const char* what);

}  // namespace litepool_bench

#endif  // LITEPOOL_BENCHMARKS_PEERS_LITEPOOL_PEER_HPP_
