# shellcheck shell=bash
# The many-visitor test bed of the scan-service benchmarks, sourced (after cd to the
# repository) by bench/scan_visitors.sh and bench/capacity.sh: `breakwater serve` in the
# server namespace, N visitor namespaces behind the router at 50 ms round trip
# (tests/e2e/testbed.sh: tb_many_up), each with its own firewall mix.
#
# Visitor i has mix k = (i - 1) % 20 + 1 (visitors 1-20 each their own; a larger pool repeats
# them): services on 22 and 80+k, a kernel reset on 3, nftables resets on a block that moves
# with k, admin-prohibited on 135 and 400+k, port-unreachable on 111 and 500+k, ping answered
# by even k, SSDP by every third k; everything else dropped.

TB_BUILD=${TB_BUILD:-build/release}
BW="$TB_BUILD/src/app/breakwater"
[ -x "$BW" ] || { echo "build the release preset first" >&2; exit 1; }
source tests/e2e/testbed.sh
SERVE=

mix_of() { echo $((($1 - 1) % 20 + 1)); }
mix_open() { echo "22,$((80 + $(mix_of "$1")))"; }
mix_rst() { local k; k=$(mix_of "$1"); echo "3,$((600 + 5 * k))-$((604 + 5 * k))"; }
mix_admin() { echo "135,$((400 + $(mix_of "$1")))"; }
mix_unreach() { echo "111,$((500 + $(mix_of "$1")))"; }
mix_ping() { [ $(($(mix_of "$1") % 2)) -eq 0 ] && echo yes || echo no; }
mix_upnp() { [ $(($(mix_of "$1") % 3)) -eq 0 ] && echo yes || echo no; }

# vb_up N: the bed with N visitors (at most 253), their firewalls and services, and
# $TB_DIR/mix.json (each visitor's check_scan.py arguments, for bench/capacity_client.py).
vb_up() {
  local n=$1 i ping rst
  tb_many_up "$n" 25 || return 1
  trap vb_down EXIT
  # The relay's TUN devices queue 1,000 packets, as an Ethernet device does, not a TUN's 500:
  # at tens of thousands of probes a second the relay, one process on a shared machine, is
  # sometimes not scheduled for a few milliseconds, and the link should not drop for that.
  ip -n "$TB_SRV" link set bwl0 txqueuelen "${TUN_QUEUE:-1000}"
  ip -n "$TB_RTR" link set bwl0 txqueuelen "${TUN_QUEUE:-1000}"
  for i in $(seq 1 "$n"); do
    ping=accept
    [ "$(mix_ping "$i")" = no ] && ping=drop
    rst=$(mix_rst "$i")
    tb_firewall_in "$(tb_visitor_ns "$i")" "$(mix_open "$i" | sed 's/,/, /g'), 3" \
      "${rst#3,}" "$(mix_admin "$i" | sed 's/,/, /g')" "$(mix_unreach "$i" | sed 's/,/, /g')" "$ping"
    if [ "$(mix_upnp "$i")" = yes ]; then
      tb_visitor_services "$i" "$(mix_open "$i")" --ssdp || return 1
    else
      tb_visitor_services "$i" "$(mix_open "$i")" || return 1
    fi
  done
  {
    echo "{"
    for i in $(seq 1 "$n"); do
      printf '"%s": {"ns": "%s", "ports_": "0-1055", "open_": "%s", "rst": "%s", "icmp_admin": "%s", "icmp_port": "%s", "ping": "%s", "upnp": "%s"}%s\n' \
        "$i" "$(tb_visitor_ns "$i")" "$(mix_open "$i")" "$(mix_rst "$i")" "$(mix_admin "$i")" \
        "$(mix_unreach "$i")" "$(mix_ping "$i")" "$(mix_upnp "$i")" "$([ "$i" -lt "$n" ] && echo ,)"
    done
    echo "}"
  } >"$TB_DIR/mix.json"
}

# check_scan.py's arguments for visitor I's "all service ports" scan with ping and UPnP.
mix_check_args() {
  local i=$1
  echo --ports 0-1055 --open "$(mix_open "$i")" --rst "$(mix_rst "$i")" --icmp-admin "$(mix_admin "$i")" \
    --icmp-port "$(mix_unreach "$i")" --ping "$(mix_ping "$i")" --upnp "$(mix_upnp "$i")"
}

# vb_serve [SCAN_SETTINGS...]: `breakwater serve` on 198.18.0.1:8080 in the server namespace,
# with these "key = value" lines in its [scan] table; sets SERVE to its pid.
vb_serve() {
  {
    echo 'http = ["198.18.0.1:8080"]'
    echo 'https = []'
    echo 'log_level = "warn"'
    echo '[scan]'
    local line
    for line in "$@"; do echo "$line"; done
  } >"$TB_DIR/serve.toml"
  # As many open files as the kernel allows: the engine keeps its probes in flight under
  # RLIMIT_NOFILE even when raw SYNs need no descriptor each. ip netns exec execs the server:
  # $! is the server itself, so signals reach it.
  (ulimit -n 1048576 2>/dev/null || true
   exec ip netns exec "$TB_SRV" "$BW" --data data serve --config "$TB_DIR/serve.toml") \
    >"$TB_DIR/serve.log" 2>&1 &
  SERVE=$!
  tb_wait_listening "$TB_DIR/serve.log" "benchmark" || return 1
}

vb_stop_serve() {
  [ -n "$SERVE" ] || return 0
  kill "$SERVE" 2>/dev/null
  wait "$SERVE" 2>/dev/null
  SERVE=
}

vb_down() {
  vb_stop_serve
  tb_down
}

# The server's CPU seconds (user + system, all threads) so far.
cpu_s() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/${1:-$SERVE}/stat"; }
# Idle CPU seconds of the whole machine (all cores), to see whether the run was CPU-bound.
idle_s() { awk '/^cpu / { printf "%.2f", ($5 + $6) / 100 }' /proc/stat; }
peak_mib() { awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/${1:-$SERVE}/status"; }

# Packets dropped on the way so far, as "BACKLOG TUN_SRV TUN_RTR RAW": the kernel's input
# backlog (all namespaces: /proc/net/softnet_stat, second column, every CPU), the relay's TUN
# devices in the server's and the router's namespaces (tx_dropped: the relay did not read
# them in time; rx_dropped), and the server's raw sockets (/proc/net/raw, "drops": a full
# receive buffer).
vb_drops() {
  local backlog=0 tun_srv tun_rtr raw _ dropped
  while read -r _ dropped _; do backlog=$((backlog + 16#$dropped)); done </proc/net/softnet_stat
  tun_srv=$(ip netns exec "$TB_SRV" sh -c 'cat /sys/class/net/bwl0/statistics/tx_dropped /sys/class/net/bwl0/statistics/rx_dropped' | awk '{ s += $1 } END { print s }')
  tun_rtr=$(ip netns exec "$TB_RTR" sh -c 'cat /sys/class/net/bwl0/statistics/tx_dropped /sys/class/net/bwl0/statistics/rx_dropped' | awk '{ s += $1 } END { print s }')
  raw=$(ip netns exec "$TB_SRV" awk 'NR > 1 { s += $NF } END { print s + 0 }' /proc/net/raw)
  echo "$backlog $tun_srv $tun_rtr $raw"
}
