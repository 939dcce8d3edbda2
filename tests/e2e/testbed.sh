# The network test bed, sourced by the e2e tests and the benchmark. Two namespaces made here
# and removed on exit: "srv" (where breakwater runs, 198.18.0.1 / 2001:2::1) and "vis" (the
# visitor, 198.18.0.2 / 2001:2::2), joined by TUN devices and bw_link_relay (delay and loss).
# No default route exists in either: a packet can only ever reach the other namespace.

TB_BUILD=${TB_BUILD:-build/release}
TB_ID=${TB_ID:-$$}
TB_SRV=bw-srv-$TB_ID
TB_VIS=bw-vis-$TB_ID
TB_DIR=$(mktemp -d /tmp/bw-testbed.XXXXXX)
TB_PIDS=()

tb_in_srv() { ip netns exec "$TB_SRV" "$@"; }
tb_in_vis() { ip netns exec "$TB_VIS" "$@"; }

# Waits for a helper's "ready" line.
tb_wait_ready() {
  local file=$1
  for _ in $(seq 1 100); do
    grep -q '^ready' "$file" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "testbed: helper did not start: $(cat "$file" "$file.err" 2>/dev/null)" >&2
  return 1
}

# tb_link DELAY_MS_ONE_WAY LOSS_PCT [JITTER_MS]: (re)starts the relay with new link properties.
tb_link() {
  local delay=$1 loss=$2 jitter=${3:-0}
  tb_unlink
  "$TB_BUILD/tests/e2e/bw_link_relay" --ns-a "$TB_SRV" --ns-b "$TB_VIS" --dev bwl0 \
    --delay-ms "$delay" --jitter-ms "$jitter" --loss "$loss" --seed "${TB_SEED:-$RANDOM}" \
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
tb_firewall() {
  local open=$1 rst=$2 admin=$3 unreach=$4 ping=${5:-accept}
  {
    echo "flush ruleset"
    echo "table inet bw {"
    echo "  chain input {"
    echo "    type filter hook input priority 0; policy accept;"
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
  } >"$TB_DIR/rules.nft"
  tb_in_vis nft -f "$TB_DIR/rules.nft"
}

# tb_services TCP_PORTS [--ssdp]: listeners (and the SSDP responder) on the visitor.
tb_services() {
  tb_stop_services
  local args=()
  [ "$1" != "-" ] && args+=(--tcp "$1")
  [ "${2:-}" = "--ssdp" ] && args+=(--ssdp)
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

tb_down() {
  tb_stop_services
  tb_unlink
  ip netns del "$TB_SRV" 2>/dev/null || true
  ip netns del "$TB_VIS" 2>/dev/null || true
  rm -rf "$TB_DIR"
}
