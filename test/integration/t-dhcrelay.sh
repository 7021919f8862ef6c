#!/usr/bin/env bash
# dhcpd behind a relay agent: a second router "rtr" on the routed segment
# (10.50.0.2) serves 10.60.0.0/24 on a link of its own and relays DHCP
# there to sluice with dnsmasq's --dhcp-relay (as dhcrelay(8) would); a
# client on that link takes an address of dhcpd.conf's 10.60.0.0/24
# subnet, whose options it gets, through two hops of real stacks.
T_NAME=dhcrelay
. "$(dirname "$0")/lib.sh"

RTR=sl$ID-rrtr CLI=sl$ID-rcli
mkns "$RTR" && mkns "$CLI" || exit 1

etc=$TMP/etc
routed_etc "$etc"
rm "$etc/hostname.em0" "$etc/mygate"	# no uplink needed here
cat >"$etc/vm.conf" <<'VM'
switch "isolated" {
    interface bridge1
}
vm "rtr" {
    interface { switch "isolated" }
}
VM
printf 'net.inet.ip.forwarding=1\n' >"$etc/sysctl.conf"
printf 'pass\n' >"$etc/pf.conf"
cat >"$etc/dhcpd.conf" <<'CONF'
subnet 10.50.0.0 netmask 255.255.255.0 {
	option routers 10.50.0.1;
	range 10.50.0.100 10.50.0.149;
}
# behind rtr, served through its relay agent
subnet 10.60.0.0 netmask 255.255.255.0 {
	option routers 10.60.0.1;
	option domain-name-servers 10.50.0.1;
	range 10.60.0.100 10.60.0.149;
}
CONF
start_sluiced "$etc" -g "rtr=$RTR" || exit 1
guest_up "$RTR" 10.50.0.2/24 || exit 1
ip -n "$RTR" route add default via 10.50.0.1
# the clients' link: rtr's rl0 <-> the client's cl0, outside sluice
ip link add "s${ID}rl0" netns "$RTR" type veth peer name cl0 netns "$CLI" ||
	{ fail "veth"; finish; exit 1; }
ip -n "$RTR" link set "s${ID}rl0" name rl0
ip -n "$RTR" addr add 10.60.0.1/24 dev rl0
ip -n "$RTR" link set rl0 up
ip netns exec "$RTR" sysctl -qw net.ipv4.ip_forward=1
check "route add 10.60.0.0/24 10.50.0.2" ctl route add 10.60.0.0/24 10.50.0.2
ip netns exec "$RTR" dnsmasq --keep-in-foreground --port=0 \
	--dhcp-relay=10.60.0.1,10.50.0.1 --interface=rl0 --no-resolv \
	--pid-file="$TMP/dnsmasq.pid" --log-facility="$TMP/dnsmasq.log" &
PIDS+=($!)

cat >"$TMP/dhclient-script" <<'SCRIPT'
#!/bin/sh
case "$reason" in
PREINIT)
	ip link set dev "$interface" up ;;
BOUND|RENEW|REBIND|REBOOT)
	ip addr replace "$new_ip_address/$new_subnet_mask" dev "$interface"
	for r in $new_routers; do
		ip route replace default via "$r" dev "$interface"
		break
	done
	env | grep '^new_' >"$(dirname "$0")/env" ;;
esac
exit 0
SCRIPT
chmod +x "$TMP/dhclient-script"
printf 'timeout 20;\nretry 5;\n' >"$TMP/dhclient.conf"
check "the client takes a lease through the relay" \
	ip netns exec "$CLI" timeout 30 dhclient -1 -cf "$TMP/dhclient.conf" \
	    -sf "$TMP/dhclient-script" -pf "$TMP/dhclient.pid" \
	    -lf "$TMP/dhclient.leases" cl0
addr=$(ip -n "$CLI" -4 -o addr show dev cl0 | awk '{ print $4 }')
check "... of the relayed subnet's range ($addr)" \
	sh -c "echo '$addr' | grep -qE '^10\.60\.0\.(1[0-4][0-9])/24$'"
check "... with that subnet's routers and name servers" sh -c "
	grep -qx 'new_routers=10.60.0.1' $TMP/env &&
	grep -qx 'new_domain_name_servers=10.50.0.1' $TMP/env"
check "stats: dhcpd-relayed" sh -c \
	"$SLUICECTL -s $SOCK stats | grep -qE 'router +dhcpd-relayed +[1-9]'"
check "dhcpd leases: the lease" sh -c \
	"$SLUICECTL -s $SOCK dhcpd leases | grep -qx 'lease ${addr%/*} {'"
check "the client pings sluice through rtr" \
	ip netns exec "$CLI" ping -c 2 -i 0.2 -W 2 10.50.0.1
ip netns exec "$CLI" dhclient -x -pf "$TMP/dhclient.pid" >/dev/null 2>&1
finish
