#!/usr/bin/env python3
"""Counts wrong verdicts of one scan on a benchmark test bed, TCP or UDP.

Usage: count_wrong.py (bw RESULT.json | nmap RESULT.xml) PORTS OPEN CLOSED [ICMP]
       count_wrong.py --udp (bw RESULT.json | nmap RESULT.xml) TRUTH

TCP (bench/full_range.sh, bench/compare_nmap.sh): OPEN and CLOSED are port lists ("22,80",
"100-149" or "-"); every other port in PORTS should be stealth (nmap: filtered). ICMP
(optional) lists the ports that answer with an ICMP unreachable, closed for breakwater whether
or not CLOSED lists them too: nmap calls those "filtered" with the ICMP reason (port-unreach,
admin-prohibited), which counts as right, while "filtered" with no-response (the error never
seen) counts as wrong. Prints the number of wrong or missing verdicts.

UDP (bench/udp_vs_nmap.sh, the bed of tests/e2e/udp_bed.sh): TRUTH has one line per port,
"PORT STATE ..." with STATE open, closed, filtered or stealth. Prints "WRONG OPEN_OR_FILTERED
PORTS": the number of wrong or missing verdicts, how many ports nmap called open|filtered,
and the wrong ones as PORT:GOT (or "-"). breakwater's state must be the design's. nmap's
open, closed and filtered must be the design's (its "filtered" is ICMP unreachable other than
port-unreachable: our filtered); its open|filtered (no answer) counts as right where the
design is silence (stealth), as wrong where something answers or an ICMP error comes back.
"""
import json
import sys
import xml.etree.ElementTree as ET


def ports(spec):
    """The ports of a list such as "22,80,100-149" ("-" or empty: none)."""
    out = set()
    if spec and spec != "-":
        for item in spec.split(","):
            lo, _, hi = item.partition("-")
            out.update(range(int(lo), int(hi or lo) + 1))
    return out


def nmap_ports(path, protocol=None):
    """{port: (state, reason)} from nmap's XML report, the ports it folds into "extraports"
    (listed by reason since nmap 7.80) included; `protocol` keeps only that one's <port>s."""
    root = ET.parse(path).getroot()
    got = {}
    for port in root.iter("port"):
        if protocol is None or port.get("protocol") == protocol:
            st = port.find("state")
            got[int(port.get("portid"))] = (st.get("state"), st.get("reason"))
    for ep in root.iter("extraports"):
        for er in ep.iter("extrareasons"):
            for p in ports(er.get("ports") or ""):
                got[p] = (ep.get("state"), er.get("reason"))
    return got


def bw_result(path):
    """breakwater's JSON. Only the states count here: bytes that are not UTF-8 in an answer's
    text (a fault the e2e tests report) must not hide them."""
    with open(path, "rb") as f:
        return json.loads(f.read().decode("utf-8", errors="replace"))


# nmap's reasons for "filtered" that mean an ICMP unreachable came back (our "closed").
ICMP_REASONS = {"port-unreach", "admin-prohibited", "host-unreach", "net-unreach",
                "proto-unreach", "host-prohibited", "net-prohibited"}


def tcp_nmap_states(path, icmp_ports):
    names = {"open": "open", "closed": "closed", "filtered": "stealth"}
    out = {}
    for p, (state, why) in nmap_ports(path).items():
        if p in icmp_ports and state == "filtered" and why in ICMP_REASONS:
            out[p] = "closed"
        else:
            out[p] = names.get(state, state)
    return out


def count_tcp(kind, path, all_ports, open_, closed, icmp=None):
    icmp_ports = ports(icmp) if icmp is not None else set()
    if kind == "bw":
        got = {p["port"]: p["state"] for p in bw_result(path)["ports"]}
    else:
        got = tcp_nmap_states(path, icmp_ports)
    want = {p: "stealth" for p in ports(all_ports)}
    want.update({p: "open" for p in ports(open_)})
    want.update({p: "closed" for p in ports(closed) | icmp_ports})
    return str(sum(1 for p, s in want.items() if got.get(p) != s))


def count_udp(kind, path, truth_path):
    want = {}
    with open(truth_path) as f:
        for line in f:
            words = line.split()
            if words:
                want[int(words[0])] = words[1]
    if kind == "bw":
        got = {u["port"]: u["state"] for u in bw_result(path).get("udp", [])}
        right = lambda p, s: s == want[p]
    else:
        got = {p: state for p, (state, _) in nmap_ports(path, "udp").items()}
        right = lambda p, s: s == want[p] or (s == "open|filtered" and want[p] == "stealth")
    wrong = ["%d:%s" % (p, got.get(p, "missing")) for p in sorted(want) if not right(p, got.get(p))]
    either = sum(1 for s in got.values() if s == "open|filtered")
    return f"{len(wrong)} {either} {','.join(wrong) or '-'}"


def main(args):
    if args[:1] == ["--udp"]:
        print(count_udp(*args[1:4]))
    else:
        print(count_tcp(*args[:6]))


if __name__ == "__main__":
    main(sys.argv[1:])
