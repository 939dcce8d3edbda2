#!/usr/bin/env bash
# Adversarial end-to-end test of "it probes only the address the request came from" behind
# real proxies from Debian (issue 11). On the test bed: breakwater, nginx and HAProxy in the
# server namespace (198.18.0.1 / 2001:2::1), the proxies in front of breakwater's loopback
# listeners with the configurations of tests/e2e/proxy/ (used verbatim, quoted in
# docs/api.md); a visitor namespace (198.18.1.1 / 2001:2:0:1::1, port 22 open, 23 closed)
# and a bystander namespace (198.18.2.1 / 2001:2:0:2::1) behind the router. The visitor tries
# every spoof (its own Forwarded, X-Forwarded-For, X-Real-IP, PROXY lines through the HTTP
# proxies and through HAProxy's TCP pass-through, for=unknown, Host rebinding, cross-site
# requests, requests hidden in bodies) on every path, over IPv4 and IPv6: directly, through
# nginx, HAProxy mode http, HAProxy mode tcp with PROXY v2, and TLS through HAProxy with
# PROXY v2 (tests/e2e/proxy_e2e.py sends the bytes); /headers must hide what proxies add.
# A trusted peer that names nobody usable must get 403 unknown_client. nftables counters
# must then show no packet at all at the bystander and none from the server to its own
# loopback (or own addresses) besides the proxies' connections to breakwater, while the
# visitor's own scans through every path get the right verdicts. Needs root; run from the
# repo root after a release build (breakwater, bw_link_relay, bw_visitor_services).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
TB_BUILD=${TB_BUILD:-build/release}
BW=${BW:-$TB_BUILD/src/app/breakwater}
source tests/e2e/testbed.sh

source tests/e2e/checks.sh
step() { echo "proxy e2e ($SECONDS s): $*"; }

for tool in nginx haproxy nft python3; do
  command -v $tool >/dev/null || [ -x "/usr/sbin/$tool" ] ||
    { echo "proxy e2e: $tool missing (run scripts/setup.sh --tools)" >&2; exit 1; }
done
export PATH=$PATH:/usr/sbin

SRV4=198.18.0.1
SRV6=2001:2::1
VIS4=198.18.1.1
VIS6=2001:2:0:1::1
BY4=198.18.2.1
BY6=2001:2:0:2::1
TB_BY=bw-by-$TB_ID
UPSTREAM_PORTS="9080, 9081, 9082, 9443"  # breakwater's loopback listeners (the proxies' upstreams)
NGINX=
HAPROXY=
SERVE=

stop_pid() {
  if [ -n "$1" ]; then
    kill "$1" 2>/dev/null
    wait "$1" 2>/dev/null
  fi
}
cleanup() {
  stop_pid "$HAPROXY"
  stop_pid "$NGINX"
  stop_pid "$SERVE"
  HAPROXY='' NGINX='' SERVE=''
  ip netns del "$TB_BY" 2>/dev/null
  tb_down
}

# docs/api.md ("Behind a proxy") quotes the proxy configurations this test runs.
for conf in tests/e2e/proxy/nginx.conf tests/e2e/proxy/haproxy.cfg; do
  if python3 -c 'import sys; sys.exit(open(sys.argv[1]).read() not in open("docs/api.md").read())' "$conf"; then
    pass "docs/api.md quotes $conf exactly"
  else
    fail "docs/api.md does not quote $conf as it is (update the section \"Behind a proxy\")"
  fi
done

step "test bed up (visitor and bystander behind a router, 4 ms round trip)"
tb_many_up 1 2 || exit 1
trap cleanup EXIT
trap 'exit 130' INT TERM

# The bystander: another namespace on the router's bridge, in its own networks; the server
# can reach it (routes both ways), nothing is meant to.
ip netns add "$TB_BY"
ip -n "$TB_BY" link set lo up
ip -n "$TB_RTR" link add by0 type veth peer name eth0 netns "$TB_BY"
ip -n "$TB_RTR" link set by0 master br0 up
ip -n "$TB_RTR" addr add 198.18.2.254/24 dev br0
ip -n "$TB_RTR" -6 addr add 2001:2:0:2::fe/64 dev br0 nodad
ip -n "$TB_BY" addr add "$BY4/24" dev eth0
ip -n "$TB_BY" -6 addr add "$BY6/64" dev eth0 nodad
ip -n "$TB_BY" link set eth0 up
ip -n "$TB_BY" route add 198.18.0.0/16 via 198.18.2.254
ip -n "$TB_BY" -6 route add 2001:2::/32 via 2001:2:0:2::fe
ip -n "$TB_SRV" route add 198.18.2.0/24 dev bwl0
ip -n "$TB_SRV" -6 route add 2001:2:0:2::/64 dev bwl0
by_mac=$(ip -n "$TB_BY" -br link show eth0 | awk '{ print $3 }')
ip -n "$TB_RTR" neigh replace "$BY4" lladdr "$by_mac" dev br0 nud permanent
ip -n "$TB_RTR" -6 neigh replace "$BY6" lladdr "$by_mac" dev br0 nud permanent
ip -n "$TB_BY" neigh replace 198.18.2.254 lladdr 02:00:00:00:00:fe dev eth0 nud permanent
ip -n "$TB_BY" -6 neigh replace 2001:2:0:2::fe lladdr 02:00:00:00:00:fe dev eth0 nud permanent
# Every packet that reaches it from the test bed's addresses is counted (neighbour discovery
# aside); its TCP ports all drop.
cat >"$TB_DIR/bystander.nft" <<NFT
flush ruleset
table inet bw {
  counter anything { }
  chain input {
    type filter hook input priority 0; policy accept;
    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } accept
    ip saddr 198.18.0.0/15 counter name anything
    ip6 saddr 2001:2::/48 counter name anything
    meta l4proto tcp drop
  }
}
NFT
ip netns exec "$TB_BY" nft -f "$TB_DIR/bystander.nft"
by_seen() { ip netns exec "$TB_BY" nft list counter inet bw anything | awk '/packets/ { print $2 }'; }

# The visitor: port 22 open (a listener), 23 closed (reset), everything else dropped.
VIS=$(tb_visitor_ns 1)
tb_firewall_in "$VIS" "22" "23" "-" "-" accept
tb_visitor_services 1 "22"

# The server's own loopback: what leaves through lo, other than the proxies' connections to
# breakwater's loopback listeners (and breakwater's answers on them) and the local user's to
# HAProxy's port 82 (proxy_e2e.py peer), is counted. A probe of 127.0.0.0/8, ::1 or of the
# server's own public addresses would all leave through lo; the scans asked for probe port 22.
cat >"$TB_DIR/server.nft" <<NFT
flush ruleset
table inet bwe2e {
  counter loopback { }
  counter upstream { }
  chain output {
    type filter hook output priority 0; policy accept;
    oifname "lo" tcp dport { $UPSTREAM_PORTS } counter name upstream accept
    oifname "lo" tcp sport { $UPSTREAM_PORTS } accept
    oifname "lo" tcp dport 82 accept
    oifname "lo" tcp sport 82 accept
    oifname "lo" counter name loopback
  }
}
NFT
ip netns exec "$TB_SRV" nft -f "$TB_DIR/server.nft"
srv_counter() { ip netns exec "$TB_SRV" nft list counter inet bwe2e "$1" | awk '/packets/ { print $2 }'; }

step "breakwater, nginx and HAProxy up in the server namespace"
serve_args=(
  --http "$SRV4:8080" --http "[$SRV6]:8080" --https "$SRV4:8443" --https "[$SRV6]:8443"
  --http "$SRV4:8082,proxy-protocol" --http "[$SRV6]:8082,proxy-protocol"
  --http 127.0.0.1:9080 --http "[::1]:9081" --http "127.0.0.1:9082,proxy-protocol"
  --https "[::1]:9443,proxy-protocol"
  --trusted-proxy 127.0.0.1/32 --trusted-proxy ::1/128 --client-address-header x-forwarded-for
  --server-name breakwater.test
  --state-dir "$TB_DIR/state" --log-level warn
)
if ! "$BW" serve --help 2>/dev/null | grep -q -- --server-name; then
  fail "$BW has no --server-name / --client-address-header: a build from before issue 11"
  exit 1
fi
# ip netns exec execs the program: $! is the program itself, so signals reach it.
ip netns exec "$TB_SRV" "$BW" --data data serve "${serve_args[@]}" >"$TB_DIR/serve.log" 2>&1 &
SERVE=$!
for _ in $(seq 1 100); do grep -q "listening" "$TB_DIR/serve.log" && break; sleep 0.05; done
grep -q "listening" "$TB_DIR/serve.log" || { fail "breakwater did not start: $(cat "$TB_DIR/serve.log")"; exit 1; }

mkdir -p "$TB_DIR/nginx"
cat >"$TB_DIR/nginx/main.conf" <<CONF
# The test's own main configuration; the site is tests/e2e/proxy/nginx.conf, verbatim.
user root;
worker_processes 1;
daemon off;
pid $TB_DIR/nginx/nginx.pid;
error_log $TB_DIR/nginx/error.log warn;
events { worker_connections 512; }
http {
  access_log $TB_DIR/nginx/access.log;
  client_body_temp_path $TB_DIR/nginx/body;
  proxy_temp_path $TB_DIR/nginx/proxy;
  fastcgi_temp_path $TB_DIR/nginx/fastcgi;
  uwsgi_temp_path $TB_DIR/nginx/uwsgi;
  scgi_temp_path $TB_DIR/nginx/scgi;
  include $PWD/tests/e2e/proxy/nginx.conf;
}
CONF
ip netns exec "$TB_SRV" nginx -p "$TB_DIR/nginx" -e "$TB_DIR/nginx/error.log" -c "$TB_DIR/nginx/main.conf" \
  >"$TB_DIR/nginx/out" 2>&1 &
NGINX=$!
ip netns exec "$TB_SRV" haproxy -db -f tests/e2e/proxy/haproxy.cfg >"$TB_DIR/haproxy.log" 2>&1 &
HAPROXY=$!

# Ready when every public port accepts a connection (asked from the visitor: a connection
# from the server namespace to its own address would leave through lo).
ready=
for _ in $(seq 1 100); do
  if tb_in_visitor 1 python3 - "$SRV4" "$SRV6" <<'PY'; then ready=1; break; fi
import socket, sys
for host in sys.argv[1:]:
    for port in (80, 81, 82, 443, 8080, 8082, 8443):
        socket.create_connection((host, port), timeout=1).close()
PY
  sleep 0.1
done
if [ -z "$ready" ]; then
  fail "the proxies did not start: nginx: $(cat "$TB_DIR"/nginx/error.log "$TB_DIR"/nginx/out 2>/dev/null) haproxy: $(cat "$TB_DIR/haproxy.log")"
  exit 1
fi

step "the counters count (breakwater's own raw probes from the server namespace)"
# The CLI prober sends from the server namespace to loopback and to the bystander: both
# counters must see it, or their zeros below would prove nothing. Then they are reset.
ip netns exec "$TB_SRV" "$BW" --data data probe 127.0.0.1 --ports 1-3 --tries 1 >/dev/null 2>&1
ip netns exec "$TB_SRV" "$BW" --data data probe ::1 --ports 1-3 --tries 1 >/dev/null 2>&1
ip netns exec "$TB_SRV" "$BW" --data data probe "$BY4" --ports 22 --tries 1 --timeout-ms 200 >/dev/null 2>&1
ip netns exec "$TB_SRV" "$BW" --data data probe "$BY6" --ports 22 --tries 1 --timeout-ms 200 >/dev/null 2>&1
lo=$(srv_counter loopback)
by=$(by_seen)
if [ "$lo" -ge 6 ] && [ "$by" -ge 2 ]; then
  pass "probes to loopback and to the bystander are counted ($lo and $by packets), counters reset"
else
  fail "the counters do not see probes: loopback $lo, bystander $by"
fi
ip netns exec "$TB_SRV" nft reset counters table inet bwe2e >/dev/null
ip netns exec "$TB_BY" nft reset counters table inet bw >/dev/null
vis_before=$(tb_probes_seen "$VIS")

ids=(--server4 "$SRV4" --server6 "$SRV6" --visitor4 "$VIS4" --visitor6 "$VIS6" --bystander4 "$BY4"
  --bystander6 "$BY6")
count_lines() {  # adds a helper's PASS/FAIL lines to the totals
  local p f
  p=$(grep -c '^  PASS' "$1")
  f=$(grep -c '^  FAIL' "$1")
  passed=$((passed + p))
  failed=$((failed + f))
}

# After each group of attempts: nothing reached the bystander or the server's loopback yet
# (which group leaked, if one did; the final count below waits for late packets too).
by_last=0
lo_last=0
nobody_else() {
  local by lo
  by=$(by_seen)
  lo=$(srv_counter loopback)
  if [ "$by" = "$by_last" ] && [ "$lo" = "$lo_last" ]; then
    pass "after $1: no packet at the bystander or on the server's loopback"
  else
    fail "after $1: $((by - by_last)) packets at the bystander, $((lo - lo_last)) on the server's loopback"
  fi
  by_last=$by
  lo_last=$lo
}
visitor_phase() {  # visitor_phase METHOD TITLE: one group of proxy_e2e.py's visitor checks
  step "$2"
  tb_in_visitor 1 python3 tests/e2e/proxy_e2e.py visitor "${ids[@]}" --only "$1" | tee "$TB_DIR/visitor-$1.out"
  count_lines "$TB_DIR/visitor-$1.out"
  nobody_else "$1"
}

visitor_phase spoof_matrix "the visitor's spoofing headers on every path (a scan, GET /api/v1/address, /api/v1/check/23)"
visitor_phase proxy_lines "PROXY lines of the visitor's own, through the HTTP proxies and the TCP pass-through"
visitor_phase proxy_protocol_listener "the visitor at breakwater's public ,proxy-protocol listener"
visitor_phase hosts "Host rebinding, no Host"
visitor_phase cross_site "cross-site checks and scans"
visitor_phase smuggling "requests hidden in bodies"
visitor_phase headers_page "the /headers page through every path (no credentials, no proxy headers)"
visitor_phase own_scans "the visitor's own scans through every path (with and without spoof headers)"

step "a trusted peer that names nobody usable (a misconfigured proxy)"
ip netns exec "$TB_SRV" python3 tests/e2e/proxy_e2e.py peer "${ids[@]}" | tee "$TB_DIR/peer.out"
count_lines "$TB_DIR/peer.out"
nobody_else "the trusted peer's requests"

step "nobody but the visitor was probed"
sleep 1  # late retries of anything misdirected would arrive within this
by=$(by_seen)
lo=$(srv_counter loopback)
up=$(srv_counter upstream)
vis=$(($(tb_probes_seen "$VIS") - vis_before))
if [ "$by" = 0 ]; then pass "the bystander received no packet at all"; else fail "the bystander received $by packets"; fi
if [ "$lo" = 0 ]; then
  pass "nothing went to the server's loopback or own addresses but the proxies' upstream connections"
else
  fail "$lo packets went to the server's loopback or own addresses (not to breakwater's listeners)"
fi
if [ "$up" -gt 0 ]; then
  pass "the proxies did reach breakwater over loopback ($up packets)"
else
  fail "no packet from the proxies to breakwater's loopback listeners"
fi
if [ "$vis" -ge 100 ]; then pass "the visitor itself was probed ($vis probes)"; else fail "the visitor saw only $vis probes"; fi
if [ "$failed" -gt 0 ]; then  # what the daemons said, for the diagnosis
  for log in "$TB_DIR/serve.log" "$TB_DIR/nginx/error.log" "$TB_DIR/haproxy.log"; do
    [ -s "$log" ] && { echo "  (${log#"$TB_DIR"/}, last lines:)"; tail -n 5 "$log" | sed 's/^/    /'; }
  done
fi

echo
echo "proxy e2e ($SECONDS s): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
