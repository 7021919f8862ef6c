#!/usr/bin/env python3
"""send_frame.py IFACE DST SRC [--vlan VID] [--count N] MARKER

Sends broadcast-style raw Ethernet frames (ethertype 0x88b5, the IEEE
local experimental type) carrying MARKER, optionally 802.1Q-tagged: what
a trunk port's peer would put on the wire.  Runs inside a namespace."""
import argparse
import socket
import struct


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


ap = argparse.ArgumentParser()
ap.add_argument("iface")
ap.add_argument("dst")
ap.add_argument("src")
ap.add_argument("marker")
ap.add_argument("--vlan", type=int)
ap.add_argument("--count", type=int, default=3)
a = ap.parse_args()
frame = mac(a.dst) + mac(a.src)
if a.vlan is not None:
    frame += struct.pack("!HH", 0x8100, a.vlan)
frame += struct.pack("!H", 0x88B5) + a.marker.encode()
frame += b"\0" * max(0, 64 - len(frame))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((a.iface, 0))
for _ in range(a.count):
    s.send(frame)
