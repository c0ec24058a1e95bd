#!/usr/bin/env python3
"""Throws random but well-framed stlink-server requests (and some garbage) at a running
swdbackup-sim, checking that every well-framed request gets a reply of exactly the size
the protocol promises, and that the server keeps accepting connections.
Usage: fuzz_client.py PORT SEED CONNECTIONS"""

import random
import socket
import struct
import sys

DEBUG_SUBS = [0x07, 0x08, 0x0C, 0x0D, 0x21, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x3B,
              0x3C, 0x3E, 0x43, 0x47, 0x48, 0x4B]
ADDRS = [0x08000000, 0x20000000, 0xE000EDF0, 0xE000EDFC, 0xE000ED00, 0x40022000, 0x40023C00,
         0x1FFFF800, 0x1FFFC000, 0x1FFF7800, 0x00000000, 0xFFFFF000]


def recvn(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError(f"connection closed after {len(b)} of {n} reply bytes")
        b += c
    return b


def usb_request(rnd, cid):
    cdb = bytearray(16)
    cdb[0] = rnd.choice([0xF1, 0xF2, 0xF2, 0xF2, 0xF2, 0xF3, 0xF5, 0xF7, rnd.randrange(256)])
    cdb[1] = rnd.choice(DEBUG_SUBS) if rnd.random() < 0.9 else rnd.randrange(256)
    if cdb[1] == 0x21 or (cdb[1] == 0x30 and rnd.random() < 0.5):
        cdb[1] = 0x36  # keep most sessions in debug mode
    if rnd.random() < 0.8:
        addr = (rnd.choice(ADDRS) + rnd.randrange(0x1000)) & 0xFFFFFFFF
    else:
        addr = rnd.randrange(1 << 32)
    length = rnd.choice([0, 1, 2, 3, 4, 8, 64, 65, 4096, 6144, 6148, rnd.randrange(65536)])
    cdb[2:6] = struct.pack("<I", addr)
    cdb[6:8] = struct.pack("<H", length & 0xFFFF)
    if cdb[1] in (0x34, 0x35):
        cdb[6:10] = struct.pack("<I", rnd.randrange(1 << 32))
    direction = rnd.choice([0, 1])
    n = min(rnd.choice([0, 2, 8, 12, length & 0xFFFF, rnd.randrange(10241)]), 10240)
    if rnd.random() < 0.03:
        cid = rnd.randrange(1 << 32)
    head = struct.pack("<BBHI", 5, 0, 0, cid) + bytes(cdb) + struct.pack("<BBHI", direction, 0, 0, n)
    payload = rnd.randbytes(n) if direction == 0 else b""
    return head + payload, 4 + (n if direction else 0)


def main():
    port, seed, conns = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    rnd = random.Random(seed)
    replies = 0
    for _ in range(conns):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        try:
            s.sendall(bytes([0x06, 0x01, 0x00, 0x00]))
            recvn(s, 16)
            s.sendall(struct.pack("<BBHI", 0x03, 0, 0, 0x5AB1))
            cid = struct.unpack("<I", recvn(s, 8)[4:])[0]
            for _ in range(rnd.randint(1, 60)):
                req, want = usb_request(rnd, cid)
                s.sendall(req)
                recvn(s, want)
                replies += 1
            if rnd.random() < 0.3:
                # garbage: the server must drop this connection, not die
                s.sendall(bytes([0x42]) + rnd.randbytes(rnd.randrange(200)))
                s.settimeout(10)
                while s.recv(4096):
                    pass
        finally:
            s.close()
    print(f"{replies} replies of the right size over {conns} connections")


if __name__ == "__main__":
    main()
