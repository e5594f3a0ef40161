// SPDX-License-Identifier: MIT
/*
 * vprime_hotunplug: unbind and rebind a vprime device through sysfs, as
 * upstream IGT's core_hotunplug does (unbind-rebind, hotunbind-rebind,
 * hotrebind, hotrebind-lateclose), while a client holds handles, dma-bufs,
 * mappings and an importer holds one of its buffers.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <linux/dma-buf.h>
#include <xf86drm.h>

#include "igt.h"
#include "vprime_common.h"

#define DRV "/sys/bus/platform/drivers/vprime"
#define DEV "vprime.0"
#define SIZE (64 * 1024)

static void sysfs_write(const char *path, const char *val)
{
	int f = open(path, O_WRONLY);

	igt_assert_f(f >= 0, "%s: %s\n", path, strerror(errno));
	igt_assert_eq((int)write(f, val, strlen(val)), (int)strlen(val));
	close(f);
}

static bool bound(void)
{
	return access(DRV "/" DEV, F_OK) == 0;
}

static void dev_unbind(void)
{
	sysfs_write(DRV "/unbind", DEV);
	igt_assert(!bound());
}

static void dev_bind(void)
{
	sysfs_write(DRV "/bind", DEV);
	igt_assert(bound());
}

/* The card node of platform device DEV, opened, or -1. */
static int open_dev(void)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct stat st;
	int i, fd;

	for (i = 0; i < 16; i++) {
		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		igt_assert_eq(fstat(fd, &st), 0);
		snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device",
			 major(st.st_rdev), minor(st.st_rdev));
		if (realpath(path, link) && !strcmp(strrchr(link, '/') + 1, DEV))
			return fd;
		close(fd);
	}
	return -1;
}

/* A bound device works: it opens, creates, exports and maps. */
static void healthcheck(void)
{
	int fd = open_dev();
	uint32_t h;
	int dmabuf;
	uint8_t *p;

	igt_assert_f(fd >= 0, "no card node for " DEV "\n");
	h = vprime_gem_create(fd, SIZE, 0);
	dmabuf = vp_prime_handle_to_fd(fd, h);
	p = vp_gem_mmap(fd, h, SIZE, PROT_READ | PROT_WRITE);
	pattern_fill(p, SIZE, 42);
	munmap(p, SIZE);
	p = dmabuf_mmap(dmabuf, SIZE, PROT_READ);
	igt_assert(pattern_check(p, SIZE, 42));
	munmap(p, SIZE);
	close(dmabuf);
	vp_gem_close(fd, h);
	close(fd);
}

igt_main
{
	int base_bufs = 0;

	igt_fixture {
		igt_require_f(access(DRV "/" DEV, F_OK) == 0,
			      DEV " is not bound to the vprime driver\n");
		base_bufs = bufinfo_count("vprime");
	}

	igt_describe("Unbind and bind with no client: the device comes back");
	igt_subtest("unbind-rebind") {
		dev_unbind();
		igt_assert_eq(open_dev(), -1);
		dev_bind();
		healthcheck();
	}

	igt_describe("Unbind under a client holding handles, dma-bufs, mappings and an importer");
	igt_subtest("hotunbind-rebind") {
		int vgem = drm_open_by_name("vgem", VPRIME_NODE_PRIMARY, 0);
		struct drm_vprime_getparam gp = {
			.param = VPRIME_PARAM_DEVICE_INDEX,
		};
		int fd = open_dev();
		uint8_t *g, *d;
		uint32_t h, hv = 0;
		int dmabuf;

		igt_assert(fd >= 0);
		h = vprime_gem_create(fd, SIZE, 0);
		dmabuf = vp_prime_handle_to_fd(fd, h);
		g = vp_gem_mmap(fd, h, SIZE, PROT_READ | PROT_WRITE);
		pattern_fill(g, SIZE, 7);
		d = dmabuf_mmap(dmabuf, SIZE, PROT_READ | PROT_WRITE);
		if (vgem >= 0)
			igt_assert_eq(drmPrimeFDToHandle(vgem, dmabuf, &hv), 0);

		dev_unbind();
		/* The client's file is dead: ioctls say so. */
		igt_assert_eq(ioctl(fd, DRM_IOCTL_VPRIME_GETPARAM, &gp), -1);
		igt_assert_eq(errno, ENODEV);
		/* Its GEM mapping is gone with the device... */
		igt_assert(vp_read_sigbus(g));
		/* ...but the exported buffer lives on for everyone holding it. */
		igt_assert(pattern_check(d, SIZE, 7));
		d[0] = 0x55;
		munmap(d, SIZE);
		d = dmabuf_mmap(dmabuf, SIZE, PROT_READ);
		igt_assert_eq(d[0], 0x55);
		munmap(d, SIZE);
		munmap(g, SIZE);
		igt_assert_eq(close(fd), 0);

		dev_bind();
		healthcheck();
		if (vgem >= 0) {
			vp_gem_close(vgem, hv);
			close(vgem);
		}
		close(dmabuf);
		igt_assert_eq(bufinfo_count("vprime"), base_bufs);
	}

	igt_describe("Bind again while a client of the old device is still open");
	igt_subtest("hotrebind-lateclose") {
		int fd = open_dev();
		uint32_t h;

		igt_assert(fd >= 0);
		h = vprime_gem_create(fd, SIZE, 0);
		dev_unbind();
		dev_bind();
		healthcheck();
		/* The old client can still close its handle and its file. */
		igt_assert_eq(drmCloseBufferHandle(fd, h), -1);
		igt_assert_eq(close(fd), 0);
		healthcheck();
	}

	igt_describe("Unbind and bind repeatedly with a client open each time");
	igt_subtest("hotrebind-repeated") {
		int i, fds[4];

		for (i = 0; i < 4; i++) {
			fds[i] = open_dev();
			igt_assert(fds[i] >= 0);
			vprime_gem_create(fds[i], SIZE, 0);
			dev_unbind();
			dev_bind();
		}
		for (i = 0; i < 4; i++)
			igt_assert_eq(close(fds[i]), 0);
		healthcheck();
	}

	igt_fixture {
		if (!bound())
			dev_bind();
		igt_assert_eq(bufinfo_count("vprime"), base_bufs);
	}
}
