#!/usr/bin/env bash
# The virtual USB bus against the TCP path, same board (stm32f407vg, 256 KiB read_bank at
# the profile's 2 MHz request), realistic timing: the read speed of each path and their
# ratio, which should be about 1 (the bus's own latency counts toward the modelled USB
# round trip), then the bus's CPU time per URB with timing none and realistic, and the
# same with 8 boards read at once (each must keep its own timing: the per-board speed
# should stay near the single board's).
# Usage: scripts/bench-usb.sh [RUNS]   (RUNS alternating TCP/USB pairs, default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}

[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build src/sim/swdbackup-sim >/dev/null
sim=$PWD/build/src/sim/swdbackup-sim

tmp=$(mktemp -d)
simpid=
# The TCP server is the only thing left running on a failure; the bus ends with its command.
trap '[ -z "$simpid" ] || kill "$simpid" 2>/dev/null; rm -rf "$tmp"' EXIT
head -c 1048576 /dev/urandom >"$tmp/board.bin"

ocd=(openocd -f interface/stlink.cfg -c "gdb_port disabled" -c "telnet_port disabled"
     -c "tcl_port disabled")
read_cmds=(-f target/stm32f4x.cfg -c init -c "flash read_bank 0 $tmp/read.bin 0 0x40000"
           -c shutdown)

# KiB/s from OpenOCD's "wrote N bytes ... in T s (X KiB/s)".
speed() { sed -n 's/.*(\([0-9.]*\) KiB\/s).*/\1/p' | tail -1; }

tcp_read() {
	rm -f "$tmp/port"
	"$sim" --model stm32f407vg --flash "$tmp/board.bin" --port 0 --portfile "$tmp/port" \
		--timing realistic &
	simpid=$!
	while [ ! -s "$tmp/port" ]; do sleep 0.01; done
	"${ocd[@]}" -c "hla_stlink_backend tcp $(cat "$tmp/port")" "${read_cmds[@]}" 2>&1 | speed
	kill "$simpid"; wait "$simpid" 2>/dev/null || true; simpid=
}

usb_read() {
	"$sim" usb --board "stm32f407vg,$tmp/board.bin,timing=realistic" -- \
		"${ocd[@]}" "${read_cmds[@]}" 2>&1 | speed
}

echo "read_bank 256 KiB, stm32f407vg, realistic timing (KiB/s):"
tcp_sum=0; usb_sum=0
for i in $(seq "$runs"); do
	t=$(tcp_read); u=$(usb_read)
	printf '  run %d: tcp %8s  usb %8s  usb/tcp %.3f\n' "$i" "$t" "$u" \
		"$(echo "$u / $t" | bc -l)"
	tcp_sum=$(echo "$tcp_sum + $t" | bc -l); usb_sum=$(echo "$usb_sum + $u" | bc -l)
done
printf '  mean usb/tcp speed ratio: %.3f\n' "$(echo "$usb_sum / $tcp_sum" | bc -l)"

echo "bus cpu per urb (the same read; --stats):"
for t in none realistic; do
	printf '  timing %-9s ' "$t"
	"$sim" usb --stats --board "stm32f407vg,$tmp/board.bin,timing=$t" -- \
		"${ocd[@]}" "${read_cmds[@]}" 2>&1 | sed -n 's/^swdbackup-sim usb: //p'
done

echo "8 boards at once on one bus, realistic timing (KiB/s per board):"
boards=()
for n in 1 2 3 4 5 6 7 8; do
	cp "$tmp/board.bin" "$tmp/b$n.bin"
	boards+=(--board "stm32f407vg,$tmp/b$n.bin,timing=realistic,serial=BENCH00000000000000000$n")
done
"$sim" usb --stats "${boards[@]}" -- bash -c '
	for n in 1 2 3 4 5 6 7 8; do
		"$@" -c "adapter serial BENCH00000000000000000$n" \
			-f target/stm32f4x.cfg -c init \
			-c "flash read_bank 0 '"$tmp"'/r$n.bin 0 0x40000" -c shutdown \
			2>&1 | sed -n "s/.*(\([0-9.]*\) KiB\/s).*/  board $n: \1/p" &
	done
	wait' _ "${ocd[@]}" 2>&1 | sed 's/^swdbackup-sim usb: /  /'
