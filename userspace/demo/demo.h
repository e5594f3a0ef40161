/* SPDX-License-Identifier: MIT */
/*
 * vprime-demo: a frame drawn on vprime travels zero-copy through another
 * process and vivid's video loop, and comes back to be checked.
 */
#ifndef VPRIME_DEMO_H
#define VPRIME_DEMO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define DEMO_WIDTH 1280
#define DEMO_HEIGHT 720
#define DEMO_FRAMES 8
#define DEMO_CAPTURES 3
#define DEMO_MAGIC 0x76707231u	/* "vpr1" */

/* Producer -> consumer, one per frame, with the frame's dma-buf fd. */
struct demo_frame_msg {
	uint32_t magic;
	uint32_t index;
	uint32_t width, height, pitch, fourcc;
	uint64_t size;
	uint32_t handle;	/* the producer's GEM handle, for the report */
	int32_t pid;
};

/* Consumer -> producer when done: the producer may let go. */
struct demo_done_msg {
	uint32_t magic;
	uint32_t ok;
};

/* The report: printed as it grows, and written to DIR/report.txt. */
void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print a failure with its reason; the demo then exits non-zero. */
int demo_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* producer.c: runs in the child; returns the exit code. */
int producer_main(int sock);
/* consumer.c: runs in the parent. */
int consumer_main(int sock, const char *outdir, const char *inspector);

/*
 * display.c: show the frame of @frame_dmabuf on vprime's display (an
 * import, no copy), check the writeback of what it composed against
 * @expect (XRGB8888, DEMO_WIDTH * 4 per line) and save it as
 * @outdir/scanout.png.  Needs DRM master on @drm.
 */
int display_frame(int drm, int frame_dmabuf, const uint8_t *expect,
		  const char *outdir);

/* draw.c: the picture of frame @index (XRGB8888). */
void draw_frame(uint8_t *dst, uint32_t pitch, uint32_t width,
		uint32_t height, uint32_t index);
/* png.c: write an XRGB8888 image as an RGB PNG. */
int write_png(const char *path, const uint8_t *src, uint32_t pitch,
	      uint32_t width, uint32_t height);

/* v4l2.c: vivid's HDMI output looped to its HDMI capture. */
struct demo_vivid {
	int out, cap;
	char out_path[32], cap_path[32];
	uint32_t sizeimage, bytesperline;
};

int vivid_loop_open(struct demo_vivid *v, uint32_t width, uint32_t height,
		    uint32_t fourcc, uint32_t pitch);
void vivid_loop_close(struct demo_vivid *v);

#endif /* VPRIME_DEMO_H */
