#!/usr/bin/env python3
"""SIGKILLs swdbackup while its children run and checks that they go with it.

usage: kill_check.py [--child NAME] -- SWDBACKUP ARGS...

Waits (polling /proc, at most 20 s) until swdbackup has started NAME (default openocd;
dfu-util for --probe dfu), notes every child it has then (OpenOCD, and the simulator with
--probe sim), kills swdbackup with SIGKILL so
that none of its cleanup runs, then waits at most 5 s for the children to be gone. Exits 0
when they went, 1 when one outlived swdbackup (and kills it then).
"""
import os
import signal
import subprocess
import sys
import time


def children(pid):
    """pid's children, name by pid, from /proc/PID/task/*/children."""
    kids = {}
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                for c in f.read().split():
                    kids[int(c)] = name(int(c))
    except OSError:
        pass
    return kids


def name(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return None


def alive(pid, comm):
    """pid still runs as the same program (not a zombie, not a reused pid)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z" and name(pid) == comm


def main():
    args = sys.argv[1:]
    want = "openocd"
    if args[:1] == ["--child"]:
        want, args = args[1], args[2:]
    cmd = args[1:]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while want not in children(proc.pid).values():
        if proc.poll() is not None or time.monotonic() > deadline:
            sys.exit("kill_check: swdbackup's %s never showed up" % want)
        time.sleep(0.02)
    kids = children(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 5
    while any(alive(p, c) for p, c in kids.items()) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = {p: c for p, c in kids.items() if alive(p, c)}
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    if left:
        sys.exit("kill_check: %s outlived the SIGKILLed swdbackup" %
                 ", ".join("%s (pid %d)" % (c, p) for p, c in left.items()))
    print("kill_check: %s went with swdbackup" % ", ".join(sorted(kids.values())))


if __name__ == "__main__":
    main()
