#!/usr/bin/env python3
"""Fails when a source file includes a module its layer may not depend on.

The build links each folder as its own library, so most wrong edges already fail to link;
a header-only include would not, and this check catches it. The allowed edges are the
picture in docs/architecture.md.
"""
import pathlib
import re
import sys

ALLOWED = {
    "common": set(),
    "db": {"common"},
    "net": set(),
    "probe": {"common"},
    "scan": {"common", "probe"},
    "http": {"common"},
    "site": {"common", "db", "probe", "scan", "http"},
    "app": {"common", "db", "probe", "scan", "http", "site"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/')


def main(src: pathlib.Path) -> int:
    wrong = []
    for path in sorted(src.rglob("*.[ch]pp")):
        layer = path.relative_to(src).parts[0]
        allowed = ALLOWED.get(layer)
        if allowed is None:
            wrong.append(f"{path}: folder '{layer}' has no place in the layering table")
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            m = INCLUDE.match(line)
            if m and m.group(1) != layer and m.group(1) not in allowed:
                wrong.append(f"{path}:{number}: {layer}/ may not include {m.group(1)}/ ({line.strip()})")
    for w in wrong:
        print(w)
    print(f"layering: {len(wrong)} wrong include(s)")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1])))
