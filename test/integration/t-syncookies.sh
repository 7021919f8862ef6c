#!/usr/bin/env bash
# set syncookies between real kernel stacks on the bridge:
#  1. always: every SYN is answered by sluice with a cookie; the client's
#     ACK of it makes the connection to the server, 2 MB go there and
#     back intact, and pfctl -vsi counts the cookies sent and validated;
#  2. adaptive (start 10%, end 5% of 100 states): a flood of SYNs to an
#     address nobody has leaves half-open states; within a second sluice
#     says "synfloods detected", and a real connection made during the
#     flood is answered with a cookie and works.
T_NAME=syncookies
. "$(dirname "$0")/lib.sh"

etc=$TMP/etc
lan_and_web c "$etc" </dev/null || exit 1
printf 'set syncookies always\npass\n' >"$etc/pf.conf"
start_sluiced "$etc" -i "em1=s${ID}em1" -g "web01=$WEB" || exit 1
guest_up "$WEB" 192.0.2.11/24 || exit 1

CLIENT_NS=$LAN SERVER_NS=$WEB SERVER_ADDR=192.0.2.11

blob_serve 5001
check "always: 2 MB there and back through a cookie" blob_xfer 5001
check "always: pfctl -vsi counts a cookie sent" sh -c "[ \"\$($SLUICECTL -s $SOCK pfctl -vsi | awk '/^  syncookies sent / { print \$3 }')\" -ge 1 ]"
check "always: pfctl -vsi counts a cookie validated" sh -c "[ \"\$($SLUICECTL -s $SOCK pfctl -vsi | awk '/^  syncookies validated / { print \$3 }')\" -ge 1 ]"
check "always: no state mismatch" sh -c "$SLUICECTL -s $SOCK pfctl -si | grep -qE '^  state-mismatch +0 '"

# -- adaptive ---------------------------------------------------------------
printf 'set limit states 100\nset syncookies adaptive (start 10%%, end 5%%)\npass\n' >"$TMP/adaptive.conf"
check "pfctl -F states" ctl pfctl -F states
check "pfctl -f with set syncookies adaptive" ctl pfctl -f "$TMP/adaptive.conf"
check "adaptive: the watermarks are 10 and 5 states" sh -c "$SLUICECTL -s $SOCK pfctl -vsi | grep -qE '^  start +10 states$' && $SLUICECTL -s $SOCK pfctl -vsi | grep -qE '^  end +5 states$'"
WEBMAC=$(ip -n "$WEB" link show vio0 | awk '/ether/ {print $2}')
LANMAC=$(ip -n "$LAN" link show lan0 | awk '/ether/ {print $2}')
# 30 SYNs to 192.0.2.99, which nobody has: half-open states in on em1
# and out on tap0, none answered.
ip netns exec "$LAN" python3 -c "
import socket, struct
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
mac = lambda m: bytes(int(x, 16) for x in m.split(':'))
src, dst = socket.inet_aton('192.0.2.1'), socket.inet_aton('192.0.2.99')
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(('lan0', 0))
for port in range(41000, 41030):
    th = struct.pack('!HHIIBBHHH', port, 80, 7, 0, 5 << 4, 0x02, 64240, 0, 0)
    c = csum(src + dst + struct.pack('!BBH', 0, 6, len(th)) + th)
    th = th[:16] + struct.pack('!H', c) + th[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(th), port, 0, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    s.send(mac('$WEBMAC') + mac('$LANMAC') + b'\x08\x00' + ip + th)
"
check "adaptive: the flood is detected" wait_for 5 sh -c "[ \"\$($SLUICECTL -s $SOCK pfctl -vsi | awk '/^  synfloods detected / { print \$3 }')\" = 1 ]"
sent=$($SLUICECTL -s "$SOCK" pfctl -vsi | awk '/^  syncookies sent / { print $3 }')
blob_serve 5002
check "adaptive: a connection during the flood works" blob_xfer 5002
check "adaptive: ... and was answered with a cookie" sh -c "[ \"\$($SLUICECTL -s $SOCK pfctl -vsi | awk '/^  syncookies sent / { print \$3 }')\" -gt $sent ]"
finish
