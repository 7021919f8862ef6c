#!/usr/bin/env bash
# pf's set delay between Linux stacks: a lan namespace on em1 and web01
# on bridge0.  What leaves on tap0 to web01 waits 100 ms, and so do the
# replies of its states (a state keeps its rule's delay for both ways, as
# pf's does): pings take 200 ms there and back, TCP still carries a file,
# and with set limit pktdelay-pkts 4 a burst of pings loses what does not
# fit (drop-delay-full).
T_NAME=delay
. "$(dirname "$0")/lib.sh"

lan_and_web d "$TMP/etc" </dev/null || exit 1
cat >"$TMP/etc/pf.conf" <<'PF'
match out on tap0 proto { icmp tcp } set delay 100
pass
PF
start_sluiced "$TMP/etc" -i "em1=s${ID}em1" -g "web01=$WEB" || exit 1
guest_up "$WEB" 192.0.2.11/24 || exit 1

ip netns exec "$LAN" ping -c 4 -i 0.2 -W 2 192.0.2.11 >"$TMP/ping" 2>&1
sed 's/^/     /' "$TMP/ping" | tail -2
# rtt min/avg/max/mdev = 200.7/201.2/201.7/0.4 ms
check "pings take 200-300 ms there and back" awk -F'[/ ]' '
	/^rtt/ { ok = $7 >= 200 && $9 < 300 } END { exit !ok }' "$TMP/ping"
check "pfctl -sr shows the delay" sh -c "
	$SLUICECTL -s $SOCK pfctl -sr | grep -q 'match out on tap0 proto icmp all set (delay 100)'"
check "stats: set-delay counted" sh -c "
	$SLUICECTL -s $SOCK stats | grep -qE 'pf +set-delay +[1-9]'"

CLIENT_NS=$LAN SERVER_NS=$WEB SERVER_ADDR=192.0.2.11
blob_serve 5001
check "TCP: 2 MB there and back, each segment 100 ms late" blob_xfer 5001

printf 'set limit pktdelay-pkts 4\nmatch out on tap0 proto icmp set delay 100\npass\n' \
	>"$TMP/limit.conf"
# refused while more than 4 wait (the transfer's last segments), as pf's
# pool refuses a limit below what it holds: retried until they left
check "pfctl -f: set limit pktdelay-pkts 4 (once 4 or fewer wait)" \
	wait_for 5 ctl pfctl -f "$TMP/limit.conf"
check "pfctl -sm says 4" sh -c "
	$SLUICECTL -s $SOCK pfctl -sm | grep -qE '^pktdelay-pkts +hard limit +4$'"
ip netns exec "$LAN" ping -c 20 -i 0.01 -W 1 192.0.2.11 >"$TMP/burst" 2>&1
check "a burst of 20 pings 10 ms apart: the 5th waiting is dropped" sh -c "
	$SLUICECTL -s $SOCK stats | grep -qE 'tap0 +drop-delay-full +[1-9]'"
check "... and some pings still come back" \
	grep -qE ' [1-9][0-9]* received' "$TMP/burst"
finish
