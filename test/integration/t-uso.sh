#!/usr/bin/env bash
# UDP GSO (UDP_SEGMENT) through the router with real kernel stacks: the
# wan sends db01 one super-frame of four 1448-byte datagrams without DF
# (its veth keeps it whole: sluice's em0 reads it as GSO_UDP_L4), and
# vether0's MTU of 1400 is smaller than each datagram.  sluice makes
# them datagrams in software and fragments each, as Linux's
# ip_finish_output_gso() does; db01's kernel must reassemble all four.
T_NAME=uso
. "$(dirname "$0")/lib.sh"

WAN=sl$ID-uwan DB=sl$ID-udb
wan_ns "$WAN" && mkns "$DB" || exit 1

etc=$TMP/etc
routed_etc "$etc" "mtu 1400"
printf 'net.inet.ip.forwarding=1\n' >"$etc/sysctl.conf"
start_sluiced "$etc" -i "em0=s${ID}em0" -g "db01=$DB" || exit 1
guest_up "$DB" 10.50.0.20/24 || exit 1
ip -n "$DB" route add default via 10.50.0.1

counter() {	# counter NAME: the router's counter NAME
	ctl stats -v | awk -v n="$1" '$1 == "router" && $2 == n { print $3 }'
}

# The router knows db01's MAC first: ARP would hold only 3 of the 8
# fragments (it holds 3 packets per next hop, as OpenBSD's arpresolve()).
check "the wan reaches db01" \
	ip netns exec "$WAN" ping -c 1 -W 2 10.50.0.20

# db01 takes four datagrams and writes their sizes and a digest.
ip netns exec "$DB" python3 -c '
import hashlib, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.50.0.20", 5353))
s.settimeout(10)
got = [s.recv(65535) for _ in range(4)]
print(" ".join(str(len(g)) for g in got), hashlib.sha256(b"".join(got)).hexdigest())
' >"$TMP/got" 2>&1 &
PIDS+=($!)
wait_for 5 ip netns exec "$DB" sh -c "ss -lun | grep -q 10.50.0.20:5353"

# The wan: one sendto of 4 x 1448 bytes, UDP_SEGMENT 1448, DF clear.
check "the wan sends one UDP GSO super-frame (UDP_SEGMENT, no DF)" \
	ip netns exec "$WAN" python3 -c '
import hashlib, socket
UDP_SEGMENT, IP_MTU_DISCOVER, IP_PMTUDISC_DONT = 103, 10, 0
data = bytes((i * 7 + i // 1448) & 0xff for i in range(4 * 1448))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)
s.setsockopt(socket.IPPROTO_UDP, UDP_SEGMENT, 1448)
s.sendto(data, ("10.50.0.20", 5353))
open("'"$TMP/sent"'", "w").write(hashlib.sha256(data).hexdigest() + "\n")
'
wait_for 10 grep -q ' ' "$TMP/got"
check "db01 reassembled four datagrams of 1448 bytes" \
	grep -q '^1448 1448 1448 1448 ' "$TMP/got"
check "... with the bytes the wan sent" \
	grep -q "$(cat "$TMP/sent" 2>/dev/null || echo none)" "$TMP/got"
check "the router segmented a UDP GSO frame (gso-segmented)" \
	test "$(counter gso-segmented)" -ge 1
check "... and fragmented its datagrams (fragmented)" \
	test "$(counter fragmented)" -ge 4
check "nothing dropped for GSO (drop-gso-mtu)" \
	test "$(counter drop-gso-mtu)" -eq 0
finish
