#!/usr/bin/env bash
# DHCP for routed guests the way a user would do it: a host port, like
# OpenBSD's vport(4).  hostname.vport0 makes a tap whose kernel side stays
# on the host with its inet line; `add vport0` puts it in bridge1 next to
# vether0; dnsmasq on the host serves 10.50.0.0/24 on it with 10.50.0.1 as
# the router.  "The host" is a namespace here: sluiced and dnsmasq run in
# it, so nothing touches the real host's network.
T_NAME=vport
. "$(dirname "$0")/lib.sh"

H=sl$ID-host DB=sl$ID-vdb
mkns "$H" && mkns "$DB" || exit 1
etc=$TMP/etc
mkdir -p "$etc"
printf 'inet 10.50.0.1 255.255.255.0\nup\n' >"$etc/hostname.vether0"
printf 'inet 10.50.0.2 255.255.255.0\ninet 198.51.100.9/24\nup\n' \
	>"$etc/hostname.vport0"
printf 'add vether0\nadd vport0\nup\n' >"$etc/hostname.bridge1"
vmconf_isolated "$etc/vm.conf"
ip netns exec "$H" "$SLUICED" -d -f "$etc" -s "$SOCK" -t "t$ID" \
	-g "db01=$DB" >"$TMP/sluiced.log" 2>&1 &
PIDS+=($!)
wait_for 10 ctl ping || { cat "$TMP/sluiced.log"; exit 1; }
VP=t${ID}vport0
check "the vport's host side has 10.50.0.2/24 and is up" \
	sh -c "ip -n $H -4 addr show $VP | grep -q 'inet 10.50.0.2/24' && ip -n $H link show $VP | grep -q ',UP'"
check "... and its second inet line too" \
	sh -c "ip -n $H -4 addr show $VP | grep -q 'inet 198.51.100.9/24'"
check "ifconfig bridge1 lists vport0" sh -c "$SLUICECTL -s $SOCK ifconfig bridge1 | grep -qP '^\tvport0 flags=3<LEARNING,DISCOVER>$'"

ip netns exec "$H" dnsmasq --no-daemon --port=0 --interface="$VP" \
	--bind-interfaces --dhcp-range=10.50.0.100,10.50.0.150,255.255.255.0,1h \
	--dhcp-option=option:router,10.50.0.1 \
	--dhcp-leasefile="$TMP/leases" --pid-file="$TMP/dnsmasq.pid" \
	--conf-file=/dev/null >"$TMP/dnsmasq.log" 2>&1 &
PIDS+=($!)
wait_for 5 grep -q "DHCP, IP range" "$TMP/dnsmasq.log"
wait_for 5 ip -n "$DB" link show vio0
ip -n "$DB" link set vio0 up
check "db01 leases an address from dnsmasq on the host port" \
	ip netns exec "$DB" timeout 20 dhclient -1 -v -lf "$TMP/dhc.leases" \
	-pf "$TMP/dhc.pid" -sf /sbin/dhclient-script vio0
check "db01 holds 10.50.0.100-150" \
	sh -c "ip -n $DB -4 addr show vio0 | grep -qE 'inet 10\.50\.0\.(1[0-4][0-9]|150)/24'"
check "db01's default route is 10.50.0.1 (the DHCP router option)" \
	sh -c "ip -n $DB route show default | grep -q 'via 10.50.0.1'"
check "db01 pings its router 10.50.0.1 (vether0)" ip netns exec "$DB" ping -c 2 -i 0.2 -W 2 10.50.0.1
check "db01 pings the host 10.50.0.2 (vport0)" ip netns exec "$DB" ping -c 2 -i 0.2 -W 2 10.50.0.2
ip netns exec "$DB" dhclient -x -pf "$TMP/dhc.pid" >/dev/null 2>&1
finish
