// SPDX-License-Identifier: MIT
/*
 * kms_vprime: vprime's display side through the atomic API: a modeset,
 * page-flip events, vblank waits, CRCs of the composed output checked
 * against the output computed here, TEST_ONLY, and bad framebuffers and
 * plane positions, and the writeback connector.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>

#include <drm_fourcc.h>
#include <linux/dma-buf.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "igt.h"
#include "vprime_common.h"

/* One output's objects and its preferred mode. */
struct kms_pipe {
	uint32_t crtc, connector, primary, overlay, cursor;
	unsigned int crtc_index;
	drmModeModeInfo mode;
};

/* A dumb-buffer framebuffer, mapped. */
struct fb {
	uint32_t handle, id, width, height, format, pitch;
	uint64_t size;
	void *map;
};

static int fd = -1;
static struct kms_pipe kp;
static struct buf_census census;

/* The id of property @name of object @id, or 0. */
static uint32_t prop_id(uint32_t id, uint32_t type, const char *name)
{
	drmModeObjectPropertiesPtr props;
	drmModePropertyPtr p;
	uint32_t ret = 0, i;

	props = drmModeObjectGetProperties(fd, id, type);
	igt_assert(props);
	for (i = 0; i < props->count_props && !ret; i++) {
		p = drmModeGetProperty(fd, props->props[i]);
		igt_assert(p);
		if (!strcmp(p->name, name))
			ret = p->prop_id;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	igt_assert_f(ret, "no property %s on object %u\n", name, id);
	return ret;
}

/* The current value of property @name of object @id. */
static uint64_t prop_value(uint32_t id, uint32_t type, const char *name)
{
	drmModeObjectPropertiesPtr props;
	drmModePropertyPtr p;
	uint64_t val = 0;
	bool found = false;
	uint32_t i;

	props = drmModeObjectGetProperties(fd, id, type);
	igt_assert(props);
	for (i = 0; i < props->count_props && !found; i++) {
		p = drmModeGetProperty(fd, props->props[i]);
		igt_assert(p);
		if (!strcmp(p->name, name)) {
			val = props->prop_values[i];
			found = true;
		}
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	igt_assert_f(found, "no property %s on object %u\n", name, id);
	return val;
}

/* The value of enum entry @entry of property @name of object @id. */
static uint64_t prop_enum(uint32_t id, uint32_t type, const char *name,
			  const char *entry)
{
	drmModePropertyPtr p = drmModeGetProperty(fd, prop_id(id, type, name));
	uint64_t val = 0;
	bool found = false;
	int i;

	igt_assert(p);
	for (i = 0; i < p->count_enums && !found; i++) {
		if (!strcmp(p->enums[i].name, entry)) {
			val = p->enums[i].value;
			found = true;
		}
	}
	drmModeFreeProperty(p);
	igt_assert_f(found, "property %s has no entry %s\n", name, entry);
	return val;
}

/* Whether enum property @name of object @id has an entry @entry. */
static bool prop_has_enum(uint32_t id, uint32_t type, const char *name,
			  const char *entry)
{
	drmModePropertyPtr p = drmModeGetProperty(fd, prop_id(id, type, name));
	bool found = false;
	int i;

	igt_assert(p);
	for (i = 0; i < p->count_enums; i++)
		if (!strcmp(p->enums[i].name, entry))
			found = true;
	drmModeFreeProperty(p);
	return found;
}

static void add(drmModeAtomicReqPtr req, uint32_t id, uint32_t type,
		const char *name, uint64_t value)
{
	igt_assert(drmModeAtomicAddProperty(req, id, prop_id(id, type, name),
					    value) > 0);
}

/* Find the planes of the first CRTC and its connector's preferred mode. */
static void find_pipe(void)
{
	drmModePlaneResPtr pres;
	drmModeConnectorPtr conn;
	drmModeResPtr res;
	drmModePlanePtr plane;
	uint64_t type;
	uint32_t i;
	int m;

	memset(&kp, 0, sizeof(kp));
	res = drmModeGetResources(fd);
	igt_require_f(res && res->count_crtcs > 0,
		      "vprime has no display (modeset=0?)\n");
	kp.crtc = res->crtcs[0];
	kp.crtc_index = 0;
	igt_assert(res->count_connectors > 0);
	kp.connector = res->connectors[0];
	drmModeFreeResources(res);

	conn = drmModeGetConnector(fd, kp.connector);
	igt_assert(conn);
	igt_assert_eq(conn->connection, DRM_MODE_CONNECTED);
	igt_assert_eq(conn->connector_type, DRM_MODE_CONNECTOR_VIRTUAL);
	for (m = 0; m < conn->count_modes; m++)
		if (conn->modes[m].type & DRM_MODE_TYPE_PREFERRED)
			break;
	igt_assert_f(m < conn->count_modes, "no preferred mode\n");
	kp.mode = conn->modes[m];
	igt_assert_eq(kp.mode.hdisplay, 1920);
	igt_assert_eq(kp.mode.vdisplay, 1080);
	drmModeFreeConnector(conn);

	pres = drmModeGetPlaneResources(fd);
	igt_assert(pres);
	for (i = 0; i < pres->count_planes; i++) {
		plane = drmModeGetPlane(fd, pres->planes[i]);
		igt_assert(plane);
		if (plane->possible_crtcs & (1u << kp.crtc_index)) {
			type = prop_value(plane->plane_id,
					  DRM_MODE_OBJECT_PLANE, "type");
			if (type == DRM_PLANE_TYPE_PRIMARY)
				kp.primary = plane->plane_id;
			else if (type == DRM_PLANE_TYPE_OVERLAY)
				kp.overlay = plane->plane_id;
			else if (type == DRM_PLANE_TYPE_CURSOR)
				kp.cursor = plane->plane_id;
		}
		drmModeFreePlane(plane);
	}
	drmModeFreePlaneResources(pres);
	igt_assert(kp.primary && kp.overlay && kp.cursor);
}

static int __fb_add(struct drm_mode_fb_cmd2 *f)
{
	return drmIoctl(fd, DRM_IOCTL_MODE_ADDFB2, f) ? -errno : 0;
}

/* A @width x @height framebuffer of @format, mapped, zeroed. */
static struct fb fb_create(uint32_t width, uint32_t height, uint32_t format)
{
	uint32_t bpp = format == DRM_FORMAT_RGB565 ||
		       format == DRM_FORMAT_XRGB1555 ||
		       format == DRM_FORMAT_ARGB1555 ? 16 :
		       format == DRM_FORMAT_XRGB16161616 ||
		       format == DRM_FORMAT_ARGB16161616 ? 64 : 32;
	struct drm_mode_fb_cmd2 f = {
		.width = width, .height = height, .pixel_format = format,
	};
	struct fb fb = { .width = width, .height = height, .format = format };

	fb.handle = dumb_create(fd, width, height, bpp, &fb.pitch, &fb.size);
	fb.map = vp_gem_mmap(fd, fb.handle, fb.size, PROT_READ | PROT_WRITE);
	f.handles[0] = fb.handle;
	f.pitches[0] = fb.pitch;
	igt_assert_eq(__fb_add(&f), 0);
	fb.id = f.fb_id;
	return fb;
}

static void fb_destroy(struct fb *fb)
{
	igt_assert_eq(drmModeRmFB(fd, fb->id), 0);
	munmap(fb->map, fb->size);
	vp_gem_close(fd, fb->handle);
}

static uint32_t *fb_pixel(struct fb *fb, uint32_t x, uint32_t y)
{
	return (uint32_t *)((uint8_t *)fb->map + (size_t)y * fb->pitch) + x;
}

static void fb_fill(struct fb *fb, uint32_t color)
{
	uint32_t x, y;

	for (y = 0; y < fb->height; y++)
		for (x = 0; x < fb->width; x++)
			*fb_pixel(fb, x, y) = color;
}

/* Put @fb on @plane at @x, @y, @w x @h on the CRTC. */
static void add_plane_rect(drmModeAtomicReqPtr req, uint32_t plane,
			   struct fb *fb, int32_t x, int32_t y, uint32_t w,
			   uint32_t h)
{
	add(req, plane, DRM_MODE_OBJECT_PLANE, "FB_ID", fb->id);
	add(req, plane, DRM_MODE_OBJECT_PLANE, "CRTC_ID", kp.crtc);
	add(req, plane, DRM_MODE_OBJECT_PLANE, "SRC_X", 0);
	add(req, plane, DRM_MODE_OBJECT_PLANE, "SRC_Y", 0);
	add(req, plane, DRM_MODE_OBJECT_PLANE, "SRC_W", (uint64_t)fb->width << 16);
	add(req, plane, DRM_MODE_OBJECT_PLANE, "SRC_H", (uint64_t)fb->height << 16);
	add(req, plane, DRM_MODE_OBJECT_PLANE, "CRTC_X", (uint64_t)(int64_t)x);
	add(req, plane, DRM_MODE_OBJECT_PLANE, "CRTC_Y", (uint64_t)(int64_t)y);
	add(req, plane, DRM_MODE_OBJECT_PLANE, "CRTC_W", w);
	add(req, plane, DRM_MODE_OBJECT_PLANE, "CRTC_H", h);
}

/* Put @fb on @plane at @x, @y, unscaled. */
static void add_plane(drmModeAtomicReqPtr req, uint32_t plane, struct fb *fb,
		      int32_t x, int32_t y)
{
	add_plane_rect(req, plane, fb, x, y, fb->width, fb->height);
}

static void clear_plane(drmModeAtomicReqPtr req, uint32_t plane)
{
	add(req, plane, DRM_MODE_OBJECT_PLANE, "FB_ID", 0);
	add(req, plane, DRM_MODE_OBJECT_PLANE, "CRTC_ID", 0);
}

/*
 * A request that turns the pipe on with @primary covering the mode;
 * @blob returns the mode blob, destroyed by the caller after the commit.
 */
static drmModeAtomicReqPtr modeset_req_at(struct fb *primary, int32_t x,
					  uint32_t *blob)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();

	igt_assert(req);
	igt_assert_eq(drmModeCreatePropertyBlob(fd, &kp.mode,
						sizeof(kp.mode), blob), 0);
	add(req, kp.crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID", *blob);
	add(req, kp.crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", 1);
	add(req, kp.connector, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID",
	    kp.crtc);
	add_plane(req, kp.primary, primary, x, 0);
	return req;
}

static drmModeAtomicReqPtr modeset_req(struct fb *primary, uint32_t *blob)
{
	return modeset_req_at(primary, 0, blob);
}

static int commit(drmModeAtomicReqPtr req, uint32_t flags)
{
	int ret = drmModeAtomicCommit(fd, req, flags, NULL);

	return ret ? -errno : 0;
}

/* Modeset with @req (from modeset_req()) and free it. */
static void modeset_commit(drmModeAtomicReqPtr req, uint32_t blob)
{
	igt_assert_eq(commit(req, DRM_MODE_ATOMIC_ALLOW_MODESET), 0);
	drmModeAtomicFree(req);
	igt_assert_eq(drmModeDestroyPropertyBlob(fd, blob), 0);
}

static void pipe_off(void)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();

	igt_assert(req);
	add(req, kp.crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID", 0);
	add(req, kp.crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", 0);
	add(req, kp.connector, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", 0);
	clear_plane(req, kp.primary);
	clear_plane(req, kp.overlay);
	clear_plane(req, kp.cursor);
	igt_assert_eq(commit(req, DRM_MODE_ATOMIC_ALLOW_MODESET), 0);
	drmModeAtomicFree(req);
	igt_assert_eq(prop_value(kp.crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE"), 0);
}

/*
 * The last commit's state (and its framebuffer references) is freed just
 * after the commit reports completion: give it a moment, then count.
 */
static void census_settle(void)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (buf_census(fd).objects == census.objects)
			break;
		usleep(10 * 1000);
	}
	assert_census_eq(fd, &census);
}

/* The kernel's crc32_le(0, p, len): reflected 0xedb88320, no inversion. */
static uint32_t crc32_le(uint32_t crc, const uint8_t *p, size_t len)
{
	static uint32_t table[256];
	uint32_t c, i, k;

	if (!table[1]) {
		for (i = 0; i < 256; i++) {
			c = i;
			for (k = 0; k < 8; k++)
				c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
			table[i] = c;
		}
	}
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

/* The CRC vprime reports for an XRGB8888 output (alpha byte 0xff). */
static uint32_t output_crc(const uint32_t *out, uint32_t width,
			   uint32_t height)
{
	static uint8_t row[4096 * 4];
	uint32_t crc = 0, y, x, v;

	igt_assert(width <= 4096);
	for (y = 0; y < height; y++) {
		/* Little-endian bytes, whatever the host is. */
		for (x = 0; x < width; x++) {
			v = out[y * width + x];
			row[4 * x] = v & 0xff;
			row[4 * x + 1] = (v >> 8) & 0xff;
			row[4 * x + 2] = (v >> 16) & 0xff;
			row[4 * x + 3] = 0xff;
		}
		crc = crc32_le(crc, row, (size_t)width * 4);
	}
	return crc;
}

static int debugfs_crtc_open(const char *file, int flags)
{
	char path[256];
	struct stat st;
	int f;

	igt_assert_eq(fstat(fd, &st), 0);
	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%u/crtc-%u/%s",
		 minor(st.st_rdev), kp.crtc_index, file);
	f = open(path, flags);
	igt_assert_f(f >= 0, "%s: %s\n", path, strerror(errno));
	return f;
}

/*
 * Select CRC source "auto", read @n CRCs and check each is @expected and
 * that their frame numbers follow each other.
 * Opening crc/data starts the capture, closing it stops it.
 */
static void check_crcs(uint32_t expected, int n)
{
	uint32_t frame, crc, last_frame = 0;
	struct pollfd pfd;
	char line[64];
	int ctl, data, i;
	ssize_t len;

	ctl = debugfs_crtc_open("crc/control", O_WRONLY);
	igt_assert_eq((int)write(ctl, "auto", 4), 4);
	close(ctl);

	data = debugfs_crtc_open("crc/data", O_RDONLY);
	for (i = 0; i < n; i++) {
		pfd = (struct pollfd){ .fd = data, .events = POLLIN };
		igt_assert_f(poll(&pfd, 1, 2000) == 1, "no CRC in 2 s\n");
		len = read(data, line, sizeof(line) - 1);
		igt_assert_f(len > 0, "crc/data: %s\n", strerror(errno));
		line[len] = '\0';
		igt_assert_f(sscanf(line, "%x %x", &frame, &crc) == 2,
			     "bad CRC line \"%s\"\n", line);
		igt_debug("frame %u crc %08x\n", frame, crc);
		igt_assert_f(crc == expected,
			     "frame %u: crc %08x, expected %08x\n", frame,
			     crc, expected);
		/* One CRC per frame, as IGT's read-crc-frame-sequence wants. */
		igt_assert_f(i == 0 || frame == last_frame + 1,
			     "frame %u after %u\n", frame, last_frame);
		last_frame = frame;
	}
	close(data);
}

static uint32_t mul255(uint32_t x, uint32_t a)
{
	return (x * a + 127) / 255;
}

/* Pre-multiplied @src (ARGB8888) over @dst (XRGB8888), plane alpha 255. */
static uint32_t blend_premulti(uint32_t src, uint32_t dst)
{
	uint32_t a = src >> 24, out = 0xff000000, s, d, c;
	int shift;

	for (shift = 0; shift <= 16; shift += 8) {
		s = (src >> shift) & 0xff;
		d = (dst >> shift) & 0xff;
		c = s + mul255(d, 255 - a);
		out |= (c > 255 ? 255 : c) << shift;
	}
	return out;
}

/* A valid pre-multiplied pixel (no channel above alpha) at @x, @y. */
static uint32_t overlay_pixel(uint32_t x, uint32_t y)
{
	uint32_t a = (x * 7 + y * 3) & 0xff;

	return a << 24 | (a / 2) << 16 | (a / 3) << 8 | (a * (x & 1));
}

/*
 * Fill @prim with @bg (its X byte need not be 0xff) and @ovl with
 * overlay_pixel(), and write to @out the output vprime must show with
 * @ovl pre-multiplied at @ox, @oy over @prim.
 */
static void fill_blend_scene(struct fb *prim, uint32_t bg, struct fb *ovl,
			     uint32_t ox, uint32_t oy, uint32_t *out)
{
	uint32_t x, y, p, opaque = 0xff000000 | bg;

	fb_fill(prim, bg);
	for (x = 0; x < prim->width * prim->height; x++)
		out[x] = opaque;
	for (y = 0; y < ovl->height; y++) {
		for (x = 0; x < ovl->width; x++) {
			p = overlay_pixel(x, y);
			*fb_pixel(ovl, x, y) = p;
			out[(oy + y) * prim->width + ox + x] =
				blend_premulti(p, opaque);
		}
	}
}

static void wait_flip(uint32_t *seq, uint64_t *usec)
{
	struct drm_event_vblank ev;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t len;

	igt_assert_f(poll(&pfd, 1, 1000) == 1, "no flip event in 1 s\n");
	len = read(fd, &ev, sizeof(ev));
	igt_assert_eq((int)len, (int)sizeof(ev));
	igt_assert_eq(ev.base.type, DRM_EVENT_FLIP_COMPLETE);
	igt_assert_eq(ev.crtc_id, kp.crtc);
	*seq = ev.sequence;
	*usec = (uint64_t)ev.tv_sec * 1000000 + ev.tv_usec;
}

/*
 * The writeback connector of the pipe's CRTC; clients see it only with
 * DRM_CLIENT_CAP_WRITEBACK_CONNECTORS, which this sets (wb_cap_off()
 * clears it).
 */
static uint32_t find_writeback(void)
{
	drmModeConnectorPtr conn;
	drmModeEncoderPtr enc;
	drmModeResPtr res;
	uint32_t id = 0;
	int i;

	igt_assert_eq(drmSetClientCap(fd, DRM_CLIENT_CAP_WRITEBACK_CONNECTORS,
				      1), 0);
	res = drmModeGetResources(fd);
	igt_assert(res);
	for (i = 0; i < res->count_connectors && !id; i++) {
		conn = drmModeGetConnector(fd, res->connectors[i]);
		igt_assert(conn);
		if (conn->connector_type == DRM_MODE_CONNECTOR_WRITEBACK &&
		    conn->count_encoders == 1) {
			enc = drmModeGetEncoder(fd, conn->encoders[0]);
			igt_assert(enc);
			if (enc->possible_crtcs & (1u << kp.crtc_index))
				id = conn->connector_id;
			drmModeFreeEncoder(enc);
		}
		drmModeFreeConnector(conn);
	}
	drmModeFreeResources(res);
	igt_assert_f(id, "no writeback connector on CRTC %u\n", kp.crtc);
	return id;
}

static void wb_cap_off(void)
{
	igt_assert_eq(drmSetClientCap(fd, DRM_CLIENT_CAP_WRITEBACK_CONNECTORS,
				      0), 0);
}

/* Add a writeback of the CRTC into @fb (NULL: none) to @req. */
static void add_writeback(drmModeAtomicReqPtr req, uint32_t wb,
			  struct fb *fb, int32_t *out_fence)
{
	add(req, wb, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", kp.crtc);
	add(req, wb, DRM_MODE_OBJECT_CONNECTOR, "WRITEBACK_FB_ID",
	    fb ? fb->id : 0);
	if (out_fence) {
		*out_fence = -1;
		add(req, wb, DRM_MODE_OBJECT_CONNECTOR,
		    "WRITEBACK_OUT_FENCE_PTR",
		    (uint64_t)(uintptr_t)out_fence);
	}
}

/* poll() POLLIN of @f without waiting. */
static short ready_fd(int f)
{
	struct pollfd p = { .fd = f, .events = POLLIN };

	igt_assert(poll(&p, 1, 0) >= 0);
	return p.revents;
}

static void wait_fence(int fence)
{
	struct pollfd pfd = { .fd = fence, .events = POLLIN };

	igt_assert(fence >= 0);
	igt_assert_f(poll(&pfd, 1, 5000) == 1,
		     "writeback fence not signalled in 5 s\n");
	close(fence);
}

/* Every pixel of @fb (XRGB8888 or ARGB8888) is @out's. */
static void check_fb_pixels(struct fb *fb, const uint32_t *out)
{
	uint32_t x, y, got;

	for (y = 0; y < fb->height; y++) {
		for (x = 0; x < fb->width; x++) {
			got = *fb_pixel(fb, x, y);
			igt_assert_f(got == out[y * fb->width + x],
				     "pixel %u,%u: %08x, expected %08x\n",
				     x, y, got, out[y * fb->width + x]);
		}
	}
}

static void wb_off(uint32_t wb)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();

	igt_assert(req);
	add(req, wb, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", 0);
	igt_assert_eq(commit(req, DRM_MODE_ATOMIC_ALLOW_MODESET), 0);
	drmModeAtomicFree(req);
}

/* vprime's rounding of an @m-maximum channel to 8 bits. */
static uint32_t to8(uint32_t c, uint32_t m)
{
	return (c * 255 + m / 2) / m;
}

/*
 * Fill @fb (a 2101010 or 16161616 format) with a pattern that covers
 * every channel value's rounding, and return the XRGB8888 output vprime
 * must show for it on the primary plane (pre-multiplied over black).
 */
static uint32_t *fill_wide(struct fb *fb)
{
	uint32_t *out = malloc((size_t)fb->width * fb->height * 4);
	bool wide16 = fb->format == DRM_FORMAT_XRGB16161616 ||
		      fb->format == DRM_FORMAT_ARGB16161616;
	bool rgb565 = fb->format == DRM_FORMAT_RGB565;
	bool rgb1555 = fb->format == DRM_FORMAT_XRGB1555 ||
		       fb->format == DRM_FORMAT_ARGB1555;
	uint32_t x, y, r, g, b, a;
	uint16_t *p16;

	igt_assert(out);
	for (y = 0; y < fb->height; y++) {
		for (x = 0; x < fb->width; x++) {
			p16 = (uint16_t *)((uint8_t *)fb->map +
					   (size_t)y * fb->pitch) + x;
			if (rgb565) {
				r = (x * 3 + y) & 0x1f;
				g = (x + y * 7) & 0x3f;
				b = (x * y + 1) & 0x1f;
				*p16 = r << 11 | g << 5 | b;
				/* 5 and 6 bits widen by their top bits */
				r = r << 3 | r >> 2;
				g = g << 2 | g >> 4;
				b = b << 3 | b >> 2;
			} else if (rgb1555) {
				r = (x * 3 + y) & 0x1f;
				g = (x + y * 7) & 0x1f;
				b = (x * y + 1) & 0x1f;
				a = (x ^ y) & 1;
				*p16 = a << 15 | r << 10 | g << 5 | b;
				r = r << 3 | r >> 2;
				g = g << 3 | g >> 2;
				b = b << 3 | b >> 2;
			} else if (wide16) {
				r = (x * 263 + y * 31) & 0xffff;
				g = (x * 37 + y * 911) & 0xffff;
				b = (x * y * 5 + 17) & 0xffff;
				a = (x + y * 3) & 0xffff;
				p16 = (uint16_t *)((uint8_t *)fb->map +
						   (size_t)y * fb->pitch) + 4 * x;
				p16[0] = b;
				p16[1] = g;
				p16[2] = r;
				p16[3] = a;
				r = to8(r, 65535);
				g = to8(g, 65535);
				b = to8(b, 65535);
			} else {
				r = (x * 7 + y) & 0x3ff;
				g = (x + y * 5) & 0x3ff;
				b = (x * y + 3) & 0x3ff;
				a = (x ^ y) & 3;
				*fb_pixel(fb, x, y) = a << 30 | r << 20 |
						      g << 10 | b;
				r = to8(r, 1023);
				g = to8(g, 1023);
				b = to8(b, 1023);
			}
			out[y * fb->width + x] = 0xff000000 | r << 16 |
						 g << 8 | b;
		}
	}
	return out;
}

/* An unsignalled vprime fence on @handle: its id, and a sync_file in @sf. */
static uint32_t kms_fence(uint32_t handle, uint32_t flags, int *sf)
{
	struct drm_vprime_fence_attach a = {
		.handle = handle, .flags = flags | VPRIME_FENCE_SYNC_FILE,
	};

	igt_assert_eq(drmIoctl(fd, DRM_IOCTL_VPRIME_FENCE_ATTACH, &a), 0);
	*sf = a.sync_file_fd;
	return a.fence;
}

static void kms_fence_signal(uint32_t fence)
{
	struct drm_vprime_fence_signal s = { .fence = fence };

	igt_assert_eq(drmIoctl(fd, DRM_IOCTL_VPRIME_FENCE_SIGNAL, &s), 0);
}

/* No DRM event arrives within @ms. */
static void no_event(int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	igt_assert_eq(poll(&pfd, 1, ms), 0);
}

/* A non-blocking flip of the primary plane to @fb with an event. */
static void flip_to(struct fb *fb, int in_fence, int32_t *out_fence)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();

	igt_assert(req);
	add(req, kp.primary, DRM_MODE_OBJECT_PLANE, "FB_ID", fb->id);
	if (in_fence >= 0)
		add(req, kp.primary, DRM_MODE_OBJECT_PLANE, "IN_FENCE_FD",
		    in_fence);
	if (out_fence) {
		*out_fence = -1;
		add(req, kp.crtc, DRM_MODE_OBJECT_CRTC, "OUT_FENCE_PTR",
		    (uint64_t)(uintptr_t)out_fence);
	}
	igt_assert_eq(commit(req, DRM_MODE_PAGE_FLIP_EVENT |
			     DRM_MODE_ATOMIC_NONBLOCK), 0);
	drmModeAtomicFree(req);
}

/*
 * A flip to @fb held by a fence on @other that a child signals in 2 s:
 * returns the child; @sf gets the fence's sync_file, which the caller
 * closes.
 */
static pid_t flip_held(struct fb *fb, uint32_t other, int *sf)
{
	uint32_t fence = kms_fence(other, 0, sf);
	struct drm_vprime_fence_signal sig = { .fence = fence };
	pid_t child;

	flip_to(fb, *sf, NULL);
	child = fork();
	igt_assert(child >= 0);
	if (!child) {
		usleep(2000 * 1000);
		_exit(drmIoctl(fd, DRM_IOCTL_VPRIME_FENCE_SIGNAL, &sig) ? 1 : 0);
	}
	return child;
}

/* Reap flip_held()'s @child, which signalled the fence, and the flip. */
static void flip_held_done(pid_t child)
{
	uint64_t usec;
	uint32_t seq;
	int status;

	igt_assert_eq(waitpid(child, &status, 0), child);
	igt_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	wait_flip(&seq, &usec);
}

/* Milliseconds since @t0 (CLOCK_MONOTONIC). */
static long ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 +
	       (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * A framebuffer on vprime of a dma-buf another exporter made: @dmabuf
 * (@w x @h XRGB8888, @pitch) imported, its pixels at @map filled with a
 * pattern whose output is written to @out.
 */
static struct fb fb_import(int dmabuf, uint32_t w, uint32_t h,
			   uint32_t pitch, uint64_t size, void *map,
			   uint32_t *out)
{
	struct drm_mode_fb_cmd2 f = {
		.width = w, .height = h, .pixel_format = DRM_FORMAT_XRGB8888,
	};
	struct fb fb = {
		.width = w, .height = h, .format = DRM_FORMAT_XRGB8888,
		.pitch = pitch, .size = size, .map = map,
	};
	uint32_t x, y;

	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			*fb_pixel(&fb, x, y) = (x * 3) << 16 | y << 4 | 0x5a;
			out[y * w + x] = 0xff000000 | *fb_pixel(&fb, x, y);
		}
	}
	fb.handle = vp_prime_fd_to_handle(fd, dmabuf);
	f.handles[0] = fb.handle;
	f.pitches[0] = pitch;
	igt_assert_eq(__fb_add(&f), 0);
	fb.id = f.fb_id;
	return fb;
}

/* Show @fb on the primary plane and check the CRC against @out. */
static void show_and_check(struct fb *fb, const uint32_t *out)
{
	drmModeAtomicReqPtr req;
	uint32_t blob;

	req = modeset_req(fb, &blob);
	modeset_commit(req, blob);
	check_crcs(output_crc(out, fb->width, fb->height), 2);
	pipe_off();
	igt_assert_eq(drmModeRmFB(fd, fb->id), 0);
	vp_gem_close(fd, fb->handle);
}

/* vprime's YUV conversion (its DOC "vprime YUV conversion"). */
static uint32_t yuv_clamp(int32_t v)
{
	v = (v + 32768) >> 16;
	return v < 0 ? 0 : v > 255 ? 255 : (uint32_t)v;
}

static uint32_t yuv_to_xrgb(bool bt709, bool full, uint32_t yy, uint32_t cbb,
			    uint32_t crr)
{
	static const int32_t k[2][2][5] = {
		{ { 76309, 104597, 25675, 53279, 132201 },
		  { 65536, 91881, 22554, 46802, 116130 } },
		{ { 76309, 117489, 13975, 34925, 138438 },
		  { 65536, 103206, 12276, 30679, 121609 } },
	};
	const int32_t *c = k[bt709][full];
	int32_t y = full ? (int32_t)yy : (int32_t)yy - 16;
	int32_t cb = (int32_t)cbb - 128, cr = (int32_t)crr - 128;

	return 0xff000000 | yuv_clamp(c[0] * y + c[1] * cr) << 16 |
	       yuv_clamp(c[0] * y - c[2] * cb - c[3] * cr) << 8 |
	       yuv_clamp(c[0] * y + c[4] * cb);
}

/* Write @val to the pipe's connector's debugfs vprime_connected. */
static int set_connected(const char *val)
{
	drmModeConnectorPtr conn = drmModeGetConnector(fd, kp.connector);
	char path[256];
	struct stat st;
	ssize_t n;
	int f;

	igt_assert(conn);
	igt_assert_eq(fstat(fd, &st), 0);
	snprintf(path, sizeof(path),
		 "/sys/kernel/debug/dri/%u/Virtual-%u/vprime_connected",
		 minor(st.st_rdev), conn->connector_type_id);
	drmModeFreeConnector(conn);
	f = open(path, O_WRONLY);
	igt_assert_f(f >= 0, "%s: %s\n", path, strerror(errno));
	n = write(f, val, strlen(val));
	close(f);
	return n < 0 ? -errno : 0;
}

static void check_connection(drmModeConnection want)
{
	drmModeConnectorPtr conn = drmModeGetConnector(fd, kp.connector);

	igt_assert(conn);
	igt_assert_eq(conn->connection, want);
	if (want == DRM_MODE_CONNECTED)
		igt_assert(conn->count_modes > 0);
	else
		igt_assert_eq(conn->count_modes, 0);
	drmModeFreeConnector(conn);
}

igt_main
{
	igt_fixture {
		fd = vprime_open(VPRIME_NODE_PRIMARY, 0);
		igt_require_f(drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES,
					      1) == 0 &&
			      drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1) == 0,
			      "vprime is not an atomic KMS device (modeset=0?)\n");
		igt_require_f(drmIsMaster(fd), "another client is DRM master\n");
		find_pipe();
		census = buf_census(fd);
	}

	igt_describe("An atomic modeset of the preferred mode turns the CRTC on, and off again");
	igt_subtest("modeset") {
		struct fb fb = fb_create(kp.mode.hdisplay, kp.mode.vdisplay,
					 DRM_FORMAT_XRGB8888);
		drmModeAtomicReqPtr req;
		drmModeCrtcPtr crtc;
		uint32_t blob;

		fb_fill(&fb, 0x00336699);
		req = modeset_req(&fb, &blob);
		modeset_commit(req, blob);
		igt_assert_eq(prop_value(kp.crtc, DRM_MODE_OBJECT_CRTC,
					 "ACTIVE"), 1);
		igt_assert_eq(prop_value(kp.primary, DRM_MODE_OBJECT_PLANE,
					 "FB_ID"), fb.id);
		crtc = drmModeGetCrtc(fd, kp.crtc);
		igt_assert(crtc && crtc->mode_valid);
		igt_assert_eq(crtc->mode.hdisplay, kp.mode.hdisplay);
		drmModeFreeCrtc(crtc);
		pipe_off();
		fb_destroy(&fb);
		census_settle();
	}

	igt_describe("Non-blocking flips send events with increasing sequence and time");
	igt_subtest("page-flip-event") {
		struct fb fbs[2];
		drmModeAtomicReqPtr req;
		uint32_t blob, seq, prev_seq = 0;
		uint64_t usec, prev_usec = 0;
		int i;

		for (i = 0; i < 2; i++) {
			fbs[i] = fb_create(kp.mode.hdisplay,
					   kp.mode.vdisplay,
					   DRM_FORMAT_XRGB8888);
			fb_fill(&fbs[i], i ? 0x00ff0000 : 0x0000ff00);
		}
		req = modeset_req(&fbs[0], &blob);
		modeset_commit(req, blob);

		for (i = 1; i <= 10; i++) {
			req = drmModeAtomicAlloc();
			igt_assert(req);
			add(req, kp.primary, DRM_MODE_OBJECT_PLANE, "FB_ID",
			    fbs[i % 2].id);
			igt_assert_eq(commit(req, DRM_MODE_ATOMIC_NONBLOCK |
					     DRM_MODE_PAGE_FLIP_EVENT), 0);
			drmModeAtomicFree(req);
			wait_flip(&seq, &usec);
			if (i > 1) {
				igt_assert_f(seq >= prev_seq + 1,
					     "sequence %u after %u\n", seq,
					     prev_seq);
				igt_assert_f(usec > prev_usec,
					     "time %" PRIu64 " after %" PRIu64 "\n",
					     usec, prev_usec);
			}
			prev_seq = seq;
			prev_usec = usec;
		}
		pipe_off();
		fb_destroy(&fbs[0]);
		fb_destroy(&fbs[1]);
		census_settle();
	}

	igt_describe("WAIT_VBLANK for the next vblank returns a later sequence");
	igt_subtest("wait-vblank") {
		struct fb fb = fb_create(kp.mode.hdisplay, kp.mode.vdisplay,
					 DRM_FORMAT_XRGB8888);
		drmVBlank now = { .request.type = DRM_VBLANK_RELATIVE };
		drmVBlank next = { .request.type = DRM_VBLANK_RELATIVE,
				   .request.sequence = 1 };
		drmModeAtomicReqPtr req;
		uint32_t blob;

		req = modeset_req(&fb, &blob);
		modeset_commit(req, blob);
		igt_assert_eq(drmWaitVBlank(fd, &now), 0);
		igt_assert_eq(drmWaitVBlank(fd, &next), 0);
		igt_assert_f(next.reply.sequence > now.reply.sequence,
			     "sequence %u after %u\n", next.reply.sequence,
			     now.reply.sequence);
		igt_assert((uint64_t)next.reply.tval_sec * 1000000 +
			   next.reply.tval_usec >
			   (uint64_t)now.reply.tval_sec * 1000000 +
			   now.reply.tval_usec);
		pipe_off();
		fb_destroy(&fb);
		census_settle();
	}

	igt_describe("UHD and PAL TV modes are listed; UHD runs at its rate");
	igt_subtest("modeset-uhd") {
		drmModeConnectorPtr conn = drmModeGetConnector(fd, kp.connector);
		drmModeModeInfo preferred = kp.mode, uhd = { 0 };
		drmVBlank a = { .request.type = DRM_VBLANK_RELATIVE,
				.request.sequence = 1 };
		drmVBlank b = { 0 };
		drmModeAtomicReqPtr req;
		bool pal = false;
		uint64_t ta, tb;
		struct fb fb;
		uint32_t blob;
		int m;

		igt_assert(conn);
		for (m = 0; m < conn->count_modes; m++) {
			const drmModeModeInfo *mi = &conn->modes[m];

			if (mi->hdisplay == 3840 && mi->vdisplay == 2160 &&
			    mi->vrefresh == 60)
				uhd = *mi;
			if (mi->hdisplay == 720 && mi->vdisplay == 576 &&
			    mi->vrefresh == 50)
				pal = true;
			/* one preferred mode: 1920x1080 at 60 Hz */
			if (mi->type & DRM_MODE_TYPE_PREFERRED)
				igt_assert(mi->hdisplay == 1920 &&
					   mi->vrefresh == 60);
		}
		drmModeFreeConnector(conn);
		igt_assert_f(uhd.hdisplay, "no 3840x2160 60 Hz mode\n");
		igt_assert_f(pal, "no 720x576 50 Hz mode\n");

		kp.mode = uhd;
		fb = fb_create(uhd.hdisplay, uhd.vdisplay, DRM_FORMAT_XRGB8888);
		req = modeset_req(&fb, &blob);
		modeset_commit(req, blob);
		kp.mode = preferred;
		igt_assert_eq(drmWaitVBlank(fd, &a), 0);
		/* a later vblank; a slow guest may see it passed already */
		b.request.type = DRM_VBLANK_ABSOLUTE;
		b.request.sequence = a.reply.sequence + 2;
		igt_assert_eq(drmWaitVBlank(fd, &b), 0);
		igt_assert(b.reply.sequence >= a.reply.sequence + 2);
		ta = (uint64_t)a.reply.tval_sec * 1000000 + a.reply.tval_usec;
		tb = (uint64_t)b.reply.tval_sec * 1000000 + b.reply.tval_usec;
		tb = (tb - ta) / (b.reply.sequence - a.reply.sequence);
		/* 60 Hz within 10%: 15000 to 18333 us a frame */
		igt_assert_f(tb >= 15000 && tb <= 18333,
			     "vblank interval %llu us at 60 Hz\n",
			     (unsigned long long)tb);
		pipe_off();
		fb_destroy(&fb);
		census_settle();
	}

	igt_describe("The CRC of a plain primary plane is crc32_le of the expected output");
	igt_subtest("crc-matches-reference") {
		uint32_t w = kp.mode.hdisplay, h = kp.mode.vdisplay;
		struct fb fb = fb_create(w, h, DRM_FORMAT_XRGB8888);
		uint32_t *out = malloc((size_t)w * h * 4);
		drmModeAtomicReqPtr req;
		uint32_t blob, x, y;

		igt_assert(out);
		/*
		 * A gradient, so that a wrong stride or offset shows, with
		 * junk in the X byte, which the output must not show.
		 */
		for (y = 0; y < h; y++) {
			for (x = 0; x < w; x++) {
				out[y * w + x] = ((x * 3) & 0xff) << 16 |
						 ((y * 5) & 0xff) << 8 |
						 ((x ^ y) & 0xff);
				*fb_pixel(&fb, x, y) = out[y * w + x] |
						       0x5a000000;
			}
		}
		req = modeset_req(&fb, &blob);
		modeset_commit(req, blob);
		check_crcs(output_crc(out, w, h), 10);
		free(out);
		pipe_off();
		fb_destroy(&fb);
		census_settle();
	}

	igt_describe("A gamma LUT (legacy or GAMMA_LUT) maps the output; a wrong size is refused");
	igt_subtest("crc-gamma") {
		uint32_t w = kp.mode.hdisplay, h = kp.mode.vdisplay;
		struct fb fb = fb_create(w, h, DRM_FORMAT_XRGB8888);
		uint32_t *in = malloc((size_t)w * h * 4);
		uint32_t *out = malloc((size_t)w * h * 4);
		uint16_t r[256], g[256], b[256];
		struct drm_color_lut lut[256];
		drmModeAtomicReqPtr req;
		drmModeCrtcPtr crtc;
		uint32_t blob, x, y, i, v;

		igt_assert(in && out);
		for (y = 0; y < h; y++)
			for (x = 0; x < w; x++) {
				in[y * w + x] = ((x * 3) & 0xff) << 16 |
						((y * 5) & 0xff) << 8 |
						((x ^ y) & 0xff);
				*fb_pixel(&fb, x, y) = in[y * w + x];
			}
		req = modeset_req(&fb, &blob);
		modeset_commit(req, blob);
		crtc = drmModeGetCrtc(fd, kp.crtc);
		igt_assert(crtc);
		igt_assert_eq(crtc->gamma_size, 256);
		drmModeFreeCrtc(crtc);

		/* Legacy: red inverted, green as is, blue to 6 bits. */
		for (i = 0; i < 256; i++) {
			r[i] = (255 - i) * 257;
			g[i] = i * 257;
			b[i] = (i & 0xfc) * 257;
		}
		igt_assert_eq(drmModeCrtcSetGamma(fd, kp.crtc, 256, r, g, b), 0);
		for (i = 0; i < w * h; i++) {
			v = in[i];
			out[i] = (255 - (v >> 16 & 0xff)) << 16 |
				 (v & 0xff00) | (v & 0xfc);
		}
		check_crcs(output_crc(out, w, h), 3);
		igt_assert_eq(drmModeCrtcSetGamma(fd, kp.crtc, 128, r, g, b),
			      -EINVAL);

		/*
		 * GAMMA_LUT: an entry's top 8 bits (the low ones must not
		 * round it up); 255 entries refused.
		 */
		for (i = 0; i < 256; i++)
			lut[i] = (struct drm_color_lut){
				.red = i * 257, .green = (i / 2) << 8 | 0xff,
				.blue = 0xffff - i * 257,
			};
		igt_assert_eq(drmModeCreatePropertyBlob(fd, lut, sizeof(lut),
							&blob), 0);
		req = drmModeAtomicAlloc();
		igt_assert(req);
		add(req, kp.crtc, DRM_MODE_OBJECT_CRTC, "GAMMA_LUT", blob);
		igt_assert_eq(commit(req, 0), 0);
		drmModeAtomicFree(req);
		igt_assert_eq(drmModeDestroyPropertyBlob(fd, blob), 0);
		for (i = 0; i < w * h; i++) {
			v = in[i];
			out[i] = (v & 0xff0000) |
				 ((v >> 8 & 0xff) / 2) << 8 |
				 (255 - (v & 0xff));
		}
		check_crcs(output_crc(out, w, h), 3);
		igt_assert_eq(drmModeCreatePropertyBlob(fd, lut,
							sizeof(lut[0]) * 255,
							&blob), 0);
		req = drmModeAtomicAlloc();
		igt_assert(req);
		add(req, kp.crtc, DRM_MODE_OBJECT_CRTC, "GAMMA_LUT", blob);
		igt_assert_eq(commit(req, DRM_MODE_ATOMIC_TEST_ONLY), -EINVAL);
		drmModeAtomicFree(req);
		igt_assert_eq(drmModeDestroyPropertyBlob(fd, blob), 0);

		/* No LUT: the output as drawn. */
		req = drmModeAtomicAlloc();
		igt_assert(req);
		add(req, kp.crtc, DRM_MODE_OBJECT_CRTC, "GAMMA_LUT", 0);
		igt_assert_eq(commit(req, 0), 0);
		drmModeAtomicFree(req);
		check_crcs(output_crc(in, w, h), 3);
		free(out);
		free(in);
		pipe_off();
		fb_destroy(&fb);
		census_settle();
	}

	igt_describe("A primary plane smaller than the CRTC, moved and clipped, on black");
	igt_subtest("crc-primary-positioned") {
		uint32_t w = kp.mode.hdisplay, h = kp.mode.vdisplay;
		uint32_t pw = w / 2, ph = h / 2;
		/* Right half on screen, bottom rows past the CRTC's edge. */
		int32_t px = (int32_t)(w - pw / 2), py = (int32_t)(h - ph + 16);
		struct fb fb = fb_create(pw, ph, DRM_FORMAT_XRGB8888);
		uint32_t *out = calloc((size_t)w * h, 4);
		drmModeAtomicReqPtr req;
		uint32_t blob, x, y, v;

		igt_assert(out);
		for (y = 0; y < ph; y++) {
			for (x = 0; x < pw; x++) {
				v = (x & 0xff) << 16 | (y & 0xff) << 8 | 0x40;
				*fb_pixel(&fb, x, y) = v | 0xa5000000;
				if (px + x < w && py + y < h)
					out[(py + y) * w + px + x] = v;
			}
		}
		req = modeset_req(&fb, &blob);
		add(req, kp.primary, DRM_MODE_OBJECT_PLANE, "CRTC_X", px);
		add(req, kp.primary, DRM_MODE_OBJECT_PLANE, "CRTC_Y", py);
		modeset_commit(req, blob);
		check_crcs(output_crc(out, w, h), 3);
		free(out);
		pipe_off();
		fb_destroy(&fb);
		census_settle();
	}

	igt_describe("A primary scaled up 2x, an overlay scaled down: nearest pixel centres");
	igt_subtest("crc-scaled") {
		uint32_t w = kp.mode.hdisplay, h = kp.mode.vdisplay;
		const uint32_t ox = 100, oy = 50, ow = 300, oh = 200;
		const uint32_t dw = 200, dh = 150;	/* 1.5x, 1.33x down */
		struct fb prim = fb_create(w / 2, h / 2, DRM_FORMAT_XRGB8888);
		struct fb ovl = fb_create(ow, oh, DRM_FORMAT_XRGB8888);
		uint32_t *out = malloc((size_t)w * h * 4);
		drmModeAtomicReqPtr req;
		uint32_t blob, x, y, sx, sy;

		igt_assert(out);
		for (y = 0; y < prim.height; y++)
			for (x = 0; x < prim.width; x++)
				*fb_pixel(&prim, x, y) = (x & 0xff) << 16 |
							 (y & 0xff) << 8 |
							 ((x + y) & 0xff);
		for (y = 0; y < oh; y++)
			for (x = 0; x < ow; x++)
				*fb_pixel(&ovl, x, y) = ((x * 7) & 0xff) << 16 |
							((y * 3) & 0xff) |
							0x77000000;
		/* Output pixel i of d shows source (2i + 1) * s / 2d. */
		for (y = 0; y < h; y++) {
			for (x = 0; x < w; x++) {
				sx = (2 * x + 1) * prim.width / (2 * w);
				sy = (2 * y + 1) * prim.height / (2 * h);
				out[y * w + x] = *fb_pixel(&prim, sx, sy) &
						 0xffffff;
				if (x < ox || x >= ox + dw || y < oy ||
				    y >= oy + dh)
					continue;
				sx = (2 * (x - ox) + 1) * ow / (2 * dw);
				sy = (2 * (y - oy) + 1) * oh / (2 * dh);
				out[y * w + x] = *fb_pixel(&ovl, sx, sy) &
						 0xffffff;
			}
		}
		req = modeset_req(&prim, &blob);
		add_plane_rect(req, kp.primary, &prim, 0, 0, w, h);
		add_plane_rect(req, kp.overlay, &ovl, ox, oy, dw, dh);
		modeset_commit(req, blob);
		check_crcs(output_crc(out, w, h), 3);
		free(out);
		pipe_off();
		fb_destroy(&ovl);
		fb_destroy(&prim);
		census_settle();
	}

	igt_describe("zpos swaps the primary and the overlay: the overlay shows through a hole");
	igt_subtest("crc-zpos-swapped") {
		uint32_t w = kp.mode.hdisplay, h = kp.mode.vdisplay;
		const uint32_t ox = 64, oy = 32, ow = 320, oh = 160;
		/* The hole in the primary: transparent, pre-multiplied. */
		const uint32_t hx = 200, hy = 100, hw = 400, hh = 200;
		struct fb prim = fb_create(w, h, DRM_FORMAT_ARGB8888);
		struct fb ovl = fb_create(ow, oh, DRM_FORMAT_XRGB8888);
		uint32_t *out = malloc((size_t)w * h * 4);
		drmModeAtomicReqPtr req;
		uint32_t blob, x, y;
		bool hole;

		igt_assert(out);
		for (y = 0; y < oh; y++)
			for (x = 0; x < ow; x++)
				*fb_pixel(&ovl, x, y) = 0x00105090 + x;
		for (y = 0; y < h; y++) {
			for (x = 0; x < w; x++) {
				hole = x >= hx && x < hx + hw && y >= hy &&
				       y < hy + hh;
				*fb_pixel(&prim, x, y) = hole ? 0 : 0xff803010;
				out[y * w + x] = hole ? 0 : 0x803010;
				if (hole && x >= ox && x < ox + ow &&
				    y >= oy && y < oy + oh)
					out[y * w + x] = 0x105090 + x - ox;
			}
		}
		req = modeset_req(&prim, &blob);
		add_plane(req, kp.overlay, &ovl, ox, oy);
		add(req, kp.primary, DRM_MODE_OBJECT_PLANE, "zpos", 1);
		add(req, kp.overlay, DRM_MODE_OBJECT_PLANE, "zpos", 0);
		modeset_commit(req, blob);
		igt_assert_eq(prop_value(kp.primary, DRM_MODE_OBJECT_PLANE,
					 "zpos"), 1);
		check_crcs(output_crc(out, w, h), 3);
		free(out);
		/* Back to the defaults for the next subtests. */
		req = drmModeAtomicAlloc();
		igt_assert(req);
		add(req, kp.primary, DRM_MODE_OBJECT_PLANE, "zpos", 0);
		add(req, kp.overlay, DRM_MODE_OBJECT_PLANE, "zpos", 1);
		igt_assert_eq(commit(req, 0), 0);
		drmModeAtomicFree(req);
		pipe_off();
		fb_destroy(&ovl);
		fb_destroy(&prim);
		census_settle();
	}

	igt_describe("A pre-multiplied ARGB8888 overlay blends with the documented rounding");
	igt_subtest("crc-overlay-blend") {
		uint32_t w = kp.mode.hdisplay, h = kp.mode.vdisplay;
		const uint32_t ox = 100, oy = 50, ow = 256, oh = 128;
		struct fb prim = fb_create(w, h, DRM_FORMAT_XRGB8888);
		struct fb ovl = fb_create(ow, oh, DRM_FORMAT_ARGB8888);
		uint32_t *out = malloc((size_t)w * h * 4);
		drmModeAtomicReqPtr req;
		uint32_t blob;

		igt_assert(out);
		fill_blend_scene(&prim, 0x00204080, &ovl, ox, oy, out);
		req = modeset_req(&prim, &blob);
		add_plane(req, kp.overlay, &ovl, ox, oy);
		add(req, kp.overlay, DRM_MODE_OBJECT_PLANE, "pixel blend mode",
		    prop_enum(kp.overlay, DRM_MODE_OBJECT_PLANE,
			      "pixel blend mode", "Pre-multiplied"));
		add(req, kp.overlay, DRM_MODE_OBJECT_PLANE, "alpha", 0xffff);
		modeset_commit(req, blob);
		check_crcs(output_crc(out, w, h), 10);
		free(out);
		pipe_off();
		fb_destroy(&ovl);
		fb_destroy(&prim);
		census_settle();
	}

	igt_describe("A TEST_ONLY commit of another framebuffer changes nothing");
	igt_subtest("test-only-no-change") {
		struct fb a = fb_create(kp.mode.hdisplay, kp.mode.vdisplay,
					DRM_FORMAT_XRGB8888);
		struct fb b = fb_create(kp.mode.hdisplay, kp.mode.vdisplay,
					DRM_FORMAT_XRGB8888);
		drmModeAtomicReqPtr req;
		drmModeCrtcPtr crtc;
		uint32_t blob;

		req = modeset_req(&a, &blob);
		modeset_commit(req, blob);
		req = drmModeAtomicAlloc();
		igt_assert(req);
		add(req, kp.primary, DRM_MODE_OBJECT_PLANE, "FB_ID", b.id);
		igt_assert_eq(commit(req, DRM_MODE_ATOMIC_TEST_ONLY), 0);
		drmModeAtomicFree(req);
		igt_assert_eq(prop_value(kp.primary, DRM_MODE_OBJECT_PLANE,
					 "FB_ID"), a.id);
		crtc = drmModeGetCrtc(fd, kp.crtc);
		igt_assert(crtc);
		igt_assert_eq(crtc->buffer_id, a.id);
		drmModeFreeCrtc(crtc);
		pipe_off();
		fb_destroy(&a);
		fb_destroy(&b);
		census_settle();
	}

	igt_describe("Bad ADDFB2 pitch, offset, format; bad plane positions, sizes");
	igt_subtest("bad-input") {
		uint32_t w = kp.mode.hdisplay, h = kp.mode.vdisplay;
		struct fb prim = fb_create(w, h, DRM_FORMAT_XRGB8888);
		struct fb ovl = fb_create(64, 64, DRM_FORMAT_ARGB8888);
		struct fb big = fb_create(512, 512, DRM_FORMAT_ARGB8888);
		struct drm_mode_fb_cmd2 f;
		drmModeAtomicReqPtr req;
		uint32_t blob;
		int i;

		f = (struct drm_mode_fb_cmd2){ .width = 64, .height = 64,
			.pixel_format = DRM_FORMAT_XRGB8888,
			.handles = { ovl.handle }, .pitches = { 64 * 4 - 4 } };
		igt_assert_eq(__fb_add(&f), -EINVAL);
		f.pitches[0] = ovl.pitch;
		f.offsets[0] = ovl.size;
		igt_assert_eq(__fb_add(&f), -EINVAL);
		f.offsets[0] = 0;
		f.pixel_format = fourcc_code('V', 'P', 'R', 'X');
		igt_assert_eq(__fb_add(&f), -EINVAL);
		/* a real format no plane shows (C8), at ADDFB2, not at commit */
		f.pixel_format = DRM_FORMAT_C8;
		igt_assert_eq(__fb_add(&f), -EINVAL);
		/* modifiers: INVALID and one vprime does not list are refused */
		f.pixel_format = DRM_FORMAT_XRGB8888;
		f.flags = DRM_MODE_FB_MODIFIERS;
		f.modifier[0] = DRM_FORMAT_MOD_INVALID;
		igt_assert_eq(__fb_add(&f), -EINVAL);
		f.modifier[0] = I915_FORMAT_MOD_X_TILED;
		igt_assert_eq(__fb_add(&f), -EINVAL);
		f.modifier[0] = DRM_FORMAT_MOD_LINEAR;
		igt_assert_eq(__fb_add(&f), 0);
		igt_assert_eq(drmModeRmFB(fd, f.fb_id), 0);
		f.flags = 0;

		/*
		 * Modes the vblank timer cannot run: a clock of INT_MAX kHz
		 * (IGT's kms_invalid_mode int-max-clock), 5x the refresh.
		 */
		for (i = 0; i < 2; i++) {
			drmModeModeInfo good = kp.mode;

			kp.mode.clock = i ? good.clock * 5 : INT32_MAX;
			req = modeset_req(&prim, &blob);
			kp.mode = good;
			igt_assert_eq(commit(req, DRM_MODE_ATOMIC_TEST_ONLY |
					     DRM_MODE_ATOMIC_ALLOW_MODESET),
				      -EINVAL);
			drmModeAtomicFree(req);
			igt_assert_eq(drmModeDestroyPropertyBlob(fd, blob), 0);
		}

		/* An overlay past the CRTC's edge is clipped away: valid. */
		req = modeset_req(&prim, &blob);
		add_plane(req, kp.overlay, &ovl, w + 10, h + 10);
		igt_assert_eq(commit(req, DRM_MODE_ATOMIC_TEST_ONLY |
				     DRM_MODE_ATOMIC_ALLOW_MODESET), 0);
		drmModeAtomicFree(req);
		igt_assert_eq(drmModeDestroyPropertyBlob(fd, blob), 0);

		/*
		 * Scaling by more than 8 either way is refused, and any
		 * scaling of the cursor (the helper's errno: ERANGE).
		 */
		req = modeset_req(&prim, &blob);
		add_plane_rect(req, kp.overlay, &ovl, 0, 0, 64 * 9, 64 * 9);
		igt_assert_eq(commit(req, DRM_MODE_ATOMIC_TEST_ONLY |
				     DRM_MODE_ATOMIC_ALLOW_MODESET), -ERANGE);
		drmModeAtomicFree(req);
		igt_assert_eq(drmModeDestroyPropertyBlob(fd, blob), 0);
		req = modeset_req(&prim, &blob);
		add_plane_rect(req, kp.overlay, &big, 0, 0, 512 / 9, 512 / 9);
		igt_assert_eq(commit(req, DRM_MODE_ATOMIC_TEST_ONLY |
				     DRM_MODE_ATOMIC_ALLOW_MODESET), -ERANGE);
		drmModeAtomicFree(req);
		igt_assert_eq(drmModeDestroyPropertyBlob(fd, blob), 0);
		req = modeset_req(&prim, &blob);
		add_plane_rect(req, kp.cursor, &ovl, 0, 0, 128, 128);
		igt_assert_eq(commit(req, DRM_MODE_ATOMIC_TEST_ONLY |
				     DRM_MODE_ATOMIC_ALLOW_MODESET), -ERANGE);
		drmModeAtomicFree(req);
		igt_assert_eq(drmModeDestroyPropertyBlob(fd, blob), 0);

		/*
		 * The cursor size caps are a hint, as on vkms: a cursor as
		 * large as the screen is fine (IGT's kms_plane_alpha_blend
		 * puts full-screen framebuffers on every plane with alpha).
		 */
		req = modeset_req(&prim, &blob);
		add_plane(req, kp.cursor, &big, 0, 0);
		igt_assert_eq(commit(req, DRM_MODE_ATOMIC_TEST_ONLY |
				     DRM_MODE_ATOMIC_ALLOW_MODESET), 0);
		drmModeAtomicFree(req);
		igt_assert_eq(drmModeDestroyPropertyBlob(fd, blob), 0);

		/* Nothing was committed. */
		igt_assert_eq(prop_value(kp.crtc, DRM_MODE_OBJECT_CRTC,
					 "ACTIVE"), 0);
		fb_destroy(&big);
		fb_destroy(&ovl);
		fb_destroy(&prim);
		census_settle();
	}

	igt_describe("Writeback captures the blended output, pixel for pixel, once per job");
	igt_subtest("writeback-pixels") {
		uint32_t w = kp.mode.hdisplay, h = kp.mode.vdisplay;
		const uint32_t ox = 300, oy = 200, ow = 256, oh = 128;
		struct fb prim = fb_create(w, h, DRM_FORMAT_XRGB8888);
		struct fb ovl = fb_create(ow, oh, DRM_FORMAT_ARGB8888);
		struct fb out_a = fb_create(w, h, DRM_FORMAT_XRGB8888);
		struct fb out_b = fb_create(w, h, DRM_FORMAT_ARGB8888);
		uint32_t *out = malloc((size_t)w * h * 4);
		uint32_t wb = find_writeback(), blob, x, seq;
		drmModeAtomicReqPtr req;
		int32_t fence;
		uint64_t usec;

		igt_assert(out);
		/* The X byte of the input is not the output's. */
		fill_blend_scene(&prim, 0x42102030, &ovl, ox, oy, out);
		fb_fill(&out_a, 0xdeadbeef);
		fb_fill(&out_b, 0xdeadbeef);

		req = modeset_req(&prim, &blob);
		add_plane(req, kp.overlay, &ovl, ox, oy);
		add(req, kp.overlay, DRM_MODE_OBJECT_PLANE, "pixel blend mode",
		    prop_enum(kp.overlay, DRM_MODE_OBJECT_PLANE,
			      "pixel blend mode", "Pre-multiplied"));
		add_writeback(req, wb, &out_a, &fence);
		modeset_commit(req, blob);
		wait_fence(fence);
		check_fb_pixels(&out_a, out);
		/* WRITEBACK_FB_ID is write-only: it reads 0. */
		igt_assert_eq(prop_value(wb, DRM_MODE_OBJECT_CONNECTOR,
					 "WRITEBACK_FB_ID"), 0);

		/* Flips without a job leave the written buffer alone. */
		fb_fill(&out_a, 0xdeadbeef);
		for (x = 0; x < 3; x++) {
			req = drmModeAtomicAlloc();
			igt_assert(req);
			add(req, kp.primary, DRM_MODE_OBJECT_PLANE, "FB_ID",
			    prim.id);
			igt_assert_eq(commit(req, DRM_MODE_PAGE_FLIP_EVENT |
					      DRM_MODE_ATOMIC_NONBLOCK), 0);
			drmModeAtomicFree(req);
			wait_flip(&seq, &usec);
		}
		for (x = 0; x < w * h; x += 997)
			igt_assert_eq_u32(((uint32_t *)out_a.map)[x],
					  0xdeadbeef);

		/* A second job into another buffer, the first untouched. */
		req = drmModeAtomicAlloc();
		igt_assert(req);
		add_writeback(req, wb, &out_b, &fence);
		igt_assert_eq(commit(req, 0), 0);
		drmModeAtomicFree(req);
		wait_fence(fence);
		check_fb_pixels(&out_b, out);
		for (x = 0; x < w * h; x += 997)
			igt_assert_eq_u32(((uint32_t *)out_a.map)[x],
					  0xdeadbeef);
		/* And the CRC is that of the written output. */
		check_crcs(output_crc(out_b.map, w, h), 2);

		wb_off(wb);
		wb_cap_off();
		free(out);
		pipe_off();
		fb_destroy(&out_b);
		fb_destroy(&out_a);
		fb_destroy(&ovl);
		fb_destroy(&prim);
		census_settle();
	}

	igt_describe("Back-to-back writeback jobs each capture their own commit's frame");
	igt_subtest("writeback-sequence") {
		uint32_t w = kp.mode.hdisplay, h = kp.mode.vdisplay;
		static const uint32_t colors[] = {
			0x00ff0000, 0x0000ff00, 0x000000ff, 0x00808080,
		};
		struct fb prim[4], out[4];
		uint32_t wb = find_writeback(), blob, i, x;
		int32_t fences[4];
		drmModeAtomicReqPtr req;

		for (i = 0; i < 4; i++) {
			prim[i] = fb_create(w, h, DRM_FORMAT_XRGB8888);
			fb_fill(&prim[i], colors[i]);
			out[i] = fb_create(w, h, DRM_FORMAT_XRGB8888);
		}
		/* Routing the writeback connector is a modeset: do it here. */
		req = modeset_req(&prim[0], &blob);
		add_writeback(req, wb, NULL, NULL);
		modeset_commit(req, blob);
		/* Each job captures the frame of the commit that queued it. */
		for (i = 0; i < 4; i++) {
			req = drmModeAtomicAlloc();
			igt_assert(req);
			add(req, kp.primary, DRM_MODE_OBJECT_PLANE, "FB_ID",
			    prim[i].id);
			add_writeback(req, wb, &out[i], &fences[i]);
			igt_assert_eq(commit(req, 0), 0);
			drmModeAtomicFree(req);
		}
		for (i = 0; i < 4; i++) {
			wait_fence(fences[i]);
			for (x = 0; x < w * h; x += 1009)
				igt_assert_eq_u32(((uint32_t *)out[i].map)[x],
						  0xff000000 | colors[i]);
		}
		wb_off(wb);
		wb_cap_off();
		pipe_off();
		for (i = 0; i < 4; i++) {
			fb_destroy(&out[i]);
			fb_destroy(&prim[i]);
		}
		census_settle();
	}

	igt_describe("A client blind to writeback connectors can switch off a CRTC one is on");
	igt_subtest("writeback-left-bound") {
		uint32_t w = kp.mode.hdisplay, h = kp.mode.vdisplay;
		struct fb prim = fb_create(w, h, DRM_FORMAT_XRGB8888);
		uint32_t wb = find_writeback(), blob;
		drmModeAtomicReqPtr req;

		req = modeset_req(&prim, &blob);
		add_writeback(req, wb, NULL, NULL);
		modeset_commit(req, blob);
		igt_assert_eq(prop_value(wb, DRM_MODE_OBJECT_CONNECTOR,
					 "CRTC_ID"), kp.crtc);
		/* as a compositor without the cap turns the display off */
		wb_cap_off();
		pipe_off();
		igt_assert_eq(find_writeback(), wb);
		igt_assert_eq(prop_value(wb, DRM_MODE_OBJECT_CONNECTOR,
					 "CRTC_ID"), 0);
		wb_cap_off();
		fb_destroy(&prim);
		census_settle();
	}

	igt_describe("Writeback rejects a wrong size, format, fence without fb, an off CRTC");
	igt_subtest("writeback-bad-input") {
		uint32_t w = kp.mode.hdisplay, h = kp.mode.vdisplay;
		struct fb prim = fb_create(w, h, DRM_FORMAT_XRGB8888);
		struct fb half = fb_create(w / 2, h / 2, DRM_FORMAT_XRGB8888);
		struct fb rgb565 = fb_create(w, h, DRM_FORMAT_RGB565);
		uint32_t wb = find_writeback(), blob;
		drmModeAtomicReqPtr req;
		int32_t fence;

		/* Not on an inactive CRTC. */
		req = drmModeAtomicAlloc();
		igt_assert(req);
		add_writeback(req, wb, &prim, &fence);
		igt_assert_eq(commit(req, DRM_MODE_ATOMIC_ALLOW_MODESET),
			      -EINVAL);
		drmModeAtomicFree(req);
		igt_assert_eq(fence, -1);

		req = modeset_req(&prim, &blob);
		modeset_commit(req, blob);
		/* Framebuffer not the mode's size. */
		req = drmModeAtomicAlloc();
		igt_assert(req);
		add_writeback(req, wb, &half, &fence);
		igt_assert_eq(commit(req, 0), -EINVAL);
		drmModeAtomicFree(req);
		igt_assert_eq(fence, -1);
		/* A format writeback does not offer. */
		req = drmModeAtomicAlloc();
		igt_assert(req);
		add_writeback(req, wb, &rgb565, &fence);
		igt_assert_eq(commit(req, 0), -EINVAL);
		drmModeAtomicFree(req);
		/* An out-fence without a framebuffer. */
		req = drmModeAtomicAlloc();
		igt_assert(req);
		add_writeback(req, wb, NULL, &fence);
		igt_assert_eq(commit(req, 0), -EINVAL);
		drmModeAtomicFree(req);
		/* Not a framebuffer id. */
		req = drmModeAtomicAlloc();
		igt_assert(req);
		add(req, wb, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", kp.crtc);
		add(req, wb, DRM_MODE_OBJECT_CONNECTOR, "WRITEBACK_FB_ID", wb);
		igt_assert_eq(commit(req, 0), -EINVAL);
		drmModeAtomicFree(req);
		/* A bad fence pointer. */
		req = drmModeAtomicAlloc();
		igt_assert(req);
		add(req, wb, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", kp.crtc);
		add(req, wb, DRM_MODE_OBJECT_CONNECTOR, "WRITEBACK_FB_ID",
		    prim.id);
		add(req, wb, DRM_MODE_OBJECT_CONNECTOR,
		    "WRITEBACK_OUT_FENCE_PTR", 8);
		igt_assert_eq(commit(req, 0), -EFAULT);
		drmModeAtomicFree(req);

		wb_cap_off();
		pipe_off();
		fb_destroy(&rgb565);
		fb_destroy(&half);
		fb_destroy(&prim);
		census_settle();
	}

	igt_describe("10-, 16-bit channels rounded, 5-, 6-bit ones widened as documented");
	igt_subtest("crc-wide-formats") {
		static const uint32_t formats[] = {
			DRM_FORMAT_XRGB2101010, DRM_FORMAT_ARGB2101010,
			DRM_FORMAT_XRGB16161616, DRM_FORMAT_ARGB16161616,
			DRM_FORMAT_RGB565, DRM_FORMAT_XRGB1555,
			DRM_FORMAT_ARGB1555,
		};
		uint32_t w = kp.mode.hdisplay, h = kp.mode.vdisplay, i;
		drmModeAtomicReqPtr req;
		uint32_t blob, *out;
		struct fb fb;

		for (i = 0; i < ARRAY_SIZE(formats); i++) {
			fb = fb_create(w, h, formats[i]);
			out = fill_wide(&fb);
			req = modeset_req(&fb, &blob);
			modeset_commit(req, blob);
			check_crcs(output_crc(out, w, h), 2);
			free(out);
			pipe_off();
			fb_destroy(&fb);
		}
		census_settle();
	}

	igt_describe("An XRGB2101010 writeback widens each 8-bit channel by bit repetition");
	igt_subtest("writeback-xrgb2101010") {
		uint32_t w = kp.mode.hdisplay, h = kp.mode.vdisplay;
		struct fb prim = fb_create(w, h, DRM_FORMAT_XRGB8888);
		struct fb wbfb = fb_create(w, h, DRM_FORMAT_XRGB2101010);
		uint32_t *out = malloc((size_t)w * h * 4);
		uint32_t wb = find_writeback(), blob, x, y, v, r, g, b;
		drmModeAtomicReqPtr req;
		int32_t fence;

		igt_assert(out);
		for (y = 0; y < h; y++) {
			for (x = 0; x < w; x++) {
				v = (x * 3 + y * 7) & 0xffffff;
				*fb_pixel(&prim, x, y) = v;
				r = v >> 16;
				g = (v >> 8) & 0xff;
				b = v & 0xff;
				out[y * w + x] = 3u << 30 |
					(r << 2 | r >> 6) << 20 |
					(g << 2 | g >> 6) << 10 |
					(b << 2 | b >> 6);
			}
		}
		req = modeset_req(&prim, &blob);
		add_writeback(req, wb, &wbfb, &fence);
		modeset_commit(req, blob);
		wait_fence(fence);
		check_fb_pixels(&wbfb, out);
		wb_off(wb);
		wb_cap_off();
		free(out);
		pipe_off();
		fb_destroy(&wbfb);
		fb_destroy(&prim);
		census_settle();
	}

	igt_describe("Rotation 180 and reflections mirror the source, also when clipped");
	igt_subtest("crc-rotation-reflect") {
		static const struct {
			uint64_t rotation;
			bool rx, ry;
		} rots[] = {
			{ DRM_MODE_ROTATE_180, true, true },
			{ DRM_MODE_ROTATE_0 | DRM_MODE_REFLECT_X, true, false },
			{ DRM_MODE_ROTATE_0 | DRM_MODE_REFLECT_Y, false, true },
			/* 180 and reflect-x: the same as reflect-y. */
			{ DRM_MODE_ROTATE_180 | DRM_MODE_REFLECT_X, false, true },
		};
		uint32_t w = kp.mode.hdisplay, h = kp.mode.vdisplay;
		const int32_t ox = -40, oy = h - 100;
		const uint32_t ow = 200, oh = 160;
		struct fb prim = fb_create(w, h, DRM_FORMAT_XRGB8888);
		struct fb ovl = fb_create(ow, oh, DRM_FORMAT_XRGB8888);
		uint32_t *out = malloc((size_t)w * h * 4);
		drmModeAtomicReqPtr req;
		uint32_t blob, i, x, y, fx, fy;
		int32_t cx, cy;

		igt_assert(out);
		for (y = 0; y < h; y++)
			for (x = 0; x < w; x++)
				*fb_pixel(&prim, x, y) = (x * 5) << 8 ^ y;
		for (y = 0; y < oh; y++)
			for (x = 0; x < ow; x++)
				*fb_pixel(&ovl, x, y) = 0x800000 | x << 8 | y;
		for (i = 0; i < ARRAY_SIZE(rots); i++) {
			for (y = 0; y < h; y++) {
				for (x = 0; x < w; x++) {
					fx = rots[i].rx ? w - 1 - x : x;
					fy = rots[i].ry ? h - 1 - y : y;
					out[y * w + x] = 0xff000000 |
						*fb_pixel(&prim, fx, fy);
				}
			}
			/* The overlay hangs off the left and bottom edges. */
			for (cy = oy; cy < oy + (int32_t)oh; cy++) {
				for (cx = ox; cx < ox + (int32_t)ow; cx++) {
					if (cx < 0 || cy >= (int32_t)h)
						continue;
					fx = rots[i].rx ? ow - 1 - (cx - ox) :
							  (uint32_t)(cx - ox);
					fy = rots[i].ry ? oh - 1 - (cy - oy) :
							  (uint32_t)(cy - oy);
					out[cy * w + cx] = 0xff000000 |
						*fb_pixel(&ovl, fx, fy);
				}
			}
			req = modeset_req(&prim, &blob);
			add(req, kp.primary, DRM_MODE_OBJECT_PLANE, "rotation",
			    rots[i].rotation);
			add_plane(req, kp.overlay, &ovl, ox, oy);
			add(req, kp.overlay, DRM_MODE_OBJECT_PLANE, "rotation",
			    rots[i].rotation);
			modeset_commit(req, blob);
			igt_debug("rotation %#llx\n",
				  (unsigned long long)rots[i].rotation);
			check_crcs(output_crc(out, w, h), 2);
			pipe_off();
		}
		/* Back to rotate-0 for the subtests after this one. */
		req = drmModeAtomicAlloc();
		igt_assert(req);
		add(req, kp.primary, DRM_MODE_OBJECT_PLANE, "rotation",
		    DRM_MODE_ROTATE_0);
		add(req, kp.overlay, DRM_MODE_OBJECT_PLANE, "rotation",
		    DRM_MODE_ROTATE_0);
		igt_assert_eq(commit(req, 0), 0);
		drmModeAtomicFree(req);
		/* 90 degrees is not offered. */
		igt_assert_f(!prop_has_enum(kp.primary, DRM_MODE_OBJECT_PLANE,
					    "rotation", "rotate-90"),
			     "rotate-90 offered\n");
		free(out);
		fb_destroy(&ovl);
		fb_destroy(&prim);
		census_settle();
	}

	igt_describe("A flip waits for its IN_FENCE_FD; the CRTC out-fence follows the flip");
	igt_subtest("flip-in-fence-out-fence") {
		struct fb a = fb_create(kp.mode.hdisplay, kp.mode.vdisplay,
					DRM_FORMAT_XRGB8888);
		struct fb b = fb_create(kp.mode.hdisplay, kp.mode.vdisplay,
					DRM_FORMAT_XRGB8888);
		uint32_t other = vprime_gem_create(fd, 4096, 0), blob, fence;
		drmModeAtomicReqPtr req;
		int32_t out_fence;
		uint64_t usec;
		uint32_t seq;
		int sf;

		req = modeset_req(&a, &blob);
		modeset_commit(req, blob);
		fence = kms_fence(other, 0, &sf);
		flip_to(&b, sf, &out_fence);
		igt_assert(out_fence >= 0);
		no_event(200);
		igt_assert_eq(ready_fd(out_fence), 0);
		kms_fence_signal(fence);
		wait_flip(&seq, &usec);
		wait_fence(out_fence);
		close(sf);
		vp_gem_close(fd, other);
		pipe_off();
		fb_destroy(&b);
		fb_destroy(&a);
		census_settle();
	}

	igt_describe("A cursor move is done at once, also behind a flip held by its fence");
	igt_subtest("cursor-move-async") {
		uint32_t w = kp.mode.hdisplay, h = kp.mode.vdisplay;
		struct fb a = fb_create(w, h, DRM_FORMAT_XRGB8888);
		struct fb b = fb_create(w, h, DRM_FORMAT_XRGB8888);
		struct fb cur = fb_create(64, 64, DRM_FORMAT_ARGB8888);
		uint32_t other = vprime_gem_create(fd, 4096, 0), blob;
		uint32_t *out = malloc((size_t)w * h * 4), x, y;
		drmModeAtomicReqPtr req;
		struct timespec t0;
		pid_t child;
		long ms;
		int sf;

		igt_assert(out);
		fb_fill(&a, 0x00203040);
		fb_fill(&b, 0x00405060);
		fb_fill(&cur, 0xffc0c0c0);
		req = modeset_req(&a, &blob);
		add_plane(req, kp.cursor, &cur, 0, 0);
		modeset_commit(req, blob);
		child = flip_held(&b, other, &sf);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		igt_assert_eq(drmModeMoveCursor(fd, kp.crtc, 100, 50), 0);
		ms = ms_since(&t0);
		/* A commit behind the held flip would return after the 2 s. */
		igt_assert_f(ms < 1000, "the move returned after %ld ms\n", ms);
		igt_assert_eq(prop_value(kp.cursor, DRM_MODE_OBJECT_PLANE,
					 "CRTC_X"), 100);
		igt_assert_eq(prop_value(kp.cursor, DRM_MODE_OBJECT_PLANE,
					 "CRTC_Y"), 50);
		flip_held_done(child);
		/* The flipped primary with the moved cursor on it. */
		for (y = 0; y < h; y++)
			for (x = 0; x < w; x++)
				out[y * w + x] = x >= 100 && x < 164 && y >= 50 &&
						 y < 114 ? 0xc0c0c0 : 0x405060;
		check_crcs(output_crc(out, w, h), 3);
		free(out);
		close(sf);
		vp_gem_close(fd, other);
		pipe_off();
		fb_destroy(&cur);
		fb_destroy(&b);
		fb_destroy(&a);
		census_settle();
	}

	igt_describe("A new cursor image is shown at once, also behind a flip held by its fence");
	igt_subtest("cursor-image-async") {
		uint32_t w = kp.mode.hdisplay, h = kp.mode.vdisplay;
		struct fb a = fb_create(w, h, DRM_FORMAT_XRGB8888);
		struct fb b = fb_create(w, h, DRM_FORMAT_XRGB8888);
		struct fb cur = fb_create(64, 64, DRM_FORMAT_ARGB8888);
		struct fb cur2 = fb_create(128, 128, DRM_FORMAT_ARGB8888);
		uint32_t other = vprime_gem_create(fd, 4096, 0), blob;
		uint32_t *out = malloc((size_t)w * h * 4), x, y;
		drmModeAtomicReqPtr req;
		struct timespec t0;
		pid_t child;
		long ms;
		int sf;

		igt_assert(out);
		fb_fill(&a, 0x00203040);
		fb_fill(&b, 0x00405060);
		fb_fill(&cur, 0xffc0c0c0);
		fb_fill(&cur2, 0xff20a020);
		req = modeset_req(&a, &blob);
		add_plane(req, kp.cursor, &cur, 0, 0);
		modeset_commit(req, blob);
		/* Where the legacy cursor ioctls put the new image. */
		igt_assert_eq(drmModeMoveCursor(fd, kp.crtc, 32, 16), 0);
		child = flip_held(&b, other, &sf);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		igt_assert_eq(drmModeSetCursor(fd, kp.crtc, cur2.handle, 128,
					       128), 0);
		ms = ms_since(&t0);
		/* A commit behind the held flip would return after the 2 s. */
		igt_assert_f(ms < 1000, "the new image took %ld ms\n", ms);
		igt_assert_eq(prop_value(kp.cursor, DRM_MODE_OBJECT_PLANE,
					 "CRTC_W"), 128);
		flip_held_done(child);
		/* The flipped primary with the new cursor image on it. */
		for (y = 0; y < h; y++)
			for (x = 0; x < w; x++)
				out[y * w + x] = x >= 32 && x < 160 && y >= 16 &&
						 y < 144 ? 0x20a020 : 0x405060;
		check_crcs(output_crc(out, w, h), 3);
		/* Hidden: a normal commit. */
		igt_assert_eq(drmModeSetCursor(fd, kp.crtc, 0, 0, 0), 0);
		for (y = 0; y < h * w; y++)
			out[y] = 0x405060;
		check_crcs(output_crc(out, w, h), 3);
		free(out);
		close(sf);
		vp_gem_close(fd, other);
		pipe_off();
		fb_destroy(&cur2);
		fb_destroy(&cur);
		fb_destroy(&b);
		fb_destroy(&a);
		census_settle();
	}

	igt_describe("A flip to a buffer with an unsignalled write fence waits for it");
	igt_subtest("flip-implicit-fence") {
		struct fb a = fb_create(kp.mode.hdisplay, kp.mode.vdisplay,
					DRM_FORMAT_XRGB8888);
		struct fb b = fb_create(kp.mode.hdisplay, kp.mode.vdisplay,
					DRM_FORMAT_XRGB8888);
		drmModeAtomicReqPtr req;
		uint32_t blob, fence, seq;
		uint64_t usec;
		int sf;

		req = modeset_req(&a, &blob);
		modeset_commit(req, blob);
		fence = kms_fence(b.handle, VPRIME_FENCE_WRITE, &sf);
		flip_to(&b, -1, NULL);
		no_event(200);
		kms_fence_signal(fence);
		wait_flip(&seq, &usec);
		close(sf);
		pipe_off();
		fb_destroy(&b);
		fb_destroy(&a);
		census_settle();
	}

	igt_describe("Buffers of vgem and /dev/cenalloc are scanned out as imported, no copy");
	igt_subtest("scanout-imported") {
		uint32_t w = kp.mode.hdisplay, h = kp.mode.vdisplay;
		int vgem = drm_open_by_name("vgem", VPRIME_NODE_PRIMARY, 0);
		uint32_t *out = malloc((size_t)w * h * 4);
		uint32_t vh, pitch;
		uint64_t size;
		struct fb fb;
		void *map;
		int cfd, dmabuf;

		igt_require_f(vgem >= 0, "vgem not loaded\n");
		igt_assert(out);
		/* vgem's dumb buffer, drawn through vgem's own mapping. */
		vh = dumb_create(vgem, w, h, 32, &pitch, &size);
		map = vp_gem_mmap(vgem, vh, size, PROT_READ | PROT_WRITE);
		dmabuf = vp_prime_handle_to_fd(vgem, vh);
		fb = fb_import(dmabuf, w, h, pitch, size, map, out);
		show_and_check(&fb, out);
		close(dmabuf);
		munmap(map, size);
		vp_gem_close(vgem, vh);
		close(vgem);

		/* A /dev/cenalloc buffer, drawn through the dma-buf. */
		cfd = cenalloc_open();
		pitch = w * 4;
		size = (uint64_t)pitch * h;
		igt_assert_eq(__cenalloc_alloc(cfd, size, 0, &dmabuf), 0);
		map = dmabuf_mmap(dmabuf, size, PROT_READ | PROT_WRITE);
		dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
		fb = fb_import(dmabuf, w, h, pitch, size, map, out);
		dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
		show_and_check(&fb, out);
		munmap(map, size);
		close(dmabuf);
		close(cfd);
		free(out);
		census_settle();
	}

	igt_describe("NV12 and YUYV overlays convert with their encoding and range");
	igt_subtest("crc-yuv") {
		uint32_t w = kp.mode.hdisplay, h = kp.mode.vdisplay;
		const uint32_t ox = 101, oy = 57, ow = 320, oh = 240;
		struct fb prim = fb_create(w, h, DRM_FORMAT_XRGB8888);
		uint32_t *out = malloc((size_t)w * h * 4);
		struct drm_mode_fb_cmd2 f;
		drmModeAtomicReqPtr req;
		uint32_t blob, x, y, hnd, pitch, i, yv, cb, cr;
		uint64_t size;
		uint8_t *map;
		bool nv12;

		igt_assert(out);
		for (i = 0; i < 2; i++) {
			nv12 = i == 0;
			/* NV12: w x 1.5h bytes; YUYV: 2 bytes a pixel. */
			hnd = dumb_create(fd, ow, nv12 ? oh * 3 / 2 : oh,
					  nv12 ? 8 : 16, &pitch, &size);
			map = vp_gem_mmap(fd, hnd, size, PROT_READ | PROT_WRITE);
			for (x = 0; x < w * h; x++)
				out[x] = 0xff000000;
			for (y = 0; y < oh; y++) {
				for (x = 0; x < ow; x++) {
					yv = (x * 3 + y) & 0xff;
					cb = (x / 2 * 5 + y / (nv12 ? 2 : 1)) & 0xff;
					cr = (255 - x / 2 * 3) & 0xff;
					if (nv12) {
						map[y * pitch + x] = yv;
						map[(oh + y / 2) * pitch + x / 2 * 2] = cb;
						map[(oh + y / 2) * pitch + x / 2 * 2 + 1] = cr;
					} else {
						map[y * pitch + x * 2] = yv;
						map[y * pitch + x / 2 * 4 + 1] = cb;
						map[y * pitch + x / 2 * 4 + 3] = cr;
					}
					out[(oy + y) * w + ox + x] =
						yuv_to_xrgb(nv12, !nv12, yv, cb,
							    cr);
				}
			}
			f = (struct drm_mode_fb_cmd2){
				.width = ow, .height = oh,
				.pixel_format = nv12 ? DRM_FORMAT_NV12 :
						       DRM_FORMAT_YUYV,
				.handles = { hnd, nv12 ? hnd : 0 },
				.pitches = { pitch, nv12 ? pitch : 0 },
				.offsets = { 0, nv12 ? pitch * oh : 0 },
			};
			igt_assert_eq(__fb_add(&f), 0);
			req = modeset_req(&prim, &blob);
			add(req, kp.overlay, DRM_MODE_OBJECT_PLANE, "FB_ID",
			    f.fb_id);
			add(req, kp.overlay, DRM_MODE_OBJECT_PLANE, "CRTC_ID",
			    kp.crtc);
			add(req, kp.overlay, DRM_MODE_OBJECT_PLANE, "SRC_W",
			    (uint64_t)ow << 16);
			add(req, kp.overlay, DRM_MODE_OBJECT_PLANE, "SRC_H",
			    (uint64_t)oh << 16);
			add(req, kp.overlay, DRM_MODE_OBJECT_PLANE, "CRTC_X", ox);
			add(req, kp.overlay, DRM_MODE_OBJECT_PLANE, "CRTC_Y", oy);
			add(req, kp.overlay, DRM_MODE_OBJECT_PLANE, "CRTC_W", ow);
			add(req, kp.overlay, DRM_MODE_OBJECT_PLANE, "CRTC_H", oh);
			add(req, kp.overlay, DRM_MODE_OBJECT_PLANE,
			    "COLOR_ENCODING",
			    prop_enum(kp.overlay, DRM_MODE_OBJECT_PLANE,
				      "COLOR_ENCODING",
				      nv12 ? "ITU-R BT.709 YCbCr" :
					     "ITU-R BT.601 YCbCr"));
			add(req, kp.overlay, DRM_MODE_OBJECT_PLANE,
			    "COLOR_RANGE",
			    prop_enum(kp.overlay, DRM_MODE_OBJECT_PLANE,
				      "COLOR_RANGE",
				      nv12 ? "YCbCr limited range" :
					     "YCbCr full range"));
			modeset_commit(req, blob);
			check_crcs(output_crc(out, w, h), 2);
			pipe_off();
			igt_assert_eq(drmModeRmFB(fd, f.fb_id), 0);
			munmap(map, size);
			vp_gem_close(fd, hnd);
		}
		/* The primary plane takes no YUV. */
		f = (struct drm_mode_fb_cmd2){
			.width = 64, .height = 64,
			.pixel_format = DRM_FORMAT_YUYV,
			.handles = { prim.handle }, .pitches = { 128 },
		};
		igt_assert_eq(__fb_add(&f), 0);
		req = modeset_req(&prim, &blob);
		add(req, kp.primary, DRM_MODE_OBJECT_PLANE, "FB_ID", f.fb_id);
		igt_assert_eq(commit(req, DRM_MODE_ATOMIC_TEST_ONLY |
				     DRM_MODE_ATOMIC_ALLOW_MODESET), -EINVAL);
		drmModeAtomicFree(req);
		igt_assert_eq(drmModeDestroyPropertyBlob(fd, blob), 0);
		igt_assert_eq(drmModeRmFB(fd, f.fb_id), 0);
		free(out);
		fb_destroy(&prim);
		census_settle();
	}

	igt_describe("debugfs unplugs the connector, also a lit one, and plugs it back");
	igt_subtest("hotplug-debugfs") {
		struct fb a = fb_create(kp.mode.hdisplay, kp.mode.vdisplay,
					DRM_FORMAT_XRGB8888);
		drmModeAtomicReqPtr req;
		uint32_t blob, seq;
		uint64_t usec;

		req = modeset_req(&a, &blob);
		modeset_commit(req, blob);
		igt_assert_eq(set_connected("0"), 0);
		check_connection(DRM_MODE_DISCONNECTED);
		/* The lit pipe goes on until userspace turns it off. */
		flip_to(&a, -1, NULL);
		wait_flip(&seq, &usec);
		igt_assert_eq(set_connected("2"), -EINVAL);
		pipe_off();
		igt_assert_eq(set_connected("1"), 0);
		check_connection(DRM_MODE_CONNECTED);
		fb_destroy(&a);
		census_settle();
	}

	igt_describe("A lease of the pipe lets the lessee light it; revoking ends it");
	igt_subtest("lease") {
		uint32_t objs[] = { kp.crtc, kp.connector, kp.primary };
		struct fb a = fb_create(kp.mode.hdisplay, kp.mode.vdisplay,
					DRM_FORMAT_XRGB8888);
		drmModeLesseeListPtr lessees;
		drmModeObjectListPtr leased;
		drmModeAtomicReqPtr req;
		uint32_t lessee_id, blob;
		int lessee, saved = fd;

		lessee = drmModeCreateLease(fd, objs, ARRAY_SIZE(objs),
					    O_CLOEXEC, &lessee_id);
		igt_assert_f(lessee >= 0, "CreateLease: %s\n", strerror(-lessee));
		lessees = drmModeListLessees(fd);
		igt_assert(lessees);
		igt_assert_eq(lessees->count, 1);
		igt_assert_eq_u32(lessees->lessees[0], lessee_id);
		drmFree(lessees);
		leased = drmModeGetLease(lessee);
		igt_assert(leased);
		igt_assert_eq(leased->count, 3);
		drmFree(leased);

		/* The lessee is a master of just these objects. */
		fd = lessee;
		igt_assert_eq(drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1), 0);
		req = modeset_req(&a, &blob);
		modeset_commit(req, blob);
		igt_assert_eq(prop_value(kp.crtc, DRM_MODE_OBJECT_CRTC,
					 "ACTIVE"), 1);
		/* The overlay is not leased: invisible to the lessee. */
		igt_assert(!drmModeGetPlane(fd, kp.overlay));
		fd = saved;

		/* Revoked: the lessee holds nothing any more. */
		igt_assert_eq(drmModeRevokeLease(fd, lessee_id), 0);
		leased = drmModeGetLease(lessee);
		igt_assert(leased);
		igt_assert_eq(leased->count, 0);
		drmFree(leased);
		igt_assert(!drmModeGetCrtc(lessee, kp.crtc));
		close(lessee);
		pipe_off();
		fb_destroy(&a);
		census_settle();
	}

	igt_fixture {
		close(fd);
	}
}
