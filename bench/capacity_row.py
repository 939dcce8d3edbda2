#!/usr/bin/env python3
"""bench/capacity.sh's rows for one run of capacity_client.py.

Usage: capacity_row.py OUT.json RATE RUN PEAK_MIB DROPS_BEFORE DROPS_AFTER
(the DROPS are visitor_bed.sh's vb_drops lines: four counters each)
Prints two lines: the run's row of the main table (ending in "pass" or "fail ...") and, after
"DETAIL", its row of the server-CPU table. A run passes when every arrival completed, no
verdict was wrong, no visitor was reused before its rest, and the p95 completion (from the
planned arrival to "done") is at most 1.5 times the lone scans' median.
"""
import json
import math
import sys


def main():
    path, rate, run, peak = sys.argv[1:5]
    d0, d1 = sys.argv[5].split(), sys.argv[6].split()
    drops = " / ".join(str(int(b) - int(a)) for a, b in zip(d0, d1)) if len(d0) == len(d1) == 4 else "?"
    try:
        with open(path) as f:
            r = json.load(f)
    except (OSError, ValueError) as e:
        print(f"| {rate}/s | {run} | the client failed: {e} |" + " |" * 15 + " fail |")
        print("DETAIL")
        return
    scans = r["scans"]
    ok = [s for s in scans if s.get("state") == "done"]
    bad = len(scans) - len(ok) + len(r["dropped"])
    wrong = sum(s.get("wrong", 0) for s in ok)
    times = sorted(s["done"] - s["planned"] for s in ok)

    def pct(p):  # nearest rank
        return times[max(0, math.ceil(p / 100 * len(times)) - 1)] if times else math.nan

    lone = r["lone_median_s"] or math.nan
    p95 = pct(95)
    cpu = r["server_cpu_s"]
    window = r["window_s"]
    idle = 100 * r["machine_idle_s"] / (window * r["cores"])
    probes = r["probes"] / len(ok) if ok and r["probes"] else math.nan
    passed = bad == 0 and wrong == 0 and p95 <= 1.5 * lone and not r["early_reuse"]
    notes = []
    if r["early_reuse"]:
        notes.append(f"{r['early_reuse']} early reuses")
    lag = max((s["actual"] - s["planned"] for s in scans), default=0)
    if lag > 0.05:
        notes.append(f"arrivals up to {lag:.2f} s late")
    verdict = ("pass" if passed else "fail") + (" (" + ", ".join(notes) + ")" if notes else "")
    load = "-".join(r["loadavg_start"][:1] + r["loadavg_end"][:1])
    print(f"| {rate}/s | {run} | {len(scans) + len(r['dropped'])} | {len(ok)} | {bad} | {wrong} | "
          f"{lone:.2f} s | {pct(50):.2f} s | {p95:.2f} s | {times[-1] if times else math.nan:.2f} s | "
          f"{p95 / lone:.2f}x | {cpu:.2f} s | {len(ok) / cpu if cpu else math.nan:.0f} | {probes:.0f} | "
          f"{r['client_cpu_s']:.1f} / {r['relay_cpu_s']:.1f} / {r['machine_softirq_s']:.1f} s | "
          f"{idle:.0f}% | {load} | {verdict} |")
    threads = r.get("server_threads_s", {})
    user, system = threads.get("all", [math.nan, math.nan])
    busiest = max((sum(v) for k, v in threads.items() if k != "all"), default=math.nan)
    per_scan = 1000 * cpu / len(ok) if ok and cpu else math.nan
    print(f"DETAIL | {rate}/s | {run} | {window:.1f} s | {user:.2f} / {system:.2f} s | "
          f"{per_scan:.1f} ms | {busiest:.2f} s ({100 * busiest / window:.0f}% of a core) | "
          f"{(r['probes'] or 0) / window:.0f} | {peak} MiB | {drops} |")


if __name__ == "__main__":
    main()
