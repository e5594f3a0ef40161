// SPDX-License-Identifier: MIT
/*
 * scanout-grab: what a CRTC's primary plane shows right now, read from
 * the framebuffer on it, while another program (the DRM master: kmscube,
 * weston, a video player) owns the display.  A screenshot tool in the
 * manner of ffmpeg's kmsgrab, for dumb-buffer drivers such as vprime.
 *
 *   scanout-grab [-D CARD] [-c CRTC_INDEX] [-o FILE.ppm] [-d REF.ppm]
 *                [-p X,Y]...
 *
 * CARD defaults to the first vprime device's card node.
 * Prints one line:
 *
 *   fb ID WxH FOURCC crc CRC background #RRGGBB other PERCENT%
 *
 * where CRC is crc32_le (seed 0, no final inversion, as the kernel's
 * crc32_le()) over the picture as XRGB8888 lines with X = 0xff, the CRC a
 * display that reports such CRCs (vprime's CRTC CRC source "auto") gives
 * for this frame alone on screen; background is the colour of the top-left
 * pixel and PERCENT the share of pixels of any other colour.  -o writes
 * the picture as a binary PPM; -d compares it with an earlier one of the
 * same size and adds "changed PERCENT%", the share of pixels that
 * differ.  Each -p (up to MAX_PROBES) adds a line "pixel X,Y #RRGGBB",
 * the colour at that point.
 *
 * GETFB2 hands out the framebuffer's buffer handle only to the DRM master
 * or to a process with CAP_SYS_ADMIN, so run it as root.  The writeback
 * connector cannot serve here: only the master may commit a writeback job.
 * Formats: XRGB8888, ARGB8888, XBGR8888, ABGR8888, linear.
 * Exit status: 0, or 1 with a message on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "vprime.h"

#define MAX_PROBES 16

struct grab {
	uint32_t fb, width, height, pitch, offset, format;
	uint64_t size;
	const uint8_t *pixels;
};

static int fail(const char *what, int err)
{
	fprintf(stderr, "scanout-grab: %s: %s\n", what, strerror(err));
	return 1;
}

/* Whether plane @id is a primary plane. */
static int is_primary(int drm, uint32_t id)
{
	uint32_t prop = vprime_prop_id(drm, id, DRM_MODE_OBJECT_PLANE, "type");
	drmModeObjectPropertiesPtr props;
	int primary = 0;
	uint32_t i;

	props = drmModeObjectGetProperties(drm, id, DRM_MODE_OBJECT_PLANE);
	for (i = 0; prop && props && i < props->count_props; i++)
		if (props->props[i] == prop)
			primary = props->prop_values[i] == DRM_PLANE_TYPE_PRIMARY;
	drmModeFreeObjectProperties(props);
	return primary;
}

/* The framebuffer on the primary plane of CRTC @crtc_id, or 0. */
static uint32_t primary_fb(int drm, uint32_t crtc_id)
{
	drmModePlaneResPtr res = drmModeGetPlaneResources(drm);
	uint32_t i, fb = 0;

	for (i = 0; res && i < res->count_planes && !fb; i++) {
		drmModePlanePtr plane = drmModeGetPlane(drm, res->planes[i]);

		if (plane && plane->crtc_id == crtc_id && plane->fb_id &&
		    is_primary(drm, res->planes[i]))
			fb = plane->fb_id;
		drmModeFreePlane(plane);
	}
	drmModeFreePlaneResources(res);
	return fb;
}

/* The pixel at @x, @y as 0xRRGGBB. */
static uint32_t rgb_at(const struct grab *g, uint32_t x, uint32_t y)
{
	uint32_t v;

	memcpy(&v, g->pixels + g->offset + (size_t)y * g->pitch + x * 4, 4);
	if (g->format == DRM_FORMAT_XBGR8888 ||
	    g->format == DRM_FORMAT_ABGR8888)
		v = (v & 0xff00) | (v & 0xff) << 16 | (v >> 16 & 0xff);
	return v & 0xffffff;
}

static int write_ppm(const struct grab *g, const char *path)
{
	FILE *f = fopen(path, "wb");
	uint32_t x, y;

	if (!f)
		return fail(path, errno);
	fprintf(f, "P6\n%u %u\n255\n", g->width, g->height);
	for (y = 0; y < g->height; y++)
		for (x = 0; x < g->width; x++) {
			uint32_t v = rgb_at(g, x, y);
			uint8_t px[3] = { v >> 16, v >> 8, v };

			fwrite(px, 1, 3, f);
		}
	if (fclose(f))
		return fail(path, errno);
	return 0;
}

/* The kernel's crc32_le() over one little-endian word: polynomial 0xedb88320. */
static uint32_t crc32_le(uint32_t crc, uint32_t word)
{
	static uint32_t table[256];
	uint32_t c, i, k;

	if (!table[1]) {
		for (i = 0; i < 256; i++) {
			c = i;
			for (k = 0; k < 8; k++)
				c = c >> 1 ^ (c & 1 ? 0xedb88320u : 0);
			table[i] = c;
		}
	}
	for (i = 0; i < 4; i++, word >>= 8)
		crc = table[(crc ^ word) & 0xff] ^ crc >> 8;
	return crc;
}

/*
 * Open binary PPM @path of @g's size, positioned at its pixels, or NULL
 * (with a message).
 */
static FILE *open_ppm(const struct grab *g, const char *path)
{
	unsigned int w, h, max;
	FILE *f = fopen(path, "rb");

	if (!f) {
		fail(path, errno);
		return NULL;
	}
	if (fscanf(f, "P6 %u %u %u", &w, &h, &max) != 3 || max != 255 ||
	    fgetc(f) == EOF || w != g->width || h != g->height) {
		fclose(f);
		fail(path, EINVAL);
		return NULL;
	}
	return f;
}

/* Print the colour at each of the @n points @probes (x, y pairs). */
static int report_probes(const struct grab *g, const uint32_t *probes,
			 unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint32_t x = probes[2 * i], y = probes[2 * i + 1];

		if (x >= g->width || y >= g->height)
			return fail("-p: point outside the framebuffer", EINVAL);
		printf("pixel %u,%u #%06x\n", x, y, rgb_at(g, x, y));
	}
	return 0;
}

/* Parse "X,Y" into @xy. */
static int parse_point(const char *arg, uint32_t *xy)
{
	unsigned long x, y;
	char *end;

	errno = 0;
	x = strtoul(arg, &end, 10);
	if (end == arg || *end != ',' || errno || x > UINT32_MAX)
		return -1;
	arg = end + 1;
	y = strtoul(arg, &end, 10);
	if (end == arg || *end || errno || y > UINT32_MAX)
		return -1;
	xy[0] = x;
	xy[1] = y;
	return 0;
}

static int report(const struct grab *g, const char *ref)
{
	uint32_t bg = rgb_at(g, 0, 0), crc = 0, x, y;
	uint64_t other = 0, changed = 0;
	FILE *f = NULL;
	uint8_t px[3];

	if (ref) {
		f = open_ppm(g, ref);
		if (!f)
			return 1;
	}
	for (y = 0; y < g->height; y++)
		for (x = 0; x < g->width; x++) {
			uint32_t v = rgb_at(g, x, y);

			other += v != bg;
			crc = crc32_le(crc, 0xff000000u | v);
			if (f && fread(px, 1, 3, f) != 3) {
				fclose(f);
				return fail(ref, EINVAL);
			}
			changed += f && (uint32_t)(px[0] << 16 | px[1] << 8 |
						   px[2]) != v;
		}
	printf("fb %u %ux%u %.4s crc %08x background #%06x other %.1f%%",
	       g->fb, g->width, g->height, (const char *)&g->format, crc, bg,
	       100.0 * other / ((uint64_t)g->width * g->height));
	if (f) {
		printf(" changed %.1f%%",
		       100.0 * changed / ((uint64_t)g->width * g->height));
		fclose(f);
	}
	printf("\n");
	return 0;
}

/* Map framebuffer @fb_id's first plane into @g; the caller unmaps. */
static int map_fb(int drm, uint32_t fb_id, struct grab *g, uint32_t *handle)
{
	struct drm_mode_map_dumb map = { 0 };
	drmModeFB2Ptr fb = drmModeGetFB2(drm, fb_id);
	void *p;

	if (!fb)
		return fail("GETFB2", errno);
	g->fb = fb_id;
	g->width = fb->width;
	g->height = fb->height;
	g->pitch = fb->pitches[0];
	g->offset = fb->offsets[0];
	g->format = fb->pixel_format;
	*handle = fb->handles[0];
	if ((fb->flags & DRM_MODE_FB_MODIFIERS) &&
	    fb->modifier != DRM_FORMAT_MOD_LINEAR) {
		drmModeFreeFB2(fb);
		return fail("framebuffer not linear", ENOTSUP);
	}
	drmModeFreeFB2(fb);
	if (!*handle)
		return fail("GETFB2 gave no handle (not root?)", EPERM);
	if (g->format != DRM_FORMAT_XRGB8888 &&
	    g->format != DRM_FORMAT_ARGB8888 &&
	    g->format != DRM_FORMAT_XBGR8888 &&
	    g->format != DRM_FORMAT_ABGR8888)
		return fail("format", ENOTSUP);
	g->size = (uint64_t)g->offset + (uint64_t)g->pitch * g->height;
	map.handle = *handle;
	if (drmIoctl(drm, DRM_IOCTL_MODE_MAP_DUMB, &map))
		return fail("MAP_DUMB", errno);
	p = mmap(NULL, g->size, PROT_READ, MAP_SHARED, drm, map.offset);
	if (p == MAP_FAILED)
		return fail("mmap", errno);
	g->pixels = p;
	return 0;
}

static void print_usage(FILE *f)
{
	fprintf(f, "usage: scanout-grab [-D CARD] [-c CRTC_INDEX] [-o FILE.ppm] [-d REF.ppm]\n"
		   "                    [-p X,Y]...\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *card = NULL, *out = NULL, *ref = NULL;
	unsigned int crtc_index = 0, nprobes = 0;
	uint32_t probes[2 * MAX_PROBES];
	struct grab g = { 0 };
	uint32_t handle = 0;
	drmModeResPtr res;
	int drm, opt, ret;

	while ((opt = getopt_long(argc, argv, "D:c:o:d:p:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'D':
			card = optarg;
			break;
		case 'c':
			crtc_index = strtoul(optarg, NULL, 0);
			break;
		case 'o':
			out = optarg;
			break;
		case 'd':
			ref = optarg;
			break;
		case 'p':
			if (nprobes == MAX_PROBES ||
			    parse_point(optarg, &probes[2 * nprobes])) {
				print_usage(stderr);
				return 1;
			}
			nprobes++;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return 1;
		}
	}
	if (optind < argc) {
		print_usage(stderr);
		return 1;
	}
	drm = card ? open(card, O_RDWR | O_CLOEXEC) :
		     vprime_open_driver("vprime", VPRIME_PRIMARY, 0);
	if (drm < 0)
		return fail(card ? card : "vprime", card ? errno : -drm);
	if (drmSetClientCap(drm, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1))
		return fail("UNIVERSAL_PLANES", errno);
	res = drmModeGetResources(drm);
	if (!res || crtc_index >= (unsigned int)res->count_crtcs)
		return fail("CRTC index", res ? EINVAL : errno);
	g.fb = primary_fb(drm, res->crtcs[crtc_index]);
	drmModeFreeResources(res);
	if (!g.fb)
		return fail("no framebuffer on the CRTC's primary plane",
			    ENOENT);
	ret = map_fb(drm, g.fb, &g, &handle);
	if (!ret)
		ret = report(&g, ref);
	if (!ret)
		ret = report_probes(&g, probes, nprobes);
	if (!ret && out)
		ret = write_ppm(&g, out);
	if (g.pixels)
		munmap((void *)g.pixels, g.size);
	if (handle)
		drmCloseBufferHandle(drm, handle);
	close(drm);
	return ret;
}
