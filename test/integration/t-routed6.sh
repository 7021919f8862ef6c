#!/usr/bin/env bash
# The routed segment over IPv6, static configuration: db01
# (2001:db8:50::20) on bridge1 behind vether0 (2001:db8:50::1/64), em0 =
# 2001:db8:100::2/64 to a "wan" namespace (2001:db8:100::1), mygate's
# IPv6 line 2001:db8:100::1.  The IPv4 half of t-routed.sh stays as it is
# beside it (dual stack).  Only documentation addresses, only inside our
# own namespaces; the guests skip DAD (nodad) so nothing waits on a timer.
T_NAME=routed6
. "$(dirname "$0")/lib.sh"

WAN=sl$ID-wan DB=sl$ID-db
wan_ns "$WAN" && mkns "$DB" || exit 1

etc=$TMP/etc
routed6_etc "$etc" "$WAN"
start_sluiced "$etc" -i "em0=s${ID}em0" -g "db01=$DB" || exit 1
guest_up "$DB" 10.50.0.20/24 || exit 1
ip -n "$DB" addr add 2001:db8:50::20/64 dev vio0 nodad
ip -n "$DB" -6 route add default via 2001:db8:50::1

P6="ping -6 -c 2 -i 0.2 -W 2"
check "ping -6 the gateway 2001:db8:50::1 (forwarding off)" \
	ip netns exec "$DB" $P6 2001:db8:50::1
check "ping -6 em0's address 2001:db8:100::2 from the wan" \
	ip netns exec "$WAN" $P6 2001:db8:100::2
check "forwarding off: the wan is not reached over IPv6" \
	sh -c "! ip netns exec $DB ping -6 -c 2 -i 0.2 -W 1 2001:db8:100::1"
check "... and that is counted" sh -c "$SLUICECTL -s $SOCK stats | grep -qE 'router +drop-forwarding6-off +[1-9]'"
check "sysctl net.inet6.ip6.forwarding=1" \
	sh -c "$SLUICECTL -s $SOCK sysctl net.inet6.ip6.forwarding=1 | grep -qx 'net.inet6.ip6.forwarding: 0 -> 1'"
check "ping -6 db01 -> wan through the router" \
	ip netns exec "$DB" ping -6 -c 3 -i 0.2 -W 2 2001:db8:100::1
check "ping -6 wan -> db01" \
	ip netns exec "$WAN" ping -6 -c 3 -i 0.2 -W 2 2001:db8:50::20
check "IPv4 still routed beside it (forwarding off: the router answers)" \
	ip netns exec "$DB" ping -c 1 -W 2 10.50.0.1
check "hop limit 1: time exceeded from 2001:db8:50::1" \
	sh -c "ip netns exec $DB ping -6 -c 1 -t 1 -W 2 2001:db8:100::1 | grep -q 'From 2001:db8:50::1 .*Time exceeded'"
check "no route: unreachable from the router" \
	sh -c "$SLUICECTL -s $SOCK route delete -inet6 default >/dev/null &&
	ip netns exec $DB ping -6 -c 1 -W 2 2001:db8:999::9 | grep -q 'From 2001:db8:50::1 .*Destination unreachable: No route'"
check "route add -inet6 default 2001:db8:100::1" \
	sh -c "$SLUICECTL -s $SOCK route add -inet6 default 2001:db8:100::1 | grep -q 'add net default: gateway 2001:db8:100::1'"

head -c 2000000 /dev/urandom >"$TMP/blob"
ip netns exec "$WAN" sh -c "nc -6 -l -N -p 9090 >$TMP/got" &
PIDS+=($!)
wait_for 5 ip netns exec "$WAN" sh -c "ss -ltn | grep -q :9090"
check "TCP 2 MB over IPv6 db01 -> wan routed (offloads on)" \
	ip netns exec "$DB" timeout 20 nc -6 -N 2001:db8:100::1 9090 <"$TMP/blob"
wait_for 10 cmp -s "$TMP/blob" "$TMP/got"
check "TCP data arrived intact" cmp "$TMP/blob" "$TMP/got"

dbmac=$(ip -n "$DB" -o link show vio0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
wanmac=$(ip -n "$WAN" -o link show wan0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
ctl ndp -an >"$TMP/ndp"
check "ndp -an: header" grep -qE '^Neighbor +Linklayer Address +Netif Expire +S Flags$' "$TMP/ndp"
check "ndp -an: db01 on vether0" grep -qE "^2001:db8:50::20 +$dbmac +vether0 [0-9dhms]+ +[RSDP] " "$TMP/ndp"
check "ndp -an: the wan gateway on em0, a router" grep -qE "^2001:db8:100::1 +$wanmac +em0 [0-9dhms]+ +[RSDP] R?$" "$TMP/ndp"
check "ndp -an: our own address permanent" grep -qE '^2001:db8:100::2 +[0-9a-f:]{17} +em0 permanent R l$' "$TMP/ndp"
ctl netstat -rn >"$TMP/rt"
check "netstat -rn: Internet6 section" grep -qx 'Internet6:' "$TMP/rt"
check "netstat -rn: the IPv6 default route" grep -qE '^default +2001:db8:100::1 +UGS +0 +[0-9]+ +- +8 em0' "$TMP/rt"
check "netstat -rn: 2001:db8:50::/64 on vether0" grep -qE '^2001:db8:50::/64 +2001:db8:50::1 +UCn +1 +[0-9]+ +- +4 vether0' "$TMP/rt"
check "netstat -rn: db01 cloned" grep -qE "^2001:db8:50::20 +$dbmac +UHLc " "$TMP/rt"
check "netstat -rn: vether0's link-local route" grep -qE '^fe80::%vether0/64 +fe80::[0-9a-f:]+%vether0 +UCn ' "$TMP/rt"
ctl ifconfig vether0 >"$TMP/if"
check "ifconfig vether0: link-local inet6 with scope" grep -qP '^\tinet6 fe80::[0-9a-f:]+%vether0 prefixlen 64 scopeid 0x[0-9a-f]+$' "$TMP/if"
check "ifconfig vether0: inet6 2001:db8:50::1 prefixlen 64" grep -qP '^\tinet6 2001:db8:50::1 prefixlen 64$' "$TMP/if"
check "stats: IPv6 forwarded and counted" sh -c "$SLUICECTL -s $SOCK stats | grep -qE 'router +forwarded6 +[1-9]'"

# pf passes only echo requests with state: the fragments of a large ping
# must be reassembled to be filtered (later ones carry no ICMPv6 type),
# and leave cut as they came; so must the reply's.
cat >"$TMP/pf6.conf" <<'EOF6'
block all
pass quick inet6 proto icmp6 icmp6-type { neighbrsol, neighbradv }
pass in on vether0 inet6 proto icmp6 icmp6-type echoreq keep state
pass out on em0 inet6 proto icmp6 icmp6-type echoreq keep state
EOF6
check "pfctl -f: only echo requests with state" ctl pfctl -f "$TMP/pf6.conf"
check "ping -6 -s 3000 db01 -> wan through pf (fragments reassembled)" \
	ip netns exec "$DB" ping -6 -c 2 -i 0.2 -W 2 -s 3000 2001:db8:100::1
check "stats: IPv6 datagrams reassembled and cut again" \
	sh -c "$SLUICECTL -s $SOCK stats | grep -qE 'router +refragmented6 +[1-9]' && $SLUICECTL -s $SOCK stats | grep -qE 'pf +reass-done +[1-9]'"
check "ping -6 -s 3000 the gateway: its reply leaves in fragments" sh -c "
	ip netns exec $DB ping -6 -c 2 -i 0.2 -W 2 -s 3000 2001:db8:50::1 &&
	$SLUICECTL -s $SOCK stats | grep -qE 'router +fragmented6-own +2'"
check "ping -6 wan -> db01 refused by the policy" \
	sh -c "! ip netns exec $WAN ping -6 -c 1 -W 1 2001:db8:50::20"
finish
