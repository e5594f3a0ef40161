// SPDX-License-Identifier: MIT
/*
 * vprime-demo: save a captured XRGB8888 frame as a PNG with libpng.
 */
#include <errno.h>
#include <png.h>
#include <stdlib.h>

#include "demo.h"

int write_png(const char *path, const uint8_t *src, uint32_t pitch,
	      uint32_t width, uint32_t height)
{
	png_structp png = NULL;
	png_infop info = NULL;
	uint8_t *row = NULL;
	uint32_t x, y;
	int ret = -EIO;
	FILE *f;

	f = fopen(path, "wb");
	if (!f)
		return -errno;
	row = malloc((size_t)width * 3);
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	if (png)
		info = png_create_info_struct(png);
	if (!row || !png || !info)
		goto out;
	if (setjmp(png_jmpbuf(png)))
		goto out;
	png_init_io(png, f);
	png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
		     PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (y = 0; y < height; y++) {
		const uint8_t *p = src + (size_t)y * pitch;

		/* XRGB8888 in memory: B, G, R, X */
		for (x = 0; x < width; x++) {
			row[3 * x] = p[4 * x + 2];
			row[3 * x + 1] = p[4 * x + 1];
			row[3 * x + 2] = p[4 * x];
		}
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	ret = 0;
out:
	png_destroy_write_struct(&png, &info);
	free(row);
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}
