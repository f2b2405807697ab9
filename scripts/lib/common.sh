# Shared by scripts/demo, scripts/test and scripts/bench. Source it.

# The Debian packages the build and the test suites need (cmake: the
# find_package consumer test; doxygen: the docs target and check; chromium:
# the docs check's screenshots and layout).
LITEPOOL_BUILD_PACKAGES=(meson ninja-build g++ clang clang-format pkg-config libconcurrentqueue-dev
  libgtest-dev libgmock-dev libbenchmark-dev cmake doxygen
  libfuzzer-14-dev libclang-rt-14-dev  # libFuzzer and its runtimes: scripts/fuzz
  prometheus-cpp-dev python3-prometheus-client curl  # litepool_prometheus, its checks
  chromium)  # screenshots: the docs, the lab's HTML page, the trace SVGs
# What scripts/demo needs: the library, the samples (the metrics sample
# with prometheus-cpp), and doxygen for the docs target.
LITEPOOL_DEMO_PACKAGES=(meson ninja-build g++ pkg-config libconcurrentqueue-dev doxygen
  prometheus-cpp-dev)

# ensure_packages PKG...: installs the missing ones with apt-get (as root),
# or says the exact command to run and fails.
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]}" >&2
    echo "run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    apt-get update >/dev/null 2>&1 || true
    apt-get install -y --no-install-recommends "${missing[@]}" >&2 || return 1
  fi
}

# jobs: parallel compile jobs (LITEPOOL_JOBS overrides).
jobs() { echo "${LITEPOOL_JOBS:-$(nproc 2>/dev/null || echo 2)}"; }
