#!/usr/bin/env bash
# Capacity, measured (issue 17, part 3), on the many-visitor test bed (root needed; see
# bench/visitor_bed.sh: a pool of POOL visitor namespaces behind the router, 50 ms round trip,
# each with its own firewall mix, `breakwater serve` in the server namespace). For each
# arrival rate R, a fresh server, LONE lone scans (the time of one scan with nothing else
# running), then for DURATION seconds a scan arrives every 1/R s, started on time whatever
# the others are doing (bench/capacity_client.py: one process, a socket per visitor
# namespace): "all service ports" (0-1055) with ping and UPnP through POST /api/v1/scans,
# followed over its event stream to "done", every verdict checked. Measured per rate:
# completion (from the planned arrival to "done": p50, p95, max), p95 / lone, wrong verdicts,
# scans lost or refused, the server's CPU seconds from the first arrival to the last "done"
# (/proc/PID/stat, all threads) and completed scans per server CPU second, probes sent, the
# harness's own CPU (client, link relay, softirq) and the machine's idle share, the load
# average, packets dropped on the way (visitor_bed.sh: vb_drops), the server's busiest thread
# and peak memory. A rate passes when every scan completed, p95 <= 1.5 x lone, no verdict was
# wrong and no visitor was reused before its rest.
#
# A visitor of the pool scans again once it has rested REST seconds after its last scan (its
# ICMP error limit has refilled; capacity_client.py says why): POOL must cover
# R x (completion + REST): 700 visitors cover about 70 scans a second (the bed takes about
# 1,000). On this 2-core machine the relay tops out near 113,000 probes a second, about 45
# scans a second (docs/benchmarks.md, "Capacity").
#
# The server's own limits are set so that they are not what is measured (and say so):
#   max_running = 1000       scans at once, all visitors (default 32; about R x completion here)
#   probes_per_hour = 10^8   per holder (default 200,000): each pool visitor stands for many
#   max_in_flight = 200000   probes out at once (default 16,384), under RLIMIT_NOFILE raised
#   max_rate = MAX_RATE      probes a second for all scans (default 20,000; here 1,000,000)
# scan_rate (3,000 probes a second to one visitor) and everything a visitor is owed stay at
# their defaults, as does max_running_per_holder (1: each visitor has its own address).
#
#   RATES="1 2 4"  explicit rates; default "auto": RSTART=1, then doubling while they pass (up
#                  to RMAX=64), then BISECT=3 halvings between the last pass and first fail
#   RUNS=1 (each rate RUNS times; it passes only if every run does)  DURATION=60  LONE=2
#   POOL=700  REST=7  MAX_RATE=1000000  TUN_QUEUE=1000 (the relay's TUN queues, packets)
#   KEEP=DIR keeps each run's JSON  PERF=DIR records a perf profile of the server per run
# Prints a Markdown table; about 70 s per rate and run, plus the bed's set-up.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
source bench/visitor_bed.sh
RATES=${RATES:-auto}
RSTART=${RSTART:-1}
RMAX=${RMAX:-64}
BISECT=${BISECT:-3}
RUNS=${RUNS:-1}
DURATION=${DURATION:-60}
LONE=${LONE:-2}
POOL=${POOL:-700}
REST=${REST:-7}
MAX_RATE=${MAX_RATE:-1000000}
TB_SEED=${TB_SEED:-77}

DETAILS=()
t_setup=$(date +%s)
vb_up "$POOL" || exit 1
echo "bed: $POOL visitors set up in $(($(date +%s) - t_setup)) s; machine: $(nproc) cores;" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server [scan]: max_running 1000, probes_per_hour 10^8, max_in_flight 200000," \
  "max_rate $MAX_RATE; other settings default"
echo
echo "| rate | run | scans | completed | lost, refused or dropped | wrong | lone | p50 | p95 | max | p95 / lone | server CPU | scans per CPU s | probes per scan | client / relay / softirq CPU | machine idle | load | verdict |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"

# run_rate R RUN: one run at rate R; prints its row and returns 0 when it passed.
run_rate() {
  local rate=$1 run=$2 out="$TB_DIR/rate-$1-run-$2.json" line perf=
  vb_serve "max_running = 1000" "probes_per_hour = 100000000" "max_in_flight = 200000" \
    "max_rate = $MAX_RATE" || return 2
  if [ -n "${PERF:-}" ]; then
    mkdir -p "$PERF"
    perf record -g -o "$PERF/perf-$rate-$run.data" -p "$SERVE" >/dev/null 2>&1 &
    perf=$!
  fi
  local drops0 drops1
  drops0=$(vb_drops)
  python3 bench/capacity_client.py --mix "$TB_DIR/mix.json" --visitors "$POOL" --rate "$rate" \
    --duration "$DURATION" --lone "$LONE" --rest "$REST" --server-pid "$SERVE" \
    --server-ns "$TB_SRV" --relay-pid "$TB_RELAY" --out "$out" 2>"$out.err"
  drops1=$(vb_drops)
  [ -n "$perf" ] && { kill -INT "$perf"; wait "$perf"; }
  local peak
  peak=$(peak_mib "$SERVE")
  vb_stop_serve
  [ -n "${KEEP:-}" ] && mkdir -p "$KEEP" && cp "$out" "$KEEP/"
  local rows
  rows=$(python3 bench/capacity_row.py "$out" "$rate" "$run" "$peak" "$drops0" "$drops1")
  line=$(head -1 <<<"$rows")
  DETAILS+=("$(sed -n 's/^DETAIL //p' <<<"$rows")")
  echo "$line"
  [[ $line == *"| pass"* ]]
}

# passes R: every run of rate R passed (each prints its row).
passes() {
  local run ok=0
  for run in $(seq 1 "$RUNS"); do run_rate "$1" "$run" || ok=1; done
  return $ok
}

if [ "$RATES" != auto ]; then
  for r in $RATES; do passes "$r"; done
else
  good=0 bad=
  r=$RSTART
  while awk -v r="$r" -v m="$RMAX" 'BEGIN { exit !(r <= m) }'; do
    if passes "$r"; then good=$r; else bad=$r; break; fi
    r=$((r * 2))
  done
  for _ in $(seq 1 "$BISECT"); do
    [ -n "$bad" ] || break
    # The middle, to the half scan a second.
    r=$(awk -v g="$good" -v b="$bad" 'BEGIN { m = (g + b) / 2; print int(m * 2 + 0.5) / 2 }')
    awk -v r="$r" -v g="$good" -v b="$bad" 'BEGIN { exit !(r > g && r < b) }' || break
    if passes "$r"; then good=$r; else bad=$r; fi
  done
  echo
  echo "highest passing rate: ${good} scans/s${bad:+ (first failing: $bad/s)}"
fi
echo
echo "Server CPU in each run's window (from the first arrival to the last \"done\"):"
echo
echo "| rate | run | window | user / system | per completed scan | busiest thread | probes a second | peak memory (VmHWM) | packets dropped: backlog / TUN srv / TUN rtr / raw socket |"
echo "|---|---|---|---|---|---|---|---|---|"
for d in "${DETAILS[@]}"; do echo "$d"; done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
