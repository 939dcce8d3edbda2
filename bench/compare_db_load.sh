#!/usr/bin/env bash
# Database load, side by side: breakwater's loader (Google Benchmark) against a plain
# Python loader of the same files (bench/compare_db_load.py). Run after a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=build/release/bench/bw_db_bench
[ -x "$bench" ] || { echo "build the release preset with -DBREAKWATER_BENCH=ON first" >&2; exit 1; }
ours=$("$bench" --benchmark_filter='bm_load_database$' --benchmark_repetitions=5 \
        --benchmark_report_aggregates_only=true --benchmark_format=csv 2>/dev/null |
       awk -F, '/_median/ {print $3}')
peer=$(python3 bench/compare_db_load.py data 5)
rss=$( { /usr/bin/time -f '%M' build/breakwater port 443 >/dev/null; } 2>&1 | tail -n 1)
printf 'load, breakwater (median ms): %.1f\n' "$ours"
printf 'load, python csv+tomllib (best ms): %s\n' "$peer"
awk -v a="$ours" -v b="$peer" 'BEGIN { printf "ratio peer/breakwater: %.1fx faster\n", b / a }'
printf 'peak RSS of `breakwater port 443` (KiB): %s\n' "$rss"
"$bench" --benchmark_filter='bm_(lookup|search|parse|build)' 2>/dev/null | tail -n +4
