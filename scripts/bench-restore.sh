#!/usr/bin/env bash
# Times swdbackup's restore, verify and backup against raw OpenOCD on swdbackup-sim with
# realistic timing, each pair on the same starting board in the same run, and prints
# the ratios the fast-restore goals are stated in (raw OpenOCD time / swdbackup time, so
# above 1 means swdbackup is faster):
#   restore, one erase unit differs      vs  openocd "program FILE 0x08000000 verify"  (goal >= 10x)
#   restore, image already on the board  vs  the same                                  (goal >= 10x)
#   restore, every erase unit differs    vs  the same                                  (goal >= 2x)
#     and the same with --no-safety-backup: OpenOCD's `program` saves nothing first, and
#     the safety read of a whole changed flash is a full read (see README, fast restore)
#   verify, matching                     vs  openocd "flash read_bank" (a full read)   (goal >= 10x)
#   backup incl. verification            vs  openocd "flash read_bank" alone           (goal: the
#                                            ratio read_bank/backup at least 1/1.10 = 0.91)
# Both tools connect at the profile's adapter speed. Times are wall clock around each
# whole run (process start, connect, work, exit): the machine's load moves them, so read
# the ratios, which are taken a few seconds apart.
# Usage: scripts/bench-restore.sh [f4|f1|all]   (default all: F407 1 MiB, then F103C8 64 KiB)
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
case "$which" in f4|f1|all) ;; *) echo "usage: $0 [f4|f1|all]" >&2; exit 2;; esac

[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build src/sim/swdbackup-sim src/swdbackup >/dev/null
sim=build/src/sim/swdbackup-sim
swd=build/src/swdbackup

tmp=$(mktemp -d)
simpid=
cleanup() {
	if [ -n "$simpid" ]; then kill "$simpid" 2>/dev/null || true; wait "$simpid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

die() { echo "bench-restore: $*" >&2; exit 1; }

start_sim() { # $1 = model, $2 = board file
	rm -f "$tmp/port"
	"$sim" --model "$1" --flash "$2" --port 0 --portfile "$tmp/port" --timing realistic \
		2>>"$tmp/sim.log" &
	simpid=$!
	while [ ! -s "$tmp/port" ]; do
		kill -0 "$simpid" 2>/dev/null || die "the simulator did not start (see its log above)"
		sleep 0.01
	done
}

stop_sim() {
	kill "$simpid"
	wait "$simpid" || true
	simpid=
}

now() { date +%s.%N; }

# raw OpenOCD with the target config the profile names, at the profile's speed
ocd() { # $1 = target cfg, $2 = kHz, then commands
	local cfg=$1 khz=$2
	shift 2
	local args=()
	for c in "$@"; do args+=(-c "$c"); done
	openocd -f interface/stlink.cfg -c "hla_stlink_backend tcp $(cat "$tmp/port")" \
		-c "gdb_port disabled" -c "telnet_port disabled" -c "tcl_port disabled" \
		-f "$cfg" -c "adapter speed $khz" "${args[@]}" -c shutdown >"$tmp/ocd.log" 2>&1
}

# Runs "$@" on a fresh simulator holding a copy of $board; prints the wall-clock
# seconds; leaves the board file's final contents in $tmp/after.bin.
timed() { # $1 = model, $2 = starting board, then the command (@PORT@ is replaced)
	local model=$1 board=$2
	shift 2
	cp "$board" "$tmp/run.bin"
	rm -f "$tmp/run.bin.opt" "$tmp/run.bin.otp" "$tmp/run.bin.bkp"
	start_sim "$model" "$tmp/run.bin"
	local port
	port=$(cat "$tmp/port")
	local cmd=()
	for a in "$@"; do cmd+=("${a//@PORT@/$port}"); done
	local t0 t1 rc=0
	t0=$(now)
	"${cmd[@]}" >"$tmp/out.log" 2>&1 || rc=$?
	t1=$(now)
	stop_sim
	cp "$tmp/run.bin" "$tmp/after.bin"
	echo "$rc $(echo "$t0 $t1" | awk '{printf "%.2f", $2 - $1}')"
}

# "name" raw_seconds our_seconds goal
row() {
	awk -v n="$1" -v a="$2" -v b="$3" -v g="$4" 'BEGIN {
		printf "  %-40s %8.2f s %8.2f s %7.2fx   %s\n", n, a, b, a / b, g }'
}

expect_board() { # $1 = file the board must now hold, $2 = what ran
	cmp -s "$tmp/after.bin" "$1" || { cat "$tmp/out.log" >&2; die "$2 left other bytes on the board"; }
}

expect_ok() { # $1 = "rc seconds", $2 = what ran
	[ "${1%% *}" = 0 ] || { cat "$tmp/ocd.log" "$tmp/out.log" >&2 2>/dev/null; die "$2 failed (exit ${1%% *})"; }
}

bench_model() { # $1 = profile/model, $2 = target cfg, $3 = flash bytes, $4 = unit bytes, $5 = unit name
	local model=$1 cfg=$2 size=$3 unit=$4 uname=$5
	local khz
	khz=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["adapter_khz"])' \
		"profiles/$model.json" 2>/dev/null || echo 4000)
	head -c "$size" /dev/urandom >"$tmp/base.bin"
	cp "$tmp/base.bin" "$tmp/same.bin"
	cp "$tmp/base.bin" "$tmp/one.bin"
	head -c "$unit" /dev/urandom | dd of="$tmp/one.bin" bs="$unit" seek=1 conv=notrunc status=none
	head -c "$size" /dev/urandom >"$tmp/all.bin"
	# a vector table the profile accepts: the base image's first words (SP in SRAM,
	# reset handler in flash) kept in every variant
	python3 - "$tmp" <<'EOF'
import struct, sys
d = sys.argv[1]
head = struct.pack('<II', 0x20001000, 0x08000101)
for name in ('base', 'same', 'one', 'all'):
    p = '%s/%s.bin' % (d, name)
    b = bytearray(open(p, 'rb').read())
    b[0:8] = head
    open(p, 'wb').write(b)
EOF
	echo "$model: $((size / 1024)) KiB, realistic timing, adapter speed $khz kHz"
	printf '  %-40s %10s %10s %8s   %s\n' "" "openocd" "swdbackup" "ratio" "goal"

	local case img raw ours safety
	for case in one same all all-nosafety; do
		img="$tmp/${case%-nosafety}.bin"
		safety=(-o "$tmp/safety-$case")
		[ "$case" = all-nosafety ] && safety=(--no-safety-backup)
		raw=$(timed "$model" "$tmp/base.bin" ocd "$cfg" "$khz" "init" "program $img 0x08000000 verify")
		expect_ok "$raw" "openocd program ($case)"
		expect_board "$img" "openocd program ($case)"
		ours=$(timed "$model" "$tmp/base.bin" "$swd" restore --profile "$model" \
			--probe stlink-tcp:@PORT@ "${safety[@]}" "$img")
		expect_ok "$ours" "swdbackup restore ($case)"
		expect_board "$img" "swdbackup restore ($case)"
		rm -rf "$tmp/safety-$case"
		case $case in
		one) row "restore, one $uname differs" "${raw#* }" "${ours#* }" ">= 10x" ;;
		same) row "restore, image already there" "${raw#* }" "${ours#* }" ">= 10x" ;;
		all) row "restore, every $uname differs" "${raw#* }" "${ours#* }" ">= 2x" ;;
		all-nosafety) row "  the same, --no-safety-backup" "${raw#* }" "${ours#* }" ">= 2x" ;;
		esac
	done

	# the target configs' reset-start event drops the clock to 2000 kHz: set it again
	raw=$(timed "$model" "$tmp/base.bin" ocd "$cfg" "$khz" "init" "reset halt" "adapter speed $khz" \
		"flash read_bank 0 $tmp/read.bin")
	expect_ok "$raw" "openocd read_bank"
	cmp -s "$tmp/read.bin" "$tmp/base.bin" || die "read_bank returned other bytes"
	ours=$(timed "$model" "$tmp/base.bin" "$swd" verify --profile "$model" \
		--probe stlink-tcp:@PORT@ "$tmp/base.bin")
	expect_ok "$ours" "swdbackup verify"
	row "verify, matching, vs a full read" "${raw#* }" "${ours#* }" ">= 10x"
	ours=$(timed "$model" "$tmp/base.bin" "$swd" backup --profile "$model" \
		--probe stlink-tcp:@PORT@ -o "$tmp/bundle")
	expect_ok "$ours" "swdbackup backup"
	cmp -s "$tmp/bundle/flash.bin" "$tmp/base.bin" || die "the backup holds other bytes"
	rm -rf "$tmp/bundle"
	row "backup (verified), vs read_bank alone" "${raw#* }" "${ours#* }" ">= 0.91x"
	echo
}

if [ "$which" != f1 ]; then
	bench_model stm32f407vg target/stm32f4x.cfg 1048576 16384 "16 KiB sector"
fi
if [ "$which" != f4 ]; then
	bench_model stm32f103c8 target/stm32f1x.cfg 65536 1024 "1 KiB page"
fi
