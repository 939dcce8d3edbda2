#!/usr/bin/env python3
"""Checks with GCC the test sources a release tree did not compile.

CI builds only part of the release tree (GCC); most test programs are compiled by clang,
under the sanitizers. GCC warns where clang does not (-Wshadow on a constructor's
parameters, some -Wconversion cases), and warnings are errors, so a developer's full
release build could fail on a test CI never gave to GCC. This runs GCC's front end
(-fsyntax-only, with the tree's own flags) over every test source whose object file the
tree has not built. Flow-based warnings need the optimiser and are not checked here.

    scripts/gcc_syntax_check.py build/release [-j N]
"""
import argparse
import concurrent.futures
import json
import os
import shlex
import subprocess
import sys


def syntax_only(command):
    """The compile command with its outputs dropped and -fsyntax-only added; the object
    file it would have written."""
    args = shlex.split(command)
    out, obj, skip = [], None, False
    for i, a in enumerate(args):
        if skip:
            skip = False
            continue
        if a in ("-o", "-MF", "-MT"):
            if a == "-o":
                obj = args[i + 1]
            skip = True
            continue
        if a in ("-c", "-MD"):
            continue
        out.append(a)
    return out + ["-fsyntax-only"], obj


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", help="a configured GCC tree, e.g. build/release")
    parser.add_argument("-j", type=int, default=os.cpu_count() or 1)
    opts = parser.parse_args()
    tests = os.path.join(os.path.dirname(os.path.realpath(__file__)), os.pardir, "tests")
    tests = os.path.realpath(tests) + os.sep
    jobs = []
    with open(os.path.join(opts.tree, "compile_commands.json")) as f:
        for entry in json.load(f):
            if not os.path.realpath(entry["file"]).startswith(tests):
                continue
            args, obj = syntax_only(entry["command"])
            if obj and os.path.exists(os.path.join(entry["directory"], obj)):
                continue  # compiled by the build itself
            jobs.append((args, entry["directory"]))

    def run(job):
        args, cwd = job
        return subprocess.run(args, cwd=cwd, capture_output=True, text=True)

    failed = 0
    with concurrent.futures.ThreadPoolExecutor(opts.j) as pool:
        for done in pool.map(run, jobs):
            if done.returncode != 0:
                failed += 1
                sys.stderr.write(done.stderr)
    print(f"gcc syntax check: {len(jobs)} test sources, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
