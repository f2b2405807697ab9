// The Go alloter README's "Demo!!!": a handler fetches users by id with
// NewCtrlAlloter(1) + ExecWithContext and answers 200 with the users, 500 on
// an error. Then a client that goes away (context cancel), a failing id, 100
// failing calls on one limit-1 alloter (Go's CtrlAlloter leaks a slot per
// error and hangs there), and the three constructors of "init Alloter".
#include <litepool/litepool.hpp>

#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

struct User {
  std::string id;
  std::string name;
};

std::atomic<int> fetched{0};
std::stop_source* client = nullptr;  // the request of the "client gone" case

// Go: third_parts.GetUserById(uid) (User, error). Takes 2 ms.
litepool::Error GetUserById(const std::string& uid, User& user) {
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ++fetched;
  if (uid == "uuid_gone" && client != nullptr) client->request_stop();
  if (uid == "uuid_bad") return litepool::Error("user " + uid + " not found");
  user = User{uid, "name of " + uid};
  return litepool::Error();
}

std::string ToJson(const std::vector<User>& users) {
  std::string out;
  for (const User& u : users) out += ",{\"id\":\"" + u.id + "\",\"name\":\"" + u.name + "\"}";
  return "[" + (out.empty() ? out : out.substr(1)) + "]";
}

// Go: ctx.JSON(status, users) / ctx.JSON(status, err.Error()).
std::string Reply(int status, const std::vector<User>& users) {
  return std::to_string(status) + " " + ToJson(users);
}
std::string Reply(int status, const litepool::Error& err) {
  return std::to_string(status) + " \"" + err.ToString() + "\"";
}

// Go: func (that *Controller) TestGoRunLock(ctx echo.Context).
std::string TestGoRunLock(const std::vector<std::string>& user_ids,
                          std::stop_token request) {
  std::vector<litepool::AlloterTask> tasks;
  std::vector<User> users;
  std::mutex mux;
  for (const std::string& uid : user_ids) {
    tasks.push_back([&, uid]() -> litepool::Error {
      User user;
      if (litepool::Error err = GetUserById(uid, user)) return err;
      std::lock_guard lock(mux);
      users.push_back(user);
      return litepool::Error();
    });
  }
  auto p = litepool::Alloter::WithLimit(1);
  if (litepool::Error err = p.ExecWithContext(request, tasks)) return Reply(500, err);
  return Reply(200, users);
}

// The client hangs up while uuid_gone is fetched: the rest never start.
void ClientGoesAway() {
  std::stop_source request;  // Go: the request's context, cancelled mid-way
  client = &request;
  fetched = 0;
  std::cout << "client went away: "
            << TestGoRunLock({"uuid_1", "uuid_gone", "uuid_3", "uuid_4"}, request.get_token())
            << "  (fetched " << fetched << " of 4)\n";
  client = nullptr;
}

}  // namespace

int main() {
  std::stop_token request;  // Go: ctx.Request().Context(), never cancelled here
  std::cout << "two good ids: " << TestGoRunLock({"uuid_1", "uuid_2"}, request) << "\n";
  ClientGoesAway();

  // The first error answers 500; the ids after it are not fetched.
  fetched = 0;
  std::cout << "first id unknown: " << TestGoRunLock({"uuid_bad", "uuid_2", "uuid_3"}, request)
            << "  (fetched " << fetched << " of 3)\n";

  // One limit-1 alloter, 100 failing calls, then a good one: no slot leaks.
  auto shared = litepool::Alloter::WithLimit(1);
  int failures = 0;
  for (int i = 0; i < 100; ++i) {
    if (shared.Exec([] { return litepool::Error("down"); }, [] {})) ++failures;
  }
  std::cout << "one limit-1 alloter: " << failures << " failed calls, then a good one: "
            << (shared.Exec([] {}) ? "failed" : "ok, no slot leaked") << "\n";

  // "init Alloter": the three constructors of the Go package.
  litepool::Pool pool(2, 16);
  litepool::Alloter simple;                         // Go: NewAlloter()
  auto ctrl = litepool::Alloter::WithLimit(2);      // Go: NewCtrlAlloter(2)
  auto pooled = litepool::Alloter::WithPool(pool);  // Go: NewPooledAlloter(2)
  const std::pair<const char*, const litepool::Alloter*> alloters[] = {
      {"NewAlloter()", &simple}, {"NewCtrlAlloter(2)", &ctrl}, {"NewPooledAlloter(2)", &pooled}};
  for (const auto& [name, a] : alloters) {
    std::atomic<int> ran{0};
    std::vector<litepool::AlloterTask> tasks(5, [&ran] { ++ran; return litepool::Error(); });
    const litepool::Error err = a->Exec(tasks);  // Go: c.Exec(&tasks)
    std::cout << "Go's " << name << ": " << ran << " of 5 functions ran, err = " << err << "\n";
  }
  std::cout << "Summary: the first error answers the request, the functions after it never "
               "start, and a failure never leaks the limit's slot.\n";
}
