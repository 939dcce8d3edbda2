#!/usr/bin/env python3
"""Fails when a flag of `breakwater serve`, `selfcheck`, `nat`, `reach` or `probe --help` is missing from the
man page (packaging/breakwater.1): the page is written by hand and must follow the program."""
import re
import subprocess
import sys

binary, page = sys.argv[1], sys.argv[2]
text = open(page).read().replace("\\-", "-")
missing = []
for command in ("serve", "selfcheck", "nat", "reach", "probe"):
    usage = subprocess.run([binary, command, "--help"], capture_output=True, text=True).stdout
    for flag in sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", usage))):
        if flag != "--help" and flag not in text:
            missing.append(f"{command} {flag}")
for m in missing:
    print(f"man page lacks: {m}")
print(f"man page: {len(missing)} flag(s) missing")
sys.exit(1 if missing else 0)
