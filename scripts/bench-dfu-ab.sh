#!/usr/bin/env bash
# Whole DFU backups (`swdbackup-sim usb -- swdbackup backup --probe dfu`, Spark Core, 128 KiB,
# realistic timing) by several builds, in turn in every run (the order rotating), without
# raw dfu-util runs between them: for telling builds apart by a millisecond or two, which
# the bus's own run-to-run spread (several ms) hides unless the runs are many. Work moved
# into dfu-util's run shows here and not in bench-dfu-overhead.sh, which times swdbackup's
# part before and after dfu-util only. Prints per build the median wall time and the median
# of its per-run ratio to the first build.
#
# Usage: scripts/bench-dfu-ab.sh RUNS SWDBACKUP SWDBACKUP...
#   (builds as copies in build/src, where they find the profiles; 150 runs or more for 1 %)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:?usage: scripts/bench-dfu-ab.sh RUNS SWDBACKUP SWDBACKUP...}
shift
bins=("$@")
[ ${#bins[@]} -ge 2 ] || { echo "bench-dfu-ab: name two builds or more" >&2; exit 2; }
BENCH_DFU_RAW_LIB=1 . scripts/bench-dfu-raw.sh
dfu_bench_start bench-dfu-ab
head -c 131072 /dev/urandom >"$tmp/core.bin"
nb=${#bins[@]}

for i in $(seq "$runs"); do
	t=()
	for j in $(seq 0 $((nb - 1))); do
		k=$(((i + j) % nb))
		rm -rf "$tmp/bundle"
		t0=$EPOCHREALTIME
		"$sim" usb --board "stm32f103cb,$tmp/core.bin,dfu=spark-core,timing=realistic" -- \
			"${bins[k]}" backup --profile spark-core --probe dfu -o "$tmp/bundle" >/dev/null 2>&1 ||
			{ echo "bench-dfu-ab: the backup failed with ${bins[k]}" >&2; exit 1; }
		t1=$EPOCHREALTIME
		cmp -s "$tmp/bundle/flash.bin" "$tmp/core.bin" ||
			{ echo "bench-dfu-ab: the backup differs from the board" >&2; exit 1; }
		t[k]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) * 1000 }')
	done
	echo "${t[@]}"
done | awk -v names="${bins[*]}" '
	BEGIN { nb = split(names, nm, " ") }
	{ for (k = 1; k <= nb; k++) { v[k, NR] = $k; r[k, NR] = $k / $1 } }
	function med(a, k, n,    i, x, y, s, t) {
		for (i = 1; i <= n; i++) s[i] = a[k, i]
		for (x = 2; x <= n; x++) for (y = x; y > 1 && s[y - 1] > s[y]; y--) { t = s[y]; s[y] = s[y - 1]; s[y - 1] = t }
		return n % 2 ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2
	}
	END { for (k = 1; k <= nb; k++) printf "%s: median %.2f ms, median of its ratio to the first %.4f (%d runs)\n",
		nm[k], med(v, k, NR), med(r, k, NR), NR }'
