#!/usr/bin/env bash
# The handbook's section 3 as written: db01 on bridge1 behind vether0,
# NATed out of em0 by `match out on $wan from $isol_net to any nat-to
# ($wan)`, with the chapter's own pf.conf (examples/handbook/etc).
T_NAME=nat
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
EX=$(cd "$HERE/../../examples/handbook/etc" && pwd)

WAN=sl$ID-nwan DB=sl$ID-ndb
wan_ns "$WAN" nat && mkns "$DB" || exit 1

etc=$TMP/etc
mkdir -p "$etc"
cp "$EX/hostname.vether0" "$EX/hostname.bridge1" "$etc/"
cp "$EX/pf.conf.routed" "$etc/pf.conf"
uplink_etc "$etc"
vmconf_isolated "$etc/vm.conf"
start_sluiced "$etc" -i "em0=s${ID}em0" -g "db01=$DB" || exit 1
guest_up "$DB" 10.50.0.20/24 || exit 1
ip -n "$DB" route add default via 10.50.0.1

check "forwarding off: nothing passes to the wan" \
	sh -c "! ip netns exec $DB ping -c 1 -W 1 198.51.100.1"
check "forwarding off: em0's address is not answered on vether0" \
	sh -c "! ip netns exec $DB ping -c 1 -W 1 198.51.100.2"
check "... and that is counted as drop-wrong-if" \
	sh -c "$SLUICECTL -s $SOCK stats | grep -qE 'router +drop-wrong-if +[1-9]'"
check "sysctl net.inet.ip.forwarding=1" ctl sysctl net.inet.ip.forwarding=1
check "ping 10.50.0.1" ip netns exec "$DB" ping -c 2 -i 0.2 -W 2 10.50.0.1
check "ping 198.51.100.1 through NAT" ip netns exec "$DB" ping -c 2 -i 0.2 -W 2 198.51.100.1
# Fragments both ways (db01's kernel cuts the 3028-byte echo, the wan's its
# reply): pf reassembles them (set reassemble yes, its default) and the
# chapter's block all lets the whole datagrams through by their state.
check "ping -s 3000 198.51.100.1 through NAT (fragments reassembled)" \
	ip netns exec "$DB" ping -c 2 -i 0.2 -W 2 -s 3000 198.51.100.1
check "pfctl -vsi: Fragments inserts moved" \
	sh -c "$SLUICECTL -s $SOCK pfctl -vsi | sed -n '/^Fragments/,/^Counters/p' | grep -qE '^  inserts +[1-9]'"
check "stats: reass-done counted, nothing left over" \
	sh -c "$SLUICECTL -s $SOCK stats | grep -qE 'pf +reass-done +[4-9]' && ! $SLUICECTL -s $SOCK stats | grep -qE 'reass-(timeout|overlap|bad|table-full|no-buffer) '"

ip netns exec "$WAN" python3 "$HERE/udpflows.py" tcppeer 7001 "$TMP/tcp.peer" &
PIDS+=($!)
ip netns exec "$WAN" python3 "$HERE/udpflows.py" peer 7002 "$TMP/udp.peer" &
PIDS+=($!)
wait_for 5 sh -c "ip netns exec $WAN ss -ltn | grep -q :7001 && ip netns exec $WAN ss -lun | grep -q :7002"
ip netns exec "$DB" timeout 5 python3 -c "
import socket
c = socket.create_connection(('198.51.100.1', 7001), timeout=3); c.sendall(b'x'); c.recv(10)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(3)
u.sendto(b'y', ('198.51.100.1', 7002)); u.recv(10)" >/dev/null 2>&1
wait_for 5 test -s "$TMP/udp.peer"
inrange() {	# inrange FILE: the peer is 198.51.100.2 with a port in 50001-65535
	p=$(sed -n 's/^198\.51\.100\.2:\([0-9]*\)$/\1/p' "$1")
	[ -n "$p" ] && [ "$p" -ge 50001 ] && [ "$p" -le 65535 ]
}
check "TCP server on the wan sees 198.51.100.2:50001-65535" inrange "$TMP/tcp.peer"
check "UDP server on the wan sees 198.51.100.2:50001-65535" inrange "$TMP/udp.peer"
check "ping -t 1: time exceeded from 10.50.0.1" \
	sh -c "ip netns exec $DB ping -c 1 -t 1 -W 2 198.51.100.1 | grep -q 'From 10.50.0.1 .*Time to live exceeded'"
ctl netstat -rn >"$TMP/rt"
check "netstat -rn: 10.50.0/24 on vether0" grep -qE '^10\.50\.0/24 .* vether0' "$TMP/rt"
check "netstat -rn: default via 198.51.100.1" grep -qE '^default +198\.51\.100\.1 +UGS ' "$TMP/rt"
ctl pfctl -ss >"$TMP/ss"
check "pfctl -ss shows the translated state" \
	grep -qE '^all udp 198\.51\.100\.2:[0-9]+ \(10\.50\.0\.20:[0-9]+\) -> 198\.51\.100\.1:7002 ' "$TMP/ss"
check "pfctl -vvsr | egrep 'match out .* nat-to' finds the rule" \
	sh -c "$SLUICECTL -s $SOCK pfctl -vvsr | grep -E 'match out .* nat-to' | grep -qE 'match out on em0 inet from 10.50.0.0/24 to any nat-to \\(em0:1\\)'"

ip netns exec "$WAN" python3 "$HERE/udpflows.py" echo 7003 &
PIDS+=($!)
wait_for 5 sh -c "ip netns exec $WAN ss -lun | grep -q :7003"
n=$(ip netns exec "$DB" python3 "$HERE/udpflows.py" flows 198.51.100.1 7003 1000)
check "1000 concurrent UDP flows translate and come back (got $n)" test "$n" = 1000
check "... as 1000 translated states" \
	test "$($SLUICECTL -s $SOCK pfctl -ss | grep -c '^all udp 198\.51\.100\.2:[0-9]* (10\.50\.0\.20:[0-9]*) -> 198\.51\.100\.1:7003 ')" -eq 1000

head -c 2000000 /dev/urandom >"$TMP/blob"
nc_sink "$WAN" 7004 "$TMP/got"
check "TCP 2 MB db01 -> wan through NAT (offloads on)" \
	ip netns exec "$DB" timeout 20 nc -N 198.51.100.1 7004 <"$TMP/blob"
wait_for 10 cmp -s "$TMP/blob" "$TMP/got"
check "TCP data arrived intact" cmp "$TMP/blob" "$TMP/got"
check "... every segment within pf's sequence windows (state-mismatch 0)" \
	sh -c "$SLUICECTL -s $SOCK pfctl -si | grep -qE '^  state-mismatch +0 '"
check "UDP to a closed port: the port unreachable comes back through NAT" \
	sh -c "ip netns exec $DB python3 -c \"
import socket,sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(3)
u.connect(('198.51.100.1', 7999)); u.send(b'z')
try:
    u.recv(10)
except ConnectionRefusedError:
    sys.exit(0)
sys.exit(1)\""

# nat-to ($wan) follows em0's address when it changes.
check "ifconfig em0 inet 198.51.100.3/24" ctl ifconfig em0 inet 198.51.100.3/24
ip netns exec "$WAN" python3 "$HERE/udpflows.py" peer 7005 "$TMP/udp2.peer" &
PIDS+=($!)
wait_for 5 sh -c "ip netns exec $WAN ss -lun | grep -q :7005"
ip netns exec "$DB" timeout 5 python3 -c "
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(3)
u.sendto(b'y', ('198.51.100.1', 7005)); u.recv(10)" >/dev/null 2>&1
wait_for 5 test -s "$TMP/udp2.peer"
check "new flows leave as 198.51.100.3" grep -qE '^198\.51\.100\.3:[0-9]+$' "$TMP/udp2.peer"
check "ifconfig em0 shows the new address" sh -c "$SLUICECTL -s $SOCK ifconfig em0 | grep -qP '^\tinet 198.51.100.3 netmask 0xffffff00'"

# The PF FAQ's router line: both kernels see the MSS clamped, the
# server by the SYN, db01 by the SYN-ACK (the state's scrub, going out).
{ echo "match in all scrub (no-df random-id max-mss 1200)"
  cat "$EX/pf.conf.routed"; } >"$TMP/pf.scrub"
check "pfctl -f with match in all scrub (...)" ctl pfctl -f "$TMP/pf.scrub"
ip netns exec "$WAN" python3 "$HERE/udpflows.py" tcpmss 7006 "$TMP/mss.wan" &
PIDS+=($!)
wait_for 5 sh -c "ip netns exec $WAN ss -ltn | grep -q :7006"
m=$(ip netns exec "$DB" timeout 5 python3 "$HERE/udpflows.py" mss 198.51.100.1 7006)
wait_for 5 test -s "$TMP/mss.wan"
mw=$(cat "$TMP/mss.wan" 2>/dev/null)
check "max-mss 1200: the wan server's segments fit 1200 (TCP_MAXSEG $mw)" \
	sh -c "[ -n '$mw' ] && [ '$mw' -gt 0 ] && [ '$mw' -le 1200 ]"
check "max-mss 1200: db01's segments fit 1200 (TCP_MAXSEG $m)" \
	sh -c "[ -n '$m' ] && [ '$m' -gt 0 ] && [ '$m' -le 1200 ]"
check "... counted as max-mss" \
	sh -c "$SLUICECTL -s $SOCK stats | grep -qE 'pf +max-mss +[2-9]'"

# The brute-force guard, against real TCP stacks: an ssh-like service on
# db01 behind rdr-to; the wan host's fourth connection breaks
# max-src-conn 3, puts it in <bruteforce>, and its next SYN is blocked.
cat >"$TMP/pf.guard" <<'EOF2'
set skip on lo
table <bruteforce> persist
block all
block quick from <bruteforce>
pass in on em0 proto tcp to (em0) port 2222 rdr-to 10.50.0.20 port 22 \
    keep state (max-src-conn 3, overload <bruteforce> flush global)
pass out on vether0 proto tcp to 10.50.0.20 port 22
EOF2
check "pfctl -f the brute-force guard" ctl pfctl -f "$TMP/pf.guard"
ip netns exec "$DB" python3 "$HERE/udpflows.py" hello 22 &
PIDS+=($!)
wait_for 5 sh -c "ip netns exec $DB ss -ltn | grep -q ':22 '"
for i in 1 2 3; do
	check "connection $i to 198.51.100.3:2222 (rdr-to db01:22)" \
		ip netns exec "$WAN" python3 "$HERE/udpflows.py" hi 198.51.100.3 2222
done
check "pfctl -sS: 3 connections from 198.51.100.1" \
	sh -c "$SLUICECTL -s $SOCK pfctl -sS | grep -q '^198\.51\.100\.1 ( states 3, connections 3,'"
check "connection 4 breaks max-src-conn 3 and is cut" \
	sh -c "! ip netns exec $WAN python3 $HERE/udpflows.py hi 198.51.100.3 2222"
check "the source is in <bruteforce>" \
	sh -c "$SLUICECTL -s $SOCK pfctl -t bruteforce -T show | grep -qx '   198.51.100.1'"
check "connection 5: its SYN meets block quick from <bruteforce>" \
	sh -c "! ip netns exec $WAN python3 $HERE/udpflows.py hi 198.51.100.3 2222"
check "pfctl -vsi: max-src-conn and overload counted" \
	sh -c "$SLUICECTL -s $SOCK pfctl -vsi | grep -qE '^  overload table insertion +1 '"
check "pfctl -vvsT: <bruteforce> counted connection 5's SYNs as In/Block" \
	sh -c "$SLUICECTL -s $SOCK pfctl -vvsT | grep -qE '^	In/Block: +\[ Packets: [1-9]'"
# pf keeps a persistent table defined without addresses across a load
check "pfctl -f the same guard again" ctl pfctl -f "$TMP/pf.guard"
check "... <bruteforce> still holds the source" \
	sh -c "$SLUICECTL -s $SOCK pfctl -t bruteforce -T show | grep -qx '   198.51.100.1'"
check "... and still blocks it" \
	sh -c "! ip netns exec $WAN python3 $HERE/udpflows.py hi 198.51.100.3 2222"

# db01 gets a public address of its own: binat-to, and proxy ARP so that
# the wan's hosts find 198.51.100.50 on em0 (arp -s ... pub).
printf 'set skip on lo\nmatch on em0 from 10.50.0.20 to any binat-to 198.51.100.50\npass\n' >"$TMP/pf.binat"
check "pfctl -f a binat-to policy" ctl pfctl -f "$TMP/pf.binat"
em0mac=$($SLUICECTL -s $SOCK ifconfig em0 | awk '$1 == "lladdr" { print $2 }')
check "arp -s 198.51.100.50 $em0mac pub" ctl arp -s 198.51.100.50 "$em0mac" pub
check "arp -an flags it p" \
	sh -c "$SLUICECTL -s $SOCK arp -an | grep -qE '^198\.51\.100\.50 .* em0 static +p'"
check "the wan pings db01 at 198.51.100.50 (proxy ARP, binat-to)" \
	ip netns exec "$WAN" ping -c 2 -i 0.2 -W 2 198.51.100.50
check "... the router answered for it (arp-proxy-replies)" \
	sh -c "$SLUICECTL -s $SOCK stats | grep -qE 'router +arp-proxy-replies +[1-9]'"

# examples/routed-queues: the same segment on a 20 Mbit/s uplink.  A
# 1 MB upload takes the line's 0.4 s at least (less a frame: 0.3), its
# packets wait in up_std, the wan's ACKs in down on vether0.
check "pfctl -f examples/routed-queues/pf.conf" \
	ctl pfctl -f "$HERE/../../examples/routed-queues/pf.conf"
check "ping 198.51.100.1 through NAT and the queues" \
	ip netns exec "$DB" ping -c 2 -i 0.2 -W 2 198.51.100.1
head -c 1000000 /dev/urandom >"$TMP/up1m"
nc_sink "$WAN" 8099 "$TMP/got8099"
t0=$(date +%s.%N)
check "TCP 1 MB db01 -> wan through up (20 Mbit/s)" \
	sh -c "ip netns exec $DB timeout 20 nc -N 198.51.100.1 8099 <$TMP/up1m &&
	    for i in \$(seq 100); do cmp -s $TMP/up1m $TMP/got8099 && exit 0; sleep 0.1; done; exit 1"
t1=$(date +%s.%N)
check "... no sooner than the line allows (0.3 s)" \
	awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a >= 0.3) }'
ctl pfctl -s queue -v >"$TMP/q"
check "pfctl -s queue -v: the upload waited in up_std, the ACKs in down" \
	sh -c "grep -A1 '^queue up_std ' $TMP/q | grep -qE 'pkts: +[1-9][0-9] ' &&
	    grep -A1 '^queue down ' $TMP/q | grep -qE 'pkts: +[1-9][0-9] '"
finish
