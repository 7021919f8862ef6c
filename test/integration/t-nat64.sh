#!/usr/bin/env bash
# af-to against Linux stacks.  NAT64: db01 (2001:db8:50::20 behind
# vether0) reaches the IPv4-only wan (198.51.100.1, no route to anything
# but 198.51.100.0/24) at 64:ff9b::198.51.100.1, by
# `pass in on vether0 inet6 to 64:ff9b::/96 af-to inet from (em0)'.
# NAT46: the wan reaches db01's port 8080 at em0's address by
# `af-to inet6 from 2001:db8:50::1 to 2001:db8:50::20'.  ICMP errors
# about both cross as the other family's.
T_NAME=nat64
. "$(dirname "$0")/lib.sh"

WAN=sl$ID-wan DB=sl$ID-db
wan_ns "$WAN" nat && mkns "$DB" || exit 1

etc=$TMP/etc
routed_etc "$etc" "inet6 2001:db8:50::1 64"
printf 'net.inet.ip.forwarding=1\nnet.inet6.ip6.forwarding=1\n' \
	>"$etc/sysctl.conf"
cat >"$etc/pf.conf" <<'PF'
block
pass in on vether0 inet6 from 2001:db8:50::/64 to 64:ff9b::/96 \
	af-to inet from (em0)
pass in on em0 inet proto { tcp udp } to (em0) port 8080 \
	af-to inet6 from 2001:db8:50::1 to 2001:db8:50::20
pass inet6 proto icmp6 icmp6-type { neighbrsol, neighbradv, routersol, routeradv }
PF
start_sluiced "$etc" -i "em0=s${ID}em0" -g "db01=$DB" || exit 1
guest_up "$DB" 10.50.0.20/24 || exit 1
ip -n "$DB" addr add 2001:db8:50::20/64 dev vio0 nodad
ip -n "$DB" -6 route add 64:ff9b::/96 via 2001:db8:50::1

check "ping -6 db01 -> 64:ff9b::198.51.100.1 (ICMPv6 echo as ICMP)" \
	ip netns exec "$DB" ping -6 -c 3 -i 0.2 -W 2 64:ff9b::198.51.100.1
check "pfctl -ss: the echo's af-to state, both families" sh -c \
	"$SLUICECTL -s $SOCK pfctl -ss | grep -q '^all ipv6-icmp 198.51.100.2:[0-9]* (2001:db8:50::20\[[0-9]*\]) -> 198.51.100.1:[0-9]* (64:ff9b::c633:6401\[[0-9]*\])'"

CLIENT_NS=$DB SERVER_NS=$WAN SERVER_ADDR=64:ff9b::198.51.100.1
blob_serve 9090
check "TCP db01 -> wan over NAT64: 2 MB each way, intact" blob_xfer 9090

ip netns exec "$WAN" sh -c "timeout 10 nc -u -l -p 9091 >$TMP/udp" &
PIDS+=($!)
wait_for 5 ip netns exec "$WAN" sh -c "ss -lun | grep -q :9091"
check "UDP db01 -> wan over NAT64" sh -c "echo over-nat64 |
	ip netns exec $DB timeout 3 nc -6 -u -q 1 64:ff9b::198.51.100.1 9091"
wait_for 5 grep -q over-nat64 "$TMP/udp"
check "... the datagram arrived" grep -q over-nat64 "$TMP/udp"
check "... from em0's address" sh -c \
	"$SLUICECTL -s $SOCK pfctl -ss | grep -q '^all udp 198.51.100.2:[0-9]* (2001:db8:50::20\[[0-9]*\]) -> 198.51.100.1:9091'"

# NAT46 makes packets 20 bytes longer: the wan learns the path MTU from
# the needfrag sluice sends it (an IPv6 packet too big, translated).
head -c 300000 /dev/urandom >"$TMP/blob46"
ip netns exec "$DB" sh -c "echo from-db01 | nc -6 -l -N -p 8080 >$TMP/got46" &
PIDS+=($!)
wait_for 5 ip netns exec "$DB" sh -c "ss -ltn | grep -q :8080"
check "NAT46: wan -> 198.51.100.2:8080 reaches db01 over IPv6" sh -c \
	"ip netns exec $WAN timeout 10 nc -N 198.51.100.2 8080 <$TMP/blob46 | grep -q from-db01"
wait_for 10 cmp -s "$TMP/blob46" "$TMP/got46"
check "... 300 kB arrived intact (path MTU 1480 learnt)" cmp "$TMP/blob46" "$TMP/got46"
# (a connected socket, so that the kernel finds whom the needfrag is for)
check "a 1500-byte datagram with DF: the wan is told needfrag, mtu 1480" \
	ip netns exec "$WAN" timeout 10 python3 -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, 10, 2)		# IP_MTU_DISCOVER: DO
s.connect(('198.51.100.2', 8080))
for i in range(50):
    try:
        s.send(bytes(1472))
    except OSError:
        pass				# EMSGSIZE once it knows
    time.sleep(0.1)
    if s.getsockopt(socket.IPPROTO_IP, 14) == 1480:	# IP_MTU
        raise SystemExit(0)
raise SystemExit(1)
"
check "stats: packets translated, none refused" sh -c \
	"$SLUICECTL -s $SOCK stats | grep -qE ' af-to +[1-9]' &&
	! $SLUICECTL -s $SOCK stats | grep -qE 'af-to-dropped +[1-9]'"
check "a probe of hop limit 1 gets time exceeded from sluice (traceroute)" sh -c \
	"ip netns exec $DB ping -6 -c 1 -t 1 -W 2 64:ff9b::198.51.100.1 2>&1 | grep -qi 'from 2001:db8:50::1.*time exceeded' &&
	$SLUICECTL -s $SOCK stats | grep -qE 'af-to-dropped +[1-9]'"
# ICMP errors cross too.  The wan forwards 203.0.113.0/24 over a link of
# MTU 1280: its needfrag to em0's address must reach db01 as packet too
# big (MTU 1300: IPv6's 20 bytes more), and its time exceeded as ICMPv6.
ip -n "$WAN" link add n0 type veth peer name n1
ip -n "$WAN" link set n0 mtu 1280 up
ip -n "$WAN" link set n1 mtu 1280 up
ip -n "$WAN" addr add 192.0.2.1/24 dev n0
ip -n "$WAN" route add 203.0.113.0/24 via 192.0.2.2
ip netns exec "$WAN" sysctl -qw net.ipv4.ip_forward=1
check "needfrag from the wan reaches db01 as packet too big (mtu 1300)" sh -c \
	"ip netns exec $DB ping -6 -c 2 -i 0.3 -W 1 -s 1400 -M do 64:ff9b::203.0.113.1 2>&1 | grep -q 'mtu=1300' ||
	ip -n $DB -6 route get 64:ff9b::203.0.113.1 | grep -q 'mtu 1300'"
check "time exceeded from the wan reaches db01 from 64:ff9b::198.51.100.1" sh -c \
	"ip netns exec $DB ping -6 -c 1 -t 2 -W 2 64:ff9b::203.0.113.1 2>&1 | grep -qi 'from 64:ff9b::c633:6401.*time exceeded'"
check "pfctl -vsr shows the rules as written" sh -c \
	"$SLUICECTL -s $SOCK pfctl -sr | grep -q 'af-to inet from (em0)'"
finish
