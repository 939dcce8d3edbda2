#!/usr/bin/env bash
# Many nodes behind HAProxy under a steady load (issue 16), on the network test bed (root):
# the stack of tests/e2e/run_cluster_e2e.sh (HAProxy with tests/e2e/cluster/haproxy.cfg,
# NODES breakwater nodes with tests/e2e/cluster/breakwater.toml, 20 visitors with their own
# firewall mixes). For DURATION seconds a scan arrives every 1/RATE s, from the visitors in
# turn, half over HTTP and half over HTTPS: "all service ports" (0-1055) with ping and UPnP,
# followed to "done" over its event stream, then checked port by port. Measured: completion
# time (POST to the "done" event: p50, p95, max), wrong verdicts (must be 0), scans refused
# or lost, and each node's scans, CPU and memory (VmRSS sampled every second, and VmHWM).
# Prints a Markdown table.
#   NODES=3 (1-3; with fewer, HAProxy's checks take the others out before the load starts)
#   RATE=2 (scans a second)  DURATION=60 (s)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
TB_BUILD=${TB_BUILD:-build/release}
BW="$TB_BUILD/src/app/breakwater"
[ -x "$BW" ] || { echo "build the release preset first" >&2; exit 1; }
export PATH=$PATH:/usr/sbin
source tests/e2e/testbed.sh
CL_NODES=${NODES:-3}
source tests/e2e/cluster/stack.sh
N=20
RATE=${RATE:-2}
DURATION=${DURATION:-60}
TB_SEED=${TB_SEED:-77}

cl_up "$N" 2 || exit 1
trap cl_down EXIT
for k in $(seq 1 "$CL_NODES"); do cl_start_node "$k" --log-level warn || exit 1; done
cl_start_haproxy || exit 1
# Nodes left out of the run must be out of HAProxy before the clock starts.
for k in $(seq $((CL_NODES + 1)) 3); do
  for _ in $(seq 1 100); do grep -q "nodes_http/node$k is DOWN" "$TB_DIR/haproxy.log" && break; sleep 0.1; done
done

cpu_s() { awk '{ printf "%.1f", ($14 + $15) / 100 }' "/proc/$1/stat"; }
rss_mib() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
hwm_mib() { awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
declare -A cpu0
for k in $(seq 1 "$CL_NODES"); do cpu0[$k]=$(cpu_s "$(cl_node_pid "$k")"); done
ha_cpu0=$(cpu_s "$CL_HAPROXY")
# Each node's resident memory, once a second, while the load runs.
node_pids=()
for k in $(seq 1 "$CL_NODES"); do node_pids+=("$k:$(cl_node_pid "$k")"); done
(
  while :; do
    for kp in "${node_pids[@]}"; do echo "${kp%%:*} $(rss_mib "${kp#*:}")"; done
    sleep 1
  done
) >"$TB_DIR/rss.txt" &
sampler=$!

total=$(awk -v r="$RATE" -v d="$DURATION" 'BEGIN { printf "%d", r * d }')
start=$(date +%s.%N)
pids=()
for s in $(seq 0 $((total - 1))); do
  # The steady clock: scan s leaves at start + s / RATE, however long the last one took.
  at=$(awk -v a="$start" -v s="$s" -v r="$RATE" 'BEGIN { printf "%.3f", a + s / r }')
  wait_s=$(awk -v at="$at" -v now="$(date +%s.%N)" 'BEGIN { w = at - now; printf "%.3f", (w > 0 ? w : 0) }')
  sleep "$wait_s"
  i=$((s % N + 1))
  url=http://198.18.0.1
  [ $((s / N % 2)) -eq 1 ] && url=https://198.18.0.1
  tb_in_visitor "$i" python3 tests/e2e/cluster/cluster_client.py scan "$TB_DIR/l-$s" \
    --url "$url" --ports 0-1055 --ping --upnp &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
kill "$sampler" 2>/dev/null
wait "$sampler" 2>/dev/null
elapsed=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')

# Which node served each scan: the node counters in the visitors say which node probed whom,
# and each visitor sticks to one node, so the node of a visitor is the node of its scans.
declare -A node_of
for i in $(seq 1 "$N"); do
  by=$(cl_probed_by "$i")
  node_of[$i]=${by%%:*}
  [[ $by =~ ^[0-9]+:[0-9]+$ ]] || node_of[$i]="?"
done
wrong=0
for s in $(seq 0 $((total - 1))); do
  i=$((s % N + 1))
  base="$TB_DIR/l-$s"
  [ -f "$base.result.json" ] || continue
  # shellcheck disable=SC2046
  python3 tests/e2e/check_scan.py "$base.result.json" $(cl_mix_check "$i" service) >"$base.check" 2>&1
  # One line per wrong verdict, the first 20; then "... and N more".
  more=$(grep -o 'and [0-9]* more' "$base.check" | grep -o '[0-9]*')
  wrong=$((wrong + $(grep -c '^    [^.]' "$base.check") + ${more:-0}))
done
for i in $(seq 1 "$N"); do echo "$i ${node_of[$i]}"; done >"$TB_DIR/nodes.txt"

python3 - "$TB_DIR" "$total" "$RATE" "$DURATION" "$wrong" "$CL_NODES" <<'PY' >"$TB_DIR/summary.txt"
import json, os, sys
d, total, rate, duration, wrong, nodes = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
node_of = dict(line.split() for line in open(os.path.join(d, "nodes.txt")))
times, refused, lost, timeouts, per_node = [], 0, 0, 0, {}
for s in range(total):
    try:
        r = json.load(open(os.path.join(d, f"l-{s}.summary.json")))
    except (OSError, ValueError):
        lost += 1
        continue
    timeouts += len(r.get("timeouts", []))
    if r.get("post") != 202:
        refused += 1
    elif not r.get("done") or r.get("state") != "done":
        lost += 1
    else:
        times.append(r["ended_at"] - r["posted_at"])
        n = node_of[str(s % 20 + 1)]
        per_node[n] = per_node.get(n, 0) + 1
times.sort()
def pct(p):
    return times[min(len(times) - 1, int(round(p / 100 * len(times) + 0.5)) - 1)] if times else float("nan")
print(f"{len(times)} {refused} {lost} {timeouts} {pct(50):.2f} {pct(95):.2f} {times[-1] if times else float('nan'):.2f}")
print(" ".join(f"{k}:{v}" for k, v in sorted(per_node.items())))
PY
read -r done_n refused lost timeouts p50 p95 pmax <"$TB_DIR/summary.txt"
per_node=$(sed -n 2p "$TB_DIR/summary.txt")

echo
echo "| nodes | scans (${RATE}/s for ${DURATION} s) | completed | refused | lost or unfinished | client timeouts | wrong verdicts | completion p50 | p95 | max |"
echo "|---|---|---|---|---|---|---|---|---|---|"
echo "| $CL_NODES | $total | $done_n | $refused | $lost | $timeouts | $wrong | ${p50} s | ${p95} s | ${pmax} s |"
echo
echo "| node | scans completed | CPU | peak VmRSS (sampled) | VmHWM |"
echo "|---|---|---|---|---|"
for k in $(seq 1 "$CL_NODES"); do
  pid=$(cl_node_pid "$k")
  n=$(tr ' ' '\n' <<<"$per_node" | awk -F: -v k="$k" '$1 == k { print $2 }')
  echo "| $k | ${n:-0} | $(awk -v a="${cpu0[$k]}" -v b="$(cpu_s "$pid")" 'BEGIN { printf "%.1f", b - a }') s |" \
    "$(awk -v k="$k" '$1 == k && $2 > m { m = $2 } END { printf "%.1f", m }' "$TB_DIR/rss.txt") MiB | $(hwm_mib "$pid") MiB |"
done
echo "| HAProxy | | $(awk -v a="$ha_cpu0" -v b="$(cpu_s "$CL_HAPROXY")" 'BEGIN { printf "%.1f", b - a }') s |" \
  "$(rss_mib "$CL_HAPROXY") MiB | $(hwm_mib "$CL_HAPROXY") MiB |"
echo
echo "run took ${elapsed} s; machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "${KEEP:-}" ] && cp -r "$TB_DIR" /tmp/cluster-bench-keep
[ "$wrong" -eq 0 ]
