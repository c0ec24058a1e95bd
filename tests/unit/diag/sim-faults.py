#!/usr/bin/env python3
"""Each fault of the virtual board, through the real OpenOCD, yields the right finding.

For every case below: start swdbackup-sim with the fault (port 0, port file), run the
installed OpenOCD against it with the stock configs and the commands a user would type,
classify OpenOCD's output with the diagnosis engine (diag-classify) and check the top
finding's id (and, where it matters, its confidence).

usage: sim-faults.py SWDBACKUP_SIM DIAG_CLASSIFY
"""
import os
import shutil
import socket
import subprocess
import random
import struct
import sys
import tempfile
import time

F1 = ("stm32f103c8", "target/stm32f1x.cfg")
F4 = ("stm32f407vg", "target/stm32f4x.cfg")

# name, board, faults, target config (None: the board's), OpenOCD commands, expected top id,
# required confidence (None: any but "unknown" must never be high)
CASES = [
    ("swd-disabled", F1, ["swd-disabled"], None, "init", "swd-unreachable", "high"),
    ("unpowered", F1, ["unpowered"], None, "init", "target-unpowered", "high"),
    ("rdp1-f1-read", F1, ["rdp1"], None,
     "init; reset halt; flash read_bank 0 {tmp}/f.bin 0 1024", "readout-protected", "medium"),
    ("rdp1-f4-read", F4, ["rdp1"], None,
     "init; reset halt; flash read_bank 0 {tmp}/f.bin 0 1024", "readout-protected", "medium"),
    ("wrp-f1-erase", F1, ["wrp=0"], None,
     "init; reset halt; flash erase_sector 0 0 0", "write-protected", "medium"),
    ("wrp-f4-erase", F4, ["wrp=0"], None,
     "init; reset halt; flash erase_sector 0 0 0", "write-protected", "medium"),
    # The log alone cannot tell a core that will not halt from one asleep: medium, with
    # target-low-power listed below it.
    ("low-power", F1, ["low-power"], None, "init; reset halt", "core-halt-timeout", "medium"),
    ("clone", F1, ["clone-idcode=0x2ba01477"], None, "init", "clone-idcode", "high"),
    ("f1-under-f4-config", F1, [], F4[1], "init", "wrong-target-config", "high"),
    ("busy", F1, ["busy"], None, "init", "probe-busy", "high"),
    ("drop", F1, ["drop-after=3000"], None,
     "init; reset halt; flash read_bank 0 {tmp}/f.bin", "probe-not-found", "high"),
    ("verify-differ", F1, [], None,
     "init; reset halt; flash verify_bank 0 {tmp}/ones.bin", "verify-mismatch", "high"),
    # A healthy board: nothing to report, and above all nothing said with confidence.
    ("healthy", F1, [], None, "init; reset halt; flash read_bank 0 {tmp}/f.bin 0 1024",
     "unknown", "low"),
]


def wait_for_file(path, proc, timeout=10.0):
    """Waits until the simulator has written its port file (or died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.01)
    return False


def run_openocd(args, tmp):
    r = subprocess.run(["openocd"] + args, cwd=tmp, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    return r.stdout


def classify(classifier, log):
    r = subprocess.run([classifier], input=log, stdout=subprocess.PIPE, check=True, timeout=30)
    return [line.split() for line in r.stdout.decode().splitlines()]


def check(name, findings, want_id, want_conf, log):
    top_id, top_conf = findings[0]
    ok = top_id == want_id and (want_conf is None or top_conf == want_conf)
    if top_id == "unknown" and top_conf == "high":
        ok = False
    if not ok:
        sys.stderr.write("%s: got %s, expected %s %s\n--- log ---\n%s\n"
                         % (name, findings, want_id, want_conf or "", log.decode(errors="replace")))
    else:
        print("ok   %-20s %s %s" % (name, top_id, top_conf))
    return ok


def main():
    sim, classifier = sys.argv[1], sys.argv[2]
    if not shutil.which("openocd"):
        print("openocd not installed: skipped")
        return 77
    failures = 0
    for name, (model, cfg), faults, target, cmds, want_id, want_conf in CASES:
        with tempfile.TemporaryDirectory(prefix="diag-sim-") as tmp:
            with open(os.path.join(tmp, "ones.bin"), "wb") as f:
                f.write(b"\x00" * 4096)
            # A board with firmware on it: an erased chip runs nothing that could take the
            # SWD pins or sleep.
            with open(os.path.join(tmp, "board.bin"), "wb") as f:
                size = 65536 if model.startswith("stm32f103") else 1 << 20
                f.write(struct.pack("<II", 0x20001000, 0x08000101) +
                        random.Random(1).randbytes(size - 8))
            argv = [sim, "--model", model, "--flash", os.path.join(tmp, "board.bin"),
                    "--port", "0", "--portfile", os.path.join(tmp, "port")]
            for fault in faults:
                argv += ["--fault", fault]
            proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                if not wait_for_file(os.path.join(tmp, "port"), proc):
                    sys.stderr.write("%s: the simulator did not start: %s\n"
                                     % (name, proc.stderr.read().decode(errors="replace")))
                    failures += 1
                    continue
                port = open(os.path.join(tmp, "port")).read().strip()
                log = run_openocd(["-f", "interface/stlink.cfg",
                                   "-c", "hla_stlink_backend tcp " + port,
                                   "-f", target or cfg,
                                   "-c", "tcl_port disabled", "-c", "telnet_port disabled",
                                   "-c", "gdb_port disabled",
                                   "-c", cmds.format(tmp=tmp) + "; shutdown"], tmp)
                if not check(name, classify(classifier, log), want_id, want_conf, log):
                    failures += 1
            finally:
                proc.terminate()
                proc.wait(timeout=10)

    # Without the simulator: nothing listens on the port.
    with tempfile.TemporaryDirectory(prefix="diag-sim-") as tmp:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        log = run_openocd(["-f", "interface/stlink.cfg", "-c", "hla_stlink_backend tcp %d" % port,
                           "-f", F1[1], "-c", "tcl_port disabled", "-c", "telnet_port disabled",
                           "-c", "gdb_port disabled", "-c", "init; shutdown"], tmp)
        if not check("no-server", classify(classifier, log), "probe-not-found", "high", log):
            failures += 1
        # The TCL port taken by someone else.
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        log = run_openocd(["-f", "interface/stlink.cfg", "-f", F1[1],
                           "-c", "tcl_port %d" % s.getsockname()[1],
                           "-c", "telnet_port disabled", "-c", "gdb_port disabled"], tmp)
        s.close()
        if not check("port-in-use", classify(classifier, log), "port-in-use", "high", log):
            failures += 1
        log = run_openocd(["-f", "interface/stlnk.cfg", "-f", F1[1]], tmp)
        if not check("config-missing", classify(classifier, log), "config-not-found", "high", log):
            failures += 1

    print("%d failed" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
