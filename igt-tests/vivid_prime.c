// SPDX-License-Identifier: MIT
/*
 * vivid_prime: buffers shared between vprime and the V4L2 vivid driver.
 * vivid capture buffers exported with VIDIOC_EXPBUF are imported on
 * vprime and read through vprime's mmap, which forwards to vivid, with
 * both of vivid's allocators (vmalloc and dma-contig).
 */
#include <fcntl.h>
#include <sys/mman.h>

#include <xf86drm.h>

#include "igt.h"
#include "igt_kmod.h"
#include "v4l2_common.h"
#include "vprime_common.h"

#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE

static int fd = -1;

static void expbuf_import(int allocators)
{
	struct drm_vprime_gem_info info;
	uint32_t length, h, size;
	void *vp, *p;
	int cap, dmabuf;

	vivid_reload(allocators);
	cap = vivid_open("vid-cap");
	size = v4l2_set_format(cap, CAP, 640, 360, V4L2_PIX_FMT_XBGR32, NULL);
	igt_assert(v4l2_reqbufs_mmap(cap, CAP, 2) >= 2);
	vp = v4l2_mmap_buffer(cap, CAP, 0, &length);
	igt_assert(length >= size);
	pattern_fill(vp, length & ~3u, 0x1d + allocators);
	dmabuf = v4l2_expbuf(cap, CAP, 0);

	h = prime_fd_to_handle(fd, dmabuf);
	igt_assert_eq_u32(prime_fd_to_handle(fd, dmabuf), h);
	info = vprime_gem_info(fd, h);
	igt_assert_eq_u32(info.state, VPRIME_GEM_STATE_IMPORTED);
	igt_assert_eq_u64(info.size, (length + 4095) & ~4095u);
	/* MAP_DUMB + mmap on the card node forwards to vivid's mmap */
	p = gem_mmap(fd, h, length, PROT_READ | PROT_WRITE);
	igt_assert(pattern_check(p, length & ~3u, 0x1d + allocators));
	pattern_fill(p, length & ~3u, 0x2e);
	igt_assert(pattern_check(vp, length & ~3u, 0x2e));

	munmap(p, length);
	gem_close(fd, h);
	close(dmabuf);
	munmap(vp, length);
	igt_assert_eq(v4l2_reqbufs_mmap(cap, CAP, 0), 0);
	close(cap);
	vivid_unload();
}

igt_main
{
	igt_fixture {
		fd = vprime_open(VPRIME_NODE_PRIMARY, 0);
	}

	igt_describe("vivid (vmalloc) capture buffers import on vprime and map through it");
	igt_subtest("capture-expbuf-import-vmalloc")
		expbuf_import(0);

	igt_describe("vivid (dma-contig) capture buffers import on vprime and map through it");
	igt_subtest("capture-expbuf-import-dma-contig")
		expbuf_import(1);

	igt_fixture {
		close(fd);
	}
}
