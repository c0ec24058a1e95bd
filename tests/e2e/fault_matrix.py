#!/usr/bin/env python3
"""The fault matrix: backup, restore and verify against the real OpenOCD and swdbackup-sim,
each fault struck at five points of each operation, every run held to the same invariants.

usage: fault_matrix.py --sim SIM --swdbackup SWDBACKUP [--fault NAME]... [--op OP]...
                       [--report] [--keep]
       fault_matrix.py --list        (the faults, one a line: meson makes a test of each)

Points are bytes of simulator traffic: a clean run of each operation first measures its
traffic T (the sim's trace), then the fault strikes at 10, 25, 45, 65 and 80 % of T (past
that, only OpenOCD's teardown is left, and a fault there finds the work done), through the
sim's own byte-count faults (drop-after, power-off) or its --at-traffic hook, which holds
OpenOCD at that byte while fault_hook.py signals swdbackup, kills OpenOCD, cuts the file size
limit or makes the output directory read-only. The flaky link is a rate, so its five points
are five seeds. The invariants (check()):
  - the exit code is the fault's documented one, never 0 once the fault struck, with a
    lowercase `swdbackup: ...` line;
  - nothing at the final bundle name unless complete: its SHA256SUMS hold and its flash.bin
    is the board's content;
  - restore: whenever the board was touched, the safety bundle is complete on disk;
  - no OpenOCD or simulator started for the run outlives swdbackup, even after SIGKILL;
  - no staging directory is left, except after SIGKILL, and then the next run removes it
    and says so;
  - backup and verify never change the board;
  - an interrupted restore names the pages that may be erased or half-programmed, the safety
    bundle, and a command; that command is run (board power-cycled) and must give back the
    original board byte for byte.
Exit status 0 when every run holds, 1 otherwise, 77 when swdbackup is not built. --report
prints the matrix as a Markdown table (fault, operation, point -> exit, message, disk, board).
"""
import argparse
import glob
import hashlib
import os
import pwd
import random
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

MODEL, SIZE = "stm32f103c8", 64 * 1024
OPS = ("backup", "restore", "verify")
FRACTIONS = (0.1, 0.25, 0.45, 0.65, 0.8)
HERE = os.path.dirname(os.path.abspath(__file__))

# fault: how it strikes, and the exit codes documented for it (README "Exit codes").
FAULTS = {
    "openocd-killed": {"hook": "kill-openocd", "exit": {4}},
    # the probe's link: gone while OpenOCD sets the probe up reads as no probe (5), later as
    # a target that stopped answering (6)
    "link-dropped": {"sim": "drop-after", "exit": {5, 6}},
    "flaky-1": {"flaky": "0.01", "exit": {0, 6}},
    "flaky-10": {"flaky": "0.10", "exit": {0, 6}},
    "sigint": {"hook": "INT", "exit": {130}},
    "sigterm": {"hook": "TERM", "exit": {130}},
    "sigkill": {"hook": "KILL", "exit": {-9}},
    "disk-full": {"hook": "disk-full", "exit": {9}},
    "unwritable-dir": {"hook": "chmod", "exit": {9}},
    "power-off": {"sim": "power-off", "exit": {6}},
}
# Where the fault can come after the last write and so hit nothing: verify writes no bundle,
# and a restore writes only its safety bundle into the output directory, early.
NOTHING_TO_HIT = {("disk-full", "verify"), ("unwritable-dir", "restore")}
# After these, nothing changes the board past the point (no power, no OpenOCD, no process):
# the safety bundle as it was on disk at the point must be complete if the board is touched.
FROZEN_AT_POINT = {"power-off", "sigkill", "openocd-killed"}
# What can leave a staging directory behind: a kill, and a directory where nothing can be
# removed; the next run must then remove it and say so.
LEAVES_STAGING = {"sigkill", "unwritable-dir"}


class Failure(Exception):
    pass


def write_random(path, seed):
    with open(path, "wb") as f:
        f.write(random.Random(seed).randbytes(SIZE))


def read(path):
    with open(path, "rb") as f:
        return f.read()


class Sim:
    """One swdbackup-sim for one run, on port 0 or (power cycle) the port it had."""

    def __init__(self, args, flash, trace, extra, port=0):
        self.portfile = flash + ".port"
        if os.path.exists(self.portfile):
            os.unlink(self.portfile)
        cmd = [args.sim, "--model", MODEL, "--flash", flash, "--port", str(port),
               "--portfile", self.portfile, "--trace", trace] + extra
        self.log = open(flash + ".simlog", "ab")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while not os.path.exists(self.portfile):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise Failure(f"the simulator did not start: {' '.join(cmd)}")
            time.sleep(0.005)
        self.port = int(read(self.portfile))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def traffic(trace):
    """Bytes of traffic the sim saw since it started, from its trace."""
    counts = re.findall(r"^client left after \d+ bytes \((\d+) since start\)$",
                        open(trace, errors="replace").read(), re.M)
    return int(counts[-1]) if counts else 0


def run_tool(argv, run, timeout=60, user=None):
    """Runs swdbackup; its pid goes to run/pid at once (the hook waits for it)."""
    env = dict(os.environ, TMPDIR=os.path.join(run, "tmp"),
               XDG_STATE_HOME=os.path.join(run, "state"))
    if user:
        argv = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}",
                "--clear-groups", "--"] + argv
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                         stdin=subprocess.DEVNULL, start_new_session=True)
    with open(os.path.join(run, "pid.tmp"), "w") as f:
        f.write(str(p.pid))
    os.rename(os.path.join(run, "pid.tmp"), os.path.join(run, "pid"))
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        raise Failure(f"timed out: {shlex.join(argv)}")
    return p.returncode, out.decode(errors="replace") + err.decode(errors="replace")


def leftovers(port, run, sim_pids):
    """Processes still running for this run: OpenOCD on the sim's port, or anything whose
    command line names the run's directory, other than the run's own simulators."""
    found = []
    for d in glob.glob("/proc/[0-9]*"):
        pid = int(d[6:])
        if pid in sim_pids or pid == os.getpid():
            continue
        try:
            cmd = read(d + "/cmdline").replace(b"\0", b" ").decode(errors="replace")
            state = read(d + "/stat").rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != b"Z" and (re.search(rf"\btcp {port}\b", cmd) or run + "/" in cmd):
            found.append(f"{pid} {cmd.strip()[:80]}")
    return found


def bundle_state(path, want):
    """'none', 'complete', or raises: a bundle at the final name must be whole."""
    if not os.path.lexists(path):
        return "none"
    try:
        sums = read(os.path.join(path, "SHA256SUMS")).decode().splitlines()
        for line in sums:
            digest, name = line.split(None, 1)
            if hashlib.sha256(read(os.path.join(path, name.lstrip("*")))).hexdigest() != digest:
                raise Failure(f"'{path}/{name}' does not match SHA256SUMS")
        read(os.path.join(path, "manifest.json"))
        flash = read(os.path.join(path, "flash.bin"))
    except (OSError, ValueError) as e:
        raise Failure(f"'{path}' is at the final name but not complete: {e}")
    if flash != want:
        raise Failure(f"'{path}/flash.bin' is not what the board held")
    return "complete"


def staging(run):
    """What a run left behind: bundle staging directories in the output directory (out/...)
    and private temporary directories in $TMPDIR (tmp/...)."""
    out, tmp = os.path.join(run, "out"), os.path.join(run, "tmp")
    return sorted([f"out/{n}" for n in os.listdir(out) if ".partial-" in n] +
                  [f"tmp/{n}" for n in os.listdir(tmp)])


def message(text):
    lines = [ln for ln in text.splitlines() if ln.startswith("swdbackup: ")]
    return lines[-1][len("swdbackup: "):] if lines else ""


class Matrix:
    def __init__(self, args):
        self.args = args
        self.rows = []
        self.tmp = tempfile.mkdtemp(prefix="fault-matrix-")
        # the unwritable directory needs a user the permission bits apply to
        self.nobody = pwd.getpwnam("nobody") if os.geteuid() == 0 else None
        os.chmod(self.tmp, 0o755)
        self.orig = os.path.join(self.tmp, "orig.bin")
        write_random(self.orig, 41)
        self.orig_data = read(self.orig)
        self.totals = {}

    def setup(self):
        """The bundle restore writes (another board's), the one verify compares with (this
        board's), and each operation's traffic in a clean run."""
        good_board = os.path.join(self.tmp, "good.bin")
        write_random(good_board, 31)
        self.good_data = read(good_board)
        for name, board in (("good", good_board), ("same", self.orig)):
            run = self.fresh_run(f"setup-{name}")
            shutil.copyfile(board, os.path.join(run, "board.bin"))
            sim = Sim(self.args, os.path.join(run, "board.bin"), os.path.join(run, "trace"), [])
            rc, text = run_tool(self.command("backup", sim.port, run), run)
            sim.stop()
            if rc != 0:
                raise Failure(f"setup backup failed ({rc}):\n{text}")
            os.rename(os.path.join(run, "out", "bundle"), os.path.join(self.tmp, name))
            if name == "same":
                self.totals["backup"] = traffic(os.path.join(run, "trace"))
        for op in ("restore", "verify"):
            run = self.fresh_run(f"setup-{op}")
            shutil.copyfile(self.orig, os.path.join(run, "board.bin"))
            sim = Sim(self.args, os.path.join(run, "board.bin"), os.path.join(run, "trace"), [])
            rc, text = run_tool(self.command(op, sim.port, run), run)
            sim.stop()
            if rc != 0:
                raise Failure(f"clean {op} failed ({rc}):\n{text}")
            self.totals[op] = traffic(os.path.join(run, "trace"))

    def fresh_run(self, name):
        run = os.path.join(self.tmp, name)
        for d in ("", "out", "tmp", "state"):
            os.makedirs(os.path.join(run, d), exist_ok=True)
        if self.nobody:
            for d in ("", "out", "tmp", "state"):
                os.chown(os.path.join(run, d), self.nobody.pw_uid, self.nobody.pw_gid)
        return run

    def command(self, op, port, run, final=None):
        base = [self.args.swdbackup] + ([] if op == "backup" else [op]) + [
            "--profile", MODEL, "--probe", f"stlink-tcp:{port}"]
        out = os.path.join(run, "out", final or ("bundle" if op == "backup" else "safety"))
        if op == "backup":
            return base + ["-o", out]
        if op == "restore":
            return base + ["-o", out, os.path.join(self.tmp, "good")]
        return base + [os.path.join(self.tmp, "same")]

    def points(self, fault, op):
        if "flaky" in FAULTS[fault]:
            return [f"seed {s}" for s in range(1, 6)]
        return [int(self.totals[op] * f) for f in FRACTIONS]

    def one(self, fault, op, point):
        spec = FAULTS[fault]
        label = point if isinstance(point, str) else f"{point} B"
        run = self.fresh_run(f"{fault}-{op}-{label.replace(' ', '')}")
        board, trace = os.path.join(run, "board.bin"), os.path.join(run, "trace")
        out = os.path.join(run, "out")
        shutil.copyfile(self.orig, board)
        extra = []
        if "flaky" in spec:
            extra = ["--fault", f"flaky={spec['flaky']}", "--seed", point.split()[1]]
        else:
            # the hook acts (or, beside a sim fault, only looks) at the point
            action = spec.get("hook", "none")
            action = f"chmod:{out}" if action == "chmod" else action
            hook = shlex.join([sys.executable, os.path.join(HERE, "fault_hook.py"),
                               os.path.join(run, "pid"), action, os.path.join(out, "safety")])
            extra = ["--at-traffic", f"{point}:{hook}"]
            if "sim" in spec:
                extra += ["--fault", f"{spec['sim']}={point}"]
        user = self.nobody if fault == "unwritable-dir" else None
        sim = Sim(self.args, board, trace, extra)
        sims = {sim.proc.pid}
        try:
            rc, text = run_tool(self.command(op, sim.port, run), run, user=user)
            os.chmod(out, 0o755)  # the fault is over: the directory is writable again
            row = self.check(fault, op, run, sim, sims, rc, text, user)
        finally:
            sim.stop()
        row.update(fault=fault, op=op, point=label, exit=rc, message=message(text))
        return row

    def check(self, fault, op, run, sim, sims, rc, text, user):
        spec = FAULTS[fault]
        out = os.path.join(run, "out")
        fired = ("hook" not in spec or os.path.exists(os.path.join(run, "pid.fired")))
        if not fired:
            raise Failure("the fault never struck: the run ended before its point")
        allowed = set(spec["exit"]) | ({0} if (fault, op) in NOTHING_TO_HIT else set())
        if rc not in allowed:
            raise Failure(f"exit {rc}, documented: {sorted(allowed)}\n{text}")
        msg = message(text)
        if rc not in (0, -9) and not (msg and msg[0].islower()):
            raise Failure(f"exit {rc} without a one-line lowercase error:\n{text}")
        # children: none outlives swdbackup (give SIGKILL's pdeathsig a moment)
        deadline = time.monotonic() + 5
        while (left := leftovers(sim.port, run, sims)) and time.monotonic() < deadline:
            time.sleep(0.05)
        if left:
            raise Failure("outlived swdbackup: " + "; ".join(left))
        final = os.path.join(out, "bundle" if op == "backup" else "safety")
        disk = bundle_state(final, self.orig_data)
        if rc == 0 and op == "backup" and disk != "complete":
            raise Failure("exit 0 but no bundle")
        stale = staging(run)
        if stale and fault not in LEAVES_STAGING:
            raise Failure(f"left behind: {stale}")
        board = read(os.path.join(run, "board.bin"))
        touched = board != self.orig_data
        row = {"disk": f"{'bundle' if op == 'backup' else 'safety bundle'} {disk}"
                       if op != "verify" else "nothing written"}
        if op != "restore":
            if touched:
                raise Failure(f"{op} changed the board")
            row["board"] = "original"
        else:
            row["board"] = self.check_restore(fault, run, sim, sims, rc, text, touched, disk,
                                              user)
        if stale:
            row["disk"] += (f"; {', '.join(sorted(set(x.split('/')[0] + '/' for x in stale)))} "
                            f"left, {self.next_run(op, run, sims, stale, user)}")
        return row

    def check_restore(self, fault, run, sim, sims, rc, text, touched, disk, user):
        safety = os.path.join(run, "out", "safety")
        if rc == 0:
            if read(os.path.join(run, "board.bin")) != self.good_data or disk != "complete":
                raise Failure("restore exited 0 without the image on the board and a safety "
                              "bundle")
            return "the new image, verified"
        if touched and disk != "complete":
            raise Failure("the board was touched without a complete safety bundle on disk")
        if touched and fault in FROZEN_AT_POINT:
            # the board is as it was at the point: the safety bundle was already whole then
            try:
                bundle_state(os.path.join(run, "pid.safety"), self.orig_data)
            except Failure as e:
                raise Failure(f"at the fault, the board was touched but the safety bundle "
                              f"was not complete on disk: {e}")
            if not os.path.isdir(os.path.join(run, "pid.safety")):
                raise Failure("at the fault, the board was touched but there was no safety "
                              "bundle on disk")
        note = re.search(r"^note: to put the board back as it was, run: (.*)$", text, re.M)
        if fault == "sigkill":
            if not touched:
                return "original"
            # killed: nothing could be said; the safety bundle must still put it back
            cmd = [self.args.swdbackup, "restore", "--profile", MODEL, "--probe",
                   f"stlink-tcp:{sim.port}", "--no-safety-backup", safety]
            how = "touched; put back from the safety bundle"
        elif not touched and not note:
            return "original"
        else:
            state = re.search(r"^note: the write stopped part-way: pages \d+(-\d+)? "
                              r"\(0x[0-9a-f]{8}-0x[0-9a-f]{8}\) may be erased or "
                              r"half-programmed; their previous contents are in the safety "
                              rf"backup {re.escape(safety)}$", text, re.M)
            if not (state and note):
                raise Failure(f"interrupted restore without the note and command:\n{text}")
            cmd = shlex.split(note.group(1))
            how = ("touched; put back by the printed command" if touched else
                   "original (write had not begun); printed command run")
        # power cycle: the same board on the same port, no fault
        sim.stop()
        again = Sim(self.args, os.path.join(run, "board.bin"), os.path.join(run, "trace2"),
                    [], port=sim.port)
        sims.add(again.proc.pid)
        try:
            rc2, text2 = run_tool(cmd, run, user=user)
        finally:
            again.stop()
        if rc2 != 0 or read(os.path.join(run, "board.bin")) != self.orig_data:
            raise Failure(f"'{shlex.join(cmd)}' did not give the board back (exit {rc2}):\n"
                          f"{text2}")
        return how

    def next_run(self, op, run, sims, stale, user):
        """After SIGKILL: the next run into the same directory removes what it left."""
        board = os.path.join(run, "board.bin")
        sim = Sim(self.args, board, os.path.join(run, "trace3"), [])
        sims.add(sim.proc.pid)
        try:
            rc, text = run_tool(self.command(op, sim.port, run, final="next"), run, user=user)
        finally:
            sim.stop()
        if rc != 0 or staging(run):
            raise Failure(f"the next run left {staging(run)} (exit {rc}):\n{text}")
        for s in stale:
            # a bundle's staging directory is named; a temporary one just goes
            if s.startswith("out/") and \
                    f"note: removed '{os.path.join(run, s)}', the unfinished bundle" not in text:
                raise Failure(f"the next run did not name the stale '{s}':\n{text}")
        return ("removed by the next run" +
                (", which named it" if any(x.startswith("out/") for x in stale) else ""))

    def run(self, faults, ops):
        self.setup()
        failed = 0
        for fault in faults:
            for op in ops:
                if (fault, op) == ("unwritable-dir", "verify"):
                    self.rows.append({"fault": fault, "op": op, "point": "-", "exit": "-",
                                      "message": "n/a: verify writes no files",
                                      "disk": "-", "board": "-"})
                    continue
                for point in self.points(fault, op):
                    t0 = time.monotonic()
                    try:
                        row = self.one(fault, op, point)
                        row["ok"] = "ok"
                    except Failure as e:
                        failed += 1
                        row = {"fault": fault, "op": op, "point": str(point), "exit": "?",
                               "message": str(e).splitlines()[0], "disk": "?", "board": "?",
                               "ok": "FAIL"}
                        print(f"FAIL {fault} {op} {point}: {e}", flush=True)
                    print(f"{row['ok']:4} {fault:15} {op:8} {row['point']:>9} exit "
                          f"{row['exit']!s:>4}  {time.monotonic() - t0:.1f} s", flush=True)
                    self.rows.append(row)
        return failed

    def report(self):
        print(f"\ntraffic of a clean run (bytes): " +
              ", ".join(f"{op} {self.totals[op]}" for op in OPS))
        print("\n| fault | operation | point | exit | message | disk afterwards | board "
              "afterwards |\n|---|---|---|---|---|---|---|")
        for r in self.rows:
            msg = r["message"].replace(self.tmp, "…").replace("|", "\\|")
            print(f"| {r['fault']} | {r['op']} | {r['point']} | {r['exit']} | {msg[:110]} | "
                  f"{r['disk']} | {r['board']} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sim")
    ap.add_argument("--swdbackup")
    ap.add_argument("--list", action="store_true", help="print the faults and exit")
    ap.add_argument("--fault", action="append", choices=sorted(FAULTS))
    ap.add_argument("--op", action="append", choices=OPS)
    ap.add_argument("--report", action="store_true", help="print the matrix as a table")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    if args.list:
        print("\n".join(FAULTS))
        return 0
    if not args.sim or not args.swdbackup:
        ap.error("--sim and --swdbackup are needed")
    args.sim, args.swdbackup = os.path.abspath(args.sim), os.path.abspath(args.swdbackup)
    if not os.path.exists(args.swdbackup):
        print(f"SKIP: {args.swdbackup} is not built")
        return 77
    m = Matrix(args)
    try:
        failed = m.run(args.fault or list(FAULTS), args.op or OPS)
    except Failure as e:
        print(f"FAIL: {e}")
        return 1
    finally:
        if args.keep:
            print(f"kept {m.tmp}")
        else:
            shutil.rmtree(m.tmp, ignore_errors=True)
    if args.report:
        m.report()
    print(f"{len(m.rows) - failed} runs held, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
