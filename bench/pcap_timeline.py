#!/usr/bin/env python3
"""Where a scan's time goes, from a capture of the server's link (bench/scan_visitors.sh PCAP=).

Reads a classic pcap of raw IPv4 packets (a TUN device: link type RAW) and prints, per visitor
address, the probes the server sent (TCP SYNs, UDP datagrams, ICMP echo requests), the answers
and ICMP errors that came back, and the times of the first and last probe; then the server's
probes per 100 ms over the whole capture. Standard library only.
"""

import argparse
import collections
import ipaddress
import struct
import sys

LINKTYPE_RAW = (12, 101)


def packets(path):
    """Yields (seconds, IPv4 packet bytes) from a classic pcap file."""
    with open(path, "rb") as f:
        head = f.read(24)
        magic = struct.unpack("<I", head[:4])[0]
        order, nano = {0xA1B2C3D4: ("<", False), 0xA1B23C4D: ("<", True),
                       0xD4C3B2A1: (">", False), 0x4D3CB2A1: (">", True)}[magic]
        link = struct.unpack(order + "I", head[20:24])[0]
        if link not in LINKTYPE_RAW:
            sys.exit(f"link type {link}: expected raw IP (a TUN device)")
        while rec := f.read(16):
            sec, frac, incl, _ = struct.unpack(order + "IIII", rec)
            data = f.read(incl)
            yield sec + frac / (1e9 if nano else 1e6), data


def classify(pkt, server):
    """(visitor, kind) for one packet, or None for what is not part of a scan."""
    if len(pkt) < 20 or pkt[0] >> 4 != 4:
        return None
    ihl = (pkt[0] & 15) * 4
    proto = pkt[9]
    src, dst = ipaddress.ip_address(pkt[12:16]), ipaddress.ip_address(pkt[16:20])
    body = pkt[ihl:]
    outbound = src == server
    peer = dst if outbound else src
    if proto == 6 and len(body) >= 14:
        flags = body[13]
        if outbound:
            return peer, ("syn" if flags == 0x02 else None)
        if flags & 0x12 == 0x12:
            return peer, "synack"
        return peer, ("rst" if flags & 0x04 else None)
    if proto == 17:
        return peer, ("udp" if outbound else "udp answer")
    if proto == 1 and body:
        # The server's own ICMP (an error it sends, a reply to a visitor's ping) is not a probe.
        kinds = {8: "echo"} if outbound else {0: "echo reply", 3: "icmp error"}
        return peer, kinds.get(body[0])
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pcap")
    ap.add_argument("--server", default="198.18.0.1")
    ap.add_argument("--bin-ms", type=float, default=100)
    args = ap.parse_args()
    server = ipaddress.ip_address(args.server)

    per = collections.defaultdict(collections.Counter)
    first, last = {}, {}
    bins = collections.Counter()
    start = None
    for t, pkt in packets(args.pcap):
        c = classify(pkt, server)
        if not c or not c[1]:
            continue
        peer, kind = c
        if kind in ("syn", "udp", "echo"):
            start = t if start is None else start
            first.setdefault(peer, t)
            last[peer] = t
            bins[int((t - start) * 1000 / args.bin_ms)] += 1
        per[peer][kind] += 1

    if start is None:
        sys.exit("no probes in the capture")
    kinds = ["syn", "synack", "rst", "icmp error", "udp", "echo"]
    print("visitor         " + "".join(f"{k:>11}" for k in kinds) + "   first s    last s")
    for peer in sorted(first, key=lambda p: first[p]):
        row = "".join(f"{per[peer][k]:>11}" for k in kinds)
        print(f"{str(peer):<16}{row}{first[peer] - start:>10.3f}{last[peer] - start:>10.3f}")
    total = sum(sum(per[p][k] for k in ("syn", "udp", "echo")) for p in first)
    print(f"probes: {total}")
    print(f"\nprobes sent per {args.bin_ms:g} ms:")
    for b in range(max(bins) + 1):
        print(f"{b * args.bin_ms / 1000:>7.2f} s {bins[b]:>7}")


if __name__ == "__main__":
    main()
