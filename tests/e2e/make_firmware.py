#!/usr/bin/env python3
"""Writes a small firmware image that leaves the flash interface as real firmware can.

usage: make_firmware.py stray-store OUTPUT SIZE SEED

stray-store: the reset handler stores a word to the start of flash without unlocking or
setting PG, then loops. That store sets PGSERR in FLASH_SR on F2/F4 (RM0090 3.7.5) and
leaves it set until a reset; the loop keeps the core running, as a real application does.
Bytes from 0x200 to SIZE are deterministic random data, so each SEED is another image.
The vector table's SP (0x20001000) and reset vector fit every profile's RAM and flash.
"""
import random
import struct
import sys

CODE = struct.pack("<HHHHI",
                   0x4801,       # ldr r0, [pc, #4]   (the literal below)
                   0x6000,       # str r0, [r0]       stray store to flash
                   0xE7FE,       # b .
                   0xBF00,       # nop (literal alignment)
                   0x08000000)   # literal: start of flash


def main():
    if len(sys.argv) != 5 or sys.argv[1] != "stray-store":
        sys.exit(__doc__.strip().splitlines()[2])
    out, size, seed = sys.argv[2], int(sys.argv[3], 0), int(sys.argv[4])
    if size < 0x200:
        sys.exit("make_firmware.py: SIZE must be at least 512")
    img = bytearray(b"\xff" * size)
    img[0:8] = struct.pack("<II", 0x20001000, 0x08000101)
    img[0x100:0x100 + len(CODE)] = CODE
    img[0x200:] = random.Random(seed).randbytes(size - 0x200)
    with open(out, "wb") as f:
        f.write(img)


if __name__ == "__main__":
    main()
