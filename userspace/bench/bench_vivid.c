// SPDX-License-Identifier: MIT
/*
 * vprime-bench: the vivid video path.  1080p XR24 frames captured by vivid
 * (videobuf2-vmalloc) straight into imported vprime buffers (zero copy),
 * against capture into vivid's own MMAP buffers plus a memcpy into a vprime
 * buffer (the copy path).  Frames per second, and whole-system CPU time per
 * frame (vivid's kernel thread included) from /proc/stat.
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

#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE
#define NBUF 3
#define W 1920
#define H 1080

static int frames;

enum metric { FPS, CPU_MS };

static int open_cap(void)
{
	char path[32];

	return vprime_v4l2_open("vivid-000-vid-cap", path, sizeof(path));
}

/* Busy jiffies of the whole system. */
static long long busy_jiffies(void)
{
	long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");

	if (!f || fscanf(f, "cpu %lld %lld %lld %lld %lld %lld %lld %lld", &v[0],
			 &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
		v[0] = 0;
	if (f)
		fclose(f);
	return v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
}

static void die(const char *what)
{
	fprintf(stderr, "vprime-bench: %s: %s\n", what, strerror(errno));
	_exit(1);
}

static void setup(int cap, uint32_t memory)
{
	struct v4l2_format fmt = { .type = CAP };

	fmt.fmt.pix.width = W;
	fmt.fmt.pix.height = H;
	fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_XBGR32;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	if (ioctl(cap, VIDIOC_S_FMT, &fmt) || fmt.fmt.pix.width != W)
		die("S_FMT 1920x1080 XR24");
	errno = -vprime_v4l2_reqbufs(cap, CAP, memory, NBUF);
	if (errno)
		die("REQBUFS");
}

static void qbuf(int cap, uint32_t memory, uint32_t index, int dmabuf)
{
	errno = -vprime_v4l2_qbuf(cap, CAP, memory, index, dmabuf, 0, 0);
	if (errno)
		die("QBUF");
}

static uint32_t dqbuf(int cap, uint32_t memory)
{
	uint32_t index;

	errno = -vprime_v4l2_dqbuf(cap, CAP, memory, 20000, &index);
	if (errno)
		die("DQBUF");
	return index;
}

static double stream(int cap, uint32_t memory, int *dmabufs,
		     struct vprime_map *copy_to, void **mmaps, size_t size,
		     enum metric metric)
{
	long long j0;
	int f;
	uint32_t idx;
	double t0;

	errno = -vprime_v4l2_stream(cap, CAP, true);
	if (errno)
		die("STREAMON");
	/* one frame to get going, then the timed ones */
	idx = dqbuf(cap, memory);
	qbuf(cap, memory, idx, dmabufs[idx]);
	t0 = now_s();
	j0 = busy_jiffies();
	for (f = 0; f < frames; f++) {
		idx = dqbuf(cap, memory);
		if (copy_to) {
			vprime_map_begin(copy_to, DMA_BUF_SYNC_WRITE);
			memcpy(copy_to->ptr, mmaps[idx], size);
			vprime_map_end(copy_to);
		}
		qbuf(cap, memory, idx, dmabufs[idx]);
	}
	t0 = now_s() - t0;
	j0 = busy_jiffies() - j0;
	vprime_v4l2_stream(cap, CAP, false);
	if (metric == FPS)
		return frames / t0;
	return j0 * 1000.0 / sysconf(_SC_CLK_TCK) / frames;
}

/* Zero copy: vivid captures into vprime buffers imported as DMABUF. */
static double zero_copy(int fd, int other, const void *arg)
{
	struct vprime_bo bo[NBUF];
	int cap = open_cap(), dmabuf[NBUF], i;
	double v;

	(void)other;
	setup(cap, V4L2_MEMORY_DMABUF);
	for (i = 0; i < NBUF; i++) {
		if (vprime_bo_create_dumb(fd, W, H, 32, &bo[i]) ||
		    vprime_bo_export(fd, bo[i].handle, &dmabuf[i]))
			die(vprime_error());
		qbuf(cap, V4L2_MEMORY_DMABUF, i, dmabuf[i]);
	}
	v = stream(cap, V4L2_MEMORY_DMABUF, dmabuf, NULL, NULL, 0,
		   *(const enum metric *)arg);
	close(cap);
	for (i = 0; i < NBUF; i++) {
		close(dmabuf[i]);
		vprime_bo_close(fd, bo[i].handle);
	}
	return v;
}

/* Copy: vivid's MMAP buffers, each frame copied into a vprime buffer. */
static double copy_path(int fd, int other, const void *arg)
{
	int cap = open_cap(), dmabuf[NBUF] = { -1, -1, -1 }, out, i;
	struct v4l2_buffer b;
	struct vprime_map m;
	void *maps[NBUF];
	struct vprime_bo bo;
	size_t size = 0;
	double v;

	(void)other;
	setup(cap, V4L2_MEMORY_MMAP);
	for (i = 0; i < NBUF; i++) {
		memset(&b, 0, sizeof(b));
		b.index = i;
		b.type = CAP;
		b.memory = V4L2_MEMORY_MMAP;
		if (ioctl(cap, VIDIOC_QUERYBUF, &b))
			die("QUERYBUF");
		maps[i] = mmap(NULL, b.length, PROT_READ, MAP_SHARED, cap,
			       b.m.offset);
		if (maps[i] == MAP_FAILED)
			die("mmap");
		size = b.length;
		qbuf(cap, V4L2_MEMORY_MMAP, i, -1);
	}
	if (vprime_bo_create_dumb(fd, W, H, 32, &bo) ||
	    vprime_bo_export(fd, bo.handle, &out) ||
	    vprime_map(out, W * H * 4, PROT_WRITE, &m))
		die(vprime_error());
	size = size < W * H * 4 ? size : W * H * 4;
	v = stream(cap, V4L2_MEMORY_MMAP, dmabuf, &m, maps, size,
		   *(const enum metric *)arg);
	vprime_unmap(&m);
	close(out);
	vprime_bo_close(fd, bo.handle);
	for (i = 0; i < NBUF; i++)
		munmap(maps[i], size);
	close(cap);
	return v;
}

void bench_vivid(const struct bench_cfg *cfg, int vprime)
{
	static const enum metric fps = FPS, cpu = CPU_MS;
	int cap;

	if (!bench_wanted(cfg, "vivid-capture-1080p"))
		return;
	cap = open_cap();
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
