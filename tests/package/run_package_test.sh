#!/usr/bin/env bash
# The Debian package, as an operator gets it: builds breakwater_<version>_<arch>.deb with
# CPack from build/release, checks its maintainer scripts (maintainer_scripts_test.sh: the
# calls they make under systemd), installs it with apt-get, checks the installed unit with
# systemd-analyze verify (its ExecStart binary and its man page must exist), runs the installed
# program (--version, port 443, --check-config on the shipped conffile, a start refused with
# exit 2, and `serve` on loopback in a network namespace of its own, so no port of the
# machine is taken), enables the unit, upgrades over it (the same package again), makes the
# state directory a run would, then purges it: nothing of it may stay, the enable symlink
# and the state included. Here systemd is not init (a container, CI): the scripts must
# succeed without it.
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
# What the test makes and a purge removes; someone else's would be lost.
enabled_link=/etc/systemd/system/multi-user.target.wants/breakwater.service
for f in "$enabled_link" /var/lib/breakwater /var/lib/private/breakwater; do
  if [ -e "$f" ] || [ -L "$f" ]; then
    echo "package test: $f exists; a purge of the package would remove it" >&2
    exit 1
  fi
done

WORK=$(mktemp -d /tmp/bw-package.XXXXXX)
installed=0
# /var/lib/private is systemd's (made at the first start of a DynamicUser= service); the test
# removes it again only if it made it.
made_private=0
[ -d /var/lib/private ] || made_private=1
cleanup() {
  if [ "$installed" = 1 ]; then
    apt-get purge -y -q -o DPkg::Lock::Timeout=120 breakwater >"$WORK/purge.log" 2>&1 ||
      cat "$WORK/purge.log" >&2
  fi
  # Whatever a failed purge left of what the test made.
  rm -f "$enabled_link"
  rm -rf /var/lib/breakwater /var/lib/private/breakwater
  if [ "$made_private" = 1 ]; then rmdir /var/lib/private 2>/dev/null || true; fi
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
dpkg-deb -f "$deb" Depends | grep -q init-system-helpers ||
  { echo "no dependency on init-system-helpers (the maintainer scripts use it)" >&2; exit 1; }
# The maintainer scripts, as the package holds them: present and executable.
dpkg-deb -e "$deb" "$WORK/control"
for script in postinst prerm postrm; do
  [ -x "$WORK/control/$script" ] && dpkg-deb -I "$deb" "$script" | grep -q breakwater.service ||
    { echo "the package has no executable $script for breakwater.service" >&2; exit 1; }
done

step "maintainer scripts under systemd (stubs, a mount namespace each)"
tests/package/maintainer_scripts_test.sh "$WORK/control"

step "apt-get install ./$deb"
installed=1
apt-get install -y -q -o DPkg::Lock::Timeout=120 "./$deb" >"$WORK/install.log" 2>&1 ||
  { cat "$WORK/install.log" >&2; exit 1; }
for f in /usr/bin/breakwater /usr/share/breakwater/data/iana/service-names-port-numbers.csv \
  /etc/breakwater/breakwater.toml /lib/systemd/system/breakwater.service \
  /usr/share/man/man1/breakwater.1.gz /usr/share/doc/breakwater/copyright \
  /usr/share/doc/breakwater/changelog.Debian.gz /usr/share/doc/breakwater/README.md; do
  [ -e "$f" ] || { echo "the package did not install $f" >&2; exit 1; }
done
# Debian policy 12.1 and 12.7: compressed, and the changelog names the package's version.
version=$(dpkg-query -W -f='${Version}' breakwater)
zcat /usr/share/doc/breakwater/changelog.Debian.gz | head -1 | grep -qF "breakwater ($version)" ||
  { echo "changelog.Debian.gz does not start with version $version" >&2; exit 1; }
man -l /usr/share/man/man1/breakwater.1.gz 2>/dev/null | grep -q 'breakwater' ||
  { echo "the installed man page does not read" >&2; exit 1; }
# Installed, not enabled: the configuration needs editing before a start.
[ ! -L "$enabled_link" ] || { echo "the install enabled breakwater.service" >&2; exit 1; }

step "systemd-analyze verify breakwater.service"
systemd-analyze verify /lib/systemd/system/breakwater.service

step "the installed program"
/usr/bin/breakwater --version
# The data must come from /usr/share/breakwater/data, not from the source tree.
page=$(cd / && env -u BREAKWATER_DATA /usr/bin/breakwater port 443)
echo "${page%%$'\n'*}"
/usr/bin/breakwater serve --config /etc/breakwater/breakwater.toml --check-config
# A configuration error exits 2 at start, which the unit does not restart. Never bound: the
# certificate is read first.
grep -qx 'RestartPreventExitStatus=2' /lib/systemd/system/breakwater.service ||
  { echo "the unit restarts on a configuration error" >&2; exit 1; }
status=0
/usr/bin/breakwater serve --config /etc/breakwater/breakwater.toml --http off \
  --https 127.0.0.1:1 --cert /nonexistent.pem --key /nonexistent.pem 2>/dev/null || status=$?
[ "$status" = 2 ] || { echo "serve with a missing certificate exited $status, not 2" >&2; exit 1; }

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

step "systemctl enable breakwater, then an upgrade (the same package again)"
# Without systemd as init systemctl enable works on the files alone, as an operator's would.
systemctl enable breakwater.service >"$WORK/enable.log" 2>&1 ||
  { cat "$WORK/enable.log" >&2; exit 1; }
[ -L "$enabled_link" ] || { echo "systemctl enable made no $enabled_link" >&2; exit 1; }
apt-get install -y -q -o DPkg::Lock::Timeout=120 --reinstall "./$deb" >"$WORK/upgrade.log" 2>&1 ||
  { cat "$WORK/upgrade.log" >&2; exit 1; }
[ -L "$enabled_link" ] || { echo "the upgrade disabled breakwater.service" >&2; exit 1; }

# The state a start of the unit leaves (StateDirectory= with DynamicUser=yes): the directory
# in /var/lib/private, /var/lib/breakwater a symlink to it, the self-signed key inside.
[ -d /var/lib/private ] || mkdir -m 0700 /var/lib/private
mkdir -m 0700 /var/lib/private/breakwater
touch /var/lib/private/breakwater/key.pem
ln -s private/breakwater /var/lib/breakwater

step "apt-get purge breakwater"
installed=0
apt-get purge -y -q -o DPkg::Lock::Timeout=120 breakwater >"$WORK/purge.log" 2>&1 ||
  { cat "$WORK/purge.log" >&2; exit 1; }
[ ! -e /usr/bin/breakwater ] && [ ! -e /etc/breakwater/breakwater.toml ] ||
  { echo "purge left files behind" >&2; exit 1; }
left=$(find /etc/systemd/system /var/lib/systemd/deb-systemd-helper-enabled -name 'breakwater*' \
  2>/dev/null || true)
[ -z "$left" ] || { printf 'purge left the unit enabled:\n%s\n' "$left" >&2; exit 1; }
for f in /var/lib/breakwater /var/lib/private/breakwater; do
  [ ! -e "$f" ] && [ ! -L "$f" ] || { echo "purge left $f (the private key)" >&2; exit 1; }
done
echo "    no enable symlink, no state directory"
echo "package test: passed ($SECONDS s)"
