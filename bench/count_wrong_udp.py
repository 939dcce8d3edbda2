#!/usr/bin/env python3
"""Counts wrong UDP verdicts of one scan of the UDP test bed (tests/e2e/udp_bed.sh).

Usage: count_wrong_udp.py (bw RESULT.json | nmap RESULT.xml) TRUTH
TRUTH: one line per port, "PORT STATE ..." with STATE open, closed, filtered or stealth.
Prints "WRONG OPEN_OR_FILTERED PORTS": the number of wrong or missing verdicts, how many
ports nmap called open|filtered, and the wrong ones as PORT:GOT (or "-").

Counting: breakwater's state must be the design's. nmap's open, closed and filtered must be
the design's (its "filtered" is ICMP unreachable other than port-unreachable: our filtered);
its open|filtered (no answer) counts as right where the design is silence (stealth), as
wrong where something answers or an ICMP error comes back.
"""
import json
import sys
import xml.etree.ElementTree as ET


def nmap_states(path):
    got = {}
    root = ET.parse(path).getroot()
    for port in root.iter("port"):
        if port.get("protocol") == "udp":
            got[int(port.get("portid"))] = port.find("state").get("state")
    for ep in root.iter("extraports"):
        for er in ep.iter("extrareasons"):
            for item in (er.get("ports") or "").split(","):
                if item:
                    lo, _, hi = item.partition("-")
                    for p in range(int(lo), int(hi or lo) + 1):
                        got[p] = ep.get("state")
    return got


def main():
    kind, path, truth_path = sys.argv[1:4]
    want = {}
    with open(truth_path) as f:
        for line in f:
            words = line.split()
            if words:
                want[int(words[0])] = words[1]
    if kind == "bw":
        # Only the states count here: bytes that are not UTF-8 in an answer's text (a fault the
        # e2e test reports) must not hide them.
        with open(path, "rb") as f:
            doc = json.loads(f.read().decode("utf-8", errors="replace"))
        got = {u["port"]: u["state"] for u in doc.get("udp", [])}
        right = lambda p, s: s == want[p]
    else:
        got = nmap_states(path)
        right = lambda p, s: s == want[p] or (s == "open|filtered" and want[p] == "stealth")
    wrong = ["%d:%s" % (p, got.get(p, "missing")) for p in sorted(want) if not right(p, got.get(p))]
    either = sum(1 for s in got.values() if s == "open|filtered")
    print(len(wrong), either, ",".join(wrong) or "-")


if __name__ == "__main__":
    main()
