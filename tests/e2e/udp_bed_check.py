#!/usr/bin/env python3
"""The UDP test bed's own check: is the bed what it is designed to be, without breakwater?

Usage: udp_bed_check.py SOURCE TARGET PORT...
Sends each port the request its service answers (handwritten here from the protocols'
specifications, independently of breakwater's), from SOURCE to TARGET, all ports at once, two
tries, and prints one line per port in the form of tests/e2e/udp_bed.sh's ub_truth:
  PORT open udp-answer | what came back
  PORT closed icmp-unreachable port-unreachable [SENDER when it is not TARGET]
  PORT filtered icmp-unreachable admin-prohibited [SENDER when it is not TARGET]
  PORT stealth no-response
ICMP errors are read from each connected socket's error queue (IP_RECVERR), which also names
the error's sender.
"""
import select
import socket
import struct
import sys
import time

IP_RECVERR = 11
SO_EE_ORIGIN_ICMP = 2
ICMP_NAMES = {(3, 0): "net-unreachable", (3, 1): "host-unreachable",
              (3, 3): "port-unreachable", (3, 9): "net-prohibited",
              (3, 10): "host-prohibited", (3, 13): "admin-prohibited"}


def dns_query():
    # RFC 1035 4.1.1: id 0x4257, RD set, one question: example.com A IN.
    name = b"".join(bytes([len(p)]) + p for p in (b"example", b"com")) + b"\0"
    return struct.pack("!HHHHHH", 0x4257, 0x0100, 1, 0, 0, 0) + name + struct.pack("!HH", 1, 1)


def snmp_get_sysdescr():
    # RFC 3416 GetRequest, SNMPv2c (RFC 1901), community "public", 1.3.6.1.2.1.1.1.0, in BER.
    oid = bytes([0x06, 0x08, 0x2B, 6, 1, 2, 1, 1, 1, 0])
    varbind = b"\x30" + bytes([len(oid) + 2]) + oid + b"\x05\x00"
    varbinds = b"\x30" + bytes([len(varbind)]) + varbind
    pdu_body = b"\x02\x01\x01\x02\x01\x00\x02\x01\x00" + varbinds
    pdu = b"\xa0" + bytes([len(pdu_body)]) + pdu_body
    body = b"\x02\x01\x01" + b"\x04\x06public" + pdu
    return b"\x30" + bytes([len(body)]) + body


def memcached_version():
    # memcached's protocol.txt, "UDP protocol": request id, sequence 0, 1 datagram, reserved.
    return struct.pack("!HHHH", 0x4257, 0, 1, 0) + b"version\r\n"


def ntp_client():
    # RFC 5905: LI 0, VN 4, mode 3; the transmit time identifies the answer.
    return bytes([0x23]) + bytes(39) + struct.pack("!II", 0x4257AAAA, 0)


def ntp_monlist():
    # ntpd's mode 7 MON_GETLIST_1 (request code 42), implementation XNTPD (3), version 2.
    return bytes([0x17, 0x00, 0x03, 0x2A]) + bytes(4) + bytes(40)


def ssdp_msearch():
    return (b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n"
            b"MX: 1\r\nST: ssdp:all\r\n\r\n")


REQUESTS = {53: [dns_query()], 161: [snmp_get_sysdescr()], 11211: [memcached_version()],
            123: [ntp_client(), ntp_monlist()], 1900: [ssdp_msearch()]}


def describe(port, answers):
    data = answers[0]
    sizes = "+".join(str(len(a)) for a in answers)
    if port == 53 and len(data) >= 12:
        flags, _, an = struct.unpack("!HHH", data[2:8])
        return "DNS %s bytes, RA=%d rcode=%d answers=%d" % (sizes, flags >> 7 & 1, flags & 15, an)
    if port == 123:
        modes = ",".join(str(a[0] & 7) for a in answers)
        return "NTP %s bytes, modes %s, stratum %d" % (sizes, modes, data[1])
    text = data.replace(b"\r", b"").replace(b"\n", b" ")[:60]
    return "%s bytes: %r" % (sizes, text)


def icmp_error(sock):
    try:
        _, anc, _, _ = sock.recvmsg(512, 512, socket.MSG_ERRQUEUE | socket.MSG_DONTWAIT)
    except (BlockingIOError, InterruptedError):
        return None
    for level, kind, data in anc:
        if level == socket.SOL_IP and kind == IP_RECVERR:
            _, origin, icmp_type, icmp_code = struct.unpack("=IBBB", data[:7])
            sender = socket.inet_ntoa(data[20:24]) if len(data) >= 24 else "?"
            if origin == SO_EE_ORIGIN_ICMP:
                return icmp_type, icmp_code, sender
    return None


def main():
    source, target = sys.argv[1], sys.argv[2]
    ports = [int(p) for p in sys.argv[3:]]
    socks, got = {}, {}
    for port in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_IP, IP_RECVERR, 1)
        s.bind((source, 0))
        s.connect((target, port))
        socks[port] = s
    for _ in range(2):
        for port, s in socks.items():
            if port not in got:
                for request in REQUESTS.get(port, [b"breakwater test bed\n"]):
                    s.send(request)
        deadline = time.monotonic() + 1.0
        while len(got) < len(ports) and time.monotonic() < deadline:
            waiting = [s for p, s in socks.items() if p not in got]
            ready, _, _ = select.select(waiting, [], [], max(0.0, deadline - time.monotonic()))
            for s in ready:
                port = s.getpeername()[1]
                error = icmp_error(s)
                if error:
                    got[port] = ("icmp", error)
                    continue
                answers = []
                time.sleep(0.05)  # the rest of a multi-datagram answer
                while True:
                    try:
                        answers.append(s.recv(65535, socket.MSG_DONTWAIT))
                    except (BlockingIOError, InterruptedError):
                        break
                    except OSError:
                        error = icmp_error(s)
                        break
                if answers:
                    got[port] = ("answer", answers)
                elif error:
                    got[port] = ("icmp", error)
    for port in ports:
        kind, what = got.get(port, ("silence", None))
        if kind == "answer":
            print("%d open udp-answer | %s" % (port, describe(port, what)))
        elif kind == "icmp":
            t, c, sender = what
            name = ICMP_NAMES.get((t, c), "type-%d-code-%d" % (t, c))
            state = "closed" if (t, c) == (3, 3) else "filtered"
            extra = "" if sender == target else " " + sender
            print("%d %s icmp-unreachable %s%s" % (port, state, name, extra))
        else:
            print("%d stealth no-response" % port)


if __name__ == "__main__":
    main()
