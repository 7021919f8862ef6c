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


def l4_csum(src, dst, proto, seg):
    """TCP/UDP checksum over the pseudo header and the segment (with its
    checksum field zeroed by the caller)."""
    ph = src + dst + struct.pack("!BBH", 0, proto, len(seg))
    return csum(ph + seg)


def rebuild(frame, dmac=None, smac=None, src=None, dst=None, sport=None,
            dport=None, ttl=None, icmp_id=None, l2=14, tos=None, df=None,
            mss=None):
    """An IPv4 frame with fields replaced and every checksum recomputed in
    full: what an incremental update must produce."""
    f = bytearray(frame)
    if dmac:
        f[0:6] = mac(dmac)
    if smac:
        f[6:12] = mac(smac)
    ip = l2
    hl = (f[ip] & 0x0F) * 4
    if src:
        f[ip + 12:ip + 16] = bytes(int(x) for x in src.split("."))
    if dst:
        f[ip + 16:ip + 20] = bytes(int(x) for x in dst.split("."))
    if ttl is not None:
        f[ip + 8] = ttl
    if tos is not None:
        f[ip + 1] = tos
    if df is not None:
        f[ip + 6] = (f[ip + 6] & ~0x40) | (0x40 if df else 0)
    if mss is not None:
        # the first MSS option of the TCP header
        o, end = ip + hl + 20, ip + hl + (f[ip + hl + 12] >> 4) * 4
        while o < end and f[o] != 0:
            if f[o] == 1:
                o += 1
                continue
            if f[o] == 2:
                f[o + 2:o + 4] = struct.pack("!H", mss)
                break
            o += f[o + 1]
    f[ip + 10:ip + 12] = b"\0\0"
    f[ip + 10:ip + 12] = struct.pack("!H", csum(bytes(f[ip:ip + hl])))
    total = struct.unpack("!H", f[ip + 2:ip + 4])[0]
    l4 = ip + hl
    proto = f[ip + 9]
    a, b = bytes(f[ip + 12:ip + 16]), bytes(f[ip + 16:ip + 20])
    if proto in (6, 17):
        if sport:
            f[l4:l4 + 2] = struct.pack("!H", sport)
        if dport:
            f[l4 + 2:l4 + 4] = struct.pack("!H", dport)
        off = 16 if proto == 6 else 6
        f[l4 + off:l4 + off + 2] = b"\0\0"
        c = l4_csum(a, b, proto, bytes(f[l4:ip + total]))
        if proto == 17 and c == 0:
            c = 0xFFFF
        f[l4 + off:l4 + off + 2] = struct.pack("!H", c)
    elif proto == 1:
        if icmp_id is not None:
            f[l4 + 4:l4 + 6] = struct.pack("!H", icmp_id)
        f[l4 + 2:l4 + 4] = b"\0\0"
        f[l4 + 2:l4 + 4] = struct.pack("!H", csum(bytes(f[l4:ip + total])))
    return bytes(f)


def udp(src_mac, dst_mac, src, dst, sport, dport, payload=b"sluice", ttl=64,
        df=False):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    a = bytes(int(x) for x in src.split("."))
    b = bytes(int(x) for x in dst.split("."))
    c = l4_csum(a, b, 17, seg)
    seg = seg[:6] + struct.pack("!H", c or 0xFFFF) + seg[8:]
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), 7,
                    0x4000 if df else 0, ttl, 17, 0, a, b)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return eth(dst_mac, src_mac, 0x0800, h + seg)


def tcp_syn(src_mac, dst_mac, src, dst, sport, dport, seq=1000):
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02,
                      65535, 0, 0)
    a = bytes(int(x) for x in src.split("."))
    b = bytes(int(x) for x in dst.split("."))
    seg = seg[:16] + struct.pack("!H", l4_csum(a, b, 6, seg)) + seg[18:]
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 9, 0x4000, 64, 6, 0, a, b)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return eth(dst_mac, src_mac, 0x0800, h + seg)


def tcp_opts(src_mac, dst_mac, src, dst, sport, dport, flags=0x02,
             opts=b"", tos=0, ttl=64, df=True, ip_id=9):
    """A TCP segment with options (padded to 4 bytes) and IP header
    fields to scrub: TOS, TTL, DF, id."""
    opts += b"\0" * (-len(opts) % 4)
    seg = struct.pack("!HHIIBBHHH", sport, dport, 1000,
                      5000 if flags & 0x10 else 0, (5 + len(opts) // 4) << 4,
                      flags, 65535, 0, 0) + opts
    a = bytes(int(x) for x in src.split("."))
    b = bytes(int(x) for x in dst.split("."))
    seg = seg[:16] + struct.pack("!H", l4_csum(a, b, 6, seg)) + seg[18:]
    h = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(seg), ip_id,
                    0x4000 if df else 0, ttl, 6, 0, a, b)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return eth(dst_mac, src_mac, 0x0800, h + seg)


def mss_opt(mss):
    return struct.pack("!BBH", 2, 4, mss)


def arp_reply(sha, spa, tha, tpa):
    a = bytes(int(x) for x in spa.split("."))
    b = bytes(int(x) for x in tpa.split("."))
    p = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2) + mac(sha) + a + mac(tha) + b
    return eth(tha, sha, 0x0806, p)


def icmp_error(src_mac, dst_mac, src, dst, typ, code, orig_ip, mtu=0):
    """What a router sends: IP id 0, TTL 64, quoting header + 8 bytes."""
    hl = (orig_ip[0] & 0x0F) * 4
    quote = orig_ip[:hl + 8]
    body = struct.pack("!BBHHH", typ, code, 0, 0, mtu) + quote
    body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
    a = bytes(int(x) for x in src.split("."))
    b = bytes(int(x) for x in dst.split("."))
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), 0, 0, 64, 1,
                    0, a, b)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return eth(dst_mac, src_mac, 0x0800, h + body)
