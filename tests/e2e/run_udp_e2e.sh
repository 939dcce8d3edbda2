#!/usr/bin/env bash
# `breakwater probe --udp` against a home router (tests/e2e/udp_bed.sh): a server namespace
# probes the router's WAN address through an ISP namespace; the router runs real daemons on
# its WAN side (dnsmasq as an open resolver, snmpd with community public, memcached with UDP,
# chronyd, an SSDP responder), NATs a LAN host with port forwards to answering, silent and
# closed UDP services and a TCP listener, refuses and drops ports with nftables; the ISP
# refuses NetBIOS with admin-prohibited. First the bed is checked on its own (python3 and
# snmpget, from a second address of the server, so the router's ICMP budget for the probe is
# untouched); then every UDP verdict of breakwater is checked against the design, with the
# protocol and finding of each open port and the amplification figures. Needs root and
# scripts/setup.sh --tools; run from the repo root after a release build (targets breakwater
# and bw_visitor_services). Prints "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
TB_BUILD=${TB_BUILD:-build/release}
BW="$PWD/$TB_BUILD/src/app/breakwater"

source tests/e2e/udp_bed.sh
source tests/e2e/checks.sh

[ -x "$BW" ] || { echo "udp e2e: $BW missing (build the release preset first)" >&2; exit 1; }
command -v snmpget >/dev/null || { echo "udp e2e: snmpget missing (scripts/setup.sh --tools)" >&2; exit 1; }
ub_up || exit 1
D=$UB_DIR

# results FILE: checks.sh's pass/fail for each PASS/FAIL line check_udp.py printed.
results() {
  local line
  while IFS= read -r line; do
    case $line in
      PASS\ *) pass "${line#PASS }" ;;
      FAIL\ *) fail "${line#FAIL }" ;;
    esac
  done <"$1"
}

# truth FILE PORT...: the design's verdicts for these UDP ports, in check_udp.py's form.
truth() {
  local out=$1 p extra
  shift
  : >"$out"
  for p in "$@"; do
    extra=""
    [ -n "${UB_PROTOCOL[$p]:-}" ] && extra="protocol=${UB_PROTOCOL[$p]} finding=${UB_FINDING[$p]}"
    [ "$p" = 51820 ] && extra="silence=yes"
    [ "$p" = 500 ] && extra="silence=no"
    echo "$p $(ub_truth "$p") $extra" >>"$out"
  done
}

# probe NAME ARGS...: breakwater probe from the server namespace; the JSON in $D/NAME.json.
probe() {
  local name=$1
  shift
  ip netns exec "$UB_SRV" "$BW" probe "$@" >"$D/$name.json" 2>"$D/$name.err"
}

echo "udp e2e ($SECONDS s): the bed itself, without breakwater"
# The ISP's, router's and LAN host's ICMP rate limits are lifted while the check runs (it
# sends every port at once) and put back for breakwater.
saved_limits=()
set_limits() {  # set_limits 0 | restore
  local ns i=0
  for ns in "$UB_ISP" "$UB_RTR" "$UB_LAN"; do
    if [ "$1" = restore ]; then
      ub_in "$ns" sysctl -qw "net.ipv4.icmp_ratelimit=${saved_limits[$i]}"
    else
      saved_limits[$i]=$(ub_in "$ns" sysctl -n net.ipv4.icmp_ratelimit)
      ub_in "$ns" sysctl -qw "net.ipv4.icmp_ratelimit=$1"
    fi
    i=$((i + 1))
  done
}
set_limits 0
ub_in "$UB_SRV" python3 tests/e2e/udp_bed_check.py "$UB_CHECKER" "$UB_TARGET" ${UB_COMMON//,/ } 9999 \
  >"$D/bed.txt" 2>&1
set_limits restore
bad=""
for p in ${UB_COMMON//,/ } 9999; do
  got=$(awk -v p="$p" '$1 == p { sub(/ \|.*/, ""); $1 = ""; print substr($0, 2) }' "$D/bed.txt")
  [ "$got" = "$(ub_truth "$p")" ] || bad+=" $p: got '$got', designed '$(ub_truth "$p")';"
done
if [ -z "$bad" ]; then
  pass "every port of udp-common and 9999 answers as designed (python3, from $UB_CHECKER)"
else
  fail "the bed is not as designed:$bad $(cat "$D/bed.txt")"
fi
if grep -q '^53 open .*RA=1 rcode=0 answers=1' "$D/bed.txt" &&
  grep -q '^123 open .*NTP 48 bytes, modes 4,' "$D/bed.txt" &&
  grep -q '^11211 open .*VERSION' "$D/bed.txt" &&
  grep -q '^1900 open .*HTTP/1.1 200 OK' "$D/bed.txt" &&
  grep -q '^19 open udp-answer | 518 bytes' "$D/bed.txt"; then
  pass "dnsmasq recurses (RA) and answers example.com; chronyd answers mode 3 only; memcached, SSDP and chargen answer"
else
  fail "the daemons' answers: $(cat "$D/bed.txt")"
fi
if ub_in "$UB_SRV" snmpget -v2c -c public -t 1 -r 1 "$UB_TARGET" 1.3.6.1.2.1.1.1.0 2>&1 |
  grep -q 'STRING: "breakwater test bed router'; then
  pass "snmpget with community public reads the router's sysDescr"
else
  fail "snmpget: $(ub_in "$UB_SRV" snmpget -v2c -c public -t 1 -r 1 "$UB_TARGET" 1.3.6.1.2.1.1.1.0 2>&1)"
fi
if ub_in "$UB_SRV" python3 tests/e2e/udp_bed_check.py "$UB_CHECKER" "$UB_OLD_NTP" 123 |
  grep -q '^123 open .*NTP .* modes 4,7,7,'; then
  pass "the ISP's old NTP server answers monlist (two datagrams)"
else
  fail "the old NTP server: $(ub_in "$UB_SRV" python3 tests/e2e/udp_bed_check.py "$UB_CHECKER" "$UB_OLD_NTP" 123 2>&1)"
fi

echo "udp e2e ($SECONDS s): breakwater probe --udp udp-common (the kernel's ICMP rate limits on)"
start=$SECONDS
if probe common "$UB_TARGET" --udp udp-common --json; then
  pass "probe --udp udp-common: exit 0 ($((SECONDS - start)) s)"
  truth "$D/common.truth" ${UB_COMMON//,/ }
  python3 tests/e2e/check_udp.py "$D/common.json" "$D/common.truth" >"$D/common.check"
  results "$D/common.check"
  if [ "$(json 'len(d.get("ports") or [])' <"$D/common.json" 2>&1)" = 0 ]; then
    pass "--udp alone probes no TCP port"
  else
    fail "--udp alone probed TCP ports: $(json 'd.get("ports")' <"$D/common.json" 2>&1 | head -c 400)"
  fi
else
  fail "probe --udp udp-common: exit $?: $(cat "$D/common.err")"
fi

# The same with the ICMP rate limits lifted (after the run above: lifting them empties the
# router's budget for the server): every verdict in one pass, apart from the re-check.
echo "udp e2e ($SECONDS s): breakwater probe --udp udp-common (ICMP rate limits lifted)"
set_limits 0
start=$SECONDS
if probe nolimit "$UB_TARGET" --udp udp-common --json; then
  pass "probe --udp udp-common, no ICMP limit: exit 0 ($((SECONDS - start)) s)"
  python3 tests/e2e/check_udp.py "$D/nolimit.json" "$D/common.truth" >"$D/nolimit.check"
  results "$D/nolimit.check"
else
  fail "probe --udp udp-common, no ICMP limit: exit $?: $(cat "$D/nolimit.err")"
fi
set_limits restore

echo "udp e2e ($SECONDS s): TCP and UDP in one command"
if probe both "$UB_TARGET" --ports 22,80 --udp 53,161 --json; then
  truth "$D/both.truth" 53 161
  python3 tests/e2e/check_udp.py "$D/both.json" "$D/both.truth" >"$D/both.check"
  results "$D/both.check"
  tcp=$(json '" ".join("%s=%s" % (p["port"], p["state"]) for p in sorted(d["ports"], key=lambda p: p["port"]))' \
    <"$D/both.json" 2>&1)
  if [ "$tcp" = "22=closed 80=open" ]; then
    pass "--ports 22,80 with --udp: TCP 22 closed (the router's reset), 80 open (forwarded)"
  else
    fail "--ports 22,80 with --udp: TCP verdicts '$tcp'"
  fi
else
  fail "probe --ports 22,80 --udp 53,161: exit $?: $(cat "$D/both.err")"
fi

echo "udp e2e ($SECONDS s): a forwarded port with no protocol of its own; an old NTP server"
if probe generic "$UB_TARGET" --udp 9999 --json; then
  truth "$D/generic.truth" 9999
  python3 tests/e2e/check_udp.py "$D/generic.json" "$D/generic.truth" >"$D/generic.check"
  results "$D/generic.check"
else
  fail "probe --udp 9999: exit $?: $(cat "$D/generic.err")"
fi
if probe monlist "$UB_OLD_NTP" --udp 123 --json; then
  echo "123 open udp-answer protocol=NTP finding=ntp-monlist" >"$D/monlist.truth"
  python3 tests/e2e/check_udp.py "$D/monlist.json" "$D/monlist.truth" >"$D/monlist.check"
  results "$D/monlist.check"
  amp=$(json '[u["amplification"] for u in d["udp"]][0]' <"$D/monlist.json" 2>/dev/null)
  if awk -v a="${amp:-0}" 'BEGIN { exit !(a > 5) }'; then
    pass "monlist amplification $amp (two datagrams of six clients against a short request)"
  else
    fail "monlist amplification '${amp}': $(cat "$D/monlist.json")"
  fi
else
  fail "probe the old NTP server: exit $?: $(cat "$D/monlist.err")"
fi

echo "udp e2e ($SECONDS s): the text report and a bad port list"
if ip netns exec "$UB_SRV" "$BW" probe "$UB_TARGET" --udp 53,500,1434 >"$D/text.txt" 2>"$D/text.err" &&
  grep -q '53' "$D/text.txt" && grep -qi 'DNS' "$D/text.txt"; then
  pass "text report: exit 0, names DNS on 53"
else
  fail "text report: $(cat "$D/text.txt" "$D/text.err")"
fi
ip netns exec "$UB_SRV" "$BW" probe "$UB_TARGET" --udp 80-70 >/dev/null 2>"$D/bad.err"
code=$?
if [ $code -eq 2 ] && grep -q "position 1 ('80-70')" "$D/bad.err"; then
  pass "bad --udp list: exit 2 naming the text and position, as --ports does"
else
  fail "bad --udp list: exit $code: $(cat "$D/bad.err")"
fi

# UDP_E2E_KEEP=DIR keeps the outputs (JSON, checks, the bed's own check) for a look after.
if [ -n "${UDP_E2E_KEEP:-}" ]; then
  mkdir -p "$UDP_E2E_KEEP" && cp "$D"/*.json "$D"/*.check "$D"/*.err "$D"/*.txt "$UDP_E2E_KEEP/"
fi
echo
echo "udp e2e ($SECONDS s): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
