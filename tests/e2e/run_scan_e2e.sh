#!/usr/bin/env bash
# End-to-end tests of the scan service on the test bed: `breakwater serve` in the server
# namespace, 20 visitor namespaces behind a router (20 ms round trip), each with a known
# firewall. The visitors use the JSON API with curl (IPv4, IPv6, HTTPS) and must get exactly
# the expected verdicts, events, check answers, ping and UPnP; headers and PROXY lines naming
# another visitor must not move the probe there (nftables counters in that namespace show
# zero probes) unless they come from a trusted proxy; a second scan gets 429; the global cap
# holds with 20 visitors at once. Needs root; run from the repo root after a release build.
set -uo pipefail
cd "$(dirname "$0")/../.."
TB_BUILD=${TB_BUILD:-build/release}
BW="$TB_BUILD/src/app/breakwater"
source tests/e2e/testbed.sh

source tests/e2e/checks.sh

SRV4=198.18.0.1
SRV6=2001:2::1
URL4="http://$SRV4:8080"
URL6="http://[$SRV6]:8080"
CAP=8

echo "scan e2e ($SECONDS s): test bed up (20 visitors, 20 ms round trip)"
tb_many_up 20 10 || exit 1
TB_SEED=${TB_SEED:-4242}

# Visitor 1 (IPv4): two services, resets, both ICMP kinds, ping answered, SSDP answered.
tb_firewall_in "$(tb_visitor_ns 1)" "22, 80, 3" "23, 25" "135" "111" accept
tb_visitor_services 1 "22,80" --ssdp
# Visitor 2 (IPv6): one service, resets, admin-prohibited, ping dropped, no SSDP.
tb_firewall_in "$(tb_visitor_ns 2)" "443" "21, 100-110" "445" "-" drop
tb_visitor_services 2 "443"
# Everyone else: every TCP port dropped (stealth), counters on.
for i in $(seq 3 20); do tb_firewall_in "$(tb_visitor_ns "$i")" "-" "-" "-" "-" accept; done

cat >"$TB_DIR/serve.toml" <<TOML
http = ["$SRV4:8080", "[$SRV6]:8080", "$SRV4:8081,proxy-protocol", "[$SRV6]:8081,proxy-protocol"]
https = ["$SRV4:8443"]
state_dir = "$TB_DIR/state"
log_level = "warn"
trusted_proxies = ["198.18.1.4", "2001:2:0:1::4"]
[scan]
max_running = $CAP
scan_rate = 1000
idle_cancel_s = 3
TOML
# ip netns exec execs the server: $! is the server itself, so signals reach it.
ip netns exec "$TB_SRV" "$BW" --data data serve --config "$TB_DIR/serve.toml" >"$TB_DIR/serve.log" 2>&1 &
SERVE=$!
for _ in $(seq 1 100); do grep -q "listening" "$TB_DIR/serve.log" && break; sleep 0.05; done
grep -q "listening" "$TB_DIR/serve.log" || { echo "server did not start: $(cat "$TB_DIR/serve.log")"; exit 1; }
stop_server() { kill "$SERVE" 2>/dev/null; wait "$SERVE" 2>/dev/null; }
trap 'stop_server; tb_down' EXIT

# api_scan NAME VISITOR URL BODY CHECK_ARGS...: POST, follow the events, GET the result, check.
api_scan() {
  local name=$1 v=$2 url=$3 body=$4
  shift 4
  local out="$TB_DIR/scan-$v"
  local code
  code=$(tb_in_visitor "$v" curl -s -o "$out.post" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' -d "$body" "$url/api/v1/scans")
  if [ "$code" != 202 ]; then
    fail "$name: POST answered $code: $(cat "$out.post")"
    return
  fi
  local id
  id=$(json 'd["id"]' <"$out.post")
  tb_in_visitor "$v" curl -s -N --max-time 60 "$url/api/v1/scans/$id/events" >"$out.sse"
  tb_in_visitor "$v" curl -s "$url/api/v1/scans/$id" >"$out.json"
  python3 -c 'import json,sys; json.dump(json.load(sys.stdin)["result"], sys.stdout)' <"$out.json" >"$out.result.json"
  if [ "$(json 'd["state"]' <"$out.json")" = done ] &&
    python3 tests/e2e/check_scan.py "$out.result.json" "$@" &&
    python3 tests/e2e/scan_client.py events "$out.sse" "$out.json" >"$out.events.txt"; then
    pass "$name ($(json 'd["result"]["summary"]' <"$out.json"), $(tail -1 "$out.events.txt"))"
  else
    fail "$name: $(cat "$out.events.txt" 2>/dev/null)"
  fi
  # Resuming after event 5 starts at 6.
  tb_in_visitor "$v" curl -s -N --max-time 10 -H 'Last-Event-ID: 5' \
    "$url/api/v1/scans/$id/events" >"$out.resumed"
  if [ "$(grep -m1 '^id:' "$out.resumed")" = "id: 6" ] && grep -q '^event: done' "$out.resumed"; then
    pass "$name: Last-Event-ID resumes"
  else
    fail "$name: resume: $(head -c 300 "$out.resumed")"
  fi
  # Somebody else cannot see it.
  code=$(tb_in_visitor 9 curl -s -o /dev/null -w '%{http_code}' "$URL4/api/v1/scans/$id")
  [ "$code" = 404 ] && pass "$name: another address gets 404" || fail "$name: other got $code"
}

echo "scan e2e ($SECONDS s): scans through the API"
api_scan "IPv4 visitor, ports 0-200 + ping + UPnP" 1 "$URL4" \
  '{"ports":"0-200","ping":true,"upnp":true}' --ports 0-200 --open 22,80 --rst 3,23,25 \
  --icmp-admin 135 --icmp-port 111 --ping yes --upnp yes
api_scan "IPv6 visitor, ports 0-200,443,445 + ping + UPnP" 2 "$URL6" \
  '{"ports":"0-200,443,445","ping":true,"upnp":true}' --ports 0-200,443,445 --open 443 \
  --rst 21,100-110 --icmp-admin 445 --ping no --upnp no

echo "scan e2e ($SECONDS s): the single-port check"
check_port() {  # check_port NAME VISITOR URL PORT WANT_STATE WANT_ADDRESS [curl args...]
  local name=$1 v=$2 url=$3 port=$4 state=$5 address=$6
  shift 6
  local body
  body=$(tb_in_visitor "$v" curl -s --max-time 30 "$@" "$url/api/v1/check/$port")
  if [ "$(json 'd.get("state")' <<<"$body")" = "$state" ] &&
    [ "$(json 'd.get("address")' <<<"$body")" = "$address" ]; then
    pass "$name"
  else
    fail "$name: $body"
  fi
}
check_port "check: IPv4 open port" 1 "$URL4" 22 open 198.18.1.1
check_port "check: IPv4 reset port" 1 "$URL4" 23 closed 198.18.1.1
check_port "check: IPv6 open port" 2 "$URL6" 443 open 2001:2:0:1::2
check_port "check: IPv6 dropped port" 2 "$URL6" 8000 stealth 2001:2:0:1::2
check_port "check over HTTPS" 1 "https://$SRV4:8443" 80 open 198.18.1.1 -k
id=$(tb_in_visitor 1 curl -sk -X POST -H 'Content-Type: application/json' -d '{"ports":"20-30"}' \
  "https://$SRV4:8443/api/v1/scans" | json 'd["id"]')
events=$(tb_in_visitor 1 curl -sk -N --max-time 20 "https://$SRV4:8443/api/v1/scans/$id/events")
if [ "$(grep -c '^event: verdict' <<<"$events")" = 11 ] && grep -q '^event: done' <<<"$events"; then
  pass "event stream over HTTPS: 11 verdicts, then done"
else
  fail "event stream over HTTPS: $(head -c 300 <<<"$events")"
fi

echo "scan e2e ($SECONDS s): the one rule (visitor 3 names visitor 5; visitor 4 is a trusted proxy)"
check_port "X-Forwarded-For from an untrusted visitor is ignored" 3 "$URL4" 22 stealth 198.18.1.3 \
  -H 'X-Forwarded-For: 198.18.1.5'
check_port "Forwarded from an untrusted visitor is ignored" 3 "$URL4" 22 stealth 198.18.1.3 \
  -H 'Forwarded: for=198.18.1.5'
check_port "X-Forwarded-For over IPv6 from an untrusted visitor is ignored" 3 "$URL6" 22 stealth \
  2001:2:0:1::3 -H 'X-Forwarded-For: 2001:2:0:1::5'
for version in v1 v2; do
  # On a plain listener a PROXY line is a bad request; on a proxy-protocol listener an
  # untrusted peer is not heard at all.
  body=$(tb_in_visitor 3 python3 tests/e2e/scan_client.py proxy $version $SRV4 8080 198.18.1.5 \
    /api/v1/check/22)
  if [ "$(json 'd.get("status")' <<<"$body")" = 400 ]; then
    pass "PROXY $version on a plain listener is a bad request"
  else
    fail "PROXY $version on a plain listener: $body"
  fi
  body=$(tb_in_visitor 3 python3 tests/e2e/scan_client.py proxy $version $SRV4 8081 198.18.1.5 \
    /api/v1/check/22)
  if [ "$(json 'd.get("status")' <<<"$body")" = closed ]; then
    pass "PROXY $version from an untrusted visitor on a proxy-protocol listener: closed"
  else
    fail "PROXY $version from an untrusted visitor on a proxy-protocol listener: $body"
  fi
done
seen=$(tb_probes_seen "$(tb_visitor_ns 5)")
[ "$seen" = 0 ] && pass "visitor 5 saw no probe at all" || fail "visitor 5 saw $seen probes"
seen=$(tb_probes_seen "$(tb_visitor_ns 3)")
[ "$seen" -ge 3 ] && pass "visitor 3 was probed itself ($seen probes)" || fail "visitor 3 saw $seen"

check_port "X-Forwarded-For from the trusted proxy is honoured" 4 "$URL4" 22 stealth 198.18.1.6 \
  -H 'X-Forwarded-For: 198.18.1.50, 198.18.1.6'
body=$(tb_in_visitor 4 python3 tests/e2e/scan_client.py proxy v2 $SRV6 8081 2001:2:0:1::7 \
  /api/v1/check/22)
if [ "$(json 'd.get("address")' <<<"$body")" = 2001:2:0:1::7 ]; then
  pass "PROXY v2 over IPv6 from the trusted proxy is honoured"
else
  fail "PROXY v2 from the trusted proxy: $body"
fi
s6=$(tb_probes_seen "$(tb_visitor_ns 6)")
s7=$(tb_probes_seen "$(tb_visitor_ns 7)")
s4=$(tb_probes_seen "$(tb_visitor_ns 4)")
if [ "$s6" -ge 1 ] && [ "$s7" -ge 1 ] && [ "$s4" = 0 ]; then
  pass "the named clients were probed, the proxy was not ($s6, $s7, $s4)"
else
  fail "probes seen: named $s6 and $s7, proxy $s4"
fi

echo "scan e2e ($SECONDS s): limits"
tb_in_visitor 8 curl -s -o "$TB_DIR/full.json" -X POST -H 'Content-Type: application/json' \
  -d '{"ports":"all"}' "$URL4/api/v1/scans"
id=$(json 'd["id"]' <"$TB_DIR/full.json")
headers=$(tb_in_visitor 8 curl -s -D - -o "$TB_DIR/second.json" -X POST \
  -H 'Content-Type: application/json' -d '{"ports":"common"}' "$URL4/api/v1/scans")
if grep -q "^HTTP/1.1 429" <<<"$headers" && grep -qi "^Retry-After: [1-9]" <<<"$headers" &&
  [ "$(json 'd["error"]["code"]' <"$TB_DIR/second.json")" = scan_running ]; then
  pass "a second scan from the same address gets 429 scan_running with Retry-After"
else
  fail "second scan: $headers $(cat "$TB_DIR/second.json")"
fi
code=$(tb_in_visitor 8 curl -s -o /dev/null -w '%{http_code}' -X POST -d '{"ports":"common"}' \
  "$URL4/api/v1/scans")
[ "$code" = 415 ] && pass "a POST without Content-Type: application/json is refused (CSRF)" ||
  fail "form POST got $code"
code=$(tb_in_visitor 8 curl -s -o /dev/null -w '%{http_code}' -X DELETE "$URL4/api/v1/scans/$id")
sleep 0.5
state=$(tb_in_visitor 8 curl -s "$URL4/api/v1/scans/$id" | json 'd["state"]')
[ "$code" = 202 ] && [ "$state" = cancelled ] && pass "DELETE cancels a running scan" ||
  fail "DELETE: $code, state $state"

# Twenty visitors at once: exactly $CAP scans start, the rest are told the server is busy.
curls=()
for i in $(seq 1 20); do
  tb_in_visitor "$i" curl -s -o "$TB_DIR/cap-$i.json" -w '%{http_code}\n' -X POST \
    -H 'Content-Type: application/json' -d '{"ports":"service"}' "$URL4/api/v1/scans" \
    >"$TB_DIR/cap-$i.code" &
  curls+=($!)
done
for pid in "${curls[@]}"; do wait "$pid"; done
running=$(tb_in_srv curl -s "$URL4/metrics" | awk '/^breakwater_scans_running / { print $2 }')
accepted=$(cat "$TB_DIR"/cap-*.code | grep -c '^202$')
busy=$(grep -l '"busy"' "$TB_DIR"/cap-*.json | wc -l)
# Visitor 4 is a trusted proxy that names nobody here: no known client (403), never a scan
# of the proxy itself.
unknown=$(grep -l '"unknown_client"' "$TB_DIR/cap-4.json" | wc -l)
if [ "$accepted" = "$CAP" ] && [ "$busy" = $((19 - CAP)) ] && [ "$unknown" = 1 ] &&
  [ "$running" -le "$CAP" ]; then
  pass "global cap: $accepted of 20 started, $busy told busy (503), the proxy's own 403, $running running"
else
  fail "global cap: $accepted accepted, $busy busy, $running running: $(cat "$TB_DIR"/cap-*.code | tr '\n' ' ')"
fi
for i in $(seq 1 20); do
  id=$(json 'd.get("id", "")' <"$TB_DIR/cap-$i.json")
  [ -n "$id" ] && tb_in_visitor "$i" curl -s -o /dev/null -X DELETE "$URL4/api/v1/scans/$id"
done

# A visitor who closes the page (the event stream) does not leave its scan running. Its
# ports all answer with resets (closed), so verdicts stream from the start.
tb_firewall_in "$(tb_visitor_ns 11)" "0-65535" "-" "-" "-" accept
tb_in_visitor 11 curl -s -o "$TB_DIR/c11.json" -X POST -H 'Content-Type: application/json' \
  -d '{"ports":"all"}' "$URL4/api/v1/scans"
id=$(json 'd["id"]' <"$TB_DIR/c11.json")
tb_in_visitor 11 curl -s -N --max-time 5 "$URL4/api/v1/scans/$id/events" >"$TB_DIR/c11.sse"
mid=$(grep -c '^event: verdict' "$TB_DIR/c11.sse")
sleep 4.5
state=$(tb_in_visitor 11 curl -s "$URL4/api/v1/scans/$id" | json 'd["state"], d["progress"]["decided"]')
if [[ $mid -gt 100 && $state == "cancelled "* ]]; then
  pass "a watched scan runs; once the stream closes it is cancelled ($mid verdicts streamed; $state)"
else
  fail "idle cancel: $mid verdicts streamed, then $state"
fi

# SIGTERM ends the server promptly even with an event stream open.
tb_in_visitor 10 curl -s -o "$TB_DIR/c10.json" -X POST -H 'Content-Type: application/json' \
  -d '{"ports":"all"}' "$URL4/api/v1/scans"
id=$(json 'd["id"]' <"$TB_DIR/c10.json")
tb_in_visitor 10 curl -s -N --max-time 30 "$URL4/api/v1/scans/$id/events" >/dev/null 2>&1 &
follower=$!
sleep 1
start=$SECONDS
kill -TERM "$SERVE"
wait "$SERVE"
took=$((SECONDS - start))
kill "$follower" 2>/dev/null
wait "$follower" 2>/dev/null
[ "$took" -le 5 ] && pass "SIGTERM with an open event stream: stopped in ${took}s" ||
  fail "SIGTERM took ${took}s"

echo
echo "scan e2e ($SECONDS s): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
