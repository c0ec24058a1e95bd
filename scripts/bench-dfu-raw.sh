#!/usr/bin/env bash
# Raw `dfu-util -U` of a range on swdbackup-sim's virtual DFU bootloaders with realistic
# timing: the baseline a DFU backup is measured against (issue 13: a backup within 1.05x
# of this, same range, same virtual device). The bootloader holds each 2 KiB upload for
# its full-speed USB time (USB 2.0 table 5-5: 13 control transactions of 64 bytes per
# frame, so 1 MiB takes about 1.34 s on the wire, ~780 KB/s); the rest is dfu-util, libusb
# and the emulated bus.
#
# Usage: scripts/bench-dfu-raw.sh [RUNS]          (default 3 runs of each kind)
# Or source it and call, for a bench of your own that compares in the same run:
#   BENCH_DFU_RAW_LIB=1 . scripts/bench-dfu-raw.sh
#   dfu_raw_upload SIM KIND MODEL BOARDFILE ALT ADDR LEN OUTFILE   # prints seconds
#   dfu_bench_start NAME [TARGET...]   # the start every DFU bench shares (see there)

# NAME [TARGET...]: what every DFU bench does first: dfu-util must be there, the simulator
# (and the ninja targets named) built; sets sim, and tmp, a directory removed on exit.
dfu_bench_start() {
	local name=$1
	shift
	command -v dfu-util >/dev/null || { echo "$name: dfu-util is missing; run scripts/setup.sh" >&2; exit 1; }
	[ -f build/build.ninja ] || meson setup build >/dev/null
	ninja -C build src/sim/swdbackup-sim "$@" >/dev/null
	sim=$PWD/build/src/sim/swdbackup-sim
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
}

# Wall-clock seconds of one `dfu-util -U` under `swdbackup-sim usb` (a failed run is an
# error, not a time; the caller compares the file with the board).
dfu_raw_upload() {
	local sim=$1 kind=$2 model=$3 board=$4 alt=$5 addr=$6 len=$7 out=$8
	local ids t0 t1
	case "$kind" in
	st) ids=0483:df11 ;;
	photon) ids=2b04:d006 ;;
	spark-core) ids=1d50:607f ;;
	*) echo "dfu_raw_upload: unknown kind '$kind'" >&2; return 2 ;;
	esac
	rm -f "$out"
	t0=$(date +%s.%N)
	"$sim" usb --board "$model,$board,dfu=$kind,timing=realistic" -- \
		dfu-util -d "$ids" -a "$alt" -s "$addr:$len" -U "$out" >/dev/null 2>&1 ||
		{ echo "dfu_raw_upload: dfu-util failed on $kind" >&2; return 1; }
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

[ -n "${BENCH_DFU_RAW_LIB:-}" ] && return 0

set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
dfu_bench_start bench-dfu-raw

# kind model alt address length (the user region of each board)
cases=(
	"st stm32f405rg 0 0x08000000 1048576"
	"photon stm32f205rg 0 0x08000000 1048576"
	"spark-core stm32f103cb 0 0x08005000 110592"
)
for c in "${cases[@]}"; do
	read -r kind model alt addr len <<<"$c"
	case "$model" in stm32f103cb) size=131072 ;; *) size=1048576 ;; esac
	head -c "$size" /dev/urandom >"$tmp/$kind.bin"
	sum=0
	for i in $(seq "$runs"); do
		s=$(dfu_raw_upload "$sim" "$kind" "$model" "$tmp/$kind.bin" "$alt" "$addr" "$len" \
			"$tmp/$kind.up")
		off=$(( addr - 0x08000000 ))
		cmp -s "$tmp/$kind.up" <(tail -c +$((off + 1)) "$tmp/$kind.bin" | head -c "$len") ||
			{ echo "bench-dfu-raw: $kind upload differs from the board" >&2; exit 1; }
		sum=$(awk -v a="$sum" -v b="$s" 'BEGIN { print a + b }')
		awk -v k="$kind" -v i="$i" -v s="$s" -v n="$len" \
			'BEGIN { printf "  %-10s run %d: %7.3f s  %8.1f KiB/s\n", k, i, s, n / 1024 / s }'
	done
	awk -v k="$kind" -v n="$len" -v s="$sum" -v r="$runs" \
		'BEGIN { printf "%-10s dfu-util -U %d bytes, mean %.3f s\n", k, n, s / r }'
done
