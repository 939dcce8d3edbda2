#!/usr/bin/env python3
"""End-to-end tests of `breakwater serve`: the real binary on free loopback ports, driven
with curl (and raw sockets where curl cannot misbehave on purpose: slow, oversized and
pipelined requests). Usage: web_e2e.py BINARY DATA_DIR OUT_DIR"""
import gzip
import http.client
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

BINARY, DATA, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(OUT, exist_ok=True)
results = {"passed": 0, "failed": 0}


def check(name, condition, detail=""):
    if condition:
        results["passed"] += 1
        print(f"ok   {name}")
    else:
        results["failed"] += 1
        print(f"FAIL {name} {detail}")


def free_port(family=socket.AF_INET, host="127.0.0.1"):
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def has_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


class Server:
    def __init__(self, name, *args):
        self.log_path = os.path.join(OUT, f"{name}.log")
        self.log = open(self.log_path, "wb")
        cmd = [BINARY, "--data", DATA, "serve", *args]
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if "listening on" in self.text():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"server {name} did not start:\n{self.text()}")

    def text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = -1
        # A sanitizer's report goes to the server's log, which nothing else prints: a race
        # under TSan stops the server, and the checks after it only see refused requests.
        text = self.text()
        report = text.find("Sanitizer")
        if report >= 0:
            print(f"--- {self.log_path}, from the sanitizer's report on:")
            print(text[max(0, report - 200):report + 8000])
        return code


def curl(url, *args):
    """Returns (status, headers dict (lower-case names), body bytes)."""
    cmd = ["curl", "-sS", "--max-time", "10", "-D", "-", "-o", "-", *args, url]
    p = subprocess.run(cmd, capture_output=True, timeout=20)
    raw = p.stdout
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode(errors="replace").split("\r\n")
    status = int(lines[0].split()[1]) if lines and lines[0].startswith("HTTP/") else 0
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return status, headers, body


def raw_exchange(port, payload, wait=3.0, family=socket.AF_INET, host="127.0.0.1", source=None):
    """Sends payload bytes (from address `source`, if given), returns everything read until
    the server closes or `wait` passes."""
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(wait)
        if source:
            s.bind((source, 0))
        s.connect((host, port))
        s.sendall(payload)
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except (socket.timeout, ConnectionResetError):
            pass
        return data


def main():
    state = tempfile.mkdtemp(prefix="bw-web-state-")
    http, https = free_port(), free_port()
    v6 = has_ipv6_loopback()
    http6 = free_port(socket.AF_INET6, "::1") if v6 else None
    args = ["--http", f"127.0.0.1:{http}", "--https", f"127.0.0.1:{https}",
            "--state-dir", state, "--threads", "2", "--max-header-bytes", "4096",
            "--max-body-bytes", "1024", "--header-timeout-ms", "1500",
            "--idle-timeout-ms", "3000"]
    if v6:
        args += ["--http", f"[::1]:{http6}"]
    srv = Server("main", *args)
    base, tls = f"http://127.0.0.1:{http}", f"https://localhost:{https}"
    resolve = ["--resolve", f"localhost:{https}:127.0.0.1", "-k"]
    try:
        pages(base)
        secure(tls, resolve, state)
        caching(base, tls, resolve)
        api(base)
        service(base)
        concurrent_clients(http, https)
        limits(http, base)
        if v6:
            s, _, body = curl(f"http://[::1]:{http6}/port/22")
            check("IPv6 listener serves /port/22", s == 200 and b"Port 22" in body)
        else:
            print("skip IPv6 listener (no ::1 on this host)")
        log = srv.text()
        check("one log line per request", re.search(r"GET /port/443 200 \d+B [0-9.]+ms 127\.0\.0\.1:\d+", log) is not None)
    finally:
        code = srv.stop()
    check("SIGTERM exits 0", code == 0, f"exit {code}")
    reuse_and_flags(state)
    graceful_shutdown(state)
    max_connections(state)
    deferred_accept(state)
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


def pages(base):
    s, h, body = curl(f"{base}/port/443")
    check("GET /port/443 is 200 HTML", s == 200 and h.get("content-type", "").startswith("text/html"))
    for part in [b"Port 443", b'rel="prev" href="/port/442"', b'rel="next" href="/port/444"',
                 b"Probe port 443", b'action="/port"', b"<h3>TCP</h3>", b"<h3>UDP</h3>",
                 b"Heartbleed", b"Show this page over HTTPS"]:
        check(f"/port/443 shows {part.decode()}", part in body)
    check("CSP forbids inline script", "script-src 'self'" in h.get("content-security-policy", ""))
    check("no HSTS over HTTP", "strict-transport-security" not in h)
    check("no inline <script> in the page", re.search(rb"<script(?![^>]*\bsrc=)", body) is None)
    s, _, body = curl(f"{base}/port/4")
    check("a port without an entry says so", s == 200 and b"No details yet" in body)
    s, h, _ = curl(f"{base}/port?n=22")
    check("/port?n=22 redirects to /port/22", s == 302 and h.get("location") == "/port/22")
    s, _, body = curl(f"{base}/port/70000")
    check("/port/70000 is 404 naming the range", s == 404 and b"0 to 65535" in body)
    s, h, _ = curl(f"{base}/port?n=http")
    check("/port?n=http searches for it", s == 302 and h.get("location") == "/search?q=http")
    s, _, body = curl(f"{base}/port?n=99999")
    check("/port?n=99999 is a friendly 400", s == 400 and b"0 to 65535" in body)
    s, h, _ = curl(f"{base}/port/22/")
    check("/port/22/ moves to /port/22", s == 301 and h.get("location") == "/port/22")
    s, _, body = curl(f"{base}/nothing-here")
    check("unknown page is a friendly 404", s == 404 and b"Page not found" in body)
    s, _, body = curl(f"{base}/search?q=remote+desktop")
    check("search lists ranked results", s == 200 and b'href="/port/3389"' in body)
    s, _, body = curl(f"{base}/search?q=%3Cscript%3E")
    check("search escapes the query", b"&lt;script&gt;" in body and b"<script>" not in body)
    s, _, body = curl(f"{base}/")
    check("home page has both boxes", s == 200 and b'action="/search"' in body and b'action="/port"' in body)


def secure(tls, resolve, state):
    s, h, body = curl(f"{tls}/port/443", *resolve)
    check("HTTPS /port/443 is 200", s == 200 and b"Port 443" in body)
    check("HSTS over HTTPS", "max-age=" in h.get("strict-transport-security", ""))
    for part in [b"TLSv1.3", b"http/1.1", b"<dd>localhost</dd>", b"breakwater (self-signed)",
                 b"Show this page over plain HTTP"]:
        check(f"TLS box shows {part.decode()}", part in body)
    fp = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in",
                         os.path.join(state, "tls", "cert.pem")], capture_output=True, text=True)
    fingerprint = fp.stdout.strip().split("=", 1)[-1]
    check("TLS box shows the certificate's SHA-256", fingerprint and fingerprint.encode() in body, fingerprint)
    s, _, body = curl(f"{tls}/port/443", *resolve, "--tlsv1.2", "--tls-max", "1.2")
    check("TLS 1.2 is accepted and shown", s == 200 and b"TLSv1.2" in body and b"ECDHE" in body)
    p = subprocess.run(["openssl", "s_client", "-connect", tls.split("//")[1].replace("localhost", "127.0.0.1"),
                        "-tls1_1"], input=b"", capture_output=True, timeout=10)
    check("TLS 1.1 is refused", p.returncode != 0)
    p = subprocess.run(["openssl", "s_client", "-connect", tls.split("//")[1].replace("localhost", "127.0.0.1"),
                        "-alpn", "http/1.1"], input=b"", capture_output=True, timeout=10)
    check("ALPN selects http/1.1", b"ALPN protocol: http/1.1" in p.stdout)


def caching(base, tls, resolve):
    s, h, body = curl(f"{base}/port/22")
    etag = h.get("etag", "")
    check("pages carry an ETag", etag.startswith('"'))
    s2, h2, body2 = curl(f"{base}/port/22", "-H", f"If-None-Match: {etag}")
    check("If-None-Match answers 304 without a body", s2 == 304 and body2 == b"")
    s, h, zipped = curl(f"{base}/port/22", "-H", "Accept-Encoding: gzip")
    check("gzip when accepted", h.get("content-encoding") == "gzip" and gzip.decompress(zipped) == body)
    check("Vary: Accept-Encoding", h.get("vary") == "Accept-Encoding")
    port = int(base.rsplit(":", 1)[1])
    answer = raw_exchange(port, f"HEAD /port/22 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                          "Connection: close\r\n\r\n".encode())
    check("HEAD has the GET length and no body",
          answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"\r\n\r\n")
          and f"Content-Length: {len(body)}\r\n".encode() in answer)
    css = re.search(rb'href="(/static/site\.[0-9a-f]+\.css)"', body)
    s, h, _ = curl(f"{base}{css.group(1).decode()}")
    check("static CSS is cached for a year", s == 200 and "immutable" in h.get("cache-control", "")
          and h.get("content-type", "").startswith("text/css"))
    s, h, _ = curl(f"{tls}/port/22", *resolve, "-H", f"If-None-Match: {etag}")
    check("HTTPS page differs from the HTTP one (TLS box)", s == 200)


def api(base):
    s, h, body = curl(f"{base}/api/v1/ports/443")
    cli = subprocess.run([BINARY, "--data", DATA, "port", "443", "--json"], capture_output=True)
    check("API port object equals `breakwater port 443 --json`",
          s == 200 and json.loads(body) == json.loads(cli.stdout))
    check("API answers application/json", h.get("content-type") == "application/json")
    s, _, body = curl(f"{base}/api/v1/ports/70000")
    check("API bad port is 400 with the documented error",
          s == 400 and json.loads(body) == {"error": {"code": "bad_port", "message": "port must be 0-65535"}})
    s, _, body = curl(f"{base}/api/v1/search?q=ssh&limit=3")
    results_ = json.loads(body)["results"]
    check("API search honours limit and ranks ssh first", s == 200 and len(results_) == 3 and results_[0]["port"] == 22)
    s, _, body = curl(f"{base}/api/v1/search?q=ssh&limit=5000")
    check("API bad limit is a JSON 400", s == 400 and json.loads(body)["error"]["code"] == "bad_limit")
    s, _, body = curl(f"{base}/api/v1/nothing")
    check("API unknown path is a JSON 404", s == 404 and json.loads(body)["error"]["code"] == "not_found")
    s, h, body = curl(f"{base}/api/v1/ports/1", "-X", "DELETE")
    check("API wrong method is a JSON 405 with Allow", s == 405 and h.get("allow") == "GET, HEAD")


def service(base):
    s, _, body = curl(f"{base}/healthz")
    check("/healthz is ok", s == 200 and body == b"ok\n")
    s, h, body = curl(f"{base}/metrics")
    text = body.decode()
    check("/metrics counts requests by route and status",
          s == 200 and 'breakwater_http_requests_total{route="/port/{n}",status="200"}' in text)
    check("/metrics has the latency histogram", 'breakwater_http_request_duration_seconds_bucket{le="+Inf"}' in text)
    handshakes = re.search(r"^breakwater_tls_handshakes_total (\d+)$", text, re.M)
    check("/metrics counts TLS handshakes", handshakes is not None and int(handshakes.group(1)) > 0)
    check("/metrics shows open connections", re.search(r"^breakwater_open_connections \d+$", text, re.M) is not None)
    check("/metrics counts handshake failures", "breakwater_tls_handshake_failures_total" in text)


# Pages, the API, search, static files and /metrics asked at once from many keep-alive
# connections over HTTP and HTTPS, so that both workers serve them at the same time. In the
# release build this checks that every answer is whole; under ThreadSanitizer (halt_on_error)
# a race between the workers stops the server, and the answers after it fail.
CONCURRENT_PATHS = ["/", "/port/22", "/port/443", "/port/50123", "/search?q=remote+desktop",
                    "/api/v1/ports/443", "/api/v1/search?q=ssh&limit=3", "/metrics",
                    "/healthz", "/headers", "/port/70000"]


def concurrent_clients(http_port, https_port, clients=8, rounds=6):
    failures = []
    lock = threading.Lock()

    def client(n):
        if n % 2:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            conn = http.client.HTTPSConnection("127.0.0.1", https_port, timeout=30, context=context)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", http_port, timeout=30)
        try:
            for r in range(rounds):
                for i, path in enumerate(CONCURRENT_PATHS):
                    headers = {"Host": "localhost"}
                    if (n + r + i) % 3 == 0:
                        headers["Accept-Encoding"] = "gzip"
                    conn.request("GET", path, headers=headers)
                    res = conn.getresponse()
                    body = res.read()
                    want = 404 if path == "/port/70000" else 200
                    if res.status != want or not body:
                        with lock:
                            failures.append(f"{path}: {res.status}, {len(body)} bytes")
        except (OSError, http.client.HTTPException) as e:
            with lock:
                failures.append(f"client {n}: {e!r}")
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    asked = clients * rounds * len(CONCURRENT_PATHS)
    check(f"{clients} clients at once, {asked} requests over HTTP and HTTPS: every answer whole",
          not failures, "; ".join(failures[:5]))


def limits(port, base):
    big = b"GET /port/80 HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * 5000 + b"\r\n\r\n"
    check("an oversized header gets 431", raw_exchange(port, big).startswith(b"HTTP/1.1 431"))
    body = b"x" * 2000
    post = b"POST /api/v1/ports/1 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2000\r\n\r\n" + body
    check("an oversized body gets 413", raw_exchange(port, post).startswith(b"HTTP/1.1 413"))
    check("garbage gets 400", raw_exchange(port, b"NOT HTTP AT ALL\r\n\r\n").startswith(b"HTTP/1.1 400"))
    # A body framed otherwise than chunked-last (RFC 9112 6.3) or Transfer-Encoding on
    # HTTP/1.0: 400 and the connection closed, so the request hidden in the body is never
    # answered (a proxy in front might have read the framing otherwise).
    hidden = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    for version, coding in ((b"1.1", b"xchunked"), (b"1.1", b"chunked, gzip"), (b"1.1", b"gzip, chunked"),
                            (b"1.0", b"chunked")):
        smuggle = (b"POST /api/v1/ports/1 HTTP/" + version + b"\r\nHost: localhost\r\nTransfer-Encoding: " +
                   coding + b"\r\n\r\n" + hidden)
        answer = raw_exchange(port, smuggle)
        check(f"Transfer-Encoding: {coding.decode()} on HTTP/{version.decode()} gets 400, nothing after it",
              answer.startswith(b"HTTP/1.1 400") and answer.count(b"HTTP/1.1 ") == 1, repr(answer[:60]))
    two = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\nGET /port/22 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    answer = raw_exchange(port, two)
    check("pipelined requests are answered in order",
          answer.count(b"HTTP/1.1 200") == 2 and answer.index(b"ok\n") < answer.index(b"Port 22"))
    # A slow client: half a request line, then silence. It is cut off with 408 after the
    # header timeout (1.5 s) while other clients are served at once.
    slow = socket.create_connection(("127.0.0.1", port))
    slow.sendall(b"GET /port/443 HTTP/1.1\r\nHo")
    t0 = time.time()
    s, _, _ = curl(f"{base}/port/80")
    check("others are served while a slow client waits", s == 200 and time.time() - t0 < 1.0)
    slow.settimeout(5)
    data = b""
    try:
        while True:
            chunk = slow.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    took = time.time() - t0
    slow.close()
    check("the slow client gets 408 after the header timeout",
          data.startswith(b"HTTP/1.1 408") and 1.2 < took < 4.0, f"{data[:30]!r} after {took:.1f}s")
    t0 = time.time()
    idle = raw_exchange(port, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n", wait=8)
    took = time.time() - t0
    check("an idle keep-alive connection is closed after the idle timeout",
          idle.startswith(b"HTTP/1.1 200") and 2.5 < took < 6.0, f"after {took:.1f}s")


def reuse_and_flags(state):
    cert = os.path.join(state, "tls", "cert.pem")
    before = open(cert, "rb").read()
    http, https = free_port(), free_port()
    srv = Server("reuse", "--http", f"127.0.0.1:{http}", "--https", f"127.0.0.1:{https}", "--state-dir", state)
    srv.stop()
    check("the self-signed certificate is reused", open(cert, "rb").read() == before and "using self-signed" in srv.text())
    p = subprocess.run(["openssl", "x509", "-noout", "-text", "-in", cert], capture_output=True, text=True)
    check("the certificate is ECDSA P-256 with the host's names",
          "prime256v1" in p.stdout and "DNS:localhost" in p.stdout and "IP Address:127.0.0.1" in p.stdout)
    # Our own PEM files through --cert/--key.
    own = tempfile.mkdtemp(prefix="bw-web-cert-")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", f"{own}/k.pem", "-out", f"{own}/c.pem", "-days", "2",
                    "-subj", "/CN=e2e.breakwater.test"], capture_output=True, check=True)
    https = free_port()
    srv = Server("owncert", "--http", "off", "--https", f"127.0.0.1:{https}", "--cert", f"{own}/c.pem",
                 "--key", f"{own}/k.pem", "--state-dir", state)
    s, _, body = curl(f"https://127.0.0.1:{https}/port/443", "-k")
    srv.stop()
    check("--cert/--key serve our certificate", s == 200 and b"CN=e2e.breakwater.test" in body)
    # --print-config prints TOML that loads back to the same configuration.
    printed = subprocess.run([BINARY, "serve", "--http", "[::1]:9999", "--https", "off",
                              "--idle-timeout-ms", "1234", "--print-config"], capture_output=True, text=True)
    path = os.path.join(OUT, "printed.toml")
    open(path, "w").write(printed.stdout)
    again = subprocess.run([BINARY, "serve", "--config", path, "--print-config"], capture_output=True, text=True)
    check("--print-config loads back", printed.returncode == 0 and again.stdout == printed.stdout
          and "[::1]:9999" in printed.stdout and "idle_timeout_ms = 1234" in printed.stdout)
    bad = os.path.join(OUT, "bad.toml")
    open(bad, "w").write("threads = 1\nlisten = 3\n")
    p = subprocess.run([BINARY, "serve", "--config", bad], capture_output=True, text=True)
    check("an unknown config key exits 2 naming file:line", p.returncode == 2 and f"{bad}:2:" in p.stderr, p.stderr)
    p = subprocess.run([BINARY, "serve", "--http", "localhost:80"], capture_output=True, text=True)
    check("a bad --http exits 2 and says the form", p.returncode == 2 and "ADDR:PORT" in p.stderr)
    http = free_port()
    first = Server("first", "--http", f"127.0.0.1:{http}", "--https", "off", "--state-dir", state)
    p = subprocess.run([BINARY, "--data", DATA, "serve", "--https", "off", "--http", f"127.0.0.1:{http}",
                        "--state-dir", state], capture_output=True, text=True, timeout=30)
    first.stop()
    check("a second server on the same port exits 1", p.returncode == 1 and "cannot listen" in p.stderr, p.stderr)
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    p = subprocess.run([BINARY, "--data", DATA, "serve", "--https", "off", "--http",
                        f"127.0.0.1:{busy.getsockname()[1]}"], capture_output=True, text=True, timeout=30)
    busy.close()
    check("a port in use exits 1 with a reason", p.returncode == 1 and "cannot listen" in p.stderr, p.stderr)


def graceful_shutdown(state):
    http = free_port()
    srv = Server("graceful", "--http", f"127.0.0.1:{http}", "--https", "off", "--state-dir", state)
    inflight = socket.create_connection(("127.0.0.1", http))
    inflight.sendall(b"GET /port/443 HTTP/1.1\r\nHost: localhost\r\n")
    time.sleep(0.2)
    srv.proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    refused = False
    try:
        socket.create_connection(("127.0.0.1", http), timeout=1).close()
    except OSError:
        refused = True
    inflight.sendall(b"\r\n")
    inflight.settimeout(5)
    data = b""
    try:
        while True:
            chunk = inflight.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    inflight.close()
    code = srv.proc.wait(timeout=20)
    check("after SIGTERM new connections are refused", refused)
    check("the request in flight is finished", data.startswith(b"HTTP/1.1 200") and b"Connection: close" in data)
    check("graceful shutdown exits 0", code == 0, f"exit {code}")


def max_connections(state):
    http = free_port()
    srv = Server("maxconn", "--http", f"127.0.0.1:{http}", "--https", "off", "--state-dir", state,
                 "--max-connections", "2")
    # The kernel hands a connection over once its first bytes come (defer_accept): the held
    # ones start a request.
    held = [socket.create_connection(("127.0.0.1", http)) for _ in range(2)]
    for c in held:
        c.sendall(b"GET /port/1 HTTP/1.1\r\n")
    time.sleep(0.2)
    s, h, body = curl(f"http://127.0.0.1:{http}/port/1")
    check("over max_connections a client gets 503", s == 503 and h.get("retry-after") == "5")
    for c in held:
        c.close()
    time.sleep(0.3)
    s, _, _ = curl(f"http://127.0.0.1:{http}/port/1")
    check("the server carries on after 503", s == 200)
    check("server still exits 0", srv.stop() == 0)



def open_connections(http):
    _, _, body = curl(f"http://127.0.0.1:{http}/metrics")
    m = re.search(rb"^breakwater_open_connections (\d+)$", body, re.M)
    return int(m.group(1)) if m else -1


def deferred_accept(state):
    for defer, expected in (("true", 1), ("false", 2)):
        http = free_port()
        srv = Server(f"defer-{defer}", "--http", f"127.0.0.1:{http}", "--https", "off",
                     "--state-dir", state, "--defer-accept", defer)
        silent = socket.create_connection(("127.0.0.1", http))
        time.sleep(0.2)
        seen = open_connections(http)  # the metrics request itself is one
        silent.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        silent.settimeout(5)
        answer = silent.recv(65536)
        silent.close()
        if defer == "true":
            check("a connection that says nothing is held by the kernel, not counted",
                  seen == expected, f"open connections {seen}")
        else:
            check("with --defer-accept false a silent connection is counted",
                  seen == expected, f"open connections {seen}")
        check(f"the silent connection is served once it speaks (defer {defer})",
              answer.startswith(b"HTTP/1.1 200"))
        check(f"server exits 0 (defer {defer})", srv.stop() == 0)

if __name__ == "__main__":
    sys.exit(main())
