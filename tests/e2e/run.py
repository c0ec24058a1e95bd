#!/usr/bin/env python3
"""Runs one end-to-end case: starts the boards it names (swdbackup-sim on --port 0 with a
port file in a fresh temporary directory), runs its steps (commands with placeholders,
sim restarts, random files, file checks) and checks exit codes, output patterns and
files. Always stops what it started. Exit status: 0 pass, 1 fail, 77 skip (a program the
case needs is not built yet). The case format is documented in tests/e2e/README.md."""

import argparse
import hashlib
import json
import os
import pwd
import random
import re
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import schema_check

# The simulator's models as the runner needs them: flash size and OpenOCD target config.
# Kept here (not read from the sim) so a case fails if the sim reports another size.
MODELS = {
    "stm32f103c8": (64 * 1024, "target/stm32f1x.cfg"),
    "stm32f103cb": (128 * 1024, "target/stm32f1x.cfg"),
    "stm32f205rg": (1024 * 1024, "target/stm32f2x.cfg"),
    "stm32f405rg": (1024 * 1024, "target/stm32f4x.cfg"),
    "stm32f407vg": (1024 * 1024, "target/stm32f4x.cfg"),
    "stm32f429zi": (2048 * 1024, "target/stm32f4x.cfg"),
    "stm32f429zg": (1024 * 1024, "target/stm32f4x.cfg"),
}

BOARD_KEYS = {"name", "model", "content", "faults", "timing", "uid", "serial", "args", "bus",
              "probe", "dfu"}
STEP_KEYS = {
    "run", "openocd", "before_target", "board", "exit", "expect", "reject",
    "expect_stdout", "expect_stderr", "files", "timeout", "restart", "stop",
    "write_random", "size", "seed", "note", "stdin", "fsize_limit", "stdout_closed", "usb",
    "as_user", "env",
}
FILE_KEYS = {"file", "equals_board", "equals", "starts_with", "sha256", "size", "all_bytes",
             "differs"}


class CaseError(Exception):
    """The case itself is wrong (bad key, unknown model...): a failure, not a skip."""


class Skip(Exception):
    pass


class Failure(Exception):
    pass


def log(msg):
    print(msg, flush=True)


class Board:
    def __init__(self, spec, tmp, sim):
        unknown = set(spec) - BOARD_KEYS
        if unknown:
            raise CaseError(f"unknown board key(s) {sorted(unknown)}")
        self.name = spec.get("name", "board")
        self.model = spec["model"]
        if self.model not in MODELS:
            raise CaseError(f"unknown model '{self.model}'")
        self.size, self.target = MODELS[self.model]
        self.faults = spec.get("faults", [])
        self.timing = spec.get("timing", "none")
        self.extra = [str(a) for a in spec.get("args", [])]
        self.uid = spec.get("uid")
        self.serial = spec.get("serial")
        # "usb": the board is not served over TCP; steps with "usb": true run under
        # `swdbackup-sim usb` with every such board attached to the virtual bus.
        self.bus = spec.get("bus", "tcp")
        if self.bus not in ("tcp", "usb"):
            raise CaseError(f"board '{self.name}': bus must be tcp or usb, not '{self.bus}'")
        self.probe = spec.get("probe")
        # "dfu": on the USB bus the board is its own DFU bootloader (st, photon,
        # spark-core) instead of sitting behind an ST-LINK.
        self.dfu = spec.get("dfu")
        if self.dfu and (self.bus != "usb" or self.probe):
            raise CaseError(f"board '{self.name}': dfu needs \"bus\": \"usb\" and no probe")
        if self.bus == "usb" and (self.uid or self.extra):
            raise CaseError(f"board '{self.name}': uid and args are for the TCP server only")
        self.sim = sim
        self.dir = os.path.join(tmp, self.name)
        os.makedirs(self.dir)
        self.flash = os.path.join(self.dir, "flash.bin")
        self.portfile = os.path.join(self.dir, "port")
        self.trace = os.path.join(self.dir, "trace.log")
        self.proc = None
        self.port = None
        self.starts = 0
        content = spec.get("content", "erased")
        if content == "erased":
            pass  # the sim creates the file erased (0xFF)
        elif content.startswith("random:"):
            write_random(self.flash, self.size, int(content.split(":", 1)[1]))
        elif content.startswith("file:"):
            shutil.copyfile(content.split(":", 1)[1], self.flash)
        else:
            raise CaseError(f"board '{self.name}': content must be erased, random:SEED or "
                            f"file:PATH, not '{content}'")

    def command(self):
        cmd = [self.sim, "--model", self.model, "--flash", self.flash, "--port", "0",
               "--portfile", self.portfile, "--timing", self.timing, "--trace", self.trace]
        for f in self.faults:
            cmd += ["--fault", f]
        if self.uid:
            cmd += ["--uid", self.uid]
        if self.serial:
            cmd += ["--serial", self.serial]
        return cmd + self.extra

    def usb_spec(self):
        """The board as a `swdbackup-sim usb --board` SPEC."""
        spec = [self.model, self.flash, f"timing={self.timing}"]
        if self.serial:
            spec.append(f"serial={self.serial}")
        if self.probe:
            spec.append(f"probe={self.probe}")
        if self.dfu:
            spec.append(f"dfu={self.dfu}")
        return ",".join(spec + [f"fault={f}" for f in self.faults])

    def start(self):
        if self.bus == "usb":
            return
        if os.path.exists(self.portfile):
            os.unlink(self.portfile)
        self.starts += 1
        self.out = open(os.path.join(self.dir, f"sim{self.starts}.log"), "wb")
        self.proc = subprocess.Popen(self.command(), stdout=self.out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        # Wait for the port file (written atomically by the sim) or the sim's death.
        deadline = time.monotonic() + 20
        while not os.path.exists(self.portfile):
            if self.proc.poll() is not None:
                raise Failure(f"board '{self.name}': sim exited with {self.proc.returncode} "
                              f"before listening:\n{self.log_text()}")
            if time.monotonic() > deadline:
                raise Failure(f"board '{self.name}': no port file after 20 s")
            time.sleep(0.005)
        with open(self.portfile) as f:
            self.port = int(f.read().strip())

    def stop(self, expect_clean=True):
        """SIGTERM (the sim saves and exits 0), SIGKILL if it does not go."""
        if not self.proc:
            return
        p, self.proc = self.proc, None
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                if expect_clean:
                    raise Failure(f"board '{self.name}': sim ignored SIGTERM for 10 s")
        self.out.close()
        if expect_clean and p.returncode != 0:
            raise Failure(f"board '{self.name}': sim exited with {p.returncode} on SIGTERM "
                          f"(expected 0):\n{self.log_text()}")

    def log_text(self):
        try:
            if not self.out.closed:
                self.out.flush()
            with open(os.path.join(self.dir, f"sim{self.starts}.log"), errors="replace") as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def trace_tail(self, n=25):
        try:
            with open(self.trace, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""


def write_random(path, size, seed):
    with open(path, "wb") as f:
        f.write(random.Random(seed).randbytes(size))


class Case:
    def __init__(self, path, args):
        self.path = path
        self.name = os.path.splitext(os.path.basename(path))[0]
        try:
            with open(path) as f:
                self.spec = json.load(f)
        except OSError as e:
            raise CaseError(f"cannot read '{path}': {e.strerror}")
        except json.JSONDecodeError as e:
            raise CaseError(f"{path}:{e.lineno}:{e.colno}: {e.msg}")
        unknown = set(self.spec) - {"description", "boards", "steps", "timeout"}
        if unknown:
            raise CaseError(f"unknown case key(s) {sorted(unknown)}")
        self.args = args
        self.boards = {}
        self.order = []
        self.deadline = time.monotonic() + float(self.spec.get("timeout", 120))

    def subst_values(self):
        v = {"tmp": self.tmp, "sim": self.args.sim, "swdbackup": self.args.swdbackup,
             "openocd": "openocd", "e2e": os.path.dirname(os.path.abspath(__file__))}
        for i, b in enumerate(self.order):
            per = {"port": str(b.port), "board": b.flash, "ocd_target": b.target,
                   "model": b.model, "flash_size": str(b.size),
                   "flash_kib": str(b.size // 1024), "trace": b.trace}
            for k, val in per.items():
                v[f"{k}:{b.name}"] = val
                if i == 0:
                    v[k] = val
        return v

    def subst(self, text):
        values = self.subst_values()

        def one(m):
            key = m.group(1)
            if key not in values:
                raise CaseError(f"unknown placeholder '{{{key}}}'")
            if key == "swdbackup" and not os.path.exists(values[key]):
                raise Skip(f"{values[key]} is not built")
            return values[key]
        return re.sub(r"\{([a-z_][a-z0-9_]*(?::[A-Za-z0-9_-]+)?)\}", one, text)

    def board(self, name):
        if name is None:
            return self.order[0]
        if name not in self.boards:
            raise CaseError(f"unknown board '{name}'")
        return self.boards[name]

    def run(self):
        self.tmp = tempfile.mkdtemp(prefix=f"e2e-{self.name}-")
        try:
            for spec in self.spec.get("boards", []):
                b = Board(spec, self.tmp, self.args.sim)
                if b.name in self.boards:
                    raise CaseError(f"board '{b.name}' named twice")
                self.boards[b.name] = b
                self.order.append(b)
            for b in self.order:
                b.start()
            for i, step in enumerate(self.spec["steps"]):
                self.step(i + 1, step)
            for b in self.order:
                b.stop()
        finally:
            for b in self.order:
                try:
                    b.stop(expect_clean=False)
                except Exception:
                    pass
            if self.args.keep:
                log(f"kept {self.tmp}")
            else:
                shutil.rmtree(self.tmp, ignore_errors=True)

    def step(self, n, step):
        unknown = set(step) - STEP_KEYS
        if unknown:
            raise CaseError(f"step {n}: unknown key(s) {sorted(unknown)}")
        what = step.get("note", "")
        if "restart" in step:
            b = self.board(step["restart"])
            log(f"step {n}: restart board '{b.name}' (power cycle) {what}")
            b.stop()
            b.start()
        elif "stop" in step:
            b = self.board(step["stop"])
            log(f"step {n}: stop board '{b.name}' {what}")
            b.stop()
        elif "write_random" in step:
            path = self.subst(step["write_random"])
            size = int(self.subst(str(step["size"])))
            write_random(path, size, int(step.get("seed", 1)))
            log(f"step {n}: wrote {size} random bytes to {path}")
        elif "run" in step or "openocd" in step:
            self.command_step(n, step)
        elif "files" not in step:
            raise CaseError(f"step {n}: nothing to do")
        self.check_files(n, step.get("files", []))

    def usb_argv(self):
        """`swdbackup-sim usb --board ... --`: the prefix of a step run on the bus."""
        argv = [self.args.sim, "usb"]
        for b in self.order:
            if b.bus == "usb":
                argv += ["--board", b.usb_spec()]
        if len(argv) == 2:
            raise CaseError("a step with \"usb\": true needs a board with \"bus\": \"usb\"")
        return argv + ["--"]

    def as_user(self, name):
        """setpriv prefix running a step as an unprivileged user (root ignores file modes,
        so permission failures only show without it); the case's files become theirs."""
        if os.geteuid() != 0:
            raise Skip("as_user needs root to switch users")
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            raise Skip(f"no user '{name}' on this machine")
        for root, dirs, files in os.walk(self.tmp):
            for f in [root] + [os.path.join(root, x) for x in dirs + files]:
                os.chown(f, pw.pw_uid, pw.pw_gid)
        return ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--clear-groups",
                "--reset-env"]

    def openocd_argv(self, step):
        b = self.board(step.get("board"))
        argv = ["openocd", "-f", "interface/stlink.cfg"]
        if not step.get("usb"):
            argv += ["-c", f"hla_stlink_backend tcp {b.port}"]
        # several cases run at once: OpenOCD's own servers must not collide
        argv += ["-c", "gdb_port disabled", "-c", "telnet_port disabled",
                 "-c", "tcl_port disabled"]
        for c in step.get("before_target", []):
            argv += ["-c", self.subst(c)]
        argv += ["-f", b.target]
        for c in step["openocd"]:
            argv += ["-c", self.subst(c)]
        return argv

    def command_step(self, n, step):
        ours = False
        if "openocd" in step:
            argv = self.openocd_argv(step)
        else:
            argv = [self.subst(t) for t in shlex.split(step["run"])]
        # swdbackup itself runs (not a script handed its path): its output gets checked
        ours = argv[0] == self.args.swdbackup
        if step.get("usb"):
            argv = self.usb_argv() + argv
        if "as_user" in step:
            argv = self.as_user(step["as_user"]) + argv
        want = step.get("exit", 0)
        timeout = min(float(step.get("timeout", 60)), max(1.0, self.deadline - time.monotonic()))
        log(f"step {n}: {shlex.join(argv)}")
        t0 = time.monotonic()
        limit = step.get("fsize_limit")
        preexec = None
        if limit is not None:
            # RLIMIT_FSIZE for the command and what it starts (OpenOCD inherits it)
            def preexec():
                resource.setrlimit(resource.RLIMIT_FSIZE, (int(limit), int(limit)))
        stdout = subprocess.PIPE
        if step.get("stdout_closed"):
            # stdout is a pipe nobody reads: every write fails with EPIPE
            rfd, stdout = os.pipe()
            os.close(rfd)
        manifests = self.manifests() if ours else {}
        # safety bundles made without -o go to $XDG_STATE_HOME: the case's own
        env = dict(os.environ, XDG_STATE_HOME=os.path.join(self.tmp, "state"))
        env.update({k: self.subst(v) for k, v in step.get("env", {}).items()})
        p = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, env=env,
                             stdin=subprocess.PIPE if "stdin" in step else subprocess.DEVNULL,
                             start_new_session=True, preexec_fn=preexec)
        if stdout != subprocess.PIPE:
            os.close(stdout)
        try:
            out, err = p.communicate(step.get("stdin", "").encode() if "stdin" in step
                                     else None, timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, err = p.communicate()
            self.fail(n, f"timed out after {timeout:.0f} s", out, err)
        except BaseException:
            # interrupted (SIGTERM from meson, ^C): the step's process group goes too
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            raise
        out = (out or b"").decode(errors="replace")
        err = err.decode(errors="replace")
        log(f"  exit {p.returncode} in {time.monotonic() - t0:.2f} s")
        if want is not None and p.returncode != want:
            self.fail(n, f"exit code {p.returncode}, expected {want}", out, err)
        both = out + err
        for pat in step.get("expect", []):
            if not re.search(self.subst(pat), both, re.M):
                self.fail(n, f"output lacks /{pat}/", out, err)
        for pat in step.get("expect_stdout", []):
            if not re.search(self.subst(pat), out, re.M):
                self.fail(n, f"stdout lacks /{pat}/", out, err)
        for pat in step.get("expect_stderr", []):
            if not re.search(self.subst(pat), err, re.M):
                self.fail(n, f"stderr lacks /{pat}/", out, err)
        for pat in step.get("reject", []):
            m = re.search(self.subst(pat), both, re.M)
            if m:
                self.fail(n, f"output has /{pat}/: {m.group(0)!r}", out, err)
        if ours:
            self.check_schemas(n, argv, step, manifests, out, err)

    def manifests(self):
        """Every manifest.json under the case's directory, with its mtime and size."""
        found = {}
        for root, dirs, files in os.walk(self.tmp):
            if "manifest.json" in files:
                p = os.path.join(root, "manifest.json")
                st = os.stat(p)
                found[p] = (st.st_mtime_ns, st.st_size)
        return found

    def check_schemas(self, n, argv, step, before, out, err):
        """What swdbackup printed with --json, and every manifest it wrote, against the
        installed schemas: no case has to ask for it."""
        try:
            words = argv[argv.index(self.args.swdbackup) + 1:]
            if ("--json" in words and not step.get("stdout_closed") and
                    not {"--help", "-h", "--version", "--"} & set(words)):
                schema_check.check_report(out)
                log("  --json document matches report.schema.json")
            for p, stamp in self.manifests().items():
                if before.get(p) != stamp:
                    schema_check.check_manifest(p)
                    log(f"  {p} matches manifest.schema.json")
        except schema_check.SchemaError as e:
            self.fail(n, str(e), out, err)

    def fail(self, n, why, out, err):
        out = b"" if out is None else out
        if isinstance(out, bytes):
            out = (out or b"").decode(errors="replace")
            err = err.decode(errors="replace")
        traces = "".join(f"--- trace tail of board '{b.name}':\n{b.trace_tail()}"
                         for b in self.order)
        raise Failure(f"step {n}: {why}\n--- stdout:\n{out[-4000:]}\n--- stderr:\n"
                      f"{err[-4000:]}\n{traces}")

    def check_files(self, n, checks):
        for c in checks:
            unknown = set(c) - FILE_KEYS
            if unknown:
                raise CaseError(f"step {n}: unknown file check key(s) {sorted(unknown)}")
            path = self.subst(c["file"])
            if not os.path.exists(path):
                raise Failure(f"step {n}: '{path}' does not exist")
            with open(path, "rb") as f:
                data = f.read()
            desc = []
            if "equals_board" in c:
                with open(self.board(c["equals_board"]).flash, "rb") as f:
                    ref = f.read()
                self.compare(n, path, data, ref, "the board file", exact=True)
                desc.append("equals the board file")
            if "equals" in c:
                other = self.subst(c["equals"])
                with open(other, "rb") as f:
                    self.compare(n, path, data, f.read(), other, exact=True)
                desc.append(f"equals {other}")
            if "starts_with" in c:
                other = self.subst(c["starts_with"])
                with open(other, "rb") as f:
                    ref = f.read()
                self.compare(n, path, data[:len(ref)], ref, other, exact=True)
                desc.append(f"starts with {other}")
            if "differs" in c:
                other = self.subst(c["differs"])
                with open(other, "rb") as f:
                    if f.read() == data:
                        raise Failure(f"step {n}: '{path}' is identical to '{other}'")
                desc.append(f"differs from {other}")
            if "sha256" in c:
                h = hashlib.sha256(data).hexdigest()
                if h != c["sha256"].lower():
                    raise Failure(f"step {n}: sha256 of '{path}' is {h}, expected {c['sha256']}")
                desc.append("sha256 matches")
            if "size" in c:
                want = int(self.subst(str(c["size"])))
                if len(data) != want:
                    raise Failure(f"step {n}: '{path}' is {len(data)} bytes, expected {want}")
                desc.append(f"{want} bytes")
            if "all_bytes" in c:
                v = int(c["all_bytes"])
                bad = next((i for i, b in enumerate(data) if b != v), None)
                if bad is not None or not data:
                    raise Failure(f"step {n}: '{path}' byte {bad} is not {v:#04x}")
                desc.append(f"all bytes {v:#04x}")
            log(f"  file {path}: " + ", ".join(desc))

    @staticmethod
    def compare(n, path, data, ref, refname, exact):
        if data == ref:
            return
        if len(data) != len(ref):
            raise Failure(f"step {n}: '{path}' is {len(data)} bytes, '{refname}' is {len(ref)}")
        first = next(i for i in range(len(data)) if data[i] != ref[i])
        raise Failure(f"step {n}: '{path}' differs from '{refname}' at offset {first:#x} "
                      f"({data[first]:#04x} vs {ref[first]:#04x})")


def on_sigterm(signum, frame):
    # Unwind through the finally blocks so every simulator and step process is stopped.
    raise SystemExit(1)


def main():
    signal.signal(signal.SIGTERM, on_sigterm)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("case", help="case file (tests/e2e/cases/*.json)")
    ap.add_argument("--sim", required=True, help="path of swdbackup-sim")
    ap.add_argument("--swdbackup", default="build/src/swdbackup", help="path of swdbackup")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    args.sim = os.path.abspath(args.sim)
    args.swdbackup = os.path.abspath(args.swdbackup)
    try:
        case = Case(args.case, args)
        log(f"case {case.name}: {case.spec.get('description', '')}")
        case.run()
    except Skip as e:
        log(f"SKIP: {e}")
        return 77
    except CaseError as e:
        log(f"FAIL: bad case {args.case}: {e}")
        return 1
    except Failure as e:
        log(f"FAIL: {e}")
        return 1
    log("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
