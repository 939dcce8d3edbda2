#!/usr/bin/env bash
# The package's maintainer scripts as they run on a machine booted with systemd, which the
# package test's machine (a container, a CI runner) is not: each script runs in a mount
# namespace of its own, where a tmpfs on /run holds /run/systemd/system (systemd as init) and
# one on /var/lib holds a service's state, with systemctl, deb-systemd-helper and deb-systemd-invoke replaced
# by stubs that log their arguments. Checks the calls each dpkg action makes: install neither
# enables nor starts, upgrade restarts only a running service, remove stops it, purge removes
# the enable symlinks and the state directory.
# Usage: maintainer_scripts_test.sh DIR (postinst, prerm and postrm: packaging/, or the
# control directory of a built package). Needs root (unshare --mount).
set -euo pipefail
dir=$(cd "$1" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "maintainer scripts test: needs root (unshare --mount)" >&2; exit 1; }

work=$(mktemp -d /tmp/bw-maintscripts.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
for tool in systemctl deb-systemd-helper deb-systemd-invoke; do
  # BW_ENABLED=1: deb-systemd-helper says the unit was installed and enabled before.
  cat >"$work/bin/$tool" <<STUB
#!/bin/sh
echo "$tool \$*" >>"\$BW_CALLS"
case "\$1" in debian-installed | --quiet) [ "\${BW_ENABLED:-0}" = 1 ] || exit 1 ;; esac
exit 0
STUB
  chmod 0755 "$work/bin/$tool"
done

failures=0
# check WHAT ENABLED SCRIPT ARGS... EXPECTED: runs SCRIPT ARGS with systemd as init and
# compares the calls it made (one per line) with EXPECTED.
check() {
  local what=$1 enabled=$2 script=$3
  shift 3
  local expected=${*: -1}
  local args=("${@:1:$#-1}")
  : >"$work/calls"
  if ! BW_CALLS="$work/calls" BW_ENABLED=$enabled PATH="$work/bin:$PATH" \
    unshare --mount bash -euc '
      mount -t tmpfs tmpfs /run
      mkdir -p /run/systemd/system
      mount -t tmpfs tmpfs /var/lib
      mkdir -m 0700 /var/lib/private
      mkdir /var/lib/private/breakwater && touch /var/lib/private/breakwater/key.pem
      ln -s private/breakwater /var/lib/breakwater
      "$@"
      # What a purge leaves of the state (the tmpfs goes with the namespace).
      ls -A /var/lib /var/lib/private >"'"$work"'/state"
    ' bash "$dir/$script" "${args[@]}"; then
    echo "  FAIL $what: $script ${args[*]} exited with an error" >&2
    failures=$((failures + 1))
    return
  fi
  if [ "$(cat "$work/calls")" = "$expected" ]; then
    echo "  ok   $what"
  else
    printf '  FAIL %s: %s %s called\n%s\n  expected\n%s\n' "$what" "$script" "${args[*]}" \
      "$(sed 's/^/    /' "$work/calls")" "$(sed 's/^/    /' <<<"$expected")" >&2
    failures=$((failures + 1))
  fi
}

reload="systemctl --system daemon-reload"
check "install: recorded for purge, neither enabled nor started" 0 postinst configure "" \
  "deb-systemd-helper debian-installed breakwater.service
deb-systemd-helper update-state breakwater.service
$reload"
check "upgrade of a disabled unit: restarted only if it runs" 0 postinst configure 0.1.0 \
  "deb-systemd-helper debian-installed breakwater.service
deb-systemd-helper update-state breakwater.service
$reload
deb-systemd-invoke try-restart breakwater.service"
check "upgrade of an enabled unit: stays enabled, restarted only if it runs" 1 \
  postinst configure 0.1.0 \
  "deb-systemd-helper debian-installed breakwater.service
deb-systemd-helper --quiet was-enabled breakwater.service
deb-systemd-helper enable breakwater.service
deb-systemd-helper update-state breakwater.service
$reload
deb-systemd-invoke try-restart breakwater.service"
check "upgrade: the old version's prerm leaves it running" 1 prerm upgrade 0.1.0 ""
check "remove: stopped" 1 prerm remove "deb-systemd-invoke stop breakwater.service"
check "remove: systemd forgets the unit" 1 postrm remove "$reload"
check "purge: enable symlinks removed" 1 postrm purge \
  "deb-systemd-helper purge breakwater.service"
if [ "$(cat "$work/state")" = "$(printf '/var/lib:\nprivate\n\n/var/lib/private:')" ]; then
  echo "  ok   purge: /var/lib/breakwater and /var/lib/private/breakwater removed"
else
  printf '  FAIL purge left state behind:\n%s\n' "$(cat "$work/state")" >&2
  failures=$((failures + 1))
fi
[ "$failures" = 0 ] || { echo "maintainer scripts test: $failures failed" >&2; exit 1; }
