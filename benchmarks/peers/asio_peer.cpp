// benchmarks/peers/asio_peer.cpp — Boost.Asio thread_pool: post() per job.
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <memory>

#include "executor.hpp"

namespace litepool_bench {
namespace {

class AsioExecutor final : public Executor {
 public:
  explicit AsioExecutor(const ExecutorConfig& config) : pool_(config.workers) {}
  // join() without stop() first runs every outstanding handler.
  ~AsioExecutor() override { pool_.join(); }
  void Submit(Job job) override { boost::asio::post(pool_, job); }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace

std::unique_ptr<Executor> MakeAsio(const ExecutorConfig& config) {
  return std::make_unique<AsioExecutor>(config);
}

}  // namespace litepool_bench
