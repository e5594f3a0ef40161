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
# KDIR wins; then the running kernel's headers; then the headers Debian's
# default kernel metapackage (linux-headers-amd64) depends on.  Never a
# glob over /usr/src: "6.1*" also matches 6.12.
vprime_kdir() {
	local d pkg
	if [ -n "${KDIR:-}" ]; then
		echo "$KDIR"
		return
	fi
	d=/lib/modules/$(uname -r)/build
	if [ -f "$d/Makefile" ]; then
		echo "$d"
		return
	fi
	pkg=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
		grep -o 'linux-headers-[^ ,]*-amd64' | head -n 1)
	d=/usr/src/$pkg
	[ -n "$pkg" ] && [ -f "$d/Makefile" ] && { echo "$d"; return; }
	return 1
}

# vprime_krelease KDIR: the kernel release those headers were made for.
vprime_krelease() {
	sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
		"$1/include/generated/utsrelease.h"
}

# vprime_k612_env: set and export KDIR and VPRIME_KO_DIR for a guest run
# on Debian's Linux 6.12: its kbuild tree (downloaded and unpacked once by
# scripts/kernel-6.12) and the modules built for it in build/modules-6.12.
vprime_k612_env() {
	KDIR=$("$VPRIME_TOP/scripts/kernel-6.12") &&
		VPRIME_KO_DIR=$("$VPRIME_TOP/scripts/debug-modules" "$KDIR" \
			"$VPRIME_BUILD/modules-6.12") &&
		export KDIR VPRIME_KO_DIR
}

# vprime_fetch_deb PKG: download Debian package PKG (never installed) into
# build/deb once and print the .deb's path.
vprime_fetch_deb() {
	local d=$VPRIME_BUILD/deb f tmp
	f=$(ls "$d/$1"_*.deb 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$f" ]; then
		mkdir -p "$d"
		# apt's sandbox user cannot write to our tree.
		tmp=$(mktemp -d)
		chmod 0777 "$tmp"
		(cd "$tmp" && apt-get download -q "$1" >/dev/null 2>&1) ||
			(cd "$tmp" && apt-get download "$1" >&2) ||
			{ rm -rf "$tmp"; return 1; }
		mv "$tmp"/*.deb "$d/"
		rmdir "$tmp"
		f=$(ls "$d/$1"_*.deb | sort -V | tail -n 1)
	fi
	echo "$f"
}
