#!/usr/bin/env bash
# Times raw OpenOCD against swdbackup-sim's stm32f407vg and prints each figure next to
# what a real ST-LINK/V2 + STM32F407 does (published figures: 1 MiB read_bank at 4 MHz
# 3.3-5.2 s; write_image erase of 1 MiB = 15.3 s erase + 9.1 s program).
#   --timing realistic: read_bank 1 MiB; write_image erase 1 MiB; erase and program apart.
#   --timing none: read_bank 1 MiB (the simulator must not be the bottleneck).
# Usage: scripts/bench-sim.sh [--quick]   (--quick skips the write figures)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
[ "${1:-}" = "--quick" ] && quick=1

[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build src/sim/swdbackup-sim >/dev/null
sim=build/src/sim/swdbackup-sim

tmp=$(mktemp -d)
simpid=
cleanup() {
	[ -n "$simpid" ] && kill "$simpid" 2>/dev/null && wait "$simpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

head -c 1048576 /dev/urandom >"$tmp/board.bin"
head -c 1048576 /dev/urandom >"$tmp/image.bin"

start_sim() { # $1 = timing
	rm -f "$tmp/port"
	"$sim" --model stm32f407vg --flash "$tmp/board.bin" --port 0 --portfile "$tmp/port" \
		--timing "$1" &
	simpid=$!
	while [ ! -s "$tmp/port" ]; do
		kill -0 "$simpid" 2>/dev/null || { echo "bench: the simulator did not start" >&2; exit 1; }
		sleep 0.01
	done
}

stop_sim() {
	kill "$simpid"
	wait "$simpid" || true
	simpid=
}

ocd() { # commands after init / reset halt / adapter speed 4000
	local args=()
	for c in "$@"; do args+=(-c "$c"); done
	openocd -f interface/stlink.cfg -c "hla_stlink_backend tcp $(cat "$tmp/port")" \
		-c "gdb_port disabled" -c "telnet_port disabled" -c "tcl_port disabled" \
		-f target/stm32f4x.cfg -c init -c "reset halt" -c "adapter speed 4000" \
		"${args[@]}" -c shutdown 2>&1
}

# Seconds between two shell-side timestamps.
now() { date +%s.%N; }
secs() { echo "$1 $2" | awk '{printf "%.2f", $2 - $1}'; }

# OpenOCD's own figure from "... in 3.512345s (...)".
ocd_secs() { sed -n "s/.*$1.* in \([0-9.]*\)s.*/\1/p" | head -1 | awk '{printf "%.2f", $1}'; }

echo "swdbackup-sim benchmark: stm32f407vg, 1 MiB, adapter speed 4000 kHz"
echo

start_sim realistic
out=$(ocd "flash read_bank 0 $tmp/read.bin")
t=$(echo "$out" | ocd_secs "wrote 1048576 bytes to file")
cmp -s "$tmp/read.bin" "$tmp/board.bin" || { echo "bench: read_bank returned other bytes" >&2; exit 1; }
printf '%-46s %7s s   (ST-LINK/V2 bound at 4 MHz: 3.3-5.2 s)\n' \
	"realistic: flash read_bank 1 MiB" "$t"

if [ "$quick" -eq 0 ]; then
	t0=$(now)
	out=$(ocd "flash write_image erase $tmp/image.bin 0x08000000")
	t1=$(now)
	echo "$out" | grep -q "wrote 1048576 bytes" || { echo "$out" >&2; exit 1; }
	t=$(echo "$out" | ocd_secs "wrote 1048576 bytes from file")
	printf '%-46s %7s s   (published: 15.3 s erase + 9.1 s program = 24.4 s)\n' \
		"realistic: flash write_image erase 1 MiB" "$t"
	printf '%-46s %7s s\n' "  (whole OpenOCD run incl. init, wall clock)" "$(secs "$t0" "$t1")"

	out=$(ocd "flash erase_sector 0 0 last")
	t=$(echo "$out" | ocd_secs "erased sectors")
	printf '%-46s %7s s   (published: 15.3 s)\n' "realistic:   erase 12 sectors (x8)" "$t"
	out=$(ocd "flash write_image $tmp/image.bin 0x08000000")
	t=$(echo "$out" | ocd_secs "wrote 1048576 bytes from file")
	printf '%-46s %7s s   (published: 9.1 s)\n' "realistic:   program 1 MiB (loader, x16)" "$t"
	stop_sim
	cmp -s "$tmp/board.bin" "$tmp/image.bin" || { echo "bench: the board does not hold the image" >&2; exit 1; }
	start_sim realistic
fi
stop_sim

start_sim none
out=$(ocd "flash read_bank 0 $tmp/read.bin")
t=$(echo "$out" | ocd_secs "wrote 1048576 bytes to file")
printf '%-46s %7s s   (must be a few seconds at most)\n' "timing none: flash read_bank 1 MiB" "$t"
stop_sim
