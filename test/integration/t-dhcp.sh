#!/usr/bin/env bash
# The handbook's section 3 with a DHCP uplink: hostname.em0 says `inet
# autoconf' (OpenBSD 7's dhcp) and there is no mygate; dnsmasq in the wan
# namespace leases em0 an address and the default route.  The chapter's
# own pf.conf (`block all', `nat-to ($wan)') must neither starve the
# client nor miss the leased address: db01 reaches the wan through NAT
# from the address DHCP gave.
T_NAME=dhcp
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
EX=$(cd "$HERE/../../examples/handbook/etc" && pwd)

WAN=sl$ID-dwan DB=sl$ID-ddb
wan_ns "$WAN" nat && mkns "$DB" || exit 1
ip netns exec "$WAN" dnsmasq --no-daemon --port=0 --interface=wan0 \
	--bind-interfaces --dhcp-range=198.51.100.50,198.51.100.59,255.255.255.0,2m \
	--dhcp-option=3,198.51.100.1 --dhcp-option=6,198.51.100.1 \
	--dhcp-leasefile="$TMP/leases" --pid-file="$TMP/dnsmasq.pid" \
	--conf-file=/dev/null >"$TMP/dnsmasq.log" 2>&1 &
PIDS+=($!)
wait_for 5 grep -q "DHCP, IP range" "$TMP/dnsmasq.log"

etc=$TMP/etc
mkdir -p "$etc"
cp "$EX/hostname.vether0" "$EX/hostname.bridge1" "$etc/"
cp "$EX/pf.conf.routed" "$etc/pf.conf"
printf 'inet autoconf\nup\n' >"$etc/hostname.em0"
printf 'net.inet.ip.forwarding=1\n' >"$etc/sysctl.conf"
vmconf_isolated "$etc/vm.conf"
start_sluiced "$etc" -i "em0=s${ID}em0" -g "db01=$DB" || exit 1
guest_up "$DB" 10.50.0.20/24 || exit 1
ip -n "$DB" route add default via 10.50.0.1

bound() {
	"$SLUICECTL" -s "$SOCK" dhcpleasectl show interface em0 |
	    grep -q '^em0 \[Bound\]$'
}
check "em0 takes a lease (pf's block all notwithstanding)" wait_for 20 bound
ctl dhcpleasectl show interface em0 >"$TMP/lease"
check "dhcpleasectl: the address dnsmasq gave" \
	grep -qE '^	inet 198\.51\.100\.5[0-9] netmask 255\.255\.255\.0$' "$TMP/lease"
check "dhcpleasectl: its gateway and nameserver" sh -c \
	"grep -qx '	default gateway 198.51.100.1' $TMP/lease && grep -qx '	nameservers 198.51.100.1' $TMP/lease"
addr=$(awk '/^	inet /{ print $2 }' "$TMP/lease")
check "ifconfig em0 shows it" sh -c \
	"$SLUICECTL -s $SOCK ifconfig em0 | grep -q '	inet $addr netmask 0xffffff00'"
check "netstat -rn: the default route from the lease" sh -c \
	"$SLUICECTL -s $SOCK netstat -rn | grep -qE '^default +198\.51\.100\.1 +UGS .* em0'"
check "dnsmasq lists the lease for em0's MAC" grep -q " $addr " "$TMP/leases"
check "db01 reaches the wan through NAT" \
	ip netns exec "$DB" ping -c 2 -i 0.2 -W 2 198.51.100.1
check "pfctl -ss: translated to the leased address" sh -c \
	"$SLUICECTL -s $SOCK pfctl -ss | grep -qE '^all icmp $addr:[0-9]+ \(10\.50\.0\.20:[0-9]+\) -> 198\.51\.100\.1'"
check "the wan's ping to em0 meets pf's block all, as on OpenBSD" \
	sh -c "! ip netns exec $WAN ping -c 1 -W 1 $addr"
check "stats: dhcp-out and dhcp-bound" sh -c \
	"$SLUICECTL -s $SOCK stats | grep -qE 'router +dhcp-out +[1-9]' && $SLUICECTL -s $SOCK stats | grep -qE 'router +dhcp-bound +[1-9]'"
finish
