#!/usr/bin/env bash
# Builds and runs every test: cmocka unit tests and the end-to-end cases (real OpenOCD
# against swdbackup-sim). Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
meson test -C build --print-errorlogs --num-processes "${TEST_JOBS:-2}" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
ok=$(awk '/^Ok:/ {print $2}' "$log")
fail=$(awk '/^(Fail|Timeout|Unexpected Pass):/ {n += $NF} END {print n + 0}' "$log")
skip=$(awk '/^Skipped:/ {print $2}' "$log")
rm -f "$log"
echo "${ok:-0} passed, ${fail:-0} failed, ${skip:-0} skipped"
[ "$rc" -eq 0 ] && [ "${fail:-0}" -eq 0 ] && [ "${ok:-0}" -gt 0 ]
