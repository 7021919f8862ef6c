#!/usr/bin/env bash
# ip_forward()'s ICMP redirect, against Linux's own stack: db01 and a
# second router "rtr" on the routed segment behind vether0; sluice routes
# 203.0.113.0/24 via rtr (10.50.0.2).  db01's first packet there goes to
# its default gateway (sluice), which forwards it back out vether0 to rtr
# and tells db01 to use rtr itself; db01's kernel takes the redirect.
# Then the same over IPv6, with link-local routers as ND wants them.
T_NAME=redirect
. "$(dirname "$0")/lib.sh"

DB=sl$ID-db RTR=sl$ID-rtr
mkns "$DB" && mkns "$RTR" || exit 1

etc=$TMP/etc
routed_etc "$etc" "inet6 2001:db8:50::1 64"
rm "$etc/hostname.em0" "$etc/mygate"	# no uplink needed here
cat >"$etc/vm.conf" <<'VM'
switch "isolated" {
    interface bridge1
}
vm "db01" {
    interface { switch "isolated" }
}
vm "rtr" {
    interface { switch "isolated" }
}
VM
printf 'net.inet.ip.forwarding=1\nnet.inet6.ip6.forwarding=1\n' >"$etc/sysctl.conf"
start_sluiced "$etc" -g "db01=$DB" -g "rtr=$RTR" || exit 1
guest_up "$DB" 10.50.0.20/24 || exit 1
guest_up "$RTR" 10.50.0.2/24 || exit 1
ip -n "$DB" route add default via 10.50.0.1
ip netns exec "$DB" sysctl -qw net.ipv4.conf.all.accept_redirects=1 \
	net.ipv4.conf.vio0.accept_redirects=1
ip -n "$RTR" link set lo up
ip -n "$RTR" addr add 203.0.113.1/32 dev lo

check "route add 203.0.113.0/24 10.50.0.2" ctl route add 203.0.113.0/24 10.50.0.2
check "db01 reaches 203.0.113.1 (through sluice, then rtr)" \
	ip netns exec "$DB" ping -c 3 -i 0.2 -W 2 203.0.113.1
check "stats: redirects" sh -c \
	"$SLUICECTL -s $SOCK stats | grep -qE 'router +redirects +[1-9]'"
check "db01's kernel took it: 203.0.113.1 via 10.50.0.2, redirected" sh -c \
	"ip -n $DB route get 203.0.113.1 | grep -q 'via 10.50.0.2 .*redirected' ||
	ip -n $DB route get 203.0.113.1 | tr '\n' ' ' | grep -q 'via 10.50.0.2.*redirected'"
check "sysctl net.inet.ip.redirect=0" sh -c \
	"$SLUICECTL -s $SOCK sysctl net.inet.ip.redirect=0 | grep -qx 'net.inet.ip.redirect: 1 -> 0'"
ip -n "$DB" route flush cache		# forget the redirect
stat() { "$SLUICECTL" -s "$SOCK" stats | awk -v c="$1" '$1 == "router" && $2 == c { print $3 }'; }
n=$(stat redirects) f=$(stat forwarded)
check "with it off, db01 goes through sluice again" \
	ip netns exec "$DB" ping -c 2 -i 0.2 -W 2 203.0.113.1
check "... forwarded ($f -> $(stat forwarded)), not redirected ($n -> $(stat redirects))" \
	sh -c "[ $(stat forwarded) -ge $((f + 2)) ] && [ $(stat redirects) -eq $n ]"

# The same over IPv6 (ip6_forward(), icmp6_redirect_output()): db01's
# default router is vether0's link-local address, sluice routes
# 2001:db8:7::/48 via rtr's link-local one; db01 is told to go to rtr.
ip -n "$DB" addr add 2001:db8:50::20/64 dev vio0 nodad
ip -n "$RTR" addr add 2001:db8:50::2/64 dev vio0 nodad
ip -n "$RTR" addr add 2001:db8:7::1/128 dev lo
ip netns exec "$DB" sysctl -qw net.ipv6.conf.all.accept_redirects=1 \
	net.ipv6.conf.vio0.accept_redirects=1
wait_for 5 sh -c "ip -n $RTR -6 addr show dev vio0 scope link | grep -q 'inet6 fe80'"
RTRLL=$(ip -n "$RTR" -6 addr show dev vio0 scope link | awk '/inet6 fe80/ { sub(/\/.*/, "", $2); print $2 }')
VLL=$("$SLUICECTL" -s "$SOCK" ifconfig vether0 | awk '/inet6 fe80/ { sub(/%.*/, "", $2); print $2 }')
ip -n "$DB" -6 route add default via "$VLL" dev vio0
check "route add -inet6 2001:db8:7::/48 $RTRLL%vether0" \
	ctl route add -inet6 2001:db8:7::/48 "$RTRLL%vether0"
check "db01 reaches 2001:db8:7::1 (through sluice, then rtr)" \
	ip netns exec "$DB" ping -6 -c 3 -i 0.2 -W 2 2001:db8:7::1
check "stats: redirects6" sh -c \
	"$SLUICECTL -s $SOCK stats | grep -qE 'router +redirects6 +[1-9]'"
check "db01's kernel took it: 2001:db8:7::1 via $RTRLL" sh -c \
	"ip -n $DB -6 route get 2001:db8:7::1 | grep -q 'via $RTRLL '"
check "sysctl net.inet6.ip6.redirect=0" sh -c \
	"$SLUICECTL -s $SOCK sysctl net.inet6.ip6.redirect=0 | grep -qx 'net.inet6.ip6.redirect: 1 -> 0'"
finish
