#!/usr/bin/env python3
"""bench/count_wrong.py on small reports of each kind: TCP and UDP, breakwater's JSON and
nmap's XML, with the verdicts each judgement counts as right and as wrong.
Usage: count_wrong_test.py BENCH_DIR"""
import os
import subprocess
import sys
import tempfile

TCP_NMAP = """<?xml version="1.0"?>
<nmaprun><host><ports>
<extraports state="filtered" count="6">
<extrareasons reason="no-response" count="4" proto="tcp" ports="100-102,104"/>
<extrareasons reason="port-unreach" count="2" proto="tcp" ports="20-21"/>
</extraports>
<port protocol="tcp" portid="22"><state state="open" reason="syn-ack"/></port>
<port protocol="tcp" portid="23"><state state="closed" reason="reset"/></port>
<port protocol="tcp" portid="25"><state state="filtered" reason="no-response"/></port>
<port protocol="tcp" portid="445"><state state="filtered" reason="admin-prohibited"/></port>
</ports></host></nmaprun>
"""

# 21, 25: ICMP ports; 25's error was never seen (no-response). 103: missing. 104: right.
TCP_BW = """{"ports": [
{"port": 20, "state": "closed"}, {"port": 21, "state": "closed"},
{"port": 22, "state": "open"}, {"port": 23, "state": "stealth"},
{"port": 100, "state": "stealth"}, {"port": 101, "state": "stealth"},
{"port": 102, "state": "stealth"}, {"port": 104, "state": "open"}]}
"""

UDP_NMAP = """<?xml version="1.0"?>
<nmaprun><host><ports>
<extraports state="open|filtered" count="2">
<extrareasons reason="no-response" count="2" proto="udp" ports="7,9"/>
</extraports>
<port protocol="udp" portid="53"><state state="open" reason="udp-response"/></port>
<port protocol="udp" portid="69"><state state="closed" reason="port-unreach"/></port>
<port protocol="udp" portid="123"><state state="filtered" reason="admin-prohibited"/></port>
<port protocol="udp" portid="161"><state state="open|filtered" reason="no-response"/></port>
<port protocol="tcp" portid="443"><state state="open" reason="syn-ack"/></port>
</ports></host></nmaprun>
"""

# Not UTF-8 in an answer's text: the states still count.
UDP_BW = (b'{"udp": [{"port": 7, "state": "stealth"}, {"port": 9, "state": "open"},'
          b' {"port": 53, "state": "open", "text": "\xff\xfe"},'
          b' {"port": 69, "state": "closed"}, {"port": 123, "state": "filtered"}]}')

TRUTH = "7 stealth\n9 stealth\n53 open dns\n69 closed\n123 filtered\n161 closed\n443 open\n"

failed = 0


def check(name, got, want):
    global failed
    ok = got == want
    failed += not ok
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {got!r}" + ("" if ok else f", want {want!r}"))


def main():
    script = os.path.join(os.path.abspath(sys.argv[1]), "count_wrong.py")
    work = tempfile.mkdtemp(prefix="bw-count-wrong-")
    files = {"tcp.xml": TCP_NMAP, "tcp.json": TCP_BW, "udp.xml": UDP_NMAP, "udp.json": UDP_BW,
             "truth": TRUTH}
    for name, text in files.items():
        with open(os.path.join(work, name), "wb") as f:
            f.write(text if isinstance(text, bytes) else text.encode())

    def run(*args):
        r = subprocess.run([sys.executable, script, *args], capture_output=True, text=True,
                           cwd=work)
        return r.stdout.strip() if r.returncode == 0 else f"exit {r.returncode}: {r.stderr}"

    tcp = ["20-25,100-104,445", "22", "23"]
    # nmap: 20 and 21 right (an ICMP reason), 25 wrong (no-response), 24 and 103 missing; 445
    # (admin-prohibited, not an ICMP port) is filtered, which is right for a stealth port.
    check("tcp nmap", run("nmap", "tcp.xml", *tcp, "20,21,25"), "3")
    # Without ICMP ports every filtered port is stealth: only 24 and 103 (missing) are wrong.
    check("tcp nmap, no ICMP ports", run("nmap", "tcp.xml", *tcp), "2")
    # bw: 23 stealth (want closed), 24 and 25 missing, 103 missing, 104 open, 445 missing.
    check("tcp bw", run("bw", "tcp.json", *tcp, "20,21,25"), "6")
    check("udp nmap", run("--udp", "nmap", "udp.xml", "truth"), "2 3 161:open|filtered,443:missing")
    check("udp bw", run("--udp", "bw", "udp.json", "truth"), "3 0 9:open,161:missing,443:missing")
    print(f"{failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
