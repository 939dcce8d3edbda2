#!/usr/bin/env python3
"""End-to-end tests of certificate reload (SIGHUP), JSON logs (--log-format json) and what
serve tells systemd ($NOTIFY_SOCKET): the real binary on free loopback ports. Usage: reload_e2e.py BINARY DATA_DIR OUT_DIR"""
import hashlib
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import web_e2e as web  # noqa: E402  (same arguments: BINARY DATA_DIR OUT_DIR)

check, free_port, Server = web.check, web.free_port, web.Server


def make_cert(directory, name):
    """A fresh P-256 key and self-signed certificate; returns (cert path, key path)."""
    cert, key = os.path.join(directory, f"{name}.crt"), os.path.join(directory, f"{name}.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", f"/CN={name}",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    os.chmod(key, 0o600)
    return cert, key


def make_expired_cert(directory, name):
    """A certificate that ended in February 2020 (openssl ca, which takes any dates, signing
    its own request); returns (cert path, key path)."""
    ca = os.path.join(directory, f"{name}-ca")
    os.makedirs(ca)
    with open(os.path.join(ca, "ca.cnf"), "w") as f:
        f.write("[ca]\ndefault_ca = own\n[own]\ndatabase = index.txt\nnew_certs_dir = .\n"
                "serial = serial\ndefault_md = sha256\npolicy = any\n[any]\n"
                "commonName = supplied\n")
    open(os.path.join(ca, "index.txt"), "w").close()
    with open(os.path.join(ca, "serial"), "w") as f:
        f.write("01\n")
    cert, key = os.path.join(directory, f"{name}.crt"), os.path.join(directory, f"{name}.key")
    subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-subj", f"/CN={name}", "-keyout", key,
                    "-out", "request.csr"], cwd=ca, check=True, capture_output=True)
    subprocess.run(["openssl", "ca", "-batch", "-config", "ca.cnf", "-selfsign", "-keyfile", key,
                    "-in", "request.csr", "-out", cert, "-startdate", "20200101000000Z",
                    "-enddate", "20200201000000Z"], cwd=ca, check=True, capture_output=True)
    os.chmod(key, 0o600)
    return cert, key


def install(src, dst):
    """Replaces dst at once, as certbot's renewal does."""
    tmp = dst + ".new"
    with open(src, "rb") as f, open(tmp, "wb") as out:
        out.write(f.read())
    os.chmod(tmp, 0o600)
    os.replace(tmp, dst)


def fingerprint_of(der):
    return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


def connect(port):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    return ctx.wrap_socket(raw, server_hostname="localhost")


def ask(sock, target):
    """One keep-alive request on an open connection; returns (status, body)."""
    sock.sendall(f"GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return 0, b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode(errors="replace").split("\r\n")
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), body


def wait_for(read, text, count, timeout=10):
    """Whether `text` appears `count` times in what read() returns within the timeout."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if read().count(text) >= count:
            return True
        time.sleep(0.05)
    return False


def new_client_sees(port):
    with connect(port) as s:
        status, body = ask(s, "/port/443")
        return fingerprint_of(s.getpeercert(binary_form=True)), status, body


def reload_given_files(work):
    first, second = make_cert(work, "first"), make_cert(work, "second")
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    install(first[0], cert)
    install(first[1], key)
    with open(first[0], "rb") as f:
        fp_first = fingerprint_of(ssl.PEM_cert_to_DER_cert(f.read().decode()))
    with open(second[0], "rb") as f:
        fp_second = fingerprint_of(ssl.PEM_cert_to_DER_cert(f.read().decode()))
    https, http = free_port(), free_port()
    srv = Server("reload", "--http", f"127.0.0.1:{http}", "--https", f"127.0.0.1:{https}",
                 "--cert", cert, "--key", key, "--threads", "2", "--log-format", "json",
                 "--state-dir", os.path.join(work, "state"))
    early = connect(https)
    status, body = ask(early, "/port/443")
    check("before the reload: the first certificate",
          fingerprint_of(early.getpeercert(binary_form=True)) == fp_first and status == 200
          and fp_first.encode() in body, f"status {status}")

    install(second[0], cert)
    install(second[1], key)
    srv.proc.send_signal(signal.SIGHUP)
    check("SIGHUP: the reload is logged",
          wait_for(srv.text, "new connections get the certificate", 1),
          srv.text()[-2000:])
    status, body = ask(early, "/port/443")
    check("a connection from before the reload keeps working, with its own certificate",
          status == 200 and fp_first.encode() in body and fp_second.encode() not in body,
          f"status {status}")
    early.close()
    fp, status, body = new_client_sees(https)
    check("a connection after the reload gets the new certificate, and its page shows it",
          fp == fp_second and status == 200 and fp_second.encode() in body, fp)

    install(first[1], key)  # the second certificate with the first key: they do not match
    srv.proc.send_signal(signal.SIGHUP)
    check("a key that does not match is refused, and the log says so",
          wait_for(srv.text, "certificate not reloaded", 1), srv.text()[-2000:])
    fp, status, _ = new_client_sees(https)
    check("after a failed reload the previous certificate still serves",
          fp == fp_second and status == 200, fp)

    # A stale copy (a deploy hook run against old files): browsers would refuse it.
    expired = make_expired_cert(work, "expired")
    install(expired[0], cert)
    install(expired[1], key)
    srv.proc.send_signal(signal.SIGHUP)
    check("an expired certificate is refused, and the log says when it expired",
          wait_for(srv.text, "certificate not reloaded", 2)
          and "expired on 2020-02-01" in srv.text(), srv.text()[-2000:])
    fp, status, _ = new_client_sees(https)
    check("after an expired certificate the previous one still serves",
          fp == fp_second and status == 200, fp)

    os.remove(cert)
    srv.proc.send_signal(signal.SIGHUP)
    check("a missing certificate is refused, and the log says so",
          wait_for(srv.text, "certificate not reloaded", 3), srv.text()[-2000:])
    fp, status, _ = new_client_sees(https)
    check("after a second failed reload the previous certificate still serves",
          fp == fp_second and status == 200, fp)

    # JSON lines: a hostile target and the reload messages must all parse.
    web.raw_exchange(http, b'GET /port/1?a="\x01\x1b[31m\xff\xfe HTTP/1.1\r\nHost: localhost\r\n'
                     b"Connection: close\r\n\r\n")
    web.curl(f"http://127.0.0.1:{http}/healthz")
    check("server exits 0 after the reloads", srv.stop() == 0)
    check_json_log(srv.text())


def check_json_log(text):
    lines = [line for line in text.splitlines() if line.strip()]
    objects, bad = [], []
    for line in lines:
        try:
            objects.append(json.loads(line))
        except ValueError:
            bad.append(line)
    check("--log-format json: every line is a JSON object", not bad and lines, repr(bad[:3]))
    requests = [o for o in objects if o.get("event") == "request"]
    keys = {"time", "level", "event", "method", "target", "status", "bytes", "duration_ms",
            "client", "client_port"}
    check("request lines have the documented keys",
          requests and all(set(o) == keys for o in requests), repr(requests[:2]))
    messages = [o for o in objects if o.get("event") == "message"]
    check("messages have time, level, event and message",
          messages and all(set(o) == {"time", "level", "event", "message"} for o in messages))
    failed = [o for o in messages if "not reloaded" in o["message"]]
    check("a failed reload is one warning that says what to fix",
          failed and all(o["level"] == "warn" and "send SIGHUP again" in o["message"]
                         for o in failed))


def reload_self_signed_and_plain(work):
    https, http = free_port(), free_port()
    srv = Server("reload-self-signed", "--http", f"127.0.0.1:{http}", "--https",
                 f"127.0.0.1:{https}", "--state-dir", os.path.join(work, "state-self"),
                 "--threads", "1", "--log-format", "json", "--log-client-addresses", "false")
    before, _, _ = new_client_sees(https)
    srv.proc.send_signal(signal.SIGHUP)
    check("SIGHUP reloads the self-signed certificate of the state directory",
          wait_for(srv.text, "new connections get the certificate", 1), srv.text()[-2000:])
    after, status, _ = new_client_sees(https)
    check("the same self-signed certificate serves after the reload",
          after == before and status == 200)
    web.curl(f"http://127.0.0.1:{http}/healthz")
    web.curl(f"http://127.0.0.1:{http}/api/v1/scans/AbCdEfGhIjKlMnOpQrStUv/events?after=2")
    check("server exits 0", srv.stop() == 0)
    requests = [json.loads(line) for line in srv.text().splitlines() if '"request"' in line]
    check("log_client_addresses = false: JSON request lines name no client",
          requests and all("client" not in o and "client_port" not in o for o in requests),
          repr(requests[:2]))
    check("log_client_addresses = false: scan ids and queries are left out of targets",
          any(o["target"] == "/api/v1/scans/*/events" for o in requests)
          and not any("AbCdEf" in o["target"] or "after=" in o["target"] for o in requests),
          repr([o["target"] for o in requests]))

    http = free_port()
    srv = Server("reload-plain", "--http", f"127.0.0.1:{http}", "--https", "off")
    srv.proc.send_signal(signal.SIGHUP)
    check("without HTTPS, SIGHUP is logged and the server goes on",
          wait_for(srv.text, "no certificate to reload", 1)
          and web.curl(f"http://127.0.0.1:{http}/healthz")[0] == 200, srv.text()[-2000:])
    check("server exits 0 (plain)", srv.stop() == 0)


def hangup_held(pid):
    """Whether the process blocks or ignores SIGHUP but not SIGTERM (/proc/PID/status), i.e.
    has taken charge of SIGHUP before a handler is in place (glibc blocks every signal for a
    moment while it starts a thread: that is not it); False once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
    except OSError:
        return False
    hup, term = 1 << (signal.SIGHUP - 1), 1 << (signal.SIGTERM - 1)
    masks = [int(fields.get(k, "0").strip(), 16) for k in ("SigBlk", "SigIgn")]
    return any(m & hup and not m & term for m in masks)


def hangups_during_start(work):
    """SIGHUP again and again while serve starts (systemctl reload or certbot's deploy hook
    racing a restart): the server comes up and serves. Before main() no program can take charge
    of a signal, so the first goes once serve holds SIGHUP or has logged its first line,
    whichever comes first; a start that only takes SIGHUP once listening dies at that line."""
    https, http = free_port(), free_port()
    config = os.path.join(work, "start.toml")
    with open(config, "w") as f:
        f.write(f"http = ['127.0.0.1:{http}']\nhttps = ['127.0.0.1:{https}']\n"
                f"state_dir = '{os.path.join(work, 'state-start')}'\nthreads = 1\n")
    log_path = os.path.join(web.OUT, "hangups-during-start.log")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([web.BINARY, "--data", web.DATA, "serve", "--config", config],
                                stdout=log, stderr=subprocess.STDOUT)

    def text():
        with open(log_path, "rb") as f:
            return f.read().decode(errors="replace")

    deadline = time.time() + 30
    while time.time() < deadline and proc.poll() is None:
        if hangup_held(proc.pid) or text():
            break
    sent, after_listening = 0, 0
    while time.time() < deadline and proc.poll() is None and after_listening < 5:
        proc.send_signal(signal.SIGHUP)
        sent += 1
        if "listening on" in text():
            after_listening += 1
        time.sleep(0.005)
    alive = proc.poll() is None
    check(f"{sent} SIGHUPs during start-up: the server is still running", alive,
          f"exit {proc.returncode}: {text()[-1000:]}")
    if not alive:
        return
    # The reload runs after the signal, on the signal thread: its line may come a moment later.
    check("a SIGHUP held during start-up is applied once running",
          wait_for(text, "SIGHUP: new connections get the certificate", 1), text()[-1000:])
    status = web.curl(f"http://127.0.0.1:{http}/healthz")[0]
    fp, tls_status, _ = new_client_sees(https)
    check("after the SIGHUPs it serves HTTP and HTTPS", status == 200 and tls_status == 200,
          f"{status} {tls_status}")
    proc.send_signal(signal.SIGTERM)
    check("server exits 0 (SIGHUPs during start-up)", proc.wait(timeout=20) == 0)


def notifies_systemd(work):
    """The unit's Type=notify: with $NOTIFY_SOCKET set (as systemd sets it), READY=1 comes once
    the listeners answer, RELOADING=1 and READY=1 again around a SIGHUP, STOPPING=1 on
    SIGTERM."""
    path = os.path.join(work, "notify.sock")
    manager = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    manager.bind(path)
    manager.settimeout(10)

    def told():
        try:
            return manager.recv(4096).decode()
        except socket.timeout:
            return ""

    http = free_port()
    log = open(os.path.join(web.OUT, "notify.log"), "wb")
    proc = subprocess.Popen([web.BINARY, "--data", web.DATA, "serve", "--http",
                             f"127.0.0.1:{http}", "--https", "off", "--state-dir", work],
                            env=dict(os.environ, NOTIFY_SOCKET=path), stdout=log,
                            stderr=subprocess.STDOUT)
    ready = told()
    try:
        socket.create_connection(("127.0.0.1", http), timeout=2).close()
        answering = True
    except OSError:
        answering = False
    check("READY=1 once the listeners are up, with the addresses in STATUS",
          ready.startswith("READY=1\n") and f"STATUS=listening on http://127.0.0.1:{http}" in ready
          and answering, repr(ready))
    proc.send_signal(signal.SIGHUP)
    reloading, again = told(), told()
    check("SIGHUP: RELOADING=1, then READY=1 again",
          reloading.startswith("RELOADING=1") and again.startswith("READY=1"),
          f"{reloading!r} then {again!r}")
    proc.send_signal(signal.SIGTERM)
    stopping = told()
    check("SIGTERM: STOPPING=1", stopping.startswith("STOPPING=1"), repr(stopping))
    check("server exits 0 (notify)", proc.wait(timeout=20) == 0)
    manager.close()


def main():
    work = tempfile.mkdtemp(prefix="bw-reload-")
    notifies_systemd(work)
    hangups_during_start(work)
    reload_given_files(work)
    reload_self_signed_and_plain(work)
    print(f"{web.results['passed']} passed, {web.results['failed']} failed")
    return 1 if web.results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
