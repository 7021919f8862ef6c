#!/usr/bin/env bash
# The PF FAQ's load balancing: two web servers (web1, web2) on bridge1
# behind vether0, and `pass in on egress proto tcp to port 80 rdr-to
# <web_servers> round-robin [sticky-address]' on em0.  A client on the
# wan (198.51.100.1) asks em0's address again and again: round-robin
# spreads its connections over both; sticky-address keeps them on one.
T_NAME=pools
. "$(dirname "$0")/lib.sh"

WAN=sl$ID-pwan W1=sl$ID-pw1 W2=sl$ID-pw2
wan_ns "$WAN" nat && mkns "$W1" && mkns "$W2" || exit 1

etc=$TMP/etc
routed_etc "$etc"
cat >"$etc/vm.conf" <<'VM'
switch "isolated" {
    interface bridge1
}
vm "web1" {
    memory 512M
    disk "/var/vm/web1.img"
    interface { switch "isolated" }
}
vm "web2" {
    memory 512M
    disk "/var/vm/web2.img"
    interface { switch "isolated" }
}
VM
echo net.inet.ip.forwarding=1 >"$etc/sysctl.conf"
cat >"$etc/pf.conf" <<'PF'
set skip on lo
table <web_servers> { 10.50.0.21, 10.50.0.22 }
pass
pass in on egress proto tcp to port 80 rdr-to <web_servers> round-robin
PF
start_sluiced "$etc" -i "em0=s${ID}em0" -g "web1=$W1" -g "web2=$W2" || exit 1
guest_up "$W1" 10.50.0.21/24 || exit 1
guest_up "$W2" 10.50.0.22/24 || exit 1
for n in 1 2; do
	ns=$W1
	[ "$n" = 2 ] && ns=$W2
	ip -n "$ns" route add default via 10.50.0.1
	mkdir -p "$TMP/www$n"
	echo "web$n" >"$TMP/www$n/who"
	ip netns exec "$ns" python3 -m http.server 80 --bind 10.50.0.2$n \
	    --directory "$TMP/www$n" >"$TMP/www$n.log" 2>&1 &
	PIDS+=($!)
done
wait_for 10 sh -c "ip netns exec $W1 ss -ltn | grep -q ':80 ' &&
    ip netns exec $W2 ss -ltn | grep -q ':80 '"

# ask N: N connections from the wan client, one server name a line.
ask() {
	local _
	for _ in $(seq 1 "$1"); do
		ip netns exec "$WAN" curl -s --max-time 3 \
		    http://198.51.100.2/who || echo none
	done
}

ask 6 >"$TMP/rr"
check "round-robin: six connections all answered" \
	sh -c "! grep -q none $TMP/rr"
check "round-robin: both servers answered ($(sort "$TMP/rr" | uniq -c |
    tr -s ' \n' ' '))" \
	sh -c "grep -qx web1 $TMP/rr && grep -qx web2 $TMP/rr"
check "round-robin: in turn, web1 web2 web1 ..." \
	test "$(tr '\n' ' ' <"$TMP/rr")" = "web1 web2 web1 web2 web1 web2 "
check "pfctl -ss: states to both servers" \
	sh -c "$SLUICECTL -s $SOCK pfctl -ss | grep -q '10\.50\.0\.21:80 (198\.51\.100\.2:80) <- 198\.51\.100\.1:' &&
	    $SLUICECTL -s $SOCK pfctl -ss | grep -q '10\.50\.0\.22:80 (198\.51\.100\.2:80) <- 198\.51\.100\.1:'"
check "explain names the next server" \
	sh -c "$SLUICECTL -s $SOCK explain in on em0 proto tcp from 198.51.100.1 port 40000 to 198.51.100.2 port 80 |
	    grep -q 'rdr-to would give 10.50.0.21: <web_servers>: round-robin (entry 1 of 2)'"

sed -i 's/round-robin$/round-robin sticky-address/' "$etc/pf.conf"
check "pfctl -f with sticky-address" ctl pfctl -f /etc/pf.conf
ask 6 >"$TMP/sticky"
check "sticky-address: six connections all answered" \
	sh -c "! grep -q none $TMP/sticky"
check "sticky-address: one server answered them all ($(sort "$TMP/sticky" |
    uniq -c | tr -s ' \n' ' '))" \
	sh -c "test \$(sort -u $TMP/sticky | wc -l) -eq 1 &&
	    grep -qxE 'web[12]' $TMP/sticky"
check "pfctl -sS: the client's node names its server" \
	sh -c "$SLUICECTL -s $SOCK pfctl -sS | grep -qE '^198\.51\.100\.1 rdr-to 10\.50\.0\.2[12] \( states [0-9]+, '"
check "stats: pool-sticky counted the five after the first" \
	sh -c "$SLUICECTL -s $SOCK stats | grep -qE 'pf +pool-sticky +5 '"
finish
