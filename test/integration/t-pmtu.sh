#!/usr/bin/env bash
# Path MTU through the router with real kernel stacks: em0 has an MTU of
# 1400 (and first the wan behind it too), db01 one of 1500 with its
# offloads on.
# With DF (TCP, ping -M do) db01 must be told "fragmentation needed, mtu
# 1400" and adapt; without DF, sluice fragments and the wan reassembles.
T_NAME=pmtu
. "$(dirname "$0")/lib.sh"

WAN=sl$ID-pwan DB=sl$ID-pdb
wan_ns "$WAN" && mkns "$DB" || exit 1
ip link set "s${ID}em0" mtu 1400
ip -n "$WAN" link set wan0 mtu 1400

etc=$TMP/etc
routed_etc "$etc"
printf 'mtu 1400\n' >>"$etc/hostname.em0"
printf 'net.inet.ip.forwarding=1\n' >"$etc/sysctl.conf"
start_sluiced "$etc" -i "em0=s${ID}em0" -g "db01=$DB" || exit 1
guest_up "$DB" 10.50.0.20/24 || exit 1
ip -n "$DB" route add default via 10.50.0.1

needfrags() {	# the router's drop-needfrag counter
	"$SLUICECTL" -s "$SOCK" stats -v | awk '$1 == "router" && $2 == "drop-needfrag" { print $3 }'
}

check "a 1228-byte ping fits every link" \
	ip netns exec "$DB" ping -c 1 -W 2 -s 1200 198.51.100.1
# Before db01 learns the path MTU: 1478 bytes leave it whole.
check "no DF, 1478 bytes: the router fragments, the wan answers" \
	ip netns exec "$DB" ping -c 2 -i 0.2 -W 2 -M dont -s 1450 198.51.100.1
check "... counted as fragmented" \
	sh -c "$SLUICECTL -s $SOCK stats | grep -qE 'router +fragmented +[1-9]'"
check "DF, 1478 bytes: fragmentation needed, mtu 1400, from 10.50.0.1" \
	sh -c "ip netns exec $DB ping -c 1 -W 2 -M do -s 1450 198.51.100.1 2>&1 | grep -qE 'From 10\.50\.0\.1 .*Frag needed and DF set \(mtu = 1400\)'"
check "... and db01's kernel now knows the path MTU" \
	sh -c "ip -n $DB route get 198.51.100.1 | grep -q 'mtu 1400'"

# TCP with GSO: the wan now has 1500 bytes (it announces an MSS of 1460),
# so only the router's em0 is narrower; db01 forgets the path MTU and
# sends super-frames with DF, and only the needfrag about their segments
# teaches it a smaller MSS.
ip -n "$WAN" link set wan0 mtu 1500
ip -n "$DB" route flush cache
before=$(needfrags)
head -c 3000000 /dev/urandom >"$TMP/blob"
nc_sink "$WAN" 9091 "$TMP/got"
check "db01 starts without a path MTU" \
	sh -c "! ip -n $DB route get 198.51.100.1 | grep -q 'mtu 1400'"
check "TCP 3 MB db01 -> wan across the smaller MTU (offloads on)" \
	ip netns exec "$DB" timeout 30 nc -N 198.51.100.1 9091 <"$TMP/blob"
wait_for 10 cmp -s "$TMP/blob" "$TMP/got"
check "TCP data arrived intact" cmp "$TMP/blob" "$TMP/got"
check "sluice told db01 the MTU on the way (another needfrag)" \
	test "$(needfrags)" -gt "${before:-0}"
finish
