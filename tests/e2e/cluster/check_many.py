#!/usr/bin/env python3
"""Checks many scans at once with check_scan.py and scan_client.py (one interpreter, not
three per scan: on a busy 2-core machine the start-ups alone took 20 s of the test).

Reads lines "NAME BASE CHECK_SCAN_ARGS..." on stdin, where BASE.json is the scan as GET
showed it, BASE.result.json its result and BASE.sse its event stream. Prints "ok NAME" or
"bad NAME: what is wrong" per line.
"""
import contextlib
import io
import json
import os
import shlex
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import check_scan  # noqa: E402
import scan_client  # noqa: E402


def check(base, args):
    try:
        with open(base + ".json") as f:
            state = json.load(f)["state"]
    except (OSError, ValueError, KeyError) as e:
        return f"no result ({e})"
    if state != "done":
        return f"state {state}"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        sys.argv = ["check_scan.py", base + ".result.json"] + args
        wrong = check_scan.main()
        events_ok = scan_client.check_events(base + ".sse", base + ".json")
    if wrong or not events_ok:
        return " ".join(out.getvalue().split())[:600]
    return None


def main():
    for line in sys.stdin:
        words = shlex.split(line)
        if len(words) < 2:
            continue
        problem = check(words[1], words[2:])
        print(f"ok {words[0]}" if problem is None else f"bad {words[0]}: {problem}", flush=True)


if __name__ == "__main__":
    main()
