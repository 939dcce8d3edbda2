# Many breakwater nodes behind HAProxy on the network test bed, sourced (after testbed.sh) by
# tests/e2e/run_cluster_e2e.sh and bench/cluster_load.sh.
#
#   visitors 198.18.1.I --+-- rtr --(relay)-- srv: HAProxy 198.18.0.1 / 2001:2::1 (:80, :443)
#   (2001:2:0:1::I)       |
#                         +-- node K: 198.18.3.K / 2001:2:0:3::K, breakwater with
#                             tests/e2e/cluster/breakwater.toml (verbatim)
#
# The nodes hang off the router's bridge, not behind HAProxy: their probes leave from their
# own addresses and the answers come straight back, as they would at a hosting provider. The
# router plays the upstream firewall of docs/deploy.md: from the visitors' side nothing may
# open a connection to a node or ping it; answers to probes pass. Routes exist only between
# these namespaces.

CL_NODES=${CL_NODES:-3}
CL_CONF=tests/e2e/cluster
CL_HAPROXY=
CL_NPIDS=()

cl_node_ns() { echo "bw-n$1-$TB_ID"; }
cl_node_v4() { echo "198.18.3.$1"; }
cl_node_v6() { echo "2001:2:0:3::$1"; }
cl_in_node() {
  local k=$1
  shift
  ip netns exec "$(cl_node_ns "$k")" "$@"
}

# Visitor I's firewall mix: services on 22 and 80+I, resets on 3, a block that moves with I
# and 1000-4999 (the long scans), ICMP admin-prohibited on 135, port-unreachable on 111, ping
# answered by even visitors, SSDP by every third; every other port dropped (stealth).
cl_mix_open() { echo "22,$((80 + $1))"; }
cl_mix_rst() { echo "3,$((200 + 5 * $1))-$((204 + 5 * $1))"; }
cl_mix_ping() { [ $(($1 % 2)) -eq 0 ] && echo yes || echo no; }
cl_mix_upnp() { [ $(($1 % 3)) -eq 0 ] && echo yes || echo no; }
# check_scan.py's arguments for visitor I's scan: "short" (ports 0-999 with ping and UPnP),
# "service" (0-1055, the same) or "long" (0-4999, ports only: a scan of over 4,096 ports is
# paced as a full-range one, without ping or UPnP).
cl_mix_check() {
  local i=$1 kind=$2
  if [ "$kind" = long ]; then
    echo --ports 0-4999 --open "$(cl_mix_open "$i")" --rst "$(cl_mix_rst "$i"),1000-4999" \
      --icmp-admin 135 --icmp-port 111
  else
    local ports=0-999 rst
    rst=$(cl_mix_rst "$i")
    [ "$kind" = service ] && ports=0-1055 rst="$rst,1000-1055"
    echo --ports "$ports" --open "$(cl_mix_open "$i")" --rst "$rst" \
      --icmp-admin 135 --icmp-port 111 --ping "$(cl_mix_ping "$i")" --upnp "$(cl_mix_upnp "$i")"
  fi
}

# cl_up N DELAY_MS_ONE_WAY: the test bed with N visitors, the nodes' namespaces (not started)
# and the firewalls.
cl_up() {
  local n=$1 delay=$2 i k ns mac ping
  tb_many_up "$n" "$delay" || return 1
  ip -n "$TB_RTR" addr add 198.18.3.254/24 dev br0
  ip -n "$TB_RTR" -6 addr add 2001:2:0:3::fe/64 dev br0 nodad
  ip -n "$TB_SRV" route add 198.18.3.0/24 dev bwl0
  ip -n "$TB_SRV" -6 route add 2001:2:0:3::/64 dev bwl0
  for k in $(seq 1 "$CL_NODES"); do
    ns=$(cl_node_ns "$k")
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip -n "$TB_RTR" link add "n$k" type veth peer name eth0 netns "$ns"
    ip -n "$TB_RTR" link set "n$k" master br0 up
    ip -n "$ns" addr add "$(cl_node_v4 "$k")/24" dev eth0
    ip -n "$ns" -6 addr add "$(cl_node_v6 "$k")/64" dev eth0 nodad
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add 198.18.0.0/22 via 198.18.3.254
    ip -n "$ns" -6 route add 2001:2::/46 via 2001:2:0:3::fe
    mac=$(ip -n "$ns" -br link show eth0 | awk '{ print $3 }')
    ip -n "$TB_RTR" neigh replace "$(cl_node_v4 "$k")" lladdr "$mac" dev br0 nud permanent
    ip -n "$TB_RTR" -6 neigh replace "$(cl_node_v6 "$k")" lladdr "$mac" dev br0 nud permanent
    ip -n "$ns" neigh replace 198.18.3.254 lladdr 02:00:00:00:00:fe dev eth0 nud permanent
    ip -n "$ns" -6 neigh replace 2001:2:0:3::fe lladdr 02:00:00:00:00:fe dev eth0 nud permanent
  done
  for i in $(seq 1 "$n"); do
    # The answers to a node's probes go back to the node's own address.
    ip -n "$(tb_visitor_ns "$i")" route add 198.18.3.0/24 via 198.18.1.254
    ip -n "$(tb_visitor_ns "$i")" -6 route add 2001:2:0:3::/64 via 2001:2:0:1::fe
    ping=accept
    [ "$(cl_mix_ping "$i")" = no ] && ping=drop
    tb_firewall_in "$(tb_visitor_ns "$i")" "22, $((80 + i)), 3" \
      "$((200 + 5 * i))-$((204 + 5 * i)), 1000-4999" "135" "111" "$ping"
    cl_node_counters "$i"
    if [ "$(cl_mix_upnp "$i")" = yes ]; then
      tb_visitor_services "$i" "$(cl_mix_open "$i")" --ssdp
    else
      tb_visitor_services "$i" "$(cl_mix_open "$i")"
    fi
  done
  # The router plays the upstream firewall (what docs/deploy.md asks of one).
  ip netns exec "$TB_RTR" nft -f "$CL_CONF/upstream.nft"
}

# cl_node_counters I: in visitor I, the probes (SYNs, echo requests, SSDP) each node sent it,
# counted by source: which node served this holder.
cl_node_counters() {
  local i=$1 k
  {
    echo "table inet bwc {"
    for k in $(seq 1 "$CL_NODES"); do echo "  counter n$k { }"; done
    echo "  chain input {"
    echo "    type filter hook input priority -10; policy accept;"
    for k in $(seq 1 "$CL_NODES"); do
      echo "    ip saddr $(cl_node_v4 "$k") tcp flags & (syn | ack) == syn counter name n$k"
      echo "    ip6 saddr $(cl_node_v6 "$k") tcp flags & (syn | ack) == syn counter name n$k"
      echo "    ip saddr $(cl_node_v4 "$k") icmp type echo-request counter name n$k"
      echo "    ip saddr $(cl_node_v4 "$k") udp dport 1900 counter name n$k"
    done
    echo "  }"
    echo "}"
  } | ip netns exec "$(tb_visitor_ns "$i")" nft -f -
}

# cl_probed_by I: "K:PACKETS" for every node whose probes reached visitor I.
cl_probed_by() {
  tb_in_visitor "$1" nft list table inet bwc |
    awk '$1 == "counter" && $2 ~ /^n[0-9]+$/ { name = substr($2, 2) }
         $1 == "packets" && name != "" { if ($2 > 0) { printf "%s%s:%s", sep, name, $2; sep = " " }; name = "" }
         END { print "" }'
}

cl_reset_counters() {
  local i
  for i in $(seq 1 "$TB_MANY"); do tb_in_visitor "$i" nft reset counters table inet bwc >/dev/null; done
}

# cl_start_node K [FLAGS...]: breakwater on node K with the verbatim configuration.
cl_start_node() {
  local k=$1
  shift
  # ip netns exec execs the server: the pid is the server itself, so signals reach it.
  ip netns exec "$(cl_node_ns "$k")" "$BW" --data data serve --config "$CL_CONF/breakwater.toml" \
    --state-dir "$TB_DIR/state-$k" "$@" >"$TB_DIR/node-$k.log" 2>&1 &
  CL_NPIDS[k]=$!
  for _ in $(seq 1 100); do grep -q "listening" "$TB_DIR/node-$k.log" 2>/dev/null && return 0; sleep 0.05; done
  echo "node $k did not start: $(cat "$TB_DIR/node-$k.log")" >&2
  return 1
}

# cl_kill_node K [SIGNAL]: SIGKILL by default, a crash: nothing is handed over.
cl_kill_node() {
  local k=$1 sig=${2:-KILL} pid=${CL_NPIDS[$1]:-}
  [ -n "$pid" ] || return 0
  kill "-$sig" "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  CL_NPIDS[k]=
}

cl_node_pid() { echo "${CL_NPIDS[$1]:-}"; }

# cl_start_haproxy: HAProxy in the server namespace with the verbatim configuration, then
# waits until every node is up in it (its health checks passed) and both frontends answer.
cl_start_haproxy() {
  ip netns exec "$TB_SRV" haproxy -db -f "$CL_CONF/haproxy.cfg" >"$TB_DIR/haproxy.log" 2>&1 &
  CL_HAPROXY=$!
  local _
  for _ in $(seq 1 100); do
    if tb_in_visitor 1 python3 -c '
import socket
for port in (80, 443):
    socket.create_connection(("198.18.0.1", port), timeout=1).close()' 2>/dev/null &&
      [ "$(cl_checks_passed)" -ge "$CL_NODES" ]; then
      return 0
    fi
    sleep 0.1
  done
  echo "HAProxy did not see every node up: $(cat "$TB_DIR/haproxy.log")" >&2
  return 1
}

# cl_checks_passed: health checks answered by the nodes so far (200 on /healthz), from the
# nodes' own /metrics.
cl_checks_passed() {
  local k n total=0
  for k in $(seq 1 "$CL_NODES"); do
    n=$(cl_metric "$k" 'breakwater_http_requests_total{route="/healthz",status="200"}')
    [ "${n:-0}" -gt 0 ] && total=$((total + 1))
  done
  echo "$total"
}

# cl_metric K SERIES: one value of node K's /metrics, scraped as Prometheus would (plain
# HTTP on 9090, from the server namespace where the monitoring host would sit).
cl_metric() {
  ip netns exec "$TB_SRV" curl -s --max-time 2 "http://$(cl_node_v4 "$1"):9090/metrics" |
    awk -v s="$2" '$1 == s { print $2 }'
}

cl_down() {
  local k
  [ -n "$CL_HAPROXY" ] && { kill "$CL_HAPROXY" 2>/dev/null; wait "$CL_HAPROXY" 2>/dev/null; }
  CL_HAPROXY=
  for k in $(seq 1 "$CL_NODES"); do
    cl_kill_node "$k" TERM
    ip netns del "$(cl_node_ns "$k")" 2>/dev/null
  done
  tb_down
}
