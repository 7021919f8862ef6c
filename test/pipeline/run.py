#!/usr/bin/env python3
"""Pipeline tests: capture files in -> sluiced (replay mode) -> capture
files out, compared frame by frame, byte for byte.  Views printed after
the replay (sluiced -c) are checked for the lines a user would grep.

usage: run.py SLUICED [CASE...]     prints one line per case and a total
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

from pcaplib import (BCAST, arp_reply, arp_request, csum, eth, icmp_echo,
                     icmp_error, mss_opt, read_pcap, rebuild, tcp_opts,
                     tcp_syn, udp, write_pcap)

A = "02:00:00:00:00:0a"     # host on the LAN side (em1)
B = "02:00:00:00:00:0b"     # guest web01 (tap0)
C = "02:00:00:00:00:0c"     # another LAN host (em2)
D = "02:00:00:00:00:0d"

BRIDGE_EM1_EM2 = {"hostname.bridge0": "add em1\nadd em2\nup\n"}
VMCONF = """switch "lan" {
    interface bridge0
}
vm "web01" {
    memory 1024M
    disk "/var/vm/web01.img"
    interface { switch "lan" }
}
"""

CASES = []


def tag(frame, vid, pcp=0):
    """The frame with an 802.1Q tag pushed: VID and priority code point."""
    return frame[:12] + struct.pack("!HH", 0x8100, pcp << 13 | vid) + \
        frame[12:]


def with_payload(frame, data):
    """An untagged IPv4 frame with data after its transport header: the
    total length grows, every checksum is made again."""
    ip = 14
    total = struct.unpack("!H", frame[ip + 2:ip + 4])[0]
    f = bytearray(frame[:ip + total] + data)
    f[ip + 2:ip + 4] = struct.pack("!H", total + len(data))
    return rebuild(bytes(f))


def untag(frame):
    """The frame as vlan(4) hands it on: the 4 tag bytes gone, no padding
    added (a short frame is padded by whoever puts it on a wire)."""
    return frame[:12] + frame[16:]


def case(fn):
    CASES.append(fn)
    return fn


@case
def flood_then_learn():
    """Broadcast floods to every other member; the reply is unicast to the
    member that learned the sender; never back out the port it came in."""
    req = arp_request(A, "192.0.2.1", "192.0.2.2")
    rep = icmp_echo(B, A, "192.0.2.2", "192.0.2.1")
    return dict(
        files=dict(BRIDGE_EM1_EM2, **{"vm.conf": VMCONF}),
        inputs={"em1": [(1.0, req)], "tap0": [(2.0, rep)]},
        expect={"em1": [rep], "em2": [req], "tap0": [req]},
        commands=["ifconfig bridge0"],
        views=[r"\tem1 flags=3<LEARNING,DISCOVER>",
               r"\ttap0 flags=3<LEARNING,DISCOVER>",
               r"Addresses \(max cache: 100, timeout: 240\):",
               r"\t\t02:00:00:00:00:0a em1 1 flags=0<>",
               r"\t\t02:00:00:00:00:0b tap0 1 flags=0<>"])


@case
def unknown_unicast_floods():
    f = icmp_echo(A, D, "192.0.2.1", "192.0.2.4")
    return dict(
        files=dict(BRIDGE_EM1_EM2, **{"vm.conf": VMCONF}),
        inputs={"em1": [(1.0, f)]},
        expect={"em1": [], "em2": [f], "tap0": [f]})


@case
def discover_off_limits_unknown_unicast():
    """-discover: unknown unicast skips the member, broadcast does not."""
    f = icmp_echo(A, D, "192.0.2.1", "192.0.2.4")
    b = arp_request(A, "192.0.2.1", "192.0.2.4")
    return dict(
        files={"hostname.bridge0": "add em1\nadd em2\n-discover em2\nup\n",
               "vm.conf": VMCONF},
        inputs={"em1": [(1.0, f), (1.1, b)]},
        expect={"em1": [], "em2": [b], "tap0": [f, b]})


@case
def no_learning_member():
    """-learn: the sender on em1 is never learned, so replies flood."""
    req = arp_request(A, "192.0.2.1", "192.0.2.2")
    rep = icmp_echo(B, A, "192.0.2.2", "192.0.2.1")
    return dict(
        files={"hostname.bridge0": "add em1\nadd em2\n-learn em1\nup\n",
               "vm.conf": VMCONF},
        inputs={"em1": [(1.0, req)], "tap0": [(2.0, rep)]},
        expect={"em1": [rep], "em2": [req, rep], "tap0": [req]},
        commands=["ifconfig bridge0"],
        views=[r"\tem1 flags=2<DISCOVER>"],
        absent=[r"02:00:00:00:00:0a em1"])


@case
def trunk_keeps_tags():
    """A trunk member passes tagged frames with their tags; learning is
    per VLAN: the same MAC on VLANs 10 and 20 is two entries."""
    t10 = arp_request(A, "192.0.2.1", "192.0.2.2", vlan=10)
    t20 = arp_request(A, "198.51.100.1", "198.51.100.2", vlan=20)
    r10 = icmp_echo(B, A, "192.0.2.2", "192.0.2.1", vlan=10)
    return dict(
        files={"hostname.bridge0": "add em1\nup\n", "vm.conf": VMCONF},
        inputs={"em1": [(1.0, t10), (1.1, t20)], "tap0": [(2.0, r10)]},
        expect={"em1": [r10], "tap0": [t10, t20]},
        commands=["ifconfig bridge0"],
        views=[r"02:00:00:00:00:0a em1 1 flags=0<> vlan 10",
               r"02:00:00:00:00:0a em1 1 flags=0<> vlan 20",
               r"02:00:00:00:00:0b tap0 1 flags=0<> vlan 10"])


@case
def single_vlan():
    """vlan10 in the bridge, em1 not: tag 10 arrives untagged at the guest,
    the reply leaves em1 tagged 10, tag 20 and untagged never pass."""
    t10 = arp_request(A, "192.0.2.1", "192.0.2.2", vlan=10)
    t20 = arp_request(A, "198.51.100.1", "198.51.100.2", vlan=20)
    untagged = arp_request(A, "203.0.113.1", "203.0.113.2")
    rep = icmp_echo(B, A, "192.0.2.2", "192.0.2.1")
    return dict(
        files={"hostname.bridge0": "add vlan10\nup\n",
               "hostname.vlan10": "vlandev em1\nvlan 10\nup\n",
               "vm.conf": VMCONF},
        inputs={"em1": [(1.0, t10), (1.1, t20), (1.2, untagged)],
                "tap0": [(2.0, rep)]},
        expect={"em1": [tag(rep, 10, pcp=3)], "tap0": [untag(t10)]},
        commands=["ifconfig vlan10", "stats"],
        views=[r"\tencap: vnetid 10 parent em1 txprio packet rxprio outer",
               r"em1 +drop-vlan-unknown +1 ",
               r"em1 +drop-not-member +1 "])


VLANS_10_20 = {"hostname.bridge0": "add vlan10\nadd vlan20\nup\n",
               "hostname.vlan10": "vlandev em1\nvlan 10\nup\n",
               "hostname.vlan20": "vlandev em1\nvlan 20\nup\n"}


@case
def vlan_priority_in_and_out():
    """vlan(4)'s defaults, rxprio outer and txprio packet: the PCP a frame
    comes in with is its priority (802.1p's 0 and 1 swapped), and that
    priority is the PCP it leaves with.  A frame the router makes leaves
    with the default 3.  Three frames of one burst for one output queue
    leave highest priority first, as priq(9) sends them."""
    u = udp(A, C, "192.0.2.10", "192.0.2.20", 41000, 53)
    v = udp(A, C, "192.0.2.10", "192.0.2.20", 41001, 53)
    w = udp(A, C, "192.0.2.10", "192.0.2.20", 41002, 53)
    x = udp(A, C, "192.0.2.10", "192.0.2.20", 41003, 53)
    return dict(
        files=VLANS_10_20,
        inputs={"em1": [(1.0, tag(u, 10, pcp=5)),
                        (2.0, tag(v, 10, pcp=1)), (2.0, tag(w, 10, pcp=5)),
                        (2.0, tag(x, 10, pcp=0))]},
        expect={"em1": [tag(u, 20, pcp=5), tag(w, 20, pcp=5),
                        tag(x, 20, pcp=0), tag(v, 20, pcp=1)]},
        pre=["trace on 10"],
        commands=["stats", "trace show"],
        views=[r"^ +pipeline +tx-priq +1 ",
               r"em1: vid 10 -> vlan10, tag removed, prio 5",
               r"em1: vid 10 -> vlan10, tag removed, prio 1",
               r"em1: vid 10 -> vlan10, tag removed, prio 0",
               r"vlan20 via em1: queued, tag pushed \(pcp 5\)",
               r"em1: priq: prio 5, sent 1 of 3 \(queued 2\)"])


@case
def priority_tagged_frames():
    """A frame tagged with VID 0 names only a priority: it is taken as the
    untagged frame it carries (vlan_input()), bridged and routed as one;
    a priority tag over another tag is dropped and counted."""
    u = udp(A, C, "192.0.2.10", "192.0.2.20", 41000, 53)
    stacked = tag(tag(u, 10), 0, pcp=5)
    return dict(
        files=dict(BRIDGE_EM1_EM2, **{"vm.conf": VMCONF}),
        inputs={"em1": [(1.0, tag(u, 0, pcp=5)), (1.1, stacked)]},
        expect={"em2": [u], "tap0": [u], "em1": []},
        pre=["trace on 10"],
        commands=["stats", "trace show"],
        views=[r"em1 +prio-tagged +1 ", r"em1 +drop-prio-stacked +1 ",
               r"em1: priority tag \(vid 0\) removed"])


@case
def vlan_txprio_rxprio_fixed():
    """txprio N and rxprio N|packet in hostname.vlanN: vlan10 gives every
    frame it takes priority 6 and tags what it sends 2; vlan20 keeps the
    packet's priority coming in (the default 3) and puts it in the PCP
    going out.  A bad value is refused with where it is."""
    u = udp(A, C, "192.0.2.10", "192.0.2.20", 41000, 53)
    back = udp(C, A, "192.0.2.20", "192.0.2.10", 53, 41000)
    files = dict(VLANS_10_20)
    files["hostname.vlan10"] = "vlandev em1\nvlan 10\ntxprio 2 rxprio 6\nup\n"
    files["hostname.vlan20"] = ("vlandev em1\nvlan 20\nrxprio packet\n"
                                "txprio packet\nup\n")
    return dict(
        files=files,
        inputs={"em1": [(1.0, tag(u, 10, pcp=1)), (1.1, tag(back, 20, pcp=7))]},
        expect={"em1": [tag(u, 20, pcp=6), tag(back, 10, pcp=2)]},
        commands=["ifconfig vlan10", "ifconfig vlan20"],
        views=[r"\tencap: vnetid 10 parent em1 txprio 2 rxprio 6$",
               r"\tencap: vnetid 20 parent em1 txprio packet rxprio packet$"])


def llprio_case(pre, pcp, shown):
    who = arp_request(A, "192.0.2.10", "192.0.2.1", vlan=10)
    em1 = "02:00:00:00:0e:01"
    rep = arp_reply(em1, "192.0.2.1", A, "192.0.2.10")
    return dict(
        files={"hostname.em1": "lladdr %s\nup\n" % em1,
               "hostname.vlan10": "vlandev em1\nvlan 10\nllprio 6\n"
                                  "inet 192.0.2.1 255.255.255.0\nup\n"},
        inputs={"em1": [(1.0, who)]},
        pre=pre,
        expect={"em1": [tag(rep, 10, pcp=pcp)]},
        commands=["ifconfig vlan10"],
        views=[r"\tindex \d+ priority 0 llprio %d$" % shown])


@case
def llprio_on_our_arp():
    """llprio: the router's own ARP on a routed vlan goes with the
    interface's llprio in its PCP (txprio packet), and ifconfig shows it."""
    return llprio_case([], 6, 6)


@case
def llprio_at_run_time():
    """ifconfig vlan10 llprio 1 changes it at run time (PCP 0: 802.1p's 0
    and 1 swap)."""
    return llprio_case(["ifconfig vlan10 llprio 1"], 0, 1)


@case
def pf_prio_and_set_prio():
    """pf's prio matches the priority a vlan gave the frame: 802.1p's
    best effort (PCP 0) is prio 1 and is blocked here, unless a state
    passes it (the handshake's last ACK and the data after it: prio is a
    rule criterion, states do not test it).  set prio (4, 6) gives a
    state's packets 4 both ways, and 6 to those with a lowdelay TOS and
    to TCP ACKs without data (pf_test()), which vlan20 and vlan10 carry
    as their PCP."""
    pf = ("block in quick on vlan10 prio 1\n"
          "pass in on vlan10 set prio (4, 6)\n"
          "pass out\n")
    be = udp(A, C, "192.0.2.10", "192.0.2.20", 41000, 53)
    u = udp(A, C, "192.0.2.10", "192.0.2.20", 41001, 53)
    back = udp(C, A, "192.0.2.20", "192.0.2.10", 53, 41001)
    low = rebuild(u, tos=0x10)
    syn = tcp_opts(A, C, "192.0.2.10", "192.0.2.20", 42000, 80)
    synack = tcp_opts(C, A, "192.0.2.20", "192.0.2.10", 80, 42000,
                      flags=0x12)
    ack = tcp_opts(A, C, "192.0.2.10", "192.0.2.20", 42000, 80, flags=0x10)
    data = with_payload(ack, b"GET / HTTP/1.0\r\n\r\n")
    return dict(
        files=dict(VLANS_10_20, **{"pf.conf": pf}),
        inputs={"em1": [(1.0, tag(be, 10, pcp=0)), (1.1, tag(u, 10, pcp=1)),
                        (1.2, tag(back, 20, pcp=7)),
                        (1.3, tag(low, 10, pcp=1)),
                        (1.4, tag(syn, 10, pcp=2)),
                        (1.5, tag(synack, 20, pcp=0)),
                        (1.6, tag(ack, 10, pcp=0)),
                        (1.7, tag(data, 10, pcp=0))]},
        expect={"em1": [tag(u, 20, pcp=4), tag(back, 10, pcp=4),
                        tag(low, 20, pcp=6), tag(syn, 20, pcp=4),
                        tag(synack, 10, pcp=6), tag(ack, 20, pcp=6),
                        tag(data, 20, pcp=4)]},
        pre=["trace on 10"],
        commands=["stats", "pfctl -sr", "trace show",
                  "explain in on vlan10 proto udp from 192.0.2.10 to "
                  "192.0.2.30 port 53 prio 1",
                  "explain in on vlan10 proto udp from 192.0.2.10 to "
                  "192.0.2.30 port 53 prio 0"],
        views=[r"^block drop in quick on vlan10 all prio 1$",
               r"^pass in on vlan10 all flags S/SA set \(prio\(4, 6\)\)$",
               r"^ +pf +set-prio +7 ",
               r"set prio: prio 4",
               r"set prio: prio 6",
               r"vlan20 via em1: queued, tag pushed \(pcp 6\)",
               r"normalized: set \(prio\(4, 6\)\), on this packet and "
               r"every packet of its state"])


def tcp_fix(frame, flags=None, x2=None, urp=None):
    """A TCP frame with its flags, reserved bits or urgent pointer set,
    every checksum made again."""
    f = bytearray(frame)
    th = 14 + (f[14] & 0x0F) * 4
    if flags is not None:
        f[th + 13] = flags
    if x2 is not None:
        f[th + 12] = (f[th + 12] & 0xF0) | x2
    if urp is not None:
        f[th + 18:th + 20] = struct.pack("!H", urp)
    return rebuild(bytes(f))


@case
def tcp_normalized():
    """pf_normalize_tcp() on every TCP segment pf sees: the NULL, FIN and
    Xmas scans and a SYN with RST are dropped (normalize); a SYN's FIN,
    reserved bits and an urgent pointer without URG are cleared."""
    syn = tcp_opts(A, C, "192.0.2.10", "192.0.2.20", 42000, 80)
    null = tcp_fix(syn, flags=0)
    fin = tcp_fix(syn, flags=0x01)
    xmas = tcp_fix(syn, flags=0x29)
    synrst = tcp_fix(syn, flags=0x06)
    rstpsh = tcp_fix(syn, flags=0x0C)
    synfin = tcp_fix(tcp_opts(A, C, "192.0.2.10", "192.0.2.20", 42001, 80),
                     flags=0x03)
    odd = tcp_fix(tcp_opts(A, C, "192.0.2.10", "192.0.2.20", 42002, 80,
                           flags=0x10), x2=0x5, urp=7)
    return dict(
        files=dict(BRIDGE_EM1_EM2, **{"vm.conf": VMCONF,
                                      "pf.conf": "pass\n"}),
        inputs={"em1": [(1.0, null), (1.1, fin), (1.2, xmas), (1.3, synrst),
                        (1.35, rstpsh), (1.4, synfin), (1.5, odd)]},
        expect={"em2": [tcp_fix(synfin, flags=0x02),
                        tcp_fix(odd, x2=0, urp=0)],
                "tap0": [tcp_fix(synfin, flags=0x02),
                         tcp_fix(odd, x2=0, urp=0)]},
        pre=["trace on 10"],
        commands=["stats", "pfctl -si", "trace show"],
        views=[r"^ +pf +normalize +5 ", r"^  normalize +5 ",
               r"^ +pf +tcp-normalized +2 ",
               r"drop \(normalize: TCP flags 0x29: no SYN, ACK or RST\)",
               r"drop \(normalize: TCP flags 0xc: FIN, PSH or URG "
               r"without ACK\)",
               r"drop \(normalize: TCP flags 0x6: a SYN with RST\)",
               r"normalize: a SYN's FIN cleared$",
               r"normalize: reserved bits cleared, urgent pointer without "
               r"URG cleared"])


@case
def block_return_takes_set_prio():
    """The RST block return sends back (pf_send_tcp()) takes the rule's
    set prio, so vlan10 tags it with that PCP."""
    syn = tcp_opts(A, C, "192.0.2.10", "192.0.2.20", 42000, 23)

    def check(outs):
        got = outs.get("em1", [])
        if len(got) != 1:
            return ["em1: %d frames, expected the RST" % len(got)]
        f = got[0]
        errs = []
        if f[12:14] != b"\x81\x00" or (f[14] >> 5) != 5 or \
                (struct.unpack("!H", f[14:16])[0] & 0xFFF) != 10:
            errs.append("em1: not tagged vlan 10, pcp 5: %s" % f[12:16].hex())
        if f[18 + 20 + 13] != 0x14:
            errs.append("em1: not an RST|ACK: flags %#x" % f[18 + 20 + 13])
        return errs
    return dict(
        files=dict(VLANS_10_20, **{"pf.conf": "block return in quick on "
                                   "vlan10 proto tcp to port 23 set prio 5"
                                   "\npass\n"}),
        inputs={"em1": [(1.0, tag(syn, 10, pcp=0))]},
        expect={}, check=check)


@case
def vlandev_and_parent_spellings():
    """hostname.vlan10 as `parent em1` + `vnetid 10` works the same."""
    t10 = arp_request(A, "192.0.2.1", "192.0.2.2", vlan=10)
    return dict(
        files={"hostname.bridge0": "add vlan10\nup\n",
               "hostname.vlan10": "parent em1 vnetid 10\nup\n",
               "vm.conf": VMCONF},
        inputs={"em1": [(1.0, t10)]},
        expect={"em1": [], "tap0": [untag(t10)]})


@case
def maxaddr_caps_learning():
    """maxaddr 2 with three sources: the third is not learned, counted."""
    f = [arp_request(m, "192.0.2.%d" % i, "192.0.2.9")
         for i, m in enumerate([A, C, D], 1)]
    return dict(
        files={"hostname.bridge0": "add em1\nmaxaddr 2\nup\n",
               "vm.conf": VMCONF},
        inputs={"em1": [(1.0, f[0]), (1.1, f[1]), (1.2, f[2])]},
        expect={"tap0": f, "em1": []},
        commands=["ifconfig bridge0", "stats"],
        views=[r"Addresses \(max cache: 2, timeout: 240\):",
               r"bridge0 +cache-full +1 "],
        absent=[r"02:00:00:00:00:0d"])


@case
def aging_forgets():
    """timeout 60 on the capture's clock: after 61 s the address is gone
    and a frame to it floods again."""
    req = arp_request(A, "192.0.2.1", "192.0.2.2")
    to_a = icmp_echo(B, A, "192.0.2.2", "192.0.2.1")
    return dict(
        files={"hostname.bridge0": "add em1\nadd em2\ntimeout 60\nup\n",
               "vm.conf": VMCONF},
        inputs={"em1": [(100.0, req)],
                "tap0": [(130.0, to_a), (161.5, to_a)]},
        expect={"em1": [to_a, to_a], "em2": [req, to_a], "tap0": [req]})


@case
def static_entry():
    """A static entry sends to its member; the source seen elsewhere does
    not move it."""
    to_d = icmp_echo(A, D, "192.0.2.1", "192.0.2.4")
    from_d = icmp_echo(D, A, "192.0.2.4", "192.0.2.1")
    return dict(
        files={"hostname.bridge0": "add em1\nadd em2\n"
               "static 02:00:00:00:00:0d em2\nup\n", "vm.conf": VMCONF},
        inputs={"em1": [(1.0, to_d)], "tap0": [(2.0, from_d)]},
        expect={"em2": [to_d], "tap0": [], "em1": [from_d]},
        commands=["ifconfig bridge0", "stats"],
        views=[r"02:00:00:00:00:0d em2 0 flags=1<STATIC>",
               r"bridge0 +static-held +1 "])


@case
def bridged_nat_out_flood():
    """pf translates bridged frames as it does routed ones: nat-to out on
    em2 rewrites A's query there, while the same flood leaves tap0 as A
    sent it (a copy per member, not one frame changed under the other;
    the state is if-bound: a floating one would translate the frame
    going out tap0 too, as pf does); C's answer comes in on em2 to the
    state and reaches A translated back."""
    pf = ("set state-policy if-bound\n"
          "pass out on em2 proto udp from 192.0.2.10 nat-to 192.0.2.99 "
          "port 50001\n")
    o = udp(A, C, "192.0.2.10", "192.0.2.20", 41000, 53)
    back = udp(C, A, "192.0.2.20", "192.0.2.99", 53, 50001)
    return dict(
        files=dict(BRIDGE_EM1_EM2, **{"vm.conf": VMCONF, "pf.conf": pf}),
        inputs={"em1": [(1.0, o)], "em2": [(1.1, back)]},
        expect={"em2": [rebuild(o, src="192.0.2.99", sport=50001)],
                "tap0": [o],
                "em1": [rebuild(back, dst="192.0.2.10", dport=41000)]},
        commands=["pfctl -ss"],
        views=[r"^em2 udp 192\.0\.2\.99:50001 \(192\.0\.2\.10:41000\) -> "
               r"192\.0\.2\.20:53 +MULTIPLE:SINGLE$"])


@case
def bridged_rdr_in():
    """rdr-to in on a member: A's query leaves every member redirected to
    192.0.2.30:5353; the answer from there goes out em1 as if from
    192.0.2.20:53, which is what A asked."""
    pf = ("pass in on em1 proto udp to 192.0.2.20 port 53 "
          "rdr-to 192.0.2.30 port 5353\n")
    o = udp(A, C, "192.0.2.10", "192.0.2.20", 41000, 53)
    fwd = rebuild(o, dst="192.0.2.30", dport=5353)
    back = udp(C, A, "192.0.2.30", "192.0.2.10", 5353, 41000)
    return dict(
        files=dict(BRIDGE_EM1_EM2, **{"vm.conf": VMCONF, "pf.conf": pf}),
        inputs={"em1": [(1.0, o)], "em2": [(1.1, back)]},
        expect={"em2": [fwd], "tap0": [fwd],
                "em1": [rebuild(back, src="192.0.2.20", sport=53)]},
        commands=["pfctl -ss"],
        views=[r"^all udp 192\.0\.2\.30:5353 \(192\.0\.2\.20:53\) <- "
               r"192\.0\.2\.10:41000 +\S+:\S+$"])


def rdr_pool_case(opts, servers, views):
    pf = ("pass in on em1 proto tcp to 192.0.2.20 port 80 "
          "rdr-to { 192.0.2.30, 192.0.2.31 } " + opts + "\n")
    syns = [tcp_syn(A, C, "192.0.2.10", "192.0.2.20", 41000 + i, 80)
            for i in range(3)]
    fwd = [rebuild(f, dst=d) for f, d in zip(syns, servers)]
    return dict(
        files=dict(BRIDGE_EM1_EM2, **{"vm.conf": VMCONF, "pf.conf": pf}),
        inputs={"em1": [(1.0 + i / 10, f) for i, f in enumerate(syns)]},
        expect={"em2": fwd, "tap0": fwd, "em1": []},
        pre=["trace on 10"],
        commands=["pfctl -ss", "pfctl -sS", "trace show"],
        views=[r"^all tcp %s:80 \(192\.0\.2\.20:80\) <- "
               r"192\.0\.2\.10:%d " % (d.replace(".", r"\."), 41000 + i)
               for i, d in enumerate(servers)] + list(views))


@case
def rdr_list_round_robin():
    """The FAQ's load balancing: rdr-to a list, round-robin: A's three
    connections go to one server, the other, the first again."""
    return rdr_pool_case("round-robin",
                         ["192.0.2.30", "192.0.2.31", "192.0.2.30"],
                         [r"rdr-to <__automatic_0>: round-robin \(entry 2 of "
                          r"2\) -> 192\.0\.2\.31"])


@case
def rdr_list_sticky_address():
    """With sticky-address every connection of A goes where its first
    went: its source node keeps the server."""
    return rdr_pool_case("round-robin sticky-address",
                         ["192.0.2.30"] * 3,
                         [r"sticky-address: source node says 192\.0\.2\.30",
                          r"^192\.0\.2\.10 rdr-to 192\.0\.2\.30 \( states 3, "
                          r"connections 0, rate 0\.0/0s \)$"])


@case
def blocknonip_and_protected():
    """blocknonip em3: only IP, ARP and RARP reach it or come from it;
    em1 and em2 share protected domain 1: nothing between them; tap0,
    in no domain and not blocknonip, gets everything."""
    files = {"hostname.bridge0": "add em1\nadd em2\nadd em3\n"
                                 "blocknonip em3\nprotected em1 1\n"
                                 "protected em2 1,2\nup\n",
             "vm.conf": VMCONF}
    arp = arp_request(A, "192.0.2.1", "192.0.2.2")
    other = eth(BCAST, A, 0x88b5, b"\0" * 46)
    from3 = eth(BCAST, D, 0x88b5, b"\0" * 46)
    return dict(files=files,
                inputs={"em1": [(1.0, arp), (1.1, other)],
                        "em3": [(1.2, from3)]},
                expect={"em1": [], "em2": [], "em3": [arp],
                        "tap0": [arp, other]},
                commands=["ifconfig bridge0", "stats"],
                views=[r"^\tem3 flags=7<LEARNING,DISCOVER,BLOCKNONIP>$",
                       r"^\t\tport \d+ ifpriority 0 ifcost 0 protected 1$",
                       r"^\t\tport \d+ ifpriority 0 ifcost 0 protected 1,2$",
                       r"bridge0 +drop-nonip +1 "])


@case
def blocknonip_and_protected_at_run_time():
    """The same options given to a running bridge (ifconfig bridge0 ...),
    and taken back: -protected em1 lets em1 reach em2 again."""
    other = eth(BCAST, A, 0x88b5, b"\0" * 46)
    return dict(files=dict(BRIDGE_EM1_EM2, **{"vm.conf": VMCONF}),
                inputs={"em1": [(1.0, other)]},
                expect={"em2": [], "tap0": []},
                pre=["ifconfig bridge0 blocknonip tap0 protected em1 7 "
                     "protected em2 7"],
                commands=["ifconfig bridge0 -protected em1",
                          "ifconfig bridge0"],
                views=[r"^\ttap0 flags=7<LEARNING,DISCOVER,BLOCKNONIP>$",
                       r"^\t\tport \d+ ifpriority 0 ifcost 0 protected 7$",
                       r"^\t\tport \d+ ifpriority 0 ifcost 0$"])


@case
def span_port_gets_copies():
    """span em3: a copy of every frame entering bridge0, the flood from
    em1 and the unicast answer from em2 alike (bridge_span()); em3 is no
    member, so what it sends goes nowhere."""
    files = {"hostname.bridge0": "add em1\nadd em2\nspan em3\nup\n"}
    req = arp_request(A, "192.0.2.1", "192.0.2.2")
    rep = icmp_echo(C, A, "192.0.2.2", "192.0.2.1")
    stray = icmp_echo(D, A, "192.0.2.4", "192.0.2.1")
    return dict(files=files,
                inputs={"em1": [(1.0, req)], "em2": [(1.1, rep)],
                        "em3": [(1.2, stray)]},
                expect={"em2": [req], "em1": [rep], "em3": [req, rep]},
                commands=["ifconfig bridge0", "stats"],
                views=[r"^\tem3 flags=100<SPAN>$",
                       r"bridge0 +span +2 "])


@case
def span_port_at_run_time():
    """ifconfig bridge0 -span em3, then span em3, on a running bridge:
    em3 is a span port again and gets its copy."""
    req = arp_request(A, "192.0.2.1", "192.0.2.2")
    return dict(files={"hostname.bridge0": "add em1\nadd em2\nspan em3\n"
                                           "up\n"},
                inputs={"em1": [(1.0, req)]},
                expect={"em2": [req], "em3": [req]},
                pre=["ifconfig bridge0 -span em3", "ifconfig bridge0 span em3"],
                commands=["ifconfig bridge0"],
                views=[r"^\tem3 flags=100<SPAN>$"])


@case
def bridge_rules_filter_and_tag():
    """bridge(4) rules on members, first match: D is blocked coming in on
    em1, A passes tagged LANA, which pf's `pass out on tap0 tagged LANA'
    then lets through where C's untagged frame is blocked; an ARP request
    for 192.0.2.66 may not leave on em2."""
    files = {"hostname.bridge0":
             "add em1\nadd em2\n"
             "rule block in on em1 src 02:00:00:00:00:0d\n"
             "rule pass in on em1 src 02:00:00:00:00:0a tag LANA\n"
             "rule block out on em2 arp request tpa 192.0.2.66\nup\n",
             "vm.conf": VMCONF,
             "pf.conf": "block out on tap0 all\n"
                        "pass out on tap0 tagged LANA\n"}
    f1 = udp(A, BCAST, "192.0.2.1", "192.0.2.255", 5000, 5001)
    f2 = udp(D, BCAST, "192.0.2.4", "192.0.2.255", 5000, 5001)
    arp = arp_request(A, "192.0.2.1", "192.0.2.66")
    f4 = udp(C, BCAST, "192.0.2.3", "192.0.2.255", 5000, 5001)
    return dict(files=files,
                inputs={"em1": [(1.0, f1), (1.1, f2), (1.2, arp),
                                (1.3, f4)]},
                expect={"em2": [f1, f4], "tap0": [f1, arp]},
                commands=["ifconfig bridge0", "stats"],
                views=[r"^\tblock in on em1 src 2:0:0:0:0:d$",
                       r"^\tpass in on em1 src 2:0:0:0:0:a tag LANA$",
                       r"^\tblock out on em2 arp request tpa 192\.0\.2\.66$",
                       r"bridge0 +drop-rule +2 "])


@case
def bridge_rule_at_run_time():
    """ifconfig bridge0 rule ... on a running bridge, and flushrule."""
    f1 = udp(A, BCAST, "192.0.2.1", "192.0.2.255", 5000, 5001)
    return dict(files=BRIDGE_EM1_EM2,
                inputs={"em1": [(1.0, f1)]},
                expect={"em2": []},
                pre=["ifconfig bridge0 rule block in on em1 src "
                     "02:00:00:00:00:0a"],
                commands=["ifconfig bridge0", "stats",
                          "ifconfig bridge0 flushrule em1"],
                views=[r"^\tblock in on em1 src 2:0:0:0:0:a$",
                       r"bridge0 +drop-rule +1 "])


@case
def runt_dropped_counted():
    return dict(
        files={"hostname.bridge0": "add em1\nup\n", "vm.conf": VMCONF},
        inputs={"em1": [(1.0, b"\x01\x02\x03")]},
        expect={"tap0": []},
        commands=["stats"],
        views=[r"em1 +drop-runt +1 "])


@case
def multicast_source_dropped():
    bad = icmp_echo("01:00:5e:00:00:01", B, "192.0.2.1", "192.0.2.2")
    return dict(
        files={"hostname.bridge0": "add em1\nup\n", "vm.conf": VMCONF},
        inputs={"em1": [(1.0, bad)]},
        expect={"tap0": []},
        commands=["stats"],
        views=[r"bridge0 +drop-src-multicast +1 "])


@case
def locked_lladdr():
    """vm.conf `locked lladdr`: the guest may only send as its address and
    gets only frames for it (plus broadcast and multicast)."""
    vmconf = VMCONF.replace('interface { switch "lan" }',
                            'interface { switch "lan"\n'
                            ' locked lladdr %s }' % B)
    spoof = icmp_echo(D, A, "192.0.2.2", "192.0.2.1")
    good = icmp_echo(B, A, "192.0.2.2", "192.0.2.1")
    other = icmp_echo(A, C, "192.0.2.1", "192.0.2.3")
    bcast = arp_request(A, "192.0.2.1", "192.0.2.2")
    return dict(
        files={"hostname.bridge0": "add em1\nup\n", "vm.conf": vmconf},
        inputs={"tap0": [(1.0, spoof), (1.1, good)],
                "em1": [(2.0, other), (2.1, bcast)]},
        expect={"em1": [good], "tap0": [bcast]},
        commands=["stats", "vmctl status"],
        views=[r"tap0 +drop-lladdr-locked +1 ",
               r"tap0 +drop-not-for-locked +1 ",
               r"02:00:00:00:00:0b .*\(locked\)$"])


@case
def trace_explains():
    """The trace names each stage's decision for a packet."""
    req = arp_request(A, "192.0.2.1", "192.0.2.2")
    return dict(
        files={"hostname.bridge0": "add em1\nup\n", "vm.conf": VMCONF},
        inputs={"em1": [(1.0, req)]},
        expect={"tap0": [req]},
        pre=["trace on 10"],
        commands=["trace show"],
        views=[r"pkt 1 +rx +em1: 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff "
               r"ethertype 0x0806, 60 bytes",
               r"pkt 1 +bridge +bridge0: source learned; broadcast/multicast"
               r" destination: flood",
               r"pkt 1 +port-out +tap0: queued"])


# ---- the routed segment (handbook section 3) -----------------------------

VE = "fe:e1:ba:d0:00:01"     # vether0
E0 = "02:00:00:00:0e:00"     # em0
DB = "02:00:00:00:00:db"     # db01, 10.50.0.20
GW = "02:00:00:00:00:77"     # the wan gateway, 198.51.100.1


def routed(forwarding=True, pf=None, em0_extra=""):
    files = {
        "hostname.vether0": "lladdr %s\ninet 10.50.0.1 255.255.255.0\nup\n"
                            % VE,
        "hostname.bridge1": "add vether0\nup\n",
        "hostname.em0": "lladdr %s\ninet 198.51.100.2 255.255.255.0\n%sup\n"
                        % (E0, em0_extra),
        "mygate": "198.51.100.1\n",
        "vm.conf": 'switch "isolated" {\n    interface bridge1\n}\n'
                   'vm "db01" {\n    memory 2048M\n'
                   '    interface { switch "isolated" }\n}\n',
    }
    if forwarding:
        files["sysctl.conf"] = "net.inet.ip.forwarding=1\n"
    if pf is not None:
        files["pf.conf"] = pf
    return files


WHO = arp_request(DB, "10.50.0.20", "10.50.0.1")
WHO_REPLY = arp_reply(VE, "10.50.0.1", DB, "10.50.0.20")
GW_WHO = arp_request(E0, "198.51.100.2", "198.51.100.1")
GW_REPLY = arp_reply(GW, "198.51.100.1", E0, "198.51.100.2")


@case
def arp_answers_for_our_address():
    return dict(files=routed(), inputs={"tap0": [(1.0, WHO)]},
                expect={"tap0": [WHO_REPLY], "em0": []},
                commands=["arp -an"],
                views=[r"^10\.50\.0\.20 +02:00:00:00:00:db vether0 20m0s"])


@case
def echo_reply_from_the_router():
    req = icmp_echo(DB, VE, "10.50.0.20", "10.50.0.1")
    rep = bytearray(req)
    rep[34] = 0                     # ICMP echo reply
    rep = rebuild(bytes(rep), dmac=DB, smac=VE, src="10.50.0.1",
                  dst="10.50.0.20", ttl=64)
    return dict(files=routed(forwarding=False),
                inputs={"tap0": [(1.0, WHO), (1.1, req)]},
                expect={"tap0": [WHO_REPLY, rep], "em0": []})


@case
def queue_for_empty_acks_and_lowdelay():
    """set queue (std, ack): a TCP ACK without data and a packet whose
    TOS says lowdelay go to the second queue, the rest to the first, as
    pf_test() gives pqid."""
    syn = tcp_opts(A, C, "192.0.2.1", "192.0.2.3", 4000, 80, flags=0x02)
    ack = tcp_opts(A, C, "192.0.2.1", "192.0.2.3", 4000, 80, flags=0x10)
    data = with_payload(tcp_opts(A, C, "192.0.2.1", "192.0.2.3", 4000, 80,
                                 flags=0x18), b"GET / HTTP/1.0\r\n\r\n")
    lowdelay = with_payload(tcp_opts(A, C, "192.0.2.1", "192.0.2.3", 4001,
                                     22, flags=0x18, tos=0x10), b"ls\n")
    return dict(
        files=dict(BRIDGE_EM1_EM2, **{"pf.conf": (
            "queue rootq on em2 bandwidth 100M\n"
            "queue std parent rootq bandwidth 90M default\n"
            "queue ack parent rootq bandwidth 10M\n"
            "pass out on em2 proto tcp no state set queue (std, ack)\n")}),
        inputs={"em1": [(1.0, syn), (1.1, ack), (1.2, data),
                        (1.3, lowdelay), (1.4, data)]},
        expect={"em2": [syn, ack, data, lowdelay, data]},
        commands=["pfctl -s queue -v"],
        views=[r"^queue std parent rootq bandwidth 90M default\n"
               r"  \[ pkts:          3  bytes:        ",
               r"^queue ack parent rootq bandwidth 10M\n"
               r"  \[ pkts:          2  bytes:        "])


@case
def queue_on_vether():
    """A queue on vether0 holds what the router sends into bridge1: its
    replies to six pings reach db01 one per 66-byte frame time of a
    64 kbit/s link (8.25 ms), all of them, in order."""
    reqs = [icmp_echo(DB, VE, "10.50.0.20", "10.50.0.1", seq=i)
            for i in range(6)]
    reps = []
    for req in reqs:
        rep = bytearray(req)
        rep[34] = 0
        reps.append(rebuild(bytes(rep), dmac=DB, smac=VE, src="10.50.0.1",
                            dst="10.50.0.20", ttl=64))

    def check_ts(outs):
        errs = []
        got = outs["tap0"]
        if [d for _, d in got] != [WHO_REPLY] + reps:
            errs.append("tap0: %d frames, expected the ARP reply and 6 "
                        "echo replies in order" % len(got))
        for (t0, _), (t1, d) in zip(got, got[1:]):
            if t1 - t0 < len(d) * 8 / 64000 - 0.0021:
                errs.append("%.4f after %.4f: faster than 64 kbit/s" %
                            (t1, t0))
        return errs

    return dict(files=routed(forwarding=False,
                             pf="queue vq on vether0 bandwidth 64K default\n"
                                "pass\n"),
                inputs={"tap0": [(1.0, WHO)] + [(1.1, r) for r in reqs]},
                expect={"em0": []}, outputs=["tap0"], check_ts=check_ts,
                commands=["pfctl -s queue -v"],
                views=[r"^queue vq on vether0 bandwidth 64K default$",
                       r"^  \[ pkts:          7  bytes:        4"])


@case
def forward_resolves_next_hop():
    """The next hop is unknown: ARP out em0, the packet waits; the reply
    releases it, TTL one less and its checksum updated."""
    req = icmp_echo(DB, VE, "10.50.0.20", "198.51.100.1")
    fwd = rebuild(req, dmac=GW, smac=E0, ttl=63)
    return dict(files=routed(),
                inputs={"tap0": [(1.0, WHO), (1.1, req)],
                        "em0": [(1.2, GW_REPLY)]},
                expect={"tap0": [WHO_REPLY], "em0": [GW_WHO, fwd]},
                commands=["netstat -rn"],
                views=[r"^198\.51\.100\.1 +02:00:00:00:00:77 +UHLc .* em0"])


@case
def arp_gives_up_and_counts():
    """Five requests a second apart, then the next hop is down for 20 s
    (net.inet.ip.arpdown): what was queued is dropped, and what comes
    meanwhile gets a host unreachable (ip_forward() on EHOSTDOWN), without
    asking again."""
    req = icmp_echo(DB, VE, "10.50.0.20", "198.51.100.1")
    err = icmp_error(VE, DB, "10.50.0.1", "10.50.0.20", 3, 1, req[14:])
    return dict(files=routed(),
                inputs={"tap0": [(1.0, WHO), (1.1, req), (10.0, req)]},
                expect={"em0": [GW_WHO] * 5, "tap0": [WHO_REPLY, err]},
                commands=["stats", "arp -an"],
                views=[r"router +drop-arp-timeout +1 ",
                       r"router +drop-arp-down +1 ",
                       r"^198\.51\.100\.1 +\(incomplete\) +em0 16s +$"])


@case
def arp_asks_again_after_down():
    """Once the down time is over the entry is gone, and the next packet
    asks again."""
    req = icmp_echo(DB, VE, "10.50.0.20", "198.51.100.1")
    return dict(files=routed(),
                inputs={"tap0": [(1.0, WHO), (1.1, req), (30.0, req)]},
                expect={"em0": [GW_WHO] * 6},
                commands=["stats", "arp -an"],
                views=[r"router +drop-arp-timeout +1 ",
                       r"^198\.51\.100\.1 +\(incomplete\) +em0 expired"],
                absent=[r"drop-arp-down"])


@case
def ttl_exceeded():
    req = icmp_echo(DB, VE, "10.50.0.20", "198.51.100.1")
    req = rebuild(req, ttl=1)
    err = icmp_error(VE, DB, "10.50.0.1", "10.50.0.20", 11, 0, req[14:])
    return dict(files=routed(), inputs={"tap0": [(1.0, WHO), (1.1, req)]},
                expect={"tap0": [WHO_REPLY, err], "em0": []})


@case
def no_route_unreachable():
    """No route: host unreachable (code 1), as OpenBSD's ip_forward()."""
    req = icmp_echo(DB, VE, "10.50.0.20", "203.0.113.9")
    err = icmp_error(VE, DB, "10.50.0.1", "10.50.0.20", 3, 1, req[14:])
    return dict(files=routed(), inputs={"tap0": [(1.0, WHO), (1.1, req)]},
                pre=["route delete default"],
                expect={"tap0": [WHO_REPLY, err], "em0": []},
                commands=["stats"], views=[r"router +drop-no-route +1 "])


@case
def needfrag_with_mtu():
    big = udp(DB, VE, "10.50.0.20", "198.51.100.1", 41000, 53,
              payload=b"x" * 1422, df=True)      # 1450 bytes of IP
    err = icmp_error(VE, DB, "10.50.0.1", "10.50.0.20", 3, 4, big[14:],
                     mtu=1400)
    return dict(files=routed(em0_extra="mtu 1400\n"),
                inputs={"tap0": [(1.0, WHO), (1.1, big)]},
                expect={"tap0": [WHO_REPLY, err], "em0": []},
                pre=["trace on 5"], commands=["stats", "trace show"],
                views=[r"router +drop-needfrag +1 ",
                       r"router +drop: 1450 bytes > mtu 1400 of em0, DF set: "
                       r"needfrag sent"])


# 12 bytes of options: record route (not copied), a NOP, router alert
# (copied): later fragments carry the NOP and router alert, EOL-padded.
IPOPTS = bytes([7, 7, 4, 0, 0, 0, 0, 1, 0x94, 4, 0, 0])


def udp_opts(payload, opts=b"", ipoff=0, ident=0x4242):
    """db01 -> 198.51.100.1 UDP datagram (IP header and options, no MAC)
    with ip_off ipoff; the UDP header is part of payload when ipoff's
    offset is not 0."""
    import struct
    from pcaplib import csum, l4_csum
    a = bytes([10, 50, 0, 20])
    b = bytes([198, 51, 100, 1])
    if ipoff & 0x1fff == 0:
        seg = struct.pack("!HHHH", 41000, 53, 8 + len(payload), 0) + payload
        c = l4_csum(a, b, 17, seg)
        payload = seg[:6] + struct.pack("!H", c or 0xFFFF) + seg[8:]
    hl = 20 + len(opts)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | hl // 4, 0, hl + len(payload),
                    ident, ipoff, 64, 17, 0, a, b) + opts
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def check_fragments(orig_ip, frames, mtu, copied_opts):
    """What ip_fragment() must make of orig_ip: checked field by field and
    reassembled, without trusting sluice's arithmetic."""
    import struct
    from pcaplib import csum
    errs = []
    ohl = (orig_ip[0] & 15) * 4
    ooff = struct.unpack("!H", orig_ip[6:8])[0]
    data = b""
    for i, f in enumerate(frames):
        ip = f[14:]
        hl = (ip[0] & 15) * 4
        tot, ident, off = struct.unpack("!HHH", ip[2:8])
        last = i == len(frames) - 1
        if f[:6] != bytes.fromhex(GW.replace(":", "")) or \
                f[12:14] != b"\x08\x00":
            errs.append("fragment %d: bad Ethernet header" % i)
        if csum(ip[:hl]) != 0:
            errs.append("fragment %d: bad header checksum" % i)
        if tot > mtu or tot != len(ip):
            errs.append("fragment %d: total length %d (frame %d, mtu %d)"
                        % (i, tot, len(ip), mtu))
        if ident != struct.unpack("!H", orig_ip[4:6])[0]:
            errs.append("fragment %d: id %#x changed" % (i, ident))
        if ip[8] != orig_ip[8] - 1 or ip[9] != orig_ip[9] or \
                ip[12:20] != orig_ip[12:20] or ip[1] != orig_ip[1]:
            errs.append("fragment %d: ttl/proto/tos/addresses" % i)
        if (off & 0x1fff) * 8 != len(data) + (ooff & 0x1fff) * 8:
            errs.append("fragment %d: offset %d, expected %d" % (
                i, (off & 0x1fff) * 8, len(data)))
        if bool(off & 0x2000) != (not last or bool(ooff & 0x2000)):
            errs.append("fragment %d: MF %s" % (i, bool(off & 0x2000)))
        if off & 0x4000:
            errs.append("fragment %d: DF set" % i)
        if not last and (tot - hl) % 8:
            errs.append("fragment %d: %d bytes, not a multiple of 8" % (
                i, tot - hl))
        want_opts = orig_ip[20:ohl] if i == 0 else copied_opts
        if ip[20:hl] != want_opts:
            errs.append("fragment %d: options %s, expected %s" % (
                i, ip[20:hl].hex(), want_opts.hex()))
        data += ip[hl:tot]
    if data != orig_ip[ohl:]:
        errs.append("the fragments do not reassemble to the original "
                    "(%d bytes, expected %d)" % (len(data),
                                                 len(orig_ip) - ohl))
    return errs


def fragment_case(ip, mtu, nfrags, copied_opts, pf=None, views=()):
    from pcaplib import eth
    big = eth(VE, DB, 0x0800, ip)

    def check(outs):
        got = [f for f in outs.get("em0", []) if f[12:14] == b"\x08\x00"]
        if len(got) != nfrags:
            return ["em0: %d fragments, expected %d" % (len(got), nfrags)]
        return check_fragments(ip, got, mtu, copied_opts)
    return dict(files=routed(em0_extra="mtu %d\n" % mtu, pf=pf),
                inputs={"tap0": [(1.0, WHO), (1.1, big)],
                        "em0": [(1.2, GW_REPLY)]},
                expect={"tap0": [WHO_REPLY]}, check=check,
                pre=["trace on 5"], commands=["stats", "trace show"],
                views=list(views) + [r"router +fragmented +1 ",
                       r"router +fragments-made +%d " % nfrags,
                       r"router +\S+ bytes > mtu %d of em0: %d fragments, "
                       r"id 16962" % (mtu, nfrags)])


@case
def fragments_to_smaller_mtu():
    """1450 bytes without DF to an MTU-1400 em0: two fragments (1376 and
    54 bytes of payload, as ip_fragment() cuts them), id kept."""
    return fragment_case(udp_opts(bytes(range(256)) * 5 + b"x" * 142),
                         1400, 2, b"")


@case
def fragments_after_no_df():
    """DF set, too big for em0: scrub (no-df) on the way in clears DF
    before the router's MTU test (pf_scrub() before ip_forward()), so the
    datagram is fragmented where needfrag_with_mtu gets an ICMP error."""
    ip = bytearray(udp_opts(bytes(range(256)) * 5 + b"x" * 142))
    ip[6] |= 0x40
    ip = rebuild(b"\0" * 14 + bytes(ip))[14:]
    return fragment_case(ip, 1400, 2, b"",
                         pf="match in all scrub (no-df)\npass\n",
                         views=[r"pf +scrubbed +1 "])


@case
def fragments_keep_their_queue():
    """pf out puts the datagram in queue bulk; the router fragments it
    after pf, and both fragments wait in bulk, not in the default queue
    (ip_fragment() copies the pf header with the queue id)."""
    return fragment_case(udp_opts(bytes(range(256)) * 5 + b"x" * 142),
                         1400, 2, b"",
                         pf="queue rootq on em0 bandwidth 100M\n"
                            "queue std parent rootq bandwidth 90M default\n"
                            "queue bulk parent rootq bandwidth 10M\n"
                            "pass\n"
                            "pass out on em0 proto udp set queue bulk\n",
                         views=[r"em0: waits in queue bulk \(1 of 50\)$",
                                r"em0: waits in queue bulk \(2 of 50\)$"])


@case
def fragments_copy_options():
    """Options: all in the first fragment, only the copied ones (and NOPs)
    in the others; a packet that was a fragment keeps MF on its last."""
    payload = bytes(range(256)) * 5 + b"o" * 120
    return fragment_case(udp_opts(payload, IPOPTS), 576, 3,
                         bytes([1, 0x94, 4, 0, 0, 0, 0, 0]))


@case
def fragments_of_a_fragment():
    """A first fragment (MF set, offset 0) bigger than the MTU: its pieces
    all carry MF; a middle one (offset 185*8) keeps its offset base."""
    first = udp_opts(b"a" * 1400, ipoff=0x2000)
    return fragment_case(first, 1000, 2, b"")


@case
def fragment_middle_offset():
    middle = udp_opts(b"m" * 1400, ipoff=0x2000 | 185)
    return fragment_case(middle, 1000, 2, b"")


@case
def wrong_interface_forwarding_off():
    """Forwarding off: em0's address is not answered on vether0 (OpenBSD's
    in_ouraddr(): ips_wrongif), vether0's own is."""
    far = icmp_echo(DB, VE, "10.50.0.20", "198.51.100.2")
    near = icmp_echo(DB, VE, "10.50.0.20", "10.50.0.1")
    rep = bytearray(near)
    rep[34] = 0
    rep = rebuild(bytes(rep), dmac=DB, smac=VE, src="10.50.0.1",
                  dst="10.50.0.20", ttl=64)
    return dict(files=routed(forwarding=False),
                inputs={"tap0": [(1.0, WHO), (1.1, far), (1.2, near)]},
                expect={"tap0": [WHO_REPLY, rep], "em0": []},
                pre=["trace on 5"], commands=["stats", "trace show"],
                views=[r"router +drop-wrong-if +1 ",
                       r"router +drop: 198\.51\.100\.2 is on em0, not "
                       r"vether0, and net\.inet\.ip\.forwarding=0"])


@case
def other_interface_forwarding_on():
    """Forwarding on: a router answers for any of its addresses."""
    far = icmp_echo(DB, VE, "10.50.0.20", "198.51.100.2")
    rep = bytearray(far)
    rep[34] = 0
    rep = rebuild(bytes(rep), dmac=DB, smac=VE, src="198.51.100.2",
                  dst="10.50.0.20", ttl=64)
    return dict(files=routed(),
                inputs={"tap0": [(1.0, WHO), (1.1, far)]},
                expect={"tap0": [WHO_REPLY, rep], "em0": []})


@case
def forwarding_off_drops():
    req = icmp_echo(DB, VE, "10.50.0.20", "198.51.100.1")
    return dict(files=routed(forwarding=False),
                inputs={"tap0": [(1.0, WHO), (1.1, req)]},
                expect={"tap0": [WHO_REPLY], "em0": []},
                commands=["stats"],
                views=[r"router +drop-forwarding-off +1 "])


# The seed's section 3 policy, with one nat port so the test knows it.
PF_NAT = """set skip on lo
wan      = "em0"
isol_net = "10.50.0.0/24"
match out on $wan from $isol_net to any nat-to ($wan) port 50001
block all
pass in on vether0 from $isol_net to any keep state
pass out on $wan proto { tcp udp icmp } from ($wan) to any keep state
"""


def nat_case(out, back_in, back_out, views):
    return dict(files=routed(pf=PF_NAT),
                inputs={"tap0": [(1.0, WHO), (1.1, out[0])],
                        "em0": [(1.2, GW_REPLY), (1.3, back_in)]},
                expect={"em0": [GW_WHO, out[1]],
                        "tap0": [WHO_REPLY, back_out]},
                commands=["pfctl -ss"], views=views)


@case
def nat_udp():
    o = udp(DB, VE, "10.50.0.20", "198.51.100.1", 41000, 53)
    on_wire = rebuild(o, dmac=GW, smac=E0, src="198.51.100.2", sport=50001,
                      ttl=63)
    back = udp(GW, E0, "198.51.100.1", "198.51.100.2", 53, 50001)
    home = rebuild(back, dmac=DB, smac=VE, dst="10.50.0.20", dport=41000,
                   ttl=63)
    return nat_case((o, on_wire), back, home,
                    [r"^all udp 198\.51\.100\.2:50001 \(10\.50\.0\.20:41000\)"
                     r" -> 198\.51\.100\.1:53 +MULTIPLE:SINGLE$"])


@case
def nat_tcp():
    o = tcp_syn(DB, VE, "10.50.0.20", "198.51.100.1", 42000, 80)
    on_wire = rebuild(o, dmac=GW, smac=E0, src="198.51.100.2", sport=50001,
                      ttl=63)
    back = tcp_syn(GW, E0, "198.51.100.1", "198.51.100.2", 80, 50001)
    back = bytearray(back)
    back[47] = 0x12                  # SYN+ACK
    back = rebuild(bytes(back))
    home = rebuild(back, dmac=DB, smac=VE, dst="10.50.0.20", dport=42000,
                   ttl=63)
    return nat_case((o, on_wire), back, home,
                    [r"^all tcp 198\.51\.100\.2:50001 \(10\.50\.0\.20:42000\)"
                     r" -> 198\.51\.100\.1:80 +"])


@case
def scrub_both_ways():
    """match in all scrub (...) and set tos: the SYN is scrubbed going in
    on vether0; the SYN-ACK, which meets no rule, by the state that SYN
    made (pf_scrub() with the state's options, on every packet of it).
    min-ttl acts before forwarding takes one off going out, after it
    coming back.  The MSS option sits at an odd offset in the SYN
    (after a NOP), at an even one in the SYN-ACK; every checksum is
    recomputed in full here, updated in place by sluiced."""
    pf = PF_NAT.replace("block all\n",
                        "match in all scrub (no-df min-ttl 100 max-mss 1440)"
                        "\nblock all\n").replace(
        "from $isol_net to any keep state",
        "from $isol_net to any keep state set tos 0x10")
    o = tcp_opts(DB, VE, "10.50.0.20", "198.51.100.1", 42000, 80,
                 opts=b"\x01" + mss_opt(1460) + b"\x01\x01\x01", tos=0x01)
    on_wire = rebuild(o, dmac=GW, smac=E0, src="198.51.100.2", sport=50001,
                      ttl=99, tos=0x11, df=False, mss=1440)
    back = tcp_opts(GW, E0, "198.51.100.1", "198.51.100.2", 80, 50001,
                    flags=0x12, opts=mss_opt(1460), ttl=64)
    home = rebuild(back, dmac=DB, smac=VE, dst="10.50.0.20", dport=42000,
                   ttl=100, tos=0x10, df=False, mss=1440)
    small = tcp_opts(DB, VE, "10.50.0.20", "198.51.100.1", 42000, 80,
                     flags=0x10, opts=mss_opt(1200), ttl=128, df=False)
    small_out = rebuild(small, dmac=GW, smac=E0, src="198.51.100.2",
                        sport=50001, ttl=127, tos=0x10)
    return dict(files=routed(pf=pf),
                inputs={"tap0": [(1.0, WHO), (1.1, o), (1.4, small)],
                        "em0": [(1.2, GW_REPLY), (1.3, back)]},
                expect={"em0": [GW_WHO, on_wire, small_out],
                        "tap0": [WHO_REPLY, home]},
                pre=["trace on 10"],
                commands=["stats", "pfctl -sr", "trace show"],
                views=[r"^ +pf +max-mss +2 ", r"^ +pf +scrubbed +3 ",
                       r"^match in all scrub \(no-df min-ttl 100 "
                       r"max-mss 1440\)$",
                       r"^pass in on vether0 inet from 10\.50\.0\.0/24 to "
                       r"any flags S/SA set \(tos 0x10\)$",
                       r"scrub: no-df: DF cleared, min-ttl: ttl raised, "
                       r"tos set, mss 1460 -> 1440"])


@case
def nat_icmp_query_id():
    o = icmp_echo(DB, VE, "10.50.0.20", "198.51.100.1")   # id 0x1234
    on_wire = rebuild(o, dmac=GW, smac=E0, src="198.51.100.2", ttl=63,
                      icmp_id=50001)
    back = bytearray(icmp_echo(GW, E0, "198.51.100.1", "198.51.100.2"))
    back[34] = 0                     # echo reply
    back = rebuild(bytes(back), icmp_id=50001)
    home = rebuild(back, dmac=DB, smac=VE, dst="10.50.0.20", ttl=63,
                   icmp_id=0x1234)
    return nat_case((o, on_wire), back, home,
                    [r"^all icmp 198\.51\.100\.2:50001 \(10\.50\.0\.20:4660\)"
                     r" -> 198\.51\.100\.1:50001 +0:0$"])


@case
def vvsr_dynaddr_count():
    """pfctl -vvsr on the live ruleset: (em0:N), the number of addresses
    (em0) stands for now (pfctl_parser.c print_addr); -nvv has no kernel
    to ask and prints (em0:*)."""
    o = udp(DB, VE, "10.50.0.20", "198.51.100.1", 41000, 53)
    c = nat_case((o, rebuild(o, dmac=GW, smac=E0, src="198.51.100.2",
                               sport=50001, ttl=63)),
                 udp(GW, E0, "198.51.100.1", "198.51.100.2", 53, 50001),
                 rebuild(udp(GW, E0, "198.51.100.1", "198.51.100.2", 53,
                             50001), dmac=DB, smac=VE, dst="10.50.0.20",
                         dport=41000, ttl=63),
                 [r"^@0 match out on em0 inet from 10\.50\.0\.0/24 to any "
                  r"nat-to \(em0:1\) port 50001 round-robin$",
                  r"^@3 pass out on em0 proto tcp from \(em0:1\) to any "])
    c["commands"] = ["pfctl -vvsr"]
    return c


@case
def kill_states_by_source():
    """pfctl -k compares a state's originator side (DIOCKILLSTATES: the
    stack key going out, the wire key going in): the nat-to address and
    the peer kill nothing; a network as source and a host as destination
    kill db01's two states (in on vether0, out on em0)."""
    o = udp(DB, VE, "10.50.0.20", "198.51.100.1", 41000, 53)
    back = udp(GW, E0, "198.51.100.1", "198.51.100.2", 53, 50001)
    c = nat_case((o, rebuild(o, dmac=GW, smac=E0, src="198.51.100.2",
                               sport=50001, ttl=63)), back,
                 rebuild(back, dmac=DB, smac=VE, dst="10.50.0.20",
                         dport=41000, ttl=63),
                 [r"^killed 0 states from 1 sources and 0 destinations\n"
                  r"killed 0 states from 1 sources and 0 destinations\n"
                  r"killed 0 states from 1 sources and 1 destinations\n"
                  r"killed 2 states from 1 sources and 1 destinations$"])
    c["commands"] = ["pfctl -k 198.51.100.2", "pfctl -k 198.51.100.1",
                     "pfctl -k 10.50.0.0/24 -k 198.51.100.9",
                     "pfctl -k 10.50.0.0/24 -k 198.51.100.1", "pfctl -ss"]
    c["absent"] = [r"^all "]
    return c


@case
def si_layout_on_the_capture_clock():
    """pfctl -si after a replay: pf has been enabled since the capture
    began (one clock, the capture's), in print_status()'s layout."""
    o = udp(DB, VE, "10.50.0.20", "198.51.100.1", 41000, 53)
    back = udp(GW, E0, "198.51.100.1", "198.51.100.2", 53, 50001)
    c = nat_case((o, rebuild(o, dmac=GW, smac=E0, src="198.51.100.2",
                               sport=50001, ttl=63)), back,
                 rebuild(back, dmac=DB, smac=VE, dst="10.50.0.20",
                         dport=41000, ttl=63),
                 [r"\AStatus: Enabled for 0 days 00:00:03 {14}Debug: err\n\n"
                  r"State Table {26}Total {13}Rate\n"
                  r"  current entries {24}2 {15}\n"
                  r"  half-open tcp {26}0 {15}\n"
                  r"  searches +(\d+) +\d+\.\d/s\n"
                  r"  inserts {32}2 {12}0\.7/s\n"
                  r"  removals {31}0 {12}0\.0/s\n"
                  r"Counters\n"
                  r"  match {34}2 {12}0\.7/s\n",
                  r"^  memory {33}0 {12}0\.0/s$",
                  r"^  state-limit {28}0 {12}0\.0/s$"])
    # a frame for nobody, three seconds after the first: the clock runs
    c["inputs"]["em0"].append((4.0, arp_request(GW, "198.51.100.1",
                                                "198.51.100.77")))
    c["commands"] = ["pfctl -si"]
    return c


@case
def pfctl_views_and_flush_all():
    """-vsr, -vss, -sm, -st in pfctl's formats (formats/README.md 4b, 4d,
    4f, 4g); -F all empties the rules and the states, clears the statistics and the
    interface flags, and says so line by line as pfctl does."""
    o = udp(DB, VE, "10.50.0.20", "198.51.100.1", 41000, 53)
    back = udp(GW, E0, "198.51.100.1", "198.51.100.2", 53, 50001)
    c = nat_case((o, rebuild(o, dmac=GW, smac=E0, src="198.51.100.2",
                               sport=50001, ttl=63)), back,
                 rebuild(back, dmac=DB, smac=VE, dst="10.50.0.20",
                         dport=41000, ttl=63),
                 [r"^block drop all\n"
                  r"  \[ Evaluations: 2         Packets: 0         "
                  r"Bytes: 0           States: 0     \]\n"
                  r"  \[ Inserted: uid 0 pid \d+ State Creations: 0     \]\n"
                  r"pass in on vether0 inet from 10\.50\.0\.0/24 to any "
                  r"flags S/SA\n"
                  r"  \[ Evaluations: 1         Packets: 2         "
                  r"Bytes: 68          States: 1     \]\n"
                  r"  \[ Inserted: uid 0 pid \d+ State Creations: 1     \]\n"
                  r"pass out on em0 proto tcp from \(em0\) to any flags S/SA\n",
                  r"^all udp 198\.51\.100\.1:53 <- 10\.50\.0\.20:41000       "
                  r"SINGLE:MULTIPLE\n"
                  r"   age 00:00:00, expires in 00:00:30, 1:1 pkts, "
                  r"34:34 bytes, rule \d+\n"
                  r"all udp 198\.51\.100\.2:50001 \(10\.50\.0\.20:41000\) -> "
                  r"198\.51\.100\.1:53       MULTIPLE:SINGLE\n"
                  r"   age 00:00:00, expires in 00:00:30, 1:1 pkts, "
                  r"34:34 bytes, rule \d+\n",
                  r"^states        hard limit   100000\n"
                  r"src-nodes     hard limit    10000\n"
                  r"frags         hard limit    65536\n"
                  r"tables        hard limit     1000\n"
                  r"table-entries hard limit   200000\n"
                  r"pktdelay-pkts hard limit    10000\n"
                  r"anchors       hard limit      512\n",
                  r"^tcp\.first                   120s\n"
                  r"tcp\.opening                  30s\n"
                  r"tcp\.established           86400s\n"
                  r"tcp\.closing                 900s\n"
                  r"tcp\.finwait                  45s\n"
                  r"tcp\.closed                   90s\n"
                  r"tcp\.tsdiff                   30s\n"
                  r"udp\.first                    60s\n"
                  r"udp\.single                   30s\n"
                  r"udp\.multiple                 60s\n"
                  r"icmp\.first                   20s\n"
                  r"icmp\.error                   10s\n"
                  r"other\.first                  60s\n"
                  r"other\.single                 30s\n"
                  r"other\.multiple               60s\n"
                  r"frag                         60s\n"
                  r"interval                     10s\n"
                  r"adaptive\.start            60000 states\n"
                  r"adaptive\.end             120000 states\n"
                  r"src\.track                     0s\n"
                  # -F all: the tables, then the rules (pfctl.c's order)
                  r"0 tables deleted\.\nrules cleared\n2 states cleared\n"
                  r"source tracking entries cleared\n"
                  r"pf: statistics cleared\npf: interface flags reset\n"
                  r"Status: Enabled {34}Debug: err\n\n"
                  r"State Table {26}Total {13}Rate\n"
                  r"  current entries {24}0 {15}\n"])
    c["commands"] = ["pfctl -vsr", "pfctl -vss", "pfctl -sm", "pfctl -st",
                     "pfctl -F all", "pfctl -sr", "pfctl -ss", "pfctl -si"]
    return c


@case
def binat_both_ways():
    """binat-to: db01 leaves as 198.51.100.5 (its own port kept), and the
    wan reaches db01 at 198.51.100.5."""
    pf = ("block all\n"
          "pass in on vether0 from 10.50.0.0/24 to any keep state\n"
          "pass out on vether0 to 10.50.0.0/24 keep state\n"
          "pass on em0 from 10.50.0.20 to any binat-to 198.51.100.5\n")
    o = udp(DB, VE, "10.50.0.20", "198.51.100.1", 41000, 53)
    on_wire = rebuild(o, dmac=GW, smac=E0, src="198.51.100.5", ttl=63)
    inbound = tcp_syn(GW, E0, "198.51.100.1", "198.51.100.5", 45000, 22)
    to_db = rebuild(inbound, dmac=DB, smac=VE, dst="10.50.0.20", ttl=63)
    files = routed(pf=pf)
    files["hostname.em0"] = files["hostname.em0"].replace(
        "up\n", "inet alias 198.51.100.5 255.255.255.255\nup\n")
    return dict(files=files,
                inputs={"tap0": [(1.0, WHO), (1.1, o)],
                        "em0": [(1.2, GW_REPLY), (1.3, inbound)]},
                expect={"em0": [GW_WHO, on_wire],
                        "tap0": [WHO_REPLY, to_db]},
                commands=["pfctl -ss"],
                views=[r"^all udp 198\.51\.100\.5:41000 \(10\.50\.0\.20:41000\)"
                       r" -> 198\.51\.100\.1:53 ",
                       r"^all tcp 10\.50\.0\.20:22 \(198\.51\.100\.5:22\) <- "
                       r"198\.51\.100\.1:45000 "])


@case
def nat_icmp_error_back_inside():
    """A port unreachable from the wan about a translated UDP flow comes
    back to db01 about db01's own packet."""
    o = udp(DB, VE, "10.50.0.20", "198.51.100.1", 41000, 53)
    on_wire = rebuild(o, dmac=GW, smac=E0, src="198.51.100.2", sport=50001,
                      ttl=63)
    err = icmp_error(GW, E0, "198.51.100.1", "198.51.100.2", 3, 3,
                     on_wire[14:])
    inner_home = rebuild(on_wire, src="10.50.0.20", sport=41000)[14:]
    home = icmp_error(VE, DB, "198.51.100.1", "10.50.0.20", 3, 3, inner_home)
    home = rebuild(home, ttl=63)
    return nat_case((o, on_wire), err, home, [])


def nat_pf(opts):
    """PF_NAT with other nat-to options in place of "port 50001"."""
    return PF_NAT.replace("nat-to ($wan) port 50001", "nat-to ($wan) " + opts)


@case
def nat_static_port():
    """static-port: the address is translated, the source port kept."""
    o = udp(DB, VE, "10.50.0.20", "198.51.100.1", 41000, 53)
    on_wire = rebuild(o, dmac=GW, smac=E0, src="198.51.100.2", ttl=63)
    back = udp(GW, E0, "198.51.100.1", "198.51.100.2", 53, 41000)
    home = rebuild(back, dmac=DB, smac=VE, dst="10.50.0.20", ttl=63)
    c = nat_case((o, on_wire), back, home,
                 [r"^all udp 198\.51\.100\.2:41000 \(10\.50\.0\.20:41000\)"
                  r" -> 198\.51\.100\.1:53 +MULTIPLE:SINGLE$"])
    c["files"] = routed(pf=nat_pf("static-port"))
    return c


@case
def nat_port_range_exhausted():
    """port 50010:50011 gives two flows to one destination a port each;
    the third finds none: dropped and counted (pf's PFRES_TRANSLATE),
    nothing crashes.  A fourth flow, to another destination, reuses a
    port: the translated key, not the port, must be unique."""
    flows = [udp(DB, VE, "10.50.0.20", "198.51.100.1", sp, 53)
             for sp in (41000, 41001, 41002)]
    other = udp(DB, VE, "10.50.0.20", "203.0.113.9", 41003, 53)
    ports = (50010, 50011)

    def check(outs):
        got = outs["em0"]
        if len(got) != 3:
            return ["em0: expected 3 flows, got %d frame(s)" % len(got)]
        errs, used = [], []
        for f, o in zip(got, flows[:2] + [other]):
            sp = int.from_bytes(f[34:36], "big")
            if sp not in ports or f != rebuild(o, dmac=GW, smac=E0,
                                               src="198.51.100.2", sport=sp,
                                               ttl=63):
                errs.append("em0: a flow left untranslated or with a bad "
                            "checksum (port %d)" % sp)
            used.append(sp)
        if len(set(used[:2])) != 2:
            errs.append("em0: two flows to one destination share a port")
        return errs

    return dict(files=routed(pf=nat_pf("port 50010:50011")),
                inputs={"tap0": [(1.0, WHO)] + [(1.1 + i / 100, f) for i, f
                                                in enumerate(flows)] +
                        [(1.2, other)],
                        "em0": [(1.05, GW_REPLY)]},   # learnt unasked
                expect={"tap0": [WHO_REPLY]}, check=check,
                commands=["stats"],
                views=[r"pf +translate +1 "])


def ipfrag(smac, dmac, src, dst, proto, payload, off8, mf, ident=0x4242,
           ttl=64):
    """One fragment of an IPv4 datagram: payload is its share of the
    datagram's data, off8 the offset in 8-byte units."""
    import struct
    from pcaplib import csum, eth
    a = bytes(int(x) for x in src.split("."))
    b = bytes(int(x) for x in dst.split("."))
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident,
                    (0x2000 if mf else 0) | off8, ttl, proto, 0, a, b)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return eth(dmac, smac, 0x0800, h + payload)


def udp_datagram(src, dst, sport, dport, data):
    """A UDP header and data with the checksum of the whole datagram."""
    import struct
    from pcaplib import l4_csum
    seg = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    a = bytes(int(x) for x in src.split("."))
    b = bytes(int(x) for x in dst.split("."))
    return seg[:6] + struct.pack("!H", l4_csum(a, b, 17, seg) or 0xFFFF) + \
        seg[8:]


def frag2(smac, dmac, src, dst, seg, ttl=64):
    """seg in two fragments: 24 bytes at offset 0 (MF), the rest at 3."""
    return (ipfrag(smac, dmac, src, dst, 17, seg[:24], 0, True, ttl=ttl),
            ipfrag(smac, dmac, src, dst, 17, seg[24:], 3, False, ttl=ttl))


# set reassemble no: fragments are filtered one by one, the later ones
# following the state their first fragment passed by (sluice's own
# behaviour; pf's, without reassembly, gives them no state at all).
PF_NOREASS = "set reassemble no\n" + PF_NAT


@case
def nat_fragmented_reply_in():
    """set reassemble no: a UDP reply in two fragments (a large EDNS answer): the first has
    the ports and meets the nat-to state; the second, without ports,
    follows it: both reach db01 translated, every checksum right."""
    data = bytes(range(40))
    o = udp(DB, VE, "10.50.0.20", "198.51.100.1", 41000, 53)
    on_wire = rebuild(o, dmac=GW, smac=E0, src="198.51.100.2", sport=50001,
                      ttl=63)
    f1, f2 = frag2(GW, E0, "198.51.100.1", "198.51.100.2",
                   udp_datagram("198.51.100.1", "198.51.100.2", 53, 50001,
                                data))
    h1, h2 = frag2(VE, DB, "198.51.100.1", "10.50.0.20",
                   udp_datagram("198.51.100.1", "10.50.0.20", 53, 41000,
                                data), ttl=63)
    return dict(files=routed(pf=PF_NOREASS),
                inputs={"tap0": [(1.0, WHO), (1.1, o)],
                        "em0": [(1.2, GW_REPLY), (1.3, f1), (1.31, f2)]},
                expect={"em0": [GW_WHO, on_wire],
                        "tap0": [WHO_REPLY, h1, h2]},
                commands=["stats"], absent=[r"drop-blocked", r"fragment"])


@case
def nat_fragmented_out():
    """set reassemble no: db01 sends a datagram in two fragments: both leave em0 translated
    (the first with the nat-to port), checksums right."""
    data = bytes(range(40))
    f1, f2 = frag2(DB, VE, "10.50.0.20", "198.51.100.1",
                   udp_datagram("10.50.0.20", "198.51.100.1", 41000, 53,
                                data))
    w1, w2 = frag2(E0, GW, "198.51.100.2", "198.51.100.1",
                   udp_datagram("198.51.100.2", "198.51.100.1", 50001, 53,
                                data), ttl=63)
    return dict(files=routed(pf=PF_NOREASS),
                inputs={"tap0": [(1.0, WHO), (1.1, f1), (1.11, f2)],
                        "em0": [(1.2, GW_REPLY)]},
                expect={"em0": [GW_WHO, w1, w2], "tap0": [WHO_REPLY]},
                commands=["pfctl -ss", "stats"],
                views=[r"^all udp 198\.51\.100\.2:50001 \(10\.50\.0\.20:41000\)"
                       r" -> 198\.51\.100\.1:53 +SINGLE:NO_TRAFFIC$",
                       # the later fragment makes no portless state
                       r"state +inserts +2 "])


@case
def fragment_before_its_first():
    """set reassemble no: a later fragment that comes before its first has no state to
    follow: the rules decide (block all), counted as pf's "fragment"."""
    data = bytes(range(40))
    o = udp(DB, VE, "10.50.0.20", "198.51.100.1", 41000, 53)
    on_wire = rebuild(o, dmac=GW, smac=E0, src="198.51.100.2", sport=50001,
                      ttl=63)
    f1, f2 = frag2(GW, E0, "198.51.100.1", "198.51.100.2",
                   udp_datagram("198.51.100.1", "198.51.100.2", 53, 50001,
                                data))
    h1, _ = frag2(VE, DB, "198.51.100.1", "10.50.0.20",
                  udp_datagram("198.51.100.1", "10.50.0.20", 53, 41000,
                               data), ttl=63)
    return dict(files=routed(pf=PF_NOREASS),
                inputs={"tap0": [(1.0, WHO), (1.1, o)],
                        "em0": [(1.2, GW_REPLY), (1.3, f2), (1.31, f1)]},
                expect={"em0": [GW_WHO, on_wire], "tap0": [WHO_REPLY, h1]},
                commands=["stats"], views=[r"pf +fragment +1 "])


@case
def fragment_after_frag_timeout():
    """set reassemble no, set timeout frag: a later fragment that comes after it no longer
    follows its first fragment's state (still there): the rules decide."""
    data = bytes(range(40))
    o = udp(DB, VE, "10.50.0.20", "198.51.100.1", 41000, 53)
    on_wire = rebuild(o, dmac=GW, smac=E0, src="198.51.100.2", sport=50001,
                      ttl=63)
    f1, f2 = frag2(GW, E0, "198.51.100.1", "198.51.100.2",
                   udp_datagram("198.51.100.1", "198.51.100.2", 53, 50001,
                                data))
    h1, _ = frag2(VE, DB, "198.51.100.1", "10.50.0.20",
                  udp_datagram("198.51.100.1", "10.50.0.20", 53, 41000,
                               data), ttl=63)
    return dict(files=routed(pf="set timeout frag 5\n" + PF_NOREASS),
                inputs={"tap0": [(1.0, WHO), (1.1, o)],
                        "em0": [(1.2, GW_REPLY), (1.3, f1), (8.0, f2)]},
                expect={"em0": [GW_WHO, on_wire], "tap0": [WHO_REPLY, h1]},
                commands=["stats"], views=[r"pf +fragment +1 "])


@case
def fragment_table_full():
    """set reassemble no: more datagrams in flight than the fragment table holds: counted,
    every first fragment still passes, nothing crashes."""
    firsts = [ipfrag(DB, VE, "10.50.0.20", "198.51.100.1", 17,
                     udp_datagram("10.50.0.20", "198.51.100.1", 41000, 53,
                                  bytes(40))[:24], 0, True, ident=i)
              for i in range(1100)]

    def check(outs):
        n = len(outs["em0"])
        return [] if n == 1100 else ["em0: %d of 1100 first fragments "
                                     "left" % n]

    return dict(files=routed(pf=PF_NOREASS),
                inputs={"tap0": [(1.0, WHO)] + [(1.1 + i / 1e5, f)
                                                for i, f in enumerate(firsts)],
                        "em0": [(1.05, GW_REPLY)]},
                expect={"tap0": [WHO_REPLY]}, check=check,
                commands=["stats"], views=[r"pf +frag-table-full +[1-9]"])


def frags_of(smac, dmac, src, dst, seg, sizes, ttl=64, ident=0x4242):
    """seg cut into fragments of the given payload sizes (multiples of 8
    but the last), in order."""
    out, off = [], 0
    for i, n in enumerate(sizes):
        out.append(ipfrag(smac, dmac, src, dst, 17, seg[off:off + n],
                          off // 8, i < len(sizes) - 1, ident=ident,
                          ttl=ttl))
        off += n
    assert off == len(seg)
    return out


@case
def nat_reassembled_out_of_order():
    """set reassemble yes (pf's default): db01's datagram in three
    fragments, the last first and the first last; pf holds them, filters
    the whole datagram by its ports, translates it and em0 sends it whole
    (it fits the MTU), the first fragment's header with MF clear."""
    data = bytes(range(256)) * 4
    seg = udp_datagram("10.50.0.20", "198.51.100.1", 41000, 53, data)
    f1, f2, f3 = frags_of(DB, VE, "10.50.0.20", "198.51.100.1", seg,
                          [400, 400, len(seg) - 800])
    whole = ipfrag(E0, GW, "198.51.100.2", "198.51.100.1", 17,
                   udp_datagram("198.51.100.2", "198.51.100.1", 50001, 53,
                                data), 0, False, ttl=63)
    return dict(files=routed(pf=PF_NAT),
                inputs={"tap0": [(1.0, WHO), (1.1, f3), (1.11, f2),
                                 (1.12, f1)],
                        "em0": [(1.2, GW_REPLY)]},
                expect={"em0": [GW_WHO, whole], "tap0": [WHO_REPLY]},
                commands=["pfctl -ss", "pfctl -vsi", "stats"],
                views=[r"^all udp 198\.51\.100\.2:50001 \(10\.50\.0\.20:41000\)"
                       r" -> 198\.51\.100\.1:53 +SINGLE:NO_TRAFFIC$",
                       r"Fragments\n  current entries +0 +\n  searches +3 .*\n"
                       r"  inserts +1 .*\n  removals +1 ",
                       r"pf +reass-held +2 ", r"pf +reass-done +1 ",
                       # in on vether0, out on em0: none portless
                       r"state +inserts +2 "],
                absent=[r"pf +fragment +[1-9]"])


@case
def nat_reassembled_reply_in():
    """The reply in two fragments, out of order, through the state the
    query made: reassembled in on em0, translated back, sent whole to
    db01."""
    data = bytes(range(200))
    o = udp(DB, VE, "10.50.0.20", "198.51.100.1", 41000, 53)
    on_wire = rebuild(o, dmac=GW, smac=E0, src="198.51.100.2", sport=50001,
                      ttl=63)
    f1, f2 = frags_of(GW, E0, "198.51.100.1", "198.51.100.2",
                      udp_datagram("198.51.100.1", "198.51.100.2", 53, 50001,
                                   data), [104, 104])
    home = ipfrag(VE, DB, "198.51.100.1", "10.50.0.20", 17,
                  udp_datagram("198.51.100.1", "10.50.0.20", 53, 41000,
                               data), 0, False, ttl=63)
    return dict(files=routed(pf=PF_NAT),
                inputs={"tap0": [(1.0, WHO), (1.1, o)],
                        "em0": [(1.2, GW_REPLY), (1.3, f2), (1.31, f1)]},
                expect={"em0": [GW_WHO, on_wire],
                        "tap0": [WHO_REPLY, home]},
                commands=["stats"], views=[r"pf +reass-done +1 "],
                absent=[r"drop-blocked", r"pf +fragment "])


@case
def nat_reassembled_refragmented():
    """em0 has mtu 576: the reassembled, translated datagram (1008 bytes
    of UDP) leaves in two fragments cut as ip_fragment() cuts them (552
    bytes, then the rest at offset 69), the same id."""
    data = bytes(range(250)) * 4
    seg = udp_datagram("10.50.0.20", "198.51.100.1", 41000, 53, data)
    f1, f2 = frags_of(DB, VE, "10.50.0.20", "198.51.100.1", seg,
                      [704, len(seg) - 704])
    w1, w2 = frags_of(E0, GW, "198.51.100.2", "198.51.100.1",
                      udp_datagram("198.51.100.2", "198.51.100.1", 50001, 53,
                                   data), [552, len(seg) - 552], ttl=63)
    return dict(files=routed(pf=PF_NAT, em0_extra="mtu 576\n"),
                inputs={"tap0": [(1.0, WHO), (1.1, f2), (1.11, f1)],
                        "em0": [(1.2, GW_REPLY)]},
                expect={"em0": [GW_WHO, w1, w2], "tap0": [WHO_REPLY]},
                commands=["stats"],
                views=[r"pf +reass-done +1 ", r"router +fragmented +1 ",
                       r"router +fragments-made +2 "])


RDR_PF = """block all
pass in on vether0 from 10.50.0.0/24 to any keep state
pass out on vether0 to 10.50.0.0/24 keep state
pass in on em0 proto udp to 198.51.100.2 port 53 rdr-to 10.50.0.20
"""


@case
def rdr_icmp_errors_both_ways():
    """rdr-to: db01's port unreachable about a redirected packet leaves
    em0 as the wan knows the flow (from 198.51.100.2, quoting
    198.51.100.2:53), never with db01's address; and the wan's error
    about db01's answer comes back to db01 about db01's own packet."""
    inb = udp(GW, E0, "198.51.100.1", "198.51.100.2", 45000, 53)
    recv = rebuild(inb, dmac=DB, smac=VE, dst="10.50.0.20", ttl=63)
    err = icmp_error(DB, VE, "10.50.0.20", "198.51.100.1", 3, 3, recv[14:])
    err_out = rebuild(icmp_error(E0, GW, "198.51.100.2", "198.51.100.1",
                                 3, 3, rebuild(recv,
                                               dst="198.51.100.2")[14:]),
                      ttl=63)
    ans = udp(DB, VE, "10.50.0.20", "198.51.100.1", 53, 45000)
    ans_out = rebuild(ans, dmac=GW, smac=E0, src="198.51.100.2", ttl=63)
    werr = icmp_error(GW, E0, "198.51.100.1", "198.51.100.2", 3, 3,
                      ans_out[14:])
    werr_home = rebuild(icmp_error(VE, DB, "198.51.100.1", "10.50.0.20", 3,
                                   3, rebuild(ans_out,
                                              src="10.50.0.20")[14:]),
                        ttl=63)
    return dict(files=routed(pf=RDR_PF),
                inputs={"tap0": [(1.0, WHO), (1.5, err), (1.6, ans)],
                        "em0": [(1.4, inb), (1.55, GW_REPLY), (1.7, werr)]},
                expect={"em0": [GW_WHO, err_out, ans_out],
                        "tap0": [WHO_REPLY, recv, werr_home]},
                commands=["stats"], absent=[r"drop-blocked"])


@case
def router_error_about_rdr_flow():
    """The router's own time exceeded about a redirected packet (ttl 1)
    leaves em0 quoting the packet as the wan sent it (to 198.51.100.2:53),
    not as rdr-to made it (10.50.0.20)."""
    inb = rebuild(udp(GW, E0, "198.51.100.1", "198.51.100.2", 45000, 53),
                  ttl=1)
    err = icmp_error(E0, GW, "198.51.100.2", "198.51.100.1", 11, 0,
                     inb[14:])
    return dict(files=routed(pf=RDR_PF),
                inputs={"tap0": [(1.0, WHO)],
                        "em0": [(1.4, inb), (1.5, GW_REPLY)]},
                expect={"em0": [GW_WHO, err], "tap0": [WHO_REPLY]},
                commands=["stats"], absent=[r"drop-blocked"])


DB2 = "02:00:00:00:00:d2"    # another host behind vether0, 10.50.0.30


@case
def tag_in_tagged_out():
    """pf's tag idiom: what came in on vether0 from db01 is tagged and
    only tagged packets leave em0 (with nat-to); 10.50.0.30 passes in
    untagged and is blocked going out.  The tag is the packet's, carried
    from pf in to pf out across the router."""
    pf = ("block all\n"
          "pass in on vether0 from 10.50.0.0/24\n"
          "pass in on vether0 from 10.50.0.20 tag ISOL\n"
          "pass out on em0 tagged ISOL nat-to (em0) port 50001\n")
    o = udp(DB, VE, "10.50.0.20", "198.51.100.1", 41000, 53)
    o2 = udp(DB2, VE, "10.50.0.30", "198.51.100.1", 41000, 53)
    on_wire = rebuild(o, dmac=GW, smac=E0, src="198.51.100.2", sport=50001,
                      ttl=63)
    return dict(files=routed(pf=pf),
                inputs={"tap0": [(1.0, WHO), (1.1, o), (1.3, o2)],
                        "em0": [(1.2, GW_REPLY)]},
                expect={"em0": [GW_WHO, on_wire], "tap0": [WHO_REPLY]},
                pre=["trace on 10"],
                commands=["trace show", "pfctl -si"],
                views=[r"pf +in on vether0: pass by rule @2: pass in on "
                       r"vether0 inet from 10\.50\.0\.20 to any flags S/SA "
                       r"tag ISOL$",
                       r"pf +out on em0: pass by rule @3: .* tagged ISOL "
                       r"nat-to",
                       r"pf +out on em0: block by rule @0: block drop all"])


@case
def state_carries_its_tag():
    """A state hands its tag to every packet it passes (pf_test()'s
    pf_tag_packet()): db01's second packet meets the vether0 state, not
    the rules, and is still tagged when em0's stateless out rule asks."""
    pf = ("block all\n"
          "pass in on vether0 from 10.50.0.20 tag ISOL\n"
          "pass out on em0 tagged ISOL no state\n")
    o = udp(DB, VE, "10.50.0.20", "198.51.100.1", 41000, 53)
    o2 = udp(DB, VE, "10.50.0.20", "198.51.100.1", 41000, 53,
             payload=b"second")
    return dict(files=routed(pf=pf),
                inputs={"tap0": [(1.0, WHO), (1.1, o), (1.3, o2)],
                        "em0": [(1.2, GW_REPLY)]},
                expect={"em0": [GW_WHO, rebuild(o, dmac=GW, smac=E0, ttl=63),
                                rebuild(o2, dmac=GW, smac=E0, ttl=63)],
                        "tap0": [WHO_REPLY]},
                pre=["trace on 10"],
                commands=["trace show"],
                views=[r"pf +in on vether0: pass \(state of rule 1\), "
                       r"tagged ISOL"])


W3 = "02:00:00:00:00:33"     # another wan host, 198.51.100.3


@case
def rdr_out_rerouted():
    """rdr-to going out, with the match rule's nat-to on the same packet:
    db01's query to 198.51.100.1:53 leaves em0 from 198.51.100.2:50001 to
    198.51.100.3:5353, routed again after pf out as ip_output() does
    (PF_TAG_REROUTE): the router asks ARP for 198.51.100.3, not for
    198.51.100.1.  The answer comes home as from 198.51.100.1:53."""
    pf = PF_NAT + ("pass out on em0 proto udp to 198.51.100.1 port 53 "
                   "rdr-to 198.51.100.3 port 5353\n")
    o = udp(DB, VE, "10.50.0.20", "198.51.100.1", 41000, 53)
    who3 = arp_request(E0, "198.51.100.2", "198.51.100.3")
    is3 = arp_reply(W3, "198.51.100.3", E0, "198.51.100.2")
    on_wire = rebuild(o, dmac=W3, smac=E0, src="198.51.100.2", sport=50001,
                      dst="198.51.100.3", dport=5353, ttl=63)
    back = udp(W3, E0, "198.51.100.3", "198.51.100.2", 5353, 50001)
    home = rebuild(back, dmac=DB, smac=VE, src="198.51.100.1", sport=53,
                   dst="10.50.0.20", dport=41000, ttl=63)
    return dict(files=routed(pf=pf),
                inputs={"tap0": [(1.0, WHO), (1.1, o)],
                        "em0": [(1.2, is3), (1.3, back)]},
                expect={"em0": [who3, on_wire], "tap0": [WHO_REPLY, home]},
                commands=["pfctl -ss", "stats"],
                views=[r"^all udp 198\.51\.100\.2:50001 "
                       r"\(10\.50\.0\.20:41000\) -> 198\.51\.100\.3:5353 "
                       r"\(198\.51\.100\.1:53\) +MULTIPLE:SINGLE$",
                       r"router +rerouted +1 "])


@case
def nat_in_reply_rerouted():
    """nat-to coming in: the wan's query reaches db01 from
    198.51.100.9:50001; db01's answer to that address is routed to em0,
    where pf out's state puts the wan host back as its destination, and
    the router routes it again: it asks ARP for 198.51.100.1, not .9."""
    pf = ("block all\n"
          "pass in on em0 proto udp to 10.50.0.20 port 53 "
          "nat-to 198.51.100.9 port 50001\n"
          "pass out on vether0 to 10.50.0.0/24\n"
          "pass in on vether0 from 10.50.0.0/24\n")
    inb = udp(GW, E0, "198.51.100.1", "10.50.0.20", 45000, 53)
    recv = rebuild(inb, dmac=DB, smac=VE, src="198.51.100.9", sport=50001,
                   ttl=63)
    ans = udp(DB, VE, "10.50.0.20", "198.51.100.9", 53, 50001)
    ans_out = rebuild(ans, dmac=GW, smac=E0, dst="198.51.100.1",
                      dport=45000, ttl=63)
    return dict(files=routed(pf=pf),
                inputs={"tap0": [(1.0, WHO), (1.5, ans)],
                        "em0": [(1.4, inb), (1.6, GW_REPLY)]},
                expect={"tap0": [WHO_REPLY, recv], "em0": [GW_WHO, ans_out]},
                commands=["pfctl -ss", "stats"],
                views=[r"^all udp 10\.50\.0\.20:53 <- 198\.51\.100\.9:50001 "
                       r"\(198\.51\.100\.1:45000\) +\S+:\S+$",
                       r"router +rerouted +1 "])


@case
def binat_icmp_error_out():
    """binat-to: db01's port unreachable about a packet that came to
    198.51.100.5 leaves em0 from 198.51.100.5, quoting 198.51.100.5:53;
    no stray state is made for it."""
    pf = ("block all\n"
          "pass in on vether0 from 10.50.0.0/24 to any keep state\n"
          "pass out on vether0 to 10.50.0.0/24 keep state\n"
          "pass on em0 from 10.50.0.20 to any binat-to 198.51.100.5\n")
    files = routed(pf=pf)
    files["hostname.em0"] = files["hostname.em0"].replace(
        "up\n", "inet alias 198.51.100.5 255.255.255.255\nup\n")
    o = udp(DB, VE, "10.50.0.20", "198.51.100.1", 41000, 53)
    on_wire = rebuild(o, dmac=GW, smac=E0, src="198.51.100.5", ttl=63)
    inb = udp(GW, E0, "198.51.100.1", "198.51.100.5", 45000, 53)
    recv = rebuild(inb, dmac=DB, smac=VE, dst="10.50.0.20", ttl=63)
    err = icmp_error(DB, VE, "10.50.0.20", "198.51.100.1", 3, 3, recv[14:])
    err_out = rebuild(icmp_error(E0, GW, "198.51.100.5", "198.51.100.1",
                                 3, 3, rebuild(recv,
                                               dst="198.51.100.5")[14:]),
                      ttl=63)
    return dict(files=files,
                inputs={"tap0": [(1.0, WHO), (1.1, o), (1.5, err)],
                        "em0": [(1.2, GW_REPLY), (1.4, inb)]},
                expect={"em0": [GW_WHO, on_wire, err_out],
                        "tap0": [WHO_REPLY, recv]},
                commands=["pfctl -ss"], absent=[r"^all icmp "])


@case
def block_return_answers():
    """block return: a TCP RST for TCP, a port unreachable for UDP, back
    out the port the packet came in on; block drop: nothing."""
    import struct
    from pcaplib import csum, eth, l4_csum
    syn = tcp_syn(A, B, "192.0.2.1", "192.0.2.2", 40000, 22, seq=1000)
    u = udp(A, B, "192.0.2.1", "192.0.2.2", 40001, 53)
    silent = udp(A, B, "192.0.2.1", "192.0.2.2", 40002, 99)
    a = bytes([192, 0, 2, 1])
    b = bytes([192, 0, 2, 2])
    seg = struct.pack("!HHIIBBHHH", 22, 40000, 0, 1001, 5 << 4, 0x14, 0,
                      0, 0)
    seg = seg[:16] + struct.pack("!H", l4_csum(b, a, 6, seg)) + seg[18:]
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0, 64, 6, 0, b, a)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    rst = eth(A, B, 0x0800, h + seg)[:54]
    unreach = icmp_error(B, A, "192.0.2.2", "192.0.2.1", 3, 3, u[14:])
    return dict(
        files={"hostname.bridge0": "add em1\nup\n", "vm.conf": VMCONF,
               "pf.conf": "block return all\n"
                          "block drop in proto udp to port 99\n"},
        inputs={"em1": [(1.0, syn), (1.1, u), (1.2, silent)]},
        expect={"em1": [rst, unreach], "tap0": []})


def tcp_seg(smac, dmac, src, dst, sport, dport, seq, ack, flags, win=8192):
    """A bare TCP segment (no options, no data) with its numbers."""
    import struct
    from pcaplib import l4_csum
    a = bytes(int(x) for x in src.split("."))
    b = bytes(int(x) for x in dst.split("."))
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags,
                      win, 0, 0)
    seg = seg[:16] + struct.pack("!H", l4_csum(a, b, 6, seg)) + seg[18:]
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0, 64, 6, 0, a, b)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return eth(dmac, smac, 0x0800, h + seg)[:54]


def xorshift32(x):
    """pf_isn()'s generator under SLUICE_TEST_ISN_SEED (dataplane/dp_pf.c)."""
    x ^= (x << 13) & 0xFFFFFFFF
    x ^= x >> 17
    x ^= (x << 5) & 0xFFFFFFFF
    return x


@case
def tcp_modulate_state():
    """modulate state (pf_create_state(), pf_tcp_track_full()): A's SYN
    leaves with its sequence numbers offset by a random amount, web01's
    SYN|ACK comes back to A acknowledging A's own number and leaves with
    web01's numbers offset by a second one, drawn at its first packet;
    A's ACK is translated both ways.  The offsets repeat under
    SLUICE_TEST_ISN_SEED (pf_isn()'s xorshift)."""
    seed = 0x1235                   # odd: the generator's state
    off_a = xorshift32(seed)
    off_b = xorshift32(off_a)
    m = 0xFFFFFFFF
    syn = tcp_seg(A, B, "192.0.2.1", "192.0.2.2", 40000, 443, 1000, 0, 0x02)
    syn_out = tcp_seg(A, B, "192.0.2.1", "192.0.2.2", 40000, 443,
                      (1000 + off_a) & m, 0, 0x02)
    synack = tcp_seg(B, A, "192.0.2.2", "192.0.2.1", 443, 40000, 5000,
                     (1001 + off_a) & m, 0x12)
    synack_out = tcp_seg(B, A, "192.0.2.2", "192.0.2.1", 443, 40000,
                         (5000 + off_b) & m, 1001, 0x12)
    ack = tcp_seg(A, B, "192.0.2.1", "192.0.2.2", 40000, 443, 1001,
                  (5001 + off_b) & m, 0x10)
    ack_out = tcp_seg(A, B, "192.0.2.1", "192.0.2.2", 40000, 443,
                      (1001 + off_a) & m, 5001, 0x10)
    return dict(files={"hostname.bridge0": "add em1\nup\n", "vm.conf": VMCONF,
                       "pf.conf": "pass in on em1 proto tcp modulate state\n"
                                  "pass out\n"},
                env={"SLUICE_TEST_ISN_SEED": str(seed)},
                inputs={"em1": [(1.0, syn), (1.2, ack)],
                        "tap0": [(1.1, synack)]},
                expect={"tap0": [syn_out, ack_out], "em1": [synack_out]},
                commands=["pfctl -vss"],
                views=[r"\[1000 \+ [0-9]+\]\(\+%u\)" % off_a,
                       r"\[5001 \+ [0-9]+\]\(\+%u\)" % off_b])


@case
def tcp_bad_handshake_rst():
    """pf_tcp_track_full(): web01 answers A's SYN (seq 1000) with a SYN|ACK
    acknowledging 999999, which no SYN of A's asked for.  Both ends are
    SYN_SENT, so pf drops it as a state mismatch, tells web01 with a RST
    (seq = its ack) and forgets web01's end; web01's right answer then
    passes.  The trace says which check failed."""
    syn = tcp_seg(A, B, "192.0.2.1", "192.0.2.2", 40000, 80, 1000, 0, 0x02)
    bad = tcp_seg(B, A, "192.0.2.2", "192.0.2.1", 80, 40000, 5000, 999999,
                  0x12)
    rst = tcp_seg(A, B, "192.0.2.1", "192.0.2.2", 40000, 80, 999999, 0,
                  0x04, win=0)
    good = tcp_seg(B, A, "192.0.2.2", "192.0.2.1", 80, 40000, 5000, 1001,
                   0x12)
    return dict(files={"hostname.bridge0": "add em1\nup\n", "vm.conf": VMCONF,
                       "pf.conf": "pass all\n"},
                inputs={"em1": [(1.0, syn)],
                        "tap0": [(1.1, bad), (1.2, good)]},
                expect={"tap0": [syn, rst], "em1": [good]},
                pre=["trace on 10"],
                commands=["pfctl -si", "trace show"],
                views=[r"state-mismatch +1 ",
                       r"drop \(BAD state of rule 0: seq 5000 ack 999999 "
                       r"len 0 win 8192: acknowledges data more than a "
                       r"window old\); mid-handshake: RST sent back"])


def ip6_frame(smac, dmac, src, dst, nh, payload):
    """An IPv6 frame (hop limit 64); ICMPv6, TCP and UDP checksums set."""
    import socket
    import struct
    from pcaplib import csum, eth
    a = socket.inet_pton(socket.AF_INET6, src)
    b = socket.inet_pton(socket.AF_INET6, dst)
    off = {6: 16, 17: 6, 58: 2}[nh]
    payload = bytearray(payload)
    payload[off:off + 2] = b"\0\0"
    c = csum(a + b + struct.pack("!IxxxB", len(payload), nh) + payload)
    payload[off:off + 2] = struct.pack("!H", c)
    h = struct.pack("!IHBB", 6 << 28, len(payload), nh, 64) + a + b
    return eth(dmac, smac, 0x86DD, h + bytes(payload))


@case
def block_return_variants():
    """pf_test_rule()'s return handling: return-icmp answers TCP with an
    ICMP unreachable, not a RST; a RST gets no RST back;
    return-icmp(code) sends that code; an echo request blocked by
    `block return` gets a port unreachable, an ICMP error nothing (as
    icmp_error()); IPv6 gets a RST for TCP and an ICMPv6 port unreachable
    for UDP."""
    import struct
    from pcaplib import eth
    syn = tcp_syn(A, B, "192.0.2.1", "192.0.2.2", 40000, 22, seq=1000)
    u53 = bytearray(tcp_syn(A, B, "192.0.2.1", "192.0.2.2", 40001, 25))
    u53[47] = 0x04                  # a RST: pf answers it with nothing
    u53 = rebuild(bytes(u53))
    u54 = udp(A, B, "192.0.2.1", "192.0.2.2", 40002, 54)
    echo = icmp_echo(A, B, "192.0.2.1", "192.0.2.2")
    err = icmp_error(A, B, "192.0.2.1", "192.0.2.2", 3, 3, u54[14:])
    s6, d6 = "2001:db8::1", "2001:db8::2"
    syn6 = ip6_frame(A, B, s6, d6, 6, struct.pack(
        "!HHIIBBHHH", 40003, 80, 7000, 0, 5 << 4, 0x02, 65535, 0, 0))
    u6 = ip6_frame(A, B, s6, d6, 17, struct.pack("!HHHH", 40004, 53, 14, 0)
                   + b"sluice")
    rst6 = ip6_frame(B, A, d6, s6, 6, struct.pack(
        "!HHIIBBHHH", 80, 40003, 0, 7001, 5 << 4, 0x14, 0, 0, 0))[:74]
    unr6 = ip6_frame(B, A, d6, s6, 58, struct.pack("!BBHI", 1, 4, 0, 0) +
                     u6[14:])
    pf = ("block return all\n"
          "block return-icmp in quick inet proto tcp to port 22\n"
          "block return-rst in quick inet proto tcp to port 25\n"
          "block return-icmp(net-unr) in quick inet proto udp to port 54\n"
          "block return in quick inet proto icmp\n")
    return dict(
        files={"hostname.bridge0": "add em1\nup\n", "vm.conf": VMCONF,
               "pf.conf": pf},
        inputs={"em1": [(1.0, syn), (1.1, u53), (1.2, u54), (1.3, echo),
                        (1.4, err), (1.5, syn6), (1.6, u6)]},
        expect={"em1": [
            icmp_error(B, A, "192.0.2.2", "192.0.2.1", 3, 3, syn[14:]),
            icmp_error(B, A, "192.0.2.2", "192.0.2.1", 3, 0, u54[14:]),
            icmp_error(B, A, "192.0.2.2", "192.0.2.1", 3, 3, echo[14:]),
            rst6, unr6], "tap0": []})


# ---- the routed segment over IPv6 -----------------------------------------
# vether0 2001:db8:50::1/64 (db01 2001:db8:50::20), em0 2001:db8:100::2/64,
# mygate 2001:db8:100::1 (GW), net.inet6.ip6.forwarding=1.

R6 = "2001:db8:50::1"
DB6 = "2001:db8:50::20"
E06 = "2001:db8:100::2"
GW6 = "2001:db8:100::1"
VE_LL = "fe80::fce1:baff:fed0:1"          # modified EUI-64 of VE


def routed6(forwarding=True, em0_extra=""):
    files = routed(forwarding=False, em0_extra=em0_extra)
    files["hostname.vether0"] += "inet6 %s 64\n" % R6
    files["hostname.em0"] += "inet6 %s/64\n" % E06
    files["mygate"] += GW6 + "\n"
    if forwarding:
        files["sysctl.conf"] = "net.inet6.ip6.forwarding=1\n"
    return files


def ip6(smac, dmac, src, dst, nh, payload, hlim=64):
    """An IPv6 frame with the upper-layer checksum (ICMPv6, UDP) set."""
    import socket
    import struct
    a = socket.inet_pton(socket.AF_INET6, src)
    b = socket.inet_pton(socket.AF_INET6, dst)
    payload = bytearray(payload)
    off = {17: 6, 58: 2}.get(nh)
    if off is not None:
        payload[off:off + 2] = b"\0\0"
        c = csum(a + b + struct.pack("!IxxxB", len(payload), nh) +
                 bytes(payload))
        payload[off:off + 2] = struct.pack("!H", c)
    h = struct.pack("!IHBB", 6 << 28, len(payload), nh, hlim) + a + b
    return eth(dmac, smac, 0x86DD, h + bytes(payload))


def solicited(addr):
    import socket
    b = socket.inet_pton(socket.AF_INET6, addr)
    m = b"\xff\x02" + b"\0" * 9 + b"\x01\xff" + b[13:]
    return (socket.inet_ntop(socket.AF_INET6, m),
            "33:33:" + ":".join("%02x" % x for x in m[12:]))


def ns6(smac, src, target, hlim=255, dst=None, dmac=None, opts=None):
    """A Neighbor Solicitation, to target's solicited-node group unless
    dst is given, with the source link-layer option."""
    import socket
    import struct
    from pcaplib import mac as macb
    if dst is None:
        dst, dmac = solicited(target)
    if opts is None:
        opts = b"\x01\x01" + macb(smac)
    body = struct.pack("!BBHI", 135, 0, 0, 0) + \
        socket.inet_pton(socket.AF_INET6, target) + opts
    return ip6(smac, dmac, src, dst, 58, body, hlim=hlim)


def na6(smac, dmac, src, dst, target, flags):
    import socket
    import struct
    from pcaplib import mac as macb
    body = struct.pack("!BBHI", 136, 0, 0, flags << 24) + \
        socket.inet_pton(socket.AF_INET6, target) + b"\x02\x01" + macb(smac)
    return ip6(smac, dmac, src, dst, 58, body, hlim=255)


def echo6(smac, dmac, src, dst, hlim=64, size=56, typ=128):
    import struct
    body = struct.pack("!BBHHH", typ, 0, 0, 0x77, 1) + bytes(range(size))
    return ip6(smac, dmac, src, dst, 58, body, hlim=hlim)


def icmp6_err(smac, dmac, src, dst, typ, code, orig_ip, param=0):
    """What the router sends: hop limit 64, as much of the packet as fits
    in 1280 bytes."""
    import struct
    body = struct.pack("!BBHI", typ, code, 0, param) + orig_ip[:1280 - 48]
    return ip6(smac, dmac, src, dst, 58, body, hlim=64)


NS_DB = ns6(DB, DB6, R6)                  # db01 asks for its gateway
# The router's duplicate address detection for its own addresses, at its
# first tick: from ::, no link-layer option (RFC 4862 5.4.2).
DAD_E0_LL = ns6(E0, "::", "fe80::ff:fe00:e00", opts=b"")
DAD_E0 = ns6(E0, "::", E06, opts=b"")
DAD_VE_LL = ns6(VE, "::", "fe80::fce1:baff:fed0:1", opts=b"")
DAD_VE = ns6(VE, "::", R6, opts=b"")
NA_DB = na6(VE, DB, R6, DB6, R6, 0xe0)    # router, solicited, override
NS_GW = ns6(E0, E06, GW6)                 # the router asks for mygate
NA_GW = na6(GW, E0, GW6, E06, GW6, 0xe0)


@case
def nd6_solicitation_answered():
    """An NS for our address on vether0 gets an NA with our MAC (router,
    solicited, override flags), and teaches the cache db01's MAC from its
    source link-layer option (STALE)."""
    return dict(files=routed6(), inputs={"tap0": [(1.0, NS_DB)]},
                expect={"tap0": [NA_DB], "em0": []},
                commands=["ndp -an", "stats"],
                views=[r"^2001:db8:50::20 +02:00:00:00:00:db +vether0 "
                       r"1d0h0m0s +S $",
                       r"^2001:db8:50::1 +fe:e1:ba:d0:00:01 +vether0 "
                       r"permanent R l$",
                       r"^%s%%vether0 +fe:e1:ba:d0:00:01 +vether0 "
                       r"permanent R l$" % VE_LL,
                       r"router +nd-advertisements +1 "])


@case
def nd6_bad_hop_limit_ignored():
    """An NS whose hop limit is not 255 came from off link: not answered,
    nothing learned, counted; so is one whose options are broken."""
    bad = ns6(DB, DB6, R6, hlim=64)
    broken = ns6(DB, DB6, R6, opts=b"\x01\x00" + b"\0" * 6)  # length 0
    return dict(files=routed6(), inputs={"tap0": [(1.0, bad),
                                                  (1.1, broken)]},
                expect={"tap0": [], "em0": []},
                commands=["stats", "ndp -an"],
                views=[r"router +drop-nd-hlim +1 ",
                       r"router +drop-nd-malformed +1 "],
                absent=[r"^2001:db8:50::20 "])


@case
def forward6_resolves_next_hop():
    """db01 -> mygate: the next hop is unknown, an NS goes out of em0
    (solicited-node group, source link-layer option) and the packet waits;
    the NA releases it with hop limit 63."""
    req = echo6(DB, VE, DB6, GW6)
    fwd = ip6(DB, GW, DB6, GW6, 58, req[54:], hlim=63)
    fwd = fwd[:6] + bytes.fromhex(E0.replace(":", "")) + fwd[12:]
    return dict(files=routed6(),
                inputs={"tap0": [(1.0, NS_DB), (1.1, req)],
                        "em0": [(1.2, NA_GW)]},
                expect={"tap0": [NA_DB], "em0": [NS_GW, fwd]},
                commands=["netstat -rn", "ndp -an", "stats"],
                views=[r"^Internet6:$",
                       r"^default +2001:db8:100::1 +UGS +0 +0 +- +8 em0",
                       r"^2001:db8:100::/64 +2001:db8:100::2 +UCn +1 +1 +- "
                       r"+4 em0",
                       r"^2001:db8:50::/64 +2001:db8:50::1 +UCn +1 +0 +- "
                       r"+4 vether0",
                       r"^fe80::%vether0/64 +fe80::fce1:baff:fed0:1%vether0 "
                       r"+UCn ",
                       r"^2001:db8:100::1 +02:00:00:00:00:77 +UHLc .* em0",
                       r"^2001:db8:100::1 +02:00:00:00:00:77 +em0 30s +R R$",
                       r"router +forwarded6 +1 "])


@case
def forward6_forwarding_off():
    """net.inet6.ip6.forwarding=0 (the default): not forwarded, counted;
    the router's own address still answers ping."""
    req = echo6(DB, VE, DB6, GW6)
    me = echo6(DB, VE, DB6, R6)
    rep = echo6(VE, DB, R6, DB6, typ=129)
    return dict(files=routed6(forwarding=False),
                inputs={"tap0": [(1.0, NS_DB), (1.1, req), (1.2, me)]},
                expect={"tap0": [na6(VE, DB, R6, DB6, R6, 0x60), rep],
                        "em0": []},
                commands=["stats"],
                views=[r"router +drop-forwarding6-off +1 ",
                       r"router +echo-replies6 +1 "])


@case
def hop_limit_exceeded6():
    req = echo6(DB, VE, DB6, GW6, hlim=1)
    err = icmp6_err(VE, DB, R6, DB6, 3, 0, req[14:])
    return dict(files=routed6(), inputs={"tap0": [(1.0, NS_DB), (1.1, req)]},
                expect={"tap0": [NA_DB, err], "em0": []},
                pre=["trace on 5"], commands=["stats", "trace show"],
                views=[r"router +drop-hlim-exceeded +1 ",
                       r"router6 +drop: hop limit 1 exceeded"])


@case
def packet_too_big6():
    """Larger than em0's MTU: IPv6 routers never fragment; packet too big
    with the MTU, quoting the packet as it came in (hop limit 64)."""
    big = ip6(DB, VE, DB6, GW6, 17, b"\xa0\x28\x00\x35" +
              (8 + 1402).to_bytes(2, "big") + b"\0\0" + b"x" * 1402)
    err = icmp6_err(VE, DB, R6, DB6, 2, 0, big[14:], param=1400)
    return dict(files=routed6(em0_extra="mtu 1400\n"),
                inputs={"tap0": [(1.0, NS_DB), (1.1, big)]},
                expect={"tap0": [NA_DB, err], "em0": []},
                pre=["trace on 5"], commands=["stats", "trace show"],
                views=[r"router +drop-too-big +1 ",
                       r"drop: 1450 bytes > mtu 1400 of em0: packet too big"])


@case
def icmp6_error_matches_its_state():
    """pf_test_state_icmp() for ICMPv6: under `block all', the wan's
    packet too big about db01's UDP flow passes by that flow's states (in
    on em0 by the state made out on em0, then out on vether0 by the one
    made in on vether0); one about a flow without a state is blocked."""
    far = "2001:db8:200::9"
    udp6 = b"\xa0\x28\x00\x35" + (8 + 100).to_bytes(2, "big") + b"\0\0" + \
        b"u" * 100
    req = ip6(DB, VE, DB6, far, 17, udp6)
    fwd = ip6(E0, GW, DB6, far, 17, udp6, hlim=63)
    other = ip6(E0, GW, DB6, far, 17, udp6[:2] + b"\x00\x36" + udp6[4:],
                hlim=63)
    err = icmp6_err(GW, E0, GW6, DB6, 2, 0, fwd[14:], param=1280)
    stray = icmp6_err(GW, E0, GW6, DB6, 2, 0, other[14:], param=1280)
    out = ip6(VE, DB, GW6, DB6, 58, err[54:], hlim=63)
    files = routed6()
    files["pf.conf"] = ("set skip on tap0\nblock all\n"
                        "pass in on vether0 inet6\n"
                        "pass out on em0 inet6\n")
    return dict(files=files,
                inputs={"tap0": [(1.0, NS_DB), (1.1, req)],
                        "em0": [(1.2, NA_GW), (1.3, err), (1.4, stray)]},
                expect={"tap0": [NA_DB, out], "em0": [NS_GW, fwd]},
                pre=["trace on 10"], commands=["trace show"],
                views=[r"in on em0: pass \(icmp error about the flow of "
                       r"state of rule 2\)",
                       r"out on vether0: pass \(icmp error about the flow "
                       r"of state of rule 1\)"])


@case
def no_route6_unreachable():
    """No route: destination unreachable, no route (code 0), as
    ip6_forward()."""
    req = echo6(DB, VE, DB6, "2001:db8:999::9")
    err = icmp6_err(VE, DB, R6, DB6, 1, 0, req[14:])
    return dict(files=routed6(), inputs={"tap0": [(1.0, NS_DB), (1.1, req)]},
                pre=["route delete -inet6 default"],
                expect={"tap0": [NA_DB, err], "em0": []},
                commands=["stats"], views=[r"router +drop-no-route6 +1 "])


@case
def nd6_gives_up_address_unreachable():
    """Three solicitations a second apart, then the held packet's sender
    gets address unreachable and the entry goes."""
    req = echo6(DB, VE, DB6, GW6)
    held = bytearray(req)
    held[21] = 63                   # as it waited: hop limit already 63
    held = bytes(held[:6]) + bytes.fromhex(E0.replace(":", "")) + \
        bytes(held[12:])
    err = icmp6_err(VE, DB, R6, DB6, 1, 3, held[14:])
    tick = ns6(DB, DB6, R6, hlim=1)         # ignored: moves the clock on
    return dict(files=routed6(),
                inputs={"tap0": [(1.0, NS_DB), (1.1, req), (6.0, tick)]},
                expect={"em0": [NS_GW, DAD_E0_LL, DAD_E0] + [NS_GW] * 2,
                        "tap0": [NA_DB, DAD_VE_LL, DAD_VE, err]},
                commands=["stats", "ndp -an"],
                views=[r"router +drop-nd-timeout +1 "],
                absent=[r"^2001:db8:100::1 "])


# ---- pf reassembles IPv6 (set reassemble yes) -----------------------------

def frags6(frame, sizes, ident, order=None):
    """The IPv6 frame cut as its sender cuts it: fragments carrying the
    given payload sizes (multiples of 8 but the last), a Fragment header
    straight after the IPv6 header, in order (or in ORDER)."""
    import struct
    eh, ip = frame[:14], frame[14:]
    body, nh = ip[40:], ip[6]
    out, off = [], 0
    for i, n in enumerate(sizes):
        more = i < len(sizes) - 1
        fh = struct.pack("!BBHI", nh, 0, off | (1 if more else 0), ident)
        h = ip[:4] + struct.pack("!HB", 8 + n, 44) + ip[7:40]
        out.append(eh + h + fh + body[off:off + n])
        off += n
    assert off == len(body)
    return [out[i] for i in order] if order else out


PF6_ECHO = """block all
pass quick inet6 proto icmp6 icmp6-type { neighbrsol, neighbradv }
pass in on vether0 inet6 proto icmp6 icmp6-type echoreq
pass out on em0 inet6 proto icmp6 icmp6-type echoreq
"""


def big_echo6(smac, dmac, src, dst, typ=128):
    """An ICMPv6 echo of 3000 bytes (ping -6 -s 2992)."""
    import struct
    body = struct.pack("!BBHHH", typ, 0, 0, 0x77, 1) + \
        bytes(i & 0xff for i in range(2992))
    return ip6(smac, dmac, src, dst, 58, body)


def on_wire6(frame, smac, dmac, hlim):
    b = bytearray(frame)
    b[0:6] = bytes.fromhex(dmac.replace(":", ""))
    b[6:12] = bytes.fromhex(smac.replace(":", ""))
    b[21] = hlim
    return bytes(b)


@case
def reass6_routed_through_block_all():
    """db01 pings mygate with 3000 bytes in fragments of 1232, the last
    first: pf in on vether0 reassembles them (later fragments carry no
    ICMPv6 type), passes the echo request by type with state, em0 cuts it
    again as it came (1232 a fragment, the same id); the reply comes in
    fragments of 1448 and leaves for db01 in fragments of 1448, through
    the state."""
    req = big_echo6(DB, VE, DB6, GW6)
    rep = big_echo6(GW, E0, GW6, DB6, typ=129)
    sizes = [1232, 1232, 3000 - 2464]
    fin = frags6(req, sizes, 0x11223344, order=[2, 0, 1])
    out = [on_wire6(f, E0, GW, 63) for f in frags6(req, sizes, 0x11223344)]
    rin = frags6(rep, [1448, 1448, 3000 - 2896], 0x55667788)
    home = [on_wire6(f, VE, DB, 63) for f in rin]
    files = routed6()
    files["pf.conf"] = PF6_ECHO
    return dict(files=files,
                inputs={"tap0": [(1.0, NS_DB)] +
                        [(1.1 + i / 100, f) for i, f in enumerate(fin)],
                        "em0": [(1.2, NA_GW)] +
                        [(1.3 + i / 100, f) for i, f in enumerate(rin)]},
                expect={"tap0": [NA_DB] + home, "em0": [NS_GW] + out},
                commands=["stats", "pfctl -ss"],
                views=[r"pf +reass-held +4 ", r"pf +reass-done +2 ",
                       r"router +refragmented6 +2 ",
                       r"router +fragments-made6 +6 ",
                       r"^all ipv6-icmp 2001:db8:50::20\[\d+\] -> "
                       r"2001:db8:100::1\[\d+\] "],
                absent=[r"pf +fragment +[1-9]"])


@case
def reass6_echo_reply_fragmented():
    """db01 pings vether0 with 3000 bytes in three fragments: pf
    reassembles them, and the router's reply, larger than the MTU, leaves
    in fragments as a source makes them (ip6_output()): 1448 bytes of
    payload each, one id."""
    req = big_echo6(DB, VE, DB6, R6)
    fin = frags6(req, [1232, 1232, 3000 - 2464], 0x11223344)
    rep = big_echo6(VE, DB, R6, DB6, typ=129)
    out = frags6(rep, [1448, 1448, 3000 - 2896], 1013904223)
    files = routed6()
    files["pf.conf"] = PF6_ECHO
    return dict(files=files,
                inputs={"tap0": [(1.0, NS_DB)] +
                        [(1.1 + i / 100, f) for i, f in enumerate(fin)],
                        "em0": []},
                expect={"tap0": [NA_DB] + out},
                pre=["trace on 5"],
                commands=["stats", "trace show"],
                views=[r"pf +reass-done +1 ", r"router +echo-replies6 +1 ",
                       r"router +fragmented6-own +1 ",
                       r"router +fragments-made6 +3 ",
                       r"our packet of 3040 bytes > mtu 1500 of vether0: 3 "
                       r"fragments, id 1013904223$"],
                absent=[r"router +drop-too-big +[1-9]"])


@case
def reass6_routed_packet_too_big():
    """em0 has mtu 1280 and db01's fragments carry 1448 bytes: cut again
    at 1448 they still do not fit, so db01 gets packet too big with
    1280, quoting its first fragment as it came."""
    req = big_echo6(DB, VE, DB6, GW6)
    fin = frags6(req, [1448, 1448, 3000 - 2896], 7)
    err = icmp6_err(VE, DB, R6, DB6, 2, 0, fin[0][14:], param=1280)
    files = routed6(em0_extra="mtu 1280\n")
    # sluice's pf matches no ICMPv6 error to the state of its flow
    files["pf.conf"] = PF6_ECHO + \
        "pass out on vether0 inet6 proto icmp6 icmp6-type toobig\n"
    return dict(files=files,
                inputs={"tap0": [(1.0, NS_DB)] +
                        [(1.1 + i / 100, f) for i, f in enumerate(fin)]},
                expect={"tap0": [NA_DB, err], "em0": []},
                commands=["stats"],
                views=[r"pf +reass-done +1 ", r"router +drop-too-big +1 "])


@case
def reass6_bridged_through_block_all():
    """A bridge whose members pf filters: UDP to port 53 in fragments of
    1000 and 1232, passed by port in on em1 and out on em2, leaves em2
    cut at 1232 with the same id; a fragment that overlaps another
    drops its datagram (RFC 5722)."""
    import struct
    s6, d6 = "2001:db8::a", "2001:db8::c"
    data = bytes(range(256)) * 8
    dg = ip6_frame(A, C, s6, d6, 17, struct.pack("!HHHH", 41000, 53,
                                                 8 + len(data), 0) + data)
    fin = frags6(dg, [1000, 1056], 0x0a0b0c0d)
    out = frags6(dg, [1056, 1000], 0x0a0b0c0d)
    bad = frags6(dg, [1000, 1056], 0x0e0e0e0e)
    over = bytearray(bad[1])
    over[14 + 42:14 + 44] = struct.pack("!H", 992)   # offset 992: overlaps
    pf = ("block all\n"
          "pass in on em1 inet6 proto udp to port 53\n"
          "pass out on em2 inet6 proto udp to port 53\n")
    files = dict(BRIDGE_EM1_EM2)
    files["pf.conf"] = pf
    return dict(files=files,
                inputs={"em1": [(1.0, fin[1]), (1.01, fin[0]),
                                (1.1, bad[0]), (1.11, bytes(over))]},
                expect={"em2": out},
                commands=["stats"],
                views=[r"pf +reass-done +1 ", r"pf +reass-overlap +1 ",
                       r"bridge0 +fragmented +1 "])


@case
def queues_shape_a_port():
    """pf's queues on em2: a 1 Mbit/s link shared 9:1 by std (the
    default) and bulk (udp port 9, qlimit 4).  Eight 1000-byte datagrams
    arrive at once: bulk holds four, the rest are dropped; the pings in
    std leave first; every frame leaves no sooner than the link lets it
    (1000 bytes: 8 ms), each in the order its queue got it."""
    bulk = [with_payload(udp(A, C, "192.0.2.1", "192.0.2.3", 4000 + i, 9),
                         bytes(952)) for i in range(8)]
    pings = [icmp_echo(A, C, "192.0.2.1", "192.0.2.3", seq=i)
             for i in range(3)]

    def check_ts(outs):
        errs = []
        got = outs["em2"]
        sent_bulk = [d for _, d in got if d in bulk]
        sent_pings = [d for _, d in got if d in pings]
        if sent_pings != pings:
            errs.append("pings: %d of 3 left, in order: %s" % (
                len(sent_pings), sent_pings == pings[:len(sent_pings)]))
        if not 4 <= len(sent_bulk) <= 5 or \
                sent_bulk != bulk[:len(sent_bulk)]:
            errs.append("bulk: %d left (4 or 5 expected, the first ones)"
                        % len(sent_bulk))
        if got and got[-1][1] in pings:
            errs.append("std's pings should leave before bulk is done")
        # a frame leaves once the link has sent the one before it, less
        # the 2 ms an idle link may catch up
        t = None
        for ts, d in got:
            if t is not None and ts < t - 0.0021:
                errs.append("frame at %.4f before the link is free "
                            "(%.4f)" % (ts, t))
            t = max(t or 0, ts) + len(d) * 8 / 1e6
        total = sum(len(d) for _, d in got) * 8 / 1e6
        if got and got[-1][0] - got[0][0] < total - 0.0021 - \
                len(got[-1][1]) * 8 / 1e6 - len(got[0][1]) * 8 / 1e6:
            errs.append("sent too fast: %.4f s for %.4f s of link" % (
                got[-1][0] - got[0][0], total))
        return errs

    return dict(
        files=dict(BRIDGE_EM1_EM2, **{"pf.conf": (
            "queue rootq on em2 bandwidth 1M\n"
            "queue std parent rootq bandwidth 900K default\n"
            "queue bulk parent rootq bandwidth 100K qlimit 4\n"
            "pass out on em2 proto udp to port 9 set queue bulk\n")}),
        inputs={"em1": [(1.0, f) for f in bulk] +
                [(1.0005, f) for f in pings]},
        expect={},
        outputs=["em2"],
        check_ts=check_ts,
        pre=["trace on 20"],
        commands=["pfctl -s queue -v", "stats", "trace show"],
        views=[r"^queue rootq on em2 bandwidth 1M$",
               r"^queue std parent rootq bandwidth 900K default$",
               r"^queue bulk parent rootq bandwidth 100K qlimit 4$",
               r"^  \[ pkts:          3  bytes:        198  dropped pkts:"
               r"      0 bytes:      0 \]$",
               r"^  \[ qlength:   0/  4 \]$",
               r"dropped pkts:      [34] bytes:   [34]000 \]",
               r"em2 +drop-queue-full +[34] ",
               r"pkt 1 +queue +em2: waits in queue bulk \(1 of 4\)$",
               r"pkt 5 +queue +em2: queue bulk full: dropped "
               r"\(qlimit 4\)$",
               r"pkt 9 +queue +em2: waits in queue std \(1 of 50\)$",
               r"pkt 9 +port-out +em2: sent from queue std$"])


@case
def set_delay_holds_packets():
    """pf's set delay: udp port 9 waits 100 ms where it leaves (em2), at
    most 3 packets at a time (set limit pktdelay-pkts 3: the fourth is
    dropped); a later match rule's set delay 0 lets port 10 through at
    once, port 11 has none; a packet of a held flow's state waits too,
    and each leaves once."""
    held = [udp(A, C, "192.0.2.1", "192.0.2.3", 4000 + i, 9)
            for i in range(4)]
    later = with_payload(udp(A, C, "192.0.2.1", "192.0.2.3", 4000, 9),
                         b"again")
    p10 = udp(A, C, "192.0.2.1", "192.0.2.3", 5000, 10)
    p11 = udp(A, C, "192.0.2.1", "192.0.2.3", 5000, 11)

    def check_ts(outs):
        errs = []
        got = outs["em2"]
        want = [(1.01, p11), (1.02, p10)] + \
            [(1.1, d) for d in held[:3]] + [(1.3, later)]
        if [d for _, d in got] != [d for _, d in want]:
            errs.append("frames out: %d, wanted %d in order" % (
                len(got), len(want)))
        for (ts, d), (wts, wd) in zip(got, want):
            if d == wd and abs(ts - wts) > 0.0015:
                errs.append("frame left at %.4f, wanted %.4f" % (ts, wts))
        return errs

    return dict(
        files=dict(BRIDGE_EM1_EM2, **{"pf.conf": (
            "set limit pktdelay-pkts 3\n"
            "match in on em1 proto udp to port 9 set delay 100\n"
            "match in on em1 proto udp to port 10 set delay 50\n"
            "match in on em1 proto udp to port 10 set delay 0\n"
            "pass\n")}),
        inputs={"em1": [(1.0, f) for f in held] + [(1.01, p11),
                (1.02, p10), (1.2, later)]},
        expect={},
        outputs=["em2"],
        check_ts=check_ts,
        pre=["trace on 10"],
        commands=["pfctl -sm", "pfctl -sr", "stats", "trace show",
                  "explain in on em1 proto udp from 192.0.2.1 port 7 to "
                  "192.0.2.3 port 9"],
        views=[r"^pktdelay-pkts +hard limit +3$",
               r"^  delay: 100 ms where it leaves, on this packet and every "
               r"packet of its state$",
               r"set delay 100",
               r"em2 +drop-delay-full +1 ",
               r"pf +set-delay +5 ",
               r"pkt 1 +pf +in on em1: set delay 100 ms: it waits that "
               r"long where it leaves$",
               r"pkt 1 +port-out +em2: held 100 ms \(set delay\)$",
               r"pkt 1 +port-out +em2: its set delay is over$",
               r"pkt 4 +port-out +em2: dropped: 3 packets wait for their "
               r"set delay \(set limit pktdelay-pkts 3\)$"])


def run_case(sluiced, fn):
    c = fn()
    tmp = tempfile.mkdtemp(prefix="sluice-pipe-")
    try:
        etc = os.path.join(tmp, "etc")
        os.mkdir(etc)
        for name, text in c["files"].items():
            with open(os.path.join(etc, name), "w") as f:
                f.write(text)
        ports = set(c["inputs"]) | set(c["expect"]) | \
            set(c.get("outputs", []))
        args = [sluiced, "-f", etc]
        for p in sorted(ports):
            inp = ""
            if p in c["inputs"]:
                inp = os.path.join(tmp, p + ".in.pcap")
                write_pcap(inp, c["inputs"][p])
            args += ["-i", "%s=pcap:%s:%s" % (p, inp,
                                             os.path.join(tmp, p + ".out"))]
        # -c commands run after the replay; "pre" ones are a trace switch,
        # given to sluiced as an environment-free option: see -c ordering.
        for cmd in c.get("pre", []):
            args += ["-C", cmd]
        for cmd in c.get("commands", []):
            args += ["-c", cmd]
        env = dict(os.environ, **c.get("env", {}))
        r = subprocess.run(args, capture_output=True, text=True, timeout=30,
                           env=env)
        errs = []
        if r.returncode != 0:
            errs.append("sluiced exited %d: %s" % (r.returncode, r.stderr))
        for p, want in c["expect"].items():
            path = os.path.join(tmp, p + ".out")
            got = [d for _, d in read_pcap(path)] if os.path.exists(path) \
                else []
            if got != want:
                errs.append("%s: expected %d frame(s), got %d%s" % (
                    p, len(want), len(got),
                    "" if len(got) != len(want) else " (bytes differ)"))
        if "check" in c or "check_ts" in c:
            outs = {}
            for p in ports:
                path = os.path.join(tmp, p + ".out")
                outs[p] = read_pcap(path) if os.path.exists(path) else []
            if "check" in c:
                errs += c["check"](dict((p, [d for _, d in f])
                                        for p, f in outs.items()))
            if "check_ts" in c:
                errs += c["check_ts"](outs)
        for v in c.get("views", []):
            if not re.search(v, r.stdout, re.M):
                errs.append("view lacks /%s/" % v)
        for v in c.get("absent", []):
            if re.search(v, r.stdout, re.M):
                errs.append("view has /%s/, should not" % v)
        if errs and os.environ.get("VERBOSE"):
            errs.append("output was:\n" + r.stdout)
        return errs
    finally:
        shutil.rmtree(tmp)


def main():
    sluiced = sys.argv[1]
    want = set(sys.argv[2:])
    passed = failed = 0
    for fn in CASES:
        if want and fn.__name__ not in want:
            continue
        errs = run_case(sluiced, fn)
        if errs:
            failed += 1
            print("FAIL pipeline/%s" % fn.__name__)
            for e in errs:
                print("     " + e)
        else:
            passed += 1
            print("ok   pipeline/%s" % fn.__name__)
    print("pipeline: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
