#!/usr/bin/env python3
"""A visitor's side of the scan API e2e tests (run inside a visitor namespace).

  scan_client.py events FILE.sse RESULT.json   checks an event stream against the final result
  scan_client.py proxy v1|v2 SERVER PORT SOURCE PATH   sends a PROXY header naming SOURCE, then
      GET PATH on the same connection; prints the response body
"""
import ipaddress
import json
import socket
import struct
import sys


def parse_sse(text):
    events = []
    for block in text.split("\n\n"):
        ev = {}
        for line in block.split("\n"):
            if line.startswith(":") or not line:
                continue
            key, _, value = line.partition(": ")
            ev[key] = value
        if "event" in ev:
            events.append(ev)
    return events


def check_events(sse_file, result_file):
    events = parse_sse(open(sse_file).read())
    result = json.load(open(result_file))
    problems = []
    if not events or events[-1]["event"] != "done":
        problems.append("the stream did not end with done")
    ids = [int(e["id"]) for e in events]
    if not ids:
        problems.append("no event ids")
    else:
        breaks = [i for i in range(1, len(ids)) if ids[i] != ids[i - 1] + 1]
        if breaks:
            # Where the order first breaks, with a little on each side: enough to tell a
            # gap from a swap or a repeat.
            at = breaks[0]
            problems.append(f"ids not consecutive ({len(breaks)} breaks), first at event {at}: "
                            f"{ids[max(0, at - 3):at + 3]}")
    verdicts = {}
    for e in events:
        if e["event"] == "verdict":
            d = json.loads(e["data"])
            if d["port"] in verdicts:
                problems.append(f"port {d['port']} twice")
            verdicts[d["port"]] = d
    final = {p["port"]: p for p in result["result"]["ports"]}
    if ids and ids[0] == 1 and verdicts.keys() != final.keys():
        problems.append(f"events cover {len(verdicts)} ports, result {len(final)}")
    for port, d in verdicts.items():
        if final.get(port, {}).get("state") != d["state"]:
            problems.append(f"port {port}: event {d['state']}, result {final.get(port)}")
    done = json.loads(events[-1]["data"]) if events else {}
    if done.get("summary") != result["result"]["summary"]:
        problems.append(f"done summary {done.get('summary')} != {result['result']['summary']}")
    names = {e["event"] for e in events}
    if result["result"]["ping"] is not None and "ping" not in names:
        problems.append("no ping event")
    if result["result"]["upnp"] is not None and "upnp" not in names:
        problems.append("no upnp event")
    for p in problems:
        print("  ", p)
    print(f"{len(events)} events, first id {ids[0] if ids else None}")
    return not problems


def proxy_request(version, server, port, source, path):
    src = ipaddress.ip_address(source)
    dst = ipaddress.ip_address(server)
    if version == "v1":
        fam = "TCP4" if src.version == 4 else "TCP6"
        header = f"PROXY {fam} {src} {dst} 40000 {port}\r\n".encode()
    else:
        fam = 0x11 if src.version == 4 else 0x21
        body = src.packed + dst.packed + struct.pack("!HH", 40000, int(port))
        header = b"\r\n\r\n\x00\r\nQUIT\n" + bytes([0x21, fam]) + struct.pack("!H", len(body)) + body
    host = f"[{server}]" if dst.version == 6 else server
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode()
    data = b""
    try:
        with socket.create_connection((server, int(port)), timeout=30) as s:
            s.sendall(header + request)
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
    except ConnectionResetError:
        pass  # closed without an answer, and our unread request made it a reset
    head, _, body = data.partition(b"\r\n\r\n")
    status = head.split(b" ")[1].decode() if head.startswith(b"HTTP/") else "closed"
    text = body.decode(errors="replace").strip()
    # JSON answers print as they are; anything else as {"status": ...} for the checks.
    print(text if text.startswith("{") else json.dumps({"status": status}))


def main():
    if sys.argv[1] == "events":
        sys.exit(0 if check_events(sys.argv[2], sys.argv[3]) else 1)
    if sys.argv[1] == "proxy":
        proxy_request(*sys.argv[2:7])


if __name__ == "__main__":
    main()
