#!/usr/bin/env python3
"""Small UDP (and TCP) services for the UDP test bed (tests/e2e/udp_bed.sh), one process.

Usage: udp_services.py [--bind ADDR] KIND:PORT ...
KIND is one of
  echo      RFC 862: every datagram comes back as it came
  qotd      RFC 865: any datagram draws a quote
  chargen   RFC 864: any datagram draws a block of 72-character lines (about 512 bytes)
  hello     answers any datagram with one line: a service the probe has no protocol for
  silent    reads and says nothing, the way WireGuard treats a datagram without its key
  ntp-old   an NTP server of the old reference implementation: mode 3 gets a mode 4 answer,
            a mode 7 MON_GETLIST(_1) request gets a monlist of made-up clients (the
            CVE-2013-5211 amplifier; layout of ntpd's ntp_request.h, info_monitor_1)
  tcp       a TCP listener that accepts and closes
Prints "ready" once every socket is bound.
"""
import selectors
import socket
import struct
import sys
import time

QUOTE = b"The only way to win is not to play. (A quote of the day for the test bed.)\r\n"


def chargen_block():
    # RFC 864: lines of 72 printable characters, each starting one further along.
    chars = bytes(range(33, 127))
    lines = []
    for i in range(7):
        line = bytes(chars[(i + j) % len(chars)] for j in range(72))
        lines.append(line + b"\r\n")
    return b"".join(lines)  # 7 * 74 = 518 bytes


def ntp_time_answer(request):
    # RFC 5905 7.3: LI 0, VN as asked, mode 4; stratum 2; the client's transmit time echoed as
    # the origin time.
    vn = (request[0] >> 3) & 7 or 4
    now = int(time.time()) + 2208988800
    ts = struct.pack("!II", now, 0)
    head = struct.pack("!BBbb", (vn << 3) | 4, 2, 6, -20)
    return head + struct.pack("!II", 0, 0) + b"\x0b\x00\x00\x01" + ts + request[40:48] + ts + ts


def ntp_monlist_answers(request):
    # ntpd's mode 7 response: R bit, more bit, version 2, mode 7; auth/seq; implementation;
    # request code; 4 bits error and 12 bits item count; 4 bits zero and 12 bits item size;
    # items of info_monitor_1 (72 bytes), at most six a datagram. Two datagrams of six.
    impl, code = request[2], request[3]
    answers = []
    for seq in range(2):
        items = b""
        for i in range(6):
            client = struct.unpack("!I", socket.inet_aton("203.0.113.%d" % (seq * 6 + i + 1)))[0]
            items += struct.pack("!IIIIIII", 60, 5, 0, 100 + i, client, 0, 0)
            items += struct.pack("!HBB", 123, 3, 4) + struct.pack("!II", 0, 0) + bytes(32)
        more = 0x40 if seq == 0 else 0
        head = struct.pack("!BBBBHH", 0x80 | more | (2 << 3) | 7, seq, impl, code, 6, 72)
        answers.append(head + items)
    return answers


def answers_for(kind, data):
    if kind == "echo":
        return [data]
    if kind == "qotd":
        return [QUOTE]
    if kind == "chargen":
        return [chargen_block()]
    if kind == "hello":
        return [b"hello from the test bed\n"]
    if kind == "ntp-old" and data:
        mode = data[0] & 7
        if mode == 3 and len(data) >= 48:
            return [ntp_time_answer(data)]
        if mode == 7 and len(data) >= 4 and data[3] in (20, 42):
            return ntp_monlist_answers(data)
    return []


def main():
    args = sys.argv[1:]
    bind = "0.0.0.0"
    if args[:1] == ["--bind"]:
        bind, args = args[1], args[2:]
    sel = selectors.DefaultSelector()
    for spec in args:
        kind, _, port = spec.partition(":")
        if kind == "tcp":
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((bind, int(port)))
            s.listen(64)
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((bind, int(port)))
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, kind)
    print("ready", flush=True)
    while True:
        for key, _ in sel.select():
            s, kind = key.fileobj, key.data
            try:
                if kind == "tcp":
                    s.accept()[0].close()
                    continue
                data, peer = s.recvfrom(65535)
                for answer in answers_for(kind, data):
                    s.sendto(answer, peer)
            except OSError:
                pass


if __name__ == "__main__":
    main()
