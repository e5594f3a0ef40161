// SPDX-License-Identifier: MIT
/*
 * vprime-demo: what the producer draws.  A colour gradient, a white square
 * that moves with the frame number, and the frame number as bars along the
 * top, so every frame differs from the others in many bytes.
 */
#include <string.h>

#include "demo.h"

static uint32_t xrgb(uint32_t r, uint32_t g, uint32_t b)
{
	return (r << 16) | (g << 8) | b;
}

void draw_frame(uint8_t *dst, uint32_t pitch, uint32_t width,
		uint32_t height, uint32_t index)
{
	uint32_t box = height / 4, bx, by, x, y;

	bx = (width - box) * index / (DEMO_FRAMES - 1);
	by = (height - box) / 2;
	for (y = 0; y < height; y++) {
		uint32_t *row = (uint32_t *)(dst + (size_t)y * pitch);

		for (x = 0; x < width; x++) {
			uint32_t c = xrgb(x * 255 / width, y * 255 / height,
					  128 + 16 * (index & 7));

			if (x >= bx && x < bx + box && y >= by && y < by + box)
				c = xrgb(255, 255, 255);
			/* frame number: index + 1 bars, 24 pixels apart */
			if (y < 32 && x % 24 < 16 && x / 24 <= index)
				c = xrgb(255, 32, 32);
			row[x] = c;
		}
	}
}
