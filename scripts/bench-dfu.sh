#!/usr/bin/env bash
# A DFU backup (`swdbackup backup --probe dfu`) against raw `dfu-util -U` of the same range
# on the same virtual DFU bootloader, realistic timing (issue 13: within 1.05x). Both read
# the whole flash from its base; runs alternate (raw, backup, raw, backup...) so that load
# on the machine falls on both alike, and the ratio is of the means of one run.
#
# Usage: scripts/bench-dfu.sh [RUNS] [KIND...]     (default 3 runs; st photon spark-core)
# SWDBACKUP=PATH times that swdbackup binary rather than build/src/swdbackup, and
# SWDBACKUP_BEFORE=PATH another one too in every run (an older build copied beside it in
# build/src, where it finds the profiles): before and after, the same raw runs, in one
# session, their order swapped every run; also the median of the runs' after/before ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
shift || true
kinds=("$@")
[ ${#kinds[@]} -gt 0 ] || kinds=(st photon spark-core)
BENCH_DFU_RAW_LIB=1 . scripts/bench-dfu-raw.sh
dfu_bench_start bench-dfu src/swdbackup
bins=("${SWDBACKUP:-$PWD/build/src/swdbackup}")
[ -z "${SWDBACKUP_BEFORE:-}" ] || bins+=("$SWDBACKUP_BEFORE")
order=(0)
[ ${#bins[@]} -eq 1 ] || order=(0 1)

# Wall-clock seconds of one DFU backup of the whole flash under `swdbackup-sim usb`.
dfu_backup() {
	local kind=$1 model=$2 board=$3 profile=$4 out=$5 t0 t1
	rm -rf "$out"
	t0=$(date +%s.%N)
	"$sim" usb --board "$model,$board,dfu=$kind,timing=realistic" -- \
		"$swdbackup" backup --profile "$profile" --probe dfu -o "$out" >/dev/null 2>&1 ||
		{ echo "bench-dfu: the backup failed on $kind" >&2; return 1; }
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

median() {
	printf '%s\n' "$@" | sort -g |
		awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# KIND WHICH SUM RATIOS...: the means of the raw runs and of these backups, their ratio
# and the median of the runs' own ratios.
summary() {
	local kind=$1 which=$2 sum=$3
	shift 3
	awk -v k="$kind" -v w="$which" -v n="$size" -v r="$raw" -v b="$sum" -v runs="$runs" \
		-v m="$(median "$@")" 'BEGIN { printf "%-10s %d bytes: dfu-util -U mean %.3f s, %s mean %.3f s, ratio %.3f (median of the runs %.3f)\n", k, n, r / runs, w, b / runs, b / r, m }'
}

for kind in "${kinds[@]}"; do
	case "$kind" in
	st) model=stm32f405rg profile=stm32f405rg size=1048576 ;;
	photon) model=stm32f205rg profile=particle-photon size=1048576 ;;
	spark-core) model=stm32f103cb profile=spark-core size=131072 ;;
	*) echo "bench-dfu: unknown kind '$kind'; use st, photon or spark-core" >&2; exit 2 ;;
	esac
	head -c "$size" /dev/urandom >"$tmp/$kind.bin"
	raw=0 bak=(0 0) ratios=() ratios_b=() ab=()
	for i in $(seq "$runs"); do
		r=$(dfu_raw_upload "$sim" "$kind" "$model" "$tmp/$kind.bin" 0 0x08000000 "$size" "$tmp/$kind.up")
		cmp -s "$tmp/$kind.up" "$tmp/$kind.bin" || { echo "bench-dfu: raw upload differs on $kind" >&2; exit 1; }
		t=()
		for k in "${order[@]}"; do
			[ $((i % 2)) -eq 0 ] && k=$(( ${#bins[@]} - 1 - k ))
			t[k]=$(swdbackup=${bins[k]} dfu_backup "$kind" "$model" "$tmp/$kind.bin" "$profile" "$tmp/$kind.bundle")
			cmp -s "$tmp/$kind.bundle/flash.bin" "$tmp/$kind.bin" ||
				{ echo "bench-dfu: the backup differs from the board on $kind" >&2; exit 1; }
		done
		raw=$(awk -v a="$raw" -v b="$r" 'BEGIN { print a + b }')
		for k in "${order[@]}"; do
			bak[k]=$(awk -v a="${bak[k]}" -v b="${t[k]}" 'BEGIN { print a + b }')
		done
		ratios+=("$(awk -v a="$r" -v b="${t[0]}" 'BEGIN { print b / a }')")
		printf '  %-10s run %d: dfu-util -U %7.3f s   swdbackup backup --probe dfu %7.3f s' "$kind" "$i" "$r" "${t[0]}"
		if [ ${#bins[@]} -gt 1 ]; then
			ratios_b+=("$(awk -v a="$r" -v b="${t[1]}" 'BEGIN { print b / a }')")
			ab+=("$(awk -v a="${t[1]}" -v b="${t[0]}" 'BEGIN { print b / a }')")
			printf '   before %7.3f s' "${t[1]}"
		fi
		printf '\n'
	done
	summary "$kind" "backup" "${bak[0]}" "${ratios[@]}"
	if [ ${#bins[@]} -gt 1 ]; then
		summary "$kind" "before" "${bak[1]}" "${ratios_b[@]}"
		printf '%-10s after/before: median of the runs %.3f\n' "$kind" "$(median "${ab[@]}")"
	fi
done
