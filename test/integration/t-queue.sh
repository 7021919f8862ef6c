#!/usr/bin/env bash
# pf's queues between Linux stacks: a lan namespace on em1 and a VM
# (web01) on bridge0.  What leaves on tap0 goes through an 8 Mbit/s root
# queue; port 8081 goes to a bulk queue capped at 2 Mbit/s.  Real TCP
# transfers must take at least as long as the rates say (and finish),
# the other direction is not shaped, and pfctl -s queue -v counts it.
# Then pings beside a UDP flood, through a FIFO and through flows.
T_NAME=queue
. "$(dirname "$0")/lib.sh"

lan_and_web q "$TMP/etc" </dev/null || exit 1
cat >"$TMP/etc/pf.conf" <<'PF'
queue rootq on tap0 bandwidth 8M
queue std parent rootq bandwidth 6M default
queue bulk parent rootq bandwidth 2M, max 2M
pass
pass out on tap0 proto tcp to port 8081 set queue bulk
PF
start_sluiced "$TMP/etc" -i "em1=s${ID}em1" -g "web01=$WEB" || exit 1
guest_up "$WEB" 192.0.2.11/24 || exit 1
check "ping lan -> web01 through the queues" \
	ip netns exec "$LAN" ping -c 3 -i 0.2 -W 2 192.0.2.11

head -c 2000000 /dev/urandom >"$TMP/blob2m"
head -c 500000 /dev/urandom >"$TMP/blob500k"
xfer() {	# from-ns to-ns addr port file -> prints seconds
	local from=$1 to=$2 addr=$3 port=$4 file=$5 t0 t1
	nc_sink "$to" "$port" "$TMP/got$port" || return 1
	t0=$(date +%s.%N)
	ip netns exec "$from" timeout 30 nc -N "$addr" "$port" <"$file" ||
		return 1
	wait_for 10 cmp -s "$file" "$TMP/got$port" || return 1
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }'
}
# ge/lt A B: compare two decimals
ge() { [ -n "$1" ] && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
lt() { [ -n "$1" ] && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# 2 MB at 8 Mbit/s: 2 s (16 Mbit), less what needs no wait: the last
# frame leaves when its turn starts (a GSO frame of 64 kB: 65 ms at
# 8 Mbit/s, 260 ms at 2) and an idle link catches up 2 ms.  Done well
# within 6 s.
s=$(xfer "$LAN" "$WEB" 192.0.2.11 8080 "$TMP/blob2m")
echo "     lan -> web01, 2 MB through std (8M link): ${s:-failed} s"
check "TCP 2 MB lan -> web01 arrives intact" test -n "$s"
check "it took the 8 Mbit/s link's 2 s, less a frame" \
	ge "$s" 1.85
check "and no more than 6 s (TCP is not starved)" \
	lt "$s" 6

# 500 kB into bulk, max 2 Mbit/s: 2 s at least, though the link is free
s=$(xfer "$LAN" "$WEB" 192.0.2.11 8081 "$TMP/blob500k")
echo "     lan -> web01, 500 kB through bulk (max 2M): ${s:-failed} s"
check "TCP 500 kB into bulk arrives intact" test -n "$s"
check "bulk's max 2M held it to 2 s, less a frame" \
	ge "$s" 1.65

# web01 -> lan leaves on em1, which has no queues: faster than 8 Mbit/s
s=$(xfer "$WEB" "$LAN" 192.0.2.1 8082 "$TMP/blob2m")
echo "     web01 -> lan, 2 MB, no queues on em1: ${s:-failed} s"
check "TCP 2 MB web01 -> lan arrives intact" test -n "$s"
check "and is not held to 8 Mbit/s (under 1.9 s)" \
	lt "$s" 1.9

ctl pfctl -s queue -v >"$TMP/q"
sed 's/^/     /' "$TMP/q"
check "pfctl -s queue shows the tree as loaded" sh -c "
	grep -qx 'queue rootq on tap0 bandwidth 8M' $TMP/q &&
	grep -qx 'queue std parent rootq bandwidth 6M default' $TMP/q &&
	grep -qx 'queue bulk parent rootq bandwidth 2M, max 2M' $TMP/q"
check "pfctl -s queue -v counts what std and bulk sent" sh -c "
	grep -A1 -x 'queue std parent rootq bandwidth 6M default' $TMP/q |
	    grep -qE 'pkts: +[1-9][0-9]{2,} ' &&
	grep -A1 -x 'queue bulk parent rootq bandwidth 2M, max 2M' $TMP/q |
	    grep -qE 'pkts: +[1-9][0-9]* '"
check "pfctl -i tap0 -s queue: tap0's tree; -i em1: none" sh -c "
	[ \"\$($SLUICECTL -s $SOCK pfctl -i tap0 -s queue | wc -l)\" = 3 ] &&
	[ -z \"\$($SLUICECTL -s $SOCK pfctl -i em1 -s queue)\" ]"
check "pfctl -i all -ss: the floating states; -i tap0: none" sh -c "
	$SLUICECTL -s $SOCK pfctl -i all -ss | grep -q '^all tcp ' &&
	[ -z \"\$($SLUICECTL -s $SOCK pfctl -i tap0 -ss)\" ]"
ctl pfctl -vvs queue >"$TMP/qvv"
check "pfctl -vvsq measures what std sent (packets/s, pfctl's units)" \
	sh -c "grep -A3 -x 'queue std parent rootq bandwidth 6M default' \
	    $TMP/qvv | grep -qE '^  \\[ measured: +[0-9]+\\.[0-9] packets/s, [0-9.]+[ KMG]b/s \\]\$'"
check "explain names the queue" sh -c "
	$SLUICECTL -s $SOCK explain out on tap0 proto tcp from 192.0.2.1 \
	    port 40000 to 192.0.2.11 port 8081 flags S | grep -q 'queue: bulk'"

# A UDP flood at 40 Mbit/s into a 20 Mbit/s queue, and pings beside it.
# A FIFO fills (its ~750 packets are 300 ms at 20 Mbit/s) and the pings
# wait behind the flood; with flows (FQ-CoDel) the pings are a flow of
# their own and go first.
flood() {
	ip netns exec "$LAN" python3 -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b = bytes(1000); t = time.time(); end = t + 4
while time.time() < end:
    for i in range(50): s.sendto(b, ('192.0.2.11', 9))
    t += 0.01
    d = t - time.time()
    if d > 0: time.sleep(d)
" &
	PIDS+=($!)
}
pings() {	# conf -> "loss avg" of 15 pings under the flood
	ctl pfctl -f "$TMP/etc/$1" >/dev/null || return 1
	flood
	wait_for 5 sh -c "$SLUICECTL -s $SOCK pfctl -s queue -v |
	    grep -qE 'qlength: +[0-9]{3}/'"
	ip netns exec "$LAN" ping -q -c 15 -i 0.1 -W 2 192.0.2.11 |
	    awk -F'[ /%]+' '/packet loss/ { loss = $6 }
		/^rtt/ { avg = $8 } END { print loss, avg }'
	wait "${PIDS[-1]}"
}
printf 'queue rootq on tap0 bandwidth 20M qlimit 1024 default\npass\n' \
	>"$TMP/etc/pf-fifo.conf"
printf 'queue rootq on tap0 flows 1024 bandwidth 20M qlimit 1024 default\npass\n' \
	>"$TMP/etc/pf-fq.conf"
pings pf-fifo.conf >"$TMP/p1"
read -r loss avg <"$TMP/p1"
echo "     pings beside a flood, FIFO: ${loss:-?}% lost, ${avg:-?} ms"
check "a FIFO queue: pings wait behind the flood (over 100 ms)" \
	ge "${avg:-}" 100
pings pf-fq.conf >"$TMP/p2"
read -r loss avg <"$TMP/p2"
echo "     pings beside a flood, flows 1024: ${loss:-?}% lost, ${avg:-?} ms"
check "flows (FQ-CoDel): pings go first (under 20 ms)" lt "${avg:-}" 20
check "flows: no ping lost" test "${loss:-x}" = 0
check "flows: CoDel dropped from the flood" \
	sh -c "$SLUICECTL -s $SOCK stats | grep -qE 'tap0 +drop-queue-delay +[1-9]'"

# A reload without queues: the port sends at once again.
printf 'pass\n' >"$TMP/etc/pf2.conf"
check "reload without queues" ctl pfctl -f "$TMP/etc/pf2.conf"
check "pfctl -s queue is empty" sh -c "[ -z \"\$($SLUICECTL -s $SOCK pfctl -s queue)\" ]"
s=$(xfer "$LAN" "$WEB" 192.0.2.11 8083 "$TMP/blob2m")
echo "     lan -> web01, 2 MB, queues gone: ${s:-failed} s"
check "then 2 MB lan -> web01 is not held to 8 Mbit/s" \
	lt "$s" 1.9
finish
