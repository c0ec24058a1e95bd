#!/usr/bin/env python3
"""Benchmark swdbackup against raw OpenOCD on the same virtual board.

Both sides talk to one swdbackup-sim board with --timing realistic (ST-LINK/V2 round
trips, SWD wire time at the adapter clock, datasheet flash times, target code at the
part's clock). Runs alternate raw/tool so that machine noise hits both alike; the
figure that matters is the ratio of medians.

Also measures the peak resident set of swdbackup itself (not OpenOCD's) during a 2 MiB
backup of an stm32f429zi board.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(TOP, "build")
SIM = os.path.join(BUILD, "src", "sim", "swdbackup-sim")
TOOL = os.path.join(BUILD, "src", "swdbackup")


def start_sim(tmp, model, timing, size):
    board = os.path.join(tmp, model + ".bin")
    with open(board, "wb") as f:
        f.write(os.urandom(size))
    portfile = os.path.join(tmp, model + ".port")
    proc = subprocess.Popen([SIM, "--model", model, "--flash", board, "--timing", timing,
                             "--port", "0", "--portfile", portfile],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not os.path.exists(portfile):
        if proc.poll() is not None or time.monotonic() > deadline:
            sys.exit("bench: swdbackup-sim did not start")
        time.sleep(0.01)
    with open(portfile) as f:
        return proc, int(f.read().strip())


def timed(argv, **kw):
    t0 = time.monotonic()
    r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
    dt = time.monotonic() - t0
    if r.returncode != 0:
        sys.stderr.write(r.stderr.decode(errors="replace"))
        sys.exit("bench: %s exited %d" % (argv[0], r.returncode))
    return dt


def peak_rss_kib(argv):
    """Runs argv and samples its own VmHWM (high-water mark) until it exits."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    status = "/proc/%d/status" % proc.pid
    while proc.poll() is None:
        try:
            with open(status) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError):
            break
        time.sleep(0.005)
    if proc.wait() != 0:
        sys.exit("bench: %s exited %d" % (argv[0], proc.returncode))
    return peak


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="runs per side (default 3)")
    ap.add_argument("--speed", type=int, default=4000, help="adapter kHz (default 4000)")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="swdbackup-bench-")
    sims = []
    try:
        sim, port = start_sim(tmp, "stm32f407vg", "realistic", 1 << 20)
        sims.append(sim)
        raw_file = os.path.join(tmp, "raw.bin")
        script = ("init; reset halt; flash read_bank 0 %s; verify_image %s 0x08000000; shutdown"
                  % (raw_file, raw_file))
        raw = ["openocd", "-f", "interface/stlink.cfg",
               "-c", "hla_stlink_backend tcp %d" % port,
               "-f", "target/stm32f4x.cfg", "-c", "adapter speed %d" % args.speed]
        # stm32f4x.cfg's reset-start event drops the clock to 2000 kHz (1800 on an
        # ST-LINK/V2) for every reset; swdbackup halts without a reset and keeps the
        # profile's speed. The fair raw run keeps the same clock through the reset.
        raw_same = raw + ["-c", "stm32f4x.cpu configure -event reset-start {adapter speed %d}"
                          % args.speed, "-c", script]
        raw_cfg = raw + ["-c", script]
        raw_t, cfg_t, tool_t = [], [], []
        for i in range(args.runs):
            raw_t.append(timed(raw_same))
            cfg_t.append(timed(raw_cfg))
            out = os.path.join(tmp, "bundle-%d" % i)
            tool_t.append(timed([TOOL, "backup", "--profile", "stm32f407vg",
                                 "--probe", "stlink-tcp:%d" % port,
                                 "--speed", str(args.speed), "-o", out]))
            shutil.rmtree(out, ignore_errors=True)
        rm, tm = statistics.median(raw_t), statistics.median(tool_t)
        cm = statistics.median(cfg_t)
        print("stm32f407vg 1 MiB, --timing realistic, adapter %d kHz, %d runs each"
              % (args.speed, args.runs))
        print("  raw openocd read_bank + verify_image: median %.2f s (%s)"
              % (rm, " ".join("%.2f" % t for t in raw_t)))
        print("  same, stock reset-start (1800 kHz):   median %.2f s (%s)"
              % (cm, " ".join("%.2f" % t for t in cfg_t)))
        print("  swdbackup backup (verified bundle):   median %.2f s (%s)"
              % (tm, " ".join("%.2f" % t for t in tool_t)))
        print("  ratio swdbackup / raw at the same clock: %.3f (goal <= 1.05)" % (tm / rm))
        print("  ratio swdbackup / raw with the stock cfg: %.3f" % (tm / cm))

        sim2, port2 = start_sim(tmp, "stm32f429zi", "none", 2 << 20)
        sims.append(sim2)
        out = os.path.join(tmp, "bundle-f429")
        kib = peak_rss_kib([TOOL, "backup", "--profile", "stm32f429zi",
                            "--probe", "stlink-tcp:%d" % port2, "-o", out])
        print("stm32f429zi 2 MiB backup: swdbackup peak RSS %.1f MiB (goal < 16 MiB)"
              % (kib / 1024.0))
    finally:
        for s in sims:
            s.terminate()
            s.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
