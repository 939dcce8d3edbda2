#!/usr/bin/env python3
"""The requests of the proxy e2e test (tests/e2e/run_proxy_e2e.sh), sent byte by byte.

  proxy_e2e.py visitor ARGS   run in the visitor's namespace: every spoof on every path (direct,
                              nginx, HAProxy mode http, HAProxy mode tcp with PROXY v2, TLS
                              through HAProxy with PROXY v2), then the visitor's own scans
  proxy_e2e.py peer ARGS      run in the server's namespace: a trusted peer (127.0.0.1) that
                              names nobody usable must get 403 unknown_client, never itself,
                              also after a PROXY header naming 127.0.0.1 (a local user through
                              HAProxy), whatever X-Forwarded-For says

Prints one "PASS ..." or "FAIL ..." line per check (the shell script counts them).
"""
import argparse
import concurrent.futures
import json
import socket
import ssl
import struct
import sys
import time

NAME = "breakwater.test"


def out(ok, text):
    print(("  PASS " if ok else "  FAIL ") + text, flush=True)
    return ok


# --- HTTP on a raw socket: exactly the bytes we want, nothing added by a library.


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (lower-case name, value)
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k == name:
                return v
        return None

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def error_code(self):
        d = self.json()
        if isinstance(d, dict) and isinstance(d.get("error"), dict):
            return d["error"].get("code")
        return None

    def short(self):
        body = self.body.decode(errors="replace").strip().replace("\n", " ")
        return f"{self.status} {body[:160]}"


def parse_responses(data):
    """Every complete response in data (pipelined responses follow each other)."""
    responses = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if not sep:
            break
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/"):
            break
        status = int(parts[1])
        headers = []
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers.append((k.strip().lower(), v.strip()))
        hd = dict(headers)
        if "chunked" in hd.get("transfer-encoding", "").lower():
            body = b""
            while True:
                size_line, sep, rest = rest.partition(b"\r\n")
                if not sep:
                    break
                size = int(size_line.split(b";")[0] or b"0", 16)
                body += rest[:size]
                rest = rest[size + 2:]
                if size == 0:
                    rest = rest.partition(b"\r\n")[2] if rest.startswith(b"\r\n") else rest
                    break
        elif "content-length" in hd:
            n = int(hd["content-length"])
            body, rest = rest[:n], rest[n:]
        else:
            body, rest = rest, b""
        responses.append(Response(status, headers, body))
        data = rest
    return responses


def exchange(server, port, tls, data, timeout=35.0, before_tls=b""):
    """Connects, sends data, reads until the server closes (or is silent for timeout seconds).
    Returns the raw bytes, or None when the connection could not be made. before_tls goes out
    in the clear ahead of the TLS handshake."""
    try:
        raw = socket.create_connection((server, port), timeout=timeout)
    except OSError as e:
        return None if not isinstance(e, ConnectionRefusedError) else None
    with raw:
        s = raw
        if before_tls:
            raw.sendall(before_tls)
        if tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            try:
                s = ctx.wrap_socket(raw, server_hostname=NAME)
            except (OSError, ssl.SSLError):
                return b""
        got = b""
        try:
            s.sendall(data)
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
        except (OSError, ssl.SSLError):
            pass
        return got


def request_bytes(method, path, host=None, headers=(), body=b"", close=True):
    lines = [f"{method} {path} HTTP/1.1"]
    if host is not None:
        lines.append(f"Host: {host}")
    lines += [f"{k}: {v}" for k, v in headers]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def proxy_v1(src, dst, sport=40000, dport=80):
    fam = "TCP6" if ":" in src else "TCP4"
    return f"PROXY {fam} {src} {dst} {sport} {dport}\r\n".encode()


def proxy_v2(src, dst, sport=40000, dport=80, local=False):
    sig = b"\r\n\r\n\x00\r\nQUIT\n"
    if local:
        return sig + bytes([0x20, 0x00]) + struct.pack("!H", 0)
    fam = 0x21 if ":" in src else 0x11
    af = socket.AF_INET6 if ":" in src else socket.AF_INET
    body = socket.inet_pton(af, src) + socket.inet_pton(af, dst) + struct.pack("!HH", sport, dport)
    return sig + bytes([0x21, fam]) + struct.pack("!H", len(body)) + body


class Path:
    """One way in: a port on the server's public address (or loopback, for the peer tests)."""

    def __init__(self, name, server, port, tls=False, prefix=b""):
        self.name, self.server, self.port, self.tls, self.prefix = name, server, port, tls, prefix

    @property
    def scheme(self):
        return "https" if self.tls else "http"

    @property
    def host(self):  # the Host a browser would send for https://breakwater.test:PORT/
        default = 443 if self.tls else 80
        return NAME if self.port == default else f"{NAME}:{self.port}"

    @property
    def origin(self):
        return f"{self.scheme}://{self.host}"

    def send(self, data, prefix=None):
        """Returns the list of responses ([] when the connection was closed without one), or
        None when no connection could be made."""
        got = exchange(self.server, self.port, self.tls, (self.prefix if prefix is None else prefix) + data)
        return None if got is None else parse_responses(got)

    def get(self, path, headers=(), host=None, method="GET", body=b""):
        rs = self.send(request_bytes(method, path, self.host if host is None else host, headers, body))
        return rs[0] if rs else None


def fmt(r):
    return "no response (connection closed)" if r is None else r.short()


# --- The visitor.


def spoofs(by4, by6, srv4, srv6):
    """(name, headers) pairs: every way a visitor might name somebody else."""
    return [
        ("no spoof", []),
        ("X-Forwarded-For: BYSTANDER", [("X-Forwarded-For", by4)]),
        ("X-Forwarded-For: BYSTANDER6", [("X-Forwarded-For", by6)]),
        ("X-Forwarded-For: BYSTANDER, 127.0.0.1 (a fake trusted hop)", [("X-Forwarded-For", f"{by4}, 127.0.0.1")]),
        ("X-Forwarded-For: BYSTANDER, ::1", [("X-Forwarded-For", f"{by6}, ::1")]),
        ("two X-Forwarded-For lines naming BYSTANDER",
         [("X-Forwarded-For", by4), ("X-Forwarded-For", f"{by4}, {by4}")]),
        ("X-Forwarded-For: [BYSTANDER6]:443, ::ffff:BYSTANDER",
         [("X-Forwarded-For", f"[{by6}]:443, ::ffff:{by4}")]),
        ("X-Forwarded-For: BYSTANDER:8080, fe80::1%eth0", [("X-Forwarded-For", f"{by4}:8080, fe80::1%eth0")]),
        ("x-FORWARDED-for: BYSTANDER", [("x-FORWARDED-for", by4)]),
        ("X-Forwarded-For: 300 entries naming BYSTANDER", [("X-Forwarded-For", ", ".join([by4] * 300))]),
        ("60 X-Forwarded-For lines naming BYSTANDER", [("X-Forwarded-For", by4)] * 60),
        ("X-Forwarded-For: 127.0.0.1 (the server's loopback)", [("X-Forwarded-For", "127.0.0.1")]),
        ("X-Forwarded-For: 127.0.0.2 (loopback, not the trusted 127.0.0.1)", [("X-Forwarded-For", "127.0.0.2")]),
        ("X-Forwarded-For: SERVER (its own public address)", [("X-Forwarded-For", f"{srv4}, {srv6}")]),
        ("X-Forwarded-For: unknown", [("X-Forwarded-For", "unknown")]),
        ("X-Forwarded-For: garbage", [("X-Forwarded-For", "not-an-address,,, ;")]),
        ("Forwarded: for=BYSTANDER", [("Forwarded", f"for={by4}")]),
        ("Forwarded: for=\"[BYSTANDER6]\";proto=https", [("Forwarded", f'for="[{by6}]";proto=https')]),
        ("Forwarded: for=unknown", [("Forwarded", "for=unknown")]),
        ("Forwarded: for=_hidden, for=127.0.0.1", [("Forwarded", "for=_hidden, for=127.0.0.1")]),
        ("Forwarded: for=\"[::1]\"", [("Forwarded", 'for="[::1]"')]),
        ("Forwarded: for=127.0.0.2", [("Forwarded", "for=127.0.0.2")]),
        ("Forwarded: for=SERVER", [("Forwarded", f"for={srv4}")]),
        ("Forwarded: for=\"[SERVER6]\"", [("Forwarded", f'for="[{srv6}]"')]),
        ("X-Real-IP: BYSTANDER", [("X-Real-IP", by4)]),
        ("X-Real-IP: 127.0.0.1", [("X-Real-IP", "127.0.0.1")]),
        ("Client-IP, True-Client-IP, CF-Connecting-IP, X-Client-IP, X-Originating-IP, X-Cluster-Client-IP",
         [("Client-IP", by4), ("True-Client-IP", by4), ("CF-Connecting-IP", by4), ("X-Client-IP", by4),
          ("X-Originating-IP", by4), ("X-Cluster-Client-IP", by4), ("Fastly-Client-IP", by4)]),
        ("all of the above at once",
         [("Forwarded", f"for={by4}"), ("X-Forwarded-For", f"{by4}, 127.0.0.1"), ("X-Real-IP", by4),
          ("Forwarded", "for=unknown"), ("X-Forwarded-For", "unknown")]),
    ]


class Visitor:
    def __init__(self, a):
        self.a = a
        self.ok_count = 0
        self.bad_count = 0
        s4, s6 = a.server4, a.server6
        self.paths = []  # (Path, the visitor's address on it)
        for server, me in ((s4, a.visitor4), (s6, a.visitor6)):
            fam = "IPv4" if server == s4 else "IPv6"
            for name, port, tls in (("direct", 8080, False), ("direct HTTPS", 8443, True), ("nginx", 80, False),
                                    ("HAProxy http", 81, False), ("HAProxy tcp+PROXYv2", 82, False),
                                    ("HAProxy TLS pass-through+PROXYv2", 443, True)):
                self.paths.append((Path(f"{name} {fam}", server, port, tls), me))

    def check(self, ok, text):
        if ok:
            self.ok_count += 1
        else:
            self.bad_count += 1
        return out(ok, text)

    def spoof_matrix(self):
        a = self.a
        for name, headers in spoofs(a.bystander4, a.bystander6, a.server4, a.server6):
            # IPv4 and IPv6 at once: two holders, each with one scan at a time.
            with concurrent.futures.ThreadPoolExecutor(2) as pool:
                families = list(pool.map(lambda family: self.spoof_paths(headers, family), (4, 6)))
            problems = families[0] + families[1]
            self.check(not problems, f"spoof {name}: a scan, the address and check/23 are the visitor's on all "
                       f"{len(self.paths)} paths" + "".join("\n       " + p for p in problems))

    def spoof_paths(self, headers, family):
        problems = []
        for path, me in self.paths:
            if (":" in me) != (family == 6):
                continue
            # The scan's answer names its target; it runs while the address is asked (the
            # check after it waits if it has not ended yet: one scan at a time per holder).
            r = path.get("/api/v1/scans", [("Content-Type", "application/json")] + list(headers),
                         method="POST", body=b'{"ports":"23"}')
            d = (r.json() or {}) if r is not None else {}
            if r is None or r.status != 202 or d.get("target") != me:
                problems.append(f"{path.name}: POST /api/v1/scans: want 202 with target {me}, got {fmt(r)}")
            r = path.get("/api/v1/address", headers)
            if r is None or r.status != 200 or (r.json() or {}).get("address") != me:
                problems.append(f"{path.name}: GET /api/v1/address: want {me}, got {fmt(r)}")
            for _ in range(100):
                r = path.get("/api/v1/check/23", headers)
                if r is None or r.status != 429 or r.error_code() != "scan_running":
                    break
                time.sleep(0.02)
            d = (r.json() or {}) if r is not None else {}
            if r is None or r.status != 200 or d.get("address") != me or d.get("state") != "closed":
                problems.append(f"{path.name}: GET /api/v1/check/23: want closed for {me}, got {fmt(r)}")
        return problems

    @staticmethod
    def scan_once(path, me, headers, ports):
        """POSTs a scan and waits for its end. Returns (the scan's JSON, None) or (None, problem)."""
        r = path.get("/api/v1/scans", [("Content-Type", "application/json")] + list(headers),
                     method="POST", body=json.dumps({"ports": ports}).encode())
        d = (r.json() or {}) if r is not None else {}
        if r is None or r.status != 202 or d.get("target") != me:
            return None, f"want 202 with target {me}, got {fmt(r)}"
        deadline = time.time() + 20
        while d.get("state") == "running" and time.time() < deadline:
            time.sleep(0.03)
            r = path.get(f"/api/v1/scans/{d['id']}")
            d = (r.json() or {}) if r is not None else {}
        if d.get("state") != "done" or d.get("target") != me:
            return None, f"want done with target {me}, got {fmt(r)}"
        return d, None

    def scans(self, spoof_headers, label):
        """POST a scan of 22 (open) and 23 (closed) through every path, with spoof headers."""
        for path, me in self.paths:
            d, problem = self.scan_once(path, me, spoof_headers, "22,23")
            if problem:
                self.check(False, f"{label} via {path.name}: POST /api/v1/scans: {problem}")
                continue
            sid = d["id"]
            ports = {p["port"]: p["state"] for p in (d.get("result") or {}).get("ports", [])}
            events = path.send(request_bytes("GET", f"/api/v1/scans/{sid}/events", path.host))
            sse = events[0].body.decode(errors="replace") if events else ""
            good = (d.get("state") == "done" and d.get("target") == me and ports == {22: "open", 23: "closed"}
                    and sse.count("event: verdict") == 2 and "event: done" in sse)
            self.check(good, f"{label} via {path.name}: scan of {me}: 22 open, 23 closed, events replayed"
                       + ("" if good else f": state {d.get('state')} target {d.get('target')} ports {ports}, "
                          f"events {sse[:200]!r}"))

    def proxy_lines(self):
        """A PROXY header of the visitor's own, naming the bystander: as the first bytes to every
        path (through the HTTP proxies it is request bytes; through the TCP pass-through it arrives
        after HAProxy's real PROXY v2 header), and after a first request on the same connection."""
        a = self.a
        for path, me in self.paths:
            by = a.bystander6 if ":" in me else a.bystander4
            for label, line in (("v1", proxy_v1(by, path.server, 40000, path.port)),
                                ("v2", proxy_v2(by, path.server, 40000, path.port))):
                rs = path.send(line + request_bytes("GET", "/api/v1/address", path.host))
                named = [r for r in rs or [] if by.encode() in r.body]
                ok = rs is not None and len(rs) == 1 and rs[0].status == 400 and not named
                self.check(ok, f"a PROXY {label} line of the visitor's own via {path.name}: 400"
                           + ("" if ok else f"; got {[fmt(r) for r in rs] if rs is not None else 'no connection'}"))
            if path.tls:  # in the clear, before the TLS handshake: no handshake, no answer
                got = exchange(path.server, path.port, True, request_bytes("GET", "/api/v1/address", path.host),
                               before_tls=proxy_v1(by, path.server, 40000, path.port))
                rs = parse_responses(got or b"")
                ok = got is not None and rs == []
                self.check(ok, f"a PROXY line of the visitor's own before the TLS handshake via {path.name}: "
                           "no answer" + ("" if ok else f"; got {[fmt(r) for r in rs]}"))
            # Pipelined: a good request, then a PROXY line and another request.
            data = (request_bytes("GET", "/api/v1/address", path.host, close=False)
                    + proxy_v1(by, path.server, 40000, path.port)
                    + request_bytes("GET", "/api/v1/address", path.host))
            rs = path.send(data) or []
            first = rs[0].json() if rs else None
            ok = (len(rs) >= 1 and rs[0].status == 200 and (first or {}).get("address") == me
                  and all(r.status == 400 for r in rs[1:])
                  and not any(by.encode() in r.body for r in rs))
            self.check(ok, f"a PROXY line after a first request via {path.name}: first answered for the visitor, "
                       f"then 400 (or closed)" + ("" if ok else f"; got {[fmt(r) for r in rs]}"))

    def proxy_protocol_listener(self):
        """breakwater's public ,proxy-protocol listener: the visitor is not a trusted peer, so
        whatever it sends, the connection is closed without an answer."""
        a = self.a
        for server, me, by in ((a.server4, a.visitor4, a.bystander4), (a.server6, a.visitor6, a.bystander6)):
            p = Path(f"direct ,proxy-protocol listener {'IPv6' if ':' in server else 'IPv4'}", server, 8082)
            for label, prefix in (("PROXY v1 naming the bystander", proxy_v1(by, server, 40000, 8082)),
                                  ("PROXY v2 naming the bystander", proxy_v2(by, server, 40000, 8082)),
                                  ("PROXY v1 naming the visitor itself", proxy_v1(me, server, 40000, 8082)),
                                  ("PROXY UNKNOWN", b"PROXY UNKNOWN\r\n"),
                                  ("no PROXY header", b"")):
                rs = p.send(request_bytes("GET", "/api/v1/address", p.host), prefix=prefix)
                ok = rs == []
                self.check(ok, f"{p.name}, {label}, from an untrusted visitor: closed without an answer"
                           + ("" if ok else f"; got {[fmt(r) for r in rs] if rs is not None else 'no connection'}"))

    def hosts(self):
        """DNS rebinding: a Host that is not this site gets 421 on every path (nginx's default
        server answers it there: nginx sends breakwater its own Host, $proxy_host); IP
        literals and localhost are fine where they reach breakwater itself."""
        for path, me in self.paths:
            for host in ("evil.example", f"evil.example:{path.port}", f"{NAME}.evil.example"):
                results = [path.get(p, host=host) for p in ("/", "/api/v1/address", "/api/v1/check/22")]
                ok = all(r is not None and r.status == 421 for r in results)
                self.check(ok, f"Host: {host} via {path.name}: 421"
                           + ("" if ok else f"; got {[fmt(r) for r in results]}"))
            for first, second in ((NAME, "evil.example"), ("evil.example", NAME)):
                r = path.send(request_bytes("GET", "/api/v1/address", first, [("Host", second)]))
                ok = r is not None and len(r) == 1 and r[0].status in (400, 421)
                self.check(ok, f"two Host lines ({first}, {second}) via {path.name}: 400 (or 421)"
                           + ("" if ok else f"; got {[fmt(x) for x in r] if r is not None else 'no connection'}"))
            r = path.send(b"GET /api/v1/address HTTP/1.1\r\nConnection: close\r\n\r\n")
            ok = r is not None and len(r) == 1 and r[0].status == 400
            self.check(ok, f"HTTP/1.1 without Host via {path.name}: 400"
                       + ("" if ok else f"; got {[fmt(x) for x in r] if r is not None else 'no connection'}"))
        for path, me in self.paths:
            if not path.name.startswith("direct"):
                continue
            literal = f"[{path.server}]" if ":" in path.server else path.server
            for host in (f"{literal}:{path.port}", "localhost", f"localhost:{path.port}"):
                r = path.get("/api/v1/address", host=host)
                ok = r is not None and r.status == 200 and (r.json() or {}).get("address") == me
                self.check(ok, f"Host: {host} via {path.name}: 200, the visitor's address"
                           + ("" if ok else f"; got {fmt(r)}"))

    def cross_site(self):
        """What a browser marks as coming from another site cannot start a probe; the same site
        (by its configured name, even through nginx's Host: $proxy_host) can."""
        a = self.a
        for path, me in self.paths:
            refused = [
                ("Sec-Fetch-Site: cross-site", [("Sec-Fetch-Site", "cross-site")]),
                ("Sec-Fetch-Site: same-site", [("Sec-Fetch-Site", "same-site"), ("Origin", f"{path.scheme}://www.{NAME}")]),
                ("Origin: http://evil.example", [("Origin", "http://evil.example")]),
                ("Origin: null", [("Origin", "null")]),
                ("cross-site with Forwarded naming the bystander",
                 [("Sec-Fetch-Site", "cross-site"), ("Forwarded", f"for={a.bystander4}")]),
            ]
            problems = []
            for label, headers in refused:
                r1 = path.get("/api/v1/check/22", headers)
                r2 = path.get("/api/v1/scans", headers + [("Content-Type", "application/json")],
                              method="POST", body=b'{"ports":"22"}')
                for what, r in (("GET /api/v1/check/22", r1), ("POST /api/v1/scans", r2)):
                    if r is None or r.status != 403 or r.error_code() != "cross_site":
                        problems.append(f"{label}: {what}: want 403 cross_site, got {fmt(r)}")
            self.check(not problems, f"cross-site check and scan via {path.name}: 403 cross_site"
                       + "".join("\n       " + p for p in problems))
            r = path.get("/api/v1/address")
            corp = r.header("cross-origin-resource-policy") if r is not None else None
            self.check(corp == "same-origin", f"GET /api/v1/address via {path.name}: "
                       f"Cross-Origin-Resource-Policy: same-origin" + ("" if corp == "same-origin" else f"; got {corp!r}"))
            r = path.get("/api/v1/check/22", [("Sec-Fetch-Site", "same-origin"), ("Origin", path.origin)])
            d = (r.json() or {}) if r is not None else {}
            ok = r is not None and r.status == 200 and d.get("address") == me and d.get("state") == "open"
            self.check(ok, f"same-origin check (Origin {path.origin}) via {path.name}: 22 open for the visitor"
                       + ("" if ok else f"; got {fmt(r)}"))

    def smuggling(self):
        """A second request hidden in the body of the first, naming the bystander in the header
        a trusted peer is believed for. Through a proxy that keeps its upstream connection open
        (HAProxy), breakwater would read it as a request from the proxy if it ever took a body
        for the next request (an early error answer, a body on a GET, chunked bodies)."""
        a = self.a

        def one_path(path, me):
            by = a.bystander6 if ":" in me else a.bystander4
            hidden = request_bytes("GET", "/api/v1/check/22", path.host,
                                   [("X-Forwarded-For", by), ("Forwarded", f"for={by}")], close=False)
            chunked = f"{len(hidden):x}\r\n".encode() + hidden + b"\r\n0\r\n\r\n"
            cases = (
                ("POST /api/v1/scans without Content-Type (415)",
                 "POST", "/api/v1/scans", [("Content-Length", str(len(hidden)))], hidden),
                ("GET /api/v1/address with a body", "GET", "/api/v1/address",
                 [("Content-Length", str(len(hidden)))], hidden),
                ("PUT /api/v1/address (405) with a body", "PUT", "/api/v1/address",
                 [("Content-Length", str(len(hidden)))], hidden),
                ("POST to no such path (404) with a body", "POST", "/api/v1/nothing-here",
                 [("Content-Type", "application/json"), ("Content-Length", str(len(hidden)))], hidden),
                ("POST /api/v1/scans, chunked body", "POST", "/api/v1/scans",
                 [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")], chunked),
                ("POST /api/v1/scans, chunked body and a Content-Length", "POST", "/api/v1/scans",
                 [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked"),
                  ("Content-Length", "4")], chunked),
            )
            problems = []
            for label, method, target, headers, body in cases:
                head = f"{method} {target} HTTP/1.1\r\nHost: {path.host}\r\n"
                head += "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
                got = exchange(path.server, path.port, path.tls, head.encode() + body, timeout=1.0)
                rs = parse_responses(got or b"")
                if got is None:
                    problems.append(f"{label}: no connection")
                elif any(by.encode() in r.body for r in rs):
                    problems.append(f"{label}: an answer names the bystander: {[r.short() for r in rs]}")
                elif any(r.status == 200 and b'"port":22' in r.body for r in rs):
                    problems.append(f"{label}: the hidden check was answered: {[r.short() for r in rs]}")
            return problems

        # The connections stay open (keep-alive) until a second of silence: all paths at once.
        with concurrent.futures.ThreadPoolExecutor(len(self.paths)) as pool:
            results = list(pool.map(lambda pm: one_path(*pm), self.paths))
        for (path, _), problems in zip(self.paths, results):
            self.check(not problems, f"a request hidden in a body via {path.name}: never run"
                       + "".join("\n       " + p for p in problems))

    def headers_page(self):
        """/headers shows a visitor its request as the server got it, but never credentials nor
        what a proxy adds about addresses (X-Forwarded-*, X-Real-IP, Forwarded)."""
        secret = "c2VjcmV0LXRva2Vu"
        for path, me in self.paths:
            sent = [("Authorization", f"Basic {secret}"), ("Proxy-Authorization", f"Basic {secret}"),
                    ("X-Forwarded-For", self.a.bystander4), ("X-Forwarded-Proto", "gopher"),
                    ("X-Real-IP", self.a.bystander4), ("Forwarded", f"for={self.a.bystander4}"),
                    ("X-Visible-Test", "shown-as-sent")]
            r = path.get("/headers", sent)
            body = r.body.decode(errors="replace") if r is not None else ""
            leaks = [w for w in (secret, self.a.bystander4, "gopher", "x-forwarded-for", "x-real-ip",
                                 "forwarded:") if w.lower() in body.lower()]
            ok = r is not None and r.status == 200 and "shown-as-sent" in body and not leaks
            self.check(ok, f"GET /headers via {path.name}: shows the request without credentials or "
                       "proxy headers" + ("" if ok else f"; shows {leaks}" if r is not None and r.status == 200
                                          else f"; got {fmt(r)}"))

    def run(self):
        self.spoof_matrix()
        self.proxy_lines()
        self.proxy_protocol_listener()
        self.hosts()
        self.cross_site()
        self.smuggling()
        self.headers_page()
        self.own_scans()

    def own_scans(self):
        a = self.a
        self.scans([], "the visitor's own scan")
        self.scans([("Forwarded", f"for={a.bystander4}"), ("X-Forwarded-For", f"{a.bystander4}, 127.0.0.1"),
                    ("X-Real-IP", a.bystander4), ("Forwarded", "for=unknown")], "a scan with every spoof header")


# --- A trusted peer (127.0.0.1, in the server's namespace) that names no usable client.


def peer(a):
    bad = 0
    xff = Path("trusted peer -> 127.0.0.1:9080", "127.0.0.1", 9080)
    pp = Path("trusted peer -> 127.0.0.1:9082,proxy-protocol", "127.0.0.1", 9082)

    def unknown_everywhere(label, path, headers=(), prefix=None):
        nonlocal bad
        problems = []
        for method, p, body in (("GET", "/api/v1/address", b""), ("GET", "/api/v1/check/22", b""),
                                ("POST", "/api/v1/scans", b'{"ports":"22"}')):
            hs = list(headers) + ([("Content-Type", "application/json")] if method == "POST" else [])
            rs = path.send(request_bytes(method, p, path.host, hs, body), prefix=prefix)
            r = rs[0] if rs else None
            if r is None or r.status != 403 or r.error_code() != "unknown_client":
                problems.append(f"{method} {p}: want 403 unknown_client, got {fmt(r)}")
        rs = path.send(request_bytes("GET", "/", path.host, list(headers)), prefix=prefix)
        if not rs or rs[0].status != 200:
            problems.append(f"GET /: want 200 (pages are served), got {fmt(rs[0] if rs else None)}")
        ok = not problems
        bad += not ok
        out(ok, f"{path.name}, {label}: no known client (403 unknown_client; pages served)"
            + "".join("\n       " + p for p in problems))

    unknown_everywhere("no X-Forwarded-For", xff)
    unknown_everywhere("no X-Forwarded-For but Forwarded and X-Real-IP naming the bystander", xff,
                       [("Forwarded", f"for={a.bystander4}"), ("X-Real-IP", a.bystander4)])
    for value in ("unknown", "_hidden", "garbage!", "", "127.0.0.1", "::1, 127.0.0.1", "unknown, 127.0.0.1"):
        unknown_everywhere(f"X-Forwarded-For: {value!r}", xff, [("X-Forwarded-For", value)])
    unknown_everywhere("PROXY UNKNOWN", pp, prefix=b"PROXY UNKNOWN\r\n")
    unknown_everywhere("PROXY v2 LOCAL", pp, prefix=proxy_v2("", "", local=True))

    # After a PROXY header no header counts: a local user who connects through HAProxy's TCP
    # pass-through comes from 127.0.0.1, and the bytes after the header are its own, so no
    # X-Forwarded-For of its may name anyone. A PROXY header naming a trusted proxy (there,
    # 127.0.0.1) names nobody usable.
    spoofs = [("X-Forwarded-For", a.bystander4)], [("X-Forwarded-For", a.visitor4)]
    local_user = Path("local user -> 127.0.0.1:82 (HAProxy mode tcp)", "127.0.0.1", 82)
    for headers in ([], *spoofs):
        label = f"X-Forwarded-For: {headers[0][1]}" if headers else "no header"
        unknown_everywhere(f"PROXY v1 naming 127.0.0.1, {label}", pp, headers,
                           prefix=proxy_v1("127.0.0.1", "127.0.0.1", 40000, 9082))
        unknown_everywhere(f"PROXY v2 naming ::ffff:127.0.0.1, {label}", pp, headers,
                           prefix=proxy_v2("::ffff:127.0.0.1", "::ffff:127.0.0.1", 40000, 9082))
        unknown_everywhere(f"through HAProxy's TCP pass-through, {label}", local_user, headers)

    # Positive controls: the same peer naming the visitor gets the visitor.
    for label, path, headers, prefix in (
            ("X-Forwarded-For: BYSTANDER, VISITOR", xff, [("X-Forwarded-For", f"{a.bystander4}, {a.visitor4}")], None),
            ("PROXY v2 naming the visitor", pp, [], proxy_v2(a.visitor6, "::1", 40000, 9082))):
        want = a.visitor6 if prefix else a.visitor4
        r = path.get("/api/v1/address", headers) if prefix is None else (path.send(
            request_bytes("GET", "/api/v1/address", path.host), prefix=prefix) or [None])[0]
        ok = r is not None and r.status == 200 and (r.json() or {}).get("address") == want
        bad += not ok
        out(ok, f"{path.name}, {label}: the client is {want}" + ("" if ok else f"; got {fmt(r)}"))

    # An IPv4-mapped IPv6 address (what a proxy on a dual-stack socket reports for an IPv4
    # client) is that IPv4 address, or no known client; never anything else.
    r = xff.get("/api/v1/address", [("X-Forwarded-For", f"::ffff:{a.visitor4}")])
    ok = r is not None and ((r.status == 200 and (r.json() or {}).get("address") == a.visitor4)
                            or (r.status == 403 and r.error_code() == "unknown_client"))
    bad += not ok
    out(ok, f"{xff.name}, X-Forwarded-For: ::ffff:VISITOR: {a.visitor4} or no known client"
        + (f" ({fmt(r)})" if ok else f"; got {fmt(r)}"))

    # The header is required on a proxy-protocol listener, even from a trusted peer; a second
    # PROXY header after the first is a bad request.
    rs = pp.send(request_bytes("GET", "/api/v1/address", pp.host), prefix=b"")
    ok = rs == []
    bad += not ok
    out(ok, f"{pp.name}, no PROXY header: closed without an answer"
        + ("" if ok else f"; got {[fmt(r) for r in rs] if rs is not None else 'no connection'}"))
    rs = pp.send(request_bytes("GET", "/api/v1/address", pp.host),
                 prefix=proxy_v2(a.visitor4, "127.0.0.1", 40000, 9082) + proxy_v1(a.bystander4, "127.0.0.1"))
    ok = rs is not None and len(rs) == 1 and rs[0].status == 400
    bad += not ok
    out(ok, f"{pp.name}, a second PROXY header naming the bystander: 400"
        + ("" if ok else f"; got {[fmt(r) for r in rs] if rs is not None else 'no connection'}"))
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("role", choices=["visitor", "peer"])
    for k in ("server4", "server6", "visitor4", "visitor6", "bystander4", "bystander6"):
        ap.add_argument("--" + k, required=True)
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    if a.role == "peer":
        sys.exit(1 if peer(a) else 0)
    v = Visitor(a)
    if a.only:
        getattr(v, a.only)()
    else:
        v.run()
    sys.exit(1 if v.bad_count else 0)


if __name__ == "__main__":
    main()
