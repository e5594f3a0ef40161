// SPDX-License-Identifier: MIT
/*
 * vprime_fence: FENCE_ATTACH / FENCE_SIGNAL, sync_file and syncobj out
 * fences, and implicit sync through the one reservation object a buffer
 * has: a writer's fence holds readers back across vprime devices, vgem and
 * the dma-buf's own ioctls (DMA_BUF_IOCTL_SYNC, poll, EXPORT_SYNC_FILE).
 * Modelled on upstream IGT's prime_vgem fence subtests.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <xf86drm.h>

#include "igt.h"
#include "vprime_common.h"

#define SIZE 4096
#define CHAIN 4

/* vgem's fence uAPI (include/uapi/drm/vgem_drm.h), not shipped by libdrm */
struct local_vgem_fence_attach {
	uint32_t handle;
	uint32_t flags;
	uint32_t out_fence;
	uint32_t pad;
};

struct local_vgem_fence_signal {
	uint32_t fence;
	uint32_t flags;
};

#define LOCAL_VGEM_FENCE_WRITE 0x1
#define LOCAL_IOCTL_VGEM_FENCE_ATTACH \
	DRM_IOWR(DRM_COMMAND_BASE + 0x1, struct local_vgem_fence_attach)
#define LOCAL_IOCTL_VGEM_FENCE_SIGNAL \
	DRM_IOW(DRM_COMMAND_BASE + 0x2, struct local_vgem_fence_signal)

static int fd = -1;
static struct buf_census base;

static int __fence_attach(int dev, struct drm_vprime_fence_attach *a)
{
	return drmIoctl(dev, DRM_IOCTL_VPRIME_FENCE_ATTACH, a) ? -errno : 0;
}

static uint32_t fence_attach(int dev, uint32_t handle, uint32_t flags)
{
	struct drm_vprime_fence_attach a = { .handle = handle, .flags = flags };

	igt_assert_eq(__fence_attach(dev, &a), 0);
	return a.fence;
}

static int __fence_signal(int dev, uint32_t fence, int32_t error)
{
	struct drm_vprime_fence_signal s = { .fence = fence, .error = error };

	return drmIoctl(dev, DRM_IOCTL_VPRIME_FENCE_SIGNAL, &s) ? -errno : 0;
}

/* poll() revents of @f without waiting. */
static short ready(int f, short events)
{
	struct pollfd p = { .fd = f, .events = events };

	igt_assert(poll(&p, 1, 0) >= 0);
	return p.revents & events;
}

/* poll() revents of @f, waiting up to @ms: in-fences complete in a worker. */
static short ready_within(int f, short events, int ms)
{
	struct pollfd p = { .fd = f, .events = events };

	igt_assert(poll(&p, 1, ms) >= 0);
	return p.revents & events;
}

static int sync_file_status(int sf)
{
	struct sync_file_info info = { 0 };

	igt_assert_eq(ioctl(sf, SYNC_IOC_FILE_INFO, &info), 0);
	return info.status;
}

static void set_timeout_ms(long ms)
{
	FILE *f = fopen("/sys/module/vprime/parameters/fence_timeout_ms", "w");

	igt_assert(f);
	fprintf(f, "%ld\n", ms);
	igt_assert_eq(fclose(f), 0);
}

struct waiter {
	int dmabuf;
	bool done;	/* __atomic */
};

static void *cpu_read(void *arg)
{
	struct waiter *w = arg;

	dmabuf_sync(w->dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	dmabuf_sync(w->dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	__atomic_store_n(&w->done, true, __ATOMIC_RELEASE);
	return NULL;
}

struct submit_wait {
	int fd;
	uint32_t syncobj;
	int ret;
	bool done;	/* __atomic */
};

/* Wait for a syncobj that has no fence yet: WAIT_FOR_SUBMIT. */
static void *wait_for_submit(void *arg)
{
	struct submit_wait *w = arg;
	struct timespec now;
	int64_t deadline;

	clock_gettime(CLOCK_MONOTONIC, &now);
	deadline = (now.tv_sec + 20) * 1000000000LL + now.tv_nsec;
	w->ret = drmSyncobjWait(w->fd, &w->syncobj, 1, deadline,
				DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL);
	__atomic_store_n(&w->done, true, __ATOMIC_RELEASE);
	return NULL;
}

struct late_import {
	int vgem, dmabuf, ret;
	uint32_t handle;
	bool done;	/* __atomic */
};

/* A vgem import that needs the storage to move (policy: below 4 GiB). */
static void *import_late(void *arg)
{
	struct late_import *li = arg;

	li->ret = drmPrimeFDToHandle(li->vgem, li->dmabuf, &li->handle);
	__atomic_store_n(&li->done, true, __ATOMIC_RELEASE);
	return NULL;
}

static void set_cenalloc_wait_ms(long ms)
{
	FILE *f = fopen("/sys/module/cenalloc/parameters/fence_wait_ms", "w");

	igt_assert(f);
	fprintf(f, "%ld\n", ms);
	igt_assert_eq(fclose(f), 0);
}

igt_main
{
	igt_fixture {
		fd = vprime_open(VPRIME_NODE_PRIMARY, 0);
		base = buf_census(fd);
	}

	igt_describe("A write fence holds readers and writers; a read fence only writers");
	igt_subtest("attach-read-write-poll") {
		uint32_t h = vprime_gem_create(fd, SIZE, 0);
		int dmabuf = vp_prime_handle_to_fd(fd, h);
		uint32_t f;

		igt_assert_eq(ready(dmabuf, POLLIN | POLLOUT), POLLIN | POLLOUT);
		f = fence_attach(fd, h, VPRIME_FENCE_WRITE);
		igt_assert_eq(ready(dmabuf, POLLIN | POLLOUT), 0);
		igt_assert_eq(__fence_signal(fd, f, 0), 0);
		igt_assert_eq(ready(dmabuf, POLLIN | POLLOUT), POLLIN | POLLOUT);

		f = fence_attach(fd, h, 0);
		igt_assert_eq(ready(dmabuf, POLLIN | POLLOUT), POLLIN);
		igt_assert_eq(__fence_signal(fd, f, 0), 0);
		igt_assert_eq(ready(dmabuf, POLLOUT), POLLOUT);
		close(dmabuf);
		vp_gem_close(fd, h);
	}

	igt_describe("DMA_BUF_IOCTL_SYNC waits for the writer's fence");
	igt_subtest("cpu-access-waits") {
		uint32_t h = vprime_gem_create(fd, SIZE, 0);
		struct waiter w = { .dmabuf = vp_prime_handle_to_fd(fd, h) };
		pthread_t t;
		uint32_t f;

		f = fence_attach(fd, h, VPRIME_FENCE_WRITE);
		igt_assert_eq(pthread_create(&t, NULL, cpu_read, &w), 0);
		usleep(200 * 1000);
		igt_assert(!__atomic_load_n(&w.done, __ATOMIC_ACQUIRE));
		igt_assert_eq(__fence_signal(fd, f, 0), 0);
		pthread_join(t, NULL);
		igt_assert(w.done);
		close(w.dmabuf);
		vp_gem_close(fd, h);
	}

	igt_describe("A sync_file out-fence signals with the fence and carries its error");
	igt_subtest("sync-file-out") {
		struct drm_vprime_fence_attach a = {
			.handle = vprime_gem_create(fd, SIZE, 0),
			.flags = VPRIME_FENCE_SYNC_FILE,
		};

		igt_assert_eq(__fence_attach(fd, &a), 0);
		igt_assert(a.sync_file_fd >= 0);
		igt_assert(fcntl(a.sync_file_fd, F_GETFD) & FD_CLOEXEC);
		igt_assert_eq(sync_file_status(a.sync_file_fd), 0);
		igt_assert_eq(ready(a.sync_file_fd, POLLIN), 0);
		igt_assert_eq(__fence_signal(fd, a.fence, -EIO), 0);
		igt_assert_eq(ready(a.sync_file_fd, POLLIN), POLLIN);
		igt_assert_eq(sync_file_status(a.sync_file_fd), -EIO);
		close(a.sync_file_fd);
		/* Without the flag no fd is made. */
		a.flags = 0;
		igt_assert_eq(__fence_attach(fd, &a), 0);
		igt_assert_eq(a.sync_file_fd, -1);
		igt_assert_eq(__fence_signal(fd, a.fence, 0), 0);
		vp_gem_close(fd, a.handle);
	}

	igt_describe("An unsignalled fence expires with -ETIMEDOUT");
	igt_subtest("timeout") {
		struct drm_vprime_fence_attach a = {
			.handle = vprime_gem_create(fd, SIZE, 0),
			.flags = VPRIME_FENCE_SYNC_FILE | VPRIME_FENCE_WRITE,
		};
		struct pollfd p;
		uint64_t ms;

		set_timeout_ms(300);
		igt_assert_eq(__vprime_getparam(fd, VPRIME_PARAM_FENCE_TIMEOUT_MS,
						&ms), 0);
		igt_assert_eq_u64(ms, 300);
		igt_assert_eq(__fence_attach(fd, &a), 0);
		set_timeout_ms(10000);
		p.fd = a.sync_file_fd;
		p.events = POLLIN;
		igt_assert_eq(poll(&p, 1, 10000), 1);
		igt_assert_eq(sync_file_status(a.sync_file_fd), -ETIMEDOUT);
		igt_assert_eq(__fence_signal(fd, a.fence, 0), -ETIMEDOUT);
		igt_assert_eq(__fence_signal(fd, a.fence, 0), -ENOENT);
		close(a.sync_file_fd);
		vp_gem_close(fd, a.handle);
	}

	igt_describe("Close and munmap do not wait for a freed buffer's fences");
	igt_subtest("free-does-not-wait") {
		int how;

		/*
		 * A free that waited would outlast the fence's 2 s expiry
		 * (the wait allows 30 s): FENCE_SIGNAL would find it expired.
		 */
		set_cenalloc_wait_ms(30000);
		for (how = 0; how < 2; how++) {
			uint32_t h = vprime_gem_create(fd, SIZE, 0), f;
			uint8_t *p = vp_gem_mmap(fd, h, SIZE, PROT_READ | PROT_WRITE);

			p[0] = 1;	/* storage exists */
			set_timeout_ms(2000);
			f = fence_attach(fd, h, VPRIME_FENCE_WRITE);
			set_timeout_ms(10000);
			if (how == 0) {
				munmap(p, SIZE);
				vp_gem_close(fd, h);	/* the last reference */
			} else {
				vp_gem_close(fd, h);
				munmap(p, SIZE);	/* under mmap_lock */
			}
			igt_assert_eq(__fence_signal(fd, f, 0), 0);
		}
		set_cenalloc_wait_ms(10000);
	}

	igt_describe("A killed client's fences are signalled: nobody hangs");
	igt_subtest("killed-client-releases") {
		uint32_t h = vprime_gem_create(fd, SIZE, 0);
		int dmabuf = vp_prime_handle_to_fd(fd, h);
		int pipefd[2], status;
		struct pollfd p;
		pid_t pid;
		char c;

		igt_assert_eq(pipe(pipefd), 0);
		pid = fork();
		igt_assert(pid >= 0);
		if (pid == 0) {
			int own = vprime_open(VPRIME_NODE_RENDER, 0);
			uint32_t hc = vp_prime_fd_to_handle(own, dmabuf);

			fence_attach(own, hc, VPRIME_FENCE_WRITE);
			igt_assert_eq(write(pipefd[1], "x", 1), 1);
			pause();
			_exit(0);
		}
		igt_assert_eq(read(pipefd[0], &c, 1), 1);
		igt_assert_eq(ready(dmabuf, POLLIN), 0);
		kill(pid, SIGKILL);
		igt_assert_eq(waitpid(pid, &status, 0), pid);
		p.fd = dmabuf;
		p.events = POLLIN;
		igt_assert_eq(poll(&p, 1, 5000), 1);
		close(pipefd[0]);
		close(pipefd[1]);
		close(dmabuf);
		vp_gem_close(fd, h);
	}

	igt_describe("vprime A -> vprime B -> vgem: one set of fences for all");
	igt_subtest("implicit-across-devices") {
		int b = vprime_open(VPRIME_NODE_RENDER, 1);
		int vgem = drm_open_by_name("vgem", VPRIME_NODE_PRIMARY, 0);
		struct local_vgem_fence_attach va = { 0 };
		struct local_vgem_fence_signal vs = { 0 };
		struct dma_buf_export_sync_file ex = {
			.flags = DMA_BUF_SYNC_READ,
		};
		uint32_t ha, hb, hv, f;
		int dmabuf;

		if (vgem < 0)
			close(b);
		igt_require_f(vgem >= 0, "vgem not loaded\n");
		ha = vprime_gem_create(fd, SIZE, 0);
		dmabuf = vp_prime_handle_to_fd(fd, ha);
		hb = vp_prime_fd_to_handle(b, dmabuf);
		igt_assert_eq(drmPrimeFDToHandle(vgem, dmabuf, &hv), 0);

		/* B's write fence is A's and vgem's. */
		f = fence_attach(b, hb, VPRIME_FENCE_WRITE);
		igt_assert_eq(ready(dmabuf, POLLIN), 0);
		igt_assert_eq(ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &ex), 0);
		igt_assert_eq(ready(ex.fd, POLLIN), 0);
		igt_assert_eq(__fence_signal(b, f, 0), 0);
		igt_assert_eq(ready(ex.fd, POLLIN), POLLIN);
		igt_assert_eq(ready(dmabuf, POLLIN), POLLIN);
		close(ex.fd);

		/* vgem's fence is seen through vprime's dma-buf. */
		va.handle = hv;
		va.flags = LOCAL_VGEM_FENCE_WRITE;
		igt_assert_eq(drmIoctl(vgem, LOCAL_IOCTL_VGEM_FENCE_ATTACH, &va), 0);
		igt_assert_eq(ready(dmabuf, POLLIN), 0);
		vs.fence = va.out_fence;
		igt_assert_eq(drmIoctl(vgem, LOCAL_IOCTL_VGEM_FENCE_SIGNAL, &vs), 0);
		igt_assert_eq(ready(dmabuf, POLLIN), POLLIN);

		vp_gem_close(vgem, hv);
		close(vgem);
		vp_gem_close(b, hb);
		close(b);
		close(dmabuf);
		vp_gem_close(fd, ha);
	}

	igt_describe("A fence imported into the dma-buf stays with the buffer");
	igt_subtest("import-sync-file") {
		uint32_t h = vprime_gem_create(fd, SIZE, 0), h2;
		int dmabuf = vp_prime_handle_to_fd(fd, h);
		struct drm_vprime_fence_attach a = {
			.flags = VPRIME_FENCE_SYNC_FILE,
		};
		struct dma_buf_import_sync_file im = {
			.flags = DMA_BUF_SYNC_WRITE,
		};

		/* A fence made on another object... */
		h2 = vprime_gem_create(fd, SIZE, 0);
		a.handle = h2;
		igt_assert_eq(__fence_attach(fd, &a), 0);
		/* ...imported as a write into this one's dma-buf. */
		im.fd = a.sync_file_fd;
		igt_assert_eq(ioctl(dmabuf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &im), 0);
		igt_assert_eq(ready(dmabuf, POLLIN), 0);
		/* The last dma-buf fd goes; a new export has the same fences. */
		close(dmabuf);
		dmabuf = vp_prime_handle_to_fd(fd, h);
		igt_assert_eq(ready(dmabuf, POLLIN), 0);
		igt_assert_eq(__fence_signal(fd, a.fence, 0), 0);
		igt_assert_eq(ready(dmabuf, POLLIN), POLLIN);
		close(a.sync_file_fd);
		close(dmabuf);
		vp_gem_close(fd, h);
		vp_gem_close(fd, h2);
	}

	igt_describe("Out-fences into binary and timeline syncobjs");
	igt_subtest("syncobj-out") {
		uint32_t h = vprime_gem_create(fd, SIZE, 0), so, tl;
		struct drm_vprime_fence_attach a = {
			.handle = h, .flags = VPRIME_FENCE_SYNCOBJ,
		};
		uint64_t point = 5, got = 0;

		igt_assert_eq(drmSyncobjCreate(fd, 0, &so), 0);
		igt_assert_eq(drmSyncobjCreate(fd, 0, &tl), 0);
		a.syncobj = so;
		igt_assert_eq(__fence_attach(fd, &a), 0);
		igt_assert_eq(drmSyncobjWait(fd, &so, 1, 0, 0, NULL), -ETIME);
		igt_assert_eq(__fence_signal(fd, a.fence, 0), 0);
		igt_assert_eq(drmSyncobjWait(fd, &so, 1, 0, 0, NULL), 0);

		a.syncobj = tl;
		a.point = point;
		igt_assert_eq(__fence_attach(fd, &a), 0);
		igt_assert_eq(drmSyncobjTimelineWait(fd, &tl, &point, 1, 0, 0,
						     NULL), -ETIME);
		igt_assert_eq(__fence_signal(fd, a.fence, 0), 0);
		igt_assert_eq(drmSyncobjTimelineWait(fd, &tl, &point, 1, 0, 0,
						     NULL), 0);
		igt_assert_eq(drmSyncobjQuery(fd, &tl, &got, 1), 0);
		igt_assert_eq_u64(got, point);
		drmSyncobjDestroy(fd, so);
		drmSyncobjDestroy(fd, tl);
		vp_gem_close(fd, h);
	}

	/*
	 * Every vprime fence is its own dma_fence timeline, so a client may
	 * signal them in any order, as a device finishing jobs out of order
	 * would.  A timeline syncobj built from them must still only move
	 * forward: a point counts as reached once it and every point below
	 * it have signalled.
	 */
	igt_describe("Timeline points from vprime fences signalled out of order");
	igt_subtest("syncobj-timeline-unordered") {
		uint32_t h = vprime_gem_create(fd, SIZE, 0), tl;
		struct drm_vprime_fence_attach a = {
			.handle = h, .flags = VPRIME_FENCE_SYNCOBJ,
		};
		uint32_t f[3];
		uint64_t p, got;
		int i;

		igt_assert_eq(drmSyncobjCreate(fd, 0, &tl), 0);
		a.syncobj = tl;
		for (i = 0; i < 3; i++) {
			a.point = i + 1;
			igt_assert_eq(__fence_attach(fd, &a), 0);
			f[i] = a.fence;
		}

		/* Point 2 done, point 1 not: the timeline stays at 0. */
		igt_assert_eq(__fence_signal(fd, f[1], 0), 0);
		igt_assert_eq(drmSyncobjQuery(fd, &tl, &got, 1), 0);
		igt_assert_eq_u64(got, 0);
		p = 2;
		igt_assert_eq(drmSyncobjTimelineWait(fd, &tl, &p, 1, 0, 0,
						     NULL), -ETIME);

		/* Point 1 done: 1 and 2 are reached together, 3 is not. */
		igt_assert_eq(__fence_signal(fd, f[0], 0), 0);
		igt_assert_eq(drmSyncobjQuery(fd, &tl, &got, 1), 0);
		igt_assert_eq_u64(got, 2);
		igt_assert_eq(drmSyncobjTimelineWait(fd, &tl, &p, 1, 0, 0,
						     NULL), 0);
		p = 3;
		igt_assert_eq(drmSyncobjTimelineWait(fd, &tl, &p, 1, 0, 0,
						     NULL), -ETIME);

		igt_assert_eq(__fence_signal(fd, f[2], 0), 0);
		igt_assert_eq(drmSyncobjQuery(fd, &tl, &got, 1), 0);
		igt_assert_eq_u64(got, 3);
		drmSyncobjDestroy(fd, tl);
		vp_gem_close(fd, h);
	}

	igt_describe("Moving storage for a late importer waits for the writer's fence");
	igt_subtest("migration-waits-for-fence") {
		int vgem = drm_open_by_name("vgem", VPRIME_NODE_PRIMARY, 0);
		const size_t size = 64 * 1024;
		struct late_import li = { .vgem = vgem };
		struct drm_vprime_gem_info info;
		uint32_t h, f;
		pthread_t t;
		void *p;

		igt_require_f(vgem >= 0, "vgem not loaded\n");
		h = vprime_gem_create(fd, size, 0);
		p = vp_gem_mmap(fd, h, size, PROT_READ | PROT_WRITE);
		pattern_fill(p, size, 0xfe);
		/* The system allocator takes from above 4 GiB first. */
		info = vprime_gem_info(fd, h);
		if (info.state & VPRIME_GEM_STATE_BELOW_4G) {
			munmap(p, size);
			vp_gem_close(fd, h);
			close(vgem);
			igt_skip("storage happens to be below 4 GiB already\n");
		}
		li.dmabuf = vp_prime_handle_to_fd(fd, h);
		cenalloc_policy("vgem:limit=0xffffffff");

		/* With a short wait, the fence makes the move fail. */
		f = fence_attach(fd, h, VPRIME_FENCE_WRITE);
		set_cenalloc_wait_ms(100);
		import_late(&li);
		set_cenalloc_wait_ms(10000);
		igt_assert_eq(li.ret, -1);
		igt_assert_eq(vprime_gem_info(fd, h).migrations, 0);

		/* With the default, it waits for the signal, then moves. */
		li.done = false;
		igt_assert_eq(pthread_create(&t, NULL, import_late, &li), 0);
		usleep(300 * 1000);
		igt_assert(!__atomic_load_n(&li.done, __ATOMIC_ACQUIRE));
		igt_assert_eq(vprime_gem_info(fd, h).migrations, 0);
		igt_assert_eq(__fence_signal(fd, f, 0), 0);
		pthread_join(t, NULL);
		cenalloc_policy("vgem:");
		igt_assert_eq(li.ret, 0);
		info = vprime_gem_info(fd, h);
		igt_assert_eq_u32(info.migrations, 1);
		igt_assert(info.state & VPRIME_GEM_STATE_BELOW_4G);
		igt_assert(pattern_check(p, size, 0xfe));
		munmap(p, size);
		vp_gem_close(vgem, li.handle);
		close(vgem);
		close(li.dmabuf);
		vp_gem_close(fd, h);
	}

	igt_describe("A syncobj in-fence holds FENCE_SIGNAL back until it signals");
	igt_subtest("in-fence-syncobj") {
		uint32_t h = vprime_gem_create(fd, SIZE, 0), so, tl;
		struct drm_vprime_fence_attach a = {
			.handle = h, .flags = VPRIME_FENCE_SYNCOBJ,
		};
		struct drm_vprime_fence_attach b = {
			.handle = h,
			.flags = VPRIME_FENCE_IN_SYNCOBJ | VPRIME_FENCE_SYNC_FILE,
		};

		igt_assert_eq(drmSyncobjCreate(fd, 0, &so), 0);
		igt_assert_eq(drmSyncobjCreate(fd, 0, &tl), 0);
		/* No fence in the syncobj yet: nothing to wait for. */
		b.in_syncobj = so;
		igt_assert_eq(__fence_attach(fd, &b), -EINVAL);
		b.in_syncobj = 0xdead;
		igt_assert_eq(__fence_attach(fd, &b), -ENOENT);

		a.syncobj = so;
		igt_assert_eq(__fence_attach(fd, &a), 0);
		b.in_syncobj = so;
		igt_assert_eq(__fence_attach(fd, &b), 0);
		/* B's signal waits for A, and takes over A's error. */
		igt_assert_eq(__fence_signal(fd, b.fence, 0), 0);
		igt_assert_eq(ready(b.sync_file_fd, POLLIN), 0);
		igt_assert_eq(__fence_signal(fd, a.fence, -EIO), 0);
		igt_assert_eq(ready_within(b.sync_file_fd, POLLIN, 5000), POLLIN);
		igt_assert_eq(sync_file_status(b.sync_file_fd), -EIO);
		close(b.sync_file_fd);

		/* A timeline point; A signals first this time. */
		a.syncobj = tl;
		a.point = 3;
		igt_assert_eq(__fence_attach(fd, &a), 0);
		b.in_syncobj = tl;
		b.in_point = 3;
		igt_assert_eq(__fence_attach(fd, &b), 0);
		igt_assert_eq(ready(b.sync_file_fd, POLLIN), 0);
		igt_assert_eq(__fence_signal(fd, a.fence, 0), 0);
		igt_assert_eq(ready(b.sync_file_fd, POLLIN), 0);
		igt_assert_eq(__fence_signal(fd, b.fence, 0), 0);
		igt_assert_eq(ready_within(b.sync_file_fd, POLLIN, 5000), POLLIN);
		igt_assert_eq(sync_file_status(b.sync_file_fd), 1);
		close(b.sync_file_fd);

		/* Closing the file completes waiting fences all the same. */
		drmSyncobjDestroy(fd, so);
		drmSyncobjDestroy(fd, tl);
		vp_gem_close(fd, h);
	}

	igt_describe("A chain of in-fences (each the next one's) completes in order from its head");
	igt_subtest("in-fence-chain") {
		uint32_t h = vprime_gem_create(fd, SIZE, 0), so[CHAIN];
		struct drm_vprime_fence_attach a[CHAIN];
		int i;

		for (i = 0; i < CHAIN; i++) {
			igt_assert_eq(drmSyncobjCreate(fd, 0, &so[i]), 0);
			a[i] = (struct drm_vprime_fence_attach) {
				.handle = h, .syncobj = so[i],
				.flags = VPRIME_FENCE_SYNCOBJ | VPRIME_FENCE_SYNC_FILE,
			};
			if (i) {
				a[i].flags |= VPRIME_FENCE_IN_SYNCOBJ;
				a[i].in_syncobj = so[i - 1];
			}
			igt_assert_eq(__fence_attach(fd, &a[i]), 0);
		}
		/* Tail first: each request waits for the fence before it. */
		for (i = CHAIN - 1; i > 0; i--)
			igt_assert_eq(__fence_signal(fd, a[i].fence, 0), 0);
		for (i = 0; i < CHAIN; i++)
			igt_assert_eq(ready(a[i].sync_file_fd, POLLIN), 0);
		igt_assert_eq(__fence_signal(fd, a[0].fence, -EPIPE), 0);
		for (i = 0; i < CHAIN; i++) {
			igt_assert_eq(ready_within(a[i].sync_file_fd, POLLIN,
						   5000), POLLIN);
			/* The head's error travels down the chain. */
			igt_assert_eq(sync_file_status(a[i].sync_file_fd),
				      -EPIPE);
			close(a[i].sync_file_fd);
			drmSyncobjDestroy(fd, so[i]);
		}
		vp_gem_close(fd, h);
	}

	igt_describe("A WAIT_FOR_SUBMIT wait on an empty syncobj ends with FENCE_ATTACH + SIGNAL");
	igt_subtest("syncobj-wait-for-submit") {
		uint32_t h = vprime_gem_create(fd, SIZE, 0);
		struct submit_wait w = { .fd = fd };
		struct drm_vprime_fence_attach a = {
			.handle = h, .flags = VPRIME_FENCE_SYNCOBJ,
		};
		pthread_t t;

		igt_assert_eq(drmSyncobjCreate(fd, 0, &w.syncobj), 0);
		igt_assert_eq(pthread_create(&t, NULL, wait_for_submit, &w), 0);
		usleep(200 * 1000);
		igt_assert(!__atomic_load_n(&w.done, __ATOMIC_ACQUIRE));
		a.syncobj = w.syncobj;
		igt_assert_eq(__fence_attach(fd, &a), 0);
		usleep(100 * 1000);
		igt_assert(!__atomic_load_n(&w.done, __ATOMIC_ACQUIRE));
		igt_assert_eq(__fence_signal(fd, a.fence, 0), 0);
		pthread_join(t, NULL);
		igt_assert_eq(w.ret, 0);
		drmSyncobjDestroy(fd, w.syncobj);
		vp_gem_close(fd, h);
	}

	igt_describe("Every bad FENCE_ATTACH / FENCE_SIGNAL argument, with its errno");
	igt_subtest("bad-input") {
		uint32_t h = vprime_gem_create(fd, SIZE, 0);
		struct drm_vprime_fence_attach a = { .handle = h };
		uint64_t flags;
		uint32_t f;

		igt_assert_eq(__vprime_getparam(fd, VPRIME_PARAM_FENCE_FLAGS, &flags), 0);
		igt_assert_eq_u64(flags, VPRIME_FENCE_FLAGS);
		a.flags = 1u << 31;
		igt_assert_eq(__fence_attach(fd, &a), -EINVAL);
		a.flags = 0;
		a.pad = 1;
		igt_assert_eq(__fence_attach(fd, &a), -EINVAL);
		a.pad = 0;
		a.syncobj = 1;
		igt_assert_eq(__fence_attach(fd, &a), -EINVAL);
		a.syncobj = 0;
		a.point = 1;
		igt_assert_eq(__fence_attach(fd, &a), -EINVAL);
		a.point = 0;
		a.in_syncobj = 1;
		igt_assert_eq(__fence_attach(fd, &a), -EINVAL);
		a.in_syncobj = 0;
		a.in_point = 1;
		igt_assert_eq(__fence_attach(fd, &a), -EINVAL);
		a.in_point = 0;
		a.pad2 = 1;
		igt_assert_eq(__fence_attach(fd, &a), -EINVAL);
		a.pad2 = 0;
		a.flags = VPRIME_FENCE_SYNCOBJ;
		a.syncobj = 0xdead;
		igt_assert_eq(__fence_attach(fd, &a), -ENOENT);
		a.flags = 0;
		a.syncobj = 0;
		a.handle = h + 100;
		igt_assert_eq(__fence_attach(fd, &a), -ENOENT);

		f = fence_attach(fd, h, 0);
		igt_assert_eq(__fence_signal(fd, f, 1), -EINVAL);
		igt_assert_eq(__fence_signal(fd, f, -5000), -EINVAL);
		igt_assert_eq(__fence_signal(fd, f + 1000, 0), -ENOENT);
		igt_assert_eq(__fence_signal(fd, f, 0), 0);
		igt_assert_eq(__fence_signal(fd, f, 0), -ENOENT);
		vp_gem_close(fd, h);
	}

	igt_fixture {
		assert_census_eq(fd, &base);
		close(fd);
	}
}
