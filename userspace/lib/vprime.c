// SPDX-License-Identifier: MIT
/*
 * libvprime: share buffers through vprime, cenalloc and dma-buf.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <xf86drm.h>

#include "vprime.h"
#include "internal.h"

#define MAX_FDS 16

static __thread char last_error[256];

const char *vprime_error(void)
{
	return last_error;
}

/* Record a failure of @err (a positive errno) and return -@err. */
int vprime_fail(int err, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	n = strlen(last_error);
	snprintf(last_error + n, sizeof(last_error) - n, ": %s",
		 strerror(err));
	return -err;
}

int vprime_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret ? -errno : 0;
}

int vprime_open_driver(const char *driver, enum vprime_node_type type,
		       unsigned int index)
{
	const char *fmt = type == VPRIME_RENDER ? "/dev/dri/renderD%u" :
						  "/dev/dri/card%u";
	unsigned int base = type == VPRIME_RENDER ? 128 : 0;
	unsigned int minor, found = 0;
	char path[64];

	if (!driver || (type != VPRIME_PRIMARY && type != VPRIME_RENDER))
		return vprime_fail(EINVAL, "%s: bad arguments", __func__);
	for (minor = base; minor < base + 64; minor++) {
		drmVersionPtr v;
		bool match;
		int fd;

		snprintf(path, sizeof(path), fmt, minor);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		match = v && !strcmp(v->name, driver);
		drmFreeVersion(v);
		if (match && found++ == index)
			return fd;
		close(fd);
	}
	return vprime_fail(ENODEV, "no %s node %u of driver \"%s\"",
		    type == VPRIME_RENDER ? "render" : "primary", index,
		    driver);
}

int vprime_bo_create(int drm, uint64_t size, uint32_t flags,
		     struct vprime_bo *bo)
{
	struct drm_vprime_gem_create arg = { .size = size, .flags = flags };
	int ret = vprime_ioctl(drm, DRM_IOCTL_VPRIME_GEM_CREATE, &arg);

	if (ret)
		return vprime_fail(-ret, "GEM_CREATE of %llu bytes, flags %#x",
			    (unsigned long long)size, flags);
	memset(bo, 0, sizeof(*bo));
	bo->handle = arg.handle;
	bo->size = arg.size;
	return 0;
}

int vprime_bo_create_dumb(int drm, uint32_t width, uint32_t height,
			  uint32_t bpp, struct vprime_bo *bo)
{
	struct drm_mode_create_dumb arg = {
		.width = width, .height = height, .bpp = bpp,
	};
	int ret = vprime_ioctl(drm, DRM_IOCTL_MODE_CREATE_DUMB, &arg);

	if (ret)
		return vprime_fail(-ret, "CREATE_DUMB %ux%u, %u bpp", width, height,
			    bpp);
	bo->handle = arg.handle;
	bo->width = width;
	bo->height = height;
	bo->pitch = arg.pitch;
	bo->size = arg.size;
	return 0;
}

int vprime_bo_close(int drm, uint32_t handle)
{
	struct drm_gem_close arg = { .handle = handle };
	int ret = vprime_ioctl(drm, DRM_IOCTL_GEM_CLOSE, &arg);

	return ret ? vprime_fail(-ret, "GEM_CLOSE of handle %u", handle) : 0;
}

int vprime_bo_export(int drm, uint32_t handle, int *dmabuf)
{
	int ret = drmPrimeHandleToFD(drm, handle, DRM_CLOEXEC | DRM_RDWR,
				     dmabuf);

	return ret ? vprime_fail(errno, "PRIME export of handle %u", handle) : 0;
}

int vprime_bo_import(int drm, int dmabuf, uint32_t *handle)
{
	int ret = drmPrimeFDToHandle(drm, dmabuf, handle);

	return ret ? vprime_fail(errno, "PRIME import of fd %d", dmabuf) : 0;
}

int vprime_bo_info(int drm, uint32_t handle,
		   struct drm_vprime_gem_info *info)
{
	int ret;

	memset(info, 0, sizeof(*info));
	info->handle = handle;
	ret = vprime_ioctl(drm, DRM_IOCTL_VPRIME_GEM_INFO, info);
	return ret ? vprime_fail(-ret, "GEM_INFO of handle %u", handle) : 0;
}

/*
 * /dev/cenalloc, opened at the first use and kept for the process: an open
 * and a close per buffer cost more than a small allocation, and the quota
 * is per open file.  The descriptor is checked on every use: one the
 * program closed, or whose number it reused for another file, is replaced
 * (and not closed: it is no longer the library's).
 */
static pthread_mutex_t cenalloc_lock = PTHREAD_MUTEX_INITIALIZER;
static int cenalloc_fd = -1;
static dev_t cenalloc_rdev;

static bool is_cenalloc_fd(int fd)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISCHR(st.st_mode) &&
	       st.st_rdev == cenalloc_rdev;
}

/* The kept descriptor, or -errno. */
static int cenalloc_dev(void)
{
	struct stat st;
	int fd, err;

	pthread_mutex_lock(&cenalloc_lock);
	if (cenalloc_fd >= 0 && !is_cenalloc_fd(cenalloc_fd))
		cenalloc_fd = -1;
	if (cenalloc_fd < 0) {
		fd = open("/dev/cenalloc", O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			fd = -errno;
			goto out_unlock;
		}
		if (fstat(fd, &st)) {
			err = errno;
			close(fd);
			fd = -err;
			goto out_unlock;
		}
		cenalloc_fd = fd;
		cenalloc_rdev = st.st_rdev;
	}
	fd = cenalloc_fd;
out_unlock:
	pthread_mutex_unlock(&cenalloc_lock);
	return fd;
}

static int cenalloc_ioctl(unsigned long req, void *arg, const char *what)
{
	int fd = cenalloc_dev();
	int ret;

	if (fd < 0)
		return vprime_fail(-fd, "open /dev/cenalloc");
	ret = vprime_ioctl(fd, req, arg);
	return ret ? vprime_fail(-ret, "%s", what) : 0;
}

int vprime_cenalloc_alloc(uint64_t size, uint32_t flags, int *dmabuf)
{
	struct cenalloc_alloc_data arg = {
		.size = size, .flags = flags, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	int ret = cenalloc_ioctl(CENALLOC_IOC_ALLOC, &arg, "CENALLOC_IOC_ALLOC");

	if (!ret)
		*dmabuf = arg.fd;
	return ret;
}

int vprime_cenalloc_info(int dmabuf, struct cenalloc_info_data *info)
{
	memset(info, 0, sizeof(*info));
	info->fd = dmabuf;
	return cenalloc_ioctl(CENALLOC_IOC_INFO, info, "CENALLOC_IOC_INFO");
}

int64_t vprime_dmabuf_size(int dmabuf)
{
	off_t end = lseek(dmabuf, 0, SEEK_END);

	if (end < 0)
		return vprime_fail(errno, "size of dma-buf fd %d", dmabuf);
	lseek(dmabuf, 0, SEEK_SET);
	return end;
}

int vprime_dmabuf_exporter(int dmabuf, char *buf, size_t len)
{
	char path[64], line[256];
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", dmabuf);
	f = fopen(path, "r");
	if (!f)
		return vprime_fail(errno, "%s", path);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "exp_name:", 9)) {
			snprintf(buf, len, "%s", line + 9 + strspn(line + 9, " \t"));
			buf[strcspn(buf, "\n")] = '\0';
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret ? vprime_fail(EBADF, "fd %d is not a dma-buf", dmabuf) : 0;
}

int vprime_map(int dmabuf, size_t size, int prot, struct vprime_map *map)
{
	int64_t full = vprime_dmabuf_size(dmabuf);

	if (full < 0)
		return (int)full;
	if (!size)
		size = full;
	if (size > (uint64_t)full)
		return vprime_fail(EINVAL, "map of %zu bytes of a %lld-byte dma-buf",
			    size, (long long)full);
	map->ptr = mmap(NULL, size, prot, MAP_SHARED, dmabuf, 0);
	if (map->ptr == MAP_FAILED) {
		map->ptr = NULL;
		return vprime_fail(errno, "mmap of dma-buf fd %d", dmabuf);
	}
	map->size = size;
	map->dmabuf = dmabuf;
	map->access = 0;
	return 0;
}

int vprime_map_begin(struct vprime_map *map, uint64_t access)
{
	struct dma_buf_sync sync = { .flags = DMA_BUF_SYNC_START | access };
	int ret;

	if (map->access)
		return vprime_fail(EBUSY, "map_begin: access already begun");
	if (!access || (access & ~DMA_BUF_SYNC_RW))
		return vprime_fail(EINVAL, "map_begin: access %#llx",
			    (unsigned long long)access);
	ret = vprime_ioctl(map->dmabuf, DMA_BUF_IOCTL_SYNC, &sync);
	if (ret)
		return vprime_fail(-ret, "DMA_BUF_IOCTL_SYNC start");
	map->access = access;
	return 0;
}

int vprime_map_end(struct vprime_map *map)
{
	struct dma_buf_sync sync = { .flags = DMA_BUF_SYNC_END | map->access };
	int ret;

	if (!map->access)
		return vprime_fail(EINVAL, "map_end without map_begin");
	ret = vprime_ioctl(map->dmabuf, DMA_BUF_IOCTL_SYNC, &sync);
	map->access = 0;
	return ret ? vprime_fail(-ret, "DMA_BUF_IOCTL_SYNC end") : 0;
}

void vprime_unmap(struct vprime_map *map)
{
	if (map->access)
		vprime_map_end(map);
	if (map->ptr)
		munmap(map->ptr, map->size);
	map->ptr = NULL;
}

int vprime_send_fds(int sock, const int *fds, unsigned int n,
		    const void *data, size_t len)
{
	char ctl[CMSG_SPACE(sizeof(int) * MAX_FDS)] = { 0 };
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (n > MAX_FDS || !len)
		return vprime_fail(EINVAL, "send_fds: %u fds, %zu bytes", n, len);
	if (n) {
		msg.msg_control = ctl;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	}
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) != (ssize_t)len)
		return vprime_fail(errno ? errno : EIO, "sendmsg");
	return 0;
}

int vprime_recv_fds(int sock, int *fds, unsigned int max, void *data,
		    size_t len)
{
	char ctl[CMSG_SPACE(sizeof(int) * MAX_FDS)];
	struct iovec iov = { .iov_base = data, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	unsigned int n = 0, i, got;
	struct cmsghdr *c;
	ssize_t r;

	r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (r < 0)
		return vprime_fail(errno, "recvmsg");
	if (r == 0)
		return vprime_fail(EPIPE, "recvmsg: peer closed");
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		got = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < got; i++) {
			int f;

			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(f));
			if (n < max)
				fds[n++] = f;
			else
				close(f);
		}
	}
	if ((size_t)r != len || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		for (i = 0; i < n; i++)
			close(fds[i]);
		return vprime_fail(EPROTO, "recvmsg: %zd of %zu bytes, flags %#x", r,
			    len, msg.msg_flags);
	}
	return n;
}
