#!/usr/bin/env bash
# `breakwater nat` on a test bed of its own: a visitor behind a home router namespace that
# NATs IPv4 (nftables masquerade) and runs miniupnpd (UPnP IGD and NAT-PMP on its LAN side),
# and `breakwater serve` in an "internet" namespace. Three shapes of what lies between the
# router and the internet: nothing (the router has a public address: neither double NAT nor
# CGNAT), an ISP namespace doing a second NAT over 100.64.0.0/10 (carrier-grade NAT), and one
# over a private range (double NAT). Hairpin NAT on the router on and off. IPv6 is routed
# without NAT through every shape (the visitor's hosts file gives the server's name both
# families). The namespaces are joined by veth pairs only: no packet leaves them. The
# "internet" is 11.0.0.0/24: miniupnpd calls the test bed's usual 198.18.0.0/15 reserved and
# would refuse it as a WAN address. Needs root, miniupnpd-nftables and miniupnpc
# (scripts/setup.sh --tools); run from the repo root after a release build.
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${TB_BUILD:-build/release}
BW="$PWD/$BUILD/src/app/breakwater"
ID=$$
VIS=bw-nvis-$ID RTR=bw-nrtr-$ID ISP=bw-nisp-$ID NET=bw-nnet-$ID
DIR=$(mktemp -d /tmp/bw-nat-e2e.XXXXXX)
PIDS=()

source tests/e2e/checks.sh

for tool in ip nft miniupnpd upnpc; do
  command -v $tool >/dev/null || { echo "nat e2e: $tool missing (run scripts/setup.sh --tools)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "nat e2e: needs root (network namespaces)" >&2; exit 1; }
[ -x "$BW" ] || { echo "nat e2e: $BW missing (build the release preset first)" >&2; exit 1; }

stop_all() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
  for ns in "$VIS" "$RTR" "$ISP" "$NET"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap 'stop_all; rm -rf "$DIR" "/etc/netns/$VIS"' EXIT
# ip netns exec bind-mounts /etc/netns/NAME/hosts over /etc/hosts: bw.test has both families.
mkdir -p "/etc/netns/$VIS"
printf '11.0.0.1 bw.test\n2001:db8::1 bw.test\n' >"/etc/netns/$VIS/hosts"

# link NS_A DEV_A ADDR_A NS_B DEV_B ADDR_B V6_NET: a veth pair with an IPv4 /24 on each end
# and V6_NET::1 (B) and V6_NET::2 (A) in a /64.
link() {
  ip -n "$1" link add "$2" type veth peer name "$5" netns "$4"
  ip -n "$1" addr add "$3/24" dev "$2"
  ip -n "$4" addr add "$6/24" dev "$5"
  ip -n "$1" -6 addr add "$7::2/64" dev "$2" nodad
  ip -n "$4" -6 addr add "$7::1/64" dev "$5" nodad
  ip -n "$1" link set "$2" up
  ip -n "$4" link set "$5" up
}

forwarding() { ip netns exec "$1" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1; }

# masquerade NS OUT_DEV [HAIRPIN_PORT TO_ADDR:PORT]: IPv4 NAT out of OUT_DEV (IPv6 is routed);
# with a hairpin port, connections from the LAN to the router's own WAN address on it loop
# back to TO (miniupnpd's own forwards match the WAN interface only: no hairpin).
masquerade() {
  local ns=$1 out=$2 wan
  wan=$(ip -n "$ns" -4 -br addr show "$out" | awk '{ split($3, a, "/"); print a[1] }')
  {
    echo "table ip bwnat {"
    echo "  chain prerouting {"
    echo "    type nat hook prerouting priority -100; policy accept;"
    [ -n "${3:-}" ] && echo "    iifname \"lan0\" ip daddr $wan tcp dport $3 dnat to $4"
    echo "  }"
    echo "  chain postrouting {"
    echo "    type nat hook postrouting priority 100; policy accept;"
    echo "    oifname \"$out\" masquerade"
    [ -n "${3:-}" ] && echo "    iifname \"lan0\" oifname \"lan0\" masquerade"
    echo "  }"
    echo "}"
  } >"$DIR/nat-$ns.nft"
  ip netns exec "$ns" nft -f "$DIR/nat-$ns.nft"
}

# up SHAPE HAIRPIN [UPNP]: SHAPE public | cgnat | double; HAIRPIN on | off; UPNP on (the
# default) | off (no miniupnpd: a router that says nothing).
up() {
  local shape=$1 hairpin=$2 upnp=${3:-on} wan_net
  stop_all
  for ns in "$VIS" "$RTR" "$NET"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
  link "$VIS" eth0 192.168.1.2 "$RTR" lan0 192.168.1.1 2001:db8:1
  ip -n "$VIS" route add default via 192.168.1.1
  ip -n "$VIS" -6 route add default via 2001:db8:1::1
  case $shape in
    public)
      link "$RTR" wan0 11.0.0.2 "$NET" eth0 11.0.0.1 2001:db8:0
      ip -n "$RTR" route add default via 11.0.0.1
      ip -n "$RTR" -6 route add default via 2001:db8::1
      ;;
    cgnat | double)
      [ "$shape" = cgnat ] && wan_net=100.64.0 || wan_net=10.0.0
      ip netns add "$ISP"
      ip -n "$ISP" link set lo up
      link "$RTR" wan0 "$wan_net.2" "$ISP" in0 "$wan_net.1" 2001:db8:2
      link "$ISP" out0 11.0.0.2 "$NET" eth0 11.0.0.1 2001:db8:0
      forwarding "$ISP"
      ip -n "$ISP" route add default via 11.0.0.1
      ip -n "$ISP" -6 route add default via 2001:db8::1
      ip -n "$ISP" -6 route add 2001:db8:1::/64 via 2001:db8:2::2
      ip -n "$RTR" route add default via "$wan_net.1"
      ip -n "$RTR" -6 route add default via 2001:db8:2::1
      masquerade "$ISP" out0
      ;;
  esac
  ip -n "$NET" -6 route add 2001:db8:1::/64 via 2001:db8::2
  forwarding "$RTR"
  if [ "$hairpin" = on ]; then masquerade "$RTR" wan0 8022 192.168.1.2:2222; else masquerade "$RTR" wan0; fi
  serve || return 1
  [ "$upnp" = off ] || miniupnp
}

serve() {
  cat >"$DIR/serve.toml" <<TOML
http = ["11.0.0.1:8080", "[2001:db8::1]:8080"]
server_names = ["bw.test", "11.0.0.1"]
state_dir = "$DIR/state"
log_level = "warn"
TOML
  rm -f "$DIR/serve.log"
  ip netns exec "$NET" "$BW" --data data serve --config "$DIR/serve.toml" >"$DIR/serve.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do grep -qs "listening" "$DIR/serve.log" && return 0; sleep 0.05; done
  echo "server did not start: $(cat "$DIR/serve.log")" >&2
  return 1
}

# miniupnpd (nftables backend) adds its rules to chains it expects to exist: these are the
# names and the inet family of Debian's /etc/miniupnpd/nft_init.sh.
miniupnp_tables() {
  ip netns exec "$RTR" nft -f - <<'NFT'
table inet filter {
  chain forward { type filter hook forward priority 0; policy accept; jump miniupnpd; }
  chain miniupnpd { }
  chain prerouting { type nat hook prerouting priority -100; policy accept; jump prerouting_miniupnpd; }
  chain postrouting { type nat hook postrouting priority 100; policy accept; jump postrouting_miniupnpd; }
  chain prerouting_miniupnpd { }
  chain postrouting_miniupnpd { }
}
NFT
}

miniupnp() {
  miniupnp_tables
  cat >"$DIR/miniupnpd.conf" <<CONF
ext_ifname=wan0
listening_ip=lan0
http_port=5000
enable_upnp=yes
enable_natpmp=yes
ipv6_disable=yes
${EXT_IP:+ext_ip=$EXT_IP}
secure_mode=yes
system_uptime=no
uuid=3d3cec3a-8cf0-11e0-98ee-001a6bd2d07a
allow 1024-65535 192.168.1.0/24 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
CONF
  rm -f "$DIR/miniupnpd.pid"
  ip netns exec "$RTR" miniupnpd -d -f "$DIR/miniupnpd.conf" -P "$DIR/miniupnpd.pid" \
    >"$DIR/miniupnpd.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do
    ip netns exec "$RTR" ss -ltn | grep -q ':5000 ' && return 0
    sleep 0.05
  done
  echo "miniupnpd did not start: $(cat "$DIR/miniupnpd.log")" >&2
  return 1
}

# A listener on the visitor, the host the forwarded port leads to.
listener() {
  ip netns exec "$VIS" python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 2222)); s.listen(8)
while True: s.accept()[0].close()' &
  PIDS+=($!)
}

nat() {  # nat OUT_FILE ARGS...: breakwater nat in the visitor; prints its exit status
  local out=$1
  shift
  ip netns exec "$VIS" "$BW" nat --server http://bw.test:8080 "$@" >"$out" 2>"$out.err"
  echo $?
}


# field FILE EXPR: a Python expression over the JSON output `d`, printed.
field() { python3 -c "import json, sys; d = json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null; }

echo "nat e2e ($SECONDS s): public address on the router, hairpin NAT on"
up public on || exit 1
listener
ip netns exec "$VIS" upnpc -m eth0 -a 192.168.1.2 2222 8022 TCP >"$DIR/upnpc.log" 2>&1
rc=$(nat "$DIR/p1.txt")
if [[ $rc == 0 ]] && grep -q '^Your router has a public IPv4 address' "$DIR/p1.txt" &&
  ! grep -qi -E 'double nat|carrier-grade' "$DIR/p1.txt" &&
  grep -q 'UPnP IGD: WAN address 11.0.0.2' "$DIR/p1.txt" &&
  grep -q 'NAT-PMP: WAN address 11.0.0.2' "$DIR/p1.txt" &&
  grep -q 'TCP 8022 -> 192.168.1.2:2222' "$DIR/p1.txt" &&
  grep -q 'hairpin NAT: works (11.0.0.2:8022' "$DIR/p1.txt"; then
  pass "public: neither double NAT nor CGNAT; both protocols tell 11.0.0.2; the UPnP mapping listed; hairpin works"
else
  fail "public, hairpin on: exit $rc: $(cat "$DIR/p1.txt" "$DIR/p1.txt.err")"
fi
rc=$(nat "$DIR/p2.json" --json)
if [[ $rc == 0 && $(field "$DIR/p2.json" 'd["diagnosis"], d["server_saw"]["ipv4"], d["hairpin"]["state"], d["hops"][0]["address"]') == "public 11.0.0.2 works 192.168.1.1" ]]; then
  pass "public --json: diagnosis, the server's view, hairpin and the gateway's hop"
else
  fail "public --json: exit $rc: $(cat "$DIR/p2.json" "$DIR/p2.json.err")"
fi

echo "nat e2e ($SECONDS s): public address, hairpin NAT off"
up public off || exit 1
listener
ip netns exec "$VIS" upnpc -m eth0 -a 192.168.1.2 2222 8022 TCP >"$DIR/upnpc.log" 2>&1
rc=$(nat "$DIR/p3.json" --json)
if [[ $rc == 0 && $(field "$DIR/p3.json" 'd["diagnosis"], d["hairpin"]["state"], d["hairpin"]["port"]') == "public fails 8022" ]] &&
  ip netns exec "$VIS" "$BW" nat --server http://bw.test:8080 --hairpin-port 8022 | grep -q 'hairpin NAT: does not work for 11.0.0.2:8022'; then
  pass "no hairpin NAT: the connection from inside to 11.0.0.2:8022 fails, said in text and JSON"
else
  fail "public, hairpin off: exit $rc: $(cat "$DIR/p3.json" "$DIR/p3.json.err")"
fi

echo "nat e2e ($SECONDS s): carrier-grade NAT (100.64.0.0/10 between the router and the ISP's NAT)"
up cgnat off || exit 1
rc=$(nat "$DIR/c1.txt")
if [[ $rc == 0 ]] && grep -q '^Carrier-grade NAT' "$DIR/c1.txt" &&
  grep -q 'Forwarding on your router cannot make you reachable over IPv4; use IPv6, or ask your ISP for a public address' "$DIR/c1.txt" &&
  grep -q 'hop 2 toward the server is 100.64.0.1' "$DIR/c1.txt" &&
  grep -q 'NAT-PMP: answered but would not tell' "$DIR/c1.txt"; then
  pass "CGNAT: said, with miniupnpd's refusal (UPnP and NAT-PMP) and the 100.64.0.1 hop"
else
  fail "cgnat: exit $rc: $(cat "$DIR/c1.txt" "$DIR/c1.txt.err")"
fi
if grep -q 'Over IPv6 the server saw your address 2001:db8:1::2' "$DIR/c1.txt" &&
  grep -q '^IPv6 gateway: 2001:db8:1::1' "$DIR/c1.txt"; then
  pass "CGNAT: IPv6 offered, with the address the server saw over it and the IPv6 gateway"
else
  fail "cgnat, IPv6: $(cat "$DIR/c1.txt")"
fi
up cgnat off off || exit 1
rc=$(nat "$DIR/c2.json" --json)
if [[ $rc == 0 && $(field "$DIR/c2.json" 'd["diagnosis"], d["upnp"]["answered"], d["nat_pmp"]["answered"]') == "cgnat False False" ]]; then
  pass "CGNAT with a router that answers neither UPnP nor NAT-PMP: told from the hops"
else
  fail "cgnat, silent router: exit $rc: $(cat "$DIR/c2.json" "$DIR/c2.json.err")"
fi

# A router configured to report a public address (miniupnpd's ext_ip) that the server does
# not see: the mismatch says there is another NAT, the 100.64.0.1 hop says whose.
EXT_IP=11.0.0.9 up cgnat off || exit 1
rc=$(nat "$DIR/c3.json" --json)
if [[ $rc == 0 && $(field "$DIR/c3.json" 'd["diagnosis"], d["upnp"]["wan_address"]') == "cgnat 11.0.0.9" ]] &&
  grep -q 'but the server saw 11.0.0.2' "$DIR/c3.json"; then
  pass "a public WAN address the server did not see: another NAT (CGNAT by the hop)"
else
  fail "cgnat, ext_ip: exit $rc: $(cat "$DIR/c3.json" "$DIR/c3.json.err")"
fi

echo "nat e2e ($SECONDS s): double NAT (a private range between the two NATs)"
up double off || exit 1
rc=$(nat "$DIR/d1.txt")
if [[ $rc == 0 ]] && grep -q '^Double NAT' "$DIR/d1.txt" &&
  grep -q 'hop 2 toward the server is 10.0.0.1' "$DIR/d1.txt" && ! grep -qi 'carrier-grade' "$DIR/d1.txt"; then
  pass "double NAT: said, with the 10.0.0.1 hop"
else
  fail "double: exit $rc: $(cat "$DIR/d1.txt" "$DIR/d1.txt.err")"
fi
# The outer NAT sends no time-exceeded: only the router's refusal is left to go on.
ip netns exec "$ISP" nft add table inet quiet
ip netns exec "$ISP" nft add chain inet quiet out '{ type filter hook output priority 0; }'
ip netns exec "$ISP" nft add rule inet quiet out icmp type time-exceeded drop
rc=$(nat "$DIR/d2.json" --json)
if [[ $rc == 0 && $(field "$DIR/d2.json" 'd["diagnosis"], d["hops"][1]["address"]') == "nat-beyond-router None" ]]; then
  pass "silent hops: the router's refusal to tell its WAN address still says a NAT is beyond it"
else
  fail "double, silent hops: exit $rc: $(cat "$DIR/d2.json" "$DIR/d2.json.err")"
fi

rc=$(ip netns exec "$VIS" "$BW" nat --server http://11.0.0.1:9 2>"$DIR/e1.err" >/dev/null; echo $?)
if [[ $rc == 1 ]] && grep -q 'cannot ask the server which address it sees' "$DIR/e1.err"; then
  pass "no server there: exit 1, says what failed"
else
  fail "no server: exit $rc: $(cat "$DIR/e1.err")"
fi

echo
echo "nat e2e ($SECONDS s): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
