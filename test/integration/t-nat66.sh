#!/usr/bin/env bash
# NAT66 against Linux stacks: db01 (2001:db8:50::20) behind vether0, em0
# 2001:db8:100::2/64 to a "wan" (2001:db8:100::1) that has no route back
# to 2001:db8:50::/64.  So db01 reaches the wan only when pf's
# `match out on em0 inet6 ... nat-to (em0)' gives its packets em0's
# address; and the wan reaches db01's port 80 only by rdr-to on em0.
T_NAME=nat66
. "$(dirname "$0")/lib.sh"

WAN=sl$ID-wan DB=sl$ID-db
wan_ns "$WAN" nat && mkns "$DB" || exit 1

etc=$TMP/etc
routed6_etc "$etc" "$WAN"
ip -n "$WAN" -6 route del 2001:db8:50::/64	# nothing routes back
printf 'net.inet.ip.forwarding=1\nnet.inet6.ip6.forwarding=1\n' \
	>"$etc/sysctl.conf"
cat >"$etc/pf.conf" <<'PF'
match out on em0 inet6 from 2001:db8:50::/64 nat-to (em0)
pass
pass in on em0 inet6 proto tcp to port 8080 rdr-to 2001:db8:50::20 port 80
PF
start_sluiced "$etc" -i "em0=s${ID}em0" -g "db01=$DB" || exit 1
guest_up "$DB" 10.50.0.20/24 || exit 1
ip -n "$DB" addr add 2001:db8:50::20/64 dev vio0 nodad
ip -n "$DB" -6 route add default via 2001:db8:50::1

check "ping -6 db01 -> wan, translated to em0's address" \
	ip netns exec "$DB" ping -6 -c 3 -i 0.2 -W 2 2001:db8:100::1
check "pfctl -ss: the echo's state, em0's address before db01's" sh -c \
	"$SLUICECTL -s $SOCK pfctl -ss | grep -q '^all ipv6-icmp 2001:db8:100::2\[[0-9]*\] (2001:db8:50::20\[[0-9]*\]) -> 2001:db8:100::1\['"

head -c 300000 /dev/urandom >"$TMP/blob"
ip netns exec "$WAN" sh -c "nc -6 -l -N -p 9090 >$TMP/got" &
PIDS+=($!)
wait_for 5 ip netns exec "$WAN" sh -c "ss -ltn | grep -q :9090"
check "TCP db01 -> wan over NAT66 (ports and checksums rewritten)" \
	ip netns exec "$DB" timeout 20 nc -6 -N 2001:db8:100::1 9090 <"$TMP/blob"
wait_for 10 cmp -s "$TMP/blob" "$TMP/got"
check "... the data arrived intact" cmp "$TMP/blob" "$TMP/got"

ip netns exec "$WAN" sh -c "timeout 10 nc -6 -u -l -p 9091 >$TMP/udp" &
PIDS+=($!)
wait_for 5 ip netns exec "$WAN" sh -c "ss -lun | grep -q :9091"
check "UDP db01 -> wan over NAT66" sh -c "echo over-nat66 |
	ip netns exec $DB timeout 3 nc -6 -u -q 1 2001:db8:100::1 9091"
wait_for 5 grep -q over-nat66 "$TMP/udp"
check "... the datagram arrived" grep -q over-nat66 "$TMP/udp"

ip netns exec "$DB" sh -c "echo from-db01 | nc -6 -l -N -p 80 >/dev/null" &
PIDS+=($!)
wait_for 5 ip netns exec "$DB" sh -c "ss -ltn | grep -q :80"
check "rdr-to: wan -> [2001:db8:100::2]:8080 reaches db01's port 80" sh -c \
	"ip netns exec $WAN timeout 10 nc -6 -N 2001:db8:100::2 8080 </dev/null | grep -q from-db01"
# Path MTU through NAT66: the wan forwards 2001:db8:98::/64 over a link of
# MTU 1280; its packet too big goes to em0's address and must reach db01
# as an error about db01's own packet.
ip -n "$WAN" link add n0 type veth peer name n1
ip -n "$WAN" link set n0 mtu 1280 up
ip -n "$WAN" link set n1 mtu 1280 up
ip -n "$WAN" addr add 2001:db8:99::1/64 dev n0 nodad
ip -n "$WAN" -6 route add 2001:db8:98::/64 via 2001:db8:99::2
ip netns exec "$WAN" sysctl -qw net.ipv6.conf.all.forwarding=1
check "packet too big through NAT66 reaches db01 (mtu 1280)" sh -c \
	"ip netns exec $DB ping -6 -c 2 -i 0.3 -W 1 -s 1400 -M do 2001:db8:98::1 2>&1 | grep -q 'mtu=1280' ||
	ip -n $DB -6 route get 2001:db8:98::1 | grep -q 'mtu 1280'"
check "... translated, not passed as it came" sh -c \
	"! $SLUICECTL -s $SOCK stats | grep -qE 'nat66-icmp-untranslated +[1-9]'"
check "explain: nat-to would give em0's address" sh -c \
	"$SLUICECTL -s $SOCK explain out on em0 proto tcp from 2001:db8:50::20 port 40000 to 2001:db8:100::1 port 9090 | grep -q 'nat-to would give 2001:db8:100::2'"
# A pool of a network: bitmask keeps db01's host bits on the pool's
# prefix (NPTv6's idea), which the wan routes back to em0; round-robin
# walks the prefix from the address as written.
ip -n "$WAN" -6 route add 2001:db8:77::/64 via 2001:db8:100::2
printf 'match out on em0 inet6 nat-to 2001:db8:77::/64 bitmask\npass\n' \
	>"$etc/netpool.conf"
check "load a NAT66 pool of a network" ctl pfctl -f /etc/netpool.conf
check "... bitmask: explain gives db01's host bits on the prefix" sh -c \
	"$SLUICECTL -s $SOCK explain out on em0 proto udp from 2001:db8:50::20 port 40000 to 2001:db8:100::1 port 53 | grep -q 'nat-to would give 2001:db8:77::20 (2001:db8:77::/64: bitmask)'"
check "... db01 pings the wan from 2001:db8:77::20" \
	ip netns exec "$DB" ping -6 -c 2 -i 0.3 -W 2 2001:db8:100::1
check "... pfctl -ss shows it" sh -c \
	"$SLUICECTL -s $SOCK pfctl -ss | grep -q '2001:db8:77::20\\[[0-9]*\\] (2001:db8:50::20\\['"
check "IPv4 beside it, untranslated by the inet6 rule" \
	ip netns exec "$DB" ping -c 1 -W 2 10.50.0.1
finish
