#!/usr/bin/env bash
# VLANs without the kernel's 802.1Q module: tagged frames are injected and
# captured with packet sockets (python, tcpdump/libpcap) in the namespaces.
#  1. trunk: em1 in bridge0, tags 10 and 20 reach the guest intact;
#  2. single VLAN, as the handbook does it at run time: `ifconfig bridge0
#     delete em1; ifconfig bridge0 add vlan10` -- the guest sees VLAN 10
#     untagged and nothing else, and its replies leave em1 tagged 10.
T_NAME=vlan
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

LAN=sl$ID-vlan WEB=sl$ID-vweb
mkns "$LAN" && mkns "$WEB" || exit 1
mkveth "s${ID}em1" "$LAN" lan0 || exit 1
LANMAC=$(ip -n "$LAN" link show lan0 | awk '/ether/ {print $2}')

mkdir -p "$TMP/trunk" "$TMP/single"
vmconf_lan "$TMP/trunk/vm.conf" </dev/null
printf 'add em1\nup\n' >"$TMP/trunk/hostname.bridge0"
cp "$TMP/trunk/vm.conf" "$TMP/trunk/hostname.bridge0" "$TMP/single/"
printf 'vlandev em1\nvlan 10\nup\n' >"$TMP/single/hostname.vlan10"

send() {	# send VID MARKER
	ip netns exec "$LAN" python3 "$HERE/send_frame.py" --vlan "$1" lan0 \
		ff:ff:ff:ff:ff:ff "$LANMAC" "$2"
}

# -- trunk ---------------------------------------------------------------
start_sluiced "$TMP/trunk" -i "em1=s${ID}em1" -g "web01=$WEB" || exit 1
wait_for 5 ip -n "$WEB" link show vio0 && ip -n "$WEB" link set vio0 up
capture "$WEB" vio0 "$TMP/trunk.pcap" vlan ||
	{ fail "capture did not start"; finish; exit 1; }
send 10 sluice-trunk-10 && send 20 sluice-trunk-20
wait_for 5 sh -c "tcpdump -r $TMP/trunk.pcap -e -n 2>/dev/null | grep -q 'vlan 20'"
stop_capture
tcpdump -r "$TMP/trunk.pcap" -e -n -A 2>/dev/null >"$TMP/trunk.txt"
check "trunk: tag 10 reaches the guest tagged" grep -q 'vlan 10, p 0, ethertype Unknown (0x88b5)' "$TMP/trunk.txt"
check "trunk: tag 20 reaches the guest tagged" grep -q 'vlan 20, p 0, ethertype Unknown (0x88b5)' "$TMP/trunk.txt"
check "trunk: learned per VLAN" sh -c "$SLUICECTL -s $SOCK ifconfig bridge0 | grep -qE '$LANMAC em1 1 flags=0<> vlan 10' &&
	$SLUICECTL -s $SOCK ifconfig bridge0 | grep -qE '$LANMAC em1 1 flags=0<> vlan 20'"
kill -TERM "${PIDS[0]}"
wait "${PIDS[0]}"
PIDS=("${PIDS[@]:1}")
wait_for 5 sh -c "! ip -n $WEB link show vio0"

# -- single VLAN -----------------------------------------------------------
start_sluiced "$TMP/single" -i "em1=s${ID}em1" -g "web01=$WEB" || exit 1
guest_up "$WEB" 192.0.2.11/24 || exit 1
check "ifconfig bridge0 delete em1" ctl ifconfig bridge0 delete em1
check "ifconfig bridge0 add vlan10" ctl ifconfig bridge0 add vlan10
ctl ifconfig bridge0 >"$TMP/ifc"
check "bridge0 has vlan10 and tap0, not em1" sh -c "grep -qP '^\tvlan10 flags=3' $TMP/ifc &&
	grep -qP '^\ttap0 flags=3' $TMP/ifc && ! grep -qP '^\tem1 ' $TMP/ifc"
check "ifconfig vlan10 shows its encap" sh -c "$SLUICECTL -s $SOCK ifconfig vlan10 | grep -qP '^\tencap: vnetid 10 parent em1 txprio packet rxprio outer$'"

capture "$WEB" vio0 "$TMP/guest.pcap" ether proto 0x88b5 or ether proto 0x8100 ||
	{ fail "capture did not start"; finish; exit 1; }
capture "$LAN" lan0 "$TMP/lan.pcap" arp or vlan ||
	{ fail "capture did not start"; finish; exit 1; }
send 20 sluice-vlan-20 && send 10 sluice-vlan-10
# The guest talks: its ARP broadcast must leave em1 tagged 10.
ip netns exec "$WEB" ping -c 1 -W 1 192.0.2.1 >/dev/null 2>&1
wait_for 5 sh -c "tcpdump -r $TMP/guest.pcap -n -A 2>/dev/null | grep -q sluice-vlan-10"
wait_for 5 sh -c "tcpdump -r $TMP/lan.pcap -e -n 2>/dev/null | grep -q 'vlan 10'"
stop_capture
stop_capture
tcpdump -r "$TMP/guest.pcap" -e -n -A 2>/dev/null >"$TMP/guest.txt"
tcpdump -r "$TMP/lan.pcap" -e -n 2>/dev/null >"$TMP/lan.txt"
check "single VLAN: tag 10 arrives untagged" sh -c "grep -B1 sluice-vlan-10 $TMP/guest.txt | grep -q 'ethertype Unknown (0x88b5)' &&
	! grep -q 'vlan 10' $TMP/guest.txt"
check "single VLAN: tag 20 never arrives" sh -c "! grep -q sluice-vlan-20 $TMP/guest.txt"
# vlan(4)'s txprio packet: the PCP is the frame's priority, 3 by default.
check "single VLAN: guest's ARP leaves em1 tagged 10, priority 3" \
	grep -qE 'vlan 10, p 3, ethertype ARP.*Request who-has 192.0.2.1 tell 192.0.2.11' "$TMP/lan.txt"
# The chapter's "tcpdump -ni em1 vlan 10", through sluicectl.
capture_while "$TMP/td.txt" "-c 1 -eni em1 vlan 10" \
	ip netns exec "$WEB" ping -c 1 -W 1 192.0.2.1
check "sluicectl tcpdump -ni em1 vlan 10 sees the guest's frames tagged" \
	grep -q 'vlan 10, p 3, ethertype' "$TMP/td.txt"
check "single VLAN: the VLAN 20 frames are counted, not lost silently" \
	sh -c "$SLUICECTL -s $SOCK stats | grep -qE 'em1 +drop-vlan-unknown +[1-9]'"
# pf's set prio is what vlan10 tags with (txprio packet): the guest's echo
# request leaves em1 with priority 6.  The neighbour is static: the LAN's
# stack cannot answer an ARP that comes tagged.
printf 'pass\nmatch in on tap0 proto icmp set prio 6\n' >"$TMP/prio.conf"
check "pfctl -f a rule set with set prio" ctl pfctl -f "$TMP/prio.conf"
ip -n "$WEB" neigh replace 192.0.2.1 lladdr "$LANMAC" dev vio0
capture "$LAN" lan0 "$TMP/prio.pcap" vlan ||
	{ fail "capture did not start"; finish; exit 1; }
ip netns exec "$WEB" ping -c 1 -W 1 192.0.2.1 >/dev/null 2>&1
wait_for 5 sh -c "tcpdump -r $TMP/prio.pcap -n 2>/dev/null | grep -q 'ICMP echo request'"
stop_capture
check "set prio 6: the echo request leaves em1 tagged 10, priority 6" \
	sh -c "tcpdump -r $TMP/prio.pcap -e -n 2>/dev/null | grep -q 'vlan 10, p 6, ethertype IPv4.*ICMP echo request'"
finish
