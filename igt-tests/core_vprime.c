// SPDX-License-Identifier: MIT
/*
 * core_vprime: the vprime module is loaded and shows up as well-formed DRM
 * devices, one primary and one render node per instance.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <xf86drm.h>

#include "igt.h"
#include "vprime_common.h"

static void check_version(int fd)
{
	drmVersionPtr v = drmGetVersion(fd);

	igt_assert(v);
	igt_assert_eq(strcmp(v->name, "vprime"), 0);
	igt_assert(v->desc && strlen(v->desc) > 0);
	/* YYYYMMDD; since 6.12 the DRM core reports "0" for every driver. */
	igt_assert(v->date &&
		   (strlen(v->date) == 8 || strcmp(v->date, "0") == 0));
	igt_assert_eq(v->version_major, 1);
	drmFreeVersion(v);
}

igt_main
{
	igt_describe("DRM_IOCTL_VERSION on the primary node names vprime");
	igt_subtest("version-primary") {
		int fd = vprime_open(VPRIME_NODE_PRIMARY, 0);

		check_version(fd);
		close(fd);
	}

	igt_describe("DRM_IOCTL_VERSION on the render node names vprime");
	igt_subtest("version-render") {
		int fd = vprime_open(VPRIME_NODE_RENDER, 0);

		check_version(fd);
		igt_assert_eq(drmGetNodeTypeFromFd(fd), DRM_NODE_RENDER);
		close(fd);
	}

	igt_describe("Each of num_devices instances has a card and a render node");
	igt_subtest("nodes-per-device") {
		long n = module_param_long("vprime", "num_devices");

		igt_assert_lte(1, n);
		igt_assert_eq(drm_count_by_name("vprime", VPRIME_NODE_PRIMARY), n);
		igt_assert_eq(drm_count_by_name("vprime", VPRIME_NODE_RENDER), n);
	}

	igt_describe("GET_CLIENT reports this process; GET_STATS answers");
	igt_subtest("client-and-stats") {
		int fd = vprime_open(VPRIME_NODE_PRIMARY, 0);
		struct drm_client client = { .idx = 0 };
		struct drm_stats stats;

		igt_assert_eq(igt_ioctl(fd, DRM_IOCTL_GET_CLIENT, &client), 0);
		igt_assert_eq(client.pid, getpid());
		igt_assert(client.auth);
		client.idx = 1 << 20;
		igt_assert_eq(igt_ioctl(fd, DRM_IOCTL_GET_CLIENT, &client), -1);
		igt_assert_eq(errno, EINVAL);
		igt_assert_eq(igt_ioctl(fd, DRM_IOCTL_GET_STATS, &stats), 0);
		close(fd);
	}

	igt_describe("A second client authenticates through the master's magic");
	igt_subtest("auth") {
		int master = vprime_open(VPRIME_NODE_PRIMARY, 0);
		int other = vprime_open(VPRIME_NODE_PRIMARY, 0);
		drm_magic_t magic;

		igt_assert_eq(drmGetMagic(other, &magic), 0);
		igt_assert_eq(drmAuthMagic(master, magic), 0);
		/* a magic that was never handed out is refused */
		igt_assert_eq(drmAuthMagic(master, magic + 1000), -EINVAL);
		close(other);
		close(master);
	}

	igt_describe("The primary and render nodes of one device are one device");
	igt_subtest("nodes-same-device") {
		int card = vprime_open(VPRIME_NODE_PRIMARY, 0);
		int render = vprime_open(VPRIME_NODE_RENDER, 0);
		char *a = drmGetPrimaryDeviceNameFromFd(card);
		char *b = drmGetPrimaryDeviceNameFromFd(render);

		igt_assert(a && b);
		igt_assert_eq(strcmp(a, b), 0);
		free(a);
		free(b);
		close(render);
		close(card);
	}
}
