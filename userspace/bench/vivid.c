// SPDX-License-Identifier: MIT
/*
 * vprime-bench: vivid's capture queue at 1080p XR24, shared by the capture
 * and display figures.  A failure ends the bench: a figure measured
 * halfway means nothing.
 */
#define _GNU_SOURCE /* sched_setaffinity() */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "vprime.h"

void bench_die(const char *what)
{
	fprintf(stderr, "vprime-bench: %s: %s\n", what, strerror(errno));
	_exit(1);
}

/* vivid's kernel threads, as vivid_share_cpu() found them. */
static pid_t vivid_threads[16];
static int vivid_nthreads;

static double cpu_clock_s(clockid_t clock)
{
	struct timespec t;

	if (clock_gettime(clock, &t))
		return 0;
	return t.tv_sec + t.tv_nsec / 1e9;
}

double vivid_cpu_s(void)
{
	double s = cpu_clock_s(CLOCK_PROCESS_CPUTIME_ID);
	clockid_t clock;
	int i;

	for (i = 0; i < vivid_nthreads; i++) {
		if (!clock_getcpuclockid(vivid_threads[i], &clock))
			s += cpu_clock_s(clock);
	}
	return s;
}

int vivid_open(void)
{
	char path[32];

	return vprime_v4l2_open("vivid-000-vid-cap", path, sizeof(path));
}

/* Select the first input whose name starts with @name. */
static void vivid_select_input(int cap, const char *name)
{
	struct v4l2_input in;
	int i;

	for (i = 0; ; i++) {
		memset(&in, 0, sizeof(in));
		in.index = i;
		errno = -vprime_ioctl(cap, VIDIOC_ENUMINPUT, &in);
		if (errno)
			bench_die(name);
		if (!strncmp((const char *)in.name, name, strlen(name)))
			break;
	}
	errno = -vprime_ioctl(cap, VIDIOC_S_INPUT, &i);
	if (errno)
		bench_die("S_INPUT");
}

/* The fastest progressive DV timings of the HDMI input at 1080p. */
static void vivid_hdmi_1080p(int cap)
{
	struct v4l2_dv_timings best = { 0 };
	struct v4l2_enum_dv_timings e;
	uint32_t i;

	for (i = 0; ; i++) {
		memset(&e, 0, sizeof(e));
		e.index = i;
		if (vprime_ioctl(cap, VIDIOC_ENUM_DV_TIMINGS, &e))
			break;
		if (e.timings.bt.width == VIVID_W &&
		    e.timings.bt.height == VIVID_H &&
		    !e.timings.bt.interlaced &&
		    e.timings.bt.pixelclock > best.bt.pixelclock)
			best = e.timings;
	}
	errno = best.bt.pixelclock ? -vprime_ioctl(cap, VIDIOC_S_DV_TIMINGS,
						   &best) : ENOENT;
	if (errno)
		bench_die("HDMI 1080p DV timings");
}

void vivid_setup(int cap, enum vivid_input input, uint32_t memory,
		 struct v4l2_pix_format *pix)
{
	struct v4l2_format fmt = { .type = VIVID_CAP };

	if (input == VIVID_HDMI_1080P) {
		vivid_select_input(cap, "HDMI");
		vivid_hdmi_1080p(cap);
	} else {
		vivid_select_input(cap, "Webcam");
	}
	fmt.fmt.pix.width = VIVID_W;
	fmt.fmt.pix.height = VIVID_H;
	fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_XBGR32;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	if (ioctl(cap, VIDIOC_S_FMT, &fmt) || fmt.fmt.pix.width != VIVID_W ||
	    fmt.fmt.pix.height != VIVID_H ||
	    fmt.fmt.pix.pixelformat != V4L2_PIX_FMT_XBGR32)
		bench_die("S_FMT 1920x1080 XR24");
	errno = -vprime_v4l2_reqbufs(cap, VIVID_CAP, memory, VIVID_NBUF);
	if (errno)
		bench_die("REQBUFS");
	if (pix)
		*pix = fmt.fmt.pix;
}

void vivid_qbuf(int cap, uint32_t memory, uint32_t index, int dmabuf)
{
	errno = -vprime_v4l2_qbuf(cap, VIVID_CAP, memory, index, dmabuf, 0, 0);
	if (errno)
		bench_die("QBUF");
}

uint32_t vivid_dqbuf(int cap, uint32_t memory)
{
	uint32_t index;

	errno = -vprime_v4l2_dqbuf(cap, VIVID_CAP, memory, 20000, &index);
	if (errno)
		bench_die("DQBUF");
	return index;
}

/*
 * vivid draws each frame in its kernel thread holding its device mutex,
 * which every poll, QBUF and DQBUF of its queue takes too.  With the
 * waiter on another CPU than the (running) owner the kernel spins for
 * the mutex instead of sleeping: perf showed a quarter of the guest's
 * time in mutex_spin_on_owner under vb2_fop_poll and the V4L2 ioctls,
 * about 16 ms of the bench's CPU per 1080p frame under TCG, the same on
 * the zero-copy and the copy paths.  On one CPU a waiter finds the owner
 * not running and sleeps, so the CPU figures are the paths' own work.
 * vivid starts its threads at STREAMON, so this runs after it.
 */
void vivid_share_cpu(bool on)
{
	char path[300], comm[32];
	struct dirent *d;
	cpu_set_t set;
	DIR *proc;
	FILE *f;
	pid_t pid;
	int cpu;

	CPU_ZERO(&set);
	if (!on) {
		for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
			CPU_SET(cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
		return;
	}
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		bench_die("sched_setaffinity");
	vivid_nthreads = 0;
	proc = opendir("/proc");
	if (!proc)
		bench_die("/proc");
	while ((d = readdir(proc))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		pid = atoi(d->d_name);
		if (fgets(comm, sizeof(comm), f) &&
		    !strncmp(comm, "vivid-", 6)) {
			if (sched_setaffinity(pid, sizeof(set), &set))
				bench_die("sched_setaffinity vivid");
			if (vivid_nthreads < (int)ARRAY_SIZE(vivid_threads))
				vivid_threads[vivid_nthreads++] = pid;
		}
		fclose(f);
	}
	closedir(proc);
}

size_t vivid_map_buffers(int cap, void **maps)
{
	struct v4l2_buffer b;
	size_t len = 0;
	uint32_t i;

	for (i = 0; i < VIVID_NBUF; i++) {
		memset(&b, 0, sizeof(b));
		b.index = i;
		b.type = VIVID_CAP;
		b.memory = V4L2_MEMORY_MMAP;
		if (ioctl(cap, VIDIOC_QUERYBUF, &b))
			bench_die("QUERYBUF");
		maps[i] = mmap(NULL, b.length, PROT_READ, MAP_SHARED, cap,
			       b.m.offset);
		if (maps[i] == MAP_FAILED)
			bench_die("mmap of a vivid buffer");
		len = b.length;
		vivid_qbuf(cap, V4L2_MEMORY_MMAP, i, -1);
	}
	return len;
}

void vivid_unmap_buffers(void **maps, size_t len)
{
	uint32_t i;

	for (i = 0; i < VIVID_NBUF; i++)
		munmap(maps[i], len);
}
