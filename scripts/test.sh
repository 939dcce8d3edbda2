#!/usr/bin/env bash
# Installs what is needed, builds and runs every test: the unit and CLI tests (under
# ASan+UBSan; the threaded ones under TSan too), the web end-to-end tests (release,
# ASan+UBSan and TSan), the browser tests (the scan pages on the network test bed), the data check,
# the end-to-end probe tests on the network test bed (root), the scan service e2e (20
# visitor namespaces), `breakwater nat` behind miniupnpd (public, CGNAT, double NAT),
# `breakwater reach` through a router's port forwards (and carrier-grade NAT), UDP probes of
# a home router namespace with real daemons (dnsmasq, snmpd, memcached, chrony), the proxy
# e2e (nginx and HAProxy in front of the server), the cluster e2e (HAProxy in front of
# three nodes), the server as an unprivileged user with only its two capabilities, the
# Debian package (built, installed, verified, smoke-tested, purged), the fuzz targets for a
# short smoke run, and the format check.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tools

step() { printf '\n=== %s (at %d s)\n' "$*" "$SECONDS"; }

# Every unit test runs under ASan+UBSan below (the threaded ones under TSan too), so the
# release tree builds only what the end-to-end tests, the package and the benchmarks run,
# and the scan service's tests, whose memory bounds only hold without a sanitizer; the
# package then installs what is built without building the rest.
step "release build (the program, the test bed's helpers, the benchmarks, the service tests)"
release_targets=(breakwater bw_link_relay bw_visitor_services bw_db_bench bw_engine_bench
  bw_probe_bench bw_icmp_sweep bw_scan_tests)
cmake --preset release -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON >/dev/null
cmake --build --preset release --target "${release_targets[@]}"

# The sanitizer builds go on in the background while the tests below mostly wait on packets
# and timers (niced, so those tests' timing is not disturbed). The ASan+UBSan tree (clang)
# also holds the fuzz targets, so the libraries compile once for both; its tests and then
# the fuzz smoke run go on as soon as it is built, while ThreadSanitizer's tree compiles
# (clang at -O0 too, which compiles it fastest; the TSan tests are not slower for it).
step "ASan+UBSan (with the fuzz targets) and TSan builds, in the background"
# The test programs whose code runs on several threads: the database loader (its parsing
# threads), the scan service and its API (the probe engine's own thread beside its callers;
# the API's event streams), the web layer (sessions, streams, TLS reload on loopback), the
# probers on loopback (their tests answer and sniff from threads of their own), and the
# program itself (its web workers, probe thread and reloads, under web_e2e and reload_e2e:
# the `program` label). The others run on one thread, where ThreadSanitizer has nothing to
# find.
tsan_targets=(bw_db_tests bw_scan_tests bw_scan_api_tests bw_http_loopback_tests
  bw_probe_loopback_tests breakwater)
tsan_labels=(bw_db_tests bw_scan_tests bw_scan_api_tests bw_http_loopback_tests
  bw_probe_loopback_tests program)
mkdir -p build
rm -f build/asan-built
# Its own process group (set -m), so that a run that stops early stops it too (the trap).
# Not its own session (setsid): the kernel's autogroups would then give it the same share
# of the CPU as the tests whatever its nice level, and slow them.
set -m
nice -n 19 bash -c 'cmake --preset asan >/dev/null && cmake --build --preset asan &&
  touch build/asan-built && cmake --preset tsan >/dev/null &&
  cmake --build --preset tsan --target '"${tsan_targets[*]}"'' \
  >build/background.log 2>&1 &
background=$!
set +m
trap 'kill -- -"$background" 2>/dev/null || true' EXIT
background_failed() {
  tail -n 60 build/background.log
  echo "the background builds failed (whole log: build/background.log)" >&2
  exit 1
}

step "release tests (the scan service; the program's: web, certificate reload, limits, man page)"
ctest --preset release -j 2 -L '^(bw_scan_tests|program|scripts)$'

step "browser test (Debian chromium + playwright-core)"
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
node tests/browser/web_browser.mjs build/breakwater data build/release/tests/browser

step "scan pages in the browser on the network test bed (root)"
tests/browser/run_scan_browser.sh build/release/tests/browser/scan
tests/browser/run_dual_browser.sh build/release/tests/browser/dual

step "data check"
build/breakwater db check | tail -n 1

step "end-to-end probe tests on the network test bed (namespaces, real packets)"
tests/e2e/run_e2e.sh

step "end-to-end scan service tests (20 visitor namespaces, the JSON API)"
tests/e2e/run_scan_e2e.sh

step "end-to-end NAT diagnosis (router namespace with miniupnpd; public, CGNAT, double NAT; hairpin)"
tests/e2e/run_nat_e2e.sh

step "end-to-end reach test (a router forwarding TCP and UDP to a LAN host; --listen, --watch, no forward, CGNAT)"
tests/e2e/run_reach_e2e.sh

step "end-to-end UDP probes (a home router namespace: real daemons, port forwards, refusals, NAT)"
tests/e2e/run_udp_e2e.sh

step "end-to-end selfcheck (both families of one name, a port opened, the webhook, HTTPS)"
tests/e2e/run_selfcheck_e2e.sh

step "end-to-end proxy tests (nginx and HAProxy in front; spoofs, bystander and loopback counters)"
tests/e2e/run_proxy_e2e.sh

step "end-to-end cluster tests (HAProxy in front of three nodes; stickiness, a node killed mid-run)"
tests/e2e/run_cluster_e2e.sh

step "unprivileged server e2e (a system user with CAP_NET_RAW and CAP_NET_BIND_SERVICE only)"
tests/e2e/run_unprivileged_e2e.sh

step "Debian package (cpack; install, systemd-analyze verify, installed program, purge)"
tests/package/run_package_test.sh

step "GCC's front end over the test sources the release tree did not compile"
# clang compiles them under the sanitizers; this keeps a developer's full GCC build, which
# warns where clang does not, free of errors too.
scripts/gcc_syntax_check.py build/release -j 2

step "waiting for the ASan+UBSan build"
while [ ! -e build/asan-built ]; do
  kill -0 "$background" 2>/dev/null || { wait "$background" || background_failed; break; }
  sleep 2
done

step "ASan+UBSan tests"
# The two memory-budget tests of the scan service (100,000 checks; many scans of many
# holders: 140 s under ASan) ran in the release tests, where the first also bounds the
# process's memory; the other service tests cross the same code under ASan.
ctest --preset asan -j 2 -E "hundred_thousand|many_scans_of_many_holders"

step "fuzz smoke run (each target for 1 s of wall-clock time, while TSan's tree compiles)"
scripts/fuzz.sh 1 | grep -E '^fuzz: |stat::new_units_added'

step "waiting for the TSan build"
wait "$background" || background_failed

step "ThreadSanitizer tests (${tsan_labels[*]})"
# Only the programs built above; the two memory-budget tests are left to the release run
# here too (minutes under TSan; the other service tests cross the same threads). The preset
# stops a process at its first race (halt_on_error): a server under web_e2e then dies, and
# the requests after it fail.
ctest --preset tsan -j 2 -L "^($(IFS='|'; echo "${tsan_labels[*]}"))\$" \
  -E "hundred_thousand|many_scans_of_many_holders"

step "format check"
scripts/format.sh --check

step "all tests passed"
