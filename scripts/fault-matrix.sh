#!/usr/bin/env bash
# Runs the fault matrix (tests/e2e/fault_matrix.py): every fault at five points of backup,
# restore and verify against the real OpenOCD and swdbackup-sim, and prints it as a Markdown
# table: fault, operation, point -> exit code, message, what the disk and the board held.
# usage: scripts/fault-matrix.sh [--fault NAME]... [--op backup|restore|verify]...
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/src/swdbackup ] || scripts/setup.sh
exec nice python3 tests/e2e/fault_matrix.py --sim build/src/sim/swdbackup-sim \
	--swdbackup build/src/swdbackup --report "$@"
