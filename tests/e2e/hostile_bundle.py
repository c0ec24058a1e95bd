#!/usr/bin/env python3
"""Makes a hostile copy of a good bundle, for cases that check restore and verify refuse it.
  hostile_bundle.py GOOD OUT KIND
KIND is one of:
  dotdot         the flash region's file is ../NAME (a copy of flash.bin beside the bundle)
  absolute       the flash region's file is an absolute path to that copy
  symlink        flash.bin is a symbolic link to that copy (every checksum matches)
  symlink-sums   SHA256SUMS is a symbolic link to a copy outside
  size           flash.bin one byte longer than the manifest's size (digests all updated)
  truncated      flash.bin cut to half, checksums left as they were
  bitflip        one bit of flash.bin flipped, checksums left as they were
  duplicate      the flash region listed twice
  missing        no flash region
  huge           the flash size is 2^64 + 1
Except where the kind is about checksums, SHA256SUMS and MD5SUMS are rewritten to match the
edited files, so that only the check under test can refuse the bundle."""

import hashlib
import json
import os
import shutil
import sys


def sums(out):
    for name, h in (("SHA256SUMS", hashlib.sha256), ("MD5SUMS", hashlib.md5)):
        path = os.path.join(out, name)
        if os.path.islink(path):
            continue
        files = [ln.split(None, 1)[1].lstrip("*") for ln in open(path).read().splitlines() if ln]
        with open(path, "w") as f:
            for fn in files:
                with open(os.path.join(out, fn), "rb") as g:
                    f.write(f"{h(g.read()).hexdigest()}  {fn}\n")


def edit_manifest(out, fn):
    path = os.path.join(out, "manifest.json")
    with open(path) as f:
        m = json.load(f)
    text = fn(m)
    with open(path, "w") as f:
        f.write(text if isinstance(text, str) else json.dumps(m, indent=2, sort_keys=True) + "\n")


def flash(m):
    return next(r for r in m["regions"] if r["name"] == "flash")


def main():
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    good, out, kind = sys.argv[1:]
    shutil.copytree(good, out)
    outside = os.path.abspath(out) + "-outside.bin"
    shutil.copyfile(os.path.join(good, "flash.bin"), outside)
    fb = os.path.join(out, "flash.bin")
    if kind in ("dotdot", "absolute"):
        name = os.path.basename(outside) if kind == "dotdot" else outside
        edit_manifest(out, lambda m: flash(m).update(file=("../" if kind == "dotdot" else "") + name))
        sums(out)
    elif kind == "symlink":
        os.remove(fb)
        os.symlink(outside, fb)
    elif kind == "symlink-sums":
        shutil.copyfile(os.path.join(out, "SHA256SUMS"), outside + ".sums")
        os.remove(os.path.join(out, "SHA256SUMS"))
        os.symlink(outside + ".sums", os.path.join(out, "SHA256SUMS"))
    elif kind == "size":
        with open(fb, "ab") as f:
            f.write(b"\xff")
        with open(fb, "rb") as f:
            data = f.read()
        edit_manifest(out, lambda m: flash(m).update(sha256=hashlib.sha256(data).hexdigest(),
                                                     md5=hashlib.md5(data).hexdigest()))
        sums(out)
    elif kind == "truncated":
        with open(fb, "r+b") as f:
            f.truncate(os.path.getsize(fb) // 2)
    elif kind == "bitflip":
        with open(fb, "r+b") as f:
            f.seek(1000)
            b = f.read(1)
            f.seek(1000)
            f.write(bytes([b[0] ^ 0x10]))
    elif kind == "duplicate":
        edit_manifest(out, lambda m: m["regions"].append(dict(flash(m))))
        sums(out)
    elif kind == "missing":
        edit_manifest(out, lambda m: m.update(regions=[r for r in m["regions"]
                                                       if r["name"] != "flash"]))
        sums(out)
    elif kind == "huge":
        def huge(m):
            return (json.dumps(m, indent=2, sort_keys=True) + "\n").replace(
                f'"size": {flash(m)["size"]}', '"size": 18446744073709551617', 1)
        edit_manifest(out, huge)
        sums(out)
    else:
        sys.stderr.write(f"hostile_bundle.py: unknown kind '{kind}'\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
