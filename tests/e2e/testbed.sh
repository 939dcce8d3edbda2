# The network test bed, sourced by the e2e tests and the benchmark. Two namespaces made here
# and removed on exit: "srv" (where breakwater runs, 198.18.0.1 / 2001:2::1) and "vis" (the
# visitor, 198.18.0.2 / 2001:2::2), joined by TUN devices and bw_link_relay (delay and loss).
# tb_many_up makes N visitors instead, behind a router namespace (see there).
# No default route exists in either: a packet can only ever reach the other namespace.

TB_BUILD=${TB_BUILD:-build/release}
TB_ID=${TB_ID:-$$}
TB_SRV=bw-srv-$TB_ID
TB_VIS=bw-vis-$TB_ID
TB_DIR=$(mktemp -d /tmp/bw-testbed.XXXXXX)
TB_PIDS=()

tb_in_srv() { ip netns exec "$TB_SRV" "$@"; }
tb_in_vis() { ip netns exec "$TB_VIS" "$@"; }

# Waits for a helper's "ready" line. A helper restarted with `cmd >FILE &` truncates FILE only
# once the child has run its redirection, so the caller empties FILE itself first
# (tb_fresh): otherwise the previous helper's "ready" could be read before the new one exists.
tb_fresh() { : >"$1"; : >"$1.err"; }

tb_wait_ready() {
  local file=$1
  for _ in $(seq 1 100); do
    grep -q '^ready' "$file" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "testbed: helper did not start: $(cat "$file" "$file.err" 2>/dev/null)" >&2
  return 1
}

# tb_wait_listening LOG NAME: waits (10 s at most) for `breakwater serve` to log that it
# listens; otherwise prints why NAME cannot go on, with the log, and fails.
tb_wait_listening() {
  for _ in $(seq 1 100); do
    grep -q 'listening on' "$1" && return 0
    sleep 0.1
  done
  echo "$2: the server did not start: $(cat "$1")"
  return 1
}

# tb_link DELAY_MS_ONE_WAY LOSS_PCT [JITTER_MS [STALL_EVERY_MS STALL_MS]]: (re)starts the relay
# with new link properties (stalls: see tests/e2e/link_relay.cpp).
tb_link() {
  local delay=$1 loss=$2 jitter=${3:-0} stalls=()
  [ -n "${4:-}" ] && stalls=(--stall-every-ms "$4" --stall-ms "$5")
  tb_unlink
  tb_fresh "$TB_DIR/relay"
  "$TB_BUILD/tests/e2e/bw_link_relay" --ns-a "$TB_SRV" --ns-b "$TB_VIS" --dev bwl0 \
    --delay-ms "$delay" --jitter-ms "$jitter" --loss "$loss" "${stalls[@]}" \
    --seed "${TB_SEED:-$RANDOM}" \
    >"$TB_DIR/relay" 2>"$TB_DIR/relay.err" &
  TB_RELAY=$!
  tb_wait_ready "$TB_DIR/relay"
  local ns me peer
  for ns in "$TB_SRV" "$TB_VIS"; do
    if [ "$ns" = "$TB_SRV" ]; then me=1 peer=2; else me=2 peer=1; fi
    ip -n "$ns" addr add "198.18.0.$me/32" peer "198.18.0.$peer/32" dev bwl0
    ip -n "$ns" -6 addr add "2001:2::$me/128" dev bwl0 nodad
    ip -n "$ns" link set bwl0 up
    ip -n "$ns" -6 route add "2001:2::$peer/128" dev bwl0
  done
}

tb_unlink() {
  if [ -n "${TB_RELAY:-}" ]; then
    kill "$TB_RELAY" 2>/dev/null || true
    wait "$TB_RELAY" 2>/dev/null || true
    TB_RELAY=
  fi
}

# tb_firewall OPEN RST ICMP_ADMIN ICMP_PORT [ping=accept|drop]: nftables on the visitor. Each
# list is an nft set body ("22, 80" or "100-139"); "-" for none. Other TCP ports are dropped.
tb_firewall() { tb_firewall_in "$TB_VIS" "$@"; }

# tb_firewall_in NAMESPACE OPEN RST ICMP_ADMIN ICMP_PORT [ping]: the same in any namespace.
# The counter "probes" counts what the server (198.18.0.1 / 2001:2::1) sends that is a probe:
# TCP SYNs, ICMP echo requests and UDP to port 1900 (read it with tb_probes_seen).
tb_firewall_in() {
  local ns=$1 open=$2 rst=$3 admin=$4 unreach=$5 ping=${6:-accept}
  {
    echo "flush ruleset"
    echo "table inet bw {"
    echo "  counter probes { }"
    echo "  chain input {"
    echo "    type filter hook input priority 0; policy accept;"
    echo "    ip saddr 198.18.0.1 tcp flags & (syn | ack) == syn counter name probes"
    echo "    ip6 saddr 2001:2::1 tcp flags & (syn | ack) == syn counter name probes"
    echo "    ip saddr 198.18.0.1 icmp type echo-request counter name probes"
    echo "    ip6 saddr 2001:2::1 icmpv6 type echo-request counter name probes"
    echo "    ip saddr 198.18.0.1 udp dport 1900 counter name probes"
    echo "    ip6 saddr 2001:2::1 udp dport 1900 counter name probes"
    echo "    ct state established,related accept"  # the visitor's own connections (the API)
    [ "$open" != "-" ] && echo "    tcp dport { $open } accept"
    [ "$rst" != "-" ] && echo "    tcp dport { $rst } reject with tcp reset"
    [ "$admin" != "-" ] && echo "    tcp dport { $admin } reject with icmpx type admin-prohibited"
    [ "$unreach" != "-" ] && echo "    tcp dport { $unreach } reject with icmpx type port-unreachable"
    echo "    meta l4proto tcp drop"
    if [ "$ping" = drop ]; then
      echo "    icmp type echo-request drop"
      echo "    icmpv6 type echo-request drop"
    fi
    echo "  }"
    echo "}"
  } >"$TB_DIR/rules-$ns.nft"
  ip netns exec "$ns" nft -f "$TB_DIR/rules-$ns.nft"
}

# tb_probes_seen NAMESPACE: packets counted by the "probes" counter there.
tb_probes_seen() {
  ip netns exec "$1" nft list counter inet bw probes | awk '/packets/ { print $2 }'
}

# tb_services TCP_PORTS [--ssdp]: listeners (and the SSDP responder) on the visitor.
tb_services() {
  tb_stop_services
  local args=()
  [ "$1" != "-" ] && args+=(--tcp "$1")
  [ "${2:-}" = "--ssdp" ] && args+=(--ssdp)
  tb_fresh "$TB_DIR/services"
  # ip netns exec execs the helper: $! is the helper itself, so kill reaches it.
  ip netns exec "$TB_VIS" "$TB_BUILD/tests/e2e/bw_visitor_services" "${args[@]}" \
    >"$TB_DIR/services" 2>"$TB_DIR/services.err" &
  TB_SERVICES=$!
  tb_wait_ready "$TB_DIR/services"
}

tb_stop_services() {
  if [ -n "${TB_SERVICES:-}" ]; then
    kill "$TB_SERVICES" 2>/dev/null || true
    wait "$TB_SERVICES" 2>/dev/null || true
    TB_SERVICES=
  fi
}

tb_up() {
  for tool in ip nft; do
    command -v $tool >/dev/null || { echo "testbed: $tool missing (run scripts/setup.sh)" >&2; return 1; }
  done
  [ "$(id -u)" -eq 0 ] || { echo "testbed: needs root (network namespaces)" >&2; return 1; }
  ip netns add "$TB_SRV"
  ip netns add "$TB_VIS"
  trap tb_down EXIT
  ip -n "$TB_SRV" link set lo up
  ip -n "$TB_VIS" link set lo up
}

# --- Many visitors: srv -- relay (delay, loss) -- rtr (a router with a bridge) -- visitors.
# Visitor I (1-based) is namespace bw-vI-$TB_ID with 198.18.1.I/24 and 2001:2:0:1::I/64; the
# server is 198.18.0.1 / 2001:2::1 as before. Past 253 (a bridge takes about 1,000), visitors
# continue in 198.18.16.0/20, 250 to a /24 (254: 198.18.16.1, 504: 198.18.17.1, ...), each /24
# with the router at .254. Routes exist only between these namespaces.
TB_RTR=bw-rtr-$TB_ID
TB_MANY=0
TB_VPIDS=()

tb_visitor_ns() { echo "bw-v$1-$TB_ID"; }
tb_visitor_v4() {
  if [ "$1" -le 253 ]; then echo "198.18.1.$1"; else echo "198.18.$((16 + ($1 - 254) / 250)).$((($1 - 254) % 250 + 1))"; fi
}
tb_visitor_gw4() { local a; a=$(tb_visitor_v4 "$1"); echo "${a%.*}.254"; }
tb_visitor_v6() { echo "2001:2:0:1::$1"; }
tb_in_visitor() {
  local i=$1
  shift
  ip netns exec "$(tb_visitor_ns "$i")" "$@"
}

# tb_many_up N DELAY_MS_ONE_WAY [LOSS_PCT]: the server, the router and N visitors.
tb_many_up() {
  local n=$1 delay=$2 loss=${3:-0} i ns
  [ "$(id -u)" -eq 0 ] || { echo "testbed: needs root (network namespaces)" >&2; return 1; }
  for tool in ip nft; do
    command -v $tool >/dev/null || { echo "testbed: $tool missing (run scripts/setup.sh)" >&2; return 1; }
  done
  trap tb_down EXIT
  TB_MANY=$n
  ip netns add "$TB_SRV"
  ip netns add "$TB_RTR"
  ip -n "$TB_SRV" link set lo up
  ip -n "$TB_RTR" link set lo up
  tb_fresh "$TB_DIR/relay"
  "$TB_BUILD/tests/e2e/bw_link_relay" --ns-a "$TB_SRV" --ns-b "$TB_RTR" --dev bwl0 \
    --delay-ms "$delay" --jitter-ms 0 --loss "$loss" --seed "${TB_SEED:-$RANDOM}" \
    >"$TB_DIR/relay" 2>"$TB_DIR/relay.err" &
  TB_RELAY=$!
  tb_wait_ready "$TB_DIR/relay" || return 1
  ip -n "$TB_SRV" addr add 198.18.0.1/32 peer 198.18.0.254/32 dev bwl0
  ip -n "$TB_SRV" -6 addr add 2001:2::1/128 dev bwl0 nodad
  ip -n "$TB_SRV" link set bwl0 up
  ip -n "$TB_SRV" route add 198.18.1.0/24 dev bwl0
  [ "$n" -gt 253 ] && ip -n "$TB_SRV" route add 198.18.16.0/20 dev bwl0
  ip -n "$TB_SRV" -6 route add 2001:2::fe/128 dev bwl0
  ip -n "$TB_SRV" -6 route add 2001:2:0:1::/64 dev bwl0
  ip -n "$TB_RTR" addr add 198.18.0.254/32 peer 198.18.0.1/32 dev bwl0
  ip -n "$TB_RTR" -6 addr add 2001:2::fe/128 dev bwl0 nodad
  ip -n "$TB_RTR" link set bwl0 up
  ip -n "$TB_RTR" -6 route add 2001:2::1/128 dev bwl0
  ip netns exec "$TB_RTR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  ip -n "$TB_RTR" link add br0 address 02:00:00:00:00:fe type bridge  # fixed: ports do not change it
  ip -n "$TB_RTR" addr add 198.18.1.254/24 dev br0
  ip -n "$TB_RTR" -6 addr add 2001:2:0:1::fe/64 dev br0 nodad
  for ((i = 254; i <= n; i += 250)); do ip -n "$TB_RTR" addr add "$(tb_visitor_gw4 "$i")/24" dev br0; done
  ip -n "$TB_RTR" link set br0 up
  local br_mac mac
  br_mac=02:00:00:00:00:fe
  for i in $(seq 1 "$n"); do
    ns=$(tb_visitor_ns "$i")
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip -n "$TB_RTR" link add "v$i" type veth peer name eth0 netns "$ns"
    ip -n "$TB_RTR" link set "v$i" master br0 up
    ip -n "$ns" addr add "$(tb_visitor_v4 "$i")/24" dev eth0
    ip -n "$ns" -6 addr add "$(tb_visitor_v6 "$i")/64" dev eth0 nodad
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add 198.18.0.1/32 via "$(tb_visitor_gw4 "$i")"
    ip -n "$ns" -6 route add 2001:2::1/128 via 2001:2:0:1::fe
    # Fixed neighbours both ways: no packet of a scan is lost waiting for ARP or ND.
    mac=$(ip -n "$ns" -br link show eth0 | awk '{ print $3 }')
    ip -n "$TB_RTR" neigh replace "$(tb_visitor_v4 "$i")" lladdr "$mac" dev br0 nud permanent
    ip -n "$TB_RTR" -6 neigh replace "$(tb_visitor_v6 "$i")" lladdr "$mac" dev br0 nud permanent
    ip -n "$ns" neigh replace "$(tb_visitor_gw4 "$i")" lladdr "$br_mac" dev eth0 nud permanent
    ip -n "$ns" -6 neigh replace 2001:2:0:1::fe lladdr "$br_mac" dev eth0 nud permanent
  done
}

# tb_visitor_services I TCP_PORTS [--ssdp]: listeners (and the SSDP responder) on visitor I.
tb_visitor_services() {
  local i=$1 args=()
  [ "$2" != "-" ] && args+=(--tcp "$2")
  [ "${3:-}" = "--ssdp" ] && args+=(--ssdp)
  tb_fresh "$TB_DIR/services-$i"
  ip netns exec "$(tb_visitor_ns "$i")" "$TB_BUILD/tests/e2e/bw_visitor_services" "${args[@]}" \
    >"$TB_DIR/services-$i" 2>"$TB_DIR/services-$i.err" &
  TB_VPIDS+=($!)
  tb_wait_ready "$TB_DIR/services-$i"
}

tb_many_down() {
  local pid i
  for pid in "${TB_VPIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  TB_VPIDS=()
  for i in $(seq 1 "$TB_MANY"); do ip netns del "$(tb_visitor_ns "$i")" 2>/dev/null || true; done
  ip netns del "$TB_RTR" 2>/dev/null || true
  TB_MANY=0
}

tb_down() {
  tb_many_down
  tb_stop_services
  tb_unlink
  ip netns del "$TB_SRV" 2>/dev/null || true
  ip netns del "$TB_VIS" 2>/dev/null || true
  rm -rf "$TB_DIR"
}
