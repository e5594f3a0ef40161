/* SPDX-License-Identifier: MIT */
/*
 * vprime-bench: vprime and cenalloc measured against vgem (or against
 * anonymous memory, or the copy path) in the same guest boot.
 */
#ifndef VPRIME_BENCH_H
#define VPRIME_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/videodev2.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* How much work each figure does: the smoke run uses tiny counts. */
struct bench_cfg {
	bool smoke;
	int repeats;		/* pairs of runs per figure (vivid, display) */
	int quick_repeats;	/* ... of the figures that take under 3 s */
	int slices;		/* interleaved runs per side in an ops/s pair */
	int ops;		/* operations per pair and side */
	int live[3];		/* live objects for the lookup-scaling figures */
	int slab_objects;
	uint64_t map_bytes;
	uint64_t bulk_bytes;	/* memory made real in one object */
	uint64_t bulk_small_bytes;	/* ... and in 4 KiB objects */
	int frames;
	const char *only;	/* run only figures whose name contains this */
};

/* Whether figures named @figure run (--only); for skipping their setup. */
bool bench_wanted(const struct bench_cfg *cfg, const char *figure);

/* One measured run of one side: a value in the figure's unit. */
typedef double (*bench_fn)(int side_fd, int other_fd, const void *arg);

enum better { HIGHER, LOWER };

/*
 * Measure @fn @cfg->repeats times on each side, alternating, and record
 * the figure: median, min, max of each side and of the ratios of the
 * pairs of runs (>= 1.0 means vprime is at least as good).
 */
void bench_figure(const struct bench_cfg *cfg, const char *figure,
		  const char *variant, const char *unit, enum better better,
		  const char *ref_name, bench_fn fn, int vprime_fd, int ref_fd,
		  const void *arg);
/* Same, when the two sides are different functions on the same device. */
void bench_figure2(const struct bench_cfg *cfg, const char *figure,
		   const char *variant, const char *unit, enum better better,
		   const char *ref_name, bench_fn fn, bench_fn ref_fn, int fd,
		   int other_fd, const void *arg);

/*
 * An ops/s figure, each pair cut into @cfg->slices short runs of each
 * side, interleaved, the pair's ratio the median of the slices': @fn and
 * @ref_fn (each given the other side's fd as its second) do @cfg->ops /
 * @cfg->slices operations a call.
 */
void bench_figure_ops(const struct bench_cfg *cfg, const char *figure,
		      const char *variant, const char *ref_name, bench_fn fn,
		      bench_fn ref_fn, int vprime_fd, int ref_fd,
		      const void *arg);

double now_s(void);

/* bench_drm.c */
void bench_drm(const struct bench_cfg *cfg, int vprime, int vgem);
/* bench_heap.c */
void bench_heap(const struct bench_cfg *cfg);
/* bench_vivid.c */
void bench_vivid(const struct bench_cfg *cfg, int vprime);
/* bench_display.c */
void bench_display(const struct bench_cfg *cfg, int vprime);

/* vivid.c: vivid's capture queue, 1080p XR24, VIVID_NBUF buffers */
#define VIVID_CAP V4L2_BUF_TYPE_VIDEO_CAPTURE
#define VIVID_NBUF 3
#define VIVID_W 1920
#define VIVID_H 1080

enum vivid_input {
	VIVID_WEBCAM,		/* 5 frames/s at 1080p */
	VIVID_HDMI_1080P,	/* the fastest 1080p DV timings (60 Hz) */
};

/* Print what failed with errno and exit 1. */
void bench_die(const char *what) __attribute__((noreturn));
/* The vivid capture node, or -errno. */
int vivid_open(void);
/* Input, format and buffers (REQBUFS of @memory); @pix may be NULL. */
void vivid_setup(int cap, enum vivid_input input, uint32_t memory,
		 struct v4l2_pix_format *pix);
void vivid_qbuf(int cap, uint32_t memory, uint32_t index, int dmabuf);
/* MMAP buffers: each mapped (read-only) and queued; returns their length. */
size_t vivid_map_buffers(int cap, void **maps);
void vivid_unmap_buffers(void **maps, size_t len);
/* Waits up to 20 s for a frame. */
uint32_t vivid_dqbuf(int cap, uint32_t memory);
/*
 * After STREAMON: this process and vivid's kernel threads on one CPU
 * (@on), or this process back on every CPU (!@on).  See vivid.c.
 */
void vivid_share_cpu(bool on);
/*
 * CPU seconds used so far by this process and by vivid's kernel threads
 * (those vivid_share_cpu(true) found), at nanosecond resolution.
 */
double vivid_cpu_s(void);

#endif /* VPRIME_BENCH_H */
