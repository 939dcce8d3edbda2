#!/usr/bin/env bash
# Many breakwater nodes behind Debian's HAProxy, on the network test bed (issue 16): HAProxy
# in the server namespace (198.18.0.1 / 2001:2::1) with tests/e2e/cluster/haproxy.cfg, three
# nodes in namespaces of their own (198.18.3.1-3) with tests/e2e/cluster/breakwater.toml
# (both verbatim, both quoted in docs/deploy.md), 20 visitors behind the router, which also
# plays the upstream firewall (tests/e2e/cluster/stack.sh).
# 1. 20 visitors at once, over HTTP and HTTPS: every scan completes with the right verdicts
#    and events; each visitor's second scan, sent at once through the other frontend, gets
#    429 scan_running (same holder, same node); each visitor was probed by one node only,
#    from that node's own address; every node got visitors; two IPv6 addresses of one /64
#    are one holder; every node's /metrics counts its own scans.
# 2. A node killed (SIGKILL) during long scans: its visitors' streams end, the API and the
#    page say the scan was lost when its server stopped, and starting again works at once,
#    on a surviving node, with the right verdicts; everyone else's scans complete; HAProxy
#    takes the node out within its health-check interval (1 s, 2 failures).
# No client call may hit its timeout. Needs root; run from the repo root after a release
# build (breakwater, bw_link_relay, bw_visitor_services).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
TB_BUILD=${TB_BUILD:-build/release}
BW=${BW:-$TB_BUILD/src/app/breakwater}
source tests/e2e/testbed.sh
source tests/e2e/cluster/stack.sh

source tests/e2e/checks.sh
step() { echo "cluster e2e ($SECONDS s): $*"; }
# field FILE EXPR: a Python expression over the JSON object d in FILE.
field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null; }

command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] ||
  { echo "cluster e2e: haproxy missing (run scripts/setup.sh --tools)" >&2; exit 1; }
export PATH=$PATH:/usr/sbin
N=20
HA4=http://198.18.0.1
HAS4=https://198.18.0.1
HA6="http://[2001:2::1]"
HAS6="https://[2001:2::1]"
SENTENCE="No scan with this id is here: it expired, or it was lost when its server stopped. Start the test again."

# docs/deploy.md quotes the configurations this test runs.
for conf in tests/e2e/cluster/haproxy.cfg tests/e2e/cluster/breakwater.toml tests/e2e/cluster/upstream.nft; do
  if python3 -c 'import sys; sys.exit(open(sys.argv[1]).read() not in open("docs/deploy.md").read())' "$conf"; then
    pass "docs/deploy.md quotes $conf exactly"
  else
    fail "docs/deploy.md does not quote $conf as it is (update \"Many nodes behind HAProxy\")"
  fi
done

step "test bed up: $N visitors, router with the upstream firewall, $CL_NODES nodes, HAProxy"
cl_up "$N" 2 || exit 1
trap cl_down EXIT
trap 'exit 130' INT TERM
for k in $(seq 1 "$CL_NODES"); do cl_start_node "$k" --log-level warn || exit 1; done
cl_start_haproxy || exit 1
pass "HAProxy's health checks on /healthz reached every node ($(cl_checks_passed) of $CL_NODES)"

# The upstream firewall holds: a visitor cannot open a connection to a node itself.
if tb_in_visitor 1 python3 -c '
import socket, sys
try:
    socket.create_connection(("198.18.3.1", 9090), timeout=1)
except OSError:
    sys.exit(0)
sys.exit(1)'; then
  pass "a visitor cannot connect to a node directly (the upstream firewall drops it)"
else
  fail "a visitor reached a node's port 9090 directly"
fi

# visitor_args I: the ping/UPnP flags of visitor I's scans.
visitor_args() {
  # Everyone asks for both; the visitor's mix decides whether they are answered.
  echo --ping --upnp
}
# want_check NAME BASE I KIND: queue a check of the scan written at BASE against visitor I's
# mix; run_checks runs the queue in one interpreter (check_many.py); then checked NAME says
# whether its verdicts and events were right (and fails with the details if not).
declare -A check_result
want_check() {
  local name=$1 base=$2 i=$3 kind=$4
  echo "$name $base $(cl_mix_check "$i" "$kind")" >>"$TB_DIR/checks.txt"
}
run_checks() {
  local name rest
  while read -r _ name rest; do
    check_result[$name]=$rest
  done < <(python3 tests/e2e/cluster/check_many.py <"$TB_DIR/checks.txt" | sed 's/^ok /ok /; s/^bad \([^:]*\):/bad \1/')
  rm -f "$TB_DIR/checks.txt"
}
checked() {
  local name=$1
  [ -n "${check_result[$name]+x}" ] && [ -z "${check_result[$name]}" ] && return 0
  fail "$name: ${check_result[$name]:-not checked} $(head -c 300 "$TB_DIR/$name.summary.json" 2>/dev/null)"
  return 1
}

step "1. $N visitors at once through HAProxy (odd ones over HTTP, even ones over HTTPS)"
pids=()
for i in $(seq 1 "$N"); do
  if [ $((i % 2)) -eq 1 ]; then url=$HA4 other=$HAS4; else url=$HAS4 other=$HA4; fi
  # shellcheck disable=SC2046
  tb_in_visitor "$i" python3 tests/e2e/cluster/cluster_client.py scan "$TB_DIR/a-$i" \
    --url "$url" --other "$other" --ports 0-999 $(visitor_args "$i") &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
for i in $(seq 1 "$N"); do want_check "a-$i" "$TB_DIR/a-$i" "$i" short; done
run_checks
right=0
second=0
timeouts=0
declare -A node_of
declare -A per_node
for i in $(seq 1 "$N"); do
  s="$TB_DIR/a-$i.summary.json"
  checked "a-$i" && right=$((right + 1))
  read -r code first t <<<"$(field "$s" 'str(d.get("second")) + "/" + str(d.get("second_code")), d.get("first_state_after_second"), len(d["timeouts"])')"
  [ "$code" = "429/scan_running" ] && second=$((second + 1))
  [ "$first" = running ] || echo "    (visitor $i's first scan had ended before its second was answered)"
  timeouts=$((timeouts + t))
  by=$(cl_probed_by "$i")
  node_of[$i]=${by%%:*}
  if [[ $by =~ ^[0-9]+:[0-9]+$ ]]; then
    per_node[${node_of[$i]}]=$((${per_node[${node_of[$i]}]:-0} + 1))
  else
    fail "visitor $i was probed by more or fewer than one node: '$by'"
  fi
done
[ "$right" = "$N" ] && pass "all $N scans completed with the right verdicts and events" ||
  fail "$right of $N scans right"
if [ "$second" = "$N" ]; then
  pass "every visitor's second scan, through the other frontend, got 429 scan_running (same node)"
else
  fail "only $second of $N second scans got 429 scan_running: $(cat "$TB_DIR"/a-*.summary.json | grep -o '"second[^,]*,[^,]*' | sort | uniq -c | tr '\n' ' ')"
fi
spread="${per_node[1]:-0}/${per_node[2]:-0}/${per_node[3]:-0}"
if [ "${per_node[1]:-0}" -ge 1 ] && [ "${per_node[2]:-0}" -ge 1 ] && [ "${per_node[3]:-0}" -ge 1 ] &&
  [ $((per_node[1] + per_node[2] + per_node[3])) = "$N" ]; then
  pass "each visitor was probed by exactly one node, from its own address; visitors per node $spread"
else
  fail "visitors per node $spread"
fi
# Prometheus' view: each node counts the scans it started, and they are exactly the ones
# whose probes came from it.
metrics_ok=1
for k in 1 2 3; do
  started=$(cl_metric "$k" breakwater_scans_started_total)
  [ "${started:-x}" = "${per_node[$k]:-0}" ] || metrics_ok=0
  refused=$(cl_metric "$k" breakwater_scans_refused_total)
  [ "${refused:-x}" = "${per_node[$k]:-0}" ] || metrics_ok=0
  echo "    node $k: /metrics says $started started, $refused refused"
done
[ "$metrics_ok" = 1 ] && pass "every node's /metrics (plain port 9090) counts its own visitors' scans and 429s" ||
  fail "/metrics disagree with the visitors per node ($spread)"
# HAProxy passes a visitor's TCP through to every node path, /metrics too: only the monitoring
# host may read it (metrics_from), so over HTTP and HTTPS the visitor is told 404.
m4=$(tb_in_visitor 1 curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$HA4/metrics")
m6=$(tb_in_visitor 1 curl -sk -o /dev/null -w '%{http_code}' --max-time 3 "$HAS6/metrics")
[ "$m4 $m6" = "404 404" ] && pass "a visitor asking for /metrics through HAProxy gets 404 (metrics_from)" ||
  fail "a visitor's /metrics through HAProxy: HTTP $m4, HTTPS over IPv6 $m6"

# IPv6: a holder is a /64. Visitor 1 scans over IPv6; visitors 2-5, other addresses of the
# same /64, arrive on other connections (HTTP and HTTPS) while it runs.
tb_in_visitor 1 python3 tests/e2e/cluster/cluster_client.py scan "$TB_DIR/v6-1" --url "$HA6" \
  --ports 0-999 &
v6scan=$!
for _ in $(seq 1 100); do [ -e "$TB_DIR/v6-1.started" ] && break; sleep 0.05; done
same=0
for i in 2 3 4 5; do
  if [ $((i % 2)) -eq 0 ]; then url=$HAS6; else url=$HA6; fi
  code=$(tb_in_visitor "$i" curl -sk --max-time 10 -o "$TB_DIR/v6-$i.json" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' -d '{"ports":"22"}' "$url/api/v1/scans")
  [ "$code" = 429 ] && grep -q '"scan_running"' "$TB_DIR/v6-$i.json" && same=$((same + 1))
done
wait "$v6scan"
if [ "$same" = 4 ] && [ "$(field "$TB_DIR/v6-1.summary.json" 'd.get("post"), d.get("done")')" = "202 True" ]; then
  pass "IPv6: four other addresses of the same /64 reached the same node (429 scan_running each)"
else
  fail "IPv6 /64 stickiness: $same of 4 got 429; $(cat "$TB_DIR/v6-1.summary.json")"
fi
timeouts=$((timeouts + $(field "$TB_DIR/v6-1.summary.json" 'len(d["timeouts"])')))

step "2. node 2 killed during long scans (0-4999) of all $N visitors"
cl_reset_counters
KILLED=2
pids=()
for i in $(seq 1 "$N"); do
  if [ $((i % 2)) -eq 1 ]; then url=$HA4; else url=$HAS4; fi
  # shellcheck disable=SC2046
  tb_in_visitor "$i" python3 tests/e2e/cluster/cluster_client.py long "$TB_DIR/b-$i" \
    --url "$url" --ports 0-4999 --restart-ports 0-999 $(visitor_args "$i") &
  pids+=($!)
done
# Every long scan has started (202) before the kill, and none can end in the second after.
for _ in $(seq 1 150); do
  [ "$(find "$TB_DIR" -name 'b-*.started' | wc -l)" -ge "$N" ] && break
  sleep 0.1
done
sleep 1
killed_at=$(date +%s.%N)
cl_kill_node "$KILLED"
# HAProxy logs the state change on stderr (-db): the node is out within inter 1s x fall 2.
down_after=
for _ in $(seq 1 50); do
  if grep -q "node$KILLED is DOWN" "$TB_DIR/haproxy.log"; then
    down_after=$(awk -v a="$killed_at" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    break
  fi
  sleep 0.1
done
# Prometheus' view of HAProxy (its exporter, scraped inside the server namespace).
ha_up=$(ip netns exec "$TB_SRV" curl -s --max-time 2 http://127.0.0.1:8405/metrics |
  awk '/^haproxy_server_status\{proxy="nodes_http",server="node[0-9]",state="UP"\}/ { n += $2 } END { print n + 0 }')
if [ "$ha_up" = $((CL_NODES - 1)) ]; then
  pass "HAProxy's Prometheus exporter shows $ha_up nodes UP after the kill"
else
  fail "HAProxy's exporter shows $ha_up nodes UP after the kill"
fi
for p in "${pids[@]}"; do wait "$p"; done
if [ -n "$down_after" ] && awk -v d="$down_after" 'BEGIN { exit !(d <= 3.0) }'; then
  pass "HAProxy took node $KILLED out ${down_after} s after it died (checks: every 1 s, out after 2)"
else
  fail "HAProxy did not mark node $KILLED down within 3 s: $(tail -3 "$TB_DIR/haproxy.log")"
fi

# other_node "K:N ...": probes came from some node other than the killed one.
other_node() {
  local x
  for x in $1; do [ "${x%%:*}" != "$KILLED" ] && return 0; done
  return 1
}
for i in $(seq 1 "$N"); do
  if [ "${node_of[$i]}" = "$KILLED" ]; then
    want_check "b-$i-restart" "$TB_DIR/b-$i-restart" "$i" short
  else
    want_check "b-$i" "$TB_DIR/b-$i" "$i" long
  fi
done
run_checks
lost=0
lost_ok=0
survived=0
survived_ok=0
for i in $(seq 1 "$N"); do
  s="$TB_DIR/b-$i.summary.json"
  timeouts=$((timeouts + $(field "$s" 'len(d["timeouts"]) + len(d.get("restart", {}).get("timeouts", []))')))
  if [ "${node_of[$i]}" = "$KILLED" ]; then
    lost=$((lost + 1))
    # Its stream broke (no "done") at the kill: within 5 s, where a stream left open would
    # run to the client's 20 s idle limit. (The client reads what was sent before the kill
    # first: on the loaded CI machine, beside the sanitizer builds, one stream that had
    # carried 1,736 events ended 2.9 s after the kill.) The API and the page (through
    # whichever node HAProxy chose now) say why; the reconnecting EventSource gets 404 too;
    # starting again works at once, on another node, and gets the right verdicts.
    got=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d.get('lost'), d.get('api_status'), d.get('api_code'), d.get('api_message') == sys.argv[2], d.get('page_status'), d.get('page_says_gone'), d.get('resume_status'))" "$s" "$SENTENCE")
    restart=$(field "$s" 'd["restart"]["post"], d["restart"]["attempts"], d["ended_at"]')
    read -r r_post r_attempts r_ended <<<"$restart"
    ended_after=$(awk -v a="$killed_at" -v b="${r_ended:-0}" 'BEGIN { printf "%.2f", b - a }')
    probed=$(cl_probed_by "$i")
    if [ "$got" = "True 404 not_found True 404 True 404" ] && [ "$r_post" = 202 ] &&
      [ "$r_attempts" = 1 ] && awk -v e="$ended_after" 'BEGIN { exit !(e >= 0 && e < 5) }' &&
      other_node "$probed" &&
      checked "b-$i-restart"; then
      lost_ok=$((lost_ok + 1))
    else
      fail "visitor $i (on node $KILLED): lost/API/page/resume: $got; restart: $restart; stream ended ${ended_after} s after the kill; probed by $probed; $(cat "$s")"
    fi
  else
    survived=$((survived + 1))
    if [ "$(field "$s" 'd.get("done"), "lost" in d')" = "True False" ] &&
      checked "b-$i"; then
      survived_ok=$((survived_ok + 1))
    fi
  fi
done
if [ "$lost" -ge 1 ] && [ "$lost_ok" = "$lost" ]; then
  pass "the $lost visitors of node $KILLED: stream ended at the kill; API 404 not_found and the page say \"$SENTENCE\"; EventSource's reconnect 404; started again on the first try, on a surviving node, right verdicts"
else
  fail "$lost_ok of $lost visitors of the killed node were told and could start again"
fi
[ "$survived" -ge 1 ] && [ "$survived_ok" = "$survived" ] &&
  pass "the $survived visitors of the other nodes: their long scans completed with the right verdicts" ||
  fail "$survived_ok of $survived long scans on the surviving nodes right"
# New holders after the kill (six addresses never seen before, on visitor 20) go to the
# surviving nodes only: the check answers for the new address, probed from a live node.
tb_in_visitor 20 nft reset counters table inet bwc >/dev/null
fresh=0
for a in 121 122 123 124 125 126; do
  tb_in_visitor 20 ip addr add "198.18.1.$a/24" dev eth0
  body=$(tb_in_visitor 20 curl -s --max-time 10 --interface "198.18.1.$a" "$HA4/api/v1/check/22")
  [ "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d.get("address"), d.get("state"))' "$body" 2>/dev/null)" = "198.18.1.$a open" ] &&
    fresh=$((fresh + 1))
done
probed=$(cl_probed_by 20)
if [ "$fresh" = 6 ] && [[ " $probed" != *" $KILLED:"* ]]; then
  pass "six new holders after the kill: each checked right, probed only by surviving nodes ($probed)"
else
  fail "new holders after the kill: $fresh of 6 right, probed by $probed"
fi

[ "$timeouts" = 0 ] && pass "no client call hit its timeout (every call had one: 10 s, streams 20 s idle)" ||
  fail "$timeouts client calls hit their timeout: $(cat "$TB_DIR"/*.summary.json | grep -o '"timeouts": \[[^]]*[^[]\]' | head -5)"

if [ "$failed" -gt 0 ]; then
  for log in "$TB_DIR"/node-*.log "$TB_DIR/haproxy.log"; do
    [ -s "$log" ] && { echo "  (${log#"$TB_DIR"/}, last lines:)"; tail -n 5 "$log" | sed 's/^/    /'; }
  done
fi
echo
echo "cluster e2e ($SECONDS s): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
