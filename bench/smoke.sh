#!/usr/bin/env bash
# bench/smoke.sh BUILD_DIR: do the benchmark tools run and say something
# sane?  sluice-bench --quick must report every variant of every case (l2,
# acl, nat, route, pipeline) with non-zero, finite numbers; sluice-gen must
# write the frames it says it wrote, of the size asked, into a pcap file,
# also with flows read from a ClassBench trace.  No timing is judged here:
# that is what bench/system is for.
set -u
BUILD=${1:?usage: bench/smoke.sh BUILD_DIR}
BENCH=$BUILD/bench/sluice-bench
GEN=$BUILD/tools/sluice-gen
TMP=$(mktemp -d /tmp/sluice-smoke-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
PASS=0 FAIL=0

ok() { PASS=$((PASS + 1)); echo "ok   $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }
check() {	# check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@" >"$TMP/out" 2>&1; then
		ok "$what"
	else
		bad "$what"
		sed 's/^/     /' "$TMP/out" | tail -10
	fi
}

# Count the frames of a pcap file and check that all are LEN bytes long.
pcap_check() {	# pcap_check FILE COUNT LEN
	python3 - "$@" <<'PY'
import struct, sys
path, want, length = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, "rb").read()
magic = struct.unpack("<I", data[:4])[0]
end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
assert struct.unpack(end + "I", data[20:24])[0] == 1, "not Ethernet"
off, n = 24, 0
while off < len(data):
    _, _, caplen, wirelen = struct.unpack(end + "IIII", data[off:off + 16])
    assert caplen == wirelen == length, f"frame {n}: {caplen} bytes, want {length}"
    off += 16 + caplen
    n += 1
assert n == want, f"{n} frames, want {want}"
PY
}

for b in "$BENCH" "$GEN"; do
	check "$(basename "$b") is built" test -x "$b"
done

# ---- sluice-bench ----
if "$BENCH" --quick --csv "$TMP/bench.csv" >"$TMP/bench.out" 2>"$TMP/bench.err"; then
	ok "sluice-bench --quick exits 0"
else
	bad "sluice-bench --quick exits 0"
	tail -5 "$TMP/bench.err"
fi
check "sluice-bench: 12 l2 rows (bridge and dp_input x 1/1k/64k MACs x vlan off/on)" \
	test "$(grep -c '^l2 ' "$TMP/bench.out")" -eq 12
check "sluice-bench: l2 Mpps, ns/pkt, cycles/pkt non-zero and finite" \
	python3 - "$TMP/bench.csv" <<'PY'
import csv, math, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["status"] == "ok"]
assert rows, "no measured rows"
for r in rows:
    for k in ("mpps_median", "mpps_min", "mpps_max", "ns_per_pkt_median",
              "cycles_per_pkt_median"):
        v = float(r[k])
        assert math.isfinite(v) and v > 0, f"{r['variant']}: {k} = {v}"
    assert float(r["mpps_min"]) <= float(r["mpps_median"]) <= float(r["mpps_max"]), r
    assert int(r["runs"]) >= 5, r
PY
CORPUS=${SLUICE_CORPUS:-$(cd "$(dirname "$0")/../.." && pwd)/shared/corpus}
if [ -d "$CORPUS/classbench" ]; then
	check "sluice-bench: 18 ClassBench acl rows (6 sets + 3 first-10 sets, compiled and linear)" \
		test "$(grep -cE '^acl +(acl|fw|ipc)[12]_1?[0-9]k .*, (compiled|linear) ' "$TMP/bench.out")" -eq 18
	# built with libdpdk-dev (tools/check installs it): rte_acl beside
	# sluice on every set, after both answered every trace header alike
	if grep -qE '^acl +skipped: DPDK rte_acl: not built' "$TMP/bench.out"; then
		bad "sluice-bench: rte_acl rows (libdpdk-dev missing: tools/check installs it)"
	else
		check "sluice-bench: 18 rte_acl rows (9 sets x burst 1, 64), same answers as sluice" \
			test "$(grep -cE '^acl +(acl|fw|ipc)[12]_1?[0-9]k .*, DPDK rte_acl, burst (1|64) ' "$TMP/bench.out")" -eq 18
	fi
else
	check "sluice-bench: acl says the ClassBench corpus is missing" \
		grep -qE '^acl +skipped: no ClassBench' "$TMP/bench.out"
fi
check "sluice-bench: 2 state-hit rows (1k, 64k states)" \
	test "$(grep -cE '^acl +state_lookup hit, [0-9]+ states ' "$TMP/bench.out")" -eq 2
check "sluice-bench: 2 batched state-hit rows (1k, 64k states)" \
	test "$(grep -cE '^acl +state_lookup hit, [0-9]+ states, batched ' "$TMP/bench.out")" -eq 2
check "sluice-bench: 8 nat rows (established, batched, batched from a hot ring and new flow x 1k/64k states)" \
	test "$(grep -cE '^nat +(established|new flow into)' "$TMP/bench.out")" -eq 8
check "sluice-bench: nat reports the memory per state" \
	grep -qE '^nat +established, 1000 states .* [0-9]+ B/state' "$TMP/bench.out"
check "sluice-bench: 3 route rows (1k/10k/100k routes)" \
	test "$(grep -cE '^route +lpm_lookup, [0-9]+ routes ' "$TMP/bench.out")" -eq 3
check "sluice-bench: 4 pipeline rows (out and in x 1/1k flows), every frame delivered" \
	test "$(grep -cE '^pipeline +(out|in) .* (em0|em1) sent 1\.000 of the frames' "$TMP/bench.out")" -eq 4
check "sluice-bench: nothing skipped but what lacks its data" \
	sh -c "! grep -E ' skipped: ' $TMP/bench.out | grep -v 'no ClassBench'"
check "sluice-bench: unknown case refused" sh -c "! $BENCH --quick nosuchcase"

# ---- sluice-gen ----
check "sluice-gen --help documents every option" sh -c "
	$GEN --help >$TMP/help &&
	for o in write interface tap proto size vlan pcp flows random flows-from src-macs \
	    dst-macs src-mac dst-mac src-ip dst-ip sport dport rate duration \
	    count burst seed qdisc verbose quiet help; do
		grep -q -- \"--\$o\" $TMP/help || { echo missing --\$o; exit 1; }
	done"
check "sluice-gen: 1000 UDP frames of 64 B to a pcap" \
	sh -c "$GEN -w $TMP/a.pcap -c 1000 -f 16 -m 4 >$TMP/gen.out &&
	grep -q '^sluice-gen: sent 1000 frames' $TMP/gen.out"
check "sluice-gen: the pcap holds 1000 frames of 60 bytes" pcap_check "$TMP/a.pcap" 1000 60
check "sluice-gen: 257 tagged TCP frames of 1518 B" \
	sh -c "$GEN -q -w $TMP/b.pcap -c 257 -p tcp -V 10 -s 1518"
check "sluice-gen: the pcap holds 257 frames of 1514 bytes" pcap_check "$TMP/b.pcap" 257 1514
check "sluice-gen: ICMP, ARP and raw frames build" sh -c "
	$GEN -q -w $TMP/c.pcap -c 3 -p icmp -s 100 &&
	$GEN -q -w $TMP/c.pcap -c 3 -p arp -R -f 8 &&
	$GEN -q -w $TMP/c.pcap -c 3 -p raw -s 1518"
check "sluice-gen: reports a non-zero, finite rate" python3 -c "
import math, re, sys
m = re.search(r'in ([0-9.]+) s: ([0-9.]+) pps', open('$TMP/gen.out').read())
assert m and math.isfinite(float(m.group(2))) and float(m.group(2)) > 0, m"
printf '198.51.100.1 203.0.113.5 1000 80 6 x\n3325256705 3405803781 53 53 17\n198.51.100.3 203.0.113.7 0 0 1\n198.51.100.3 203.0.113.7 0 0 47\n' >"$TMP/flows"
check "sluice-gen: --flows-from a ClassBench-style file (TCP, UDP, ICMP, GRE)" \
	sh -c "$GEN -q -w $TMP/e.pcap -F $TMP/flows -c 8"
check "sluice-gen: the pcap holds 8 frames of 60 bytes" pcap_check "$TMP/e.pcap" 8 60
check "sluice-gen: a size below 64 B is refused" \
	sh -c "! $GEN -q -w $TMP/d.pcap -s 63 2>/dev/null"
check "sluice-bench replays a sluice-gen pcap" \
	sh -c "$BENCH --quick --pcap $TMP/a.pcap l2 | grep -qE '^l2 +dp_input pcap \(1000 frames\) +[0-9]+ +[0-9.]*[1-9]'"

echo "bench smoke: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
