// SPDX-License-Identifier: GPL-2.0
/*
 * vprime: the composer, which blends a CRTC's visible planes into its
 * output and computes the output's CRC.
 */

/**
 * DOC: vprime composer
 *
 * The output of a CRTC is XRGB8888, width x height, on a black background
 * (0xff000000).  Planes are blended bottom to top (normalized zpos), line by
 * line: each source span is copied out of the framebuffer's mapping
 * (iosys_map, so I/O memory works too), converted to ARGB8888, and blended
 * into the output line.
 *
 * Conversion: YUV formats as in "vprime YUV conversion"; XRGB8888 and
 * XBGR8888 have alpha 255; RGB565, XRGB1555 and ARGB1555 widen their 5-
 * and 6-bit channels by repeating their top bits, and ARGB1555's 1-bit
 * alpha is 0 or 255.  Wider channels are
 * rounded to the nearest 8-bit value: c8 = (c * 255 + m / 2) / m with
 * m = 1023 (2101010) or 65535 (16161616); a 2-bit alpha is a * 85.
 *
 * Writeback: XRGB8888 and ARGB8888 get the output line as it is;
 * XRGB2101010 and ARGB2101010 widen each channel by repeating its top
 * bits, c10 = c8 << 2 | c8 >> 6, with alpha (or X) 3.
 *
 * Rotation: the plane's visible source rectangle (framebuffer
 * coordinates, clipped by the DRM helper with the rotation applied) is
 * mirrored left to right for REFLECT_X, top to bottom for REFLECT_Y, both
 * for ROTATE_180.
 *
 * Scaling: nearest neighbour at pixel centres, per axis: of a visible
 * source span of s pixels shown on d output pixels, output pixel i
 * (0 <= i < d, after any reflection) shows source pixel
 * (2 * i + 1) * s / (2 * d), rounded down.  s and d are the clipped spans
 * (the DRM helper clips the source in proportion), s in whole pixels.
 *
 * Blending, per channel c with source alpha sa and plane alpha pa (the top
 * 8 bits of the 16-bit property), where mul(x, y) = (x * y + 127) / 255:
 *
 * - "None": the pixel's alpha is ignored: a = pa,
 *   out = mul(src, a) + mul(dst, 255 - a).
 * - "Coverage": a = mul(sa, pa), out = mul(src, a) + mul(dst, 255 - a).
 * - "Pre-multiplied": a = mul(sa, pa),
 *   out = min(255, mul(src, pa) + mul(dst, 255 - a)).
 *
 * Formats without alpha have sa = 255, so with pa = 255 every mode copies.
 * The output's alpha byte is always 0xff.
 *
 * Gamma: a CRTC's GAMMA_LUT (%VPRIME_GAMMA_SIZE entries; the legacy
 * gamma ioctl sets it too) maps each channel of the blended output, value
 * v to the top 8 bits of the 16-bit entry v of its table (so that the
 * ramp i * 0xffff / 255 is the identity).
 *
 * The CRC is crc32_le() with seed 0 and no final inversion over the output
 * lines, top to bottom, width * 4 bytes each (little-endian pixels), the
 * same as crc32_le(0, buffer, width * height * 4) over the whole output.
 *
 * Speed: an opaque XRGB8888 plane (and ARGB8888 with blend mode "None"),
 * as the primary plane usually is, is copied into the output line in one
 * pass; when it covers the whole frame the background is not drawn.
 */

#include <drm/drm_blend.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_managed.h>
#include <linux/crc32.h>
#include <linux/minmax.h>

#include "vprime_drv.h"

static u32 vprime_mul(u32 x, u32 a)
{
	return (x * a + 127) / 255;
}

/* Round an @m-maximum channel @c to 8 bits. */
static u32 vprime_to8(u32 c, u32 m)
{
	return (c * 255 + m / 2) / m;
}

/*
 * A 16-bit RGB pixel @v (5-bit blue at bit 0, @gbits-bit green, 5-bit red
 * above it) as ARGB8888 with alpha @a: each channel widened to 8 bits by
 * repeating its top bits.
 */
static u32 vprime_rgb16_to_argb(u32 v, unsigned int gbits, u32 a)
{
	u32 b = v & 0x1f, g = (v >> 5) & ((1u << gbits) - 1);
	u32 r = (v >> (5 + gbits)) & 0x1f;

	r = r << 3 | r >> 2;
	g = g << (8 - gbits) | g >> (2 * gbits - 8);
	b = b << 3 | b >> 2;
	return a << 24 | r << 16 | g << 8 | b;
}

/* A 2101010 pixel @v as ARGB8888; @alpha: its top 2 bits are alpha. */
static u32 vprime_2101010_to_argb(u32 v, bool alpha)
{
	u32 a = alpha ? (v >> 30) * 85 : 255;

	return a << 24 | vprime_to8((v >> 20) & 0x3ff, 1023) << 16 |
	       vprime_to8((v >> 10) & 0x3ff, 1023) << 8 |
	       vprime_to8(v & 0x3ff, 1023);
}

/* A 16161616 pixel (B, G, R, A/X little-endian u16s) as ARGB8888. */
static u32 vprime_16161616_to_argb(const __le16 *p, bool alpha)
{
	u32 a = alpha ? vprime_to8(le16_to_cpu(p[3]), 65535) : 255;

	return a << 24 | vprime_to8(le16_to_cpu(p[2]), 65535) << 16 |
	       vprime_to8(le16_to_cpu(p[1]), 65535) << 8 |
	       vprime_to8(le16_to_cpu(p[0]), 65535);
}

/*
 * Convert @n pixels of @format at @raw to ARGB8888 at @argb.  One loop per
 * format: the format is the same for the whole line.
 */
static void vprime_compose_to_argb(u32 format, const u8 *raw, u32 *argb,
				   unsigned int n)
{
	const __le32 *p32 = (const __le32 *)raw;
	const __le16 *p16 = (const __le16 *)raw;
	bool alpha = false;
	unsigned int i;
	u32 v;

	switch (format) {
	case DRM_FORMAT_ARGB8888:
		for (i = 0; i < n; i++)
			argb[i] = le32_to_cpu(p32[i]);
		break;
	case DRM_FORMAT_XRGB8888:
		for (i = 0; i < n; i++)
			argb[i] = le32_to_cpu(p32[i]) | 0xff000000;
		break;
	case DRM_FORMAT_ABGR8888:
	case DRM_FORMAT_XBGR8888:
		for (i = 0; i < n; i++) {
			v = le32_to_cpu(p32[i]);
			v = (v & 0xff00ff00) | ((v & 0xff) << 16) |
			    ((v >> 16) & 0xff);
			if (format == DRM_FORMAT_XBGR8888)
				v |= 0xff000000;
			argb[i] = v;
		}
		break;
	case DRM_FORMAT_RGB565:
		for (i = 0; i < n; i++)
			argb[i] = vprime_rgb16_to_argb(le16_to_cpu(p16[i]), 6,
						       0xff);
		break;
	case DRM_FORMAT_ARGB1555:
		alpha = true;
		fallthrough;
	case DRM_FORMAT_XRGB1555:
		for (i = 0; i < n; i++) {
			v = le16_to_cpu(p16[i]);
			argb[i] = vprime_rgb16_to_argb(v, 5, !alpha ||
						       (v & 0x8000) ? 0xff : 0);
		}
		break;
	case DRM_FORMAT_ARGB2101010:
		alpha = true;
		fallthrough;
	case DRM_FORMAT_XRGB2101010:
		for (i = 0; i < n; i++)
			argb[i] = vprime_2101010_to_argb(le32_to_cpu(p32[i]),
							 alpha);
		break;
	case DRM_FORMAT_ARGB16161616:
		alpha = true;
		fallthrough;
	case DRM_FORMAT_XRGB16161616:
		for (i = 0; i < n; i++)
			argb[i] = vprime_16161616_to_argb(&p16[4 * i], alpha);
		break;
	default:
		/* Planes take only the formats above. */
		for (i = 0; i < n; i++)
			argb[i] = 0xff000000;
		break;
	}
}

/* Blend one channel (bits @shift..@shift+7) of @s over @d. */
static u32 vprime_blend_channel(u32 s, u32 d, unsigned int shift, u32 a,
				u32 pa, bool premulti)
{
	u32 sc = (s >> shift) & 0xff, dc = (d >> shift) & 0xff, oc;

	if (premulti)
		oc = min_t(u32, 255, vprime_mul(sc, pa) + vprime_mul(dc, 255 - a));
	else
		oc = vprime_mul(sc, a) + vprime_mul(dc, 255 - a);
	return oc << shift;
}

/* Blend @n ARGB8888 pixels of @plane at @src over the output at @dst. */
static void vprime_compose_blend(const struct vprime_compose_plane *plane,
				 const u32 *src, __le32 *dst, unsigned int n)
{
	bool premulti = plane->blend_mode == DRM_MODE_BLEND_PREMULTI;
	bool pixel_alpha = plane->blend_mode != DRM_MODE_BLEND_PIXEL_NONE;
	u32 pa = plane->alpha, s, d, a;
	unsigned int i;

	for (i = 0; i < n; i++) {
		s = src[i];
		a = pixel_alpha ? vprime_mul(s >> 24, pa) : pa;
		if (a == 255) {
			/* Opaque: mul(c, 255) == c in every mode. */
			dst[i] = cpu_to_le32(s | 0xff000000);
			continue;
		}
		d = le32_to_cpu(dst[i]);
		dst[i] = cpu_to_le32(0xff000000 |
			vprime_blend_channel(s, d, 16, a, pa, premulti) |
			vprime_blend_channel(s, d, 8, a, pa, premulti) |
			vprime_blend_channel(s, d, 0, a, pa, premulti));
	}
}

/*
 * Whether @plane's pixels replace what is below them: a 32-bit RGB format
 * whose alpha is 255 for every pixel (no alpha channel, or one the blend
 * mode ignores) at plane alpha 255, read straight from system memory.
 */
static bool vprime_compose_plane_opaque(const struct vprime_compose_plane *plane)
{
	if (plane->alpha != 255 || plane->reflect_x || plane->src.is_iomem)
		return false;
	return plane->format == DRM_FORMAT_XRGB8888 ||
	       (plane->format == DRM_FORMAT_ARGB8888 &&
		plane->blend_mode == DRM_MODE_BLEND_PIXEL_NONE);
}

/* The source pixel that output pixel @i of @d shows, of @s (see DOC). */
static unsigned int vprime_compose_scale_index(unsigned int i, unsigned int s,
					       unsigned int d)
{
	return (2 * i + 1) * s / (2 * d);
}

/*
 * Resample the @from ARGB8888 pixels at @argb to @to pixels, in place:
 * enlarging reads at or left of each written pixel, so it runs right to
 * left; shrinking reads at or right of it, so it runs left to right.
 */
static void vprime_compose_scale_line(u32 *argb, unsigned int from,
				      unsigned int to)
{
	unsigned int i;

	if (to > from) {
		for (i = to; i-- > 0;)
			argb[i] = argb[vprime_compose_scale_index(i, from, to)];
	} else {
		for (i = 0; i < to; i++)
			argb[i] = argb[vprime_compose_scale_index(i, from, to)];
	}
}

/*
 * Blend line @y of @plane into the output line, if the plane covers it.
 * An opaque, unscaled XRGB8888 plane (the usual primary plane) is copied
 * into the output with its alpha byte set, in one pass: the result of
 * converting and blending it, without the line buffers.
 */
static void vprime_compose_plane_line(const struct vprime_compose_plane *plane,
				      int y, struct vprime_compose_buffers *bufs)
{
	unsigned int n = drm_rect_width(&plane->dst);
	unsigned int h = drm_rect_height(&plane->dst);
	bool scaled = plane->src_w != n || plane->src_h != h;
	/* Source pixels read: the whole visible span when scaling. */
	unsigned int m = scaled ? plane->src_w : n;
	unsigned int line = y - plane->dst.y1, i;
	const __le32 *src;
	__le32 *dst;
	size_t offset;
	u32 tmp;

	if (y < plane->dst.y1 || y >= plane->dst.y2 || !n)
		return;
	if (plane->reflect_y)
		line = h - 1 - line;
	if (scaled)
		line = vprime_compose_scale_index(line, plane->src_h, h);
	if (!scaled && vprime_compose_plane_opaque(plane)) {
		offset = (size_t)(plane->src_y + line) * plane->pitch +
			 (size_t)plane->src_x * plane->cpp;
		src = plane->src.vaddr + offset;
		dst = bufs->out + plane->dst.x1;
		for (i = 0; i < n; i++)
			dst[i] = src[i] | cpu_to_le32(0xff000000);
		return;
	}
	if (plane->format == DRM_FORMAT_NV12 ||
	    plane->format == DRM_FORMAT_YUYV) {
		vprime_compose_yuv_line(plane, plane->src_y + line, bufs->raw,
					bufs->argb, m);
	} else {
		offset = (size_t)(plane->src_y + line) * plane->pitch +
			 (size_t)plane->src_x * plane->cpp;
		iosys_map_memcpy_from(bufs->raw, &plane->src, offset,
				      (size_t)m * plane->cpp);
		vprime_compose_to_argb(plane->format, bufs->raw, bufs->argb,
				       m);
	}
	if (scaled)
		vprime_compose_scale_line(bufs->argb, m, n);
	for (i = 0; plane->reflect_x && i < n / 2; i++) {
		tmp = bufs->argb[i];
		bufs->argb[i] = bufs->argb[n - 1 - i];
		bufs->argb[n - 1 - i] = tmp;
	}
	vprime_compose_blend(plane, bufs->argb, bufs->out + plane->dst.x1, n);
}

static u32 vprime_to10(u32 c)
{
	return c << 2 | c >> 6;
}

/*
 * Write the output line @y into the writeback framebuffer; @tmp is a line
 * buffer for the conversion.
 */
static void vprime_compose_write_line(const struct vprime_wb_target *wb,
				      unsigned int y, const __le32 *line,
				      __le32 *tmp, unsigned int width)
{
	struct iosys_map dst = wb->dst;
	unsigned int x;
	u32 v;

	switch (wb->format) {
	case DRM_FORMAT_XRGB2101010:
	case DRM_FORMAT_ARGB2101010:
		for (x = 0; x < width; x++) {
			v = le32_to_cpu(line[x]);
			tmp[x] = cpu_to_le32(3u << 30 |
					     vprime_to10((v >> 16) & 0xff) << 20 |
					     vprime_to10((v >> 8) & 0xff) << 10 |
					     vprime_to10(v & 0xff));
		}
		line = tmp;
		break;
	default:
		/* XRGB8888 and ARGB8888: the line as it is (alpha 0xff). */
		break;
	}
	iosys_map_memcpy_to(&dst, (size_t)y * wb->pitch, line,
			    (size_t)width * 4);
}

/* Map each channel of @n output pixels @out through @frame's gamma LUT. */
static void vprime_compose_gamma(const struct vprime_frame *frame,
				 __le32 *out, unsigned int n)
{
	unsigned int x;
	u32 v;

	for (x = 0; x < n; x++) {
		v = le32_to_cpu(out[x]);
		out[x] = cpu_to_le32(0xff000000 |
				     frame->lut[0][(v >> 16) & 0xff] << 16 |
				     frame->lut[1][(v >> 8) & 0xff] << 8 |
				     frame->lut[2][v & 0xff]);
	}
}

/**
 * vprime_compose() - compose a frame, write it back, return its CRC
 * @frame: the CRTC's size and visible planes, bottom first; their mappings
 *	must stay valid until this returns
 * @bufs: the CRTC's line buffers
 * @wb: where to write the output (a writeback job), or NULL
 * @want_crc: compute the CRC
 *
 * Context: process context (the compose work); does not sleep, but reads
 * every visible pixel, so it takes a while for large modes.
 *
 * Return: crc32_le(0, output, width * height * 4) of the composed output
 * if @want_crc, else 0.
 */
u32 vprime_compose(const struct vprime_frame *frame,
		   struct vprime_compose_buffers *bufs,
		   const struct vprime_wb_target *wb, bool want_crc)
{
	const struct vprime_compose_plane *bottom = &frame->planes[0];
	unsigned int x, y, i;
	bool covered;
	u32 crc = 0;

	/* A bottom plane that covers the frame opaquely hides the background. */
	covered = frame->num_planes && vprime_compose_plane_opaque(bottom) &&
		  bottom->dst.x1 <= 0 && bottom->dst.y1 <= 0 &&
		  bottom->dst.x2 >= (int)frame->width &&
		  bottom->dst.y2 >= (int)frame->height;
	for (y = 0; y < frame->height; y++) {
		for (x = 0; !covered && x < frame->width; x++)
			bufs->out[x] = cpu_to_le32(0xff000000);
		for (i = 0; i < frame->num_planes; i++)
			vprime_compose_plane_line(&frame->planes[i], y, bufs);
		if (frame->gamma)
			vprime_compose_gamma(frame, bufs->out, frame->width);
		if (want_crc)
			crc = crc32_le(crc, (u8 *)bufs->out, frame->width * 4);
		if (wb)
			vprime_compose_write_line(wb, y, bufs->out,
						  (__le32 *)bufs->argb,
						  frame->width);
	}
	return crc;
}

/**
 * vprime_compose_buffers_init() - allocate a CRTC's composer line buffers
 * @drm: the device, which owns the buffers (freed on its release)
 * @bufs: where to store them
 *
 * Return: 0 or -ENOMEM.
 */
int vprime_compose_buffers_init(struct drm_device *drm,
				struct vprime_compose_buffers *bufs)
{
	bufs->out = drmm_kcalloc(drm, VPRIME_MAX_WIDTH, sizeof(*bufs->out),
				 GFP_KERNEL);
	/* The widest format has 8 bytes per pixel. */
	bufs->raw = drmm_kcalloc(drm, VPRIME_MAX_WIDTH, sizeof(u64),
				 GFP_KERNEL);
	bufs->argb = drmm_kcalloc(drm, VPRIME_MAX_WIDTH, sizeof(*bufs->argb),
				  GFP_KERNEL);
	if (!bufs->out || !bufs->raw || !bufs->argb)
		return -ENOMEM;
	return 0;
}
