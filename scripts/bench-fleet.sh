#!/usr/bin/env bash
# A fleet backup against one board's: `swdbackup backup --probe all` over 8 and 16 boards
# (stm32f407vg, 1 MiB of random flash each, realistic timing, on the virtual USB bus) and
# the same backup of one board, alternating, RUNS times. Prints each run's wall time, the
# ratios of the means (goals: 8 boards at most 1.10x one board, 16 at most 1.25x), and for
# the last 8-board run the peak RSS of the whole process tree and the CPU seconds of each
# kind of process (the swdbackup parent, its children, OpenOCD, the bus), sampled from
# /proc every 50 ms (a process's last 50 ms may be missed).
# The same 8 boards backed up by 8 independent swdbackup runs on the same bus (no fleet
# parent) tell the fleet's own cost from the bus's and the machine's. Last, one board's
# backup with the bus's --stats: URBs, ioctls per way in, the bus's CPU per URB.
# Usage: scripts/bench-fleet.sh [RUNS]   (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-2}

[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build src/swdbackup src/sim/swdbackup-sim src/sim/libswdsim-preload.so >/dev/null
sim=$PWD/build/src/sim/swdbackup-sim
swd=$PWD/build/src/swdbackup

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 1048576 /dev/urandom >"$tmp/image.bin"

# The process tree under PID, sampled until it ends: peak RSS of the tree and CPU seconds
# per kind. The first swdbackup below the bus is the parent, the others its children.
cat >"$tmp/sample.py" <<'EOF'
import os, sys, time
root = int(sys.argv[1])
tick = os.sysconf("SC_CLK_TCK")
page = os.sysconf("SC_PAGE_SIZE")
cpu, kind, peak, kpeak = {}, {}, 0, {}

def stat(pid):
    with open("/proc/%d/stat" % pid) as f:
        s = f.read()
    comm = s[s.index("(") + 1:s.rindex(")")]
    rest = s[s.rindex(")") + 2:].split()
    return comm, int(rest[1]), int(rest[11]) + int(rest[12]), int(rest[21]) * page

while os.path.exists("/proc/%d" % root):
    seen, total = {}, 0
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                seen[int(d)] = stat(int(d))
            except (OSError, ValueError, IndexError):
                pass
    tree = {root}
    grew = True
    while grew:
        grew = False
        for pid, (comm, ppid, t, rss) in seen.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    krss = {}
    for pid in tree:
        if pid not in seen:
            continue
        comm, ppid, t, rss = seen[pid]
        total += rss
        cpu[pid] = t
        if pid not in kind:
            if comm.startswith("swdbackup-sim"):
                kind[pid] = "bus (swdbackup-sim usb)"
            elif comm == "openocd":
                kind[pid] = "openocd"
            elif comm in ("swdbackup", "setpriv", "swdbackup-guard"):
                parent = seen.get(ppid, ("",))[0]
                kind[pid] = "swdbackup parent" if parent.startswith("swdbackup-sim") else "swdbackup children"
            else:
                kind[pid] = "other (" + comm + ")"
        krss[kind[pid]] = krss.get(kind[pid], 0) + rss
    peak = max(peak, total)
    for k, v in krss.items():
        kpeak[k] = max(kpeak.get(k, 0), v)
    time.sleep(0.05)
sums, counts = {}, {}
for pid, k in kind.items():
    sums[k] = sums.get(k, 0) + cpu.get(pid, 0) / tick
    counts[k] = counts.get(k, 0) + 1
print("  peak RSS of the whole tree: %.1f MiB" % (peak / 1048576))
for k in sorted(sums):
    print("  cpu %-24s %7.2f s  (%d process%s, %.2f s each); peak RSS %.1f MiB" % (k, sums[k], counts[k],
          "" if counts[k] == 1 else "es", sums[k] / counts[k], kpeak.get(k, 0) / 1048576))
print("  cpu total                    %7.2f s" % sum(sums.values()))
EOF

# fleet N [sample]: wall seconds of a backup of N boards on one bus (one board: --probe S).
fleet() {
	local n=$1 boards=() probe
	rm -rf "$tmp/out" "$tmp"/b*.bin
	for i in $(seq "$n"); do
		cp "$tmp/image.bin" "$tmp/b$i.bin"
		boards+=(--board "stm32f407vg,$tmp/b$i.bin,timing=realistic,serial=FLEETBENCH$(printf %02d "$i")")
	done
	probe=all
	[ "$n" -gt 1 ] || probe=FLEETBENCH01
	local t0 t1
	t0=$(date +%s.%N)
	"$sim" usb "${boards[@]}" -- "$swd" backup --profile stm32f407vg --probe "$probe" \
		-o "$tmp/out" >"$tmp/log" 2>&1 &
	local pid=$!
	if [ "${2:-}" = sample ]; then python3 "$tmp/sample.py" "$pid" >"$tmp/sample"; fi
	wait "$pid" || { echo "bench-fleet: the $n-board run failed:" >&2; cat "$tmp/log" >&2; exit 1; }
	t1=$(date +%s.%N)
	# every board whole: the run is only timed when it did the work
	for i in $(seq "$n"); do
		cmp -s "$tmp/image.bin" "$tmp"/out/*FLEETBENCH"$(printf %02d "$i")"*/flash.bin 2>/dev/null ||
			cmp -s "$tmp/image.bin" "$tmp/out/flash.bin" ||
			{ echo "bench-fleet: board $i's bundle does not hold its flash" >&2; exit 1; }
	done
	echo "$t1 - $t0" | bc -l
}

# eight N: wall seconds of N independent single-board runs started together on one bus.
eight() {
	local n=$1 boards=()
	rm -rf "$tmp/out" "$tmp"/b*.bin
	mkdir -p "$tmp/out"
	for i in $(seq "$n"); do
		cp "$tmp/image.bin" "$tmp/b$i.bin"
		boards+=(--board "stm32f407vg,$tmp/b$i.bin,timing=realistic,serial=FLEETBENCH$(printf %02d "$i")")
	done
	local t0 t1
	t0=$(date +%s.%N)
	"$sim" usb "${boards[@]}" -- bash -c '
		for i in $(seq "$1"); do
			"$2" backup --profile stm32f407vg --probe FLEETBENCH$(printf %02d "$i") \
				-o "$3/out/b$i" >"$3/log$i" 2>&1 &
		done
		fail=0
		for j in $(jobs -p); do wait "$j" || fail=1; done
		exit $fail' _ "$n" "$swd" "$tmp" || { echo "bench-fleet: an independent run failed" >&2; cat "$tmp"/log* >&2; exit 1; }
	t1=$(date +%s.%N)
	for i in $(seq "$n"); do
		cmp -s "$tmp/image.bin" "$tmp/out/b$i/flash.bin" ||
			{ echo "bench-fleet: independent run $i's bundle does not hold its flash" >&2; exit 1; }
	done
	echo "$t1 - $t0" | bc -l
}

echo "backup of 1 MiB per board, stm32f407vg, realistic timing, virtual USB bus; $(nproc) cores," \
	"load average $(cut -d' ' -f1-3 /proc/loadavg)"
s1=0; s8=0; s16=0; si=0
for r in $(seq "$runs"); do
	a=$(fleet 1); b=$(fleet 8); c=$(fleet 16); d=$(eight 8)
	printf '  run %d: 1 board %5.2f s   fleet of 8 %5.2f s   fleet of 16 %5.2f s   8 independent runs %5.2f s\n' \
		"$r" "$a" "$b" "$c" "$d"
	s1=$(echo "$s1 + $a" | bc -l); s8=$(echo "$s8 + $b" | bc -l); s16=$(echo "$s16 + $c" | bc -l)
	si=$(echo "$si + $d" | bc -l)
done
printf '  fleet of 8 / 1 board:  %.2fx (goal 1.10x)\n' "$(echo "$s8 / $s1" | bc -l)"
printf '  fleet of 16 / 1 board: %.2fx (goal 1.25x)\n' "$(echo "$s16 / $s1" | bc -l)"
printf '  8 independent runs / 1 board: %.2fx; fleet of 8 / 8 independent runs: %.2fx\n' \
	"$(echo "$si / $s1" | bc -l)" "$(echo "$s8 / $si" | bc -l)"
echo "one board, sampled:"
fleet 1 sample >/dev/null
cat "$tmp/sample"
echo "8 boards, sampled:"
fleet 8 sample >/dev/null
cat "$tmp/sample"
echo "one board, the bus's --stats (ioctls on the direct channel and through umockdev):"
cp "$tmp/image.bin" "$tmp/b1.bin"
rm -rf "$tmp/out"
"$sim" usb --stats --board "stm32f407vg,$tmp/b1.bin,timing=realistic,serial=FLEETBENCH01" -- \
	"$swd" backup --profile stm32f407vg --probe FLEETBENCH01 -o "$tmp/out" 2>&1 >/dev/null |
	sed -n 's/^swdbackup-sim usb: /  /p'
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
