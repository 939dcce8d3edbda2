#!/usr/bin/env bash
# Probe speed and accuracy, side by side with nmap, on the network test bed (root needed):
# ports 0-1055 at 50 ms round trip and 0/1/5% loss each way, (a) every port stealth and
# (b) 2 open, 50 closed (resets), the rest stealth. Reports wall time to the last verdict and
# wrong verdicts for breakwater (unseeded, and seeded with the RTT as the web service does),
# nmap -sS -T4 -Pn and nmap -sT -T4 -Pn. Run after a release build; prints a Markdown table.
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

now() { date +%s.%N; }

# run_one LABEL KIND OUTFILE COMMAND... -> prints "seconds wrong"
run_one() {
  local kind=$1 out=$2 open=$3 closed=$4
  shift 4
  local t0 t1
  t0=$(now)
  "$@" >"$out.stdout" 2>"$out.stderr"
  t1=$(now)
  [ "$kind" = bw ] && mv "$out.stdout" "$out"
  local wrong
  wrong=$(python3 bench/count_wrong.py "$kind" "$out" 0-1055 "$open" "$closed" 2>/dev/null || echo "?")
  awk -v a="$t0" -v b="$t1" -v w="$wrong" 'BEGIN { printf "%.2f %s\n", b - a, w }'
}

echo "| scenario | loss | breakwater | breakwater, RTT seeded | nmap -sS -T4 -Pn | nmap -sT -T4 -Pn |"
echo "| --- | --- | --- | --- | --- | --- |"
for scenario in stealth mix; do
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
