#!/usr/bin/env python3
"""UDP services for the scan browser test, run in the visitor namespace of the test bed: a DNS
server that recurses for anyone (RFC 1035 4.1: the query echoed with QR, RD and RA set and one A
record) and memcached over UDP (its protocol.txt: the 8-byte frame header, then "VERSION ...",
with markup in the version so that the pages must show it as text). memcached lets the first
request go unanswered: its answer then comes to the next try, after the result page has loaded,
so that the page's script must show it. Usage: udp_responders.py ADDRESS; prints "ready" once
both sockets are bound."""
import selectors
import socket
import struct
import sys

MEMCACHED_VERSION = b"VERSION 1.6.21 <i>bw</i>\r\n"


def dns_answer(query):
    if len(query) < 12:
        return None
    at = 12
    while at < len(query) and query[at] != 0:
        at += query[at] + 1
    question = query[12:at + 5]
    header = query[:2] + struct.pack("!HHHHH", 0x8180, 1, 1, 0, 0)
    record = struct.pack("!HHHIH", 0xC00C, 1, 1, 3600, 4) + bytes([192, 0, 2, 1])
    return header + question + record


memcached_requests = 0


def memcached_answer(request):
    global memcached_requests
    memcached_requests += 1
    if len(request) < 8 or memcached_requests == 1:
        return None
    return request[:2] + struct.pack("!HHH", 0, 1, 0) + MEMCACHED_VERSION


def main():
    address = sys.argv[1]
    services = {53: dns_answer, 11211: memcached_answer}
    selector = selectors.DefaultSelector()
    for port, answer in services.items():
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((address, port))
        selector.register(s, selectors.EVENT_READ, answer)
    print("ready", flush=True)
    while True:
        for key, _ in selector.select():
            data, peer = key.fileobj.recvfrom(2048)
            reply = key.data(data)
            if reply:
                key.fileobj.sendto(reply, peer)


if __name__ == "__main__":
    main()
