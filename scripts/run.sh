#!/usr/bin/env bash
# Installs what is needed, builds the release preset and runs breakwater with its
# embedded defaults. Extra arguments replace the default command (e.g. `search ssh`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target breakwater
if [ $# -eq 0 ]; then set -- port 443; fi
exec build/breakwater "$@"
