#!/usr/bin/env bash
# breakwater serve against nginx, side by side on this machine: wrk on /port/443 over HTTP
# with and without keep-alive and over HTTPS with keep-alive, then new TLS handshakes per
# second with h2load (one request per connection). nginx (Debian's, access log off,
# open_file_cache on) serves the very bytes breakwater sends as a static file, with the same
# certificate. Each server gets WORKERS worker threads/processes pinned to the same cores;
# the load generator runs on the other core(s). Everything stays on 127.0.0.1.
# Every row is measured ROUNDS times (default 3), the two servers alternating, and each
# column reports its median: one run of 10 s moves by 5-10% on this shared machine.
# Usage: bench/web_vs_nginx.sh [SECONDS per run, default 10]. Run after a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
workers=${WORKERS:-1}
rounds=${ROUNDS:-3}
server_cpus=${SERVER_CPUS:-0}
client_cpus=${CLIENT_CPUS:-1}
bin=build/breakwater
[ -x "$bin" ] || { echo "build the release preset first (cmake --build --preset release)" >&2; exit 1; }
for tool in wrk nginx h2load curl taskset; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install wrk nginx nghttp2-client curl" >&2; exit 1; }
done

work=$(mktemp -d /tmp/bw-bench-web.XXXXXX)
chmod 755 "$work"  # nginx's workers run as www-data
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
bw_http=$(free_port); bw_https=$(free_port); ng_http=$(free_port); ng_https=$(free_port)

# breakwater, quiet (nginx's access log is off too).
taskset -c "$server_cpus" "$bin" serve --http "127.0.0.1:$bw_http" --https "127.0.0.1:$bw_https" \
  --state-dir "$work/state" --threads "$workers" --log-level warn --max-connections 100000 \
  2>"$work/bw.log" &
bw_pid=$!; pids+=("$bw_pid")
for _ in $(seq 100); do grep -q "listening on" "$work/bw.log" && break; sleep 0.1; done

# The same bytes, as static files for nginx.
mkdir -p "$work/root/http/port" "$work/root/https/port" "$work/tmp"
curl -s "http://127.0.0.1:$bw_http/port/443" -o "$work/root/http/port/443"
curl -sk "https://127.0.0.1:$bw_https/port/443" -o "$work/root/https/port/443"
cat >"$work/nginx.conf" <<CONF
worker_processes $workers;
worker_cpu_affinity auto $(printf '%s' "$server_cpus" | awk -F, '{m=""; for(i=0;i<8;i++){b=0; for(j=1;j<=NF;j++) if($j==i) b=1; m=b m} print m}');
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  open_file_cache max=1000 inactive=60s;
  open_file_cache_valid 60s;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  default_type "text/html; charset=utf-8";
  etag on;
  client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
  # The headers breakwater sends with every page, so both answers are the same size.
  add_header Content-Security-Policy "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
  add_header X-Content-Type-Options nosniff;
  add_header Referrer-Policy no-referrer;
  add_header X-Frame-Options DENY;
  add_header Cache-Control no-cache;
  server { listen 127.0.0.1:$ng_http; root $work/root/http; }
  server {
    listen 127.0.0.1:$ng_https ssl;
    root $work/root/https;
    ssl_certificate $work/state/tls/cert.pem;
    ssl_certificate_key $work/state/tls/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
    add_header Strict-Transport-Security max-age=31536000;
    add_header Content-Security-Policy "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
    add_header X-Content-Type-Options nosniff;
    add_header Referrer-Policy no-referrer;
    add_header X-Frame-Options DENY;
    add_header Cache-Control no-cache;
  }
}
CONF
taskset -c "$server_cpus" nginx -c "$work/nginx.conf" -p "$work" &
ng_pid=$!; pids+=("$ng_pid")
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$ng_http/port/443" -o /dev/null && break; sleep 0.1; done
cmp -s "$work/root/http/port/443" <(curl -s "http://127.0.0.1:$ng_http/port/443") || { echo "nginx does not serve the same bytes" >&2; exit 1; }

# CPU time (user+system, seconds) of a process and its children, e.g. nginx's workers.
cpu_of() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}
hz=$(getconf CLK_TCK)

# run NAME PID URL [wrk args...] -> "requests/s p99_ms cpu_s"
run() {
  local pid=$2 url=$3; shift 3
  local before after out rps p99 unit
  before=$(cpu_of "$pid")
  out=$(taskset -c "$client_cpus" wrk -t1 -c64 -d"${seconds}s" --latency "$@" "$url")
  after=$(cpu_of "$pid")
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  # wrk prints 812.00us, 1.23ms or 1.05s
  p99=$(awk -v v="$p99" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }')
  if grep -q "Non-2xx" <<<"$out"; then echo "non-2xx answers: $out" >&2; exit 1; fi
  echo "$rps $p99 $(awk -v t=$((after - before)) -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }')"
}

row() {
  local label=$1 bw=$2 ng=$3
  read -r b_rps b_p99 b_cpu <<<"$bw"
  read -r n_rps n_p99 n_cpu <<<"$ng"
  awk -v l="$label" -v br="$b_rps" -v bp="$b_p99" -v bc="$b_cpu" -v nr="$n_rps" -v np="$n_p99" -v nc="$n_cpu" 'BEGIN {
    # CPU per request, in microseconds, makes the CPU columns comparable at different rates.
    bu = bc * 1e6 / (br * '"$seconds"'); nu = nc * 1e6 / (nr * '"$seconds"');
    printf "| %s | %.0f | %.0f | %.2fx | %.2f | %.2f | %.2fx | %.1f (%.1f us/req) | %.1f (%.1f us/req) | %.2fx |\n",
      l, br, nr, br / nr, bp, np, np / bp, bc, bu, nc, nu, nu / bu }'
}

# Lines of numbers in, the median of each column out.
medians() {
  awk '{ for (i = 1; i <= NF; i++) v[i, NR] = $i; cols = NF }
    END {
      for (i = 1; i <= cols; i++) {
        for (j = 1; j <= NR; j++) a[j] = v[i, j] + 0
        for (j = 1; j <= NR; j++) for (k = j + 1; k <= NR; k++) if (a[k] < a[j]) { t = a[j]; a[j] = a[k]; a[k] = t }
        printf "%s%s", (i > 1 ? " " : ""), (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)
      }
      print ""
    }'
}

# measured LABEL BW_URL NGINX_URL [wrk args...]: ROUNDS alternating runs, medians.
measured() {
  local label=$1 bw_url=$2 ng_url=$3 b="" n="" r; shift 3
  for r in $(seq "$rounds"); do
    b+="$(run bw "$bw_pid" "$bw_url" "$@")"$'\n'
    n+="$(run nginx "$ng_pid" "$ng_url" "$@")"$'\n'
  done
  row "$label" "$(medians <<<"${b%$'\n'}")" "$(medians <<<"${n%$'\n'}")"
}

echo "wrk: 1 thread, 64 connections, ${seconds}s per run, median of $rounds alternating runs; servers: $workers worker(s) on CPU $server_cpus; client on CPU $client_cpus"
echo
echo "| /port/443 | breakwater req/s | nginx req/s | ratio | breakwater p99 ms | nginx p99 ms | p99 ratio (nginx/bw) | breakwater CPU s | nginx CPU s | CPU/req ratio (nginx/bw) |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
measured "HTTP keep-alive" "http://127.0.0.1:$bw_http/port/443" "http://127.0.0.1:$ng_http/port/443"
measured "HTTP, new connection per request" "http://127.0.0.1:$bw_http/port/443" \
  "http://127.0.0.1:$ng_http/port/443" -H "Connection: close"
measured "HTTPS keep-alive" "https://127.0.0.1:$bw_https/port/443" "https://127.0.0.1:$ng_https/port/443"

# New TLS handshakes per second: h2load over HTTP/1.1, every request on a new connection
# (the server closes after each answer), same certificate on both. (h2load's timed mode
# does not reconnect after a close, so it runs a fixed count.)
handshake_count=$((seconds * 1000))
handshakes() {
  local pid=$1 url=$2 before after out
  before=$(cpu_of "$pid")
  out=$(taskset -c "$client_cpus" h2load --h1 -n "$handshake_count" -c 32 -H "Connection: close" "$url" 2>&1)
  after=$(cpu_of "$pid")
  awk '/^finished in/ {gsub(",", ""); print $4}' <<<"$out" | tr -d '\n'
  awk '/requests:/ {printf " %s", $8}' <<<"$out"
  awk -v t=$((after - before)) -v hz="$hz" 'BEGIN { printf " %.2f\n", t / hz }'
}
b="" n=""
for r in $(seq "$rounds"); do
  b+="$(handshakes "$bw_pid" "https://127.0.0.1:$bw_https/port/443")"$'\n'
  n+="$(handshakes "$ng_pid" "https://127.0.0.1:$ng_https/port/443")"$'\n'
done
read -r b_hs b_ok b_cpu <<<"$(medians <<<"${b%$'\n'}")"
read -r n_hs n_ok n_cpu <<<"$(medians <<<"${n%$'\n'}")"
echo
echo "| new TLS connections (h2load --h1, 32 clients, $handshake_count requests) | breakwater | nginx | ratio |"
echo "| --- | --- | --- | --- |"
awk -v b="$b_hs" -v n="$n_hs" 'BEGIN { printf "| handshakes (= requests) per second | %.0f | %.0f | %.2fx |\n", b, n, b / n }'
awk -v b="$b_cpu" -v n="$n_cpu" 'BEGIN { printf "| server CPU seconds (ratio nginx/breakwater) | %.1f | %.1f | %.2fx |\n", b, n, n / b }'
echo "| requests succeeded | $b_ok | $n_ok | |"
