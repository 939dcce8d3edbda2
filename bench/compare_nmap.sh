#!/usr/bin/env bash
# Probe speed and accuracy, side by side with nmap, on the network test bed (root needed):
# ports 0-1055 at 50 ms round trip and 0/1/5% loss each way, (a) every port stealth and
# (b) 2 open, 50 closed (resets), the rest stealth. Reports wall time to the last verdict and
# wrong verdicts for breakwater (unseeded, and seeded with the RTT as the web service does),
# nmap -sS -T4 -Pn and nmap -sT -T4 -Pn. Run after a release build; prints a Markdown table.
# (c) "icmp", issue 17's shape: 4 open, 160 closed by reset, 17 rejected with ICMP errors by
# nftables (so the visitor kernel's own limiter applies: a burst of 6, then one a second per
# peer), the rest stealth, at 50 ms and ICMP_LOSS (1) % loss; RUNS (3) runs, each command
# after GAP (7) s of quiet so that the limiter is full again. It reports probes per port too:
# breakwater's own count (the sum of `tries` in its JSON) and, for every tool, the SYNs that
# reached the visitor (nftables counter, so after the relay's loss on the way there).
# (d) "icmp6": the same over IPv6, where Linux's limit refills faster than the IPv4 one the
# scan assumes (see icmp_scenario). SCENARIOS="stealth mix icmp" (the default) picks the scenarios, e.g.
# SCENARIOS=icmp; add icmp6 for (d).
set -uo pipefail
cd "$(dirname "$0")/.."
TB_BUILD=${TB_BUILD:-build/release}
BW="$TB_BUILD/src/app/breakwater"
[ -x "$BW" ] || { echo "build the release preset first" >&2; exit 1; }
source tests/e2e/testbed.sh
tb_up || exit 1
TB_SEED=${TB_SEED:-99}
LOSSES=${LOSSES:-"0 1 5"}
PROBER=${PROBER:-auto}  # breakwater's --prober: auto (raw SYN as root), raw or connect
# BW_ONLY=1 skips the nmap columns (they take nearly all of the 15 minutes).
SCENARIOS=${SCENARIOS:-"stealth mix icmp"}
RUNS=${RUNS:-3}
GAP=${GAP:-7}
ICMP_LOSS=${ICMP_LOSS:-1}

now() { date +%s.%N; }

# run_one KIND OUTFILE OPEN CLOSED COMMAND... -> prints "seconds wrong" (ICMP_PORTS, when
# set, lists the closed ports that answer with ICMP errors: see bench/count_wrong.py)
run_one() {
  local kind=$1 out=$2 open=$3 closed=$4
  shift 4
  local t0 t1
  t0=$(now)
  "$@" >"$out.stdout" 2>"$out.stderr"
  t1=$(now)
  [ "$kind" = bw ] && mv "$out.stdout" "$out"
  local wrong
  wrong=$(python3 bench/count_wrong.py "$kind" "$out" 0-1055 "$open" "$closed" ${ICMP_PORTS:+"$ICMP_PORTS"} 2>/dev/null || echo "?")
  awk -v a="$t0" -v b="$t1" -v w="$wrong" 'BEGIN { printf "%.2f %s\n", b - a, w }'
}

has() { [[ " $SCENARIOS " == *" $1 "* ]]; }

if has stealth || has mix; then
echo "| scenario | loss | breakwater | breakwater, RTT seeded | nmap -sS -T4 -Pn | nmap -sT -T4 -Pn |"
echo "| --- | --- | --- | --- | --- | --- |"
fi
for scenario in stealth mix; do
  has $scenario || continue
  if [ $scenario = stealth ]; then
    open=- closed=-
    tb_firewall - - - - accept
    tb_services -
  else
    open=22,80 closed=100-149
    tb_firewall "22, 80" "100-149" - - accept
    tb_services 22,80
  fi
  for loss in $LOSSES; do
    tb_link 25 "$loss"
    d=$TB_DIR/$scenario-$loss
    bw=$(run_one bw "$d.bw.json" $open $closed tb_in_srv "$BW" probe 198.18.0.2 --ports 0-1055 --json --prober "$PROBER")
    seeded=$(run_one bw "$d.bws.json" $open $closed tb_in_srv "$BW" probe 198.18.0.2 --ports 0-1055 --json --prober "$PROBER" --rtt-ms 50)
    ss="- -" st="- -"
    if [ -z "${BW_ONLY:-}" ]; then
      ss=$(run_one nmap "$d.ss.xml" $open $closed tb_in_srv nmap -sS -T4 -Pn -n -p0-1055 -oX "$d.ss.xml" 198.18.0.2)
      st=$(run_one nmap "$d.st.xml" $open $closed tb_in_srv nmap -sT -T4 -Pn -n -p0-1055 -oX "$d.st.xml" 198.18.0.2)
    fi
    cell() { echo "$1" | awk '{ printf "%s s, %s wrong", $1, $2 }'; }
    echo "| $scenario | $loss% | $(cell "$bw") | $(cell "$seeded") | $(cell "$ss") | $(cell "$st") |"
  done
done

# --- (c) the ICMP-limited shape of issue 17.
ICMP_OPEN="22,80,443,993"
ICMP_RST="100-259"
ICMP_ADMIN="445,500,600,650,700,750,800,900"   # 8: ICMP admin-prohibited
ICMP_PORT="20,21,23,25,300,310,320,330,1000"     # 9: ICMP port-unreachable (none inside the resets: the reset rule comes first)
ICMP_CLOSED="$ICMP_RST,$ICMP_ADMIN,$ICMP_PORT"

# probes_per_port KIND FILE: breakwater's sum of tries / ports ("-" for nmap).
probes_per_port() {
  [ "$1" = bw ] || { echo -; return; }
  python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["ports"]; print("%.2f" % (sum(x["tries"] for x in p) / len(p)))' "$2" 2>/dev/null || echo "?"
}

# icmp_one KIND OUT COMMAND... -> prints "seconds wrong tries_per_port syns_per_port"
icmp_one() {
  local kind=$1 out=$2
  shift 2
  sleep "$GAP"
  tb_in_vis nft reset counter inet bw probes >/dev/null
  local r
  r=$(ICMP_PORTS="$ICMP_ADMIN,$ICMP_PORT" run_one "$kind" "$out" "$ICMP_OPEN" "$ICMP_CLOSED" "$@")
  local syns
  syns=$(tb_probes_seen "$TB_VIS")
  echo "$r $(probes_per_port "$kind" "$out") $(awk -v n="$syns" 'BEGIN { printf "%.2f", n / 1056 }')"
}

# icmp_scenario FAMILY: the shape above over IPv4 (198.18.0.2), or over IPv6 (2001:2::2) with
# the visitor reaching the server through a /64 route. The scan assumes Linux's IPv4 limit;
# the kernel's ICMPv6 limit is its own (net.ipv6.icmp.ratelimit, shifted right by
# (128 - prefix) / 32 for a route shorter than /128), and the scan has to learn it.
icmp_scenario() {
  local family=$1 target=198.18.0.2 nmap6="" label=icmp
  tb_link 25 "$ICMP_LOSS"
  echo
  if [ "$family" = 6 ]; then
    target=2001:2::2 nmap6=-6 label=icmp6
    tb_in_vis ip -6 route del 2001:2::1/128 dev bwl0
    tb_in_vis ip -6 route add 2001:2::/64 dev bwl0
    echo "icmp6: the same over IPv6; the visitor's net.ipv6.icmp.ratelimit is" \
      "$(tb_in_vis sysctl -n net.ipv6.icmp.ratelimit) ms; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  else
    # The bound of issue 17: (errors owed - burst) / refill + 4 round trips.
    echo "icmp: 4 open, 160 reset, 17 ICMP-rejected, 875 dropped; 50 ms RTT, $ICMP_LOSS% loss each way;" \
      "bound (17 - 6) / 1 s + 4 x 50 ms = 11.20 s (1.25x: 14.00 s); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  fi
  echo
  echo "| run | breakwater | probes/port (tries, SYNs seen) | breakwater, RTT seeded | probes/port | nmap -sS -T4 -Pn | probes/port (SYNs seen) |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  for run in $(seq 1 "$RUNS"); do
    d=$TB_DIR/$label-$run
    read -r bt bw bp bs <<<"$(icmp_one bw "$d.bw.json" tb_in_srv "$BW" probe "$target" --ports 0-1055 --json --prober "$PROBER")"
    read -r st sw sp ss <<<"$(icmp_one bw "$d.bws.json" tb_in_srv "$BW" probe "$target" --ports 0-1055 --json --prober "$PROBER" --rtt-ms 50)"
    nrow="- | -"
    if [ -z "${BW_ONLY:-}" ]; then
      # nmap calls a port that answered with an ICMP unreachable "filtered" (with that reason):
      # right; "filtered" for want of an answer where the error was due is wrong.
      read -r nt nw _ ns <<<"$(icmp_one nmap "$d.ss.xml" tb_in_srv nmap $nmap6 -sS -T4 -Pn -n -p0-1055 -oX "$d.ss.xml" "$target")"
      nrow="$nt s, $nw wrong | $ns"
    fi
    echo "| $run | $bt s, $bw wrong | $bp, $bs | $st s, $sw wrong | $sp, $ss | $nrow |"
    [ -n "${KEEP:-}" ] && mkdir -p "$KEEP" && cp "$d".* "$KEEP/" 2>/dev/null
  done
  echo
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
}

if has icmp || has icmp6; then
  tb_firewall "${ICMP_OPEN//,/, }" "$ICMP_RST" "${ICMP_ADMIN//,/, }" "${ICMP_PORT//,/, }" accept
  tb_services "$ICMP_OPEN"
  has icmp && icmp_scenario 4
  has icmp6 && icmp_scenario 6
fi
