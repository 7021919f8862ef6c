#!/usr/bin/env python3
"""udpflows.py echo PORT          UDP echo server
   udpflows.py peer PORT FILE     UDP: record the first sender as ip:port
   udpflows.py tcppeer PORT FILE  TCP: record the first client as ip:port
   udpflows.py tcpmss PORT FILE   TCP: record the first client's segment
                                  size as this end's kernel took it
   udpflows.py mss HOST PORT      TCP: connect, print this end's segment
                                  size (TCP_MAXSEG: the MSS the peer
                                  advertised, less TCP options)
   udpflows.py hello PORT         TCP: greet every client with "hi"
   udpflows.py hi HOST PORT       TCP: connect, expect "hi" (3 s), exit 0
   udpflows.py flows HOST PORT N  N concurrent flows, one datagram each;
                                  prints how many answers came back"""
import select
import socket
import sys
import time



def listener(port, backlog):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(backlog)
    return s


mode = sys.argv[1]
if mode == "echo":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(sys.argv[2])))
    while True:
        data, peer = s.recvfrom(2048)
        s.sendto(data, peer)
elif mode == "peer":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(sys.argv[2])))
    data, peer = s.recvfrom(2048)
    s.sendto(data, peer)
    open(sys.argv[3], "w").write("%s:%d\n" % peer)
elif mode in ("tcppeer", "tcpmss"):
    # the first client: who it is, or the segment size our end took
    c, peer = listener(int(sys.argv[2]), 1).accept()
    mss = c.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG)
    c.sendall(c.recv(100))
    open(sys.argv[3], "w").write("%s:%d\n" % peer if mode == "tcppeer"
                                 else "%d\n" % mss)
    c.close()
elif mode == "mss":
    c = socket.create_connection((sys.argv[2], int(sys.argv[3])), timeout=3)
    c.sendall(b"m")
    c.recv(10)
    print(c.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG))
elif mode == "hello":
    s = listener(int(sys.argv[2]), 16)
    while True:
        c, _ = s.accept()
        c.sendall(b"hi")
        c.close()
elif mode == "hi":
    try:
        c = socket.create_connection((sys.argv[2], int(sys.argv[3])),
                                     timeout=3)
        sys.exit(0 if c.recv(2) == b"hi" else 1)
    except OSError:
        sys.exit(1)
elif mode == "flows":
    host, port, n = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    socks = []
    for i in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setblocking(False)
        s.connect((host, port))
        socks.append(s)
    # UDP may lose a datagram under a burst (a tap's queue is 500 deep):
    # flows that got no answer send again, on the same socket, so the
    # flow (and its translation) stays the same.
    got = set()
    deadline = time.time() + 15
    while len(got) < n and time.time() < deadline:
        for i, s in enumerate(socks):
            if s.fileno() not in got:
                s.send(b"flow %d" % i)
                if i % 100 == 99:
                    time.sleep(0.002)
        until = time.time() + 1.0
        while len(got) < n and time.time() < until:
            r, _, _ = select.select(socks, [], [], 0.2)
            for s in r:
                try:
                    if s.recv(100):
                        got.add(s.fileno())
                except OSError:
                    pass
    print(len(got))
