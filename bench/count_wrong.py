#!/usr/bin/env python3
"""Counts wrong verdicts of one scan on the benchmark test bed.

Usage: count_wrong.py (bw RESULT.json | nmap RESULT.xml) PORTS OPEN CLOSED [ICMP]
OPEN and CLOSED are port lists ("22,80", "100-149" or "-"); every other port in PORTS should
be stealth (nmap: filtered). ICMP (optional) lists the ports that answer with an ICMP
unreachable, closed for breakwater whether or not CLOSED lists them too: nmap calls those
"filtered" with the ICMP reason (port-unreach, admin-prohibited), which counts as right, while
"filtered" with no-response (the error never seen) counts as wrong. Prints the number of wrong
or missing verdicts.
"""
import json
import sys
import xml.etree.ElementTree as ET


def ports(spec):
    out = set()
    if spec and spec != "-":
        for item in spec.split(","):
            lo, _, hi = item.partition("-")
            out.update(range(int(lo), int(hi or lo) + 1))
    return out


# nmap's reasons for "filtered" that mean an ICMP unreachable came back (our "closed").
ICMP_REASONS = {"port-unreach", "admin-prohibited", "host-unreach", "net-unreach",
                "proto-unreach", "host-prohibited", "net-prohibited"}


def nmap_states(path, icmp_ports):
    root = ET.parse(path).getroot()
    got = {}
    for port in root.iter("port"):
        st = port.find("state")
        got[int(port.get("portid"))] = (st.get("state"), st.get("reason"))
    for ep in root.iter("extraports"):
        for er in ep.iter("extrareasons"):
            for item in (er.get("ports") or "").split(","):
                if item:
                    lo, _, hi = item.partition("-")
                    for p in range(int(lo), int(hi or lo) + 1):
                        got[p] = (ep.get("state"), er.get("reason"))
    names = {"open": "open", "closed": "closed", "filtered": "stealth"}
    out = {}
    for p, (state, why) in got.items():
        if p in icmp_ports and state == "filtered" and why in ICMP_REASONS:
            out[p] = "closed"
        else:
            out[p] = names.get(state, state)
    return out


def main():
    kind, path, all_ports, open_, closed = sys.argv[1:6]
    icmp_ports = ports(sys.argv[6]) if len(sys.argv) > 6 else set()
    if kind == "bw":
        with open(path) as f:
            got = {p["port"]: p["state"] for p in json.load(f)["ports"]}
    else:
        got = nmap_states(path, icmp_ports)
    want = {p: "stealth" for p in ports(all_ports)}
    want.update({p: "open" for p in ports(open_)})
    want.update({p: "closed" for p in ports(closed) | icmp_ports})
    print(sum(1 for p, s in want.items() if got.get(p) != s))


if __name__ == "__main__":
    main()
