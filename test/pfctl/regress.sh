#!/bin/sh
# OpenBSD's pfctl parser/printer regress cases, run against sluice.
#
#   test/pfctl/regress.sh build/tools/sluicectl pfctl
#
# The arguments are the command that plays pfctl.  Cases come from
# ${SLUICE_CORPUS:-<repo>/../shared/corpus}/pfctl and run from that
# directory, as upstream's Makefile runs them:
#   pfN      pfctl -o none -nv -f - < pfN.in            == pfN.ok (stdout)
#   selfpfN  pfctl -o none -nv -f - < pfN.ok            == pfN.ok
#   pfailN   pfctl -o none -nv -f - < pfailN.in 2>&1    == pfailN.ok, exit 1
#   pfoptN   pfctl -o none -nv -f - $(cat .opts) < .in  == pfoptN.ok
# hostdep/ cases (and their selfpf) run with -H regress, the emulated
# host the expected outputs were recorded on.  One line per failure with
# a short diff, then "pfctl regress: N passed, M failed".
[ $# -ge 1 ] || { echo "usage: $0 command [args...]" >&2; exit 2; }

# make the command absolute: the cases run from the corpus directory
cmd=$1
shift
case $cmd in
/*) ;;
*/*) cmd=$(pwd)/$cmd ;;
esac

top=$(git rev-parse --show-toplevel 2>/dev/null || pwd)
corpus=${SLUICE_CORPUS:-$top/../shared/corpus}/pfctl
[ -d "$corpus" ] || { echo "$0: no corpus at $corpus" >&2; exit 2; }
cd "$corpus" || exit 2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

report() {	# name expected actual [note]
	if cmp -s "$2" "$3" && [ -z "$4" ]; then
		pass=$((pass + 1))
		return
	fi
	fail=$((fail + 1))
	echo "FAIL pfctl/$1${4:+ ($4)}"
	diff -u "$2" "$3" | sed -n '3,12s/^/    /p'
}

run_pf() {	# name dir extra-args...
	n=$1
	d=$2
	shift 2
	"$cmd" "$@" -o none -nv -f - < "$d/$n.in" > "$tmp/out" 2> "$tmp/err"
	report "$n" "$d/$n.ok" "$tmp/out"
	"$cmd" "$@" -o none -nv -f - < "$d/$n.ok" > "$tmp/out" 2> "$tmp/err"
	report "self$n" "$d/$n.ok" "$tmp/out"
}

for f in pf[0-9]*.in; do
	run_pf "${f%.in}" . "$@"
done
for f in hostdep/pf[0-9]*.in; do
	n=${f#hostdep/}
	run_pf "${n%.in}" hostdep "$@" -H regress
done
for f in pfail[0-9]*.in; do
	n=${f%.in}
	"$cmd" "$@" -o none -nv -f - < "$f" > "$tmp/out" 2>&1
	rc=$?
	note=
	# pfail14 is valid pf.conf (upstream does not check the status)
	if [ $rc -ne 1 ] && [ "$n" != pfail14 ]; then
		note="exit $rc, want 1"
	fi
	report "$n" "$n.ok" "$tmp/out" "$note"
done
for f in pfopt[0-9]*.in; do
	n=${f%.in}
	# shellcheck disable=SC2046
	"$cmd" "$@" -o none -nv -f - $(cat "$n.opts") < "$f" > "$tmp/out" \
	    2> "$tmp/err"
	report "$n" "$n.ok" "$tmp/out"
done

echo "pfctl regress: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
