#!/usr/bin/env python3
"""tcprst.py IFACE HOST PORT OFFSET...

Opens a TCP connection to HOST:PORT (a line echo server, tcpsess.py
serve), and for each OFFSET sends a RST as the client, with sequence
number the client's next one + OFFSET, straight onto IFACE (AF_PACKET:
the kernel's TCP never sees it), then checks the connection with one
echo.  Prints one word per OFFSET: "alive" (the echo came back) or
"reset" (the server had dropped the connection).  A blind attacker who
knows the addresses and ports but not the sequence numbers is OFFSET != 0.
Runs inside the client's namespace."""
import os
import socket
import struct
import sys

# the pipeline tests' frame helpers: one checksum for all the tests
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pipeline"))
from pcaplib import csum, l4_csum  # noqa: E402

ETH_P_IP = 0x0800
ETH_P_ALL = 0x0003  # what a socket needs to see frames going out


def last_segment(raw, lport):
    """The client's newest segment on the wire: (frame, seq + len)."""
    found = None
    while True:
        try:
            f = raw.recv(65535)
        except BlockingIOError:
            return found
        if len(f) < 54 or struct.unpack("!H", f[12:14])[0] != ETH_P_IP:
            continue
        ihl = (f[14] & 0x0F) * 4
        if f[23] != 6:
            continue
        t = 14 + ihl
        sport, = struct.unpack("!H", f[t:t + 2])
        if sport != lport:
            continue
        iplen, = struct.unpack("!H", f[16:18])
        thl = (f[t + 12] >> 4) * 4
        seq, = struct.unpack("!I", f[t + 4:t + 8])
        found = (f, (seq + iplen - ihl - thl) & 0xFFFFFFFF)


def rst_frame(f, seq):
    ihl = (f[14] & 0x0F) * 4
    ip = bytearray(f[14:14 + 20])
    t = 14 + ihl
    ip[0] = 0x45
    ip[2:4] = struct.pack("!H", 40)
    ip[10:12] = b"\0\0"
    ip[10:12] = struct.pack("!H", csum(bytes(ip)))
    tcp = bytearray(f[t:t + 4]) + struct.pack("!IIBBHHH", seq, 0, 5 << 4,
                                               0x04, 0, 0, 0)
    tcp[16:18] = struct.pack("!H", l4_csum(bytes(ip[12:16]),
                                           bytes(ip[16:20]), 6, bytes(tcp)))
    return f[:14] + bytes(ip) + bytes(tcp)


def main():
    iface, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                        socket.htons(ETH_P_ALL))
    raw.bind((iface, 0))
    c = socket.create_connection((host, port), timeout=3)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    lport = c.getsockname()[1]
    f = c.makefile("rwb", buffering=0)
    f.write(b"hello\n")
    f.readline()
    out = []
    for off in (int(x) for x in sys.argv[4:]):
        raw.setblocking(False)
        seg = last_segment(raw, lport)
        if seg is None:
            print("no segment of ours seen on", iface, file=sys.stderr)
            sys.exit(2)
        raw.send(rst_frame(seg[0], (seg[1] + off) & 0xFFFFFFFF))
        try:
            # the RST went first on the same path: the echo tells
            f.write(b"again\n")
            out.append("alive" if f.readline() == b"again\n" else "reset")
        except OSError:
            out.append("reset")
    print(" ".join(out))


main()
