#!/usr/bin/env bash
# ip_forward()'s ICMP redirect, against Linux's own stack: db01 and a
# second router "rtr" on the routed segment behind vether0; sluice routes
# 203.0.113.0/24 via rtr (10.50.0.2).  db01's first packet there goes to
# its default gateway (sluice), which forwards it back out vether0 to rtr
# and tells db01 to use rtr itself; db01's kernel takes the redirect.
T_NAME=redirect
. "$(dirname "$0")/lib.sh"

DB=sl$ID-db RTR=sl$ID-rtr
mkns "$DB" && mkns "$RTR" || exit 1

etc=$TMP/etc
routed_etc "$etc"
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
printf 'net.inet.ip.forwarding=1\n' >"$etc/sysctl.conf"
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
finish
