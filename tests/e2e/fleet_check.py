#!/usr/bin/env python3
"""Checks of what a fleet run (--probe all|S1,S2) leaves: its --json document, its JUnit
report and the bundle per board. Prints one line per check passed; exits 1 on the first
that fails, saying what was found.

  fleet_check.py doc FILE EXIT SPEC=CODE...   the document: ok/exit_code of the run, and
                                              each board (by probe_spec) with its exit code
  fleet_check.py uids FILE                    every board has a unique id, all different
  fleet_check.py junit FILE TESTS FAILURES    a JUnit XML report a CI server reads
  fleet_check.py bundles DIR SERIAL...        one bundle per serial under DIR, named
                                              <profile>-<serial>-<time>, whose manifest
                                              names that probe serial and a chip unique id
"""
import glob
import json
import os
import sys
import xml.etree.ElementTree as ET


def fail(msg):
    print("fleet_check: " + msg, file=sys.stderr)
    sys.exit(1)


def load(path):
    with open(path) as f:
        return json.load(f)


def check_doc(path, exit_code, specs):
    d = load(path)
    if d.get("exit_code") != int(exit_code) or d.get("ok") is not (int(exit_code) == 0):
        fail("run: exit_code %r ok %r, want %s" % (d.get("exit_code"), d.get("ok"), exit_code))
    boards = {b.get("probe_spec"): b for b in d.get("boards", [])}
    if len(boards) != len(specs):
        fail("%d boards in the document, want %d: %s" % (len(boards), len(specs), sorted(boards)))
    for s in specs:
        spec, code = s.rsplit("=", 1)
        b = boards.get(spec)
        if b is None:
            fail("no board %r in %s" % (spec, sorted(boards)))
        if b.get("exit_code") != int(code) or b.get("ok") is not (int(code) == 0):
            fail("board %s: exit_code %r ok %r, want %s (error %r)" % (spec, b.get("exit_code"), b.get("ok"),
                                                                       code, b.get("error")))
        if not isinstance(b.get("duration_s"), float) or b.get("command") != d.get("command"):
            fail("board %s: no duration_s or another command: %r" % (spec, b))
        print("board %s exit %s" % (spec, code))
    print("doc ok: exit %s, %d boards" % (exit_code, len(specs)))


def check_uids(path):
    d = load(path)
    uids = [b["device"]["unique_id"] for b in d["boards"]]
    if len(set(uids)) != len(uids) or not all(len(u) == 24 for u in uids):
        fail("unique ids not all there and different: %r" % uids)
    print("%d different unique ids" % len(uids))


def check_junit(path, tests, failures):
    root = ET.parse(path).getroot()
    suites = root.findall("testsuite") if root.tag == "testsuites" else [root]
    cases = [c for s in suites for c in s.findall("testcase")]
    failed = [c for c in cases if c.find("failure") is not None]
    if len(cases) != int(tests) or len(failed) != int(failures):
        fail("junit: %d cases, %d failed; want %s and %s" % (len(cases), len(failed), tests, failures))
    for c in cases:
        if not c.get("name") or float(c.get("time")) <= 0:
            fail("junit: a case without name or time: %r" % c.attrib)
    for c in failed:
        if not c.find("failure").get("message"):
            fail("junit: a failure without a message in %s" % c.get("name"))
        print("junit failure %s: %s" % (c.get("name"), c.find("failure").get("message")[:60]))
    if suites[0].get("tests") != tests or suites[0].get("failures") != failures:
        fail("junit: testsuite counts %r" % suites[0].attrib)
    print("junit ok: %s cases, %s failed" % (tests, failures))


def check_bundles(top, serials):
    dirs = sorted(os.listdir(top))
    if len(dirs) != len(serials):
        fail("%d bundles in %s, want %d: %r" % (len(dirs), top, len(serials), dirs))
    for s in serials:
        found = glob.glob(os.path.join(top, "*-%s-[0-9]*T[0-9]*Z" % s))
        if len(found) != 1:
            fail("no single bundle named for %s in %r" % (s, dirs))
        m = load(os.path.join(found[0], "manifest.json"))
        if m["probe"]["serial"] != s or len(m["device"]["unique_id"]) != 24:
            fail("%s: manifest names probe %r, uid %r" % (found[0], m["probe"]["serial"], m["device"]["unique_id"]))
        print("bundle %s: probe %s, uid %s" % (os.path.basename(found[0]), s, m["device"]["unique_id"]))


def main(argv):
    if len(argv) < 3:
        fail(__doc__)
    what, path, rest = argv[1], argv[2], argv[3:]
    if what == "doc" and rest:
        check_doc(path, rest[0], rest[1:])
    elif what == "uids":
        check_uids(path)
    elif what == "junit" and len(rest) == 2:
        check_junit(path, rest[0], rest[1])
    elif what == "bundles" and rest:
        check_bundles(path, rest)
    else:
        fail(__doc__)


if __name__ == "__main__":
    main(sys.argv)
