#!/usr/bin/env bash
# Passive OS fingerprints (pf.os(5), `os' in pf.conf) on the SYNs of real
# Linux stacks: a lan namespace on em1 and web01 on bridge0.  The lab's
# pf.os has the SYN these kernels send (window 44 MSS over IPv4, 45 over
# IPv6, TTL 64, DF, options M*,S,T,N,W*), and an OpenBSD that is not
# here.  Rules that name the lab's Linux refuse lan's connections; rules
# that name OpenBSD, "unknown" or a name pf.os lacks let them by.
T_NAME=osfp
. "$(dirname "$0")/lib.sh"

lan_and_web o "$TMP/etc" </dev/null || exit 1
cat >"$TMP/etc/pf.os" <<'OS'
# window:ttl:df:size:options:class:version:subtype:description
S44:64:1:60:M*,S,T,N,W*:	Linux:6:lab:Linux 6 in a namespace, MSS 1460
S45:64:1:60:M*,S,T,N,W*:	Linux:6:lab6:Linux 6 in a namespace, MSS 1440
16384:64:1:64:M*,N,N,S,N,W3,N,N,T:	OpenBSD:7.5-7.6::OpenBSD 7.5, 7.6
OS
cat >"$TMP/etc/pf.conf" <<'PF'
pass
block return in quick on em1 proto tcp from any os "Linux 6 lab" to port 8081
block return in quick on em1 proto tcp from any os "OpenBSD" to port 8082
block return in quick on em1 proto tcp from any os unknown to port 8083
block return in quick on em1 proto tcp from any os "linux" to port 8084
block return in quick on em1 inet6 proto tcp from any os "Linux 6 lab6" to port 8085
block return in quick on em1 proto tcp from any os "Windows" to port 8086
PF
start_sluiced "$TMP/etc" -i "em1=s${ID}em1" -g "web01=$WEB" || exit 1
guest_up "$WEB" 192.0.2.11/24 || exit 1
ip -n "$WEB" addr add 2001:db8::11/64 dev vio0 nodad
ip -n "$LAN" addr add 2001:db8::1/64 dev lan0 nodad

ip netns exec "$WEB" python3 -c "
import selectors, socket
sel = selectors.DefaultSelector()
for port in range(8081, 8087):
    s = socket.socket(socket.AF_INET6)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('::', port))
    s.listen(8)
    sel.register(s, selectors.EVENT_READ)
while True:
    for k, _ in sel.select():
        k.fileobj.accept()[0].close()
" &
PIDS+=($!)
wait_for 5 sh -c "ip netns exec $WEB ss -ltn | grep -q ':8086 '"

# connects ADDR PORT: lan's kernel completes a handshake with web01
connects() {
	ip netns exec "$LAN" timeout 3 bash -c "echo >/dev/tcp/$1/$2" \
		2>/dev/null
}
refused() {
	! connects "$@"
}

check "pfctl -sr prints the names as pf.os has them" sh -c "
	$SLUICECTL -s $SOCK pfctl -sr | grep -q 'os \"Linux 6 lab\" to any port = 8081$' &&
	$SLUICECTL -s $SOCK pfctl -sr | grep -q 'os \"Linux\" to any port = 8084$' &&
	$SLUICECTL -s $SOCK pfctl -sr | grep -q 'os \"nomatch\" to any port = 8086$'"
check "pfctl -f warns that Windows is not in pf.os" sh -c "
	$SLUICECTL -s $SOCK pfctl -f $TMP/etc/pf.conf 2>&1 |
	grep -q \"pf.conf:7: warning: OS fingerprint 'Windows' is not in pf.os\""
check "pfctl -s osfp lists classes, versions, subtypes (ranges expanded)" sh -c "
	$SLUICECTL -s $SOCK pfctl -s osfp >$TMP/so &&
	head -2 $TMP/so | grep -q '^Class	Version	Subtype(subversion)$' &&
	grep -qx 'Linux	6	lab6	' $TMP/so && grep -qx 'OpenBSD	7.6	' $TMP/so &&
	grep -qx 'OpenBSD	7.5-7.6	' $TMP/so &&
	[ \"\$(sed -n 3p $TMP/so)\" = 'Linux	' ]"
check "os \"Linux 6 lab\": lan's SYN is refused" refused 192.0.2.11 8081
check "os \"OpenBSD\": lan connects" connects 192.0.2.11 8082
check "os unknown: lan (a known Linux) connects" connects 192.0.2.11 8083
check "os \"linux\" (the class): refused over IPv4" refused 192.0.2.11 8084
check "os \"linux\" (the class): refused over IPv6" refused 2001:db8::11 8084
check "inet6 os \"Linux 6 lab6\": refused over IPv6" refused 2001:db8::11 8085
check "inet6 os \"Linux 6 lab6\": not over IPv4" connects 192.0.2.11 8085
check "os \"Windows\" (not in pf.os): lan connects" connects 192.0.2.11 8086
check "os \"Linux 6 lab\" counted its SYN" sh -c "
	$SLUICECTL -s $SOCK pfctl -vsr | grep -A1 'port = 8081$' |
	grep -qE 'Packets: [1-9]'"
check "pfctl -s all: the views under their titles, in pfctl's order" sh -c "
	$SLUICECTL -s $SOCK pfctl -s all >$TMP/sa &&
	[ \"\$(grep -E '^[A-Z ]+:\$' $TMP/sa | tr '\n' ' ')\" = 'FILTER RULES: STATES: INFO: TIMEOUTS: LIMITS: OS FINGERPRINTS: ' ] &&
	head -1 $TMP/sa | grep -qx 'FILTER RULES:' &&
	grep -B1 '^STATES:' $TMP/sa | head -1 | grep -qx '' &&
	grep -qx '10 fingerprints loaded' $TMP/sa &&
	grep -q '^all tcp 192.0.2.11:8082 <- 192.0.2.1:' $TMP/sa"
ctl trace on 4 >/dev/null
connects 192.0.2.11 8082
check "trace: the SYN's fingerprint" sh -c "
	$SLUICECTL -s $SOCK trace show | grep -q 'os fingerprint of the SYN: Linux 6 lab'"
finish
