#!/usr/bin/env bash
# inet6 autoconf on the uplink (hostname.em0), as slaacd(8): the wan's
# router advertisement gives em0 an address and sluice a default route;
# the wan reaches sluice at it.  The advertisement is sent from the wan
# namespace with a raw ICMPv6 socket.  Documentation addresses only, in
# our own namespaces.
T_NAME=slaac
. "$(dirname "$0")/lib.sh"

WAN=sl$ID-swan DB=sl$ID-sdb
wan_ns "$WAN" && mkns "$DB" || exit 1
ip -n "$WAN" addr add 2001:db8:100::1/64 dev wan0 nodad
etc=$TMP/etc
routed_etc "$etc" "inet6 2001:db8:50::1 64"
printf 'inet6 autoconf\n' >>"$etc/hostname.em0"
echo net.inet6.ip6.forwarding=1 >"$etc/sysctl.conf"
start_sluiced "$etc" -i "em0=s${ID}em0" -g "db01=$DB" || exit 1
check "sluiced solicits on em0 (rs-sent)" \
	wait_for 5 sh -c "$SLUICECTL -s $SOCK stats | grep -qE '^  router +rs-sent +[1-9]'"
# the wan's link-local address must be usable (not tentative) to send from
wait_for 5 sh -c "ip -n $WAN -6 addr show dev wan0 scope link | grep -q inet6 && ! ip -n $WAN -6 addr show dev wan0 scope link | grep -q tentative"
ip netns exec "$WAN" python3 -c '
import socket, struct
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
ra = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 1800, 0, 0)
pi = struct.pack("!BBBBIII", 3, 4, 64, 0xc0, 86400, 14400, 0) + \
    socket.inet_pton(socket.AF_INET6, "2001:db8:100::")
s.sendto(ra + pi, ("ff02::1", 0, 0, socket.if_nametoindex("wan0")))
'
check "em0 takes an address in 2001:db8:100::/64 (ifconfig em0: autoconf)" \
	wait_for 5 sh -c "$SLUICECTL -s $SOCK ifconfig em0 | grep -qE '^	inet6 2001:db8:100:[0-9a-f:]+ prefixlen 64 autoconf pltime [0-9]+ vltime [0-9]+$'"
addr=$($SLUICECTL -s $SOCK ifconfig em0 | awk '$1 == "inet6" && $2 ~ /^2001:db8:100:/ { print $2 }')
ll=$(ip -n "$WAN" -6 addr show dev wan0 scope link | awk '$1 == "inet6" { sub("/.*", "", $2); print $2 }')
check "a default route through the wan's router ($ll)" \
	sh -c "$SLUICECTL -s $SOCK netstat -rn | grep -qE '^default +$ll%em0 '"
check "the wan reaches sluice at $addr" \
	ip netns exec "$WAN" ping -6 -c 2 -i 0.2 -W 2 "$addr"
guest_up "$DB" 10.50.0.20/24 || exit 1
ip -n "$DB" addr add 2001:db8:50::20/64 dev vio0 nodad
ip -n "$DB" -6 route add default via 2001:db8:50::1
ip -n "$WAN" -6 route add 2001:db8:50::/64 via "$addr"
check "db01 reaches the wan through the learnt default route" \
	ip netns exec "$DB" ping -6 -c 2 -i 0.2 -W 2 2001:db8:100::1
finish
