#!/usr/bin/env bash
# The README's first command, tools/lab demo, as it runs: the handbook's
# lab walked through with its own files.  The demo prints what it does
# and goes on whatever happens, so this test reads what it printed: the
# pings of sections 2 and 3 get their replies, the NAT rule is where the
# chapter's egrep looks, the section-4 policy as written blocks web01's
# HTTP and the corrected one lets exactly it through; and nothing of the
# lab is left afterwards.  Names of its own (SLUICE_LAB_ID), the build
# under test (SLUICE_LAB_BUILD).
T_NAME=lab
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LAB=lab$ID

lab_gone() {
	! ip netns list | grep -q "^$LAB-" && ! ip link show "$LAB-em1" \
	    >/dev/null 2>&1 && [ ! -e "/run/sluice-$LAB" ]
}
# also on failure: whatever the demo left
cleanup_lab() {
	SLUICE_LAB_ID=$ID SLUICE_LAB_BUILD=$BUILD bash "$ROOT/tools/lab" down \
	    >/dev/null 2>&1
}
trap 'cleanup_lab; cleanup' EXIT

out=$TMP/demo.out
SLUICE_LAB_ID=$ID SLUICE_LAB_BUILD=$BUILD timeout 240 \
	bash "$ROOT/tools/lab" demo >"$out" 2>&1
rc=$?
check "tools/lab demo exits 0" [ "$rc" -eq 0 ]
check "section 2: web01 and the lan host ping each other (3/3 twice)" \
	sh -c "[ \$(grep -c '3 packets transmitted, 3 received' '$out') -ge 2 ]"
check "section 2: ifconfig bridge0 lists em1 and web01's tap" \
	sh -c "grep -qE '^	em1 flags=' '$out' && grep -qE '^	tap0 flags=' '$out'"
check "section 2: the single VLAN: what leaves em1 is tagged 10" \
	grep -q 'vlan 10' "$out"
check "section 3: db01 reaches the wan through NAT (3/3)" \
	sh -c "[ \$(grep -c '3 packets transmitted, 3 received' '$out') -ge 3 ]"
check "section 3: the chapter's egrep finds the NAT rule" \
	grep -qE '^@[0-9]+ match out on (egress|em0) .*nat-to' "$out"
check "section 3: db01 has its address from sluice's dhcpd" \
	grep -qE '10\.50\.0\.20' "$out"
check "section 4 as written: web01's HTTP is blocked" \
	grep -q 'lan -> 192.0.2.11:80: no connection' "$out"
check "section 4 corrected: web01's HTTP passes" \
	grep -q 'lan -> 192.0.2.11:80: connected' "$out"
check "section 4 corrected: and only it (22 stays blocked)" \
	sh -c "grep -q 'lan -> 192.0.2.11:22: no connection' '$out' &&
	    ! grep -q 'lan -> 192.0.2.11:22: connected' '$out'"
check "the trace shows pf's decision with the rule" \
	grep -qE 'pf +.*(block|pass) by rule @[0-9]+' "$out"
check "nothing of the lab is left (namespaces, veths, state)" lab_gone
if [ "$T_FAIL" -ne 0 ]; then
	echo "--- what the demo printed:"
	tail -80 "$out"
fi
finish
