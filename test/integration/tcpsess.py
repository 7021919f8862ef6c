#!/usr/bin/env python3
"""A TCP session driven step by step, for testing what a reload does to an
open connection.

  tcpsess.py serve PORT             echo server (one line in, one line out)
  tcpsess.py client HOST PORT DIR   connects, then for each file DIR/cmd.N
                                    (N = 1, 2, ...) sends a line and writes
                                    DIR/res.N: "ok" if echoed within 2 s,
                                    else "fail".  DIR/stop ends it.
"""
import os
import socket
import sys
import time


def serve(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(8)
    while True:
        c, _ = s.accept()
        f = c.makefile("rwb", buffering=0)
        try:
            for line in f:
                f.write(line)
        except OSError:
            pass
        c.close()


def client(host, port, d):
    s = socket.create_connection((host, port), timeout=5)
    s.settimeout(2)
    open(os.path.join(d, "connected"), "w").close()
    n = 1
    deadline = time.time() + 120
    while time.time() < deadline:
        if os.path.exists(os.path.join(d, "stop")):
            return
        cmd = os.path.join(d, "cmd.%d" % n)
        if not os.path.exists(cmd):
            time.sleep(0.05)
            continue
        msg = ("line %d\n" % n).encode()
        res = "fail"
        try:
            s.sendall(msg)
            got = b""
            while not got.endswith(b"\n"):
                chunk = s.recv(100)
                if not chunk:
                    break
                got += chunk
            if got == msg:
                res = "ok"
        except OSError:
            pass
        with open(os.path.join(d, "res.%d" % n), "w") as f:
            f.write(res)
        n += 1


if sys.argv[1] == "serve":
    serve(int(sys.argv[2]))
else:
    client(sys.argv[2], int(sys.argv[3]), sys.argv[4])
