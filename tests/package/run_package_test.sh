#!/usr/bin/env bash
# The Debian package, as an operator gets it: builds breakwater_<version>_<arch>.deb with
# CPack from build/release, installs it with apt-get, checks the installed unit with
# systemd-analyze verify (its ExecStart binary and its man page must exist), runs the installed
# program (--version, port 443, --check-config on the shipped conffile, and `serve` on loopback
# in a network namespace of its own, so no port of the machine is taken), then purges it.
# The package is purged and the namespace's server stopped even when a step fails.
# Needs root; run from the repo root after a release build.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build/release}
[ "$(id -u)" -eq 0 ] || { echo "package test: needs root (apt-get install)" >&2; exit 1; }
if dpkg-query -W -f='${Status}' breakwater 2>/dev/null | grep -q 'install ok installed'; then
  echo "package test: a breakwater package is installed already; it would be replaced and" \
    "purged: remove it first (apt-get purge breakwater)" >&2
  exit 1
fi

WORK=$(mktemp -d /tmp/bw-package.XXXXXX)
installed=0
cleanup() {
  if [ "$installed" = 1 ]; then
    apt-get purge -y -q -o DPkg::Lock::Timeout=120 breakwater >"$WORK/purge.log" 2>&1 ||
      cat "$WORK/purge.log" >&2
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
step() { printf '  %s (%d s)\n' "$*" "$SECONDS"; }

step "cpack"
rm -f "$BUILD"/breakwater_*.deb
(cd "$BUILD" && cpack -G DEB >"$WORK/cpack.log" 2>&1) || { cat "$WORK/cpack.log" >&2; exit 1; }
deb=$(ls "$BUILD"/breakwater_*_"$(dpkg --print-architecture)".deb)
echo "    $deb: Depends: $(dpkg-deb -f "$deb" Depends)"
dpkg-deb -f "$deb" Depends | grep -q libc6 || { echo "no shared-library dependencies" >&2; exit 1; }
dpkg-deb -I "$deb" conffiles | grep -qx /etc/breakwater/breakwater.toml ||
  { echo "/etc/breakwater/breakwater.toml is not a conffile" >&2; exit 1; }

step "apt-get install ./$deb"
installed=1
apt-get install -y -q -o DPkg::Lock::Timeout=120 "./$deb" >"$WORK/install.log" 2>&1 ||
  { cat "$WORK/install.log" >&2; exit 1; }
for f in /usr/bin/breakwater /usr/share/breakwater/data/iana/service-names-port-numbers.csv \
  /etc/breakwater/breakwater.toml /lib/systemd/system/breakwater.service \
  /usr/share/man/man1/breakwater.1 /usr/share/doc/breakwater/copyright \
  /usr/share/doc/breakwater/README.md; do
  [ -e "$f" ] || { echo "the package did not install $f" >&2; exit 1; }
done

step "systemd-analyze verify breakwater.service"
systemd-analyze verify /lib/systemd/system/breakwater.service

step "the installed program"
/usr/bin/breakwater --version
# The data must come from /usr/share/breakwater/data, not from the source tree.
page=$(cd / && env -u BREAKWATER_DATA /usr/bin/breakwater port 443)
echo "${page%%$'\n'*}"
/usr/bin/breakwater serve --config /etc/breakwater/breakwater.toml --check-config

step "breakwater serve on loopback (own network namespace)"
cat >"$WORK/smoke.sh" <<'SMOKE'
set -euo pipefail
ip link set lo up
/usr/bin/breakwater serve --http 127.0.0.1:8080 --https 127.0.0.1:8443 --state-dir "$1/state" \
  --threads 1 --log-level warn >"$1/serve.log" 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q listening "$1/serve.log" && break; sleep 0.05; done
curl -sf --max-time 5 http://127.0.0.1:8080/port/443 | grep -q 'HTTP over TLS'
curl -sfk --max-time 5 https://127.0.0.1:8443/healthz >/dev/null
kill -TERM $serve
wait $serve
trap - EXIT
SMOKE
if ! unshare --net bash "$WORK/smoke.sh" "$WORK"; then
  echo "serve smoke test failed; its log:" >&2
  cat "$WORK/serve.log" >&2
  exit 1
fi
echo "    served /port/443 over HTTP and /healthz over HTTPS, stopped on SIGTERM"

step "apt-get purge breakwater"
installed=0
apt-get purge -y -q -o DPkg::Lock::Timeout=120 breakwater >"$WORK/purge.log" 2>&1 ||
  { cat "$WORK/purge.log" >&2; exit 1; }
[ ! -e /usr/bin/breakwater ] && [ ! -e /etc/breakwater/breakwater.toml ] ||
  { echo "purge left files behind" >&2; exit 1; }
echo "package test: passed ($SECONDS s)"
