#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host test of `make install`: libvprime, its headers and pkg-config file
# land under PREFIX, and a program built only with `pkg-config libvprime`
# compiles, links (static and shared) and runs.  IGT-style subtest lines.
set -u
. "$(dirname "$0")/lib/check.sh"

prefix=$tmp/prefix
install_ok() {
	make -s -C "$top" install PREFIX="$prefix" >"$tmp/install.log" 2>&1 ||
		{ cat "$tmp/install.log"; return 1; }
}
check install install_ok
for f in lib/libvprime.a lib/libvprime.so.1 lib/libvprime.so \
	 lib/pkgconfig/libvprime.pc include/vprime/vprime.h \
	 include/vprime/drm/vprime_drm.h include/vprime/linux/cenalloc.h \
	 bin/dmabuf-inspect; do
	check "installed-$(basename "$f")" test -e "$prefix/$f"
done

cat >"$tmp/user.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <vprime.h>

int main(void)
{
	/* No vprime device on the host: a clear error, not a crash. */
	int fd = vprime_open_driver("vprime-not-here", VPRIME_PRIMARY, 0);

	if (fd != -19 || !strstr(vprime_error(), "vprime-not-here"))
		return 1;
	printf("%s\n", vprime_error());
	return DRM_IOCTL_VPRIME_GEM_INFO && CENALLOC_IOC_ALLOC ? 0 : 1;
}
C
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
check pkg-config-shared bash -c "cc -Wall -Werror -o '$tmp/user' '$tmp/user.c' \
	\$(pkg-config --cflags --libs libvprime) && \
	LD_LIBRARY_PATH='$prefix/lib' '$tmp/user'"
check pkg-config-static bash -c "cc -Wall -Werror -o '$tmp/user-static' '$tmp/user.c' \
	\$(pkg-config --cflags libvprime) '$prefix/lib/libvprime.a' \
	\$(pkg-config --static --libs-only-l libvprime | sed 's/-lvprime//') && \
	'$tmp/user-static'"
exit $((fails > 0))
