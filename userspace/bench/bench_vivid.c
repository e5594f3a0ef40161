// SPDX-License-Identifier: MIT
/*
 * vprime-bench: the vivid video path.  1080p XR24 frames captured by vivid
 * (videobuf2-vmalloc) straight into imported vprime buffers (zero copy),
 * against capture into vivid's own MMAP buffers plus a memcpy into a vprime
 * buffer (the copy path).  Frames per second, and CPU time per frame of
 * the bench and vivid's kernel threads (which draw the frames), from
 * their CPU-time clocks: /proc/stat's 10 ms ticks are coarser than a
 * frame's work.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/videodev2.h>

#include "bench.h"
#include "vprime.h"

static int frames;

enum metric { FPS, CPU_MS };

static double stream(int cap, uint32_t memory, int *dmabufs,
		     struct vprime_map *copy_to, void **mmaps, size_t size,
		     enum metric metric)
{
	double c0;
	int f;
	uint32_t idx;
	double t0;

	errno = -vprime_v4l2_stream(cap, VIVID_CAP, true);
	if (errno)
		bench_die("STREAMON");
	vivid_share_cpu(true);
	/* one frame to get going, then the timed ones */
	idx = vivid_dqbuf(cap, memory);
	vivid_qbuf(cap, memory, idx, dmabufs[idx]);
	t0 = now_s();
	c0 = vivid_cpu_s();
	for (f = 0; f < frames; f++) {
		idx = vivid_dqbuf(cap, memory);
		if (copy_to) {
			vprime_map_begin(copy_to, DMA_BUF_SYNC_WRITE);
			memcpy(copy_to->ptr, mmaps[idx], size);
			vprime_map_end(copy_to);
		}
		vivid_qbuf(cap, memory, idx, dmabufs[idx]);
	}
	t0 = now_s() - t0;
	c0 = vivid_cpu_s() - c0;
	vprime_v4l2_stream(cap, VIVID_CAP, false);
	vivid_share_cpu(false);
	if (metric == FPS)
		return frames / t0;
	return c0 * 1000.0 / frames;
}

/* Zero copy: vivid captures into vprime buffers imported as DMABUF. */
static double zero_copy(int fd, int other, const void *arg)
{
	struct vprime_bo bo[VIVID_NBUF];
	int cap = vivid_open(), dmabuf[VIVID_NBUF], i;
	double v;

	(void)other;
	vivid_setup(cap, VIVID_WEBCAM, V4L2_MEMORY_DMABUF, NULL);
	for (i = 0; i < VIVID_NBUF; i++) {
		if (vprime_bo_create_dumb(fd, VIVID_W, VIVID_H, 32, &bo[i]) ||
		    vprime_bo_export(fd, bo[i].handle, &dmabuf[i]))
			bench_die(vprime_error());
		vivid_qbuf(cap, V4L2_MEMORY_DMABUF, i, dmabuf[i]);
	}
	v = stream(cap, V4L2_MEMORY_DMABUF, dmabuf, NULL, NULL, 0,
		   *(const enum metric *)arg);
	close(cap);
	for (i = 0; i < VIVID_NBUF; i++) {
		close(dmabuf[i]);
		vprime_bo_close(fd, bo[i].handle);
	}
	return v;
}

/* Copy: vivid's MMAP buffers, each frame copied into a vprime buffer. */
static double copy_path(int fd, int other, const void *arg)
{
	int cap = vivid_open(), dmabuf[VIVID_NBUF] = { -1, -1, -1 }, out;
	struct vprime_map m;
	void *maps[VIVID_NBUF];
	struct vprime_bo bo;
	size_t size, len;
	double v;

	(void)other;
	vivid_setup(cap, VIVID_WEBCAM, V4L2_MEMORY_MMAP, NULL);
	len = vivid_map_buffers(cap, maps);
	if (vprime_bo_create_dumb(fd, VIVID_W, VIVID_H, 32, &bo) ||
	    vprime_bo_export(fd, bo.handle, &out) ||
	    vprime_map(out, VIVID_W * VIVID_H * 4, PROT_WRITE, &m))
		bench_die(vprime_error());
	size = len < VIVID_W * VIVID_H * 4 ? len : VIVID_W * VIVID_H * 4;
	v = stream(cap, V4L2_MEMORY_MMAP, dmabuf, &m, maps, size,
		   *(const enum metric *)arg);
	vprime_unmap(&m);
	close(out);
	vprime_bo_close(fd, bo.handle);
	vivid_unmap_buffers(maps, len);
	close(cap);
	return v;
}

void bench_vivid(const struct bench_cfg *cfg, int vprime)
{
	static const enum metric fps = FPS, cpu = CPU_MS;
	int cap;

	if (!bench_wanted(cfg, "vivid-capture-1080p"))
		return;
	cap = vivid_open();
	if (cap < 0) {
		printf("(vivid not loaded: no video figures)\n");
		return;
	}
	close(cap);
	frames = cfg->frames;
	bench_figure2(cfg, "vivid-capture-1080p", "fps", "frames/s", HIGHER,
		      "copy", zero_copy, copy_path, vprime, -1, &fps);
	bench_figure2(cfg, "vivid-capture-1080p", "cpu", "ms/frame", LOWER,
		      "copy", zero_copy, copy_path, vprime, -1, &cpu);
}
