#!/usr/bin/env bash
# pf on the bridge (handbook section 4): per-VM anchors loaded from
# pf.vm/*.conf, default deny between VMs, states, atomic reload, and what
# pf really does with the chapter's own files.
T_NAME=filter
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

LAN=sl$ID-flan WEB=sl$ID-fweb DB=sl$ID-fdb
mkns "$LAN" && mkns "$WEB" && mkns "$DB" || exit 1
mkveth "s${ID}em1" "$LAN" lan0 || exit 1
ip -n "$LAN" addr add 192.0.2.1/24 dev lan0

etc=$TMP/etc
mkdir -p "$etc/pf.vm"
printf 'add em1\nup\n' >"$etc/hostname.bridge0"
vmconf_lan "$etc/vm.conf" <<'VM'
vm "db01" {
    memory 2048M
    disk "/var/vm/db01.img"
    interface { switch "lan" }
}
VM
cat >"$etc/pf.conf" <<'PF'
# The LAN may send into the bridge; each VM's anchor says what reaches it.
block all
pass in on em1 all
pass out on em1 all
anchor "vm/*"
load anchor "vm/*" from "/etc/pf.vm/*.conf"
PF
cat >"$etc/pf.vm/web01.conf" <<'PF'
intf = "tap0"
# Traffic to a VM leaves the bridge out on its tap.
pass out on $intf proto tcp from 192.0.2.1 to any port 80
# web01 may start connections (to db01).
pass in on $intf all
PF
cat >"$etc/pf.vm/db01.conf" <<'PF'
intf = "tap1"
# Only the web tier may reach the database.
pass out on $intf proto tcp from 192.0.2.11 to any port 3306
PF
start_sluiced "$etc" -i "em1=s${ID}em1" -g "web01=$WEB" -g "db01=$DB" || exit 1
guest_up "$WEB" 192.0.2.11/24 && guest_up "$DB" 192.0.2.12/24 || exit 1
for p in 80 22; do
	ip netns exec "$WEB" python3 "$HERE/tcpsess.py" serve $p &
	PIDS+=($!)
done
ip netns exec "$DB" python3 "$HERE/tcpsess.py" serve 3306 &
PIDS+=($!)
ip netns exec "$WEB" python3 "$HERE/tcpsess.py" serve 8080 &
PIDS+=($!)
wait_for 5 sh -c "ip netns exec $DB ss -ltn | grep -q :3306 && ip netns exec $WEB ss -ltn | grep -q :22"

# ARP is not IP: it passes, so neighbours resolve whatever the rules say.
connects() {	# connects NS HOST PORT: a TCP handshake within 2 s
	ip netns exec "$1" timeout 3 python3 -c "import socket; socket.create_connection(('$2', $3), timeout=2)"
}
check "lan -> web01:80 passes" connects "$LAN" 192.0.2.11 80
check "lan -> web01:22 is blocked" sh -c "$(declare -f connects); ! connects $LAN 192.0.2.11 22"
check "web01 -> db01:3306 passes" connects "$WEB" 192.0.2.12 3306
check "lan -> db01:3306 is blocked" sh -c "$(declare -f connects); ! connects $LAN 192.0.2.12 3306"
check "stats counts pf's blocks by reason" sh -c "$SLUICECTL -s $SOCK stats | grep -qE '^  pf +drop-blocked +[1-9]'"
check "db01 -> web01:80 is blocked (inter-VM default deny)" sh -c "$(declare -f connects); ! connects $DB 192.0.2.11 80"

ctl explain out on tap0 proto tcp from 192.0.2.1 port 40000 to 192.0.2.11 port 80 >"$TMP/ex1"
ctl explain out on tap0 proto tcp from 192.0.2.1 port 40000 to 192.0.2.11 port 22 >"$TMP/ex2"
check "explain: port 80 to web01 passes by web01's anchor" sh -c "grep -q 'decided by rule @0 of anchor \"vm/web01\": pass out on tap0' $TMP/ex1 && grep -q '^  pass (the last matching rule), keep state' $TMP/ex1"
check "explain: port 22 to web01 is blocked by block all" sh -c "grep -q 'decided by rule @0: block drop all' $TMP/ex2 && grep -q '^  block' $TMP/ex2"
ctl pfctl -ss >"$TMP/ss"
check "pfctl -ss shows the lan's state in on em1" grep -qE '^all tcp 192\.0\.2\.11:80 <- 192\.0\.2\.1:[0-9]+ +[A-Z_0-9]+:[A-Z_0-9]+$' "$TMP/ss"
check "pfctl -ss shows the state out on tap0" grep -qE '^all tcp 192\.0\.2\.1:[0-9]+ -> 192\.0\.2\.11:80 +[A-Z_0-9]+:[A-Z_0-9]+$' "$TMP/ss"
ctl pfctl -a 'vm/*' -sr >"$TMP/anch"
check "pfctl -a 'vm/*' -sr prints each child" sh -c "grep -qx 'anchor \"db01\" all {' $TMP/anch && grep -qx 'anchor \"web01\" all {' $TMP/anch"
check "... with its rules" grep -qx '  pass out on tap0 inet proto tcp from 192.0.2.1 to any port = 80 flags S/SA' "$TMP/anch"
ctl pfctl -vvsr >"$TMP/vvsr"
check "pfctl -vvsr numbers rules and counts" sh -c "grep -q '^@0 block drop all' $TMP/vvsr && grep -qE '^  \[ Evaluations: [0-9]+ +Packets: [0-9]+ +Bytes: [0-9]+ +States: [0-9]+ +\]$' $TMP/vvsr"
check "pfctl -vvsr | egrep 'anchor vm/' finds the anchor" sh -c "grep -qE 'anchor \"vm/\*\" all' $TMP/vvsr"
check "pfctl -si shows the state table" sh -c "$SLUICECTL -s $SOCK pfctl -si | grep -qE '^  current entries +[1-9][0-9]* +$'"

# pf's sequence windows (pf_tcp_track_full()): a blind RST, inside the
# window but not at the next sequence number, is dropped as a state
# mismatch and the connection lives on; the exact one resets it.
mismatches() { $SLUICECTL -s $SOCK pfctl -si | awk '$1 == "state-mismatch" { print $2 }'; }
challenge_acks() {	# RFC 5961: web01's answers to in-window, inexact RSTs
	ip netns exec "$WEB" awk '/^TcpExt:/ { if (!n) { for (i = 1; i <= NF; i++) if ($i == "TCPChallengeACK") n = i } else print $n }' /proc/net/netstat
}
check "no state mismatch before" test "$(mismatches)" = 0
acks=$(challenge_acks)
res=$(ip netns exec "$LAN" timeout 10 python3 "$HERE/tcprst.py" lan0 192.0.2.11 80 5000 0)
check "a blind RST (seq + 5000) is dropped, the exact one resets ($res)" test "$res" = "alive reset"
check "... the blind one counted as state-mismatch, and only it" test "$(mismatches)" = 1
check "... web01's TCP never saw it (no challenge ACK: $acks -> $(challenge_acks))" test "$(challenge_acks)" = "$acks"

# An open connection across reloads.
S=$TMP/sess
mkdir -p "$S"
ip netns exec "$LAN" python3 "$HERE/tcpsess.py" client 192.0.2.11 80 "$S" &
PIDS+=($!)
wait_for 5 test -e "$S/connected"
step() {	# step N: one echo through the open connection
	touch "$S/cmd.$1"
	wait_for 8 test -e "$S/res.$1"
	grep -qx ok "$S/res.$1"
}
check "open connection works" step 1
printf 'pass out on tap0 proto tcp from 192.0.2.1 to any port 80 frob\n' >"$TMP/broken.conf"
out=$(ctl pfctl -f "$TMP/broken.conf" 2>&1)
rc=$?
check "a broken reload is refused (exit 1)" test "$rc" -eq 1
check "... naming file and line" grep -q "broken.conf:1: " <<<"$out"
check "open connection still works after the refused reload" step 2
check "old rules still there" sh -c "$SLUICECTL -s $SOCK pfctl -a vm/web01 -sr | grep -q 'port = 80'"
printf 'intf = "tap0"\npass in on $intf all\n' >"$etc/pf.vm/web01.conf"
check "reload without web01's port 80 rule" ctl pfctl -f /etc/pf.conf
check "the open connection keeps its state" step 3
check "a new connection to web01:80 is blocked" sh -c "$(declare -f connects); ! connects $LAN 192.0.2.11 80"
check "pfctl -F states" sh -c "$SLUICECTL -s $SOCK pfctl -F states | grep -qE '^[0-9]+ states cleared$'"
check "after -F states the old connection is cut" sh -c "$(declare -f step wait_for); S=$S; ! step 4"
touch "$S/stop"

# pflog0: what a `log' rule decides reaches tcpdump as pflog(4) records,
# so OpenBSD's `tcpdump -n -e -i pflog0' shows each block with its rule
# (Linux's tcpdump prints the reason as "0(match)", OpenBSD's "(match)").
printf 'block log all\npass in on em1 all\npass out on em1 all\npass out on tap0 proto tcp from <admins> to port 22\n' >"$etc/pflog.conf"
check "reload with block log all" ctl pfctl -f /etc/pflog.conf
# (only port 22: "block log all" also logs the namespaces' own IPv6
# chatter, router solicitations and MLD reports, at any moment.  A
# blocked SYN to port 25 goes first: -c counts what the expression
# matched, as tcpdump's does, not every record pflog0 streams.)
capture_while "$TMP/pflog.txt" "-n -e -c 1 -i pflog0 tcp port 22" \
	sh -c "$(declare -f connects); connects $LAN 192.0.2.11 25; connects $LAN 192.0.2.11 22"
check "tcpdump -n -e -i pflog0: the blocked SYN with its rule" \
	grep -qE 'rule 0/(0)?\(match\):? block out on tap0: 192\.0\.2\.1\.[0-9]+ > 192\.0\.2\.11\.22: Flags \[S\]' "$TMP/pflog.txt"
# pfctl -t -T: the table <admins> the rules name is made at run time.
check "pfctl -t admins -T add 192.0.2.1" sh -c "$SLUICECTL -s $SOCK pfctl -t admins -T add 192.0.2.1 | grep -qx '1/1 addresses added.'"
check "... and now lan -> web01:22 passes" connects "$LAN" 192.0.2.11 22
check "pfctl -t admins -T show" sh -c "$SLUICECTL -s $SOCK pfctl -t admins -T show | grep -qx '   192.0.2.1'"

# The chapter's section 4 files as written (examples/handbook/etc), taps
# substituted as the chapter says ("substitute the actual tapN").  On
# OpenBSD pfctl refuses this pf.conf: "load anchor" opens its file name as
# is, and "/etc/pf.vm/*.conf" is no file.  sluice expands the glob (a
# warning says so) to show what the policy does once loaded: the anchors
# come before "block all", so without quick the later block wins; and "to
# (tap0)" means the tap's addresses, and a tap has none.
SEED=$PWD/examples/handbook/etc
cp "$SEED/pf.conf" "$etc/pf.conf"
sed 's/"tap3"/"tap0"/' "$SEED/pf.vm/web01.conf" >"$etc/pf.vm/web01.conf"
sed 's/"tap4"/"tap1"/' "$SEED/pf.vm/db01.conf" >"$etc/pf.vm/db01.conf"
out=$(ctl pfctl -F states -f /etc/pf.conf 2>&1)
rc=$?
check "the chapter's section 4 files load (glob expanded)" test "$rc" -eq 0
check "... with a warning that OpenBSD's pfctl would refuse them" grep -q 'pf.conf:7: warning: load anchor from a glob is a sluice extension' <<<"$out"
check "as written, nothing reaches web01:80 (block all wins)" sh -c "$(declare -f connects); ! connects $LAN 192.0.2.11 80"
check "as written, the anchor rules are loaded" sh -c "$SLUICECTL -s $SOCK pfctl -a vm/web01 -sr | grep -q 'to (tap0) port = 80'"
ctl pfctl -vvsr >"$TMP/vvsr4"
check "the chapter's egrep '\\banchor vm/' finds nothing: pfctl quotes the name" sh -c "! grep -E 'match out .* nat-to|\\banchor vm/' $TMP/vvsr4 && grep -q '^@0 anchor \"vm/\\*\" all' $TMP/vvsr4"

# The corrected policy: one "load anchor" per VM (it would load on OpenBSD
# too), the default posture first, rules out on the taps to the VMs'
# addresses.
cp examples/handbook-fixed/pf.conf "$etc/pf.conf"
cp examples/handbook-fixed/pf.vm/web01.conf examples/handbook-fixed/pf.vm/db01.conf "$etc/pf.vm/"
out=$(ctl pfctl -F states -f /etc/pf.conf 2>&1)
rc=$?
check "the corrected policy loads" test "$rc" -eq 0
check "... without a warning" eval '! grep -q warning <<<"$out"'
check "corrected: lan -> web01:80 passes" connects "$LAN" 192.0.2.11 80
check "corrected: lan -> web01:22 is blocked (not the admin LAN)" sh -c "$(declare -f connects); ! connects $LAN 192.0.2.11 22"
check "corrected: web01 -> db01:3306 passes" connects "$WEB" 192.0.2.12 3306
check "corrected: lan -> db01:3306 is blocked" sh -c "$(declare -f connects); ! connects $LAN 192.0.2.12 3306"
check "corrected: db01 -> web01:22 is blocked (inter-VM default deny)" sh -c "$(declare -f connects); ! connects $DB 192.0.2.11 22"
finish
