#!/usr/bin/env python3
"""One tool's run of bench/full_range.sh as table cells: probes sent, the rate and RTO used,
and the bounds the wall time is held against.

Usage: full_range_cells.py bw RESULT.json RATE SEED_MS INITIAL_MS WALL_S
       full_range_cells.py nmap STDOUT WALL_S
Prints "PROBES RATE ACHIEVED RTO_MS ISSUE_BOUND ENGINE_MODEL NOTE" (fields "-" when they do
not apply): ACHIEVED is PROBES / WALL_S. For nmap, PROBES is its "Raw packets sent" and NOTE
how far a run that hit the time limit had come ("12.3%-done-after-600s").

breakwater's RTO is not in its output; it is replayed here from what the engine saw, by the
engine's own rules (src/probe/detail/rtt_estimator.cpp, RFC 6298 2.2-2.3): the seed (the
--rtt-ms given) as the first sample, then every answer's RTT in port order (the order the
probes left), clamped to 100 ms-3 s; without any sample it is the initial timeout. The
bounds:
  issue:  65536 / RATE + 2 x RTO (every port once at the rate, then the last try's timeout)
  model:  max(PROBES / RATE, LISTEN / IN_FLIGHT) + the last try's timeout (2 x RTO once a
          round trip is known, else the initial timeout: tries are not backed off then), where
          PROBES counts every try (a silent port gets two) and LISTEN is the probe-seconds spent
          listening: a scan has at most IN_FLIGHT probes out (probe::scan_in_flight_cap: the
          rate times twice the initial timeout, at least 4,096), so a long timeout could cap
          the rate.
NOTE names the term of the model that dominates ("rate-bound", "in-flight-bound"), or says
"below-the-model" when the wall time is over 1.15 times the model: the scan did not keep the
rate it was given.
"""
import json
import re
import sys

FLOOR_MS, CEILING_MS = 100.0, 3000.0
MIN_IN_FLIGHT = 4096  # probe::min_scan_in_flight
ENGINE_IN_FLIGHT = 16384  # probe::engine_options::max_in_flight: the CLI does not change it
ENGINE_MAX_RATE = 20000.0  # probe::engine_options::max_rate: the CLI does not change it


def replay_rto(rtts, seed_ms, initial_ms):
    srtt = rttvar = None
    samples = ([seed_ms] if seed_ms > 0 else []) + rtts
    for r in samples:
        if srtt is None:
            srtt, rttvar = r, r / 2
        else:
            rttvar = (3 * rttvar + abs(srtt - r)) / 4
            srtt = (7 * srtt + r) / 8
    if srtt is None:
        return min(max(initial_ms, FLOOR_MS), CEILING_MS), False
    return min(max(srtt + max(1.0, 4 * rttvar), FLOOR_MS), CEILING_MS), True


def bw_cells(path, rate, seed_ms, initial_ms, wall):
    with open(path) as f:
        r = json.load(f)
    ports = r["ports"]
    probes = sum(p["tries"] for p in ports)
    rtts = [p["rtt_ms"] for p in sorted(ports, key=lambda p: p["port"]) if "rtt_ms" in p]
    rto, measured = replay_rto(rtts, seed_ms, initial_ms)
    # probe::scan_in_flight_cap, within the engine's own bound
    in_flight = min(max(MIN_IN_FLIGHT, rate * 2 * initial_ms / 1000), ENGINE_IN_FLIGHT)
    rate = min(rate, ENGINE_MAX_RATE)
    if measured:
        listen = sum(rto / 1000 * (1 if p["tries"] == 1 else 1 + 2 * (p["tries"] - 1)) for p in ports)
    else:  # every try listens the whole initial timeout (the hedged tries overlap)
        listen = probes * rto / 1000
    # Measured, a silent port's last try waits twice the RTO; unmeasured, every try waits the
    # initial timeout (scan_run::main_timeout).
    tail = (2 if measured else 1) * rto / 1000
    issue = len(ports) / rate + 2 * rto / 1000
    engine = max(probes / rate, listen / in_flight) + tail
    note = "in-flight-bound" if listen / in_flight > probes / rate else "rate-bound"
    if wall > 1.15 * engine:
        note = "below-the-model"
    return f"{probes} {rate:.0f} {probes / wall:.0f} {rto:.0f} {issue:.2f} {engine:.2f} {note}"


def nmap_cells(path, wall):
    text = open(path, errors="replace").read()
    sent = re.findall(r"Raw packets sent: (\d+)", text)
    done = re.findall(r"About ([\d.]+)% done", text)
    elapsed = re.findall(r"Stats: (\d+):(\d+):(\d+) elapsed", text)
    note = "-"
    if "Nmap done" not in text and done and elapsed:
        h, m, s = map(int, elapsed[-1])
        t = 3600 * h + 60 * m + s
        pct = float(done[-1])
        note = f"{pct}%-done-after-{t}s(about-{t * 100 / pct / 3600:.1f}h-in-all)"
    achieved = f"{int(sent[-1]) / wall:.0f}" if sent else "-"
    return f"{sent[-1] if sent else '-'} - {achieved} - - - {note}"


def main():
    if sys.argv[1] == "bw":
        print(bw_cells(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]),
                       float(sys.argv[6])))
    else:
        print(nmap_cells(sys.argv[2], float(sys.argv[3])))


if __name__ == "__main__":
    main()
