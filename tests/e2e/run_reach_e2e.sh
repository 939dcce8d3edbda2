#!/usr/bin/env bash
# `breakwater reach` on a test bed of its own: `breakwater serve` in an "internet"
# namespace; a home router namespace that NATs IPv4 (nftables masquerade) and forwards TCP
# 8000 and UDP 51820 (DNAT) to a LAN host, which runs the CLI; and a provider namespace
# doing carrier-grade NAT (100.64.0.0/10) for a host behind it, which is also the "other
# holder" that tries to confirm a LAN host's test. Checked: --listen and --watch (with a
# real service holding the port) through the forwards, a port with no forward (the NAT
# explanation, exit 1), the CGNAT explanation, a confirmation from another address refused,
# the curl steps of /reach, no server (exit 3) and --watch without privilege (exit 3). The
# namespaces are joined by veth pairs only: no packet leaves them. Needs root; run from the
# repo root after a release build.
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${TB_BUILD:-build/release}
BW="$PWD/$BUILD/src/app/breakwater"
ID=$$
LAN=bw-rlan-$ID RTR=bw-rrtr-$ID NET=bw-rnet-$ID ISP=bw-risp-$ID CGH=bw-rcgh-$ID
DIR=$(mktemp -d /tmp/bw-reach-e2e.XXXXXX)
chmod 755 "$DIR"
PIDS=()
SERVER=http://11.0.0.1:8080

source tests/e2e/checks.sh

for tool in ip nft curl python3; do
  command -v $tool >/dev/null || { echo "reach e2e: $tool missing" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "reach e2e: needs root (network namespaces)" >&2; exit 1; }
[ -x "$BW" ] || { echo "reach e2e: $BW missing (build the release preset first)" >&2; exit 1; }

stop_all() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
  for ns in "$LAN" "$RTR" "$NET" "$ISP" "$CGH"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap 'stop_all; [ -n "${KEEP:-}" ] || rm -rf "$DIR"' EXIT

# link NS_A DEV_A ADDR_A NS_B DEV_B ADDR_B: a veth pair with an IPv4 /24 on each end.
link() {
  ip -n "$1" link add "$2" type veth peer name "$5" netns "$4"
  ip -n "$1" addr add "$3/24" dev "$2"
  ip -n "$4" addr add "$6/24" dev "$5"
  ip -n "$1" link set "$2" up
  ip -n "$4" link set "$5" up
}

for ns in "$LAN" "$RTR" "$NET" "$ISP" "$CGH"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
link "$LAN" eth0 192.168.1.2 "$RTR" lan0 192.168.1.1
link "$RTR" wan0 11.0.0.2 "$NET" eth0 11.0.0.1
link "$ISP" out0 12.0.0.2 "$NET" eth1 12.0.0.1
link "$CGH" eth0 100.64.0.2 "$ISP" in0 100.64.0.1
ip -n "$LAN" route add default via 192.168.1.1
ip -n "$RTR" route add default via 11.0.0.1
ip -n "$ISP" route add default via 12.0.0.1
ip -n "$CGH" route add default via 100.64.0.1
for ns in "$RTR" "$ISP"; do ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1; done

# The home router: masquerade out of wan0, forward TCP 8000 and UDP 51820 to the LAN host.
ip netns exec "$RTR" nft -f - <<'NFT'
table ip home {
  chain prerouting {
    type nat hook prerouting priority -100; policy accept;
    iifname "wan0" tcp dport 8000 dnat to 192.168.1.2:8000
    iifname "wan0" udp dport 51820 dnat to 192.168.1.2:51820
  }
  chain postrouting {
    type nat hook postrouting priority 100; policy accept;
    oifname "wan0" masquerade
  }
}
NFT
# The provider: carrier-grade NAT out of out0, no forwards at all.
ip netns exec "$ISP" nft -f - <<'NFT'
table ip cgnat {
  chain postrouting {
    type nat hook postrouting priority 100; policy accept;
    oifname "out0" masquerade
  }
}
NFT

cat >"$DIR/serve.toml" <<TOML
http = ["0.0.0.0:8080"]
https = []
state_dir = "$DIR/state"
log_level = "warn"
TOML
ip netns exec "$NET" "$BW" --data data serve --config "$DIR/serve.toml" >"$DIR/serve.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do grep -qs "listening" "$DIR/serve.log" && break; sleep 0.05; done
grep -qs "listening" "$DIR/serve.log" || { echo "server did not start: $(cat "$DIR/serve.log")" >&2; exit 1; }

reach() {  # reach NS OUT_FILE ARGS...: breakwater reach in NS; prints its exit status
  local ns=$1 out=$2
  shift 2
  ip netns exec "$ns" "$BW" reach --server "$SERVER" "$@" >"$out" 2>"$out.err"
  echo $?
}
# field FILE EXPR: a Python expression over the JSON output `d`, printed.
field() { python3 -c "import json, sys; d = json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null; }

echo "reach e2e ($SECONDS s): --listen through the router's forwards"
rc=$(reach "$LAN" "$DIR/l1.txt" --udp 51820)
if [[ $rc == 0 ]] && grep -q '^UDP 51820 reaches this machine (nonce returned in [0-9.]* ms)$' "$DIR/l1.txt" &&
  grep -q 'The server sent to 11.0.0.2' "$DIR/l1.txt"; then
  pass "UDP 51820 --listen: the nonce came through the DNAT forward and back"
else
  fail "UDP --listen: exit $rc: $(cat "$DIR/l1.txt" "$DIR/l1.txt.err")"
fi
rc=$(reach "$LAN" "$DIR/l2.json" --tcp 8000 --json)
if [[ $rc == 0 && $(field "$DIR/l2.json" 'd["reached"], d["transport"], d["port"], d["address"]') == "True tcp 8000 11.0.0.2" ]]; then
  pass "TCP 8000 --listen --json: reached, with the address the server sent to"
else
  fail "TCP --listen: exit $rc: $(cat "$DIR/l2.json" "$DIR/l2.json.err")"
fi

echo "reach e2e ($SECONDS s): --watch while the real services hold the ports"
# A UDP service (WireGuard's place) that records what it receives, and a web server.
ip netns exec "$LAN" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 51820))
with open(sys.argv[1], "ab", buffering=0) as log:
    while True:
        log.write(s.recv(2048))' "$DIR/udp-service.log" &
PIDS+=($!)
(cd "$DIR" && exec ip netns exec "$LAN" python3 -m http.server 8000 --bind 0.0.0.0 >"$DIR/http-service.log" 2>&1) &
PIDS+=($!)
for _ in $(seq 1 100); do
  ip netns exec "$LAN" ss -lnu | grep -q ':51820 ' && ip netns exec "$LAN" ss -lnt | grep -q ':8000 ' && break
  sleep 0.05
done
rc=$(reach "$LAN" "$DIR/w1.txt" --udp 51820 --listen)
if [[ $rc == 3 ]] && grep -q 'UDP port 51820 is in use on this machine.*use --watch' "$DIR/w1.txt.err"; then
  pass "--listen on a port the service holds: exit 3, says to stop it or use --watch"
else
  fail "--listen on a taken port: exit $rc: $(cat "$DIR/w1.txt" "$DIR/w1.txt.err")"
fi
rc=$(reach "$LAN" "$DIR/w2.txt" --udp 51820 --watch)
if [[ $rc == 0 ]] && grep -q '^UDP 51820 reaches this machine' "$DIR/w2.txt" &&
  grep -q 'breakwater-reach ' "$DIR/udp-service.log"; then
  pass "UDP 51820 --watch: seen on the packet socket, while the service got the datagrams too"
else
  fail "UDP --watch: exit $rc: $(cat "$DIR/w2.txt" "$DIR/w2.txt.err")"
fi
rc=$(reach "$LAN" "$DIR/w3.txt" --tcp 8000 --watch)
if [[ $rc == 0 ]] && grep -q '^TCP 8000 reaches this machine' "$DIR/w3.txt"; then
  pass "TCP 8000 --watch: seen while the web server answered the connection"
else
  fail "TCP --watch: exit $rc: $(cat "$DIR/w3.txt" "$DIR/w3.txt.err")"
fi
if grep -q 'breakwater-reach ' "$DIR/http-service.log"; then
  pass "the web server's log shows the line the curl steps of /reach look for"
else
  fail "the web server's log lacks the line: $(cat "$DIR/http-service.log")"
fi

echo "reach e2e ($SECONDS s): ports without a forward"
rc=$(reach "$LAN" "$DIR/n1.json" --udp 4444 --timeout 4 --json)
if [[ $rc == 1 && $(field "$DIR/n1.json" 'd["reached"], d["diagnosis"], d["address"], d["server"]["delivery"]') == "False nat 11.0.0.2 refused" ]] &&
  grep -q 'add or fix the port forward: UDP 4444 to 192.168.1.2 port 4444' "$DIR/n1.json"; then
  pass "UDP 4444, no forward: exit 1, NAT: forward it to 192.168.1.2 (the router's port unreachable told)"
else
  fail "UDP without a forward: exit $rc: $(cat "$DIR/n1.json" "$DIR/n1.json.err")"
fi
rc=$(reach "$LAN" "$DIR/n2.txt" --tcp 2222 --timeout 3)
if [[ $rc == 1 ]] && grep -q '^TCP 2222 did not reach this machine within 3 s.' "$DIR/n2.txt" &&
  grep -q 'this machine (192.168.1.2) is behind a NAT router' "$DIR/n2.txt" &&
  grep -q 'connection attempts were refused' "$DIR/n2.txt"; then
  pass "TCP 2222, no forward: exit 1, the NAT explanation and the router's resets"
else
  fail "TCP without a forward: exit $rc: $(cat "$DIR/n2.txt" "$DIR/n2.txt.err")"
fi

echo "reach e2e ($SECONDS s): carrier-grade NAT"
rc=$(reach "$CGH" "$DIR/c1.txt" --udp 4000 --timeout 4)
if [[ $rc == 1 ]] && grep -q "This machine's address 100.64.0.2 is in 100.64.0.0/10" "$DIR/c1.txt" &&
  grep -q 'translates it to 12.0.0.2' "$DIR/c1.txt" && grep -q 'Ask your provider' "$DIR/c1.txt"; then
  pass "behind the provider's NAT: exit 1, carrier-grade NAT, no forward of yours can help"
else
  fail "cgnat: exit $rc: $(cat "$DIR/c1.txt" "$DIR/c1.txt.err")"
fi

echo "reach e2e ($SECONDS s): the curl steps, and a confirmation from another holder"
# The LAN host opens a test the way /reach shows (curl), with a listener of its own.
ip netns exec "$LAN" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8000)); s.listen(4); s.settimeout(10)
c, _ = s.accept(); c.settimeout(5)
data = b""
while not data.endswith(b"\n"):
    chunk = c.recv(512)
    if not chunk: break
    data += chunk
open(sys.argv[1], "wb").write(data)' "$DIR/listener.log" &
listener=$!
kill "${PIDS[-1]}" 2>/dev/null; wait "${PIDS[-1]}" 2>/dev/null  # the web server leaves 8000
PIDS+=($listener)
for _ in $(seq 1 100); do ip netns exec "$LAN" ss -lnt | grep -q ':8000 ' && break; sleep 0.05; done
ip netns exec "$LAN" curl -sS -X POST -H 'Content-Type: application/json' \
  -d '{"transport":"tcp","port":8000}' "$SERVER/api/v1/reach" >"$DIR/open.json"
wait "$listener"
id=$(field "$DIR/open.json" 'd["id"]')
token=$(field "$DIR/open.json" 'd["token"]')
nonce=$(awk -v id="$id" '$1 == "breakwater-reach" && $2 == id { print $3 }' "$DIR/listener.log")
confirm() {  # confirm NS: POST the confirmation from NS; prints the status, body in $DIR/confirm.json
  ip netns exec "$1" curl -sS -o "$DIR/confirm.json" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
    -d "{\"nonce\":\"$nonce\"}" "$SERVER/api/v1/reach/$id/confirm"
}
if [[ -n $nonce && $(field "$DIR/open.json" 'd["address"]') == 11.0.0.2 ]] && ! grep -q "$nonce" "$DIR/open.json"; then
  pass "curl POST: the listener's log has the line with the nonce; the answer does not"
else
  fail "curl POST: $(cat "$DIR/open.json") / listener: $(cat "$DIR/listener.log" 2>/dev/null)"
fi
status=$(confirm "$ISP")
if [[ $status == 404 ]] && [[ $(field "$DIR/confirm.json" 'd["error"]["code"]') == not_found ]]; then
  pass "the right nonce and token from another holder (12.0.0.2): 404, the test stays open"
else
  fail "confirm from another holder: $status $(cat "$DIR/confirm.json")"
fi
status=$(confirm "$LAN")
if [[ $status == 200 && $(field "$DIR/confirm.json" 'd["reached"]') == True ]] && [[ $(confirm "$LAN") == 409 ]]; then
  pass "from the holder: 200 reached; a second time: 409"
else
  fail "confirm from the holder: $status $(cat "$DIR/confirm.json")"
fi

echo "reach e2e ($SECONDS s): when the test cannot run"
rc=$(ip netns exec "$LAN" "$BW" reach --server http://11.0.0.1:9 --udp 51821 2>"$DIR/e1.err" >/dev/null; echo $?)
if [[ $rc == 3 ]] && grep -q 'cannot ask the server for a reach test' "$DIR/e1.err"; then
  pass "no server there: exit 3, says what failed"
else
  fail "no server: exit $rc: $(cat "$DIR/e1.err")"
fi
if command -v setpriv >/dev/null; then
  rc=$(ip netns exec "$LAN" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
    "$BW" reach --server "$SERVER" --udp 51820 --watch 2>"$DIR/e2.err" >/dev/null; echo $?)
  if [[ $rc == 3 ]] && grep -q -- '--watch needs root or CAP_NET_RAW' "$DIR/e2.err"; then
    pass "--watch without privilege: exit 3, says what it needs"
  else
    fail "--watch unprivileged: exit $rc: $(cat "$DIR/e2.err")"
  fi
fi
rc=$(ip netns exec "$LAN" "$BW" reach --server "$SERVER" --udp 1 --tcp 2 2>/dev/null >/dev/null; echo $?)
if [[ $rc == 2 ]]; then pass "--udp with --tcp: exit 2"; else fail "--udp with --tcp: exit $rc"; fi

echo
echo "reach e2e ($SECONDS s): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
