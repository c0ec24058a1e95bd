#!/usr/bin/env bash
# Runs every libFuzzer harness of tests/fuzz for SECONDS each (default 60), starting from
# its seed corpus, and exits non-zero if any of them crashed. Builds ./build-fuzz with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer. New inputs found go to
# build-fuzz/corpus/TARGET (the tree's corpus stays as it is); a crash leaves its input
# in build-fuzz/crashes/TARGET: fix the bug, then copy the input into
# tests/fuzz/corpus/TARGET/ so that the test suite replays it from then on.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# FUZZ_RUNS=N stops each target after N executions if that comes first.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true

if ! command -v clang >/dev/null; then
	echo "fuzz: clang is not installed; run: apt-get install clang" >&2
	exit 2
fi
if [ ! -f build-fuzz/build.ninja ]; then
	CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false >/dev/null || exit 2
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	targets=()
	for d in tests/fuzz/corpus/*/; do targets+=("$(basename "$d")"); done
fi
ninja -C build-fuzz $(printf 'tests/fuzz/fuzz-%s ' "${targets[@]}") >&2 || exit 2

export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
failed=0
for t in "${targets[@]}"; do
	mkdir -p "build-fuzz/corpus/$t" "build-fuzz/crashes/$t"
	log="build-fuzz/fuzz-$t.log"
	t0=$SECONDS
	nice build-fuzz/tests/fuzz/fuzz-"$t" -max_total_time="$secs" -runs="${FUZZ_RUNS:--1}" \
		-print_final_stats=1 \
		-artifact_prefix="build-fuzz/crashes/$t/" \
		"build-fuzz/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	execs=$(awk '/stat::number_of_executed_units:/ {print $2}' "$log")
	if [ "$rc" -eq 0 ]; then
		echo "fuzz-$t: ${execs:-?} execs in $((SECONDS - t0)) s, no crash"
	else
		failed=1
		echo "fuzz-$t: crashed after ${execs:-?} execs (exit $rc); see $log and build-fuzz/crashes/$t/"
	fi
done
exit "$failed"
