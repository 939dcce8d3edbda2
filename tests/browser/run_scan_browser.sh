#!/usr/bin/env bash
# The scan pages in a real browser on the network test bed: `breakwater serve` in the server
# namespace, Chromium in the visitor namespace behind a known firewall mix; the browser runs
# "all service ports" and checks the grid, then (with UDP services up on the visitor) the UDP
# test and UDP probes. Needs root; run from the repo root after `npm ci` in tests/browser.
# Usage: run_scan_browser.sh OUT_DIR
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-build/release/tests/browser}
TB_BUILD=${TB_BUILD:-build/release}
BW="$TB_BUILD/src/app/breakwater"
source tests/e2e/testbed.sh
tb_up || exit 1

PORT=8080
OPEN="22, 80, 443, 1055"
RST="20-21, 23, 25, 110"
ICMP_ADMIN="135, 445"
ICMP_PORT="111, 113, 119"
tb_link 25 0
tb_firewall "$OPEN" "$RST" "$ICMP_ADMIN" "$ICMP_PORT" drop
tb_services "${OPEN// /}"
cat >"$TB_DIR/expect.json" <<JSON
{"address": "198.18.0.2", "open": [22, 80, 443, 1055],
 "closed": [20, 21, 23, 25, 110, 111, 113, 119, 135, 445],
 "udp": {"open": [53, 11211], "filtered": [161], "silent": [41641, 51820]}}
JSON

# ip netns exec execs the server: $! is the server itself, so kill reaches it.
ip netns exec "$TB_SRV" "$BW" --data data serve --http "198.18.0.1:$PORT" --https off \
  --state-dir "$TB_DIR/state" --log-level warn 2>"$TB_DIR/serve.err" &
SERVE=$!
tb_wait_listening "$TB_DIR/serve.err" "scan browser test" || exit 1
chmod 755 "$TB_DIR"
tb_in_vis env HOME="$TB_DIR" node tests/browser/scan_browser.mjs "http://198.18.0.1:$PORT" \
  "$OUT" "$TB_DIR/expect.json"
code=$?

# UDP on the visitor: an open resolver on 53 and memcached on 11211 answer (udp_responders.py),
# the firewall refuses 161 with admin-prohibited (filtered) and drops WireGuard's ports
# (silent), and every other UDP port draws the kernel's port unreachable (closed). The
# visitor's ICMP errors are not rate-limited for this part, so that the closed ports are
# decided at once rather than by the slow re-probe (the TCP part above keeps Linux's limit).
ip netns exec "$TB_VIS" nft add rule inet bw input udp dport 161 \
  reject with icmpx type admin-prohibited
ip netns exec "$TB_VIS" nft add rule inet bw input udp dport '{ 41641, 51820 }' drop
ip netns exec "$TB_VIS" sysctl -qw net.ipv4.icmp_ratelimit=0
ip netns exec "$TB_VIS" python3 tests/browser/udp_responders.py 198.18.0.2 \
  >"$TB_DIR/udp" 2>"$TB_DIR/udp.err" &
UDP=$!
if tb_wait_ready "$TB_DIR/udp"; then
  tb_in_vis env HOME="$TB_DIR" node tests/browser/scan_browser.mjs "http://198.18.0.1:$PORT" \
    "$OUT" "$TB_DIR/expect.json" udp || code=1
else
  code=1
fi
kill "$UDP" 2>/dev/null
wait "$UDP" 2>/dev/null
kill "$SERVE" 2>/dev/null
wait "$SERVE" 2>/dev/null
exit $code
