#!/usr/bin/env bash
# The scan service under load, on the network test bed (root needed): `breakwater serve` in
# the server namespace, 20 visitor namespaces behind a router at 50 ms round trip, each with
# its own firewall mix. Each visitor starts "all service ports" (0-1055, ping, UPnP) through
# the JSON API and follows its events to the end. Measured: wall time until the last visitor
# has its verdict with all 20 at once, against one visitor alone (target: at most 1.5x);
# wrong verdicts; the server's CPU time and peak memory. Prints a Markdown table.
# PERF=FILE also records a perf profile of the server during the 20-visitor run; PCAP=PREFIX
# records the server's link (headers only) to PREFIX-alone.pcap and PREFIX-all.pcap, for
# bench/pcap_timeline.py (needs tcpdump, which nothing here installs: analysis only).
set -uo pipefail
cd "$(dirname "$0")/.."
source bench/visitor_bed.sh
N=${N:-20}
TB_SEED=${TB_SEED:-77}
vb_up "$N" || exit 1
vb_serve "max_running = 64" "max_rate = ${MAX_RATE:-20000}" || exit 1

now() { date +%s.%N; }

# One visitor's scan: POST, follow the events to "done", GET the result; writes the end time.
visitor_scan() {
  local i=$1 tag=$2 out="$TB_DIR/$2-$1"
  tb_in_visitor "$i" curl -s -o "$out.post" -X POST -H 'Content-Type: application/json' \
    -d '{"ports":"service","ping":true,"upnp":true}' http://198.18.0.1:8080/api/v1/scans
  # No Python while the clock runs: twenty interpreters starting at once take seconds of CPU
  # from the scans being measured.
  [[ $(<"$out.post") =~ \"id\":\"([A-Za-z0-9_-]+)\" ]] || return
  local id=${BASH_REMATCH[1]}
  tb_in_visitor "$i" curl -s -N --max-time 300 \
    "http://198.18.0.1:8080/api/v1/scans/$id/events" >"$out.sse"
  now >"$out.end"
  tb_in_visitor "$i" curl -s -o "$out.full" "http://198.18.0.1:8080/api/v1/scans/$id"
}

result_of() {  # result_of TAG I: the scan's result object, for check_scan.py
  python3 -c 'import json,sys; json.dump(json.load(sys.stdin)["result"], sys.stdout)' \
    <"$TB_DIR/$1-$2.full" >"$TB_DIR/$1-$2.json"
}

wrong_of() {  # wrong_of TAG I -> 0 when every verdict is right
  local i=$2 out="$TB_DIR/$1-$2"
  result_of "$1" "$2"
  # shellcheck disable=SC2046
  python3 tests/e2e/check_scan.py "$out.json" $(mix_check_args "$i") >"$out.check" 2>&1
  grep -c . "$out.check" | awk '{ print ($1 > 0) ? $1 : 0 }'
}

# capture_start TAG / capture_stop: tcpdump on the server's link while PCAP is set.
capture_start() {
  [ -n "${PCAP:-}" ] || return 0
  ip netns exec "$TB_SRV" tcpdump -q -n -s 80 -i bwl0 -w "$PCAP-$1.pcap" 2>/dev/null &
  CAPTURE=$!
  sleep 0.5
}
capture_stop() {
  [ -n "${PCAP:-}" ] || return 0
  sleep 0.2
  kill -INT "$CAPTURE"
  wait "$CAPTURE"
}

# One visitor alone.
capture_start alone
cpu0=$(cpu_s)
t0=$(now)
visitor_scan 1 alone
alone=$(awk -v a="$t0" -v b="$(cat "$TB_DIR/alone-1.end")" 'BEGIN { printf "%.2f", b - a }')
cpu1=$(cpu_s)
capture_stop
alone_wrong=$(wrong_of alone 1)
# Visitor 1 scans again below: let its ICMP error limit refill (Linux: 6 s) so that it starts
# as fresh as it did alone; the engine would otherwise, rightly, re-probe more.
sleep 7

# All of them at once.
[ -n "${PERF:-}" ] && { perf record -g -o "$PERF" -p "$SERVE" >/dev/null 2>&1 & PERF_PID=$!; }
capture_start all
relay0=$(cpu_s "$TB_RELAY")
idle0=$(idle_s)
pids=()
t0=$(now)
for i in $(seq 1 "$N"); do
  visitor_scan "$i" all &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
last=$(cat "$TB_DIR"/all-*.end | sort -n | tail -1)
all=$(awk -v a="$t0" -v b="$last" 'BEGIN { printf "%.2f", b - a }')
cpu2=$(cpu_s)
capture_stop
[ -n "${PERF:-}" ] && { kill -INT "$PERF_PID"; wait "$PERF_PID"; }
relay1=$(cpu_s "$TB_RELAY")
idle1=$(idle_s)
wrong=0
for i in $(seq 1 "$N"); do wrong=$((wrong + $(wrong_of all "$i"))); done
ratio=$(awk -v a="$alone" -v b="$all" 'BEGIN { printf "%.2f", b / a }')
cpu_alone=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')
cpu_all=$(awk -v a="$cpu1" -v b="$cpu2" 'BEGIN { printf "%.2f", b - a }')

echo
echo "| run (ports 0-1055 + ping + UPnP, 50 ms RTT) | wall to last verdict | wrong verdicts | server CPU |"
echo "|---|---|---|---|"
echo "| 1 visitor alone | ${alone} s | ${alone_wrong} | ${cpu_alone} s |"
echo "| $N visitors at once | ${all} s (${ratio}x) | ${wrong} | ${cpu_all} s |"
echo
echo "server peak memory (VmHWM): $(peak_mib) MiB; during the $N-visitor run: link relay CPU" \
  "$(awk -v a="$relay0" -v b="$relay1" 'BEGIN { printf "%.2f", b - a }') s, machine idle" \
  "$(awk -v a="$idle0" -v b="$idle1" -v w="$all" -v c="$(nproc)" 'BEGIN { printf "%.0f%%", 100 * (b - a) / (w * c) }')" \
  "of $(nproc) cores"
[ -n "${KEEP:-}" ] && cp -r "$TB_DIR" /tmp/scan-bench-keep
