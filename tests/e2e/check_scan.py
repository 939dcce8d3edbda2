#!/usr/bin/env python3
"""Checks `breakwater probe --json` output against what the test bed was set up to do.

Usage: check_scan.py RESULT.json --ports 0-1055 --open 22,80 --rst 3,4,100-109
          --icmp-admin 135 --icmp-port 111 [--open-by-ack 80] [--ping yes|no|unpermitted]
          [--upnp yes|no]
Every port not listed must be stealth. An open port shows itself by a SYN-ACK; on a lossy bed
(--lossy) also by a bare ACK of an earlier SYN whose SYN-ACK was lost ("ack"). --open-by-ack
ports must do the latter (their SYN-ACKs never arrive). Prints one line per wrong verdict; exit 1 if any.
With --unsure-ok, a stealth port the engine says it is unsure of (its ICMP re-check ran out of
time: "unresolved") is not counted wrong, whatever the port does.
With --lossy (the bed loses packets), a result whose only wrong verdict is one answering port
called stealth after every try went unanswered exits 3 instead: what the link's loss explains
(the engine allows one such verdict in a hundred scans), for the caller to scan again.
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


def wrong_verdicts(r, ports_="-", open_="-", rst="-", icmp_admin="-", icmp_port="-", ping=None, upnp=None,
                   open_by_ack="-", lossy=False, unsure_ok=False):
    """One line per wrong verdict of result `r` (the object of `probe --json`)."""
    # Per port: the state, the reasons that may give it, the ICMP message's name.
    want = {p: ("stealth", {"no-response"}, None) for p in ports(ports_)}
    for p in ports(open_):
        want[p] = ("open", {"syn-ack", "ack"} if lossy else {"syn-ack"}, None)
    for p in ports(open_by_ack):
        want[p] = ("open", {"ack"}, None)
    for p in ports(rst):
        want[p] = ("closed", {"rst"}, None)
    for p in ports(icmp_admin):
        want[p] = ("closed", {"icmp-unreachable"}, "admin-prohibited")
    for p in ports(icmp_port):
        want[p] = ("closed", {"icmp-unreachable"}, "port-unreachable")
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
        elif unsure_ok and got[0] == "stealth" and entry.get("icmp_rate_limit") == "unresolved":
            continue
        elif got[0] != want[port][0] or got[1] not in want[port][1] or got[2] != want[port][2]:
            recheck = entry.get("icmp_rate_limit")
            wrong.append(f"port {port}: got {got}, want {want[port]} (tries {entry['tries']}"
                         + (f", ICMP re-check: {recheck})" if recheck else ")"))
    for port in sorted(set(want) - seen):
        wrong.append(f"port {port} missing")
    s = r["summary"]
    if s["open"] + s["closed"] + s["stealth"] != len(want):
        wrong.append(f"summary {s} does not add up to {len(want)} ports")
    if ping:
        p = r.get("ping") or {}
        got = "unpermitted" if not p.get("permitted") else ("yes" if p.get("answered") else "no")
        if got != ping:
            wrong.append(f"ping: got {got} ({p}), want {ping}")
    if upnp:
        u = r.get("upnp") or {}
        got = "yes" if u.get("answered") else "no"
        if got != upnp:
            wrong.append(f"upnp: got {got} ({u}), want {upnp}")
        if got == "yes" and u.get("headers", {}).get("ST") != "upnp:rootdevice":
            wrong.append(f"upnp: headers not reported: {u}")
    return wrong


def lost_to_loss(r, wrong, ports_, open_, rst, icmp_admin, icmp_port, open_by_ack="-"):
    """Whether the one wrong verdict is an answering port that every try found silent."""
    if len(wrong) != 1:
        return False
    answering = ports(open_) | ports(rst) | ports(icmp_admin) | ports(icmp_port) | ports(open_by_ack)
    silent = [e for e in r["ports"] if e["port"] in answering and e["port"] in ports(ports_)
              and (e["state"], e["reason"]) == ("stealth", "no-response")]
    return len(silent) == 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("result")
    for name in ("ports", "open", "rst", "icmp-admin", "icmp-port", "open-by-ack"):
        ap.add_argument("--" + name, default="-")
    ap.add_argument("--ping", choices=["yes", "no", "unpermitted"])
    ap.add_argument("--upnp", choices=["yes", "no"])
    ap.add_argument("--lossy", action="store_true")
    ap.add_argument("--unsure-ok", action="store_true")
    a = ap.parse_args()
    with open(a.result) as f:
        r = json.load(f)
    wrong = wrong_verdicts(r, a.ports, a.open, a.rst, a.icmp_admin, a.icmp_port, a.ping, a.upnp,
                           a.open_by_ack, a.lossy, a.unsure_ok)
    for w in wrong[:20]:
        print("   ", w)
    if wrong:
        # What the engine made of the target, for a failure seen once in a CI log.
        context = {k: r.get(k) for k in ("elapsed_ms", "srtt_ms", "icmp_rate_limited", "icmp_limit")}
        print("    scan:", json.dumps(context))
    if len(wrong) > 20:
        print(f"    ... and {len(wrong) - 20} more")
    if wrong and a.lossy and lost_to_loss(r, wrong, a.ports, a.open, a.rst, a.icmp_admin, a.icmp_port,
                                       a.open_by_ack):
        print("    (every try of that port, or its answer, was lost: the link's loss explains it)")
        return 3
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
