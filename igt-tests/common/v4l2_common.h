/* SPDX-License-Identifier: MIT */
/*
 * V4L2 helpers for vprime's IGT tests: find vivid's nodes, set a format,
 * queue dma-buf buffers.
 */
#ifndef VPRIME_V4L2_COMMON_H
#define VPRIME_V4L2_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/videodev2.h>

/* A format and size a vivid test runs, and its name in subtest names. */
struct vivid_case {
	uint32_t fourcc, w, h;
	const char *name;
};

/* vivid's allocators= values by name: "vmalloc", "dma-contig". */
extern const char * const vivid_allocator_name[2];

/* Load vivid fresh (one instance, capture + output) with @allocators. */
void vivid_reload(int allocators);
void vivid_unload(void);
/* Open vivid's node named "vivid-000-@kind" (vid-cap, vid-out). */
int vivid_open(const char *kind);

/*
 * S_FMT single-planar; returns sizeimage.  A non-zero *bytesperline is
 * asked for; the driver's choice is returned in it.
 */
uint32_t v4l2_set_format(int vfd, uint32_t type, uint32_t width,
			 uint32_t height, uint32_t fourcc,
			 uint32_t *bytesperline);
/* REQBUFS with V4L2_MEMORY_DMABUF; returns -errno or the count. */
int v4l2_reqbufs_dmabuf(int vfd, uint32_t type, uint32_t count);
/* QBUF a dma-buf; 0 or -errno. */
int v4l2_qbuf_dmabuf(int vfd, uint32_t type, uint32_t index, int dmabuf,
		     uint32_t length, uint32_t bytesused);

/* REQBUFS with V4L2_MEMORY_MMAP; returns -errno or the count. */
int v4l2_reqbufs_mmap(int vfd, uint32_t type, uint32_t count);
/* QBUF buffer @index of an MMAP queue; 0 or -errno. */
int v4l2_qbuf_mmap(int vfd, uint32_t type, uint32_t index);
/* Map buffer @index of an MMAP queue; returns its length in *length. */
void *v4l2_mmap_buffer(int vfd, uint32_t type, uint32_t index,
		       uint32_t *length);
/* VIDIOC_EXPBUF: a dma-buf fd of buffer @index. */
int v4l2_expbuf(int vfd, uint32_t type, uint32_t index);

/* S_INPUT / S_OUTPUT to the first one whose name starts with @prefix. */
void v4l2_select_input(int vfd, const char *prefix);
void v4l2_select_output(int vfd, const char *prefix);
/* S_DV_TIMINGS to the driver's first progressive @width x @height timing. */
void v4l2_set_dv_timings(int vfd, uint32_t width, uint32_t height);

/* Controls by their names, as v4l2-ctl lists them; 0 if there is none. */
uint32_t v4l2_find_ctrl(int vfd, const char *name);
void v4l2_set_ctrl(int vfd, const char *name, int32_t value);
void v4l2_set_menu(int vfd, const char *name, const char *item);
/*
 * Loop vivid instance 0's first HDMI output into capture device @cap (its
 * first HDMI input selected): the "Loop Video" control on Linux 6.1,
 * the input's "HDMI 000-0 Is Connected To" menu on 6.12.
 */
void v4l2_vivid_loop(int cap);
/*
 * Whether this kernel's videobuf2 keeps the reference it took on a
 * dma-buf whose attach failed (a QBUF refused at attach then pins the
 * buffer for good): Linux 6.12's __prepare_dmabuf() jumps past the
 * dma_buf_put() of the new plane (read in Debian's 6.12.117 source).
 */
bool v4l2_vb2_leaks_failed_attach(void);

void v4l2_stream(int vfd, uint32_t type, bool on);
/* Wait up to @timeout_ms and DQBUF; returns the index or -errno. */
int v4l2_dqbuf(int vfd, uint32_t type, uint32_t memory, int timeout_ms,
	       struct v4l2_buffer *buf);

#endif /* VPRIME_V4L2_COMMON_H */
