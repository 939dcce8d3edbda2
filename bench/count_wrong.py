#!/usr/bin/env python3
"""Counts wrong verdicts of one scan on the benchmark test bed.

Usage: count_wrong.py (bw RESULT.json | nmap RESULT.xml) PORTS OPEN CLOSED [ICMP]
OPEN, CLOSED and ICMP are port lists ("22,80", "100-149" or "-"); every other port in PORTS
should be stealth (nmap: filtered). CLOSED ports answer with a reset; ICMP ports with an ICMP
unreachable, which breakwater calls closed (the address answered) and nmap filtered (its word
for both an ICMP refusal and silence). Prints the number of wrong or missing verdicts.
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


def nmap_states(path):
    root = ET.parse(path).getroot()
    got = {}
    for port in root.iter("port"):
        got[int(port.get("portid"))] = port.find("state").get("state")
    for ep in root.iter("extraports"):
        for er in ep.iter("extrareasons"):
            for item in (er.get("ports") or "").split(","):
                if item:
                    lo, _, hi = item.partition("-")
                    for p in range(int(lo), int(hi or lo) + 1):
                        got[p] = ep.get("state")
    names = {"open": "open", "closed": "closed", "filtered": "stealth"}
    return {p: names.get(s, s) for p, s in got.items()}


def main():
    kind, path, all_ports, open_, closed = sys.argv[1:6]
    icmp = sys.argv[6] if len(sys.argv) > 6 else "-"
    if kind == "bw":
        with open(path) as f:
            got = {p["port"]: p["state"] for p in json.load(f)["ports"]}
    else:
        got = nmap_states(path)
    want = {p: "stealth" for p in ports(all_ports)}
    want.update({p: "open" for p in ports(open_)})
    want.update({p: "closed" for p in ports(closed)})
    want.update({p: "closed" if kind == "bw" else "stealth" for p in ports(icmp)})
    print(sum(1 for p, s in want.items() if got.get(p) != s))


if __name__ == "__main__":
    main()
