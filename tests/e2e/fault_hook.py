#!/usr/bin/env python3
"""What the fault matrix's simulator runs at a chosen byte of traffic (--at-traffic).

usage: fault_hook.py PIDFILE ACTION [SAFETY]

PIDFILE holds swdbackup's pid (written by fault_matrix.py as soon as it started it; waited
for, at most 10 s). ACTION:
  INT, TERM, KILL   send that signal to swdbackup
  kill-openocd      SIGKILL swdbackup's OpenOCD (a crash)
  disk-full         lower RLIMIT_FSIZE of swdbackup and its children to 0: every later
                    write that grows a file fails (EFBIG), as on a full disk
  chmod:DIR         make DIR read-only (0555): the output directory turns unwritable
  none              nothing (the sim's own fault strikes at the same byte: power-off)
Before acting it writes PIDFILE.fired: one line "PID COMM" per child of swdbackup, so the
matrix can check that none outlives it, and copies the safety bundle SAFETY (when given and
there) to PIDFILE.safety: what was on disk at the instant of the fault.
"""
import os
import resource
import shutil
import signal
import sys
import time


def children(pid):
    kids = {}
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{t}/children") as f:
                for c in f.read().split():
                    try:
                        with open(f"/proc/{c}/comm") as g:
                            kids[int(c)] = g.read().strip()
                    except OSError:
                        pass
    except OSError:
        pass
    return kids


def main():
    pidfile, action = sys.argv[1], sys.argv[2]
    deadline = time.monotonic() + 10
    while not os.path.exists(pidfile):
        if time.monotonic() > deadline:
            sys.exit("fault_hook: no pid file")
        time.sleep(0.005)
    with open(pidfile) as f:
        pid = int(f.read())
    kids = children(pid)
    with open(pidfile + ".fired", "w") as f:
        f.write("".join(f"{p} {c}\n" for p, c in kids.items()))
    if len(sys.argv) > 3 and os.path.isdir(sys.argv[3]):
        shutil.copytree(sys.argv[3], pidfile + ".safety")
    if action in ("INT", "TERM", "KILL"):
        os.kill(pid, getattr(signal, "SIG" + action))
    elif action == "kill-openocd":
        for p, c in kids.items():
            if c == "openocd":
                os.kill(p, signal.SIGKILL)
    elif action == "disk-full":
        for p in [pid] + list(kids):
            resource.prlimit(p, resource.RLIMIT_FSIZE, (0, 0))
    elif action == "none":
        pass
    elif action.startswith("chmod:"):
        os.chmod(action[len("chmod:"):], 0o555)
    else:
        sys.exit(f"fault_hook: unknown action '{action}'")


if __name__ == "__main__":
    main()
