#!/usr/bin/env python3
"""Copies a data directory and clones its entries onto ports without one until it holds N
entries, to measure loading at the size the database is growing to (issue 13: about 1,100
entries). The clones repeat sentences, so the copy fails `db check`; it is only for timing.

usage: grow_data.py DATA_DIR OUT_DIR N
"""
import pathlib
import re
import shutil
import sys


def main(data, out, n):
    data, out = pathlib.Path(data), pathlib.Path(out)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(data, out)
    ports = out / "ports"
    templates = sorted(ports.glob("*.toml"), key=lambda p: int(p.stem))
    taken = {int(p.stem) for p in templates}
    free = (p for p in range(1, 65536) if p not in taken)
    count = len(templates)
    while count < n:
        for template in templates:
            if count >= n:
                break
            port = next(free)
            text = re.sub(r"^port = \d+$", f"port = {port}", template.read_text(), count=1,
                          flags=re.M)
            (ports / f"{port}.toml").write_text(text)
            count += 1
    print(f"{out}: {count} entries")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
