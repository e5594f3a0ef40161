# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the vprime scripts: where things live and which kernel
# is the target.  Source it; it defines functions and variables only.

VPRIME_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VPRIME_BUILD=${VPRIME_BUILD:-$VPRIME_TOP/build}

die() {
	echo "$(basename "$0"): $*" >&2
	exit 1
}

# vprime_kdir: print the kernel build tree to build against.
# KDIR wins; then the running kernel's headers; then the newest installed
# Debian 6.1 amd64 headers (linux-headers-amd64 pulls those in).
vprime_kdir() {
	local d
	if [ -n "${KDIR:-}" ]; then
		echo "$KDIR"
		return
	fi
	d=/lib/modules/$(uname -r)/build
	if [ -f "$d/Makefile" ]; then
		echo "$d"
		return
	fi
	d=$(ls -d /usr/src/linux-headers-6.1*-amd64 2>/dev/null | sort -V | tail -n 1)
	[ -n "$d" ] && [ -f "$d/Makefile" ] && { echo "$d"; return; }
	return 1
}

# vprime_krelease KDIR: the kernel release those headers were made for.
vprime_krelease() {
	sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
		"$1/include/generated/utsrelease.h"
}
