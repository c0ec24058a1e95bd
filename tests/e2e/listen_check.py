#!/usr/bin/env python3
"""Runs a swdbackup command and watches, from /proc, the sockets of the OpenOCD it starts:
OpenOCD must listen on exactly one TCP port (its TCL server; gdb and telnet are off), on
127.0.0.1 only, never on OpenOCD's fixed default ports (6666, 4444, 3333), and that port
must be the one swdbackup itself is connected to.
  listen_check.py COMMAND [ARG...]
Prints what it saw; exits 0 when the command exited 0 and every check held, else 1."""

import os
import subprocess
import sys
import time

DEFAULT_PORTS = {6666, 4444, 3333}


def children(pid):
    """Pids of every descendant of pid."""
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    st = f.read()
                parent[int(d)] = int(st[st.rindex(")") + 2:].split()[1])
            except (OSError, ValueError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        out += kids
        todo += kids
    return out


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def socket_inodes(pid):
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
    except OSError:
        pass
    return inodes


def tcp_table():
    """(local address, local port, remote address, remote port, state, inode) rows of
    /proc/net/tcp and tcp6; addresses as hex strings as the kernel gives them."""
    rows = []
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            c = line.split()
            la, lp = c[1].split(":")
            ra, rp = c[2].split(":")
            rows.append((la, int(lp, 16), ra, int(rp, 16), c[3], c[9]))
    return rows


LOOPBACK = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1, ::1


def main():
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    p = subprocess.Popen(sys.argv[1:])
    listens, connected, seen_openocd = set(), set(), False
    while p.poll() is None:
        pids = children(p.pid)
        ocd = [c for c in pids if comm(c) == "openocd"]
        ours = socket_inodes(p.pid)
        ocd_inodes = set().union(*(socket_inodes(c) for c in ocd)) if ocd else set()
        seen_openocd |= bool(ocd)
        for la, lp, ra, rp, state, inode in tcp_table():
            if inode in ocd_inodes and state == "0A":       # LISTEN
                listens.add((la, lp))
            if inode in ours and state == "01":             # ESTABLISHED
                connected.add(rp)
        time.sleep(0.01)
    problems = []
    if p.returncode != 0:
        problems.append(f"the command exited {p.returncode}")
    if not seen_openocd:
        problems.append("no openocd process was seen")
    if len(listens) != 1:
        problems.append(f"openocd listened on {len(listens)} ports, expected 1 (tcl only): "
                        f"{sorted(listens)}")
    for la, lp in sorted(listens):
        where = "127.0.0.1" if la == "0100007F" else la
        print(f"openocd listens on {where}:{lp}")
        if la not in LOOPBACK:
            problems.append(f"openocd listens on a non-loopback address {la}:{lp}")
        if lp in DEFAULT_PORTS:
            problems.append(f"openocd listens on its fixed default port {lp}")
        if lp not in connected:
            problems.append(f"swdbackup is not the one connected to port {lp}")
    for m in problems:
        print(f"listen_check: {m}")
    if not problems:
        print("listen_check: ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
