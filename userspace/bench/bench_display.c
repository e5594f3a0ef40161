// SPDX-License-Identifier: MIT
/*
 * vprime-bench: vprime's display side.
 *
 * vivid-display-1080p: vivid's 1080p XR24 frames put on screen, one page
 * flip per frame.  Zero copy: vivid's buffers exported (EXPBUF), imported
 * into vprime and scanned out as they are.  Copy: each frame memcpy'd
 * into a vprime dumb buffer (double-buffered) which is flipped instead.
 * vivid's HDMI input at 1080p60 is the source, so that vivid's pace is
 * not the figure (its webcam input gives 5 frames/s at 1080p).
 *
 * compose-1080p: compositions per second of primary, overlay and cursor
 * planes into a 1080p writeback framebuffer, against the mode's refresh.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "bench.h"
#include "vprime.h"

/* A mapped dumb-buffer framebuffer. */
struct bench_fb {
	struct vprime_bo bo;
	uint32_t id;
	void *map;
};

/* vprime's first pipe, its writeback connector, and hot property ids. */
struct bench_kms {
	int fd;
	struct vprime_pipe pipe;
	drmModeModeInfo mode;
	uint32_t fb_id_prop, wb_fb_prop, wb_fence_prop;
	struct bench_fb base;	/* on screen between runs */
	struct bench_fb wb_fb;	/* compose-1080p's writeback target */
};

static struct bench_kms kms;
static int frames;

enum metric { FPS, CPU_MS };

static void add(drmModeAtomicReqPtr req, uint32_t id, uint32_t type,
		const char *name, uint64_t value)
{
	if (vprime_atomic_set(kms.fd, req, id, type, name, value))
		bench_die(vprime_error());
}

static void commit(drmModeAtomicReqPtr req, uint32_t flags, const char *what)
{
	if (drmModeAtomicCommit(kms.fd, req, flags, NULL))
		bench_die(what);
	drmModeAtomicFree(req);
}

static drmModeAtomicReqPtr request(void)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();

	if (!req)
		bench_die("drmModeAtomicAlloc");
	return req;
}

/* A @w x @h framebuffer of @format (32 bits per pixel), mapped. */
static void fb_create(struct bench_fb *fb, uint32_t w, uint32_t h,
		      uint32_t format)
{
	struct drm_mode_map_dumb md = { 0 };
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };

	if (vprime_bo_create_dumb(kms.fd, w, h, 32, &fb->bo))
		bench_die(vprime_error());
	handles[0] = fb->bo.handle;
	pitches[0] = fb->bo.pitch;
	if (drmModeAddFB2(kms.fd, w, h, format, handles, pitches, offsets,
			  &fb->id, 0))
		bench_die("ADDFB2 of a dumb buffer");
	md.handle = fb->bo.handle;
	if (drmIoctl(kms.fd, DRM_IOCTL_MODE_MAP_DUMB, &md))
		bench_die("MAP_DUMB");
	fb->map = mmap(NULL, fb->bo.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       kms.fd, md.offset);
	if (fb->map == MAP_FAILED)
		bench_die("mmap of a dumb buffer");
}

static void fb_destroy(struct bench_fb *fb)
{
	munmap(fb->map, fb->bo.size);
	drmModeRmFB(kms.fd, fb->id);
	vprime_bo_close(kms.fd, fb->bo.handle);
}

/* Fill @fb with @argb, and an opaque band in its top quarter. */
static void fb_fill(struct bench_fb *fb, uint32_t argb)
{
	uint32_t x, y, *row;

	for (y = 0; y < fb->bo.height; y++) {
		row = (uint32_t *)((char *)fb->map + (size_t)y * fb->bo.pitch);
		for (x = 0; x < fb->bo.width; x++)
			row[x] = y < fb->bo.height / 4 ? 0xff000000 | x : argb;
	}
}

static void add_plane(drmModeAtomicReqPtr req, uint32_t plane,
		      const struct bench_fb *fb, int32_t x, int32_t y)
{
	add(req, plane, DRM_MODE_OBJECT_PLANE, "FB_ID", fb ? fb->id : 0);
	add(req, plane, DRM_MODE_OBJECT_PLANE, "CRTC_ID", fb ? kms.pipe.crtc : 0);
	if (!fb)
		return;
	add(req, plane, DRM_MODE_OBJECT_PLANE, "SRC_X", 0);
	add(req, plane, DRM_MODE_OBJECT_PLANE, "SRC_Y", 0);
	add(req, plane, DRM_MODE_OBJECT_PLANE, "SRC_W",
	    (uint64_t)fb->bo.width << 16);
	add(req, plane, DRM_MODE_OBJECT_PLANE, "SRC_H",
	    (uint64_t)fb->bo.height << 16);
	add(req, plane, DRM_MODE_OBJECT_PLANE, "CRTC_X", (uint64_t)(int64_t)x);
	add(req, plane, DRM_MODE_OBJECT_PLANE, "CRTC_Y", (uint64_t)(int64_t)y);
	add(req, plane, DRM_MODE_OBJECT_PLANE, "CRTC_W", fb->bo.width);
	add(req, plane, DRM_MODE_OBJECT_PLANE, "CRTC_H", fb->bo.height);
}

static void flip_done(int fd, unsigned int seq, unsigned int s,
		      unsigned int us, void *data)
{
	(void)fd;
	(void)seq;
	(void)s;
	(void)us;
	*(bool *)data = true;
}

/*
 * Put framebuffer @fb on the primary plane at the next vblank and wait for
 * it, as a compositor does: a nonblocking commit and its flip event.
 */
static void present(uint32_t fb)
{
	drmEventContext ev = {
		.version = 2, .page_flip_handler = flip_done,
	};
	struct pollfd pfd = { .fd = kms.fd, .events = POLLIN };
	drmModeAtomicReqPtr req = request();
	bool done = false;

	if (drmModeAtomicAddProperty(req, kms.pipe.primary, kms.fb_id_prop, fb) <= 0)
		bench_die("FB_ID");
	if (drmModeAtomicCommit(kms.fd, req, DRM_MODE_ATOMIC_NONBLOCK |
				DRM_MODE_PAGE_FLIP_EVENT, &done))
		bench_die("page flip");
	drmModeAtomicFree(req);
	while (!done) {
		errno = ETIMEDOUT;
		if (poll(&pfd, 1, 5000) != 1 || drmHandleEvent(kms.fd, &ev))
			bench_die("flip event");
	}
}

/* CPU time of this process (user + system), in seconds. */
static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/*
 * Stream @frames frames (after one to get going) from vivid's MMAP queue
 * to the screen.  Zero copy (@copy NULL) flips vivid's buffer itself,
 * framebuffer @fbs[index], and gives it back to vivid once the next one
 * has replaced it on screen.  Copy gives it back at once and flips the
 * copy, @copy[0] and @copy[1] in turn.
 *
 * The CPU figure is this process's time: the flips, the queue ioctls
 * (where vb2 and vprime do their mapping work) and the copy.  vivid's
 * thread renders each frame the same way on both paths; it is left out.
 * Both run on one CPU (vivid_share_cpu()), so that the queue ioctls wait
 * for vivid's device mutex asleep, not spinning.
 */
static double stream(int cap, const uint32_t *fbs, void *const *vivid_maps,
		     struct bench_fb *copy, size_t size, enum metric metric)
{
	int f, on_screen = -1, back = 0;
	double t0 = 0, c0 = 0;
	uint32_t idx;

	errno = -vprime_v4l2_stream(cap, VIVID_CAP, true);
	if (errno)
		bench_die("STREAMON");
	vivid_share_cpu(true);
	for (f = -1; f < frames; f++) {
		if (f == 0) {
			t0 = now_s();
			c0 = cpu_s();
		}
		idx = vivid_dqbuf(cap, V4L2_MEMORY_MMAP);
		if (copy) {
			memcpy(copy[back].map, vivid_maps[idx], size);
			vivid_qbuf(cap, V4L2_MEMORY_MMAP, idx, -1);
			present(copy[back].id);
			back ^= 1;
			continue;
		}
		present(fbs[idx]);
		if (on_screen >= 0)
			vivid_qbuf(cap, V4L2_MEMORY_MMAP, on_screen, -1);
		on_screen = idx;
	}
	t0 = now_s() - t0;
	c0 = cpu_s() - c0;
	/* Nothing of this run's may stay on screen once it is freed. */
	present(kms.base.id);
	vprime_v4l2_stream(cap, VIVID_CAP, false);
	vivid_share_cpu(false);
	return metric == FPS ? frames / t0 : c0 * 1000 / frames;
}

/* Zero copy: vivid's buffers, exported, imported and scanned out. */
static double zero_copy(int fd, int other, const void *arg)
{
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	uint32_t fbs[VIVID_NBUF], handle[VIVID_NBUF];
	int cap = vivid_open(), dmabuf[VIVID_NBUF], i;
	struct v4l2_exportbuffer exp;
	struct v4l2_pix_format pix;
	double v;

	(void)other;
	vivid_setup(cap, VIVID_HDMI_1080P, V4L2_MEMORY_MMAP, &pix);
	for (i = 0; i < VIVID_NBUF; i++) {
		memset(&exp, 0, sizeof(exp));
		exp.type = VIVID_CAP;
		exp.index = i;
		exp.flags = O_RDONLY | O_CLOEXEC;
		errno = -vprime_ioctl(cap, VIDIOC_EXPBUF, &exp);
		if (errno)
			bench_die("EXPBUF");
		dmabuf[i] = exp.fd;
		if (drmPrimeFDToHandle(fd, dmabuf[i], &handle[i]))
			bench_die("import of a vivid buffer");
		handles[0] = handle[i];
		pitches[0] = pix.bytesperline;
		if (drmModeAddFB2(fd, pix.width, pix.height,
				  DRM_FORMAT_XRGB8888, handles, pitches,
				  offsets, &fbs[i], 0))
			bench_die("ADDFB2 of a vivid buffer");
		vivid_qbuf(cap, V4L2_MEMORY_MMAP, i, -1);
	}
	v = stream(cap, fbs, NULL, NULL, 0, *(const enum metric *)arg);
	for (i = 0; i < VIVID_NBUF; i++) {
		drmModeRmFB(fd, fbs[i]);
		vprime_bo_close(fd, handle[i]);
		close(dmabuf[i]);
	}
	close(cap);
	return v;
}

/* Copy: each frame of vivid's MMAP buffers memcpy'd into a dumb buffer. */
static double copy_path(int fd, int other, const void *arg)
{
	int cap = vivid_open(), i;
	struct v4l2_pix_format pix;
	struct bench_fb copy[2];
	void *maps[VIVID_NBUF];
	size_t len;
	double v;

	(void)fd;
	(void)other;
	vivid_setup(cap, VIVID_HDMI_1080P, V4L2_MEMORY_MMAP, &pix);
	len = vivid_map_buffers(cap, maps);
	for (i = 0; i < 2; i++)
		fb_create(&copy[i], pix.width, pix.height, DRM_FORMAT_XRGB8888);
	/* vivid's pitch is the dumb buffer's: 1920 * 4, no padding */
	if (copy[0].bo.pitch != pix.bytesperline) {
		errno = EINVAL;
		bench_die("vivid and dumb buffer pitches differ");
	}
	v = stream(cap, NULL, maps, copy, (size_t)pix.bytesperline * pix.height,
		   *(const enum metric *)arg);
	for (i = 0; i < 2; i++)
		fb_destroy(&copy[i]);
	vivid_unmap_buffers(maps, len);
	close(cap);
	return v;
}

/*
 * One composition per writeback job: the commit queues a job for its
 * frame, vprime composes it at the next vblank in its compose work and
 * signals the job's fence.  One job is in flight at a time, so this is
 * bounded by the refresh rate and falls below it when a composition
 * takes longer than a frame.  Counted over 2 s (3 jobs for --smoke).
 */
static double compose(int fd, int other, const void *arg)
{
	const struct bench_cfg *cfg = arg;
	struct pollfd pfd = { .events = POLLIN };
	drmModeAtomicReqPtr req;
	int32_t fence;
	double t0;
	int n;

	(void)fd;
	(void)other;
	t0 = now_s();
	for (n = 0; n < 3 || (!cfg->smoke && now_s() - t0 < 2); n++) {
		req = request();
		fence = -1;
		if (drmModeAtomicAddProperty(req, kms.pipe.writeback, kms.wb_fb_prop,
					     kms.wb_fb.id) <= 0 ||
		    drmModeAtomicAddProperty(req, kms.pipe.writeback,
					     kms.wb_fence_prop,
					     (uint64_t)(uintptr_t)&fence) <= 0)
			bench_die("writeback properties");
		commit(req, 0, "writeback commit");
		pfd.fd = fence;
		errno = ETIMEDOUT;
		if (poll(&pfd, 1, 5000) != 1)
			bench_die("writeback fence");
		close(fence);
	}
	return n / (now_s() - t0);
}

/* The reference: the mode's refresh, one composition per vblank. */
static double refresh(int fd, int other, const void *arg)
{
	(void)fd;
	(void)other;
	(void)arg;
	return kms.mode.clock * 1000.0 / (kms.mode.htotal * kms.mode.vtotal);
}

/*
 * vprime's first CRTC and connector at 1920x1080, with a base framebuffer
 * on screen.  False, with a line printed, when vprime has no display.
 */
static bool kms_init(int fd)
{
	drmModeConnectorPtr conn;
	drmModeAtomicReqPtr req;
	bool found = false;
	uint32_t blob;
	int m;

	kms.fd = fd;
	if (drmSetMaster(fd)) {
		printf("(vprime: not DRM master: %s; no display figures)\n",
		       strerror(errno));
		return false;
	}
	if (vprime_pipe_find(fd, &kms.pipe)) {
		printf("(vprime: %s; no display figures)\n", vprime_error());
		return false;
	}
	conn = drmModeGetConnector(fd, kms.pipe.connector);
	for (m = 0; conn && m < conn->count_modes && !found; m++) {
		kms.mode = conn->modes[m];
		found = kms.mode.hdisplay == VIVID_W &&
			kms.mode.vdisplay == VIVID_H;
	}
	drmModeFreeConnector(conn);
	if (!found || !kms.pipe.overlay || !kms.pipe.cursor ||
	    !kms.pipe.writeback) {
		printf("(vprime: no 1080p pipe, 3 planes, writeback: %s)\n",
		       "no display figures");
		return false;
	}
	kms.fb_id_prop = vprime_prop_id(fd, kms.pipe.primary,
					DRM_MODE_OBJECT_PLANE, "FB_ID");
	kms.wb_fb_prop = vprime_prop_id(fd, kms.pipe.writeback,
					DRM_MODE_OBJECT_CONNECTOR,
					"WRITEBACK_FB_ID");
	kms.wb_fence_prop = vprime_prop_id(fd, kms.pipe.writeback,
					   DRM_MODE_OBJECT_CONNECTOR,
					   "WRITEBACK_OUT_FENCE_PTR");

	fb_create(&kms.base, VIVID_W, VIVID_H, DRM_FORMAT_XRGB8888);
	fb_fill(&kms.base, 0xff202020);
	if (drmModeCreatePropertyBlob(fd, &kms.mode, sizeof(kms.mode), &blob))
		bench_die("mode blob");
	req = request();
	add(req, kms.pipe.crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID", blob);
	add(req, kms.pipe.crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", 1);
	add(req, kms.pipe.connector, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", kms.pipe.crtc);
	add_plane(req, kms.pipe.primary, &kms.base, 0, 0);
	commit(req, DRM_MODE_ATOMIC_ALLOW_MODESET, "modeset 1920x1080");
	drmModeDestroyPropertyBlob(fd, blob);
	return true;
}

static void kms_fini(void)
{
	drmModeAtomicReqPtr req = request();

	add(req, kms.pipe.crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID", 0);
	add(req, kms.pipe.crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", 0);
	add(req, kms.pipe.connector, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", 0);
	add_plane(req, kms.pipe.primary, NULL, 0, 0);
	commit(req, DRM_MODE_ATOMIC_ALLOW_MODESET, "display off");
	fb_destroy(&kms.base);
	drmDropMaster(kms.fd);
}

/*
 * The scene a compositor shows: the base on the primary plane, a
 * translucent 640x360 overlay (premultiplied ARGB, the plane's default
 * blend mode) and a 64x64 cursor, captured by the writeback connector.
 */
static void bench_compose(const struct bench_cfg *cfg)
{
	struct bench_fb overlay, cursor;
	drmModeAtomicReqPtr req;

	fb_create(&overlay, 640, 360, DRM_FORMAT_ARGB8888);
	fb_fill(&overlay, 0x80402000);
	fb_create(&cursor, 64, 64, DRM_FORMAT_ARGB8888);
	fb_fill(&cursor, 0xc0c0c0c0);
	fb_create(&kms.wb_fb, VIVID_W, VIVID_H, DRM_FORMAT_XRGB8888);
	/* Routing the writeback connector to the CRTC is a modeset. */
	req = request();
	add_plane(req, kms.pipe.overlay, &overlay, 400, 300);
	add_plane(req, kms.pipe.cursor, &cursor, 900, 500);
	add(req, kms.pipe.writeback, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", kms.pipe.crtc);
	commit(req, DRM_MODE_ATOMIC_ALLOW_MODESET, "overlay, cursor and wb");

	bench_figure2(cfg, "compose-1080p", "3-planes", "frames/s", HIGHER,
		      "mode", compose, refresh, kms.fd, -1, cfg);

	req = request();
	add_plane(req, kms.pipe.overlay, NULL, 0, 0);
	add_plane(req, kms.pipe.cursor, NULL, 0, 0);
	add(req, kms.pipe.writeback, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", 0);
	commit(req, DRM_MODE_ATOMIC_ALLOW_MODESET, "planes off");
	fb_destroy(&kms.wb_fb);
	fb_destroy(&cursor);
	fb_destroy(&overlay);
}

void bench_display(const struct bench_cfg *cfg, int vprime)
{
	static const enum metric fps = FPS, cpu = CPU_MS;
	bool video = bench_wanted(cfg, "vivid-display-1080p");
	int cap;

	if (!video && !bench_wanted(cfg, "compose-1080p"))
		return;
	if (!kms_init(vprime))
		return;
	frames = cfg->frames;
	cap = video ? vivid_open() : -1;
	if (cap >= 0) {
		close(cap);
		bench_figure2(cfg, "vivid-display-1080p", "fps", "frames/s",
			      HIGHER, "copy", zero_copy, copy_path, vprime, -1,
			      &fps);
		bench_figure2(cfg, "vivid-display-1080p", "cpu", "ms/frame",
			      LOWER, "copy", zero_copy, copy_path, vprime, -1,
			      &cpu);
	} else if (video) {
		printf("(vivid not loaded: no video display figures)\n");
	}
	if (bench_wanted(cfg, "compose-1080p"))
		bench_compose(cfg);
	kms_fini();
}
