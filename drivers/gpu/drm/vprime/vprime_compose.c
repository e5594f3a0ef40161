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
 * into the output line (see "Speed" for the spans read in place).
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
 * pass, two pixels per 64-bit word; when it covers the whole frame the
 * background is not drawn.  Other unscaled, unreflected XRGB8888 and
 * ARGB8888 planes in system memory are blended straight from their
 * framebuffer, two channels per multiply (red and blue in one word, green
 * in another: the same rounding as above, exactly).  An XRGB8888 or
 * ARGB8888 writeback framebuffer in system memory is the output: lines are
 * composed in it, not copied into it.
 */

#include <drm/drm_blend.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_managed.h>
#include <linux/crc32.h>

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

/*
 * mul() of the two channels in bits 0..7 and 16..23 of @x by @a, in one
 * multiply: t = x * a + 128 per 16-bit lane, mul = (t + (t >> 8)) >> 8,
 * which is exact for 8-bit x and a (no lane carries into the next).
 */
static u32 vprime_mul2(u32 x, u32 a)
{
	u32 t = (x & 0x00ff00ff) * a + 0x00800080;

	return ((t + ((t >> 8) & 0x00ff00ff)) >> 8) & 0x00ff00ff;
}

/* Clamp each 9-bit lane (bits 0..8 and 16..24) of @x to 255. */
static u32 vprime_clamp2(u32 x)
{
	return (x | ((x & 0x01000100) >> 8) * 0xff) & 0x00ff00ff;
}

/*
 * Blend ARGB8888 pixel @s over output pixel @d at effective alpha @a
 * (see DOC): red and blue in one lane pair, green (with alpha, unused)
 * in the other.
 */
static u32 vprime_blend_pixel(u32 s, u32 d, u32 a, u32 pa, bool premulti)
{
	u32 rb, g;

	if (premulti) {
		rb = vprime_clamp2(vprime_mul2(s, pa) +
				   vprime_mul2(d, 255 - a));
		g = vprime_clamp2(vprime_mul2(s >> 8, pa) +
				  vprime_mul2(d >> 8, 255 - a));
	} else {
		rb = vprime_mul2(s, a) + vprime_mul2(d, 255 - a);
		g = vprime_mul2(s >> 8, a) + vprime_mul2(d >> 8, 255 - a);
	}
	return 0xff000000 | rb | (g & 0xff) << 8;
}

/* The effective alpha of ARGB8888 pixel @s on @plane (see DOC). */
static u32 vprime_blend_alpha(const struct vprime_compose_plane *plane, u32 s)
{
	if (plane->blend_mode == DRM_MODE_BLEND_PIXEL_NONE)
		return plane->alpha;
	return vprime_mul(s >> 24, plane->alpha);
}

/* Blend ARGB8888 pixel @s of @plane over the output pixel at @d. */
static void vprime_blend_into(const struct vprime_compose_plane *plane, u32 s,
			      __le32 *d)
{
	bool premulti = plane->blend_mode == DRM_MODE_BLEND_PREMULTI;
	u32 a = vprime_blend_alpha(plane, s), o;

	if (a == 255) {
		/* Opaque: mul(c, 255) == c in every mode. */
		*d = cpu_to_le32(s | 0xff000000);
	} else if (a || premulti) {
		o = vprime_blend_pixel(s, le32_to_cpu(*d), a, plane->alpha,
				       premulti);
		*d = cpu_to_le32(o);
	}
	/* else transparent: mul(c, 0) == 0 and mul(d, 255) == d. */
}

/* Blend @n ARGB8888 pixels of @plane at @src over the output at @dst. */
static void vprime_compose_blend(const struct vprime_compose_plane *plane,
				 const u32 *src, __le32 *dst, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		vprime_blend_into(plane, src[i], &dst[i]);
}

/*
 * vprime_compose_blend() straight from an XRGB8888 or ARGB8888
 * framebuffer line @src in system memory, without converting it into a
 * line buffer first; @xmask is 0xff000000 for XRGB8888 (alpha 255).
 */
static void vprime_compose_blend_argb(const struct vprime_compose_plane *plane,
				      const __le32 *src, u32 xmask,
				      __le32 *dst, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		vprime_blend_into(plane, le32_to_cpu(src[i]) | xmask, &dst[i]);
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
 * Two pixels, at any 4-byte alignment: what get_unaligned() does, whose
 * header is <asm/unaligned.h> on 6.1 and <linux/unaligned.h> on 6.12.
 */
struct vprime_pixel_pair {
	__le64 v;
} __packed;

/*
 * Copy @n opaque XRGB8888 pixels from @src to @dst with their alpha byte
 * set, two pixels per 64-bit load and store.
 */
static void vprime_compose_copy_opaque(__le32 *dst, const __le32 *src,
				       unsigned int n)
{
	const __le64 amask = cpu_to_le64(0xff000000ff000000ull);
	const struct vprime_pixel_pair *s2;
	struct vprime_pixel_pair *d2;
	unsigned int i;

	for (i = 0; i + 1 < n; i += 2) {
		s2 = (const struct vprime_pixel_pair *)&src[i];
		d2 = (struct vprime_pixel_pair *)&dst[i];
		d2->v = s2->v | amask;
	}
	if (i < n)
		dst[i] = src[i] | cpu_to_le32(0xff000000);
}

/*
 * Blend line @y of @plane into the output line @out, if the plane covers
 * it.  An unscaled, unreflected XRGB8888 or ARGB8888 plane in system
 * memory is read where it is: copied in one pass when opaque (the usual
 * primary plane), blended pixel by pixel otherwise.  Other planes are
 * converted into the ARGB8888 line buffer first.
 */
static void vprime_compose_plane_line(const struct vprime_compose_plane *plane,
				      int y, __le32 *out,
				      struct vprime_compose_buffers *bufs)
{
	unsigned int n = drm_rect_width(&plane->dst);
	unsigned int h = drm_rect_height(&plane->dst);
	bool scaled = plane->src_w != n || plane->src_h != h;
	/* Source pixels read: the whole visible span when scaling. */
	unsigned int m = scaled ? plane->src_w : n;
	unsigned int line = y - plane->dst.y1, i;
	bool direct = !scaled && !plane->reflect_x && !plane->src.is_iomem &&
		      (plane->format == DRM_FORMAT_XRGB8888 ||
		       plane->format == DRM_FORMAT_ARGB8888);
	const __le32 *src;
	__le32 *dst;
	size_t offset;
	u32 tmp, xmask;

	if (y < plane->dst.y1 || y >= plane->dst.y2 || !n)
		return;
	if (plane->reflect_y)
		line = h - 1 - line;
	if (scaled)
		line = vprime_compose_scale_index(line, plane->src_h, h);
	offset = (size_t)(plane->src_y + line) * plane->pitch +
		 (size_t)plane->src_x * plane->cpp;
	dst = out + plane->dst.x1;
	if (direct) {
		src = plane->src.vaddr + offset;
		xmask = plane->format == DRM_FORMAT_XRGB8888 ? 0xff000000 : 0;
		if (vprime_compose_plane_opaque(plane))
			vprime_compose_copy_opaque(dst, src, n);
		else
			vprime_compose_blend_argb(plane, src, xmask, dst, n);
		return;
	}
	if (plane->format == DRM_FORMAT_NV12 ||
	    plane->format == DRM_FORMAT_YUYV) {
		vprime_compose_yuv_line(plane, plane->src_y + line, bufs->raw,
					bufs->argb, m);
	} else {
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
	vprime_compose_blend(plane, bufs->argb, dst, n);
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
	bool direct = wb && !wb->dst.is_iomem &&
		      (wb->format == DRM_FORMAT_XRGB8888 ||
		       wb->format == DRM_FORMAT_ARGB8888);
	unsigned int x, y, i;
	bool covered;
	__le32 *out;
	u32 crc = 0;

	/* A bottom plane that covers the frame opaquely hides the background. */
	covered = frame->num_planes && vprime_compose_plane_opaque(bottom) &&
		  bottom->dst.x1 <= 0 && bottom->dst.y1 <= 0 &&
		  bottom->dst.x2 >= (int)frame->width &&
		  bottom->dst.y2 >= (int)frame->height;
	for (y = 0; y < frame->height; y++) {
		/* An XRGB8888 or ARGB8888 writeback line is the output line. */
		out = direct ? wb->dst.vaddr + (size_t)y * wb->pitch : bufs->out;
		for (x = 0; !covered && x < frame->width; x++)
			out[x] = cpu_to_le32(0xff000000);
		for (i = 0; i < frame->num_planes; i++)
			vprime_compose_plane_line(&frame->planes[i], y, out,
						  bufs);
		if (frame->gamma)
			vprime_compose_gamma(frame, out, frame->width);
		if (want_crc)
			crc = crc32_le(crc, (u8 *)out, frame->width * 4);
		if (wb && !direct)
			vprime_compose_write_line(wb, y, out,
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
