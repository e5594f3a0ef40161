// SPDX-License-Identifier: MIT
/*
 * libvprime: V4L2 queues of dma-bufs, for the video devices buffers are
 * shared with (vivid in the demo and the bench).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "vprime.h"

int vprime_v4l2_open(const char *name, char *path, size_t len)
{
	char p[300], got[64];
	struct dirent *de;
	int fd = -ENODEV;
	DIR *dir;
	FILE *f;

	dir = opendir("/sys/class/video4linux");
	if (!dir)
		return -ENODEV;
	while ((de = readdir(dir)) && fd < 0) {
		if (strncmp(de->d_name, "video", 5))
			continue;
		snprintf(p, sizeof(p), "/sys/class/video4linux/%.200s/name",
			 de->d_name);
		f = fopen(p, "r");
		if (!f)
			continue;
		if (fgets(got, sizeof(got), f)) {
			got[strcspn(got, "\n")] = '\0';
			if (!strcmp(got, name)) {
				snprintf(path, len, "/dev/%.20s", de->d_name);
				fd = open(path, O_RDWR | O_CLOEXEC);
				if (fd < 0)
					fd = -errno;
			}
		}
		fclose(f);
	}
	closedir(dir);
	return fd;
}

int vprime_v4l2_reqbufs(int fd, uint32_t type, uint32_t memory,
			uint32_t count)
{
	struct v4l2_requestbuffers req = {
		.count = count, .type = type, .memory = memory,
	};
	int ret = vprime_ioctl(fd, VIDIOC_REQBUFS, &req);

	if (ret)
		return ret;
	return req.count < count ? -ENOMEM : 0;
}

int vprime_v4l2_qbuf(int fd, uint32_t type, uint32_t memory, uint32_t index,
		     int dmabuf, uint32_t length, uint32_t bytesused)
{
	struct v4l2_buffer buf = {
		.index = index, .type = type, .memory = memory,
		.length = length, .bytesused = bytesused,
		.field = V4L2_FIELD_NONE,
	};

	if (memory == V4L2_MEMORY_DMABUF)
		buf.m.fd = dmabuf;
	return vprime_ioctl(fd, VIDIOC_QBUF, &buf);
}

int vprime_v4l2_dqbuf(int fd, uint32_t type, uint32_t memory, int timeout_ms,
		      uint32_t *index)
{
	struct pollfd pfd = {
		.fd = fd,
		.events = V4L2_TYPE_IS_OUTPUT(type) ? POLLOUT : POLLIN,
	};
	struct v4l2_buffer buf = { .type = type, .memory = memory };
	int ret;

	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return -ETIMEDOUT;
	ret = vprime_ioctl(fd, VIDIOC_DQBUF, &buf);
	if (ret)
		return ret;
	if (buf.flags & V4L2_BUF_FLAG_ERROR)
		return -EIO;
	*index = buf.index;
	return 0;
}

int vprime_v4l2_stream(int fd, uint32_t type, bool on)
{
	int t = type;

	return vprime_ioctl(fd, on ? VIDIOC_STREAMON : VIDIOC_STREAMOFF, &t);
}
