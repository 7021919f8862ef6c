#!/usr/bin/env bash
# pf's route-to and reply-to over a second uplink, against Linux stacks.
# db01 (10.50.0.20, 2001:db8:50::20) behind vether0; em0 to "wan"
# (198.51.100.1, 2001:db8:100::1: the default routes), em2 to "wan2"
# (203.0.113.1, 2001:db8:200::1).  192.0.2.9, 192.0.2.50 and
# 2001:db8:9::9 are wan2's own addresses; wan has no route to them.  So
# db01 reaches them only when pf sends its packets to wan2 (route-to), and
# a client at 192.0.2.50 that comes in over em2 gets its answers only when
# pf sends them back the way it came (reply-to).
T_NAME=routeto
. "$(dirname "$0")/lib.sh"

WAN=sl$ID-wan WAN2=sl$ID-wan2 DB=sl$ID-db
wan_ns "$WAN" && mkns "$DB" && mkns "$WAN2" &&
    mkveth "s${ID}em2" "$WAN2" wan0 || exit 1
ip -n "$WAN2" addr add 203.0.113.1/24 dev wan0
ip -n "$WAN2" link set lo up
ip -n "$WAN2" addr add 192.0.2.9/32 dev lo
ip -n "$WAN2" addr add 192.0.2.50/32 dev lo
ip -n "$WAN2" route add 10.50.0.0/24 via 203.0.113.2
ip -n "$WAN2" addr add 2001:db8:200::1/64 dev wan0 nodad
ip -n "$WAN2" addr add 2001:db8:9::9/128 dev lo
ip -n "$WAN2" -6 route add 2001:db8:50::/64 via 2001:db8:200::2

etc=$TMP/etc
routed6_etc "$etc" "$WAN"
printf 'inet 203.0.113.2 255.255.255.0\ninet6 2001:db8:200::2/64\nup\n' \
	>"$etc/hostname.em2"
printf 'net.inet.ip.forwarding=1\nnet.inet6.ip6.forwarding=1\n' \
	>"$etc/sysctl.conf"
printf 'pass\n' >"$etc/pf.conf"
cat >"$etc/routeto.conf" <<'PF'
pass
pass in on vether0 to 192.0.2.0/24 route-to 203.0.113.1
pass in on vether0 to 2001:db8:9::/64 route-to 2001:db8:200::1
PF
printf 'pass\npass in on em2 reply-to 203.0.113.1\n' >"$etc/replyto.conf"
printf 'pass\npass out on em0 inet6 to 2001:db8:100::77 rdr-to 2001:db8:9::9\n' \
	>"$etc/rdrout.conf"
start_sluiced "$etc" -i "em0=s${ID}em0" -i "em2=s${ID}em2" -g "db01=$DB" ||
	exit 1
guest_up "$DB" 10.50.0.20/24 || exit 1
ip -n "$DB" route add default via 10.50.0.1
ip -n "$DB" addr add 2001:db8:50::20/64 dev vio0 nodad
ip -n "$DB" -6 route add default via 2001:db8:50::1
stat() { ctl stats | awk -v c="$1" '$2 == c { v = $3 } END { print v + 0 }'; }

check "the table alone: db01 does not reach 192.0.2.9 (wan has no way)" \
	sh -c "! ip netns exec $DB ping -c 1 -W 1 192.0.2.9"
check "... nor 2001:db8:9::9" \
	sh -c "! ip netns exec $DB ping -6 -c 1 -W 1 2001:db8:9::9"
check "... nor do 192.0.2.50's pings get answers (they leave by em0)" \
	sh -c "! ip netns exec $WAN2 ping -c 1 -W 1 -I 192.0.2.50 10.50.0.20"

check "load route-to 203.0.113.1" ctl pfctl -f /etc/routeto.conf
ctl pfctl -F states >/dev/null
check "route-to: db01 reaches 192.0.2.9 through em2" \
	ip netns exec "$DB" ping -c 3 -i 0.2 -W 2 192.0.2.9
check "... the state keeps the next hop (pfctl -ss: {203.0.113.1})" sh -c \
	"$SLUICECTL -s $SOCK pfctl -ss | grep -q '192.0.2.9.* {203.0.113.1} <- 10.50.0.20'"
check "stats: pf-routed counts the pings" sh -c \
	"[ \"\$($SLUICECTL -s $SOCK stats | awk '\$2 == \"pf-routed\" { print \$3 }')\" -ge 3 ]"
check "... other destinations still by the table (wan)" \
	ip netns exec "$DB" ping -c 1 -W 2 198.51.100.1
check "route-to over IPv6: db01 reaches 2001:db8:9::9 through em2" \
	ip netns exec "$DB" ping -6 -c 3 -i 0.2 -W 2 2001:db8:9::9
check "... the state keeps it ({2001:db8:200::1})" sh -c \
	"$SLUICECTL -s $SOCK pfctl -ss | grep -q '2001:db8:9::9.* {2001:db8:200::1} <- 2001:db8:50::20'"
check "... other IPv6 destinations by the table (wan)" \
	ip netns exec "$DB" ping -6 -c 1 -W 2 2001:db8:100::1

check "load reply-to 203.0.113.1" ctl pfctl -f /etc/replyto.conf
ctl pfctl -F states >/dev/null
n=$(stat pf-routed)
check "reply-to: 192.0.2.50 over em2 gets db01's answers" \
	ip netns exec "$WAN2" ping -c 3 -i 0.2 -W 2 -I 192.0.2.50 10.50.0.20
check "... sent by em2 (pf-routed $n -> $(stat pf-routed))" \
	sh -c "[ $(stat pf-routed) -ge $((n + 3)) ]"
ip netns exec "$DB" sh -c "nc -l -p 8080 </dev/null >$TMP/got" &
PIDS+=($!)
wait_for 5 ip netns exec "$DB" sh -c "ss -ltn | grep -q :8080"
check "reply-to: a TCP connection from 192.0.2.50 over em2" sh -c \
	"echo over-em2 | ip netns exec $WAN2 timeout 10 nc -N -s 192.0.2.50 10.50.0.20 8080"
wait_for 5 grep -q over-em2 "$TMP/got"
check "... its data arrived" grep -q over-em2 "$TMP/got"

# rdr-to going out over IPv6: pf out on em0 gives db01's echo another
# destination, which the router routes again (out of em2).
check "load rdr-to on pass out (IPv6)" ctl pfctl -f /etc/rdrout.conf
ctl pfctl -F states >/dev/null
check "route add -inet6 2001:db8:9::/64 2001:db8:200::1" \
	ctl route add -inet6 2001:db8:9::/64 2001:db8:200::1
n=$(stat rerouted)
check "rdr-to going out: 2001:db8:100::77 answers as 2001:db8:9::9 via em2" \
	ip netns exec "$DB" ping -6 -c 2 -i 0.2 -W 2 2001:db8:100::77
check "... routed again after pf out (rerouted $n -> $(stat rerouted))" \
	sh -c "[ $(stat rerouted) -ge $((n + 2)) ]"
finish
