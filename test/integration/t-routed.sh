#!/usr/bin/env bash
# The handbook's section 3 routed segment, routing only (NAT comes with
# pf): db01 (10.50.0.20) on bridge1 behind vether0 (10.50.0.1/24); em0 =
# 198.51.100.2/24 to a "wan" namespace (198.51.100.1), mygate 198.51.100.1.
# The wan side routes 10.50.0.0/24 back to us, since nothing translates yet.
T_NAME=routed
. "$(dirname "$0")/lib.sh"

WAN=sl$ID-wan DB=sl$ID-db
wan_ns "$WAN" && mkns "$DB" || exit 1

etc=$TMP/etc
routed_etc "$etc"
start_sluiced "$etc" -i "em0=s${ID}em0" -g "db01=$DB" || exit 1
guest_up "$DB" 10.50.0.20/24 || exit 1
ip -n "$DB" route add default via 10.50.0.1

check "ping the gateway 10.50.0.1 (forwarding off)" \
	ip netns exec "$DB" ping -c 2 -i 0.2 -W 2 10.50.0.1
check "ping em0's address 198.51.100.2 from the wan" \
	ip netns exec "$WAN" ping -c 2 -i 0.2 -W 2 198.51.100.2
check "forwarding off: the wan is not reached" \
	sh -c "! ip netns exec $DB ping -c 2 -i 0.2 -W 1 198.51.100.1"
check "... and that is counted" sh -c "$SLUICECTL -s $SOCK stats | grep -qE 'router +drop-forwarding-off +[1-9]'"
check "sysctl net.inet.ip.forwarding=1" \
	sh -c "$SLUICECTL -s $SOCK sysctl net.inet.ip.forwarding=1 | grep -qx 'net.inet.ip.forwarding: 0 -> 1'"
check "ping db01 -> wan through the router" \
	ip netns exec "$DB" ping -c 3 -i 0.2 -W 2 198.51.100.1
check "ping wan -> db01" ip netns exec "$WAN" ping -c 3 -i 0.2 -W 2 10.50.0.20
check "ttl 1: time exceeded from 10.50.0.1" \
	sh -c "ip netns exec $DB ping -c 1 -t 1 -W 2 198.51.100.1 | grep -q 'From 10.50.0.1 .*Time to live exceeded'"
check "no route: unreachable from the router" \
	sh -c "$SLUICECTL -s $SOCK route delete default >/dev/null &&
	ip netns exec $DB ping -c 1 -W 2 203.0.113.9 | grep -q 'From 10.50.0.1 .*Destination Host Unreachable'"
check "route add default 198.51.100.1" \
	sh -c "$SLUICECTL -s $SOCK route add default 198.51.100.1 | grep -q 'add net default: gateway 198.51.100.1'"

head -c 2000000 /dev/urandom >"$TMP/blob"
nc_sink "$WAN" 9090 "$TMP/got"
check "TCP 2 MB db01 -> wan routed (offloads on)" \
	ip netns exec "$DB" timeout 20 nc -N 198.51.100.1 9090 <"$TMP/blob"
wait_for 10 cmp -s "$TMP/blob" "$TMP/got"
check "TCP data arrived intact" cmp "$TMP/blob" "$TMP/got"

# tcpdump -ni vether0: vether0 has no Linux interface; sluicectl streams it.
capture_while "$TMP/td.txt" "-c 2 -ni vether0 icmp" \
	ip netns exec "$DB" ping -c 1 -W 1 198.51.100.1
check "sluicectl tcpdump -ni vether0 shows the guest's traffic" \
	grep -q '10\.50\.0\.20 > 198\.51\.100\.1: ICMP echo request' "$TMP/td.txt"
check "sluicectl tcpdump on an unknown interface says so" \
	sh -c "$SLUICECTL -s $SOCK tcpdump -ni nope0 2>&1 | grep -q 'nope0: no such interface'"
check "... and exits 1" sh -c "! $SLUICECTL -s $SOCK tcpdump -ni nope0 2>/dev/null"

ctl netstat -rn >"$TMP/rt"
check "netstat -rn: 10.50.0/24 on vether0" grep -qE '^10\.50\.0/24 +10\.50\.0\.1 +UCn +1 +[0-9]+ +- +4 vether0' "$TMP/rt"
check "netstat -rn: the default route" grep -qE '^default +198\.51\.100\.1 +UGS +0 +[0-9]+ +- +8 em0' "$TMP/rt"
check "netstat -rn: local address" grep -qE '^10\.50\.0\.1 +fe:e1:ba:d0:[0-9a-f:]+ +UHLl ' "$TMP/rt"
ctl arp -an >"$TMP/arp"
check "arp -an: db01 resolved on vether0" grep -qE '^10\.50\.0\.20 +[0-9a-f:]{17} +vether0 [0-9]+m[0-9]+s' "$TMP/arp"
check "arp -an: our own address permanent" grep -qE '^198\.51\.100\.2 +[0-9a-f:]{17} +em0 permanent l$' "$TMP/arp"
# arp -s with a wrong address: the router believes it, the wan's pings
# to db01 go nowhere; arp -d and the next ping resolves db01 again.
dbmac=$(ip -n "$DB" -o link show vio0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
check "arp -s a wrong static address for db01" \
	ctl arp -s 10.50.0.20 02:00:00:00:de:ad
check "arp -an: it is static" sh -c "$SLUICECTL -s $SOCK arp -an | grep -qE '^10\.50\.0\.20 +02:00:00:00:de:ad +vether0 static'"
check "... and the wan no longer reaches db01" \
	sh -c "! ip netns exec $WAN ping -c 2 -i 0.2 -W 1 10.50.0.20"
check "arp -d 10.50.0.20" sh -c "$SLUICECTL -s $SOCK arp -d 10.50.0.20 | grep -qx '10.50.0.20 (10.50.0.20) deleted'"
check "... and db01 is reached again" \
	ip netns exec "$WAN" ping -c 2 -i 0.2 -W 2 10.50.0.20
check "arp -an: db01 learned again with its own address" sh -c "$SLUICECTL -s $SOCK arp -an | grep -qE '^10\.50\.0\.20 +$dbmac +vether0 [0-9]+m'"
check "ifconfig vether0 shows its address" sh -c "$SLUICECTL -s $SOCK ifconfig vether0 | grep -qP '^\tinet 10.50.0.1 netmask 0xffffff00 broadcast 10.50.0.255$'"
finish
