"""Tiny pcap reader/writer and frame builders for the pipeline tests.

Standard library only, so the tests need nothing beyond python3."""
import struct

PCAP_HDR = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)


def write_pcap(path, frames):
    """frames: list of (time_seconds_float, bytes)."""
    with open(path, "wb") as f:
        f.write(PCAP_HDR)
        for ts, data in frames:
            sec = int(ts)
            usec = int(round((ts - sec) * 1e6))
            f.write(struct.pack("<IIII", sec, usec, len(data), len(data)))
            f.write(data)


def read_pcap(path):
    out = []
    with open(path, "rb") as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            return out
        magic = struct.unpack("<I", hdr[:4])[0]
        if magic != 0xA1B2C3D4:
            raise ValueError("%s: not a little-endian usec pcap" % path)
        while True:
            rh = f.read(16)
            if len(rh) < 16:
                break
            sec, usec, incl, _ = struct.unpack("<IIII", rh)
            out.append((sec + usec / 1e6, f.read(incl)))
    return out


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


BCAST = "ff:ff:ff:ff:ff:ff"


def eth(dst, src, etype, payload, vlan=None):
    h = mac(dst) + mac(src)
    if vlan is not None:
        h += struct.pack("!HH", 0x8100, vlan)
    frame = h + struct.pack("!H", etype) + payload
    if len(frame) < 60:
        frame += b"\0" * (60 - len(frame))
    return frame


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ttl=64):
    a = bytes(int(x) for x in src.split("."))
    b = bytes(int(x) for x in dst.split("."))
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, ttl,
                    proto, 0, a, b)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def arp_request(src_mac, src_ip, dst_ip, vlan=None):
    a = bytes(int(x) for x in src_ip.split("."))
    b = bytes(int(x) for x in dst_ip.split("."))
    p = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac(src_mac) + a + \
        b"\0" * 6 + b
    return eth(BCAST, src_mac, 0x0806, p, vlan)


def icmp_echo(src_mac, dst_mac, src_ip, dst_ip, seq=1, vlan=None):
    body = struct.pack("!BBHHH", 8, 0, 0, 0x1234, seq) + b"sluice" * 4
    body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
    return eth(dst_mac, src_mac, 0x0800, ipv4(src_ip, dst_ip, 1, body), vlan)
