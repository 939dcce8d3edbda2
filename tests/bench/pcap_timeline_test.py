#!/usr/bin/env python3
"""bench/pcap_timeline.py on a small capture written here: a TUN capture (raw IPv4) of two
visitors' probes and answers, in microsecond and nanosecond pcap, and a capture of another
link type, which it must refuse.
Usage: pcap_timeline_test.py BENCH_DIR"""
import os
import struct
import subprocess
import sys
import tempfile

SERVER = bytes([198, 18, 0, 1])
A = bytes([198, 18, 1, 1])
B = bytes([198, 18, 1, 2])


def ipv4(src, dst, proto, body):
    head = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(body), 0, 0, 64, proto, 0, src, dst)
    return head + body


def tcp(src, dst, sport, dport, flags):
    return ipv4(src, dst, 6, struct.pack(">HHIIBBHHH", sport, dport, 0, 0, 0x50, flags, 0, 0, 0))


def icmp_unreachable(src, dst, quoted):
    return ipv4(src, dst, 1, bytes([3, 3, 0, 0, 0, 0, 0, 0]) + quoted[:28])


def capture(path, packets, nano=False, link=101):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D if nano else 0xA1B2C3D4, 2, 4, 0, 0, 65535,
                            link))
        for t, pkt in packets:
            frac = round((t % 1) * (1e9 if nano else 1e6))
            f.write(struct.pack("<IIII", int(t), frac, len(pkt), len(pkt)) + pkt)


def main():
    bench = sys.argv[1]
    script = os.path.join(bench, "pcap_timeline.py")
    syn_a = tcp(SERVER, A, 40000, 22, 0x02)
    packets = [
        (100.000, syn_a),
        (100.010, tcp(SERVER, A, 40000, 23, 0x02)),
        (100.020, tcp(SERVER, B, 40000, 80, 0x02)),
        (100.050, tcp(A, SERVER, 22, 40000, 0x12)),  # SYN-ACK
        (100.060, tcp(A, SERVER, 23, 40000, 0x14)),  # RST-ACK
        (100.070, icmp_unreachable(B, SERVER, tcp(SERVER, B, 40000, 80, 0x02))),
        (100.250, tcp(SERVER, B, 40000, 80, 0x02)),  # B's retry, in the third 100 ms
        (100.260, tcp(SERVER, A, 40000, 22, 0x10)),  # an ACK: not a probe
        (100.270, icmp_unreachable(SERVER, A, tcp(A, SERVER, 22, 40000, 0x12))),  # the server's
    ]
    failures = []
    with tempfile.TemporaryDirectory() as d:
        for nano in (False, True):
            path = os.path.join(d, f"cap-{nano}.pcap")
            capture(path, packets, nano)
            out = subprocess.run([sys.executable, script, path], capture_output=True, text=True,
                                 check=True).stdout
            rows = {line.split()[0]: line.split() for line in out.splitlines()
                    if line.startswith("198.18.")}
            # visitor, syn, synack, rst, icmp error, udp, echo, first s, last s
            want = {"198.18.1.1": ["2", "1", "1", "0", "0", "0", "0.000", "0.010"],
                    "198.18.1.2": ["2", "0", "0", "1", "0", "0", "0.020", "0.250"]}
            for who, cells in want.items():
                if rows.get(who, [None])[1:] != cells:
                    failures.append(f"nano={nano} {who}: {rows.get(who)} != {cells}")
            if "probes: 4" not in out:
                failures.append(f"nano={nano}: probe count\n{out}")
            bins = [line.split()[-1] for line in out.splitlines() if line.strip().endswith(
                tuple("0123456789")) and " s " in line]
            if bins != ["3", "0", "1"]:
                failures.append(f"nano={nano}: per 100 ms {bins}")
        ether = os.path.join(d, "ether.pcap")
        capture(ether, packets, link=1)
        r = subprocess.run([sys.executable, script, ether], capture_output=True, text=True)
        if r.returncode == 0 or "link type 1" not in r.stderr:
            failures.append(f"an Ethernet capture was not refused: {r.returncode} {r.stderr}")
    for f in failures:
        print("FAIL:", f)
    if failures:
        sys.exit(1)
    print("pcap_timeline: ok")


if __name__ == "__main__":
    main()
