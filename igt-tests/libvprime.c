// SPDX-License-Identifier: MIT
/*
 * libvprime: the userspace library, used as an application would, on the
 * real devices.  Each call's result, identity and error (errno and message)
 * is checked.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "igt.h"
#include "vprime.h"

static int drm = -1;

static void assert_error(int ret, int err, const char *words)
{
	igt_assert_eq(ret, -err);
	igt_assert_f(strstr(vprime_error(), words), "message \"%s\" lacks \"%s\"\n",
		     vprime_error(), words);
	igt_assert(strstr(vprime_error(), strerror(err)));
}

static unsigned long ino_of(int fd)
{
	struct stat st;

	igt_assert_eq(fstat(fd, &st), 0);
	return st.st_ino;
}

/* How many of this process's descriptors are open on /dev/cenalloc. */
static int cenalloc_fds(void)
{
	char path[300], target[64];
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	ssize_t n;
	int count = 0;

	igt_assert(d);
	while ((e = readdir(d))) {
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (!strcmp(target, "/dev/cenalloc"))
			count++;
	}
	closedir(d);
	return count;
}

/* Point every descriptor open on /dev/cenalloc at /dev/null instead. */
static void replace_cenalloc_fds(void)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), fd;
	char path[64], target[64];
	ssize_t n;

	igt_assert_lte(0, null);
	for (fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (!strcmp(target, "/dev/cenalloc"))
			igt_assert_eq(dup2(null, fd), fd);
	}
	close(null);
}

igt_main
{
	igt_fixture {
		drm = vprime_open_driver("vprime", VPRIME_PRIMARY, 0);
		igt_require_f(drm >= 0, "%s\n", vprime_error());
	}

	igt_describe("Devices are found by driver name, and a missing one says so");
	igt_subtest("open-by-name") {
		int r = vprime_open_driver("vprime", VPRIME_RENDER, 0);

		igt_assert_lte(0, r);
		close(r);
		assert_error(vprime_open_driver("no-such-driver", VPRIME_PRIMARY, 0),
			     ENODEV, "no-such-driver");
		assert_error(vprime_open_driver("vprime", VPRIME_PRIMARY, 64),
			     ENODEV, "vprime");
	}

	igt_describe("create, export, import: one object, one dma-buf");
	igt_subtest("create-export-import") {
		struct drm_vprime_gem_info info;
		struct vprime_bo bo, dumb;
		char exp[64];
		uint32_t h;
		int dmabuf;

		igt_assert_eq(vprime_bo_create(drm, 1 << 20, 0, &bo), 0);
		igt_assert_eq(vprime_bo_export(drm, bo.handle, &dmabuf), 0);
		igt_assert(fcntl(dmabuf, F_GETFD) & FD_CLOEXEC);
		igt_assert_eq(vprime_dmabuf_size(dmabuf), 1 << 20);
		igt_assert_eq(vprime_dmabuf_exporter(dmabuf, exp, sizeof(exp)), 0);
		igt_assert(!strcmp(exp, "vprime"));
		igt_assert_eq(vprime_bo_import(drm, dmabuf, &h), 0);
		igt_assert_eq_u32(h, bo.handle);
		igt_assert_eq(vprime_bo_info(drm, h, &info), 0);
		igt_assert_eq_u64(info.size, 1 << 20);
		igt_assert(info.state & VPRIME_GEM_STATE_EXPORTED);

		igt_assert_eq(vprime_bo_create_dumb(drm, 33, 17, 32, &dumb), 0);
		igt_assert_eq_u32(dumb.pitch, 192);
		igt_assert_lte_u64(192 * 17, dumb.size);
		igt_assert_eq(vprime_bo_close(drm, dumb.handle), 0);

		close(dmabuf);
		igt_assert_eq(vprime_bo_close(drm, bo.handle), 0);
	}

	igt_describe("Bad input comes back as -errno with a message naming it");
	igt_subtest("errors") {
		struct drm_vprime_gem_info info;
		struct vprime_bo bo;
		char exp[64];
		uint32_t h;
		int p[2], dmabuf;

		assert_error(vprime_bo_close(drm, 0xdead), EINVAL, "GEM_CLOSE");
		assert_error(vprime_bo_info(drm, 0xdead, &info), ENOENT, "GEM_INFO");
		assert_error(vprime_bo_create(drm, 0, 0, &bo), EINVAL, "GEM_CREATE");
		assert_error(vprime_bo_create(drm, 4096, 1u << 31, &bo), EINVAL,
			     "flags");
		assert_error(vprime_bo_export(drm, 0xdead, &dmabuf), ENOENT,
			     "PRIME export");
		igt_assert_eq(pipe(p), 0);
		igt_assert_lt(vprime_bo_import(drm, p[0], &h), 0);
		igt_assert(strstr(vprime_error(), "PRIME import"));
		assert_error(vprime_dmabuf_exporter(p[0], exp, sizeof(exp)), EBADF,
			     "not a dma-buf");
		close(p[0]);
		close(p[1]);
		assert_error(vprime_cenalloc_alloc(0, 0, &dmabuf), EINVAL,
			     "CENALLOC_IOC_ALLOC");
	}

	igt_describe("Mapping is bracketed by DMA_BUF_IOCTL_SYNC, misuse refused");
	igt_subtest("map-sync") {
		struct cenalloc_info_data ci;
		struct vprime_map map;
		int dmabuf;

		igt_assert_eq(vprime_cenalloc_alloc(64 << 10, 0, &dmabuf), 0);
		assert_error(vprime_map(dmabuf, 128 << 10, PROT_READ, &map),
			     EINVAL, "map of");
		igt_assert_eq(vprime_map(dmabuf, 0, PROT_READ | PROT_WRITE, &map), 0);
		igt_assert_eq(map.size, 64 << 10);
		assert_error(vprime_map_end(&map), EINVAL, "without map_begin");
		assert_error(vprime_map_begin(&map, 0), EINVAL, "access");
		assert_error(vprime_map_begin(&map, 1u << 7), EINVAL, "access");
		/* no storage until the first access: deferred allocation */
		igt_assert_eq(vprime_cenalloc_info(dmabuf, &ci), 0);
		igt_assert_eq_u32(ci.state & CENALLOC_STATE_ALLOCATED, 0);
		igt_assert_eq(vprime_map_begin(&map, DMA_BUF_SYNC_WRITE), 0);
		assert_error(vprime_map_begin(&map, DMA_BUF_SYNC_READ), EBUSY,
			     "already");
		memset(map.ptr, 0x3c, map.size);
		igt_assert_eq(vprime_map_end(&map), 0);
		igt_assert_eq(vprime_cenalloc_info(dmabuf, &ci), 0);
		igt_assert(ci.state & CENALLOC_STATE_ALLOCATED);
		igt_assert_eq(vprime_map_begin(&map, DMA_BUF_SYNC_READ), 0);
		igt_assert_eq(((uint8_t *)map.ptr)[map.size - 1], 0x3c);
		vprime_unmap(&map);	/* ends the access itself */
		igt_assert(!map.ptr);
		close(dmabuf);
	}

	igt_describe("dma-buf fds cross processes over a Unix socket");
	igt_subtest("scm-rights") {
		struct vprime_bo bo;
		struct vprime_map map;
		int sv[2], dmabuf, status, got[4];
		uint32_t tag = 0x1234abcd, back;
		pid_t pid;

		igt_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
		igt_assert_eq(vprime_bo_create(drm, 8192, 0, &bo), 0);
		igt_assert_eq(vprime_bo_export(drm, bo.handle, &dmabuf), 0);

		pid = fork();
		igt_assert(pid >= 0);
		if (pid == 0) {
			int fd, n = vprime_recv_fds(sv[1], &fd, 1, &back, sizeof(back));
			struct stat st;

			if (n != 1 || back != tag || fstat(fd, &st))
				_exit(1);
			if (vprime_map(fd, 0, PROT_READ | PROT_WRITE, &map) ||
			    vprime_map_begin(&map, DMA_BUF_SYNC_WRITE))
				_exit(2);
			memset(map.ptr, 0x77, map.size);
			vprime_unmap(&map);
			back = st.st_ino;
			_exit(vprime_send_fds(sv[1], NULL, 0, &back, sizeof(back)) ? 3 : 0);
		}
		igt_assert_eq(vprime_send_fds(sv[0], &dmabuf, 1, &tag, sizeof(tag)), 0);
		igt_assert_eq(vprime_recv_fds(sv[0], got, 4, &back, sizeof(back)), 0);
		igt_assert_eq(waitpid(pid, &status, 0), pid);
		igt_assert(WIFEXITED(status));
		igt_assert_eq(WEXITSTATUS(status), 0);
		/* the child saw the same dma-buf and wrote through it */
		igt_assert_eq_u32(back, (uint32_t)ino_of(dmabuf));
		igt_assert_eq(vprime_map(dmabuf, 0, PROT_READ, &map), 0);
		igt_assert_eq(vprime_map_begin(&map, DMA_BUF_SYNC_READ), 0);
		igt_assert_eq(((uint8_t *)map.ptr)[8191], 0x77);
		vprime_unmap(&map);

		/* a closed peer is an error, not a hang */
		close(sv[1]);
		assert_error(vprime_recv_fds(sv[0], got, 4, &back, sizeof(back)),
			     EPIPE, "peer closed");
		assert_error(vprime_send_fds(sv[0], NULL, 0, &back, 0), EINVAL,
			     "send_fds");
		close(sv[0]);
		close(dmabuf);
		igt_assert_eq(vprime_bo_close(drm, bo.handle), 0);
	}

	igt_describe("The census finds our dma-bufs, their size and holders");
	igt_subtest("census") {
		struct vprime_dmabuf_census cs;
		const struct vprime_dmabuf *b;
		struct vprime_map map;
		struct vprime_bo bo;
		int dmabuf, i;

		igt_assert_eq(vprime_bo_create(drm, 3 << 12, 0, &bo), 0);
		igt_assert_eq(vprime_bo_export(drm, bo.handle, &dmabuf), 0);
		igt_assert_eq(vprime_map(dmabuf, 0, PROT_READ, &map), 0);
		igt_assert_eq(vprime_dmabuf_census(&cs, NULL), 0);
		igt_assert(cs.debugfs);
		b = vprime_dmabuf_census_find(&cs, ino_of(dmabuf));
		igt_assert(b);
		igt_assert_eq_u64(b->size, 3 << 12);
		igt_assert(!strcmp(b->exporter, "vprime"));
		igt_assert(b->cenalloc);
		for (i = 0; i < b->nholders; i++)
			if (b->holders[i].pid == getpid())
				break;
		igt_assert_lt(i, b->nholders);
		igt_assert_eq(b->holders[i].fds, 1);
		igt_assert_eq(b->holders[i].maps, 1);
		vprime_dmabuf_census_free(&cs);

		/* without debugfs: the same buffer, less detail */
		igt_assert_eq(vprime_dmabuf_census(&cs, "/nonexistent"), 0);
		igt_assert(!cs.debugfs);
		b = vprime_dmabuf_census_find(&cs, ino_of(dmabuf));
		igt_assert(b);
		igt_assert_eq_u64(b->size, 3 << 12);
		igt_assert(!b->cenalloc);
		vprime_dmabuf_census_free(&cs);

		vprime_unmap(&map);
		close(dmabuf);
		igt_assert_eq(vprime_bo_close(drm, bo.handle), 0);
	}

	igt_describe("/dev/cenalloc is opened once and kept, and again if its number is taken");
	igt_subtest("cenalloc-device-kept") {
		struct cenalloc_info_data ci;
		int dmabuf[8], i;

		for (i = 0; i < 8; i++)
			igt_assert_eq(vprime_cenalloc_alloc(4096, 0, &dmabuf[i]), 0);
		igt_assert_eq(cenalloc_fds(), 1);
		for (i = 0; i < 8; i++)
			close(dmabuf[i]);
		igt_assert_eq(cenalloc_fds(), 1);

		/* the program reuses the number: the library opens again */
		replace_cenalloc_fds();
		igt_assert_eq(cenalloc_fds(), 0);
		igt_assert_eq(vprime_cenalloc_alloc(4096, 0, &dmabuf[0]), 0);
		igt_assert_eq(vprime_cenalloc_info(dmabuf[0], &ci), 0);
		igt_assert_eq_u64(ci.size, 4096);
		igt_assert_eq(cenalloc_fds(), 1);
		close(dmabuf[0]);
	}

	igt_fixture {
		close(drm);
	}
}
