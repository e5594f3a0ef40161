// SPDX-License-Identifier: MIT
/*
 * V4L2 helpers for vprime's IGT tests.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <sys/mman.h>
#include <unistd.h>

#include "igt.h"
#include "igt_kmod.h"
#include "v4l2_common.h"

const char * const vivid_allocator_name[2] = { "vmalloc", "dma-contig" };

void vivid_unload(void)
{
	if (igt_kmod_is_loaded("vivid"))
		igt_assert_eq(igt_kmod_unload("vivid", 0), 0);
}

void vivid_reload(int allocators)
{
	char opts[128];

	/* A fresh vivid: no crop/compose left from an earlier test. */
	vivid_unload();
	snprintf(opts, sizeof(opts),
		 "n_devs=1 node_types=0x101 allocators=%d", allocators);
	igt_require_f(igt_kmod_load("vivid", opts) == 0, "cannot load vivid\n");
}

int vivid_open(const char *kind)
{
	char want[64], path[300], name[64];
	struct dirent *de;
	int fd = -1;
	DIR *dir;
	FILE *f;

	snprintf(want, sizeof(want), "vivid-000-%s", kind);
	dir = opendir("/sys/class/video4linux");
	igt_assert(dir);
	while ((de = readdir(dir)) && fd < 0) {
		if (strncmp(de->d_name, "video", 5))
			continue;
		snprintf(path, sizeof(path), "/sys/class/video4linux/%s/name",
			 de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f)) {
			name[strcspn(name, "\n")] = '\0';
			if (!strcmp(name, want)) {
				snprintf(path, sizeof(path), "/dev/%s",
					 de->d_name);
				fd = open(path, O_RDWR | O_CLOEXEC);
			}
		}
		fclose(f);
	}
	closedir(dir);
	igt_assert_f(fd >= 0, "no %s node\n", want);
	return fd;
}

uint32_t v4l2_set_format(int vfd, uint32_t type, uint32_t width,
			 uint32_t height, uint32_t fourcc,
			 uint32_t *bytesperline)
{
	struct v4l2_format fmt = { .type = type };

	if (bytesperline)
		fmt.fmt.pix.bytesperline = *bytesperline;
	fmt.fmt.pix.width = width;
	fmt.fmt.pix.height = height;
	fmt.fmt.pix.pixelformat = fourcc;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	igt_assert_eq(igt_ioctl(vfd, VIDIOC_S_FMT, &fmt), 0);
	igt_assert_eq_u32(fmt.fmt.pix.pixelformat, fourcc);
	igt_assert_eq_u32(fmt.fmt.pix.width, width);
	igt_assert_eq_u32(fmt.fmt.pix.height, height);
	if (bytesperline)
		*bytesperline = fmt.fmt.pix.bytesperline;
	return fmt.fmt.pix.sizeimage;
}

int v4l2_reqbufs_dmabuf(int vfd, uint32_t type, uint32_t count)
{
	struct v4l2_requestbuffers req = {
		.count = count, .type = type, .memory = V4L2_MEMORY_DMABUF,
	};

	if (igt_ioctl(vfd, VIDIOC_REQBUFS, &req))
		return -errno;
	return req.count;
}

int v4l2_qbuf_dmabuf(int vfd, uint32_t type, uint32_t index, int dmabuf,
		     uint32_t length, uint32_t bytesused)
{
	struct v4l2_buffer buf = {
		.index = index, .type = type, .memory = V4L2_MEMORY_DMABUF,
		.length = length, .bytesused = bytesused,
		.field = V4L2_FIELD_NONE,
	};

	buf.m.fd = dmabuf;
	return igt_ioctl(vfd, VIDIOC_QBUF, &buf) ? -errno : 0;
}

int v4l2_reqbufs_mmap(int vfd, uint32_t type, uint32_t count)
{
	struct v4l2_requestbuffers req = {
		.count = count, .type = type, .memory = V4L2_MEMORY_MMAP,
	};

	if (igt_ioctl(vfd, VIDIOC_REQBUFS, &req))
		return -errno;
	return req.count;
}

int v4l2_qbuf_mmap(int vfd, uint32_t type, uint32_t index)
{
	struct v4l2_buffer buf = {
		.index = index, .type = type, .memory = V4L2_MEMORY_MMAP,
		.field = V4L2_FIELD_NONE,
	};

	return igt_ioctl(vfd, VIDIOC_QBUF, &buf) ? -errno : 0;
}

void *v4l2_mmap_buffer(int vfd, uint32_t type, uint32_t index,
		       uint32_t *length)
{
	struct v4l2_buffer buf = {
		.index = index, .type = type, .memory = V4L2_MEMORY_MMAP,
	};
	void *p;

	igt_assert_eq(igt_ioctl(vfd, VIDIOC_QUERYBUF, &buf), 0);
	p = mmap(NULL, buf.length, PROT_READ | PROT_WRITE, MAP_SHARED, vfd,
		 buf.m.offset);
	igt_assert(p != MAP_FAILED);
	*length = buf.length;
	return p;
}

int v4l2_expbuf(int vfd, uint32_t type, uint32_t index)
{
	struct v4l2_exportbuffer exp = {
		.type = type, .index = index, .flags = O_RDWR | O_CLOEXEC,
	};

	igt_assert_eq(igt_ioctl(vfd, VIDIOC_EXPBUF, &exp), 0);
	return exp.fd;
}

static void v4l2_select(int vfd, bool output, const char *prefix)
{
	unsigned long enum_req = output ? VIDIOC_ENUMOUTPUT : VIDIOC_ENUMINPUT;
	unsigned long set_req = output ? VIDIOC_S_OUTPUT : VIDIOC_S_INPUT;
	union {
		struct v4l2_input in;
		struct v4l2_output out;
	} u;
	uint32_t i;
	int index;

	for (i = 0; ; i++) {
		memset(&u, 0, sizeof(u));
		u.in.index = i;	/* index and name sit alike in both */
		igt_assert_f(igt_ioctl(vfd, enum_req, &u) == 0,
			     "no %s %s\n", prefix, output ? "output" : "input");
		if (!strncmp((const char *)(output ? u.out.name : u.in.name),
			     prefix, strlen(prefix)))
			break;
	}
	index = i;
	igt_assert_eq(igt_ioctl(vfd, set_req, &index), 0);
}

void v4l2_select_input(int vfd, const char *prefix)
{
	v4l2_select(vfd, false, prefix);
}

void v4l2_select_output(int vfd, const char *prefix)
{
	v4l2_select(vfd, true, prefix);
}

void v4l2_set_dv_timings(int vfd, uint32_t width, uint32_t height)
{
	struct v4l2_enum_dv_timings e;
	uint32_t i;

	for (i = 0; ; i++) {
		memset(&e, 0, sizeof(e));
		e.index = i;
		igt_assert_f(igt_ioctl(vfd, VIDIOC_ENUM_DV_TIMINGS, &e) == 0,
			     "no %ux%u DV timings\n", width, height);
		if (e.timings.bt.width == width &&
		    e.timings.bt.height == height && !e.timings.bt.interlaced)
			break;
	}
	igt_assert_eq(igt_ioctl(vfd, VIDIOC_S_DV_TIMINGS, &e.timings), 0);
}

uint32_t v4l2_find_ctrl(int vfd, const char *name)
{
	struct v4l2_queryctrl q = { .id = V4L2_CTRL_FLAG_NEXT_CTRL };

	while (igt_ioctl(vfd, VIDIOC_QUERYCTRL, &q) == 0) {
		if (!strcmp((const char *)q.name, name))
			return q.id;
		q.id |= V4L2_CTRL_FLAG_NEXT_CTRL;
	}
	return 0;
}

void v4l2_set_ctrl(int vfd, const char *name, int32_t value)
{
	struct v4l2_control c = { .id = v4l2_find_ctrl(vfd, name) };

	igt_require_f(c.id, "no control \"%s\"\n", name);
	c.value = value;
	igt_assert_eq(igt_ioctl(vfd, VIDIOC_S_CTRL, &c), 0);
	igt_assert_eq(igt_ioctl(vfd, VIDIOC_G_CTRL, &c), 0);
	igt_assert_eq(c.value, value);
}

void v4l2_set_menu(int vfd, const char *name, const char *item)
{
	struct v4l2_querymenu m = { .id = v4l2_find_ctrl(vfd, name) };

	igt_require_f(m.id, "no control \"%s\"\n", name);
	for (m.index = 0; m.index < 256; m.index++) {
		if (igt_ioctl(vfd, VIDIOC_QUERYMENU, &m) == 0 &&
		    !strcmp((const char *)m.name, item)) {
			v4l2_set_ctrl(vfd, name, m.index);
			return;
		}
	}
	igt_assert_f(false, "control \"%s\" has no item \"%s\"\n", name,
		     item);
}

bool v4l2_vb2_leaks_failed_attach(void)
{
	struct utsname u;

	igt_assert_eq(uname(&u), 0);
	return !strncmp(u.release, "6.12.", 5);
}

void v4l2_vivid_loop(int cap)
{
	if (v4l2_find_ctrl(cap, "Loop Video"))
		v4l2_set_ctrl(cap, "Loop Video", 1);
	else
		v4l2_set_menu(cap, "HDMI 000-0 Is Connected To",
			      "Output HDMI 000-0");
}

void v4l2_stream(int vfd, uint32_t type, bool on)
{
	int t = type;

	igt_assert_eq(igt_ioctl(vfd, on ? VIDIOC_STREAMON : VIDIOC_STREAMOFF,
				&t), 0);
}

int v4l2_dqbuf(int vfd, uint32_t type, uint32_t memory, int timeout_ms,
	       struct v4l2_buffer *buf)
{
	struct pollfd pfd = {
		.fd = vfd,
		.events = V4L2_TYPE_IS_OUTPUT(type) ? POLLOUT : POLLIN,
	};
	int ret;

	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return -ETIMEDOUT;
	memset(buf, 0, sizeof(*buf));
	buf->type = type;
	buf->memory = memory;
	if (igt_ioctl(vfd, VIDIOC_DQBUF, buf))
		return -errno;
	return buf->index;
}
