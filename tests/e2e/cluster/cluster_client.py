#!/usr/bin/env python3
"""One visitor of the many-node test (run inside a visitor namespace; tests/e2e/run_cluster_e2e.sh).

  cluster_client.py scan OUT --url URL [--other URL] --ports SPEC [--ping] [--upnp]
      starts a scan through URL; with --other, at once a second one through the other
      frontend (it must reach the same node and get 429); follows the events to the end and
      reads the result.
  cluster_client.py long OUT --url URL --ports SPEC --restart-ports SPEC [--ping] [--upnp]
      starts a long scan and follows it; if the stream breaks before "done" (its node was
      killed), asks the API, the page and the event stream about the id, then starts again.

Writes OUT.summary.json, and per scan OUT[-restart].sse / .json / .result.json for
check_scan.py and scan_client.py. Every call has a timeout; any that hits it is listed in
"timeouts", so that the test can demand none did.
"""
import argparse
import http.client
import json
import socket
import ssl
import sys
import time
import urllib.parse

CALL_TIMEOUT = 10.0  # a plain request; the nodes answer in milliseconds
STREAM_IDLE = 20.0  # an event stream sends at least a keep-alive every 15 s
STREAM_TOTAL = 90.0
GONE = "it was lost when its server stopped. Start the test again."


class Visitor:
    def __init__(self):
        self.timeouts = []
        self.log = []

    def connect(self, url, timeout):
        u = urllib.parse.urlsplit(url)
        if u.scheme == "https":
            ctx = ssl.create_default_context()
            # Each test node makes its own self-signed certificate.
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return http.client.HTTPSConnection(u.hostname, u.port or 443, timeout=timeout, context=ctx)
        return http.client.HTTPConnection(u.hostname, u.port or 80, timeout=timeout)

    def call(self, method, url, path, body=None, headers=None):
        """(status, body text, seconds); status None when the connection failed or timed out."""
        h = {"Accept": "application/json"}
        h.update(headers or {})
        if body is not None:
            h["Content-Type"] = "application/json"
            body = json.dumps(body)
        start = time.monotonic()
        conn = self.connect(url, CALL_TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            text = r.read().decode(errors="replace")
            return r.status, text, time.monotonic() - start
        except socket.timeout:
            self.timeouts.append(f"{method} {url}{path}")
            return None, "timeout", time.monotonic() - start
        except (OSError, http.client.HTTPException) as e:
            return None, f"{type(e).__name__}: {e}", time.monotonic() - start
        finally:
            conn.close()

    def follow(self, url, path, headers=None):
        """Reads an event stream until it ends: (status, text, saw_done, ended_at)."""
        conn = self.connect(url, STREAM_IDLE)
        text = ""
        status = None
        deadline = time.monotonic() + STREAM_TOTAL
        try:
            conn.request("GET", path, headers=headers or {})
            r = conn.getresponse()
            status = r.status
            while time.monotonic() < deadline:
                line = r.readline()
                if not line:
                    break
                text += line.decode(errors="replace")
            else:
                self.timeouts.append(f"stream {path} still open after {STREAM_TOTAL} s")
        except socket.timeout:
            self.timeouts.append(f"stream {url}{path}")
        except (OSError, http.client.HTTPException):
            pass  # the connection broke: what the test looks at is whether "done" came
        finally:
            conn.close()
        return status, text, "\nevent: done\n" in "\n" + text, time.time()


def scan_once(v, out, url, ports, ping, upnp, summary, other=None, started_file=None):
    """POST, (second POST through OTHER), follow, GET. Returns the id or None."""
    summary["posted_at"] = time.time()
    status, text, took = v.call("POST", url, "/api/v1/scans", {"ports": ports, "ping": ping, "upnp": upnp})
    summary["post"] = status
    summary["post_s"] = round(took, 3)
    summary["started_at"] = time.time()
    if status != 202:
        summary["post_body"] = text
        return None
    sid = json.loads(text)["id"]
    summary["id"] = sid
    if started_file:
        # The test acts on a running scan (a node killed, another address of the holder)
        # only once it has started.
        open(started_file, "w").close()
    if other:
        # Another connection, through the other frontend: the same holder, so the same node.
        status, text, _ = v.call("POST", other, "/api/v1/scans", {"ports": "common"})
        summary["second"] = status
        try:
            summary["second_code"] = json.loads(text)["error"]["code"]
        except (ValueError, KeyError, TypeError):
            summary["second_code"] = text[:200]
        # A 202 proves nothing wrong by itself if the first scan had ended meanwhile: say so.
        _, text, _ = v.call("GET", url, f"/api/v1/scans/{sid}")
        try:
            summary["first_state_after_second"] = json.loads(text)["state"]
        except (ValueError, KeyError, TypeError):
            summary["first_state_after_second"] = text[:200]
    status, sse, done, ended = v.follow(url, f"/api/v1/scans/{sid}/events")
    summary["events_status"] = status
    summary["done"] = done
    summary["ended_at"] = ended
    with open(out + ".sse", "w") as f:
        f.write(sse)
    summary["last_event_id"] = max([int(l[4:]) for l in sse.split("\n") if l.startswith("id: ")] or [0])
    if done:
        status, text, _ = v.call("GET", url, f"/api/v1/scans/{sid}")
        summary["get"] = status
        if status == 200:
            with open(out + ".json", "w") as f:
                f.write(text)
            with open(out + ".result.json", "w") as f:
                json.dump(json.loads(text)["result"], f)
            summary["state"] = json.loads(text)["state"]
    return sid


def lost_scan(v, url, sid, last_id, summary):
    """What a visitor whose node stopped is told, by the API, the page and the stream."""
    status, text, _ = v.call("GET", url, f"/api/v1/scans/{sid}")
    summary["api_status"] = status
    try:
        err = json.loads(text)["error"]
        summary["api_code"] = err["code"]
        summary["api_says_gone"] = GONE in err["message"]
        summary["api_message"] = err["message"]
    except (ValueError, KeyError, TypeError):
        summary["api_body"] = text[:300]
    status, text, _ = v.call("GET", url, f"/scan/{sid}", headers={"Accept": "text/html"})
    summary["page_status"] = status
    summary["page_says_gone"] = GONE in text
    # What EventSource does when the stream breaks: reconnect with Last-Event-ID.
    status, _, _ = v.call("GET", url, f"/api/v1/scans/{sid}/events",
                          headers={"Last-Event-ID": str(last_id)})
    summary["resume_status"] = status


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["scan", "long"])
    ap.add_argument("out")
    ap.add_argument("--url", required=True)
    ap.add_argument("--other")
    ap.add_argument("--ports", required=True)
    ap.add_argument("--restart-ports")
    ap.add_argument("--ping", action="store_true")
    ap.add_argument("--upnp", action="store_true")
    a = ap.parse_args()
    v = Visitor()
    summary = {}
    try:
        # A long scan (over 4,096 ports) is paced as a full-range one, which runs no ping or
        # UPnP: only the restart asks for them.
        long = a.mode == "long"
        sid = scan_once(v, a.out, a.url, a.ports, a.ping and not long, a.upnp and not long, summary,
                        other=a.other, started_file=a.out + ".started")
        if a.mode == "long" and sid and not summary["done"]:
            summary["lost"] = True
            lost_scan(v, a.url, sid, summary["last_event_id"], summary)
            restart = {}
            # Start again: the first try must already reach a node that runs (HAProxy
            # retries a refused connection on another node); a few more are allowed only
            # for the record, and the test says how many it took.
            for attempt in range(1, 6):
                scan_once(v, a.out + "-restart", a.url, a.restart_ports, a.ping, a.upnp, restart)
                restart["attempts"] = attempt
                if restart.get("post") == 202:
                    break
                time.sleep(0.5)
            summary["restart"] = restart
    finally:
        summary["timeouts"] = v.timeouts
        with open(a.out + ".summary.json", "w") as f:
            json.dump(summary, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
