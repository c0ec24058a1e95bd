#!/usr/bin/env python3
"""The schemas themselves: valid draft 2020-12, their shared records identical, and able to
fail: a document or manifest in an old or wrong shape is refused. (run.py checks every e2e
case's real output against them.)"""
import copy
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import schema_check  # noqa: E402

failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)


def refused(name, doc, what):
    check(schema_check.errors(name, doc) != [], "refused: " + what)


REGION = {"name": "flash", "file": "flash.bin", "address": "0x08000000", "size": 65536,
          "used": 3000, "sha256": "a" * 64, "md5": "b" * 32}
PROT = {"rdp_level": 0, "wrp": [1], "wrp_unit": "page"}
DOC = {"schema_version": 1, "swdbackup_version": "0.1.0", "command": "backup",
       "started_at": "2026-12-06T17:00:40Z", "notes": [], "regions": [REGION],
       "flash_base": "0x08000000", "protection": PROT,
       "map": {"unit": "page", "regions": [{"kind": "code", "address": "0x08000000", "size": 3000}]},
       "timing": {"read": {"bytes": 65536, "duration_s": 0.5, "bytes_per_s": 131072}},
       "duration_s": 1.25, "ok": True, "exit_code": 0, "findings": []}
MANIFEST = {"format_version": 2, "created": "2026-12-06T17:00:40Z",
            "tool": {"name": "swdbackup", "version": "0.1.0"}, "openocd": {"version": "0.12.0"},
            "profile": {"name": "stm32f103c8", "sha256": "c" * 64},
            "probe": {"kind": "sim", "serial": None, "firmware": "V2J37S7", "target_voltage": 3.3},
            "device": {"dp_idcode": "0x1ba01477", "cpuid": "0x411fc231", "dbgmcu_idcode": "0x20036410",
                       "dev_id": "0x410", "rev_id": "0x2003", "revision": "Y", "flash_size_kib": 64,
                       "unique_id": "1f21f63efbac046bf9dc8828"},
            "protection": PROT, "regions": [REGION],
            "map": {"unit": "page", "regions": [{"kind": "code", "address": "0x08000000", "size": 3000}]}}


def main():
    for name in ("report.schema.json", "manifest.schema.json"):
        try:
            schema_check.validator(name)
            check(True, name + " is a valid draft 2020-12 schema")
        except Exception as e:
            check(False, f"{name}: {e}")
    check(schema_check.shared_defs_differ() == [],
          "records shared by both schemas are the same: differ " + str(schema_check.shared_defs_differ()))
    check(schema_check.errors("report.schema.json", DOC) == [],
          "a backup document passes " + str(schema_check.errors("report.schema.json", DOC)))
    check(schema_check.errors("manifest.schema.json", MANIFEST) == [],
          "a manifest passes " + str(schema_check.errors("manifest.schema.json", MANIFEST)))

    d = copy.deepcopy(DOC)
    d["regions"][0]["address"] = 134217728
    refused("report.schema.json", d, "an address as a number")
    d = copy.deepcopy(DOC)
    d["protection"] = {"rdp_level": 0, "wrp": [], "unit": "sectors"}
    refused("report.schema.json", d, "the old protection shape (unit: sectors)")
    for key in ("schema_version", "started_at", "duration_s", "notes"):
        d = copy.deepcopy(DOC)
        del d[key]
        refused("report.schema.json", d, "a document without " + key)
    d = copy.deepcopy(DOC)
    d["timing"]["flash"] = d["timing"]["read"]
    refused("report.schema.json", d, "a step that is not read, erase, program or verify")
    d = copy.deepcopy(DOC)
    d["typo_key"] = 1
    refused("report.schema.json", d, "a key the schema does not know")

    m = copy.deepcopy(MANIFEST)
    m["format_version"] = 1
    m["map"]["regions"][0]["address"] = 134217728
    refused("manifest.schema.json", m, "a format 1 manifest (map addresses as numbers)")
    m = copy.deepcopy(MANIFEST)
    del m["device"]["dbgmcu_idcode"]
    refused("manifest.schema.json", m, "a manifest without device.dbgmcu_idcode")

    # the bundle kept in the tree is format 1: its manifest is not format 2 by mistake
    old = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e", "data",
                       "bundle-format1", "manifest.json")
    with open(old) as f:
        check(json.load(f)["format_version"] == 1, "tests/e2e/data/bundle-format1 is format 1")


main()
if failures:
    print("%d failed" % len(failures))
    sys.exit(1)
