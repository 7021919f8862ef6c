#!/usr/bin/env bash
# Sections 1-2 of the handbook on Linux: em1 (a veth to a "lan"
# namespace) and two VMs (namespaces web01, app01) on bridge0.  Real
# kernel stacks on every side, offloads left on.
T_NAME=bridge
. "$(dirname "$0")/lib.sh"

LAN=sl$ID-lan WEB=sl$ID-web APP=sl$ID-app
mkns "$LAN" && mkns "$WEB" && mkns "$APP" || exit 1
mkveth "s${ID}em1" "$LAN" lan0 || exit 1
ip -n "$LAN" addr add 192.0.2.1/24 dev lan0

mkdir -p "$TMP/etc"
printf 'add em1\nup\n' >"$TMP/etc/hostname.bridge0"
vmconf_lan "$TMP/etc/vm.conf" <<'VM'
vm "app01" {
    memory 512M
    disk "/var/vm/app01.img"
    interface { switch "lan"
        lladdr fe:e1:ba:d0:00:12 }
}
VM
# -p 2000: poll for 2 ms after each burst before sleeping (the whole
# test runs with it; the end checks that idle, it sleeps).
start_sluiced "$TMP/etc" -p 2000 -i "em1=s${ID}em1" -g "web01=$WEB" \
	-g "app01=$APP" || exit 1
guest_up "$WEB" 192.0.2.11/24 && guest_up "$APP" 192.0.2.12/24 || exit 1

check "ping lan -> web01" ip netns exec "$LAN" ping -c 3 -i 0.2 -W 2 192.0.2.11
check "ping web01 -> lan" ip netns exec "$WEB" ping -c 3 -i 0.2 -W 2 192.0.2.1
check "ping web01 -> app01" ip netns exec "$WEB" ping -c 3 -i 0.2 -W 2 192.0.2.12
check "guest NIC takes vm.conf lladdr" \
	sh -c "ip -n $APP link show vio0 | grep -q fe:e1:ba:d0:00:12"

ctl ifconfig bridge0 >"$TMP/ifc"
web_mac=$(ip -n "$WEB" link show vio0 | awk '/ether/ {print $2}')
lan_mac=$(ip -n "$LAN" link show lan0 | awk '/ether/ {print $2}')
check "ifconfig bridge0 lists em1" grep -qP '^\tem1 flags=3<LEARNING,DISCOVER>$' "$TMP/ifc"
check "ifconfig bridge0 lists tap0 and tap1" \
	sh -c "grep -qP '^\ttap0 flags=3' $TMP/ifc && grep -qP '^\ttap1 flags=3' $TMP/ifc"
check "ifconfig bridge0 learned web01 on tap0" grep -qP "^\t\t$web_mac tap0 1 flags=0<>$" "$TMP/ifc"
check "ifconfig bridge0 learned the lan host on em1" grep -qP "^\t\t$lan_mac em1 1 flags=0<>$" "$TMP/ifc"
check "vmctl status shows both VMs running" \
	sh -c "ctl() { $SLUICECTL -s $SOCK \"\$@\"; }; ctl vmctl status | grep -qE '^ +1 +[0-9]+ +1 +1.0G +- +- +root +running web01$' &&
	ctl vmctl status | grep -qE '^ +2 .* running app01$' &&
	ctl vmctl status | grep -qE 'web01 +0 +tap0 +lan +bridge0 .* vio0 in $WEB'"

# TCP through sluice with the kernel's offloads on: partial checksums and
# GSO frames from the veth must leave sluice correct.
head -c 3000000 /dev/urandom >"$TMP/blob"
nc_sink "$WEB" 8080 "$TMP/got"
check "TCP 3 MB lan -> web01 (offloads on)" \
	ip netns exec "$LAN" timeout 20 nc -N 192.0.2.11 8080 <"$TMP/blob"
wait_for 10 cmp -s "$TMP/blob" "$TMP/got"
check "TCP data arrived intact" cmp "$TMP/blob" "$TMP/got"
nc_sink "$LAN" 8081 "$TMP/got2"
check "TCP 3 MB web01 -> lan (offloads on)" \
	ip netns exec "$WEB" timeout 20 nc -N 192.0.2.1 8081 <"$TMP/blob"
wait_for 10 cmp -s "$TMP/blob" "$TMP/got2"
check "TCP data arrived intact" cmp "$TMP/blob" "$TMP/got2"

# maxaddr 2 with three senders: the third is not learned, and counted.
ctl ifconfig bridge0 flush maxaddr 2 >/dev/null
ip netns exec "$LAN" ping -c 1 -W 1 192.0.2.11 >/dev/null
ip netns exec "$APP" ping -c 1 -W 1 192.0.2.11 >/dev/null
ctl ifconfig bridge0 >"$TMP/ifc2"
check "maxaddr 2: two addresses cached" \
	test "$(grep -cP '^\t\t[0-9a-f:]{17} ' "$TMP/ifc2")" -eq 2
check "maxaddr 2: header says max cache 2" grep -q 'Addresses (max cache: 2, timeout: 240):' "$TMP/ifc2"
check "maxaddr 2: cache-full counted" sh -c "$SLUICECTL -s $SOCK stats | grep -qE 'bridge0 +cache-full +[1-9]'"
ctl ifconfig bridge0 maxaddr 100 >/dev/null

# DHCP through the bridge: dnsmasq on the LAN, dhclient in the guest
# (BOOTP broadcasts both ways).
ip netns exec "$LAN" dnsmasq --no-daemon --port=0 --interface=lan0 \
	--bind-interfaces --dhcp-range=192.0.2.100,192.0.2.150,255.255.255.0,1h \
	--dhcp-leasefile="$TMP/leases" --pid-file="$TMP/dnsmasq.pid" \
	--conf-file=/dev/null >"$TMP/dnsmasq.log" 2>&1 &
PIDS+=($!)
wait_for 5 grep -q "DHCP, IP range" "$TMP/dnsmasq.log"
ip -n "$WEB" addr flush dev vio0
check "DHCP lease to web01 through the bridge" \
	ip netns exec "$WEB" timeout 20 dhclient -1 -v -lf "$TMP/dhc.leases" \
	-pf "$TMP/dhc.pid" -sf /sbin/dhclient-script vio0
check "web01 holds a leased address" \
	sh -c "ip -n $WEB -4 addr show vio0 | grep -qE 'inet 192\.0\.2\.(1[0-4][0-9]|150)/24'"
ip netns exec "$WEB" dhclient -x -pf "$TMP/dhc.pid" >/dev/null 2>&1

ctl stats >"$TMP/stats"
check "stats lists every port" sh -c "grep -qE '^em1 +interface' $TMP/stats && grep -qE '^tap0 +tap' $TMP/stats"
# The TCP above came from lan0 in GSO super-frames, longer than a slot of
# em1's receive ring: they must have come whole from the socket's queue.
check "em1 read the long frames from its socket queue (rx-long)" \
	grep -qE '^ +em1 +rx-long +[1-9]' "$TMP/stats"

# -p spins only after traffic: over a quiet second sluiced must sleep
# (a loop that never slept would use the whole second).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/${PIDS[0]}/stat"; }
t0=$(cpu_ticks)
sleep 1
t1=$(cpu_ticks)
check "-p 2000: idle, sluiced sleeps (used $((t1 - t0)) of $(getconf CLK_TCK) ticks in 1 s)" \
	test $((t1 - t0)) -lt $(( $(getconf CLK_TCK) / 2 ))

# SIGTERM: the taps go away with sluiced, and so does the socket.
kill -TERM "${PIDS[0]}"
wait "${PIDS[0]}"
rc=$?
check "sluiced exits 0 on SIGTERM" test "$rc" -eq 0
check "taps removed" sh -c "! ip -n $WEB link show vio0 2>/dev/null"
check "control socket removed" test ! -e "$SOCK"
finish
