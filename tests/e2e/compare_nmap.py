#!/usr/bin/env python3
"""Compares nmap's XML report with `breakwater probe --json` on the same target and ports.

nmap's states map to breakwater's: open = open, closed = closed (a reset), filtered = stealth,
except that nmap also calls a port "filtered" when an ICMP unreachable came back; breakwater
calls that closed, and the reasons must then agree (nmap: admin-prohibited, port-unreach).
Prints each disagreement; exit 1 if any.
"""
import json
import sys
import xml.etree.ElementTree as ET


def main():
    nmap_xml, ours_json = sys.argv[1], sys.argv[2]
    nmap = {}
    for port in ET.parse(nmap_xml).getroot().iter("port"):
        if port.get("protocol") != "tcp":
            continue
        st = port.find("state")
        nmap[int(port.get("portid"))] = (st.get("state"), st.get("reason"))
    # Ports nmap folds into "extraports" are listed by reason (nmap 7.80 and later).
    extra = None
    for ep in ET.parse(nmap_xml).getroot().iter("extraports"):
        for er in ep.iter("extrareasons"):
            for item in (er.get("ports") or "").split(","):
                if item:
                    lo, _, hi = item.partition("-")
                    for port in range(int(lo), int(hi or lo) + 1):
                        nmap[port] = (ep.get("state"), er.get("reason"))
        if not any(er.get("ports") for er in ep.iter("extrareasons")):
            extra = (ep.get("state"), None)
    with open(ours_json) as f:
        ours = {p["port"]: p for p in json.load(f)["ports"]}
    wrong = []
    for port, p in sorted(ours.items()):
        state, reason = nmap.get(port, extra or ("missing", None))
        if p["state"] == "open":
            ok = state == "open"
        elif p["state"] == "closed" and p["reason"] == "rst":
            ok = state == "closed"
        elif p["state"] == "closed":
            name = p.get("icmp", {}).get("name", "")
            want = {"admin-prohibited": "admin-prohibited", "port-unreachable": "port-unreach"}
            ok = state == "filtered" and (reason is None or reason == want.get(name))
        else:
            ok = state == "filtered" and (reason is None or reason == "no-response")
        if not ok:
            wrong.append(f"port {port}: breakwater {p['state']} ({p['reason']}), nmap {state} ({reason})")
    for w in wrong[:20]:
        print("   ", w)
    print(f"    nmap agreement: {len(ours) - len(wrong)}/{len(ours)} ports")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
