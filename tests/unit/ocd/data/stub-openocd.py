#!/usr/bin/env python3
# A stand-in for OpenOCD that serves the TCL port with canned replies, for the cases
# the real one cannot be made to show on demand. SWD_STUB_MODE selects the behaviour:
#   stubborn  every script gets "0 {}", `shutdown` is ignored and so is SIGTERM: only
#             SIGKILL ends it
#   lockfail  option-byte lock/unlock/options_write and flash protect answer like stm32f1x.c when the write fails:
#             success code, failure only in the text
import os
import signal
import socket
import sys

mode = os.environ.get("SWD_STUB_MODE", "stubborn")
signal.signal(signal.SIGTERM, signal.SIG_IGN if mode == "stubborn" else signal.SIG_DFL)
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
print("Open On-Chip Debugger 0.12.0 (stub)", file=sys.stderr)
print("Info : Listening on port %d for tcl connections" % srv.getsockname()[1],
      file=sys.stderr, flush=True)
conn, _ = srv.accept()
buf = b""
while True:
    data = conn.recv(4096)
    if not data:
        break
    buf += data
    while b"\x1a" in buf:
        script, buf = buf.split(b"\x1a", 1)
        reply = b"0 {}"
        if mode == "lockfail" and b"lock 0" in script:
            verb = b"unlock" if b"unlock 0" in script else b"lock"
            reply = b"0 {stm32x failed to " + verb + b" device\n}"
        if mode == "lockfail" and b"options_write 0" in script:
            reply = b"0 {stm32x failed to write options\n}"
        if mode == "lockfail" and b"flash protect 0" in script:
            reply = b"0 {failed setting protection\n}"
        if mode == "lockfail" and script == b"shutdown":
            conn.sendall(b"\x1a")
            sys.exit(0)
        conn.sendall(reply + b"\x1a")
if mode == "stubborn":
    signal.pause()
