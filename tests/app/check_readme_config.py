#!/usr/bin/env python3
"""Fails when the configuration README.md shows "as `--print-config` writes it" is not what
`breakwater serve --print-config` writes (with the README's example state directory): the
README is written by hand and must follow the program's keys and defaults."""
import difflib
import re
import subprocess
import sys

binary, readme = sys.argv[1], sys.argv[2]
text = open(readme).read()
m = re.search(r"as `--print-config` writes it.*?```toml\n(.*?)```", text, re.S)
if not m:
    print("README.md has no configuration block after \"as `--print-config` writes it\"")
    sys.exit(1)
shown = m.group(1)
state = re.search(r"^state_dir = '([^']*)'", shown, re.M)
args = [binary, "serve", "--print-config"] + (["--state-dir", state.group(1)] if state else [])
printed = subprocess.run(args, capture_output=True, text=True, check=True).stdout
if printed == shown:
    print("README configuration: as --print-config writes it")
    sys.exit(0)
sys.stdout.writelines(difflib.unified_diff(shown.splitlines(True), printed.splitlines(True),
                                           "README.md", "--print-config"))
sys.exit(1)
