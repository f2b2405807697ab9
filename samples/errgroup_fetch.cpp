// Go's errgroup (golang.org/x/sync) as an errgroup article tests it, with
// fake URLs:
//   TestWaitGroup  var g errgroup.Group: all fetched, Wait returns nil;
//   TestErrHandle  one URL fails: Wait returns the first error;
//   TestCancel     errgroup.WithContext: the failure stops the others' ctx
//                  (also the "使用" (usage) example of a second article);
//   TestLimitGNum  g.SetLimit(2): never more than 2 fetches at once;
// and an extension x/sync lacks, collecting every error: g.Errors().
#include <litepool/litepool.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

std::atomic<int> in_flight{0};
std::atomic<int> most_in_flight{0};

// Go: http.Get(url). 10 ms a page, 300 ms for "slow" hosts; ".bad" hosts
// fail. Gives up when ctx is stopped, like a request with a context.
litepool::Error HttpGet(const std::string& url, std::stop_token ctx) {
  const int now = ++in_flight;
  for (int seen = most_in_flight; now > seen;) {
    if (most_in_flight.compare_exchange_weak(seen, now)) break;
  }
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  const auto latency = url.find("slow") != std::string::npos ? 300ms : 10ms;
  cv.wait_for(lock, ctx, latency, [] { return false; });
  --in_flight;
  if (ctx.stop_requested()) {
    return litepool::Error("Get " + url + ": context canceled", litepool::ErrorCode::kCancelled);
  }
  if (url.find(".bad") != std::string::npos) {
    return litepool::Error("Get " + url + ": no such host");
  }
  return litepool::Error();
}

// Go: fmt.Println("Successfully fetched all URLs.") or, on an error,
// "Failured fetched all URLs."
void Report(const char* test, const litepool::Error& err) {
  std::cout << test << ": ";
  if (err) {
    std::cout << "could not fetch every URL; Wait returned the first error: " << err << "\n";
  } else {
    std::cout << "fetched every URL; Wait returned no error\n";
  }
}

}  // namespace

int main() {
  const std::vector<std::string> urls = {
      "http://www.golang.org/", "http://www.google.com/", "http://www.somestupidname.com/"};

  {  // TestWaitGroup
    litepool::ErrGroup g;
    for (const std::string& url : urls) {
      g.Go([&url](std::stop_token ctx) { return HttpGet(url, ctx); });
    }
    Report("TestWaitGroup (3 good URLs)", g.Wait());
  }

  {  // TestErrHandle
    std::vector<std::string> some_bad = urls;
    some_bad.push_back("http://www.error.bad/");
    litepool::ErrGroup g;
    for (const std::string& url : some_bad) {
      g.Go([&url](std::stop_token ctx) { return HttpGet(url, ctx); });
    }
    Report("TestErrHandle (3 good URLs, 1 bad)", g.Wait());
  }

  litepool::Pool pool(4, 16);  // four fetches at a time, whatever the cores

  {  // TestCancel: the fast failure cancels the three slow fetches.
    const std::vector<std::string> slow = {"http://slow.golang.org/", "http://slow.google.com/",
                                           "http://slow.example.com/", "http://fast.bad/"};
    auto group = litepool::ErrGroup::WithContext(pool);  // Go: errgroup.WithContext
    for (const std::string& v : slow) {
      group.Go([&v](std::stop_token ctx) { return HttpGet(v, ctx); });
    }
    if (litepool::Error err = group.Wait()) std::cout << "TestCancel (3 slow, 1 failing): " << err << "\n";
    std::cout << "TestCancel: the other " << group.Errors().size() - 1 << " were cancelled\n";
  }

  {  // TestLimitGNum
    most_in_flight = 0;
    litepool::ErrGroup g(pool);
    g.SetLimit(2);
    for (int i = 0; i < 8; ++i) {
      g.Go([i](std::stop_token ctx) { return HttpGet("http://host" + std::to_string(i), ctx); });
    }
    Report("TestLimitGNum (8 URLs, limit 2)", g.Wait());
    std::cout << "TestLimitGNum: at most " << most_in_flight << " fetches at once\n";
  }

  {  // The extension: all errors, not only the first.
    litepool::ErrGroup g(pool);
    for (const char* url : {"http://a.bad/", "http://b.example/", "http://c.bad/"}) {
      g.Go([url](std::stop_token ctx) { return HttpGet(url, ctx); });
    }
    g.Wait();
    for (const litepool::Error& e : g.Errors()) std::cout << "Errors() of 2 bad, 1 good: " << e << "\n";
  }
  std::cout << "Summary: Wait returns the first error, WithContext stops the rest, SetLimit bounds "
               "the concurrency, Errors() keeps every error.\n";
}
