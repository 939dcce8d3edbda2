#!/usr/bin/env bash
# The full range (TCP 0-65535) side by side with nmap, on the test bed of compare_nmap.sh (root
# needed): one visitor 50 ms away through the relay, LOSSES percent of packets lost each way,
# target (a) "stealth", every port dropped, and (b) "mix": 4 open (real listeners), 201
# closed by reset, 9 refused with an ICMP unreachable (5 admin-prohibited, 4 port-unreachable,
# never more than 3 in a row: the target's ICMP limit is 6 at once, then 1 a second) and the
# rest dropped. Commands, each after GAP seconds of quiet so that the target's ICMP limit is
# full again (breakwater's CLI also remembers it in /run/breakwater/icmp-history):
#   breakwater probe 198.18.0.2 --ports 0-65535 --json [each of BW_VARIANTS]
#   nmap -sS -T4 -Pn -n -v -p0-65535 198.18.0.2      (nmap's -p- is 1-65535: port 0 added)
# Per run: wall time to the last verdict (the whole command), wrong verdicts (count_wrong.py),
# probes sent, and for breakwater the rate and RTO its engine used with the bounds
# 65536 / rate + 2 x RTO and the engine's own model, max(probes / rate, listening / 4096) plus
# the last try's timeout (bench/full_range_cells.py says how each is taken). nmap needs about 1.8 hours for the
# all-stealth range at 50 ms: it is stopped after NMAP_LIMIT seconds (0: no limit) and the row
# says how far it came. Prints a Markdown table, with the load average beside each run.
#   RUNS=2  LOSSES="0 1 5" (the mix)  STEALTH_LOSSES=0  SCENARIOS="stealth mix"  GAP=7
#   NMAP_LIMIT=600  NMAP=1 (0: skip nmap)  KEEP=DIR keeps the outputs
#   BW_VARIANTS="default;--rtt-ms 50;--rate 20000 --rtt-ms 50" (";"-separated option sets of
#   breakwater probe, "default" for none; "" for nmap alone)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
TB_BUILD=${TB_BUILD:-build/release}
BW="$TB_BUILD/src/app/breakwater"
[ -x "$BW" ] || { echo "build the release preset first" >&2; exit 1; }
source tests/e2e/testbed.sh
tb_up || exit 1
TB_SEED=${TB_SEED:-99}
RUNS=${RUNS:-2}
LOSSES=${LOSSES:-"0 1 5"}
# Nothing answers an all-stealth target, so loss changes nothing there (compare_nmap.sh's
# stealth rows at 0, 1 and 5% agree within 0.05 s): it runs at these losses only.
STEALTH_LOSSES=${STEALTH_LOSSES:-0}
SCENARIOS=${SCENARIOS:-"stealth mix"}
GAP=${GAP:-7}
NMAP_LIMIT=${NMAP_LIMIT:-600}
NMAP=${NMAP:-1}
BW_VARIANTS=${BW_VARIANTS-"default;--rtt-ms 50;--rate 20000 --rtt-ms 50"}

MIX_OPEN=22,80,443,8080
MIX_RST=3,200-249,3000-3099,60000-60049
MIX_ADMIN=135,445,20000-20002
MIX_UNREACH=111,40000-40002

now() { date +%s.%N; }
load() { cut -d' ' -f1 /proc/loadavg; }
opt() {  # opt NAME DEFAULT WORDS...: the value of --NAME among WORDS
  local name=$1 val=$2
  shift 2
  while [ $# -gt 1 ]; do
    [ "$1" = "--$name" ] && val=$2
    shift
  done
  echo "$val"
}

# run_bw OUT OPTIONS...: prints "SECONDS WRONG PROBES RATE ACHIEVED RTO ISSUE_BOUND MODEL NOTE".
run_bw() {
  local out=$1 t0 t1 wrong secs
  shift
  sleep "$GAP"
  t0=$(now)
  tb_in_srv "$BW" probe 198.18.0.2 --ports 0-65535 --json "$@" >"$out" 2>"$out.stderr"
  t1=$(now)
  wrong=$(python3 bench/count_wrong.py bw "$out" 0-65535 "$open" "$closed" "$icmp" 2>/dev/null || echo "?")
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  echo "$secs $wrong" \
    "$(python3 bench/full_range_cells.py bw "$out" "$(opt rate 6000 "$@")" "$(opt rtt-ms 0 "$@")" \
      "$(opt timeout-ms 1000 "$@")" "$secs" 2>/dev/null || echo "? ? ? ? ? ? ?")"
}

# run_nmap OUT: the same cells for nmap -sS -T4 (rate, RTO and bounds "-").
run_nmap() {
  local out=$1 t0 t1 wrong secs limit=()
  sleep "$GAP"
  [ "$NMAP_LIMIT" -gt 0 ] && limit=(timeout "$NMAP_LIMIT")
  t0=$(now)
  "${limit[@]}" ip netns exec "$TB_SRV" nmap -sS -T4 -Pn -n -v -p0-65535 --stats-every 30s \
    -oX "$out" 198.18.0.2 >"$out.stdout" 2>"$out.stderr"
  t1=$(now)
  wrong=$(python3 bench/count_wrong.py nmap "$out" 0-65535 "$open" "$closed" "$icmp" 2>/dev/null || echo "?")
  grep -q "Nmap done" "$out.stdout" || wrong="-"
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  echo "$secs $wrong $(python3 bench/full_range_cells.py nmap "$out.stdout" "$secs")"
}

row() {  # row SCENARIO LOSS RUN TOOL LOAD CELLS...
  local sc=$1 loss=$2 run=$3 tool=$4 ld=$5 secs=$6 wrong=$7 probes=$8 rate=$9 got=${10} rto=${11} issue=${12} engine=${13} note=${14}
  [ "$rate" != "-" ] && rate="$rate/s"
  [ "$got" != "-" ] && got="$got/s"
  [ "$rto" != "-" ] && rto="$rto ms"
  [ "$issue" != "-" ] && issue="$issue s"
  [ "$engine" != "-" ] && engine="$engine s"
  echo "| $sc | $loss% | $run | $tool | $secs s | $wrong | $probes | $rate | $got | $rto | $issue | $engine | ${note//-/ } | $ld |"
}

echo "machine: $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| target | loss | run | tool | wall to last verdict | wrong | probes | rate asked | probes a second | RTO | 65536/rate + 2 RTO | engine model | note | load |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
IFS=';' read -r -a variants <<<"$BW_VARIANTS"
for scenario in $SCENARIOS; do
  if [ "$scenario" = stealth ]; then
    open=- closed=- icmp=-
    tb_firewall - - - - accept
    tb_services -
  else
    open=$MIX_OPEN closed=$MIX_RST icmp=$MIX_ADMIN,$MIX_UNREACH
    tb_firewall "${MIX_OPEN//,/, }" "${MIX_RST//,/, }" "${MIX_ADMIN//,/, }" "${MIX_UNREACH//,/, }" accept
    tb_services "$MIX_OPEN"
  fi
  losses=$LOSSES
  [ "$scenario" = stealth ] && losses=$STEALTH_LOSSES
  for loss in $losses; do
    tb_link 25 "$loss"
    for run in $(seq 1 "$RUNS"); do
      d=$TB_DIR/$scenario-$loss-$run
      k=0
      for v in "${variants[@]}"; do
        v=$(echo "$v" | xargs)  # trim
        k=$((k + 1))
        args=()
        [ "$v" != default ] && read -r -a args <<<"$v"
        ld=$(load)
        # shellcheck disable=SC2046
        row "$scenario" "$loss" "$run" "breakwater ${v/default/(defaults)}" "$ld" $(run_bw "$d.bw$k.json" "${args[@]}")
      done
      if [ "$NMAP" = 1 ]; then
        ld=$(load)
        # shellcheck disable=SC2046
        row "$scenario" "$loss" "$run" "nmap -sS -T4" "$ld" $(run_nmap "$d.nmap.xml")
      fi
    done
  done
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "${KEEP:-}" ] && mkdir -p "$KEEP" && cp "$TB_DIR"/*.json "$TB_DIR"/*.xml "$TB_DIR"/*.stdout "$KEEP/" 2>/dev/null
true
