#!/usr/bin/env python3
"""Peer for the database-load benchmark: loads the same files with Python's csv and tomllib
modules (C-accelerated csv, pure-Python TOML) and builds a per-port dictionary, the way a
straightforward script would. Prints milliseconds per load, best of N."""
import csv, glob, io, os, sys, time, tomllib

data = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10

def load():
    by_port = {}
    with open(os.path.join(data, "iana/service-names-port-numbers.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            ports = row["Port Number"]
            if not ports:
                continue
            lo, _, hi = ports.partition("-")
            for p in range(int(lo), int(hi or lo) + 1):
                by_port.setdefault(p, []).append(row)
    entries = {}
    for path in glob.glob(os.path.join(data, "ports/*.toml")):
        with open(path, "rb") as f:
            e = tomllib.load(f)
        entries[e["port"]] = e
    return by_port, entries

best = min(((lambda t0: (load(), time.perf_counter() - t0)[1])(time.perf_counter())) for _ in range(runs))
print(f"{best * 1000:.1f}")
