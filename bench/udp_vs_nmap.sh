#!/usr/bin/env bash
# The UDP common set side by side with nmap -sU, on the home-router test bed of the UDP e2e
# (tests/e2e/udp_bed.sh; root needed): the router's WAN address as the target, its daemons,
# port forwards, refusals and drops as the truth, the kernel's ICMP rate limit (1 error a
# second, burst 6, per destination) on as on a real router. For each of RUNS runs (3 by
# default): wall time and wrong verdicts of
#   breakwater probe 198.18.1.2 --udp udp-common --json
#   nmap -sU -Pn -n -T4 --max-retries 1 -p U:<the same 29 ports> 198.18.1.2
# (two tries each: breakwater's default and nmap's first try plus one retry), and nmap -sU -T4
# with its own retries (up to 6: it slows down to the ICMP rate limit it finds). Before each
# command the script waits GAP seconds (7 by default) so that the router's ICMP budget for
# the server is full again. nmap's open|filtered counts as right where the design is silence
# (bench/count_wrong.py --udp). ICMP_LIMIT=off lifts the rate limits of the bed's namespaces:
# how the tools classify answers, apart from how they cope with the limit. Run after a
# release build; prints a Markdown table.
set -uo pipefail
cd "$(dirname "$0")/.."
TB_BUILD=${TB_BUILD:-build/release}
BW="$PWD/$TB_BUILD/src/app/breakwater"
RUNS=${RUNS:-3}
GAP=${GAP:-7}
[ -x "$BW" ] || { echo "build the release preset first" >&2; exit 1; }
source tests/e2e/udp_bed.sh
ub_up || exit 1
if [ "${ICMP_LIMIT:-on}" = off ]; then
  for ns in "$UB_ISP" "$UB_RTR" "$UB_LAN"; do ub_in "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0; done
fi

for p in ${UB_COMMON//,/ }; do echo "$p $(ub_truth "$p")"; done >"$UB_DIR/truth"

now() { date +%s.%N; }

# run_one KIND OUT COMMAND...: prints "SECONDS WRONG OPEN_OR_FILTERED WRONG_PORTS".
run_one() {
  local kind=$1 out=$2 t0 t1 counts
  shift 2
  sleep "$GAP"
  t0=$(now)
  ip netns exec "$UB_SRV" "$@" >"$out.stdout" 2>"$out.stderr"
  t1=$(now)
  [ "$kind" = bw ] && mv "$out.stdout" "$out"
  counts=$(python3 bench/count_wrong.py --udp "$kind" "$out" "$UB_DIR/truth" 2>/dev/null || echo "? ? ?")
  awk -v a="$t0" -v b="$t1" -v c="$counts" 'BEGIN { printf "%.2f %s\n", b - a, c }'
}

echo "ICMP rate limits ${ICMP_LIMIT:-on}; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| run | breakwater | wrong (ports) | nmap -sU -T4 --max-retries 1 | wrong (ports) | nmap -sU -T4 | wrong (ports) |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for run in $(seq 1 "$RUNS"); do
  d=$UB_DIR/run$run
  read -r bt bw _ bp <<<"$(run_one bw "$d.bw.json" "$BW" probe "$UB_TARGET" --udp udp-common --json)"
  read -r nt nw _ np <<<"$(run_one nmap "$d.nmap.xml" nmap -sU -Pn -n -T4 --max-retries 1 \
    -p "U:$UB_COMMON" --reason -oX "$d.nmap.xml" "$UB_TARGET")"
  read -r ft fw _ fp <<<"$(run_one nmap "$d.nmap6.xml" nmap -sU -Pn -n -T4 \
    -p "U:$UB_COMMON" --reason -oX "$d.nmap6.xml" "$UB_TARGET")"
  # open|filtered counted right on the 2 silent ports; nmap's other ones are in the wrong lists.
  row="| $run | $bt s | $bw (${bp//,/, }) | $nt s | $nw (${np//,/, }) | $ft s | $fw (${fp//,/, }) |"
  bar='open\|filtered'  # a | inside a Markdown cell
  echo "${row//open|filtered/$bar}"
  [ -n "${KEEP:-}" ] && mkdir -p "$KEEP" && cp "$d".* "$KEEP/" 2>/dev/null
done
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
