#!/usr/bin/env bash
# Runs every t-*.sh integration test (as root) and totals their checks.
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
export BUILD
pass=0 fail=0
for t in test/integration/t-*.sh; do
	out=$(mktemp)
	timeout 300 bash "$t" >"$out" 2>&1
	rc=$?
	cat "$out"
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
	p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+')
	f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+')
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0}))
	if [ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
		echo "FAIL $t exited $rc"
		fail=$((fail + 1))
	fi
	rm -f "$out"
done
echo "integration: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
