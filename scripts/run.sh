#!/usr/bin/env bash
# Installs what is needed, builds the release preset and runs `breakwater serve` with its
# embedded defaults (http://127.0.0.1:8080, https://127.0.0.1:8443). Extra arguments
# replace the default command (e.g. `search ssh`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target breakwater
if [ $# -eq 0 ]; then set -- serve; fi
exec build/breakwater "$@"
