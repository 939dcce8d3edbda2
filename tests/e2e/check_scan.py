#!/usr/bin/env python3
"""Checks `breakwater probe --json` output against what the test bed was set up to do.

Usage: check_scan.py RESULT.json --ports 0-1055 --open 22,80 --rst 3,4,100-109
          --icmp-admin 135 --icmp-port 111 [--ping yes|no|unpermitted] [--upnp yes|no]
Every port not listed must be stealth. Prints one line per wrong verdict; exit 1 if any.
"""
import argparse
import json
import sys


def ports(spec):
    out = set()
    if not spec or spec == "-":
        return out
    for item in spec.replace(" ", "").split(","):
        lo, _, hi = item.partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("result")
    for name in ("ports", "open", "rst", "icmp-admin", "icmp-port"):
        ap.add_argument("--" + name, default="-")
    ap.add_argument("--ping", choices=["yes", "no", "unpermitted"])
    ap.add_argument("--upnp", choices=["yes", "no"])
    a = ap.parse_args()
    with open(a.result) as f:
        r = json.load(f)
    want = {p: ("stealth", "no-response", None) for p in ports(a.ports)}
    for p in ports(a.open):
        want[p] = ("open", "syn-ack", None)
    for p in ports(a.rst):
        want[p] = ("closed", "rst", None)
    for p in ports(a.icmp_admin):
        want[p] = ("closed", "icmp-unreachable", "admin-prohibited")
    for p in ports(a.icmp_port):
        want[p] = ("closed", "icmp-unreachable", "port-unreachable")
    wrong = []
    seen = set()
    for entry in r["ports"]:
        port = entry["port"]
        if port in seen:
            wrong.append(f"port {port} listed twice")
        seen.add(port)
        got = (entry["state"], entry["reason"], entry.get("icmp", {}).get("name"))
        if port not in want:
            wrong.append(f"port {port} was not requested")
        elif got != want[port]:
            wrong.append(f"port {port}: got {got}, want {want[port]} (tries {entry['tries']})")
    for port in sorted(set(want) - seen):
        wrong.append(f"port {port} missing")
    s = r["summary"]
    if s["open"] + s["closed"] + s["stealth"] != len(want):
        wrong.append(f"summary {s} does not add up to {len(want)} ports")
    if a.ping:
        ping = r.get("ping") or {}
        got = "unpermitted" if not ping.get("permitted") else ("yes" if ping.get("answered") else "no")
        if got != a.ping:
            wrong.append(f"ping: got {got} ({ping}), want {a.ping}")
    if a.upnp:
        upnp = r.get("upnp") or {}
        got = "yes" if upnp.get("answered") else "no"
        if got != a.upnp:
            wrong.append(f"upnp: got {got} ({upnp}), want {a.upnp}")
        if got == "yes" and upnp.get("headers", {}).get("ST") != "upnp:rootdevice":
            wrong.append(f"upnp: headers not reported: {upnp}")
    for w in wrong[:20]:
        print("   ", w)
    if len(wrong) > 20:
        print(f"    ... and {len(wrong) - 20} more")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
