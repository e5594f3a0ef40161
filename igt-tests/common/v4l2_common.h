/* SPDX-License-Identifier: MIT */
/*
 * V4L2 helpers for vprime's IGT tests: find vivid's nodes, set a format,
 * queue dma-buf buffers.
 */
#ifndef VPRIME_V4L2_COMMON_H
#define VPRIME_V4L2_COMMON_H

#include <stdint.h>

#include <linux/videodev2.h>

/* Load vivid fresh (one instance, capture + output) with @allocators. */
void vivid_reload(int allocators);
void vivid_unload(void);
/* Open vivid's node named "vivid-000-@kind" (vid-cap, vid-out). */
int vivid_open(const char *kind);

/* S_FMT single-planar; returns sizeimage and sets *bytesperline. */
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
/* Map buffer @index of an MMAP queue; returns its length in *length. */
void *v4l2_mmap_buffer(int vfd, uint32_t type, uint32_t index,
		       uint32_t *length);
/* VIDIOC_EXPBUF: a dma-buf fd of buffer @index. */
int v4l2_expbuf(int vfd, uint32_t type, uint32_t index);

#endif /* VPRIME_V4L2_COMMON_H */
