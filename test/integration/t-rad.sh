#!/usr/bin/env bash
# Router advertisements (rad.conf, as rad(8) sends them): db01 behind
# vether0 configures itself by SLAAC from sluice's advertisement and
# routes through it to the wan, with nothing configured in the guest but
# its link.  Only documentation addresses, only in our own namespaces.
T_NAME=rad
. "$(dirname "$0")/lib.sh"

WAN=sl$ID-rwan DB=sl$ID-rdb
wan_ns "$WAN" && mkns "$DB" || exit 1

etc=$TMP/etc
routed6_etc "$etc" "$WAN"
echo net.inet6.ip6.forwarding=1 >"$etc/sysctl.conf"
cat >"$etc/rad.conf" <<'RAD'
# rad.conf(5): advertise vether0's prefix, and a nameserver
dns {
	nameserver 2001:db8:50::53
	search lab.example
}
interface vether0
RAD
start_sluiced "$etc" -i "em0=s${ID}em0" -g "db01=$DB" || exit 1
wait_for 5 ip -n "$DB" link show vio0 || exit 1
# SLAAC without waiting for DAD's second (a test's own namespace)
ip netns exec "$DB" sysctl -qw net.ipv6.conf.vio0.accept_dad=0
ip netns exec "$DB" sysctl -qw net.ipv6.conf.vio0.accept_ra=2
ip -n "$DB" link set vio0 up

check "db01 takes an address in 2001:db8:50::/64 from the advertisement" \
	wait_for 15 sh -c "ip -n $DB -6 addr show dev vio0 scope global | grep -q 'inet6 2001:db8:50:'"
check "... and a default route through the router's link-local address" \
	wait_for 5 sh -c "ip -n $DB -6 route show default | grep -qE '^default via fe80::[0-9a-f:]+ dev vio0 proto ra'"
check "db01 reaches the wan by them (ping -6 2001:db8:100::1)" \
	ip netns exec "$DB" ping -6 -c 2 -i 0.2 -W 2 2001:db8:100::1
# A solicitation of our own, answered (at least 3 s after the last
# advertisement) while tcpdump looks: what the advertisement carries.
capture "$DB" vio0 "$TMP/ra.pcap" 'icmp6 and ip6[40] == 134'
ip netns exec "$DB" python3 -c "
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
s.sendto(bytes([133, 0, 0, 0, 0, 0, 0, 0]),
    ('ff02::2', 0, 0, socket.if_nametoindex('vio0')))"
wait_for 10 sh -c "tcpdump -nr $TMP/ra.pcap 2>/dev/null | grep -q 'router advertisement'"
stop_capture
tcpdump -nvr "$TMP/ra.pcap" >"$TMP/ra.txt" 2>&1
check "the advertisement carries the nameserver (RDNSS)" \
	grep -q 'rdnss option.*2001:db8:50::53' "$TMP/ra.txt"
check "... and the search domain (DNSSL, RFC 8106)" \
	grep -q 'dnssl option.*lab\.example' "$TMP/ra.txt"
ctl stats >"$TMP/stats"
check "stats: advertisements sent" grep -qE '^  router +ra-sent +[1-9]' "$TMP/stats"
check "stats: the guest's solicitation answered" grep -qE '^  router +rs-in +[1-9]' "$TMP/stats"
check "sluiced -n: a broken rad.conf names file, line and column" \
	sh -c "printf 'interface vether0 {\n\thop limit 300\n}\n' >$etc/rad.conf; ! $SLUICED -n -f $etc 2>$TMP/n.err; grep -q 'rad.conf:2:12: a hop limit: expected a hop limit (0-255), found 300' $TMP/n.err"
finish
