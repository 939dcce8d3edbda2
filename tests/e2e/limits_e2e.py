#!/usr/bin/env python3
"""End-to-end tests of the limits that keep one visitor from exhausting the server (issue 11):
the real binary on loopback. One client's 65th connection is turned away (503 over HTTP, closed
before the handshake over HTTPS), and an IPv6 /48's /64s together get four times one client's
share (in a network namespace of its own, as root); 200 event streams asked for on a finished
65,536-port result get at most the per-scan limit, the others 429, and the ones that never read
cost a bounded amount of memory while another visitor's scan still starts at once, and so do
60 unread GETs of that result's JSON; Host names,
requests without Host and cross-site checks are refused. Usage: limits_e2e.py BINARY DATA_DIR OUT_DIR"""
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.dirname(__file__))
from web_e2e import Server, check, free_port, raw_exchange, results  # noqa: E402

BINARY, DATA, OUT = sys.argv[1], sys.argv[2], sys.argv[3]

# The bound this test holds the server to: 200 attempted streams on a finished full-range
# result, 4 of them held open and never read, add less than this to the server's RSS.
RSS_BOUND_MB = 32


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return -1


def http(port, request, source="127.0.0.1", wait=5.0, host="127.0.0.1"):
    """Sends raw request bytes from `source` to `host`; returns (status, body bytes) or
    (0, b'')."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    data = raw_exchange(port, request, wait=wait, source=source, family=family, host=host)
    head, _, body = data.partition(b"\r\n\r\n")
    try:
        return int(head.split(b" ")[1]), body
    except (IndexError, ValueError):
        return 0, b""


def get(port, path, source="127.0.0.1", extra=b""):
    return http(port, b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra +
                b"Connection: close\r\n\r\n", source)


def post_scan(port, body, source):
    data = json.dumps(body).encode()
    return http(port, b"POST /api/v1/scans HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                b"application/json\r\nContent-Length: " + str(len(data)).encode() +
                b"\r\nConnection: close\r\n\r\n" + data, source, wait=30)


def connection_cap(state):
    http_port, https_port = free_port(), free_port()
    srv = Server("cap", "--http", f"127.0.0.1:{http_port}", "--https", f"127.0.0.1:{https_port}",
                 "--state-dir", state, "--max-connections-per-client", "64", "--defer-accept",
                 "false", "--log-level", "warn")
    held = []
    for i in range(64):  # half send the start of a request, half nothing: all hold a slot
        s = socket.create_connection(("127.0.0.1", http_port))
        if i % 2:
            s.sendall(b"GET /healthz HTTP/1.1\r\n")
        held.append(s)
    time.sleep(0.3)
    status, _ = get(http_port, "/healthz")
    check("the 65th connection of one client gets 503 (silent ones count)", status == 503,
          f"got {status}")
    status, _ = get(http_port, "/healthz", source="127.0.0.2")
    check("another client is served meanwhile", status == 200, f"got {status}")
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    refused = False
    try:
        with socket.create_connection(("127.0.0.1", https_port), timeout=5) as raw:
            with ctx.wrap_socket(raw) as tls:
                tls.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                refused = tls.recv(100) == b""
    except (ssl.SSLError, ConnectionResetError, OSError):
        refused = True
    check("over HTTPS it is closed before the handshake", refused)
    held.pop().close()
    time.sleep(0.3)
    status, _ = get(http_port, "/healthz")
    check("a slot given back serves the client again", status == 200, f"got {status}")
    for s in held:
        s.close()
    check("server exits 0 (cap)", srv.stop() == 0)


# The addresses of the /48 test, all on the loopback of its own network namespace: the
# server, four /64s of one /48, a fifth /64 of it, and another /48.
WIDE_SERVER = "2001:db8:ff::1"
WIDE_SITE = [f"2001:db8:7:{n:x}00::1" for n in range(5)]
WIDE_SAME_64 = "2001:db8:7::2"  # another address of WIDE_SITE[0]'s /64
WIDE_OTHER = "2001:db8:8::1"


def wide_tier(state):
    """One site's /64s share four times one client's connections. The test needs addresses
    of several /64s, so it runs again in a network namespace of its own (root only)."""
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        print("skip the IPv6 /48 connection tier: needs root, unshare and ip")
        return
    r = subprocess.run(["unshare", "--net", sys.executable, __file__, BINARY, DATA, OUT, "--wide-tier"],
                       capture_output=True, text=True, timeout=120)
    sys.stdout.write(r.stdout)
    check("the IPv6 /48 connection tier (in its own namespace)", r.returncode == 0, r.stderr[-500:])


def wide_tier_inside(state):
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    for a in [WIDE_SERVER, *WIDE_SITE, WIDE_SAME_64, WIDE_OTHER]:
        subprocess.run(["ip", "-6", "addr", "add", f"{a}/128", "dev", "lo", "nodad"], check=True)
    port = free_port(socket.AF_INET6, WIDE_SERVER)
    srv = Server("wide", "--http", f"[{WIDE_SERVER}]:{port}", "--state-dir", state,
                 "--max-connections-per-client", "2", "--defer-accept", "false", "--log-level", "warn")

    def status_from(source):
        return get6(port, "/healthz", source)[0]

    held = []

    def hold(address):
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.bind((address, 0))
        s.connect((WIDE_SERVER, port))
        held.append(s)

    hold(WIDE_SITE[0])
    hold(WIDE_SITE[0])
    time.sleep(0.3)
    check("a third connection of one /64, from another of its addresses, gets 503 (the /48 "
          "holds only 2 of its 8)", status_from(WIDE_SAME_64) == 503)
    for a in WIDE_SITE[1:4]:  # two each: every /64 at its own limit, the /48 at 4 x 2
        hold(a)
        hold(a)
    time.sleep(0.3)
    check("a fifth /64 of the same /48, holding nothing, gets 503 (the /48 holds 4 x 2)",
          status_from(WIDE_SITE[4]) == 503)
    check("another /48 is served meanwhile", status_from(WIDE_OTHER) == 200)
    held.pop().close()
    time.sleep(0.3)
    check("a slot the /48 gave back serves its fifth /64", status_from(WIDE_SITE[4]) == 200)
    for s in held:
        s.close()
    check("server exits 0 (wide)", srv.stop() == 0)


def get6(port, path, source):
    return http(port, b"GET " + path.encode() + b" HTTP/1.1\r\nHost: [" + WIDE_SERVER.encode() +
                b"]\r\nConnection: close\r\n\r\n", source, host=WIDE_SERVER)


def host_and_cross_site(state):
    port = free_port()
    srv = Server("hosts", "--http", f"127.0.0.1:{port}", "--https", "off", "--state-dir", state,
                 "--server-name", "ports.example.org", "--log-level", "warn")
    for host, want in ((b"ports.example.org", 200), (b"127.0.0.1:1", 200), (b"localhost", 200),
                       (b"rebound.example", 421)):
        status, _ = http(port, b"GET /port/22 HTTP/1.1\r\nHost: " + host +
                         b"\r\nConnection: close\r\n\r\n")
        check(f"Host {host.decode()}: {want}", status == want, f"got {status}")
    status, _ = http(port, b"GET /port/22 HTTP/1.1\r\nConnection: close\r\n\r\n")
    check("HTTP/1.1 without Host: 400", status == 400, f"got {status}")
    status, body = get(port, "/api/v1/check/22", extra=b"Sec-Fetch-Site: cross-site\r\n")
    check("a cross-site check is refused", status == 403 and b"cross_site" in body, f"{status}")
    status, body = get(port, "/api/v1/check/22", extra=b"Origin: https://ports.example.org\r\n")
    check("an Origin that is a server name may check", status != 403, f"{status} {body[:80]}")
    check("server exits 0 (hosts)", srv.stop() == 0)


def streams_on_a_full_result(state):
    port = free_port()
    cfg = os.path.join(state, "limits.toml")
    with open(cfg, "w") as f:
        f.write("[scan]\nallow_loopback = true\nmax_rate = 200000\nscan_rate = 200000\n"
                "full_range_rate = 200000\nmax_in_flight = 16384\n")
    srv = Server("streams", "--config", cfg, "--http", f"127.0.0.1:{port}", "--https", "off",
                 "--state-dir", state, "--log-level", "warn")
    pid = srv.proc.pid
    status, body = post_scan(port, {"ports": "1-65535"}, "127.0.0.1")
    check("a full-range scan of loopback starts", status == 202, f"{status} {body[:200]}")
    if status != 202:
        srv.stop()
        return
    scan_id = json.loads(body)["id"]
    state_now = ""
    for _ in range(600):
        _, b = get(port, f"/api/v1/scans/{scan_id}")
        state_now = json.loads(b).get("state", "") if b.startswith(b"{") else ""
        if state_now != "running":
            break
        time.sleep(0.1)
    check("the full-range scan finished", state_now == "done", state_now)
    before = rss_mb(pid)
    accepted, refused, other = [], 0, 0
    for _ in range(200):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # and never read
        s.settimeout(5)
        s.connect(("127.0.0.1", port))
        s.sendall(f"GET /api/v1/scans/{scan_id}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                  .encode())
        head = s.recv(12)
        if head.startswith(b"HTTP/1.1 200"):
            accepted.append(s)
        else:
            refused += head.startswith(b"HTTP/1.1 429")
            other += not head.startswith(b"HTTP/1.1 429")
            s.close()
    time.sleep(1.0)
    after = rss_mb(pid)
    check("at most 4 streams on one scan, the rest told 429",
          len(accepted) <= 4 and refused == 200 - len(accepted),
          f"{len(accepted)} accepted, {refused} refused, {other} other")
    check(f"streams that never read add under {RSS_BOUND_MB} MB",
          after - before < RSS_BOUND_MB, f"RSS {before:.0f} -> {after:.0f} MB")
    t0 = time.monotonic()
    status, body = post_scan(port, {"ports": "22"}, "127.0.0.2")
    took = (time.monotonic() - t0) * 1000
    check("another visitor's scan starts meanwhile, within 50 ms", status == 202 and took < 50,
          f"{status} in {took:.1f} ms")
    print(f"     RSS {before:.0f} MB before the streams, {after:.0f} MB with them; "
          f"start took {took:.1f} ms")
    for s in accepted:
        s.close()
    unread_result_requests(port, pid, scan_id)
    check("server exits 0 (streams)", srv.stop() == 0)


def unread_result_requests(port, pid, scan_id):
    """60 GETs of the finished full range's JSON, never read: each holds two pieces of it, not
    the whole document (several MB each, before it was streamed)."""
    status, body = get(port, f"/api/v1/scans/{scan_id}")
    doc = json.loads(body) if status == 200 else {}
    ports = doc.get("result", {}).get("ports", [])
    check("a full range's JSON is whole when read", len(ports) == 65535 and
          ports[-1].get("port") == 65535, f"{status}, {len(ports)} ports")
    status, gz = get(port, f"/api/v1/scans/{scan_id}", extra=b"Accept-Encoding: gzip\r\n")
    try:
        same = json.loads(zlib.decompress(gz, 16 + zlib.MAX_WBITS)) == doc
    except (zlib.error, ValueError):
        same = False
    check("gzip'd, it inflates to the same document", status == 200 and same,
          f"{status}, {len(gz)} bytes")
    time.sleep(0.5)
    before = rss_mb(pid)
    held = []
    for _ in range(60):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # and never read
        s.settimeout(5)
        s.connect(("127.0.0.1", port))
        s.sendall(f"GET /api/v1/scans/{scan_id} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        held.append(s)
    time.sleep(1.5)
    after = rss_mb(pid)
    check(f"60 unread GETs of it add under {RSS_BOUND_MB} MB", after - before < RSS_BOUND_MB,
          f"RSS {before:.0f} -> {after:.0f} MB")
    print(f"     RSS {before:.0f} MB before 60 unread GETs of the full range, {after:.0f} MB "
          f"with them ({len(body)} bytes of JSON, {len(gz)} gzip'd)")
    for s in held:
        s.close()


def main():
    state = tempfile.mkdtemp(prefix="bw-limits-state-")
    if sys.argv[4:] == ["--wide-tier"]:
        wide_tier_inside(state)
        print(f"{results['passed']} passed, {results['failed']} failed")
        return 1 if results["failed"] else 0
    connection_cap(state)
    wide_tier(state)
    host_and_cross_site(state)
    streams_on_a_full_result(state)
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
