#!/usr/bin/env bash
# IPv4 and IPv6 side by side in a real browser on the network test bed: `breakwater serve` in
# the server namespace on 198.18.0.1 and 2001:2::1 with ipv4_origin and ipv6_origin set,
# Chromium in the visitor namespace, whose firewall lets more in over IPv6 than over IPv4.
# --host-resolver-rules maps the site's names to the server's addresses (and, for the
# missing-family case, the IPv6 name to an address the visitor has no route to). Needs root;
# run from the repo root after `npm ci` in tests/browser. Usage: run_dual_browser.sh OUT_DIR
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-build/release/tests/browser/dual}
TB_BUILD=${TB_BUILD:-build/release}
BW="$TB_BUILD/src/app/breakwater"
source tests/e2e/testbed.sh
tb_up || exit 1

PORT=8080
tb_link 10 0
# Both families: 80 open, 443 reset. IPv6 only: 22 and 5900 open (over IPv4 they are reset
# and dropped). As with a router that forwards one port over IPv4 and whose IPv6 firewall
# lets more in.
cat >"$TB_DIR/dual.nft" <<'NFT'
flush ruleset
table inet bw {
  chain input {
    type filter hook input priority 0; policy accept;
    ct state established,related accept
    tcp dport 80 accept
    ip6 saddr 2001:2::1 tcp dport { 22, 5900 } accept
    tcp dport { 22, 443 } reject with tcp reset
    meta l4proto tcp drop
  }
}
NFT
ip netns exec "$TB_VIS" nft -f "$TB_DIR/dual.nft" || exit 1
tb_services "22,80,5900"

# ip netns exec execs the server: $! is the server itself, so kill reaches it.
ip netns exec "$TB_SRV" "$BW" --data data serve --http "198.18.0.1:$PORT" \
  --http "[2001:2::1]:$PORT" --https off --server-name bw.test \
  --ipv4-origin "http://v4.bw.test:$PORT" --ipv6-origin "http://v6.bw.test:$PORT" \
  --state-dir "$TB_DIR/state" --log-level warn 2>"$TB_DIR/serve.err" &
SERVE=$!
tb_wait_listening "$TB_DIR/serve.err" "dual browser test" || exit 1
chmod 755 "$TB_DIR"
tb_in_vis env HOME="$TB_DIR" node tests/browser/dual_browser.mjs "http://bw.test:$PORT" "$OUT"
code=$?
kill "$SERVE" 2>/dev/null
wait "$SERVE" 2>/dev/null
exit $code
