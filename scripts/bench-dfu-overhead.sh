#!/usr/bin/env bash
# swdbackup's own time around the one dfu-util run of a DFU backup, without the bus: each
# backup runs dfu-util through a small wrapper (--dfu-util) that notes when dfu-util starts
# and ends, so "before" is swdbackup's start to dfu-util's, "after" dfu-util's end to
# swdbackup's (its exit seen by this script). The wrapper's own start (a bash, about a
# millisecond) falls in "before" for every build alike: compare builds, not absolutes. What
# bench-dfu.sh's ratios cannot show on a loaded machine, where the bus time of a 0.25 s
# upload moves by more than swdbackup's whole overhead.
#
# Usage: scripts/bench-dfu-overhead.sh [RUNS] [SWDBACKUP...]
#   (default 15 runs of build/src/swdbackup; several builds (copies in build/src, where
#   they find the profiles) run in turn in every run, which one first turning). Spark
#   Core, 128 KiB, realistic timing. Prints per build the medians of before, after and
#   their sum, in ms.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15}
shift || true
bins=("$@")
[ ${#bins[@]} -gt 0 ] || bins=("$PWD/build/src/swdbackup")
BENCH_DFU_RAW_LIB=1 . scripts/bench-dfu-raw.sh
dfu_bench_start bench-dfu-overhead src/swdbackup
head -c 131072 /dev/urandom >"$tmp/core.bin"
cat >"$tmp/dfu-util" <<WRAP
#!/bin/bash
s=\$EPOCHREALTIME
$(command -v dfu-util) "\$@"
rc=\$?
echo "\$s \$EPOCHREALTIME" >"$tmp/times"
exit \$rc
WRAP
chmod +x "$tmp/dfu-util"

for i in $(seq "$runs"); do
	# the builds' order turns every run: the first of a run starts cold in a way the
	# others do not (about 0.8 ms more "before" for whichever comes first)
	k=$(( i % ${#bins[@]} ))
	for b in "${bins[@]:k}" "${bins[@]:0:k}"; do
		rm -rf "$tmp/bundle" "$tmp/times"
		"$sim" usb --board "stm32f103cb,$tmp/core.bin,dfu=spark-core,timing=realistic" -- \
			bash -c 'a=$EPOCHREALTIME; "$0" backup --profile spark-core --probe dfu \
				--dfu-util "$1" -o "$2" >/dev/null 2>&1 || exit 1; echo "$a $EPOCHREALTIME" >"$3"' \
			"$b" "$tmp/dfu-util" "$tmp/bundle" "$tmp/outer" ||
			{ echo "bench-dfu-overhead: the backup failed with $b" >&2; exit 1; }
		cmp -s "$tmp/bundle/flash.bin" "$tmp/core.bin" ||
			{ echo "bench-dfu-overhead: the backup differs from the board" >&2; exit 1; }
		read -r a z <"$tmp/outer"
		read -r s e <"$tmp/times"
		awk -v b="$b" -v a="$a" -v z="$z" -v s="$s" -v e="$e" \
			'BEGIN { printf "%s %.3f %.3f\n", b, (s - a) * 1000, (z - e) * 1000 }'
	done
done | awk '
	{ k = $1; n[k]++; pre[k, n[k]] = $2; post[k, n[k]] = $3; tot[k, n[k]] = $2 + $3 }
	function med(arr, k, m,    i, v, j, t) {
		for (i = 1; i <= m; i++) v[i] = arr[k, i]
		for (i = 2; i <= m; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
		return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
	}
	END { for (k in n) printf "%s: before dfu-util %.2f ms, after it %.2f ms, both %.2f ms (medians of %d)\n",
		k, med(pre, k, n[k]), med(post, k, n[k]), med(tot, k, n[k]), n[k] }'
