#!/usr/bin/env python3
"""Writes a user profile made from another: a copy of SRC named NAME at DST, with each
KEY=VALUE set (KEY dotted, "ids.dev_id"; VALUE JSON, or a plain string when it is not).

usage: make_profile.py SRC DST NAME [KEY=VALUE]...
"""
import json
import os
import sys


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__.strip().splitlines()[-1])
    src, dst, name = sys.argv[1:4]
    with open(src) as f:
        d = json.load(f)
    d["name"] = name
    for kv in sys.argv[4:]:
        key, value = kv.split("=", 1)
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            pass
        *path, last = key.split(".")
        o = d
        for k in path:
            o = o[k]
        o[last] = value
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(dst, "w") as f:
        json.dump(d, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
