#!/usr/bin/env python3
"""Checks swdbackup-sim's link behaviour at the socket level, against a running board.
  link_check.py PORT drop BYTES   the link closes after exactly BYTES of traffic (both ways)
  link_check.py PORT queue        a second client is served only once the first has left,
                                  and the board keeps serving after a client vanishes"""

import socket
import struct
import sys


def recv_all(s):
    """Everything until the peer closes; returns the bytes."""
    data = b""
    while True:
        c = s.recv(65536)
        if not c:
            return data
        data += c


def version_request():
    return bytes([0x06, 0x01, 0x00, 0x00])  # 4 bytes out, 16 back


def drop(port, limit):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    sent = received = 0
    try:
        while True:
            s.sendall(version_request())
            sent += 4
            got = b""
            while len(got) < 16:
                c = s.recv(16 - len(got))
                if not c:
                    break
                got += c
            received += len(got)
            if len(got) < 16:
                break
    except (ConnectionResetError, BrokenPipeError):
        pass
    total = sent + received
    # A request that crosses the limit is dropped unanswered; a reply that crosses it is
    # cut at the limit. Either way nothing flows past BYTES, and the close comes at it.
    if received > limit or total < limit or total > limit + 4:
        sys.exit(f"link closed after {sent} bytes out and {received} in; limit {limit}")
    print(f"link closed after {total} bytes of traffic (limit {limit})")


def queue(port):
    a = socket.create_connection(("127.0.0.1", port), timeout=10)
    a.sendall(version_request())
    assert len(a.recv(16)) == 16
    b = socket.create_connection(("127.0.0.1", port), timeout=10)
    b.sendall(version_request())
    b.settimeout(0.3)
    try:
        b.recv(16)
        sys.exit("the second client was answered while the first was still connected")
    except socket.timeout:
        pass
    # The first client vanishes mid-request (half a SEND_USB_CMD header).
    a.sendall(bytes([0x05, 0, 0, 0, 1, 0]))
    a.close()
    b.settimeout(10)
    reply = b""
    while len(reply) < 16:
        c = b.recv(16 - len(reply))
        if not c:
            sys.exit("the second client was dropped instead of served")
        reply += c
    api = struct.unpack("<I", reply[:4])[0]
    if api != 2:
        sys.exit(f"server API {api}, expected 2")
    b.close()
    print("second client served after the first left; API v2")


def main():
    port, what = int(sys.argv[1]), sys.argv[2]
    if what == "drop":
        drop(port, int(sys.argv[3]))
    elif what == "queue":
        queue(port)
    else:
        sys.exit(f"unknown check '{what}'")


if __name__ == "__main__":
    main()
