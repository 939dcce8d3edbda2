#!/usr/bin/env bash
# `breakwater selfcheck` on the test bed: `breakwater serve` in the server namespace, one
# visitor behind the router whose hosts file names the server bw.test with an IPv4 and an
# IPv6 address. The visitor saves a baseline over both families, opens a port, and must then
# get exit 3, the change in words for each family and a webhook POST received by a listener
# in the server namespace; unchanged, exit 0; after a brief IPv6 outage, still exit 0; the
# baseline is replaced whole; a baseline of another server is refused, or started over with
# --save-baseline; over HTTPS, the certificate is checked, and the webhook's even under
# --insecure. Needs root; run from the repo root after a release build.
set -uo pipefail
cd "$(dirname "$0")/../.."
TB_BUILD=${TB_BUILD:-build/release}
BW="$PWD/$TB_BUILD/src/app/breakwater"
source tests/e2e/testbed.sh

source tests/e2e/checks.sh

echo "selfcheck e2e ($SECONDS s): test bed up (1 visitor, 20 ms round trip)"
tb_many_up 1 10 || exit 1
VIS=$(tb_visitor_ns 1)
# Port 25 is let through the visitor's firewall: closed (a reset) until something listens.
tb_firewall_in "$VIS" "25" "-" "-" "-" accept
# ip netns exec bind-mounts /etc/netns/NAME/hosts over /etc/hosts: the name has both families.
mkdir -p "/etc/netns/$VIS"
printf '198.18.0.1 bw.test\n2001:2::1 bw.test\n' >"/etc/netns/$VIS/hosts"

cat >"$TB_DIR/serve.toml" <<TOML
http = ["198.18.0.1:8080", "[2001:2::1]:8080"]
https = ["198.18.0.1:8443"]
state_dir = "$TB_DIR/state"
log_level = "warn"
server_names = ["bw.test"]
TOML
ip netns exec "$TB_SRV" "$BW" --data data serve --config "$TB_DIR/serve.toml" >"$TB_DIR/serve.log" 2>&1 &
SERVE=$!
# The webhook: one POST, its body written to a file.
cat >"$TB_DIR/hook.py" <<'PY'
import http.server, sys
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        open(sys.argv[1], "wb").write(body)
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("198.18.0.1", 9099), Hook).handle_request()
PY
ip netns exec "$TB_SRV" python3 "$TB_DIR/hook.py" "$TB_DIR/hook.json" &
HOOK=$!
cleanup() {
  kill "$SERVE" "$HOOK" 2>/dev/null
  wait "$SERVE" "$HOOK" 2>/dev/null
  rm -rf "/etc/netns/$VIS"
  tb_down
}
trap cleanup EXIT
for _ in $(seq 1 100); do grep -q "listening" "$TB_DIR/serve.log" && break; sleep 0.05; done
grep -q "listening" "$TB_DIR/serve.log" || { echo "server did not start: $(cat "$TB_DIR/serve.log")"; exit 1; }

check() {  # check OUT_FILE ARGS...: selfcheck in the visitor; prints its exit status
  local out=$1
  shift
  ip netns exec "$VIS" "$BW" selfcheck --ports 20-30 --timeout 60 "$@" >"$out" 2>&1
  echo $?
}

base=$TB_DIR/baseline.json
rc=$(check "$TB_DIR/s1.txt" --server http://bw.test:8080 --baseline "$base" --save-baseline)
if [[ $rc == 0 ]] && grep -q '^IPv4 198.18.1.1: open none' "$TB_DIR/s1.txt" &&
  grep -q '^IPv6 2001:2:0:1::1: open none' "$TB_DIR/s1.txt" && grep -q '"IPv6"' "$base"; then
  pass "baseline over both families of one name (exit 0)"
else
  fail "baseline: exit $rc: $(cat "$TB_DIR/s1.txt")"
fi

tb_visitor_services 1 "25"
rc=$(check "$TB_DIR/s2.txt" --server http://bw.test:8080 --baseline "$base" \
  --notify http://198.18.0.1:9099/hook --notify-topic bw)
if [[ $rc == 3 ]] && grep -q 'IPv4: port 25 is now reachable' "$TB_DIR/s2.txt" &&
  grep -q 'IPv6: port 25 is now reachable' "$TB_DIR/s2.txt"; then
  pass "a port opened on the visitor: exit 3, named for each family"
else
  fail "after opening 25: exit $rc: $(cat "$TB_DIR/s2.txt")"
fi
wait "$HOOK" 2>/dev/null
if python3 - "$TB_DIR/hook.json" <<'PY'; then
import json, sys
d = json.load(open(sys.argv[1]))
changes = {(c["family"], c["change"], c["port"]) for c in d["changes"]}
assert changes == {("IPv4", "opened", 25), ("IPv6", "opened", 25)}, changes
assert d["topic"] == "bw" and "port 25" in d["message"], d
PY
  pass "the webhook received the change as JSON (ntfy's topic, title and message)"
else
  fail "webhook body: $(cat "$TB_DIR/hook.json" 2>&1)"
fi

inode=$(stat -c %i "$base")
rc=$(check "$TB_DIR/s3.txt" --server http://bw.test:8080 --baseline "$base" --save-baseline)
rc2=$(check "$TB_DIR/s4.txt" --server http://bw.test:8080 --baseline "$base" --json)
if [[ $rc == 3 && $rc2 == 0 ]] && python3 -c '
import json, sys; d = json.load(open(sys.argv[1])); assert d["changes"] == [], d' "$TB_DIR/s4.txt"; then
  pass "no change since the new baseline: exit 0, no changes in --json"
else
  fail "unchanged: exit $rc / $rc2: $(cat "$TB_DIR/s4.txt")"
fi
# A new file renamed over the old one: a write cut short can never leave half a baseline.
leftover=$(find "$TB_DIR" -maxdepth 1 -name 'baseline.json.*')
if [[ $(stat -c %i "$base") != "$inode" && -z $leftover ]]; then
  pass "the baseline is replaced whole (a new file renamed over it, nothing left beside it)"
else
  fail "baseline written in place (inode $inode) or left behind: $leftover"
fi

# A brief IPv6 outage (the visitor loses its route to the server): that run saves a baseline
# that keeps IPv6's last view, so with IPv6 back and nothing changed there is nothing new.
ip -n "$VIS" -6 route del 2001:2::1/128 via 2001:2:0:1::fe
rc=$(check "$TB_DIR/s5.txt" --server http://bw.test:8080 --baseline "$base" --save-baseline)
kept=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["families"]["IPv6"]["open"])' \
  "$base" 2>&1)
ip -n "$VIS" -6 route add 2001:2::1/128 via 2001:2:0:1::fe
rc2=$(check "$TB_DIR/s6.txt" --server http://bw.test:8080 --baseline "$base" --save-baseline)
if [[ $rc == 0 && $rc2 == 0 && $kept == "[25]" ]] && grep -q '^IPv6: not tested this time' "$TB_DIR/s5.txt" &&
  grep -q '^no change since the baseline' "$TB_DIR/s6.txt" && ! grep -q '^IPv6:' "$TB_DIR/s6.txt"; then
  pass "an IPv6 outage keeps IPv6 in the baseline; back and unchanged: exit 0, nothing new"
else
  fail "IPv6 outage: exit $rc / $rc2, IPv6 kept $kept: $(cat "$TB_DIR/s5.txt" "$TB_DIR/s6.txt")"
fi

rc=$(check "$TB_DIR/s7.txt" --server https://198.18.0.1:8443)
rc2=$(check "$TB_DIR/s8.txt" --server https://198.18.0.1:8443 --insecure)
if [[ $rc == 1 && $rc2 == 0 ]] && grep -q 'certificate verify failed' "$TB_DIR/s7.txt" &&
  grep -q '^IPv4 198.18.1.1: open 25' "$TB_DIR/s8.txt"; then
  pass "HTTPS: a self-signed certificate is refused (exit 1, says why); --insecure runs"
else
  fail "HTTPS: exit $rc / $rc2: $(cat "$TB_DIR/s7.txt" "$TB_DIR/s8.txt")"
fi

# Asked of another server (the same one by address): nothing compared, said plainly. Without
# --save-baseline nothing is scanned or written; with it, this run is the new baseline.
other=$TB_DIR/other.json
cp "$base" "$other"
rc=$(check "$TB_DIR/s9.txt" --server http://198.18.0.1:8080 --baseline "$other")
unchanged=$(cmp -s "$base" "$other" && echo yes)
rc2=$(check "$TB_DIR/s10.txt" --server http://198.18.0.1:8080 --baseline "$other" --save-baseline)
rc3=$(check "$TB_DIR/s11.txt" --server http://198.18.0.1:8080 --baseline "$other")
if [[ $rc == 2 && $rc2 == 2 && $rc3 == 0 && $unchanged == yes ]] &&
  grep -q 'taken against http://bw.test:8080 with --ports 20-30; this run asks http://198.18.0.1:8080' "$TB_DIR/s9.txt" &&
  ! grep -q '^IPv4 ' "$TB_DIR/s9.txt" && grep -q 'starts the baseline over' "$TB_DIR/s10.txt" &&
  ! grep -q 'now reachable' "$TB_DIR/s10.txt" && grep -q '^no change since the baseline' "$TB_DIR/s11.txt"; then
  pass "a baseline of another server: exit 2, says both, --save-baseline starts over"
else
  fail "another server: exit $rc / $rc2 / $rc3: $(cat "$TB_DIR/s9.txt" "$TB_DIR/s10.txt" "$TB_DIR/s11.txt")"
fi

# --insecure is for the breakwater server only: the webhook's certificate is still checked
# (here the server's own self-signed one, so the POST must be refused, not sent).
cat >"$TB_DIR/tls-base.json" <<JSON
{"server":"https://198.18.0.1:8443","ports":"20-30","families":{"IPv4":
 {"address":"198.18.1.1","open":[],"ping":false,"upnp":false}}}
JSON
rc=$(check "$TB_DIR/s12.txt" --server https://198.18.0.1:8443 --insecure \
  --baseline "$TB_DIR/tls-base.json" --notify https://198.18.0.1:8443/hook)
if [[ $rc == 3 ]] && grep -q 'IPv4: port 25 is now reachable' "$TB_DIR/s12.txt" &&
  grep -q 'warning: --notify https://198.18.0.1:8443/hook: .*certificate verify failed' "$TB_DIR/s12.txt"; then
  pass "--insecure does not reach the webhook: its certificate is checked (the POST is refused)"
else
  fail "webhook under --insecure: exit $rc: $(cat "$TB_DIR/s12.txt")"
fi

echo
echo "selfcheck e2e ($SECONDS s): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
