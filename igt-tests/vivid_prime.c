// SPDX-License-Identifier: MIT
/*
 * vivid_prime: buffers shared between vprime and the V4L2 vivid driver.
 * vivid capture buffers exported with VIDIOC_EXPBUF are imported on
 * vprime and read through vprime's mmap, which forwards to vivid, with
 * both of vivid's allocators (vmalloc and dma-contig): first with bytes
 * the test wrote, then with frames vivid drew itself from a solid-colour
 * test pattern.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <linux/dma-buf.h>

#include <xf86drm.h>

#include "igt.h"
#include "igt_kmod.h"
#include "v4l2_common.h"
#include "vprime_common.h"

#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE

static int fd = -1;

static void expbuf_import(int allocators)
{
	struct buf_census before = buf_census(fd);
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

	h = vp_prime_fd_to_handle(fd, dmabuf);
	igt_assert_eq_u32(vp_prime_fd_to_handle(fd, dmabuf), h);
	info = vprime_gem_info(fd, h);
	igt_assert_eq_u32(info.state, VPRIME_GEM_STATE_IMPORTED);
	igt_assert_eq_u64(info.size, (length + 4095) & ~4095u);
	/* MAP_DUMB + mmap on the card node forwards to vivid's mmap */
	p = vp_gem_mmap(fd, h, length, PROT_READ | PROT_WRITE);
	igt_assert(pattern_check(p, length & ~3u, 0x1d + allocators));
	pattern_fill(p, length & ~3u, 0x2e);
	igt_assert(pattern_check(vp, length & ~3u, 0x2e));

	munmap(p, length);
	vp_gem_close(fd, h);
	close(dmabuf);
	munmap(vp, length);
	igt_assert_eq(v4l2_reqbufs_mmap(cap, CAP, 0), 0);
	close(cap);
	vivid_unload();
	assert_census_eq(fd, &before);
}

/*
 * Is @q (4 bytes) what vivid's solid test pattern gives?  XR24 "100% Red"
 * is B 0, G 0, R 255 (its X byte is padding and not compared).  YUYV
 * "100% White" is limited-range Y'CbCr: Y 235, Cb = Cr = 128, where
 * vivid's 12-bit pipeline may round Y by one.
 */
static bool solid_pixel_ok(uint32_t fourcc, const uint8_t *q)
{
	if (fourcc != V4L2_PIX_FMT_YUYV)
		return q[0] == 0 && q[1] == 0 && q[2] == 0xff;
	return q[0] >= 234 && q[0] <= 235 && q[2] >= 234 && q[2] <= 235 &&
	       q[1] == 128 && q[3] == 128;
}

/* A failed subtest may leave its vivid file open; close it before reload. */
static int stale_cap = -1;

static void close_stale(void)
{
	if (stale_cap >= 0)
		close(stale_cap);
	stale_cap = -1;
}

/*
 * vivid draws a captured frame (webcam input, solid colour, no OSD text);
 * the buffer is exported, imported on vprime (twice, and through a dup'ed
 * fd: one handle) and every pixel is checked through vprime's mmap.
 */
static void pattern_import(int allocators, uint32_t fourcc, uint32_t w,
			   uint32_t h)
{
	struct buf_census before = buf_census(fd);
	struct drm_vprime_gem_info info;
	struct v4l2_buffer buf;
	uint32_t bpl = 0, size, hdl, x, y, i, cpp;
	int cap, dmabuf, dup_fd, idx;
	const uint8_t *p;

	close_stale();
	vivid_reload(allocators);
	cap = vivid_open("vid-cap");
	stale_cap = cap;
	v4l2_select_input(cap, "Webcam");
	size = v4l2_set_format(cap, CAP, w, h, fourcc, &bpl);
	cpp = fourcc == V4L2_PIX_FMT_YUYV ? 2 : 4;
	igt_assert_lte(w * cpp, bpl);
	v4l2_set_menu(cap, "Test Pattern", fourcc == V4L2_PIX_FMT_YUYV ?
		      "100% White" : "100% Red");
	v4l2_set_menu(cap, "OSD Text Mode", "None");

	igt_assert_eq(v4l2_reqbufs_mmap(cap, CAP, 2), 2);
	for (i = 0; i < 2; i++)
		igt_assert_eq(v4l2_qbuf_mmap(cap, CAP, i), 0);
	v4l2_stream(cap, CAP, true);
	idx = v4l2_dqbuf(cap, CAP, V4L2_MEMORY_MMAP, 20000, &buf);
	igt_assert_f(idx >= 0, "DQBUF: %s\n", strerror(-idx));
	igt_assert_eq_u32(buf.bytesused, size);
	v4l2_stream(cap, CAP, false);

	dmabuf = v4l2_expbuf(cap, CAP, idx);
	hdl = vp_prime_fd_to_handle(fd, dmabuf);
	igt_assert_eq_u32(vp_prime_fd_to_handle(fd, dmabuf), hdl);
	dup_fd = dup(dmabuf);
	igt_assert_lte(0, dup_fd);
	igt_assert_eq_u32(vp_prime_fd_to_handle(fd, dup_fd), hdl);
	close(dup_fd);
	info = vprime_gem_info(fd, hdl);
	igt_assert_eq_u32(info.state, VPRIME_GEM_STATE_IMPORTED);
	igt_assert_lte_u64(size, info.size);

	p = vp_gem_mmap(fd, hdl, size, PROT_READ);
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	for (y = 0; y < h; y++) {
		for (x = 0; x < w * cpp; x += 4) {
			const uint8_t *q = p + y * bpl + x;

			igt_assert_f(solid_pixel_ok(fourcc, q),
				     "pixel byte %u,%u: %02x %02x %02x %02x\n",
				     x, y, q[0], q[1], q[2], q[3]);
		}
	}
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);

	munmap((void *)p, size);
	vp_gem_close(fd, hdl);
	close(dmabuf);
	igt_assert_eq(v4l2_reqbufs_mmap(cap, CAP, 0), 0);
	close(cap);
	stale_cap = -1;
	vivid_unload();
	assert_census_eq(fd, &before);
}

igt_main
{
	static const struct vivid_case fmts[] = {
		{ V4L2_PIX_FMT_XBGR32, 320, 180, "xr24-320x180" },
		{ V4L2_PIX_FMT_XBGR32, 1280, 720, "xr24-1280x720" },
		{ V4L2_PIX_FMT_XBGR32, 1920, 1080, "xr24-1920x1080" },
		{ V4L2_PIX_FMT_YUYV, 320, 180, "yuyv-320x180" },
		{ V4L2_PIX_FMT_YUYV, 1920, 1080, "yuyv-1920x1080" },
	};
	int a, i;

	igt_fixture {
		fd = vprime_open(VPRIME_NODE_PRIMARY, 0);
	}

	igt_describe("vivid (vmalloc) capture buffers import on vprime and map through it");
	igt_subtest("capture-expbuf-import-vmalloc")
		expbuf_import(0);

	igt_describe("vivid (dma-contig) capture buffers import on vprime and map through it");
	igt_subtest("capture-expbuf-import-dma-contig")
		expbuf_import(1);

	for (a = 0; a < 2; a++) {
		for (i = 0; i < (int)ARRAY_SIZE(fmts); i++) {
			/*
			 * Without CMA, vivid's dma-contig cannot allocate its
			 * own 8 MiB frames (dma_alloc_coherent gets at most
			 * 4 MiB); it can import them from cenalloc, which
			 * vivid_loop tests.
			 */
			if (a == 1 && fmts[i].w * fmts[i].h * 4 > (4u << 20) &&
			    fmts[i].fourcc != V4L2_PIX_FMT_YUYV)
				continue;
			igt_describe("A frame vivid drew, read through a vprime import");
			igt_subtest_f("capture-pattern-%s-%s", fmts[i].name,
				      vivid_allocator_name[a])
				pattern_import(a, fmts[i].fourcc, fmts[i].w,
					       fmts[i].h);
		}
	}

	igt_fixture {
		close_stale();
		vivid_unload();
		close(fd);
	}
}
