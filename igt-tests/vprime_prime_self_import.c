// SPDX-License-Identifier: MIT
/*
 * vprime_prime_self_import: PRIME identity and reference counting on vprime.
 * Exporting and importing on the same device gives back the same object;
 * nothing leaks however handles and fds are closed; bad fds and handles
 * get the right errno.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/dma-buf.h>
#include <xf86drm.h>

#include "igt.h"
#include "vprime_common.h"

static int fd = -1;
static int base_objects, base_bufs;

static ino_t fd_ino(int f)
{
	struct stat st;

	igt_assert_eq(fstat(f, &st), 0);
	return st.st_ino;
}

static int to_handle_err(int f)
{
	uint32_t h;

	return drmPrimeFDToHandle(fd, f, &h) ? -errno : 0;
}

/*
 * reimport-vs-close-race: a second file imports each dma-buf the main
 * thread publishes, while the main thread closes the exported object's
 * only handle; @dmabuf is -1 when there is nothing to import.
 */
struct reimport {
	int fd2;
	int dmabuf;
	int err;
	bool stop;
};

static void *reimport_thread(void *arg)
{
	struct reimport *r = arg;
	struct drm_gem_close c = { 0 };
	int d;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		d = __atomic_load_n(&r->dmabuf, __ATOMIC_ACQUIRE);
		if (d < 0) {
			sched_yield();
			continue;
		}
		if (drmPrimeFDToHandle(r->fd2, d, &c.handle))
			r->err = errno;
		else if (ioctl(r->fd2, DRM_IOCTL_GEM_CLOSE, &c))
			r->err = errno;
		__atomic_store_n(&r->dmabuf, -1, __ATOMIC_RELEASE);
	}
	return NULL;
}

igt_main
{
	igt_fixture {
		fd = vprime_open(VPRIME_NODE_PRIMARY, 0);
		base_objects = vprime_debugfs_objects(fd);
		base_bufs = bufinfo_count("vprime");
	}

	igt_describe("fd-to-handle of an fd exported from a handle gives that handle");
	igt_subtest("export-import-same-handle") {
		uint32_t h = vprime_gem_create(fd, 65536, 0);
		int dmabuf = vp_prime_handle_to_fd(fd, h);

		igt_assert_eq_u32(vp_prime_fd_to_handle(fd, dmabuf), h);
		igt_assert(vprime_gem_info(fd, h).state & VPRIME_GEM_STATE_EXPORTED);
		close(dmabuf);
		vp_gem_close(fd, h);
	}

	igt_describe("Exporting twice gives the same dma-buf, importing twice the same handle");
	igt_subtest("twice-same") {
		uint32_t h = vprime_gem_create(fd, 65536, 0);
		int a = vp_prime_handle_to_fd(fd, h), b = vp_prime_handle_to_fd(fd, h);

		igt_assert(fd_ino(a) == fd_ino(b));
		igt_assert_eq(bufinfo_count("vprime"), base_bufs + 1);
		igt_assert_eq_u32(vp_prime_fd_to_handle(fd, a), h);
		igt_assert_eq_u32(vp_prime_fd_to_handle(fd, b), h);
		close(a);
		close(b);
		vp_gem_close(fd, h);
	}

	igt_describe("Another file of the device importing the fd gets the same object");
	igt_subtest("other-file-same-object") {
		int fd2 = vprime_open(VPRIME_NODE_RENDER, 0);
		uint32_t h = vprime_gem_create(fd, 65536, 0), h2;
		int dmabuf = vp_prime_handle_to_fd(fd, h);
		uint32_t *p, *p2;
		int fd3 = vprime_open(VPRIME_NODE_PRIMARY, 0);

		h2 = vp_prime_fd_to_handle(fd2, dmabuf);
		igt_assert_eq(vprime_debugfs_objects(fd), base_objects + 1);
		igt_assert(!(vprime_gem_info(fd2, h2).state & VPRIME_GEM_STATE_IMPORTED));
		/* the same pages, seen through both files */
		h2 = vp_prime_fd_to_handle(fd3, dmabuf);
		p = vp_gem_mmap(fd, h, 65536, PROT_READ | PROT_WRITE);
		p2 = vp_gem_mmap(fd3, h2, 65536, PROT_READ);
		pattern_fill(p, 65536, 7);
		igt_assert(pattern_check(p2, 65536, 7));
		munmap(p, 65536);
		munmap(p2, 65536);
		close(fd3);
		close(fd2);
		close(dmabuf);
		vp_gem_close(fd, h);
		igt_assert_eq(vprime_debugfs_objects(fd), base_objects);
	}

	igt_describe("The dma-buf outlives the handle; re-importing it keeps the contents");
	igt_subtest("fd-outlives-handle") {
		uint32_t h = vprime_gem_create(fd, 65536, 0);
		uint32_t *p = vp_gem_mmap(fd, h, 65536, PROT_READ | PROT_WRITE);
		int dmabuf;

		pattern_fill(p, 65536, 99);
		munmap(p, 65536);
		dmabuf = vp_prime_handle_to_fd(fd, h);
		vp_gem_close(fd, h);
		igt_assert_eq(vprime_debugfs_objects(fd), base_objects);
		igt_assert_eq(bufinfo_count("vprime"), base_bufs + 1);
		h = vp_prime_fd_to_handle(fd, dmabuf);
		p = vp_gem_mmap(fd, h, 65536, PROT_READ);
		igt_assert(pattern_check(p, 65536, 99));
		munmap(p, 65536);
		vp_gem_close(fd, h);
		close(dmabuf);
		igt_assert_eq(bufinfo_count("vprime"), base_bufs);
	}

	igt_describe("Another file imports the dma-buf while its object's last handle closes");
	igt_subtest("reimport-vs-close-race") {
		struct reimport r = { .dmabuf = -1 };
		pthread_t t;
		uint32_t h;
		int i, d;

		r.fd2 = vprime_open(VPRIME_NODE_RENDER, 0);
		igt_assert_eq(pthread_create(&t, NULL, reimport_thread, &r), 0);
		for (i = 0; i < 1000; i++) {
			h = vprime_gem_create(fd, 4096, 0);
			d = vp_prime_handle_to_fd(fd, h);
			__atomic_store_n(&r.dmabuf, d, __ATOMIC_RELEASE);
			/* The import finds the object alive, or a bare buffer. */
			vp_gem_close(fd, h);
			while (__atomic_load_n(&r.dmabuf, __ATOMIC_ACQUIRE) >= 0)
				sched_yield();
			close(d);
		}
		__atomic_store_n(&r.stop, true, __ATOMIC_RELEASE);
		pthread_join(t, NULL);
		close(r.fd2);
		igt_assert_eq(r.err, 0);
		igt_assert_eq(vprime_debugfs_objects(fd), base_objects);
		igt_assert_eq(bufinfo_count("vprime"), base_bufs);
	}

	igt_describe("Closing in either order frees object and dma-buf");
	igt_subtest("close-any-order") {
		int i;

		for (i = 0; i < 2; i++) {
			uint32_t h = vprime_gem_create(fd, 4096, 0);
			int dmabuf = vp_prime_handle_to_fd(fd, h);

			if (i) {
				close(dmabuf);
				vp_gem_close(fd, h);
			} else {
				vp_gem_close(fd, h);
				close(dmabuf);
			}
			igt_assert_eq(vprime_debugfs_objects(fd), base_objects);
			igt_assert_eq(bufinfo_count("vprime"), base_bufs);
		}
	}

	igt_describe("Many exports and imports in a loop leak nothing");
	igt_subtest("loop-no-leak") {
		int i;

		for (i = 0; i < 2000; i++) {
			uint32_t h = vprime_gem_create(fd, 4096, 0);
			int dmabuf = vp_prime_handle_to_fd(fd, h);

			igt_assert_eq_u32(vp_prime_fd_to_handle(fd, dmabuf), h);
			close(dmabuf);
			vp_gem_close(fd, h);
		}
		igt_assert_eq(vprime_debugfs_objects(fd), base_objects);
		igt_assert_eq(bufinfo_count("vprime"), base_bufs);
	}

	igt_describe("The exported dma-buf names vprime as exporter and takes a name");
	igt_subtest("exporter-and-name") {
		uint32_t h = vprime_gem_create(fd, 4096, 0);
		int dmabuf = vp_prime_handle_to_fd(fd, h);
		char path[64], line[256], name[] = "scanout-0";
		bool found = false;
		FILE *f;

		igt_assert_eq(bufinfo_count("vprime"), base_bufs + 1);
		igt_assert_eq(igt_ioctl(dmabuf, DMA_BUF_SET_NAME_B, name), 0);
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", dmabuf);
		f = fopen(path, "r");
		igt_assert(f);
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "exp_name:", 9))
				igt_assert(strstr(line, "vprime"));
			if (!strncmp(line, "name:", 5) && strstr(line, "scanout-0"))
				found = true;
		}
		fclose(f);
		igt_assert(found);
		close(dmabuf);
		vp_gem_close(fd, h);
	}

	igt_describe("DRM_CLOEXEC gives a close-on-exec fd, DRM_RDWR a writable one");
	igt_subtest("export-flags") {
		uint32_t h = vprime_gem_create(fd, 4096, 0);
		int dmabuf = vp_prime_handle_to_fd(fd, h);
		void *p;

		igt_assert(fcntl(dmabuf, F_GETFD) & FD_CLOEXEC);
		igt_assert_eq(fcntl(dmabuf, F_GETFL) & O_ACCMODE, O_RDWR);
		p = dmabuf_mmap(dmabuf, 4096, PROT_READ | PROT_WRITE);
		munmap(p, 4096);
		close(dmabuf);
		vp_gem_close(fd, h);
	}

	/* Bad input */
	igt_subtest("handle-to-fd-bad-handle") {
		int dmabuf;

		igt_assert_eq(drmPrimeHandleToFD(fd, 0xdeadbeef, DRM_CLOEXEC, &dmabuf), -1);
		igt_assert_eq(errno, ENOENT);
	}

	igt_subtest("handle-to-fd-stale-handle") {
		uint32_t h = vprime_gem_create(fd, 4096, 0);
		int dmabuf;

		vp_gem_close(fd, h);
		igt_assert_eq(drmPrimeHandleToFD(fd, h, DRM_CLOEXEC, &dmabuf), -1);
		igt_assert_eq(errno, ENOENT);
	}

	igt_subtest("handle-to-fd-bad-flags") {
		struct drm_prime_handle arg = {
			.handle = vprime_gem_create(fd, 4096, 0), .flags = 1u << 30,
		};

		igt_assert_eq(igt_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &arg), -1);
		igt_assert_eq(errno, EINVAL);
		vp_gem_close(fd, arg.handle);
	}

	igt_subtest("fd-to-handle-pipe") {
		int p[2];

		igt_assert_eq(pipe(p), 0);
		igt_assert_eq(to_handle_err(p[0]), -EINVAL);
		close(p[0]);
		close(p[1]);
	}

	igt_subtest("fd-to-handle-regular-file") {
		int f = open("/proc/self/status", O_RDONLY);

		igt_assert(f >= 0);
		igt_assert_eq(to_handle_err(f), -EINVAL);
		close(f);
	}

	igt_subtest("fd-to-handle-memfd") {
		int f = syscall(SYS_memfd_create, "not-a-dmabuf", 0);

		igt_assert(f >= 0);
		igt_assert_eq(ftruncate(f, 4096), 0);
		igt_assert_eq(to_handle_err(f), -EINVAL);
		close(f);
	}

	igt_subtest("fd-to-handle-closed-fd") {
		int f = open("/dev/null", O_RDONLY);

		close(f);
		igt_assert_eq(to_handle_err(f), -EBADF);
		igt_assert_eq(to_handle_err(-1), -EBADF);
	}

	igt_subtest("fd-to-handle-drm-fd") {
		/* A DRM file is not a dma-buf either. */
		igt_assert_eq(to_handle_err(fd), -EINVAL);
	}

	igt_fixture {
		igt_assert_eq(vprime_debugfs_objects(fd), base_objects);
		igt_assert_eq(bufinfo_count("vprime"), base_bufs);
		close(fd);
	}
}
