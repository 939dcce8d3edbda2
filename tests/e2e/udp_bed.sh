# The home-router test bed of the UDP tests, sourced by tests/e2e/run_udp_e2e.sh and
# bench/udp_vs_nmap.sh. Four namespaces joined by veth pairs (no packet leaves them, and the
# server has no route but the one to the router's side):
#
#   srv 198.18.0.1 --- 198.18.0.254 isp 198.18.1.1 --- 198.18.1.2 (WAN) rtr 192.168.1.1 --- 192.168.1.2 lan
#
# "isp" routes without NAT and refuses UDP 137 with ICMP admin-prohibited (as ISPs do for
# NetBIOS): filtered, said by a hop that is not the target. "rtr" is the home router the
# probe's target (UB_TARGET, its WAN address): nftables masquerade and port forwards to
# "lan", and real Debian daemons bound on its WAN address, as a badly set up router has them:
# dnsmasq as an open resolver (answers example.com itself, no upstream), snmpd with community
# "public", memcached with UDP on, chronyd serving time, and an SSDP responder. Every daemon
# runs with its own configuration, pid and state files in UB_DIR; no system file is read or
# written and no system copy is needed or touched.
#
# The design, which is the truth the tests and the benchmark judge against (UB_* below):
# the router's daemons answer; UDP 1434 is refused with admin-prohibited and UDP 500 dropped
# by the router itself; UDP 7, 17, 19 (echo, qotd, chargen) and 9999 (a service with no
# protocol of its own) are forwarded to answering services on the LAN host, 51820 to a
# socket that stays silent (WireGuard), 4500 to a port where nothing listens (the LAN host's
# port-unreachable comes back through the NAT), and 5060 to the LAN host but refused by the
# router's forward chain with admin-prohibited; TCP 80 is forwarded to a listener; every
# other port has nothing behind it: the router's kernel answers port-unreachable (UDP) or a
# reset (TCP). Every namespace keeps the kernel's ICMP rate limit (1 error a second, burst 6,
# per destination), as real routers do.
#
# Needs root, nft, dnsmasq, snmpd, memcached, chronyd (scripts/setup.sh --tools), and the
# release build's bw_visitor_services (the SSDP responder). The ISP's address also serves as a
# second target: an NTP server that answers monlist (UB_OLD_NTP).

UB_BUILD=${UB_BUILD:-${TB_BUILD:-build/release}}
UB_ID=${UB_ID:-$$}
UB_SRV=bw-usrv-$UB_ID UB_ISP=bw-uisp-$UB_ID UB_RTR=bw-urtr-$UB_ID UB_LAN=bw-ulan-$UB_ID
UB_DIR=${UB_DIR:-$(mktemp -d /tmp/bw-udp-bed.XXXXXX)}
UB_PIDS=()

UB_SERVER=198.18.0.1
UB_ISP_ADDR=198.18.0.254  # the ISP's side toward the server: the sender of its ICMP errors
UB_TARGET=198.18.1.2
UB_LAN_HOST=192.168.1.2
# The ISP also runs an NTP server of the old reference implementation, which answers monlist
# (udp_services.py ntp-old): a second target, for the one finding chronyd cannot show.
UB_OLD_NTP=$UB_ISP_ADDR
# A second address of the server for the bed's own check (udp_bed_check.py): the kernel's
# ICMP rate limit counts per destination, so the check leaves the probe's budget alone.
UB_CHECKER=198.18.0.3

# "udp-common": the ports of src/probe/wire/udp/protocol.cpp's table.
UB_COMMON="7,17,19,53,69,123,137,161,389,443,500,1194,1434,1900,2457,3478,3702,4500,5060,5351,5353,5683,6881,10001,11211,19132,27015,41641,51820"
# The design, port by port. Every UDP port not listed is closed (port-unreachable from the
# router), every TCP port but UB_TCP_OPEN closed by the router's reset.
UB_OPEN="7,17,19,53,123,161,1900,9999,11211"
UB_FILTERED_TARGET="1434,5060"  # admin-prohibited, sent from the target's own address
UB_FILTERED_ISP="137"           # admin-prohibited, sent by the ISP (198.18.0.254)
UB_STEALTH="500,51820"
UB_CLOSED_NAT="4500"            # port-unreachable from the LAN host, through the NAT
UB_TCP_OPEN="80"
# What each open port is (protocol name of protocol.cpp) and the finding it should draw
# (finding.cpp; "-" for none: chronyd does not answer monlist, 9999 is nothing known).
declare -A UB_PROTOCOL=([7]=Echo [17]=QOTD [19]=Chargen [53]=DNS [123]=NTP [161]=SNMP
  [1900]=SSDP [9999]=generic [11211]=memcached)
declare -A UB_FINDING=([7]=echo-reflector [17]=qotd-reflector [19]=chargen-reflector
  [53]=open-resolver [123]=- [161]=snmp-public [1900]=ssdp-reflector [9999]=- [11211]=memcached-udp)

# Daemons are started with `ip netns exec` itself (it execs the program, so $! is the
# daemon's own pid); ub_down also ends whatever is left in the bed's namespaces.
ub_in() {  # ub_in NAMESPACE COMMAND...
  local ns=$1
  shift
  ip netns exec "$ns" "$@"
}

# ub_link NS_A DEV_A ADDR_A NS_B DEV_B ADDR_B: a veth pair with a /24 on each end.
ub_link() {
  ip -n "$1" link add "$2" type veth peer name "$5" netns "$4"
  ip -n "$1" addr add "$3/24" dev "$2"
  ip -n "$4" addr add "$6/24" dev "$5"
  ip -n "$1" link set "$2" up
  ip -n "$4" link set "$5" up
}

# ub_wait_udp NS ADDR:PORT NAME: waits (5 s at most) until something is bound there.
ub_wait_udp() {
  for _ in $(seq 1 100); do
    ub_in "$1" ss -Hlun | awk '{ print $4 }' | grep -qx "$2" && return 0
    sleep 0.05
  done
  echo "udp bed: $3 did not start: $(cat "$UB_DIR/$3.log" 2>/dev/null)" >&2
  return 1
}

ub_wait_ready() {  # ub_wait_ready FILE NAME
  for _ in $(seq 1 100); do
    grep -qs '^ready' "$1" && return 0
    sleep 0.05
  done
  echo "udp bed: $2 did not start: $(cat "$1" "$1.err" 2>/dev/null)" >&2
  return 1
}

ub_nft() {  # ub_nft NS NAME: loads $UB_DIR/NAME.nft (written by the caller) in NS
  ub_in "$1" nft -f "$UB_DIR/$2.nft"
}

ub_network() {
  local ns
  for ns in "$UB_SRV" "$UB_ISP" "$UB_RTR" "$UB_LAN"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
  done
  ub_link "$UB_SRV" eth0 "$UB_SERVER" "$UB_ISP" down0 "$UB_ISP_ADDR"
  ip -n "$UB_SRV" addr add "$UB_CHECKER/24" dev eth0
  ub_link "$UB_ISP" up0 198.18.1.1 "$UB_RTR" wan0 "$UB_TARGET"
  ub_link "$UB_RTR" lan0 192.168.1.1 "$UB_LAN" eth0 "$UB_LAN_HOST"
  ip -n "$UB_SRV" route add 198.18.1.0/24 via "$UB_ISP_ADDR"
  ip -n "$UB_RTR" route add default via 198.18.1.1
  ip -n "$UB_LAN" route add default via 192.168.1.1
  ub_in "$UB_ISP" sysctl -qw net.ipv4.ip_forward=1
  ub_in "$UB_RTR" sysctl -qw net.ipv4.ip_forward=1

  cat >"$UB_DIR/isp.nft" <<'NFT'
table ip bwisp {
  chain forward {
    type filter hook forward priority 0; policy accept;
    udp dport 137 reject with icmp type admin-prohibited
  }
}
NFT
  ub_nft "$UB_ISP" isp

  cat >"$UB_DIR/router.nft" <<NFT
table ip bwrtr {
  chain prerouting {
    type nat hook prerouting priority -100; policy accept;
    iifname "wan0" udp dport { 7, 17, 19, 4500, 5060, 9999, 51820 } dnat to $UB_LAN_HOST
    iifname "wan0" tcp dport 80 dnat to $UB_LAN_HOST:8080
  }
  chain postrouting {
    type nat hook postrouting priority 100; policy accept;
    oifname "wan0" masquerade
  }
  chain input {
    type filter hook input priority 0; policy accept;
    iifname "wan0" udp dport 1434 reject with icmp type admin-prohibited
    iifname "wan0" udp dport 500 drop
  }
  chain forward {
    type filter hook forward priority 0; policy accept;
    iifname "wan0" ip daddr $UB_LAN_HOST udp dport 5060 reject with icmp type admin-prohibited
  }
}
NFT
  ub_nft "$UB_RTR" router
}

# The router's daemons, each with its own files in UB_DIR, bound to the WAN address only.
ub_router_daemons() {
  local d=$UB_DIR
  # dnsmasq: no upstream, no hosts file, no system configuration (-C /dev/null); it answers
  # example.com itself, with recursion available, to anyone: an open resolver.
  ip netns exec "$UB_RTR" dnsmasq --keep-in-foreground -C /dev/null --no-resolv --no-hosts \
    --no-poll --user=root --pid-file="$d/dnsmasq.pid" --log-facility="$d/dnsmasq.log" \
    --listen-address="$UB_TARGET" --bind-interfaces --address=/example.com/192.0.2.1 \
    >"$d/dnsmasq.out" 2>&1 &
  UB_PIDS+=($!)

  # snmpd: -C reads no configuration but ours; the persistent state goes to UB_DIR.
  mkdir -p "$d/snmp"
  cat >"$d/snmpd.conf" <<CONF
rocommunity public default
sysDescr breakwater test bed router (snmpd, community public)
sysName bw-router
sysLocation the UDP test bed
CONF
  ip netns exec "$UB_RTR" env SNMP_PERSISTENT_DIR="$d/snmp" MIBS="" snmpd -f -C -c "$d/snmpd.conf" \
    -p "$d/snmpd.pid" -Lf "$d/snmpd.log" "udp:$UB_TARGET:161" >"$d/snmpd.out" 2>&1 &
  UB_PIDS+=($!)

  # memcached: UDP on, TCP off.
  ip netns exec "$UB_RTR" memcached -u root -l "$UB_TARGET" -U 11211 -p 0 -m 8 \
    >"$d/memcached.log" 2>&1 &
  UB_PIDS+=($!)

  # chronyd: serves its own clock (local stratum 10), never sets the system's (-x), no
  # command port, its own pid file; no sources, so no packet goes anywhere.
  cat >"$d/chrony.conf" <<CONF
local stratum 10
allow all
bindaddress $UB_TARGET
cmdport 0
pidfile $d/chronyd.pid
driftfile $d/chrony.drift
CONF
  ip netns exec "$UB_RTR" chronyd -d -x -u root -f "$d/chrony.conf" >"$d/chronyd.log" 2>&1 &
  UB_PIDS+=($!)

  # SSDP: the test bed's own responder (answers M-SEARCH like a UPnP router).
  ip netns exec "$UB_RTR" "$UB_BUILD/tests/e2e/bw_visitor_services" --ssdp \
    >"$d/ssdp" 2>"$d/ssdp.err" &
  UB_PIDS+=($!)

  ub_wait_udp "$UB_RTR" "$UB_TARGET:53" dnsmasq &&
    ub_wait_udp "$UB_RTR" "$UB_TARGET:161" snmpd &&
    ub_wait_udp "$UB_RTR" "$UB_TARGET:11211" memcached &&
    ub_wait_udp "$UB_RTR" "$UB_TARGET:123" chronyd &&
    ub_wait_ready "$d/ssdp" ssdp
}

ub_lan_services() {
  ip netns exec "$UB_LAN" python3 tests/e2e/udp_services.py echo:7 qotd:17 chargen:19 hello:9999 \
    silent:5060 silent:51820 tcp:8080 >"$UB_DIR/lan" 2>"$UB_DIR/lan.err" &
  UB_PIDS+=($!)
  ip netns exec "$UB_ISP" python3 tests/e2e/udp_services.py --bind "$UB_OLD_NTP" ntp-old:123 \
    >"$UB_DIR/isp" 2>"$UB_DIR/isp.err" &
  UB_PIDS+=($!)
  ub_wait_ready "$UB_DIR/lan" "the LAN host's services" && ub_wait_ready "$UB_DIR/isp" "the ISP's NTP server"
}

ub_up() {
  local tool
  for tool in ip nft dnsmasq snmpd memcached chronyd python3; do
    command -v $tool >/dev/null ||
      { echo "udp bed: $tool missing (run scripts/setup.sh --tools)" >&2; return 1; }
  done
  [ "$(id -u)" -eq 0 ] || { echo "udp bed: needs root (network namespaces)" >&2; return 1; }
  [ -x "$UB_BUILD/tests/e2e/bw_visitor_services" ] ||
    { echo "udp bed: $UB_BUILD/tests/e2e/bw_visitor_services missing (build the release preset)" >&2; return 1; }
  trap ub_down EXIT
  ub_network && ub_router_daemons && ub_lan_services
}

ub_down() {
  local pid ns
  for pid in "${UB_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  UB_PIDS=()
  for ns in "$UB_SRV" "$UB_ISP" "$UB_RTR" "$UB_LAN"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$UB_DIR"
}

# ub_truth PORT: the design's verdict for a UDP port, as "state reason [detail]".
ub_truth() {
  local p=$1
  if [[ ",$UB_OPEN," == *",$p,"* ]]; then echo "open udp-answer"
  elif [[ ",$UB_FILTERED_TARGET," == *",$p,"* ]]; then echo "filtered icmp-unreachable admin-prohibited"
  elif [[ ",$UB_FILTERED_ISP," == *",$p,"* ]]; then echo "filtered icmp-unreachable admin-prohibited $UB_ISP_ADDR"
  elif [[ ",$UB_STEALTH," == *",$p,"* ]]; then echo "stealth no-response"
  else echo "closed icmp-unreachable port-unreachable"
  fi
}
