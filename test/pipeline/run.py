#!/usr/bin/env python3
"""Pipeline tests: capture files in -> sluiced (replay mode) -> capture
files out, compared frame by frame, byte for byte.  Views printed after
the replay (sluiced -c) are checked for the lines a user would grep.

usage: run.py SLUICED [CASE...]     prints one line per case and a total
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

from pcaplib import (BCAST, arp_request, icmp_echo, read_pcap, write_pcap)

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
        expect={"em1": [icmp_echo(B, A, "192.0.2.2", "192.0.2.1", vlan=10)],
                "tap0": [untag(t10)]},
        commands=["ifconfig vlan10", "stats"],
        views=[r"\tencap: vnetid 10 parent em1 txprio packet rxprio outer",
               r"em1 +drop-vlan-unknown +1 ",
               r"em1 +drop-not-member +1 "])


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


def run_case(sluiced, fn):
    c = fn()
    tmp = tempfile.mkdtemp(prefix="sluice-pipe-")
    try:
        etc = os.path.join(tmp, "etc")
        os.mkdir(etc)
        for name, text in c["files"].items():
            with open(os.path.join(etc, name), "w") as f:
                f.write(text)
        ports = set(c["inputs"]) | set(c["expect"])
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
        r = subprocess.run(args, capture_output=True, text=True, timeout=30)
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
