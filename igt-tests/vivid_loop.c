// SPDX-License-Identifier: MIT
/*
 * vivid_loop: a zero-copy video path through a real V4L2 driver.
 *
 * vprime buffers are drawn by the CPU, exported and queued to vivid's HDMI
 * output with V4L2_MEMORY_DMABUF.  vivid's "Loop Video" control copies the
 * output frame to its HDMI capture, which writes into other vprime buffers,
 * also imported as DMABUF.  Output and capture share format and size, so
 * vivid copies the bytes unchanged and every captured byte is compared with
 * what was drawn.  The other direction: vivid's own capture buffers, filled
 * with a solid-colour test pattern, are exported with VIDIOC_EXPBUF,
 * imported on vprime and read through vprime's mmap.
 *
 * Both vivid allocators are used: videobuf2-vmalloc (vmap) and
 * videobuf2-dma-contig (contiguous below 4 GiB, which cenalloc provides
 * under the policy rule "vivid contiguous").  Every subtest ends by
 * checking that no dma-buf and no vprime object is left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <xf86drm.h>

#include "igt.h"
#include "igt_kmod.h"
#include "v4l2_common.h"
#include "vprime_common.h"

#define OUT V4L2_BUF_TYPE_VIDEO_OUTPUT
#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE
#define DMABUF V4L2_MEMORY_DMABUF
#define MAX_BUFS 4
#define FRAMES 6
#define DQ_TIMEOUT_MS 20000

static int fd = -1;
static int stale_out = -1, stale_cap = -1;

/* A vprime object, its dma-buf and a CPU mapping through the card node. */
struct vbuf {
	uint32_t handle;
	int dmabuf;
	uint8_t *map;
	uint64_t size;
};

/* One vivid instance looping HDMI output to HDMI capture. */
struct loop {
	int out, cap;
	uint32_t fourcc, width, height, pitch, sizeimage;
	/* the capture side: the same, or a crop of the top-left corner */
	uint32_t cap_width, cap_height, cap_pitch, cap_size;
	bool dumb;
	int nout, ncap;
	struct vbuf obuf[MAX_BUFS], cbuf[MAX_BUFS];
	uint8_t *expect[MAX_BUFS];
};

static uint32_t fourcc_cpp(uint32_t fourcc)
{
	return fourcc == V4L2_PIX_FMT_YUYV ? 2 : 4;
}

/* A failed subtest may have left its vivid files open. */
static void close_stale(void)
{
	if (stale_out >= 0)
		close(stale_out);
	if (stale_cap >= 0)
		close(stale_cap);
	stale_out = -1;
	stale_cap = -1;
}

/* Fresh vivid with @allocators; dma-contig needs contiguous storage. */
static void vivid_fresh(int allocators)
{
	cenalloc_policy(allocators ? "vivid contiguous" : "vivid");
	vivid_reload(allocators);
}

static void vbuf_create(int drm, struct vbuf *b, const struct loop *l,
			bool capture)
{
	uint32_t w = capture ? l->cap_width : l->width;
	uint32_t h = capture ? l->cap_height : l->height;
	uint32_t want = capture ? l->cap_pitch : l->pitch;
	uint32_t size = capture ? l->cap_size : l->sizeimage;
	uint32_t pitch;

	if (l->dumb) {
		b->handle = dumb_create(drm, w, h, fourcc_cpp(l->fourcc) * 8,
					&pitch, &b->size);
		igt_assert_eq_u32(pitch, want);
	} else {
		b->size = size;
		b->handle = vprime_gem_create(drm, b->size, 0);
	}
	igt_assert_lte_u64(size, b->size);
	b->dmabuf = vp_prime_handle_to_fd(drm, b->handle);
	b->map = vp_gem_mmap(drm, b->handle, b->size, PROT_READ | PROT_WRITE);
}

static void vbuf_release(int drm, struct vbuf *b)
{
	if (b->map)
		munmap(b->map, b->size);
	if (b->dmabuf >= 0)
		close(b->dmabuf);
	if (b->handle && drm >= 0)
		vp_gem_close(drm, b->handle);
	b->map = NULL;
	b->dmabuf = -1;
	b->handle = 0;
}

/* Set up vivid: HDMI out -> loop -> HDMI in, @w x @h @fourcc. */
static void loop_init(struct loop *l, int allocators, uint32_t fourcc,
		      uint32_t w, uint32_t h, bool dumb)
{
	uint32_t bpl;

	close_stale();
	memset(l, 0, sizeof(*l));
	l->fourcc = fourcc;
	l->width = w;
	l->height = h;
	l->dumb = dumb;
	l->pitch = w * fourcc_cpp(fourcc);

	vivid_fresh(allocators);
	l->out = vivid_open("vid-out");
	l->cap = vivid_open("vid-cap");
	stale_out = l->out;
	stale_cap = l->cap;
	v4l2_select_output(l->out, "HDMI");
	v4l2_select_input(l->cap, "HDMI");
	v4l2_set_dv_timings(l->out, w, h);
	v4l2_set_dv_timings(l->cap, w, h);

	bpl = l->pitch;
	l->sizeimage = v4l2_set_format(l->out, OUT, w, h, fourcc, &bpl);
	igt_assert_eq_u32(bpl, l->pitch);
	bpl = l->pitch;
	igt_assert_eq_u32(v4l2_set_format(l->cap, CAP, w, h, fourcc, &bpl),
			  l->sizeimage);
	igt_assert_eq_u32(bpl, l->pitch);
	igt_assert_eq_u32(l->sizeimage, l->pitch * h);
	l->cap_width = w;
	l->cap_height = h;
	l->cap_pitch = l->pitch;
	l->cap_size = l->sizeimage;

	/* no timestamp text over the looped picture */
	v4l2_set_menu(l->cap, "OSD Text Mode", "None");
	v4l2_vivid_loop(l->cap);
}

/* Draw a distinct pattern into output buffer @i and remember it. */
static void draw_output(struct loop *l, int i)
{
	struct vbuf *b = &l->obuf[i];

	l->expect[i] = malloc(l->sizeimage);
	igt_assert(l->expect[i]);
	pattern_fill(l->expect[i], l->sizeimage, 0x5a000000u + (i << 16) +
		     l->width);
	dmabuf_sync(b->dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	memcpy(b->map, l->expect[i], l->sizeimage);
	dmabuf_sync(b->dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
}

static void queue_all(struct loop *l)
{
	int i;

	igt_assert_eq(v4l2_reqbufs_dmabuf(l->out, OUT, l->nout), l->nout);
	igt_assert_eq(v4l2_reqbufs_dmabuf(l->cap, CAP, l->ncap), l->ncap);
	for (i = 0; i < l->nout; i++)
		igt_assert_eq(v4l2_qbuf_dmabuf(l->out, OUT, i,
					       l->obuf[i].dmabuf,
					       l->obuf[i].size,
					       l->sizeimage), 0);
	for (i = 0; i < l->ncap; i++)
		igt_assert_eq(v4l2_qbuf_dmabuf(l->cap, CAP, i,
					       l->cbuf[i].dmabuf,
					       l->cbuf[i].size, 0), 0);
}

/* Does @frame hold output frame @i (its top-left cap_width x cap_height)? */
static bool frame_is(const struct loop *l, const uint8_t *frame, int i,
		     bool report)
{
	uint32_t row = l->cap_width * fourcc_cpp(l->fourcc);
	const uint8_t *want;
	uint32_t y, x;

	for (y = 0; y < l->cap_height; y++) {
		want = l->expect[i] + y * l->pitch;
		if (!memcmp(frame + y * l->cap_pitch, want, row))
			continue;
		if (report) {
			for (x = 0; frame[y * l->cap_pitch + x] == want[x]; x++)
				;
			igt_warn("frame vs output %d: row %u byte %u: %#x != %#x\n",
				 i, y, x, frame[y * l->cap_pitch + x], want[x]);
		}
		return false;
	}
	return true;
}

/* Which output frame does this captured frame hold?  -1 if none. */
static int match_output(const struct loop *l, const uint8_t *frame)
{
	int i;

	for (i = 0; i < l->nout; i++)
		if (l->expect[i] && frame_is(l, frame, i, false))
			return i;
	for (i = 0; i < l->nout; i++)
		if (l->expect[i])
			frame_is(l, frame, i, true);
	return -1;
}

/*
 * Capture @frames frames; each must be byte-identical to one of the output
 * frames, in queue order (vivid shows each output buffer for a frame and
 * keeps the last one on screen).  Returns the last output index seen.
 */
static int capture_frames(struct loop *l, int frames)
{
	struct v4l2_buffer buf;
	int f, idx, seen = -1;

	for (f = 0; f < frames; f++) {
		struct vbuf *b;
		int m;

		idx = v4l2_dqbuf(l->cap, CAP, DMABUF, DQ_TIMEOUT_MS, &buf);
		igt_assert_f(idx >= 0, "capture DQBUF: %s\n", strerror(-idx));
		igt_assert_eq_u32(buf.bytesused, l->cap_size);
		igt_assert(!(buf.flags & V4L2_BUF_FLAG_ERROR));
		b = &l->cbuf[idx];

		dmabuf_sync(b->dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		m = match_output(l, b->map);
		dmabuf_sync(b->dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
		igt_assert_f(m >= 0, "captured frame %d (seq %u) is no output frame\n",
			     f, buf.sequence);
		igt_assert_lte(seen, m);
		seen = m;

		/* scribble, so a frame vivid did not write cannot pass */
		memset(b->map, 0xa5, 64);
		igt_assert_eq(v4l2_qbuf_dmabuf(l->cap, CAP, idx, b->dmabuf,
					       b->size, 0), 0);
	}
	return seen;
}

/* DQBUF @n capture buffers without looking at them or queueing again. */
static void dequeue_only(struct loop *l, int n)
{
	struct v4l2_buffer buf;
	int idx;

	while (n--) {
		idx = v4l2_dqbuf(l->cap, CAP, DMABUF, DQ_TIMEOUT_MS, &buf);
		igt_assert_f(idx >= 0, "capture DQBUF: %s\n", strerror(-idx));
	}
}

static void loop_stream(struct loop *l, bool on)
{
	v4l2_stream(l->out, OUT, on);
	v4l2_stream(l->cap, CAP, on);
}

/* Close vivid's files (STREAMOFF or not: closing stops the queues). */
static void loop_close_vivid(struct loop *l)
{
	if (l->out >= 0)
		close(l->out);
	if (l->cap >= 0)
		close(l->cap);
	l->out = -1;
	l->cap = -1;
	stale_out = -1;
	stale_cap = -1;
}

static void loop_teardown(struct loop *l)
{
	int i;

	loop_close_vivid(l);
	for (i = 0; i < MAX_BUFS; i++) {
		vbuf_release(fd, &l->obuf[i]);
		vbuf_release(fd, &l->cbuf[i]);
		free(l->expect[i]);
		l->expect[i] = NULL;
	}
	vivid_unload();
}

static void loop_buffers(struct loop *l, int drm, int nout, int ncap)
{
	int i;

	l->nout = nout;
	l->ncap = ncap;
	for (i = 0; i < MAX_BUFS; i++) {
		l->obuf[i].dmabuf = -1;
		l->cbuf[i].dmabuf = -1;
	}
	for (i = 0; i < nout; i++) {
		vbuf_create(drm, &l->obuf[i], l, false);
		draw_output(l, i);
	}
	for (i = 0; i < ncap; i++) {
		vbuf_create(fd, &l->cbuf[i], l, true);
		memset(l->cbuf[i].map, 0xa5, l->cbuf[i].size);
	}
}

static void test_loop(int allocators, uint32_t fourcc, uint32_t w,
		      uint32_t h, bool dumb)
{
	struct buf_census before = buf_census(fd);
	struct drm_vprime_gem_info info;
	struct loop l;

	loop_init(&l, allocators, fourcc, w, h, dumb);
	loop_buffers(&l, fd, 2, 2);
	queue_all(&l);
	loop_stream(&l, true);
	/* the first output frame is shown once, then the second stays */
	igt_assert_eq(capture_frames(&l, FRAMES), 1);

	/* vivid's attach placed the storage where its allocator needs it */
	info = vprime_gem_info(fd, l.cbuf[0].handle);
	igt_assert(info.state & VPRIME_GEM_STATE_ALLOCATED);
	if (allocators == 1) {
		igt_assert(info.state & VPRIME_GEM_STATE_CONTIGUOUS);
		igt_assert(info.state & VPRIME_GEM_STATE_BELOW_4G);
	}

	loop_stream(&l, false);
	igt_assert_eq(v4l2_reqbufs_dmabuf(l.out, OUT, 0), 0);
	igt_assert_eq(v4l2_reqbufs_dmabuf(l.cap, CAP, 0), 0);
	loop_teardown(&l);
	assert_census_eq(fd, &before);
}

/*
 * One-page capture buffers: the capture crops a 64x16 XR24 window (4096
 * bytes) out of the looped 640x480 frame, unscaled, so each captured row
 * is the start of the same row of the output.
 */
static void test_loop_one_page(int allocators)
{
	struct buf_census before = buf_census(fd);
	struct v4l2_selection sel = {
		.type = CAP, .target = V4L2_SEL_TGT_CROP,
		.r = { .width = 64, .height = 16 },
	};
	struct loop l;
	uint32_t bpl;

	loop_init(&l, allocators, V4L2_PIX_FMT_XBGR32, 640, 480, false);
	igt_require_f(igt_ioctl(l.cap, VIDIOC_S_SELECTION, &sel) == 0,
		      "vivid capture cannot crop\n");
	bpl = 64 * 4;
	l.cap_size = v4l2_set_format(l.cap, CAP, 64, 16, l.fourcc, &bpl);
	igt_assert_eq_u32(bpl, 64 * 4);
	igt_assert_eq_u32(l.cap_size, 4096);
	l.cap_width = 64;
	l.cap_height = 16;
	l.cap_pitch = bpl;

	loop_buffers(&l, fd, 2, 2);
	igt_assert_eq_u64(l.cbuf[0].size, 4096);
	queue_all(&l);
	loop_stream(&l, true);
	igt_assert_eq(capture_frames(&l, FRAMES), 1);
	loop_stream(&l, false);
	igt_assert_eq(v4l2_reqbufs_dmabuf(l.out, OUT, 0), 0);
	igt_assert_eq(v4l2_reqbufs_dmabuf(l.cap, CAP, 0), 0);
	loop_teardown(&l);
	assert_census_eq(fd, &before);
}

/* A dma-buf smaller than the format needs: vivid refuses it at QBUF. */
static void test_too_small(int allocators, uint32_t type)
{
	struct buf_census before = buf_census(fd);
	struct vbuf small = { .dmabuf = -1 };
	struct loop l;
	int vfd, ret;

	loop_init(&l, allocators, V4L2_PIX_FMT_XBGR32, 640, 480, false);
	vfd = type == OUT ? l.out : l.cap;
	small.size = 4096;
	small.handle = vprime_gem_create(fd, small.size, 0);
	small.dmabuf = vp_prime_handle_to_fd(fd, small.handle);

	igt_assert_eq(v4l2_reqbufs_dmabuf(vfd, type, 2), 2);
	ret = v4l2_qbuf_dmabuf(vfd, type, 0, small.dmabuf, 0,
			       type == OUT ? l.sizeimage : 0);
	igt_assert_eq(ret, -EINVAL);
	/* claiming the full length: the allocator's attach sees the lie */
	if (v4l2_vb2_leaks_failed_attach()) {
		igt_info("not claiming the full length: this kernel's videobuf2 would keep the buffer\n");
	} else {
		ret = v4l2_qbuf_dmabuf(vfd, type, 0, small.dmabuf,
				       l.sizeimage,
				       type == OUT ? l.sizeimage : 0);
		igt_assert_eq(ret, -EFAULT);
	}
	/* vivid holds nothing: only our own export is live */
	igt_assert_eq(bufinfo_count("vprime"), before.vprime + 1);

	/* the queue still works with a buffer of the right size */
	loop_buffers(&l, fd, 1, 0);
	igt_assert_eq(v4l2_qbuf_dmabuf(vfd, type, 0, l.obuf[0].dmabuf,
				       l.obuf[0].size,
				       type == OUT ? l.sizeimage : 0), 0);
	igt_assert_eq(v4l2_reqbufs_dmabuf(vfd, type, 0), 0);

	vbuf_release(fd, &small);
	loop_teardown(&l);
	assert_census_eq(fd, &before);
}

/*
 * The output buffers come from a second DRM file that is closed, with its
 * handles and dma-buf fds, before streaming: vivid's references keep them
 * alive and intact, and they go when vivid lets go.
 */
static void test_close_drm_fd(int allocators)
{
	struct buf_census before = buf_census(fd);
	int fd2 = vprime_open(VPRIME_NODE_PRIMARY, 0);
	struct loop l;
	int i;

	loop_init(&l, allocators, V4L2_PIX_FMT_XBGR32, 640, 480, true);
	loop_buffers(&l, fd2, 2, 2);
	queue_all(&l);
	for (i = 0; i < l.nout; i++)
		vbuf_release(fd2, &l.obuf[i]);
	close(fd2);
	/* 2 outputs held by vivid + our 2 capture exports */
	igt_assert_eq(bufinfo_count("vprime"), before.vprime + 4);

	loop_stream(&l, true);
	igt_assert_eq(capture_frames(&l, FRAMES), 1);
	loop_stream(&l, false);
	igt_assert_eq(bufinfo_count("vprime"), before.vprime + 4);
	igt_assert_eq(v4l2_reqbufs_dmabuf(l.out, OUT, 0), 0);
	igt_assert_eq(bufinfo_count("vprime"), before.vprime + 2);

	igt_assert_eq(v4l2_reqbufs_dmabuf(l.cap, CAP, 0), 0);
	loop_teardown(&l);
	assert_census_eq(fd, &before);
}

enum order {
	STREAMOFF_FIRST,	/* STREAMOFF, REQBUFS 0, close vivid, vprime */
	CLOSE_VIVID_STREAMING,	/* close vivid while streaming, then vprime */
	VPRIME_FIRST,		/* drop every vprime reference, then vivid */
	DRM_FD_FIRST,		/* close the DRM file while streaming */
};

static const char * const order_name[] = {
	[STREAMOFF_FIRST] = "streamoff-first",
	[CLOSE_VIVID_STREAMING] = "close-vivid-streaming",
	[VPRIME_FIRST] = "vprime-first",
	[DRM_FD_FIRST] = "drm-fd-first",
};

static void test_teardown(int allocators, enum order order)
{
	struct buf_census before = buf_census(fd);
	int drm = vprime_open(VPRIME_NODE_PRIMARY, 0);
	struct loop l;
	int i;

	loop_init(&l, allocators, V4L2_PIX_FMT_XBGR32, 640, 480, false);
	loop_buffers(&l, drm, 2, 0);
	/* capture buffers from the same file as well */
	l.ncap = 2;
	for (i = 0; i < l.ncap; i++)
		vbuf_create(drm, &l.cbuf[i], &l, true);
	queue_all(&l);
	loop_stream(&l, true);
	igt_assert_lte(0, capture_frames(&l, 2));

	switch (order) {
	case STREAMOFF_FIRST:
		loop_stream(&l, false);
		igt_assert_eq(v4l2_reqbufs_dmabuf(l.out, OUT, 0), 0);
		igt_assert_eq(v4l2_reqbufs_dmabuf(l.cap, CAP, 0), 0);
		loop_close_vivid(&l);
		break;
	case CLOSE_VIVID_STREAMING:
		loop_close_vivid(&l);
		break;
	case VPRIME_FIRST:
	case DRM_FD_FIRST:
		break;
	}

	for (i = 0; i < MAX_BUFS; i++) {
		if (order == DRM_FD_FIRST) {
			/* leave handles to the file's close */
			l.obuf[i].handle = 0;
			l.cbuf[i].handle = 0;
		}
		vbuf_release(drm, &l.obuf[i]);
		vbuf_release(drm, &l.cbuf[i]);
	}
	if (order == VPRIME_FIRST || order == DRM_FD_FIRST) {
		if (order == DRM_FD_FIRST)
			close(drm);
		/* vivid's references alone keep all four buffers alive */
		igt_assert_eq(bufinfo_count("vprime"), before.vprime + 4);
		/* and vivid still captures into them */
		dequeue_only(&l, l.ncap);
	}
	loop_teardown(&l);
	if (order != DRM_FD_FIRST)
		close(drm);
	assert_census_eq(fd, &before);
}

igt_main
{
	static const struct vivid_case fmts[] = {
		{ V4L2_PIX_FMT_XBGR32, 640, 480, "xr24-640x480" },
		{ V4L2_PIX_FMT_XBGR32, 1280, 720, "xr24-1280x720" },
		{ V4L2_PIX_FMT_XBGR32, 1920, 1080, "xr24-1920x1080" },
		{ V4L2_PIX_FMT_YUYV, 640, 480, "yuyv-640x480" },
		{ V4L2_PIX_FMT_YUYV, 1920, 1080, "yuyv-1920x1080" },
	};
	int a, i;

	igt_fixture {
		fd = vprime_open(VPRIME_NODE_PRIMARY, 0);
	}

	for (a = 0; a < 2; a++) {
		for (i = 0; i < (int)ARRAY_SIZE(fmts); i++) {
			igt_describe("vprime -> vivid output -> loop -> capture into vprime");
			igt_subtest_f("loop-%s-%s", fmts[i].name, vivid_allocator_name[a])
				test_loop(a, fmts[i].fourcc, fmts[i].w,
					  fmts[i].h, i & 1);
		}

		igt_describe("One-page capture buffers: a 64x16 crop of the looped frame");
		igt_subtest_f("loop-xr24-crop-one-page-%s", vivid_allocator_name[a])
			test_loop_one_page(a);

		igt_describe("A dma-buf too small for the format is refused at QBUF");
		igt_subtest_f("output-too-small-%s", vivid_allocator_name[a])
			test_too_small(a, OUT);
		igt_subtest_f("capture-too-small-%s", vivid_allocator_name[a])
			test_too_small(a, CAP);

		igt_describe("Closing the DRM file leaves vivid's buffers alive");
		igt_subtest_f("close-drm-fd-while-queued-%s", vivid_allocator_name[a])
			test_close_drm_fd(a);

		for (i = 0; i < (int)ARRAY_SIZE(order_name); i++) {
			igt_describe("Every teardown order leaves nothing behind");
			igt_subtest_f("teardown-%s-%s", order_name[i],
				      vivid_allocator_name[a])
				test_teardown(a, i);
		}
	}

	igt_fixture {
		close_stale();
		vivid_unload();
		cenalloc_policy("vivid");
		close(fd);
	}
}
