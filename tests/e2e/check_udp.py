#!/usr/bin/env python3
"""Checks the "udp" verdicts of `breakwater probe --json` against the UDP test bed's design.

Usage: check_udp.py RESULT.json TRUTH
TRUTH has one line per UDP port the run asked for, as tests/e2e/udp_bed.sh writes them:
  PORT STATE REASON [ICMP_NAME [SENDER]] [protocol=NAME] [finding=ID|-] [silence=yes|no]
Prints PASS and FAIL lines (tests/e2e/checks.sh counts them): one per port, and one for the
set of ports. A FAIL line carries the port's JSON as seen.
"""
import json
import sys

ICMP_CODES = {"port-unreachable": 3, "admin-prohibited": 13}


def read_truth(path):
    truth = {}
    with open(path) as f:
        for line in f:
            words = line.split()
            if not words:
                continue
            fields = [w for w in words[1:] if "=" not in w]
            extra = dict(w.split("=", 1) for w in words[1:] if "=" in w)
            truth[int(words[0])] = (fields, extra)
    return truth


def problems_open(got, extra):
    out = []
    want_proto = extra.get("protocol")
    if want_proto and got.get("protocol") != want_proto:
        out.append("protocol %r, want %r" % (got.get("protocol"), want_proto))
    want_finding = extra.get("finding")
    if want_finding == "-" and got.get("finding"):
        out.append("finding %r, want none" % got.get("finding"))
    elif want_finding not in (None, "-") and got.get("finding") != want_finding:
        out.append("finding %r, want %r" % (got.get("finding"), want_finding))
    b_out, b_in, amp = got.get("bytes_out"), got.get("bytes_in"), got.get("amplification")
    if not all(isinstance(v, (int, float)) for v in (b_out, b_in, amp)) or not b_out:
        out.append("bytes_out/bytes_in/amplification missing or zero")
    else:
        # Amplification is bytes in over bytes out; allow for rounding to two decimals.
        if abs(b_in / b_out - amp) > 0.006 + 0.001 * amp:
            out.append("amplification %s but bytes_in/bytes_out = %.3f" % (amp, b_in / b_out))
        if b_in <= 0:
            out.append("bytes_in %s for an answer" % b_in)
        if want_proto == "DNS" and not b_in > b_out:
            out.append("DNS answer (%s bytes) not larger than the request (%s)" % (b_in, b_out))
    if not isinstance(got.get("datagrams"), int) or got.get("datagrams") < 1:
        out.append("datagrams %r" % got.get("datagrams"))
    if not isinstance(got.get("text"), str) or not got.get("text"):
        out.append("no text of the answer")
    if not isinstance(got.get("tries"), int) or got.get("tries") < 1:
        out.append("tries %r" % got.get("tries"))
    if not isinstance(got.get("rtt_ms"), (int, float)) or got.get("rtt_ms") < 0:
        out.append("rtt_ms %r" % got.get("rtt_ms"))
    return out


def problems_icmp(got, fields, target_sent):
    out = []
    icmp = got.get("icmp")
    if not isinstance(icmp, dict):
        return ["no icmp object"]
    name = fields[2]
    if icmp.get("type") != 3 or icmp.get("code") != ICMP_CODES[name] or icmp.get("name") != name:
        out.append("icmp %s, want type 3 code %d %s" % (icmp, ICMP_CODES[name], name))
    sender = fields[3] if len(fields) > 3 else None
    if sender and icmp.get("from") != sender:
        out.append("icmp from %r, want %r (a hop that is not the target)" % (icmp.get("from"), sender))
    if target_sent and "from" in icmp:
        out.append("icmp from %r, but the target itself sent it" % icmp.get("from"))
    return out


def main():
    result_path, truth_path = sys.argv[1:3]
    truth = read_truth(truth_path)
    with open(result_path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        # JSON must be UTF-8 (RFC 8259 8.1); say where, then judge the verdicts anyway.
        print("FAIL the output is not UTF-8 (byte 0x%02x at %d: %r)" % (
            raw[e.start], e.start, raw[max(0, e.start - 40):e.start + 20]))
        text = raw.decode("utf-8", errors="replace")
    try:
        doc = json.loads(text)
    except ValueError as e:
        print("FAIL the output is not JSON: %s" % e)
        return 1
    udp = doc.get("udp")
    if not isinstance(udp, list):
        print("FAIL no \"udp\" list in the JSON: keys %s" % sorted(doc))
        return 1
    by_port = {}
    for entry in udp:
        by_port.setdefault(entry.get("port"), []).append(entry)
    seen = set(p for p in by_port if isinstance(p, int))
    if seen == set(truth) and all(len(v) == 1 for v in by_port.values()):
        print("PASS one UDP verdict for each of the %d ports asked" % len(truth))
    else:
        print("FAIL UDP ports: missing %s, extra %s, repeated %s" % (
            sorted(set(truth) - seen), sorted(seen - set(truth)),
            sorted(p for p, v in by_port.items() if len(v) > 1)))
    failed = 0
    for port in sorted(truth):
        fields, extra = truth[port]
        got = by_port.get(port, [{}])[0]
        want = " ".join(fields)
        bad = []
        if got.get("transport", "udp") != "udp":
            bad.append("transport %r" % got.get("transport"))
        if got.get("state") != fields[0] or got.get("reason") != fields[1]:
            bad.append("state %s/%s, want %s/%s" % (got.get("state"), got.get("reason"), fields[0], fields[1]))
        elif fields[0] == "open":
            bad += problems_open(got, extra)
        elif fields[0] in ("closed", "filtered"):
            bad += problems_icmp(got, fields, len(fields) == 3)
        elif fields[0] == "stealth":
            if "icmp" in got:
                bad.append("an icmp object on a silent port")
            if extra.get("silence") == "yes" and not got.get("silence"):
                bad.append("no silence text for a silent-by-design protocol")
            if extra.get("silence") == "no" and got.get("silence"):
                bad.append("silence text on a port not silent by design")
        label = "UDP %d %s" % (port, want)
        if extra.get("protocol"):
            label += " (%s, finding %s)" % (extra["protocol"], extra.get("finding", "-"))
        if bad:
            failed += 1
            print("FAIL %s: %s; got %s" % (label, "; ".join(bad), json.dumps(got)))
        else:
            print("PASS %s" % label)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
