// Writes sample traces for scripts/test.d/50-trace, which checks them with
// real parsers (Python's json and xml.etree) and renders the SVGs with a
// headless browser:
//   trace_writer DIR  ->  DIR/small.json, DIR/small.svg  (1,000 tasks, 5 busy
//                         workers and an idle sixth), DIR/large.svg
//                         (1,000,000 attempts on 8 workers, aggregated)
#include <chrono>
#include <fstream>
#include <iostream>
#include <string>

#include "litepool/trace.hpp"
#include "trace_sample.hpp"

namespace {

bool Write(const std::string& path, const litepool::Trace& trace, bool svg) {
  std::ofstream out(path, std::ios::binary);
  if (svg) {
    trace.WriteSvg(out);
  } else {
    trace.WriteChromeJson(out);
  }
  out.close();
  if (!out) std::cerr << "trace_writer: cannot write " << path << "\n";
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: trace_writer DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  using std::chrono::microseconds;
  const litepool::Trace small(litepool::testing::SampleEvents(1000, 5, microseconds(1)), 3, 6);
  const litepool::Trace large(litepool::testing::SampleEvents(980'000, 8, microseconds(1)), 0, 8);
  const bool ok = Write(dir + "/small.json", small, false) &&
                  Write(dir + "/small.svg", small, true) && Write(dir + "/large.svg", large, true);
  return ok ? 0 : 1;
}
