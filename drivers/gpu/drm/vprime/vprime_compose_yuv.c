// SPDX-License-Identifier: GPL-2.0
/*
 * vprime: the composer's YUV input, NV12 and YUYV, to ARGB8888.
 */

/**
 * DOC: vprime YUV conversion
 *
 * NV12 (a Y plane and an interleaved CbCr plane, both halved in each
 * direction) and YUYV (Y0 Cb Y1 Cr per pixel pair) are converted with the
 * plane's COLOR_ENCODING (BT.601 or BT.709) and COLOR_RANGE (limited or
 * full) in 16.16 fixed point; a pixel uses the chroma sample of its pair
 * (and line pair, for NV12), without interpolation:
 *
 *   y = Y - 16, limited; Y, full.  cb = Cb - 128, cr = Cr - 128.
 *   R = clamp((ky * y + kr * cr + 32768) >> 16)
 *   G = clamp((ky * y - kgb * cb - kgr * cr + 32768) >> 16)
 *   B = clamp((ky * y + kb * cb + 32768) >> 16)
 *
 * with (ky, kr, kgb, kgr, kb) = (76309, 104597, 25675, 53279, 132201)
 * for BT.601 limited, (76309, 117489, 13975, 34925, 138438) for BT.709
 * limited, (65536, 91881, 22554, 46802, 116130) for BT.601 full and
 * (65536, 103206, 12276, 30679, 121609) for BT.709 full.  Alpha is 255.
 */

#include <drm/drm_color_mgmt.h>
#include <drm/drm_fourcc.h>
#include <linux/iosys-map.h>
#include <linux/minmax.h>

#include "vprime_drv.h"

struct vprime_yuv_coefs {
	s32 ky, kr, kgb, kgr, kb;
};

/* [encoding == BT709][range == FULL] */
static const struct vprime_yuv_coefs vprime_yuv_coefs[2][2] = {
	{ { 76309, 104597, 25675, 53279, 132201 },
	  { 65536, 91881, 22554, 46802, 116130 } },
	{ { 76309, 117489, 13975, 34925, 138438 },
	  { 65536, 103206, 12276, 30679, 121609 } },
};

static u32 vprime_yuv_clamp(s32 v)
{
	return clamp_t(s32, (v + 32768) >> 16, 0, 255);
}

static u32 vprime_yuv_pixel(const struct vprime_yuv_coefs *k, bool full,
			    u32 yy, u32 cbb, u32 crr)
{
	s32 y = full ? (s32)yy : (s32)yy - 16;
	s32 cb = (s32)cbb - 128, cr = (s32)crr - 128;

	return 0xff000000 |
	       vprime_yuv_clamp(k->ky * y + k->kr * cr) << 16 |
	       vprime_yuv_clamp(k->ky * y - k->kgb * cb - k->kgr * cr) << 8 |
	       vprime_yuv_clamp(k->ky * y + k->kb * cb);
}

/**
 * vprime_compose_yuv_line() - convert @n pixels of a YUV plane's line
 * @plane: a visible NV12 or YUYV plane
 * @line: the source line, framebuffer coordinates
 * @raw: a buffer of at least 8 bytes per pixel of the widest line
 * @argb: where the @n ARGB8888 pixels go
 * @n: pixels, from column @plane->src_x
 */
void vprime_compose_yuv_line(const struct vprime_compose_plane *plane,
			     unsigned int line, u8 *raw, u32 *argb,
			     unsigned int n)
{
	const struct vprime_yuv_coefs *k =
		&vprime_yuv_coefs[plane->color_encoding == DRM_COLOR_YCBCR_BT709]
				 [plane->color_range == DRM_COLOR_YCBCR_FULL_RANGE];
	bool full = plane->color_range == DRM_COLOR_YCBCR_FULL_RANGE;
	unsigned int x0 = plane->src_x & ~1u, skip = plane->src_x & 1;
	/* Whole pixel pairs from x0: the chroma of the first and last. */
	size_t pairs = (n + skip + 1) / 2;
	unsigned int i, c;
	u8 *uv;

	if (plane->format == DRM_FORMAT_YUYV) {
		iosys_map_memcpy_from(raw, &plane->src,
				      (size_t)line * plane->pitch + x0 * 2,
				      pairs * 4);
		for (i = 0; i < n; i++) {
			c = (i + skip) / 2 * 4;
			argb[i] = vprime_yuv_pixel(k, full,
						   raw[(i + skip) * 2],
						   raw[c + 1], raw[c + 3]);
		}
		return;
	}
	/* NV12: the Y span first, then the CbCr pairs after it. */
	uv = raw + 2 * VPRIME_MAX_WIDTH;
	iosys_map_memcpy_from(raw, &plane->src,
			      (size_t)line * plane->pitch + plane->src_x, n);
	iosys_map_memcpy_from(uv, &plane->src_uv,
			      (size_t)(line / 2) * plane->pitch_uv + x0,
			      pairs * 2);
	for (i = 0; i < n; i++) {
		c = (i + skip) / 2 * 2;
		argb[i] = vprime_yuv_pixel(k, full, raw[i], uv[c], uv[c + 1]);
	}
}
