#!/usr/bin/env python3
# Stands in for an OpenOCD that hangs on the way out: it serves the TCL port (every
# script gets the reply "0 {}"), ignores `shutdown` and SIGTERM, and only SIGKILL
# ends it. Used to check that swdbackup still stops it and reaps it.
import signal
import socket
import sys

signal.signal(signal.SIGTERM, signal.SIG_IGN)
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
        break  # even a closed connection does not make it exit
    buf += data
    while b"\x1a" in buf:
        _, buf = buf.split(b"\x1a", 1)
        conn.sendall(b"0 {}\x1a")
signal.pause()
