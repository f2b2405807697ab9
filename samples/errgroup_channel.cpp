// The Go errgroup article's "channel版本" (channel version): three goroutines
// send the results of funA, funB and funC into a channel of 3, and main
// receives three values. The article names its two problems: limiting the
// goroutines is tedious, and an error inside one blocks the receiver for
// ever. The same work with Map (results in input order, a limit, the first
// exception rethrown) and with ErrGroup (the first error comes back).
#include <litepool/litepool.hpp>

#include <condition_variable>
#include <deque>
#include <functional>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// Just enough of a Go channel for this sample.
template <class T>
class Chan {
 public:
  void Send(T v) {
    std::lock_guard lock(mu_);
    items_.push_back(std::move(v));
    cv_.notify_one();
  }
  T Receive() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !items_.empty(); });
    T v = std::move(items_.front());
    items_.pop_front();
    return v;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<T> items_;
};

using Fun = std::function<std::string()>;

std::string FunA() { return "result of funA"; }
std::string FunB() { return "result of funB"; }
std::string FunC() { return "result of funC"; }
std::string FunBroken() { throw std::runtime_error("funB: upstream returned 503"); }

}  // namespace

int main() {
  // The channel version: res_ch := make(chan interface{}, 3); go func() {...}()
  Chan<std::string> res_ch;
  for (Fun fun : {FunA, FunB, FunC}) {
    litepool::DefaultPool().AddTask(
        litepool::TaskOptions().SetTask([&res_ch, fun] { res_ch.Send(fun()); }));
  }
  std::vector<std::string> res;
  for (int i = 0; i < 3; ++i) res.push_back(res_ch.Receive());  // arrival order
  std::cout << "channel version: received " << res.size() << " results, in arrival order\n";
  // Had one of them thrown, the third Receive() would wait forever.

  // Map: the same three calls, results in input order, at most 2 at once.
  const std::vector<Fun> funs = {FunA, FunB, FunC};
  const std::vector<std::string> in_order = litepool::Map(
      funs, [](const Fun& fun) { return fun(); }, litepool::MapOptions{.concurrency = 2});
  for (const std::string& r : in_order) std::cout << "Map: " << r << "\n";

  // With a failing call, Map rethrows its exception instead of blocking.
  try {
    litepool::Map(std::vector<Fun>{FunA, FunBroken, FunC},
                  [](const Fun& fun) { return fun(); });
  } catch (const std::exception& e) {
    std::cout << "Map threw: " << e.what() << "\n";
  }

  // ErrGroup: each function fills its own slot; Wait returns the first error.
  std::vector<std::string> slots(3);
  const std::vector<Fun> with_error = {FunA, FunBroken, FunC};
  litepool::ErrGroup g;
  for (std::size_t i = 0; i < with_error.size(); ++i) {
    g.Go([&slots, &with_error, i] { slots[i] = with_error[i](); });
  }
  if (litepool::Error err = g.Wait()) std::cout << "ErrGroup Wait() returned: " << err << "\n";
  std::cout << "Summary: a channel blocks for ever on a failed sender; Map and ErrGroup return "
               "the results or the first error.\n";
}
