# Shared by tools/check and tools/lab: Debian packages and the build.
# shellcheck shell=bash

SLUICE_PACKAGES="meson ninja-build pkg-config gcc clang libpcap-dev libnet1-dev
libxxhash-dev libcriterion-dev python3 iproute2 iputils-ping tcpdump dnsmasq-base
netcat-openbsd procps isc-dhcp-client mandoc"

# tools/check also builds sluice-bench's rte_acl rows (bench_acl_dpdk.c):
# DPDK's classifier beside sluice's, and every ClassBench header answered
# alike by both (~21 MB to download; tools/lab does not need it).
SLUICE_CHECK_PACKAGES="libdpdk-dev"

# sluice_deps [PACKAGE...]: install whatever of SLUICE_PACKAGES and these
# is missing (as root, with apt-get; never by hand).
sluice_deps() {
	local missing=() p
	for p in $SLUICE_PACKAGES "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "== installing: ${missing[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		echo "need root to install: ${missing[*]}" >&2
		return 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq &&
		apt-get install -y -qq --no-install-recommends "${missing[@]}" \
		>/dev/null
}

# sluice_build DIR [meson options...]
sluice_build() {
	local dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || {
			cat "$dir.setup.log"
			return 1
		}
	fi
	ninja -C "$dir" >"$dir.ninja.log" 2>&1 || {
		grep -E 'error|warning' "$dir.ninja.log" | head -50
		tail -20 "$dir.ninja.log"
		return 1
	}
}
