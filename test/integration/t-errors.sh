#!/usr/bin/env bash
# Bad input gets a clear error, exit 1, and nothing half-made is left.
T_NAME=errors
. "$(dirname "$0")/lib.sh"

mkdir -p "$TMP/etc" "$TMP/bad"
printf 'add em1\nup\n' >"$TMP/etc/hostname.bridge0"
printf 'add em1\nmaxaddr lots\nup\n' >"$TMP/bad/hostname.bridge0"
printf 'vm "x" {\n  interface { switch "nowhere" }\n}\n' >"$TMP/bad/vm.conf"

out=$("$SLUICED" -n -f "$TMP/bad" 2>&1)
rc=$?
check "sluiced -n on a bad directory exits 1" test "$rc" -eq 1
check "error names file:line:col and what was expected" \
	grep -q "hostname.bridge0:2:9: maxaddr \"lots\": expected a number" <<<"$out"
check "every error is reported in one run" \
	grep -q 'vm.conf:2:22: vm "x": unknown switch "nowhere"' <<<"$out"
check "the handbook's files check clean" "$SLUICED" -n -f examples/handbook/etc
out=$("$SLUICED" -n -p 5ms -f examples/handbook/etc 2>&1); rc=$?
check "sluiced -p 5ms: exit 1, microseconds expected" \
	sh -c "[ $rc -eq 1 ] && echo '$out' | grep -q 'expected microseconds, 0 to 1000000'"

out=$("$SLUICED" -d -f "$TMP/etc" -s "$SOCK" -i em1=sl${ID}nope 2>&1)
rc=$?
check "a missing Linux interface: exit 1" test "$rc" -eq 1
check "... with a message naming it" grep -q "sl${ID}nope: no such Linux interface (for em1)" <<<"$out"
check "... and no control socket left behind" test ! -e "$SOCK"

out=$("$SLUICED" -d -f "$TMP/etc" -s "$SOCK" 2>&1)
check "an unbound interface is named with the fix" \
	grep -q 'em1 is not mapped to a Linux interface (give -i em1=LINUXIF' <<<"$out"

mkns "sl$ID-e" && mkveth "s${ID}e1" "sl$ID-e" lan0 || exit 1
start_sluiced "$TMP/etc" -i "em1=s${ID}e1" || exit 1
out=$("$SLUICED" -d -f "$TMP/etc" -s "$SOCK" -i "em1=s${ID}e1" 2>&1)
rc=$?
check "a second sluiced on the same socket is refused" \
	sh -c "test $rc -eq 1 && echo '$out' | grep -q 'another sluiced is running'"
check "the first one still answers" ctl ping
check "unknown control command: exit 1 and the list" \
	sh -c "! $SLUICECTL -s $SOCK frobnicate 2>&1 | grep -q 'expected ifconfig'; ! $SLUICECTL -s $SOCK frobnicate >/dev/null"
check "ifconfig on a bridge rejects a bad option" \
	sh -c "! $SLUICECTL -s $SOCK ifconfig bridge0 maxaddr many"
finish
