// SPDX-License-Identifier: MIT
/*
 * V4L2 helpers for vprime's IGT tests.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "igt.h"
#include "igt_kmod.h"
#include "v4l2_common.h"

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
