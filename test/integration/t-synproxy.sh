#!/usr/bin/env bash
# modulate state and synproxy state between real kernel stacks on the
# bridge: 2 MB each way through both, compared byte for byte, with no
# state mismatch; -vss shows the offsets; a SYN whose sender never ACKs
# sluice's SYN|ACK never reaches the server; scrub (reassemble tcp)
# offsets the timestamps and lets 2 MB through.
T_NAME=synproxy
. "$(dirname "$0")/lib.sh"

etc=$TMP/etc
lan_and_web s "$etc" </dev/null || exit 1
cat >"$etc/pf.conf" <<'PF'
block all
pass in on em1 proto tcp to port 5001 modulate state
pass in on em1 proto tcp to port 5002 synproxy state
pass in on em1 proto tcp to port 5003 synproxy state
pass in on em1 proto tcp to port 5004 scrub (reassemble tcp)
pass out on tap0 all
pass out on em1 all
PF
start_sluiced "$etc" -i "em1=s${ID}em1" -g "web01=$WEB" || exit 1
guest_up "$WEB" 192.0.2.11/24 || exit 1

CLIENT_NS=$LAN SERVER_NS=$WEB SERVER_ADDR=192.0.2.11
vss_offsets() {
	"$SLUICECTL" -s "$SOCK" pfctl -vss | grep -E ":$1 " -A1 |
	    grep -qE '^   \[[0-9]+ \+ [0-9]+\]\(\+[0-9]+\).*\]\(\+[0-9]+\)'
}
counter() { "$SLUICECTL" -s "$SOCK" stats | awk -v n="$1" '$2 == n { print $3 }'; }

blob_serve 5001
check "modulate state: 2 MB there and back" blob_xfer 5001
check "modulate state: -vss shows both ends' offsets" vss_offsets 5001

blob_serve 5002
check "synproxy state: 2 MB there and back" blob_xfer 5002
check "synproxy state: -vss shows both ends' offsets" vss_offsets 5002
check "synproxy state: the handshakes were joined" sh -c "[ \"\$($SLUICECTL -s $SOCK stats | awk '\$2 == \"synproxy-established\" { print \$3 }')\" = 1 ]"
check "pfctl -si: state-mismatch 0" sh -c "$SLUICECTL -s $SOCK pfctl -si | grep -qE '^  state-mismatch +0 '"

# scrub (reassemble tcp) between two Linux stacks, which timestamp every
# segment: 2 MB there and back, none dropped as bad-timestamp, and the
# SYN's TSval as the server sees it is not the client's.
blob_serve 5004
capture "$LAN" lan0 "$TMP/ts-lan.pcap" tcp port 5004 ||
	{ fail "capture did not start"; finish; exit 1; }
capture "$WEB" vio0 "$TMP/ts-web.pcap" tcp port 5004 ||
	{ fail "capture did not start"; finish; exit 1; }
check "scrub (reassemble tcp): 2 MB there and back" blob_xfer 5004
stop_capture
stop_capture
tsval() { tcpdump -r "$1" -n -v -c 1 2>/dev/null | sed -n 's/.*TS val \([0-9]*\).*/\1/p' | head -1; }
a=$(tsval "$TMP/ts-lan.pcap") b=$(tsval "$TMP/ts-web.pcap")
check "scrub (reassemble tcp): the server sees the client's timestamps offset ($a -> $b)" \
	sh -c "[ -n '$a' ] && [ -n '$b' ] && [ '$a' != '$b' ]"
check "pfctl -si: bad-timestamp 0" sh -c "$SLUICECTL -s $SOCK pfctl -si | grep -qE '^  bad-timestamp +0 '"

# A SYN from a raw socket: the lan's kernel answers sluice's SYN|ACK
# with a RST (no socket), which the proxy drops; the server hears none.
blob_serve 5003
insegs() { ip netns exec "$WEB" awk '/^Tcp:/ { n++ } /^Tcp:/ && n == 2 { print $11 }' /proc/net/snmp; }
before=$(insegs)
bad=$(counter synproxy-bad)
ip netns exec "$LAN" python3 -c "
import socket, struct
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
src, dst = socket.inet_aton('192.0.2.1'), socket.inet_aton('192.0.2.11')
th = struct.pack('!HHIIBBHHH', 40999, 5003, 12345, 0, 5 << 4, 0x02, 64240, 0, 0)
c = csum(src + dst + struct.pack('!BBH', 0, 6, len(th)) + th)
th = th[:16] + struct.pack('!H', c) + th[18:]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
s.sendto(th, ('192.0.2.11', 0))
"
check "synproxy: the unanswered SYN's RST was dropped by the proxy" wait_for 5 sh -c "[ \"\$($SLUICECTL -s $SOCK stats | awk '\$2 == \"synproxy-bad\" { print \$3 }')\" -gt ${bad:-0} ]"
check "synproxy: the server saw no segment of it" sh -c "[ \"\$(ip netns exec $WEB awk '/^Tcp:/ { n++ } /^Tcp:/ && n == 2 { print \$11 }' /proc/net/snmp)\" = $before ]"
check "pfctl -ss: the half-open one is PROXY:SRC" sh -c "$SLUICECTL -s $SOCK pfctl -ss | grep -qE '192\.0\.2\.1:40999 +PROXY:SRC$'"
finish
