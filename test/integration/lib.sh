# Integration test helpers: namespaces, veths, a sluiced of our own, and
# bounded waits.  Everything a test makes carries a per-run id and is
# removed by the EXIT trap, also when the test fails half way.
# shellcheck shell=bash

set -u
BUILD=${BUILD:-build}
SLUICED=$BUILD/dataplane/sluiced
SLUICECTL=$BUILD/tools/sluicectl
# Short, unique per run: interface names must fit in 15 bytes.
ID=${SLUICE_TEST_ID:-$(printf '%04x' $(( ($$ + RANDOM) % 65536 )))}
TMP=$(mktemp -d /tmp/sluice-it-XXXXXX)
SOCK=$TMP/sluiced.sock
NETNS=()
VETHS=()
PIDS=()
T_PASS=0
T_FAIL=0

cleanup() {
	local p n v
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	for v in "${VETHS[@]}"; do
		ip link del "$v" 2>/dev/null
	done
	for n in "${NETNS[@]}"; do
		ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$n" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() {
	T_PASS=$((T_PASS + 1))
	echo "ok   $T_NAME: $*"
}

fail() {
	T_FAIL=$((T_FAIL + 1))
	echo "FAIL $T_NAME: $*"
}

# check DESCRIPTION COMMAND...: one assertion.
check() {
	local what=$1
	shift
	if "$@" >"$TMP/check.out" 2>&1; then
		ok "$what"
	else
		fail "$what"
		sed 's/^/     /' "$TMP/check.out" | tail -15
	fi
}

# wait_for SECONDS COMMAND...: poll until it succeeds, or give up.
wait_for() {
	local limit=$1 i=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -ge $((limit * 10)) ] && return 1
		sleep 0.1
	done
}

mkns() {
	ip netns add "$1" || return 1
	NETNS+=("$1")
	ip -n "$1" link set lo up
}

# mkveth HOSTSIDE NETNS PEERNAME: a "physical" port for sluice.
mkveth() {
	ip link add "$1" type veth peer name "$3" netns "$2" || return 1
	VETHS+=("$1")
	ip link set "$1" up
	ip -n "$2" link set "$3" up
}

ctl() {
	"$SLUICECTL" -s "$SOCK" "$@"
}

# start_sluiced ETCDIR ARGS...: run it in the foreground of a background
# job and wait until its control socket answers.
start_sluiced() {
	local etc=$1
	shift
	"$SLUICED" -d -f "$etc" -s "$SOCK" -t "t$ID" "$@" \
		>"$TMP/sluiced.log" 2>&1 &
	PIDS+=($!)
	if ! wait_for 10 ctl ping; then
		echo "sluiced did not start:"
		cat "$TMP/sluiced.log"
		return 1
	fi
}

# guest_up NETNS ADDR/LEN: configure the VM's NIC as its OS would.
guest_up() {
	wait_for 5 ip -n "$1" link show vio0 || return 1
	ip -n "$1" link set vio0 up
	ip -n "$1" addr add "$2" dev vio0
}

# capture NETNS IF FILE [filter]: tcpdump in the background, ready on return.
capture() {
	local ns=$1 ifn=$2 file=$3
	shift 3
	ip netns exec "$ns" tcpdump -U -n -i "$ifn" -w "$file" "$@" \
		>"$file.log" 2>&1 &
	PIDS+=($!)
	wait_for 5 grep -q "listening on" "$file.log"
}

# stop_capture FILE: end the newest capture and let it flush.
stop_capture() {
	local pid=${PIDS[-1]}
	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset 'PIDS[-1]'
}

# The handbook's routed-segment VM: db01 on switch "isolated" (bridge1).
vmconf_isolated() {
	cat >"$1" <<'VM'
switch "isolated" {
    interface bridge1
}
vm "db01" {
    memory 2048M
    disk "/var/vm/db01.img"
    interface { switch "isolated" }
}
VM
}

# The lab uplink of the routed segment: em0 198.51.100.2/24, mygate .1.
uplink_etc() {
	printf 'inet 198.51.100.2 255.255.255.0\nup\n' >"$1/hostname.em0"
	echo 198.51.100.1 >"$1/mygate"
}

# wan_ns NS [nat]: the "wan" behind em0 (s${ID}em0 <-> wan0,
# 198.51.100.1/24), routing the routed segment 10.50.0.0/24 back to us,
# unless it is NATed ("nat"): then the wan knows only em0's address.
wan_ns() {
	mkns "$1" && mkveth "s${ID}em0" "$1" wan0 || return 1
	ip -n "$1" addr add 198.51.100.1/24 dev wan0
	[ "${2:-}" = nat ] ||
	    ip -n "$1" route add 10.50.0.0/24 via 198.51.100.2
}

# routed_etc DIR [LINE...]: the handbook's section 3 routed segment in DIR:
# vether0 10.50.0.1/24 (and LINEs of its hostname.vether0) on bridge1,
# db01 on switch "isolated", the em0 uplink.
# The routed segment over IPv6 too: vether0 2001:db8:50::1/64, em0
# 2001:db8:100::2/64, mygate's IPv6 line the wan (2001:db8:100::1), which
# routes 2001:db8:50::/64 back through em0.
routed6_etc() {
	local etc=$1 wan=$2
	routed_etc "$etc" "inet6 2001:db8:50::1 64"
	echo "inet6 2001:db8:100::2/64" >>"$etc/hostname.em0"
	echo 2001:db8:100::1 >>"$etc/mygate"
	ip -n "$wan" addr add 2001:db8:100::1/64 dev wan0 nodad
	ip -n "$wan" -6 route add 2001:db8:50::/64 via 2001:db8:100::2
}
routed_etc() {
	local etc=$1 l
	shift
	mkdir -p "$etc"
	{
		printf 'inet 10.50.0.1 255.255.255.0\n'
		for l in "$@"; do printf '%s\n' "$l"; done
		printf 'up\n'
	} >"$etc/hostname.vether0"
	printf 'add vether0\nup\n' >"$etc/hostname.bridge1"
	uplink_etc "$etc"
	vmconf_isolated "$etc/vm.conf"
}

# The handbook's bridged VM: web01 on switch "lan" (bridge0), and the
# rest of the file (more vms) from standard input: always redirect it
# (a here-document, or </dev/null).
vmconf_lan() {
	{
		cat <<'VM'
switch "lan" {
    interface bridge0
}
vm "web01" {
    memory 1024M
    disk "/var/vm/web01.img"
    interface { switch "lan" }
}
VM
		[ -t 0 ] || cat
	} >"$1"
}

# nc_sink NS PORT FILE: a TCP server in NS that keeps what one connection
# sends in FILE; returns once it listens.
nc_sink() {
	ip netns exec "$1" sh -c "nc -l -N -p $2 >$3" &
	PIDS+=($!)
	wait_for 5 sh -c "ip netns exec $1 ss -ltn | grep -q ':$2 '"
}

# lan_and_web TAG ETC: the handbook's section 1 shape: a lan namespace
# (192.0.2.1 on em1's veth) in $LAN, one for web01 in $WEB, and in ETC
# bridge0 holding em1 and a vm.conf with web01 on "lan" (more VMs on
# stdin, as vmconf_lan takes them).  TAG keeps the names apart.
lan_and_web() {
	LAN=sl$ID-${1}lan WEB=sl$ID-${1}web
	mkns "$LAN" && mkns "$WEB" || return 1
	mkveth "s${ID}em1" "$LAN" lan0 || return 1
	ip -n "$LAN" addr add 192.0.2.1/24 dev lan0
	mkdir -p "$2"
	printf 'add em1\nup\n' >"$2/hostname.bridge0"
	vmconf_lan "$2/vm.conf"
}

# capture_while FILE "TCPDUMP ARGS" COMMAND...: sluicectl tcpdump into
# FILE while COMMAND runs again and again, until the capture has its
# frames (-c) or 30 rounds passed.
capture_while() {
	local file=$1 args=$2 pid i
	shift 2
	# shellcheck disable=SC2086
	"$SLUICECTL" -s "$SOCK" tcpdump $args >"$file" 2>&1 &
	pid=$!
	for i in $(seq 1 30); do
		kill -0 "$pid" 2>/dev/null || break
		"$@" >/dev/null 2>&1
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# The 2 MB round trip of t-synproxy.sh and t-syncookies.sh, between
# $CLIENT_NS and $SERVER_NS ($SERVER_ADDR).  blob_serve PORT: take one
# connection, keep what comes in $TMP/got<PORT>, send it all back.
# blob_xfer PORT: send $TMP/blob, read it back into $TMP/back<PORT>, and
# compare what each end got.
blob_serve() {
	[ -f "$TMP/blob" ] || head -c 2097152 /dev/urandom >"$TMP/blob"
	ip netns exec "$SERVER_NS" python3 -c "
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', $1)); s.listen(8)
c, _ = s.accept()
with open('$TMP/got$1', 'wb') as f:
    while True:
        b = c.recv(65536)
        if not b: break
        f.write(b)
c.sendall(open('$TMP/got$1', 'rb').read()); c.close()
" &
	PIDS+=($!)
	wait_for 5 sh -c "ip netns exec $SERVER_NS ss -ltn | grep -q ':$1 '"
}
blob_xfer() {
	ip netns exec "$CLIENT_NS" timeout 20 python3 -c "
import socket
c = socket.create_connection(('$SERVER_ADDR', $1), timeout=10)
c.sendall(open('$TMP/blob', 'rb').read()); c.shutdown(socket.SHUT_WR)
with open('$TMP/back$1', 'wb') as f:
    while True:
        b = c.recv(65536)
        if not b: break
        f.write(b)
" && cmp "$TMP/blob" "$TMP/got$1" && cmp "$TMP/blob" "$TMP/back$1"
}

finish() {
	# With SLUICE_PREFETCH_MIN=0 (tools/check's second round) every burst
	# is looked up by tags: whatever rewrote a frame must have dropped them.
	if [ -n "${SOCK:-}" ] && [ -S "$SOCK" ]; then
		check "stats: no lookup by a stale tag" \
		    sh -c "! $SLUICECTL -s $SOCK stats | grep -qE '^ +state +stale-tag'"
	fi
	echo "$T_NAME: $T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}
