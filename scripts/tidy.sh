#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy) over our sources, using the release build's compile commands.
# Pass files to check only those. Exits non-zero on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/release/compile_commands.json ] || cmake --preset release >/dev/null
if [ $# -eq 0 ]; then mapfile -t files < <(git ls-files 'src/*.cpp' | grep -v '^src/net/'); else files=("$@"); fi
out=$(clang-tidy -p build/release --quiet "${files[@]}" 2>/dev/null | grep -E '^/.*: (warning|error):' || true)
if [ -n "$out" ]; then echo "$out"; exit 1; fi
echo "tidy: ${#files[@]} files clean"
