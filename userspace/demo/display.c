// SPDX-License-Identifier: MIT
/*
 * vprime-demo display: the producer's last frame, imported by the
 * consumer, shown by vprime's display as it is (no copy), and read back
 * through the writeback connector: what the display composed, checked
 * against the frame and saved as scanout.png.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <linux/dma-buf.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "demo.h"
#include "vprime.h"

#define WRITEBACK_TIMEOUT_MS 10000

struct display {
	int drm;
	struct vprime_pipe pipe;
	drmModeModeInfo mode;
	uint32_t frame_handle, frame_fb;
	struct vprime_bo wb_bo;
	uint32_t wb_fb;
	int wb_dmabuf;
	struct vprime_map wb_map;
};

/* The connector's DEMO_WIDTH x DEMO_HEIGHT mode. */
static int find_mode(struct display *d)
{
	drmModeConnectorPtr conn = drmModeGetConnector(d->drm,
						       d->pipe.connector);
	int i, ret = -ENOENT;

	for (i = 0; conn && i < conn->count_modes && ret; i++) {
		if (conn->modes[i].hdisplay == DEMO_WIDTH &&
		    conn->modes[i].vdisplay == DEMO_HEIGHT) {
			d->mode = conn->modes[i];
			ret = 0;
		}
	}
	drmModeFreeConnector(conn);
	return ret;
}

static uint32_t add_fb(int drm, uint32_t handle)
{
	uint32_t handles[4] = { handle }, pitches[4] = { DEMO_WIDTH * 4 };
	uint32_t offsets[4] = { 0 }, id = 0;

	if (drmModeAddFB2(drm, DEMO_WIDTH, DEMO_HEIGHT, DRM_FORMAT_XRGB8888,
			  handles, pitches, offsets, &id, 0))
		return 0;
	return id;
}

struct prop {
	uint32_t obj, type;
	const char *name;
	uint64_t value;
};

/* Commit @n property values at once (a modeset is allowed): 0 or -errno. */
static int commit(struct display *d, const struct prop *props, unsigned int n)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	unsigned int i;
	int ret = 0;

	if (!req)
		return -ENOMEM;
	for (i = 0; i < n && !ret; i++)
		ret = vprime_atomic_set(d->drm, req, props[i].obj,
					props[i].type, props[i].name,
					props[i].value);
	if (!ret && drmModeAtomicCommit(d->drm, req,
					DRM_MODE_ATOMIC_ALLOW_MODESET, NULL))
		ret = -errno;
	drmModeAtomicFree(req);
	return ret;
}

#define CRTC DRM_MODE_OBJECT_CRTC
#define CONN DRM_MODE_OBJECT_CONNECTOR
#define PLANE DRM_MODE_OBJECT_PLANE

/*
 * The mode, the frame on the primary plane at full size, and a writeback
 * job into @d->wb_fb whose fence lands in @fence: one commit.
 */
static int show(struct display *d, uint32_t blob, int32_t *fence)
{
	const struct vprime_pipe *p = &d->pipe;
	const struct prop props[] = {
		{ p->crtc, CRTC, "MODE_ID", blob },
		{ p->crtc, CRTC, "ACTIVE", 1 },
		{ p->connector, CONN, "CRTC_ID", p->crtc },
		{ p->primary, PLANE, "FB_ID", d->frame_fb },
		{ p->primary, PLANE, "CRTC_ID", p->crtc },
		{ p->primary, PLANE, "CRTC_X", 0 },
		{ p->primary, PLANE, "CRTC_Y", 0 },
		{ p->primary, PLANE, "CRTC_W", DEMO_WIDTH },
		{ p->primary, PLANE, "CRTC_H", DEMO_HEIGHT },
		{ p->primary, PLANE, "SRC_X", 0 },
		{ p->primary, PLANE, "SRC_Y", 0 },
		{ p->primary, PLANE, "SRC_W", (uint64_t)DEMO_WIDTH << 16 },
		{ p->primary, PLANE, "SRC_H", (uint64_t)DEMO_HEIGHT << 16 },
		{ p->writeback, CONN, "CRTC_ID", p->crtc },
		{ p->writeback, CONN, "WRITEBACK_FB_ID", d->wb_fb },
		{ p->writeback, CONN, "WRITEBACK_OUT_FENCE_PTR",
		  (uint64_t)(uintptr_t)fence },
	};

	return commit(d, props, ARRAY_SIZE(props));
}

/* Everything off again: the display as the demo found it. */
static void hide(struct display *d)
{
	const struct vprime_pipe *p = &d->pipe;
	const struct prop props[] = {
		{ p->crtc, CRTC, "MODE_ID", 0 },
		{ p->crtc, CRTC, "ACTIVE", 0 },
		{ p->connector, CONN, "CRTC_ID", 0 },
		{ p->writeback, CONN, "CRTC_ID", 0 },
		{ p->primary, PLANE, "FB_ID", 0 },
		{ p->primary, PLANE, "CRTC_ID", 0 },
	};

	commit(d, props, ARRAY_SIZE(props));
}

/* The first pixel where the writeback differs from @expect, or -1. */
static long first_difference(struct display *d, const uint8_t *expect)
{
	const uint32_t *wb, *ex;
	uint32_t x, y;

	for (y = 0; y < DEMO_HEIGHT; y++) {
		wb = (const uint32_t *)((const uint8_t *)d->wb_map.ptr +
					y * d->wb_bo.pitch);
		ex = (const uint32_t *)(expect + y * DEMO_WIDTH * 4);
		/* XRGB8888: the X byte is not a colour */
		for (x = 0; x < DEMO_WIDTH; x++)
			if ((wb[x] ^ ex[x]) & 0x00ffffff)
				return (long)y * DEMO_WIDTH + x;
	}
	return -1;
}

static int run(struct display *d, int frame_dmabuf, const uint8_t *expect,
	       const char *outdir)
{
	struct pollfd pfd = { .events = POLLIN };
	int32_t fence = -1;
	char path[512];
	uint32_t blob;
	long diff;
	int ret;

	if (drmSetMaster(d->drm))
		return demo_fail("display: DRM master: %s", strerror(errno));
	if (vprime_pipe_find(d->drm, &d->pipe))
		return demo_fail("display: %s", vprime_error());
	if (!d->pipe.writeback)
		return demo_fail("display: vprime has no writeback connector");
	if (find_mode(d))
		return demo_fail("display: no %ux%u mode", DEMO_WIDTH,
				 DEMO_HEIGHT);
	/* The producer's buffer itself: an import, no copy. */
	if (vprime_bo_import(d->drm, frame_dmabuf, &d->frame_handle))
		return demo_fail("display: %s", vprime_error());
	d->frame_fb = add_fb(d->drm, d->frame_handle);
	if (!d->frame_fb)
		return demo_fail("display: ADDFB2 of the frame: %s",
				 strerror(errno));
	if (vprime_bo_create_dumb(d->drm, DEMO_WIDTH, DEMO_HEIGHT, 32,
				  &d->wb_bo) ||
	    vprime_bo_export(d->drm, d->wb_bo.handle, &d->wb_dmabuf) ||
	    vprime_map(d->wb_dmabuf, d->wb_bo.size, PROT_READ, &d->wb_map))
		return demo_fail("display: %s", vprime_error());
	d->wb_fb = add_fb(d->drm, d->wb_bo.handle);
	if (!d->wb_fb)
		return demo_fail("display: ADDFB2 of the writeback buffer: %s",
				 strerror(errno));
	if (drmModeCreatePropertyBlob(d->drm, &d->mode, sizeof(d->mode),
				      &blob))
		return demo_fail("display: mode blob: %s", strerror(errno));
	ret = show(d, blob, &fence);
	drmModeDestroyPropertyBlob(d->drm, blob);
	if (ret)
		return demo_fail("display: atomic commit: %s", strerror(-ret));
	report("  CRTC %u at %s: the producer's last frame on the primary plane,\n",
	       d->pipe.crtc, d->mode.name);
	report("    imported (GEM handle %u) and scanned out as it is: no copy\n",
	       d->frame_handle);
	pfd.fd = fence;
	ret = poll(&pfd, 1, WRITEBACK_TIMEOUT_MS);
	close(fence);
	if (ret != 1)
		return demo_fail("display: the writeback job did not complete");
	if (vprime_map_begin(&d->wb_map, DMA_BUF_SYNC_READ))
		return demo_fail("display: %s", vprime_error());
	diff = first_difference(d, expect);
	if (diff >= 0) {
		vprime_map_end(&d->wb_map);
		return demo_fail("display: the writeback differs from the frame at (%ld, %ld)",
				 diff % DEMO_WIDTH, diff / DEMO_WIDTH);
	}
	snprintf(path, sizeof(path), "%s/scanout.png", outdir);
	ret = write_png(path, d->wb_map.ptr, d->wb_bo.pitch, DEMO_WIDTH,
			DEMO_HEIGHT);
	vprime_map_end(&d->wb_map);
	if (ret)
		return demo_fail("display: %s: %s", path, strerror(-ret));
	report("  writeback connector %u: what the display composed, %s\n",
	       d->pipe.writeback,
	       "identical to the frame; saved as scanout.png");
	return 0;
}

int display_frame(int drm, int frame_dmabuf, const uint8_t *expect,
		  const char *outdir)
{
	struct display d = { .drm = drm, .wb_dmabuf = -1 };
	int ret;

	report("\n== Display\n");
	ret = run(&d, frame_dmabuf, expect, outdir);
	if (d.pipe.crtc)
		hide(&d);
	vprime_unmap(&d.wb_map);
	if (d.wb_dmabuf >= 0)
		close(d.wb_dmabuf);
	if (d.wb_fb)
		drmModeRmFB(drm, d.wb_fb);
	if (d.wb_bo.handle)
		vprime_bo_close(drm, d.wb_bo.handle);
	if (d.frame_fb)
		drmModeRmFB(drm, d.frame_fb);
	if (d.frame_handle)
		vprime_bo_close(drm, d.frame_handle);
	drmDropMaster(drm);
	return ret;
}
