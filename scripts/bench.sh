#!/usr/bin/env bash
# swdbackup backup vs raw OpenOCD read + verify on the same virtual board, and peak RSS.
# Usage: scripts/bench.sh [--runs N] [--speed KHZ]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec python3 scripts/bench.py "$@"
