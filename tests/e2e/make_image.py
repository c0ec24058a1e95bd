#!/usr/bin/env python3
"""Writes a raw binary as an Intel HEX or ELF32 (ARM, one PT_LOAD segment) image at an address.

usage: make_image.py hex|elf INPUT.bin ADDRESS OUTPUT

Cases use it to check that `flash write_image` of the formats OpenOCD parses itself lands
on the simulated board exactly as the raw binary does.
"""
import struct
import sys


def write_hex(data, addr, out):
    lines = []

    def rec(kind, a, payload):
        body = bytes([len(payload), (a >> 8) & 0xFF, a & 0xFF, kind]) + payload
        lines.append(":%s%02X" % (body.hex().upper(), (-sum(body)) & 0xFF))

    upper = None
    for off in range(0, len(data), 16):
        a = addr + off
        if a >> 16 != upper:
            upper = a >> 16
            rec(4, 0, struct.pack(">H", upper))
        rec(0, a & 0xFFFF, data[off:off + 16])
    rec(1, 0, b"")
    out.write(("\n".join(lines) + "\n").encode())


def write_elf(data, addr, out):
    ehsize, phsize = 52, 32
    offset = ehsize + phsize
    ident = b"\x7fELF" + bytes([1, 1, 1]) + bytes(9)
    # ET_EXEC, EM_ARM, version 1, entry, phoff, shoff 0, flags EABI5, sizes, 1 phdr, no sections
    header = ident + struct.pack("<HHIIIIIHHHHHH", 2, 40, 1, addr | 1, ehsize, 0,
                                 0x05000000, ehsize, phsize, 1, 40, 0, 0)
    # PT_LOAD, R+X
    phdr = struct.pack("<IIIIIIII", 1, offset, addr, addr, len(data), len(data), 5, 4)
    out.write(header + phdr + data)


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("hex", "elf"):
        sys.stderr.write("usage: make_image.py hex|elf INPUT.bin ADDRESS OUTPUT\n")
        return 2
    with open(sys.argv[2], "rb") as f:
        data = f.read()
    addr = int(sys.argv[3], 0)
    with open(sys.argv[4], "wb") as out:
        (write_hex if sys.argv[1] == "hex" else write_elf)(data, addr, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
