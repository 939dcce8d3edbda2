#!/usr/bin/env bash
# breakwater serve under the conditions breakwater.service gives it, without systemd: an
# unprivileged system user (bw-test, made here when missing) holding only CAP_NET_RAW and
# CAP_NET_BIND_SERVICE (ambient, the bounding set reduced to them, no new privileges), in
# the server namespace of the test bed. It must bind ports 80 and 443, say once that it
# probes with raw SYNs, and scan a visitor namespace with the right verdicts over HTTP and
# HTTPS. Then without CAP_NET_RAW: it must say once that it falls back to connect() and why,
# and still find the same verdicts. Packets go only between the test bed's namespaces.
# Needs root; run from the repo root after a release build (breakwater and the test bed's
# helpers).
set -uo pipefail
cd "$(dirname "$0")/../.."
TB_BUILD=${TB_BUILD:-build/release}
BW="$PWD/$TB_BUILD/src/app/breakwater"
source tests/e2e/testbed.sh

source tests/e2e/checks.sh

SRV=198.18.0.1
VIS=198.18.0.2
USER_NAME=bw-test
made_user=0
SERVE=
RUN_DIR=

stop_server() {
  if [ -n "$SERVE" ]; then
    kill "$SERVE" 2>/dev/null
    wait "$SERVE" 2>/dev/null
    SERVE=
  fi
}
finish() {
  stop_server
  tb_down
  [ -n "$RUN_DIR" ] && rm -rf "$RUN_DIR"
  [ "$made_user" = 1 ] && userdel "$USER_NAME" 2>/dev/null
}

echo "unprivileged e2e ($SECONDS s): test bed up (20 ms round trip)"
tb_up || exit 1
trap finish EXIT
if ! id "$USER_NAME" >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
    "$USER_NAME" || exit 1
  made_user=1
fi
# The state directory belongs to the service's user, as StateDirectory= makes it.
RUN_DIR=$(mktemp -d /tmp/bw-unpriv.XXXXXX)
chmod 755 "$RUN_DIR"
tb_link 10 0
# The visitor: 22 and 80 open, 23 and 25 reset, 135 ICMP admin-prohibited, 111 ICMP
# port-unreachable, everything else dropped (stealth).
tb_firewall "22, 80" "23, 25" "135" "111"
tb_services "22,80"
PORTS="20-30,80,111,135,443"
CHECK=(--ports "$PORTS" --open 22,80 --rst 23,25 --icmp-admin 135 --icmp-port 111)

# start_server NAME CAPS: breakwater serve as $USER_NAME with only CAPS (e.g. net_raw,net_bind_service).
start_server() {
  local name=$1 caps=$2 c inh=""
  for c in ${caps//,/ }; do inh+="${inh:+,}+$c"; done
  mkdir -p "$RUN_DIR/$name"
  install -d -o "$USER_NAME" -g "$USER_NAME" -m 0700 "$RUN_DIR/$name/state"
  LOG="$RUN_DIR/$name/serve.log"
  # ip netns exec and setpriv both exec: $! is the server itself.
  ip netns exec "$TB_SRV" setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --init-groups \
    --no-new-privs --inh-caps="-all,$inh" --ambient-caps="-all,$inh" \
    --bounding-set="-all,$inh" \
    "$BW" --data "$PWD/data" serve --http "$SRV:80" --https "$SRV:443" \
    --state-dir "$RUN_DIR/$name/state" --threads 1 --log-level warn >"$LOG" 2>&1 &
  SERVE=$!
  for _ in $(seq 1 100); do grep -q "listening" "$LOG" && return 0; sleep 0.05; done
  fail "$name: the server did not start: $(cat "$LOG")"
  return 1
}

# The server's own view of itself: its user and its effective capabilities (hex mask).
check_credentials() {
  local name=$1 want_caps=$2 uid caps
  uid=$(awk '/^Uid:/ { print $3 }' "/proc/$SERVE/status")
  caps=$(awk '/^CapEff:/ { print $2 }' "/proc/$SERVE/status")
  if [ "$uid" = "$(id -u "$USER_NAME")" ] && [ "$((16#$caps))" = "$((want_caps))" ]; then
    pass "$name: runs as $USER_NAME (uid $uid) with CapEff $caps only, listening on :80 and :443"
  else
    fail "$name: uid $uid, CapEff $caps (wanted $(id -u "$USER_NAME") and $want_caps)"
  fi
}

# check_log NAME PATTERN: the line appears exactly once.
check_log() {
  local name=$1 pattern=$2 n
  n=$(grep -c -- "$pattern" "$LOG")
  if [ "$n" = 1 ]; then
    pass "$name: the log says once: $(grep -- "$pattern" "$LOG" | cut -c1-160)"
  else
    fail "$name: \"$pattern\" logged $n times: $(cat "$LOG")"
  fi
}

# scan NAME URL: a scan of $PORTS through the API from the visitor, checked port by port.
scan() {
  local name=$1 url=$2 out="$RUN_DIR/scan" code id
  code=$(tb_in_vis curl -sk -o "$out.post" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' -d "{\"ports\":\"$PORTS\"}" "$url/api/v1/scans")
  if [ "$code" != 202 ]; then
    fail "$name: POST answered $code: $(cat "$out.post")"
    return
  fi
  id=$(json 'd["id"]' <"$out.post")
  tb_in_vis curl -sk -N --max-time 60 "$url/api/v1/scans/$id/events" >"$out.sse"
  tb_in_vis curl -sk "$url/api/v1/scans/$id" >"$out.json"
  python3 -c 'import json,sys; json.dump(json.load(sys.stdin)["result"], sys.stdout)' \
    <"$out.json" >"$out.result.json" 2>/dev/null
  if [ "$(json 'd["state"]' <"$out.json")" = done ] &&
    python3 tests/e2e/check_scan.py "$out.result.json" "${CHECK[@]}"; then
    pass "$name: $(json 'd["result"]["summary"]' <"$out.json")"
  else
    fail "$name: $(head -c 400 "$out.json")"
  fi
}

check_port() {  # check_port NAME URL PORT WANT_STATE
  local body
  body=$(tb_in_vis curl -sk --max-time 30 "$2/api/v1/check/$3")
  if [ "$(json 'd.get("state")' <<<"$body")" = "$4" ] &&
    [ "$(json 'd.get("address")' <<<"$body")" = "$VIS" ]; then
    pass "$1"
  else
    fail "$1: $body"
  fi
}

stop_and_check() {
  local name=$1 status
  kill -TERM "$SERVE"
  wait "$SERVE"
  status=$?
  SERVE=
  [ "$status" = 0 ] && pass "$name: SIGTERM: exit 0" || fail "$name: SIGTERM: exit $status"
}

echo "unprivileged e2e ($SECONDS s): CAP_NET_RAW and CAP_NET_BIND_SERVICE only"
name="raw+bind"
if start_server "$name" net_raw,net_bind_service; then
  check_credentials "$name" 0x2400  # CAP_NET_BIND_SERVICE (10) and CAP_NET_RAW (13)
  check_log "$name" "scans probe with raw SYNs"
  [ -s "$RUN_DIR/$name/state/tls/cert.pem" ] &&
    [ "$(stat -c %U "$RUN_DIR/$name/state/tls/key.pem")" = "$USER_NAME" ] &&
    pass "$name: self-signed certificate made in its own state directory" ||
    fail "$name: no certificate in $RUN_DIR/$name/state: $(ls -lR "$RUN_DIR/$name/state")"
  scan "$name: scan over HTTP on port 80" "http://$SRV:80"
  check_port "$name: check over HTTPS on port 443 (open port)" "https://$SRV:443" 22 open
  check_port "$name: check over HTTPS on port 443 (dropped port)" "https://$SRV:443" 8000 stealth
  stop_and_check "$name"
fi

echo "unprivileged e2e ($SECONDS s): CAP_NET_BIND_SERVICE only (no raw sockets)"
name="bind only"
if start_server "bind-only" net_bind_service; then
  check_credentials "$name" 0x400
  check_log "$name" "scans probe with connect(), not raw SYNs"
  grep -q "CAP_NET_RAW" "$LOG" || fail "$name: the fallback line does not name CAP_NET_RAW"
  scan "$name: scan over HTTPS on port 443" "https://$SRV:443"
  check_port "$name: check over HTTP on port 80 (reset port)" "http://$SRV:80" 23 closed
  check_log "$name" "scans probe with"  # still once after the scans: said at start only
  stop_and_check "$name"
fi

echo
echo "unprivileged e2e ($SECONDS s): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
