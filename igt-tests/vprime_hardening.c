// SPDX-License-Identifier: MIT
/*
 * vprime_hardening: regressions for the defects found under KASAN, the
 * DMA-API checker and by review.  Each subtest names the defect it guards
 * against; several of them only show the defect on the debug kernel (a
 * KASAN or DMA-API report, which `make check` treats as a failure), and
 * behave the same on the stock one.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/capability.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <xf86drm.h>

#include "igt.h"
#include "vprime_common.h"

#define PAGE 4096
/* /proc/kpageflags: PG_arch_1, which x86 PAT sets for write-combined RAM */
#define KPF_ARCH 38

static int fd = -1;
static int cfd = -1;
static struct buf_census base;

static int cenalloc_raw(unsigned long req, void *arg)
{
	return ioctl(cfd, req, arg) ? -errno : 0;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	igt_assert(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* A dma-buf from an exporter whose mmap installs no vm_ops, or -1. */
static int udmabuf_create(size_t size)
{
	struct udmabuf_create c = { .size = size };
	int dev, memfd, dmabuf;

	dev = open("/dev/udmabuf", O_RDWR);
	if (dev < 0)
		return -1;
	memfd = memfd_create("vprime-test", MFD_ALLOW_SEALING);
	igt_assert(memfd >= 0);
	igt_assert_eq(ftruncate(memfd, size), 0);
	igt_assert_eq(fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	c.memfd = memfd;
	c.flags = UDMABUF_FLAGS_CLOEXEC;
	dmabuf = ioctl(dev, UDMABUF_CREATE, &c);
	close(memfd);
	close(dev);
	return dmabuf;
}

static int heap_create(size_t size)
{
	struct dma_heap_allocation_data a = {
		.len = size, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	int heap = open("/dev/dma_heap/system", O_RDONLY);
	int ret;

	if (heap < 0)
		return -1;
	ret = ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &a);
	close(heap);
	return ret ? -1 : (int)a.fd;
}

/*
 * MAP_DUMB + mmap of an import whose exporter sets no vm_ops, munmap,
 * then the handle must still name a live object (it was freed under the
 * handle: KASAN use-after-free), and the mapping must not grow.
 */
static void check_import_mmap(int dmabuf, size_t size)
{
	struct drm_vprime_gem_info info;
	uint8_t *p, *q;
	uint64_t off;
	uint32_t h;

	h = vp_prime_fd_to_handle(fd, dmabuf);
	igt_assert_eq(__dumb_map(fd, h, &off), 0);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	igt_assert(p != MAP_FAILED);
	pattern_fill(p, size, 0x5eed);
	igt_assert(pattern_check(p, size, 0x5eed));
	q = mremap(p, size, 2 * size, 0);
	igt_assert(q == MAP_FAILED);
	igt_assert_eq(errno, EFAULT);
	igt_assert_eq(munmap(p, size), 0);
	igt_assert_eq(__vprime_gem_info(fd, h, &info), 0);
	igt_assert(info.state & VPRIME_GEM_STATE_IMPORTED);
	igt_assert_eq_u64(info.size, size);
	/* The exporter's own mapping still has what the import wrote. */
	p = dmabuf_mmap(dmabuf, size, PROT_READ);
	igt_assert(pattern_check(p, size, 0x5eed));
	munmap(p, size);
	vp_gem_close(fd, h);
	close(dmabuf);
}

struct race {
	int fd;
	bool stop;	/* __atomic */
};

/* Close every small handle, as fast as possible, in a loop. */
static void *close_handles(void *arg)
{
	struct race *r = arg;
	struct drm_gem_close c = { 0 };

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		c.handle = (c.handle % 16) + 1;
		ioctl(r->fd, DRM_IOCTL_GEM_CLOSE, &c);
	}
	return NULL;
}

/* Export and drop dma-bufs while debugfs is read. */
static void *export_and_close(void *arg)
{
	struct race *r = arg;
	uint32_t h = vprime_gem_create(r->fd, PAGE, 0);

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE))
		close(vp_prime_handle_to_fd(r->fd, h));
	vp_gem_close(r->fd, h);
	return NULL;
}

static void read_file(const char *path)
{
	char buf[4096];
	int f = open(path, O_RDONLY);

	if (f < 0)
		return;
	while (read(f, buf, sizeof(buf)) > 0)
		;
	close(f);
}

static uint64_t page_flags(uint64_t pfn)
{
	int f = open("/proc/kpageflags", O_RDONLY);
	uint64_t flags = 0;

	igt_assert(f >= 0);
	igt_assert_eq(pread(f, &flags, sizeof(flags), pfn * 8), 8);
	close(f);
	return flags;
}

static void drop_cap_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	igt_assert_eq(syscall(SYS_capget, &hdr, data), 0);
	data[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
	data[CAP_SYS_ADMIN / 32].permitted &= ~(1u << (CAP_SYS_ADMIN % 32));
	igt_assert_eq(syscall(SYS_capset, &hdr, data), 0);
}

static void set_param(const char *module, const char *param, long value)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", module,
		 param);
	f = fopen(path, "w");
	igt_assert(f);
	fprintf(f, "%ld\n", value);
	igt_assert_eq(fclose(f), 0);
}

static uint64_t mem_total(void)
{
	unsigned long long kib = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	igt_assert(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %llu kB", &kib) == 1)
			break;
	fclose(f);
	return kib << 10;
}

igt_main
{
	igt_fixture {
		fd = vprime_open(VPRIME_NODE_PRIMARY, 0);
		cfd = cenalloc_open();
		base = buf_census(fd);
	}

	igt_describe("GEM_CREATE and dumb create racing GEM_CLOSE of the new handle");
	igt_subtest("create-close-race") {
		static uint32_t made[2000];
		struct race r = { .fd = fd };
		pthread_t t;
		int i;

		igt_assert_eq(pthread_create(&t, NULL, close_handles, &r), 0);
		for (i = 0; i < 2000; i++) {
			made[i] = 0;
			if (i & 1)
				__vprime_gem_create(fd, PAGE, 0, &made[i]);
			else
				made[i] = dumb_create(fd, 16, 16, 32, NULL, NULL);
		}
		__atomic_store_n(&r.stop, true, __ATOMIC_RELEASE);
		pthread_join(t, NULL);
		/* Whatever the racing thread did not close (errors ignored). */
		for (i = 0; i < 2000; i++) {
			struct drm_gem_close c = { .handle = made[i] };

			if (made[i])
				ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
		}
		igt_assert_eq(vprime_debugfs_objects(fd), base.objects);
	}

	igt_describe("GEM mmap reads the right pages after the vma is split");
	igt_subtest("gem-mmap-after-split") {
		uint32_t h = vprime_gem_create(fd, 4 * PAGE, 0);
		int dmabuf = vp_prime_handle_to_fd(fd, h);
		uint8_t *d = dmabuf_mmap(dmabuf, 4 * PAGE, PROT_READ | PROT_WRITE);
		uint8_t *g;
		int i;

		for (i = 0; i < 4; i++)
			memset(d + i * PAGE, 0x10 + i, PAGE);
		/* Split before the first touch, so every page faults after. */
		g = vp_gem_mmap(fd, h, 4 * PAGE, PROT_READ | PROT_WRITE);
		igt_assert_eq(mprotect(g + 2 * PAGE, PAGE, PROT_READ), 0);
		igt_assert_eq(munmap(g, PAGE), 0);
		for (i = 1; i < 4; i++)
			igt_assert_eq(peek(g + i * PAGE + 7), 0x10 + i);
		/* And a write through a split piece lands in its own page. */
		g[3 * PAGE] = 0x77;
		igt_assert_eq(d[3 * PAGE], 0x77);
		igt_assert_eq(d[0], 0x10);
		munmap(g + PAGE, 3 * PAGE);
		munmap(d, 4 * PAGE);
		close(dmabuf);
		vp_gem_close(fd, h);
	}

	igt_describe("dma-buf mmap reads the right pages after the vma is split");
	igt_subtest("dmabuf-mmap-after-split") {
		int dmabuf;
		uint8_t *d, *w;
		int i;

		igt_assert_eq(__cenalloc_alloc(cfd, 4 * PAGE, 0, &dmabuf), 0);
		w = dmabuf_mmap(dmabuf, 4 * PAGE, PROT_READ | PROT_WRITE);
		d = dmabuf_mmap(dmabuf, 4 * PAGE, PROT_READ | PROT_WRITE);
		igt_assert_eq(mprotect(d + PAGE, PAGE, PROT_READ), 0);
		igt_assert_eq(munmap(d, PAGE), 0);
		for (i = 0; i < 4; i++)
			memset(w + i * PAGE, 0x20 + i, PAGE);
		for (i = 1; i < 4; i++)
			igt_assert_eq(peek(d + i * PAGE + 9), 0x20 + i);
		munmap(d + PAGE, 3 * PAGE);
		munmap(w, 4 * PAGE);
		close(dmabuf);
	}

	igt_describe("MAP_DUMB + mmap of a udmabuf import, munmap, handle still alive");
	igt_subtest("import-mmap-udmabuf") {
		int dmabuf = udmabuf_create(4 * PAGE);

		igt_require_f(dmabuf >= 0, "no udmabuf\n");
		check_import_mmap(dmabuf, 4 * PAGE);
	}

	igt_describe("MAP_DUMB + mmap of a system dma-heap import, munmap, handle alive");
	igt_subtest("import-mmap-dma-heap") {
		int dmabuf = heap_create(4 * PAGE);

		igt_require_f(dmabuf >= 0, "no system dma-heap\n");
		check_import_mmap(dmabuf, 4 * PAGE);
	}

	igt_describe("A request no allocator could ever serve fails at create, not at vmap");
	igt_subtest("unsatisfiable-at-create") {
		uint64_t too_big = cenalloc_reserve_bytes() + (8u << 20);
		uint32_t h = 0;
		int dmabuf = -1;

		igt_assert_eq(__cenalloc_alloc(cfd, too_big, CENALLOC_FLAG_CONTIGUOUS,
					       &dmabuf), -ENOMEM);
		igt_assert_eq(dmabuf, -1);
		igt_assert_eq(__vprime_gem_create(fd, too_big,
						  VPRIME_GEM_CREATE_CONTIGUOUS, &h),
			      -ENOMEM);
		/* The same size without the contiguity is fine. */
		igt_assert_eq(__cenalloc_alloc(cfd, too_big, 0, &dmabuf), 0);
		close(dmabuf);
	}

	igt_describe("A device whose constraints no allocator could serve cannot attach");
	igt_subtest("unsatisfiable-at-attach") {
		uint64_t too_big = cenalloc_reserve_bytes() + (8u << 20);
		int vgem = drm_open_by_name("vgem", VPRIME_NODE_PRIMARY, 0);
		int dmabuf, ret, err;
		uint32_t hv;

		igt_require_f(vgem >= 0, "vgem not loaded\n");
		cenalloc_policy("vgem contiguous");
		igt_assert_eq(__cenalloc_alloc(cfd, too_big, 0, &dmabuf), 0);
		ret = drmPrimeFDToHandle(vgem, dmabuf, &hv);
		err = errno;
		cenalloc_policy("vgem");
		igt_assert_eq(ret, -1);
		igt_assert_eq(err, EBUSY);
		close(dmabuf);
		close(vgem);
	}

	igt_describe("Two importers map one buffer: no overlap or sync-direction report");
	igt_subtest("two-importers-sync") {
		int va = drm_open_by_name("vgem", VPRIME_NODE_PRIMARY, 0);
		int vb = drm_open_by_name("vgem", VPRIME_NODE_PRIMARY, 0);
		uint32_t ha, hb;
		uint8_t *p;
		int dmabuf;

		igt_require_f(va >= 0 && vb >= 0, "vgem not loaded\n");
		igt_assert_eq(__cenalloc_alloc(cfd, 1 << 20, 0, &dmabuf), 0);
		/* vgem maps an import for its device at once */
		igt_assert_eq(drmPrimeFDToHandle(va, dmabuf, &ha), 0);
		igt_assert_eq(drmPrimeFDToHandle(vb, dmabuf, &hb), 0);
		p = dmabuf_mmap(dmabuf, 1 << 20, PROT_READ | PROT_WRITE);
		dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		igt_assert_eq(peek(p), 0);
		dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
		dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
		p[5] = 5;
		dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
		munmap(p, 1 << 20);
		vp_gem_close(va, ha);
		vp_gem_close(vb, hb);
		close(dmabuf);
		close(va);
		close(vb);
	}

	igt_describe("A policy segment size that splits pages is refused");
	igt_subtest("policy-max-segment-splits-page") {
		int pfd = open("/sys/kernel/debug/cenalloc/policy", O_WRONLY);
		static const char rule[] = "vivid max-segment=0x1001";

		igt_assert(pfd >= 0);
		igt_assert_eq((int)write(pfd, rule, strlen(rule)), -1);
		igt_assert_eq(errno, EINVAL);
		close(pfd);
	}

	igt_describe("More than the machine has: ENOMEM, and no bystander is killed");
	igt_subtest("alloc-beyond-memory-enomem") {
		struct dma_buf_sync sync = {
			.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW,
		};
		uint64_t total = mem_total() & ~(uint64_t)(PAGE - 1);
		int hog, more, dmabuf, ret, err, status;
		pid_t bystander;

		bystander = fork();
		igt_assert(bystander >= 0);
		if (bystander == 0) {
			/* Some memory of its own, as a real process has. */
			void *m = malloc(64 << 20);

			memset(m, 1, 64 << 20);
			pause();
			_exit(0);
		}
		set_param("cenalloc", "file_limit_mb", 1 << 20);
		/* Unswappable storage beyond RAM can never be: ALLOC says so. */
		dmabuf = -1;
		igt_assert_eq(__cenalloc_alloc(cfd, total + (1 << 20), 0, &dmabuf),
			      -ENOMEM);
		igt_assert_eq(dmabuf, -1);
		/* 40% of RAM is taken; 70% more cannot be had: ENOMEM, no OOM kill. */
		igt_assert_eq(__cenalloc_alloc(cfd, total / 5 * 2, 0, &hog), 0);
		dmabuf_sync(hog, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
		igt_assert_eq(__cenalloc_alloc(cfd, total / 10 * 7, 0, &more), 0);
		ret = ioctl(more, DMA_BUF_IOCTL_SYNC, &sync);
		err = errno;
		close(more);
		close(hog);
		set_param("cenalloc", "file_limit_mb", 0);
		igt_assert_eq(ret, -1);
		igt_assert_eq(err, ENOMEM);
		igt_assert_eq(waitpid(bystander, &status, WNOHANG), 0);
		kill(bystander, SIGTERM);
		igt_assert_eq(waitpid(bystander, &status, 0), bystander);
		igt_assert(WIFSIGNALED(status));
		igt_assert_eq(WTERMSIG(status), SIGTERM);
	}

	igt_describe("One /dev/cenalloc file cannot hold more than file_limit_mb");
	igt_subtest("alloc-file-limit") {
		int mine = cenalloc_open(), other = cenalloc_open();
		int a, b, c;

		set_param("cenalloc", "file_limit_mb", 64);
		igt_assert_eq(__cenalloc_alloc(mine, 48 << 20, 0, &a), 0);
		igt_assert_eq(__cenalloc_alloc(mine, 32 << 20, 0, &b), -ENOMEM);
		/* The limit is per file. */
		igt_assert_eq(__cenalloc_alloc(other, 32 << 20, 0, &b), 0);
		close(b);
		/* A freed buffer gives its bytes back. */
		close(a);
		igt_assert_eq(__cenalloc_alloc(mine, 32 << 20, 0, &b), 0);
		/* A buffer outliving its file keeps its bytes, then frees them. */
		close(mine);
		igt_assert_eq(__cenalloc_alloc(other, 48 << 20, 0, &c), 0);
		close(b);
		close(c);
		close(other);
		set_param("cenalloc", "file_limit_mb", 0);
	}

	igt_describe("ALLOC with a struct too short to return the fd is EINVAL");
	igt_subtest("alloc-short-struct") {
		struct cenalloc_alloc_data arg = {
			.size = PAGE, .fd_flags = O_RDWR, .fd = -1,
		};
		int before = count_fds();

		igt_assert_eq(cenalloc_raw(_IOWR(CENALLOC_IOC_MAGIC, 0x0, uint64_t),
					   &arg), -EINVAL);
		igt_assert_eq(cenalloc_raw(_IOC(_IOC_READ | _IOC_WRITE,
						CENALLOC_IOC_MAGIC, 0x0, 20), &arg),
			      -EINVAL);
		igt_assert_eq(count_fds(), before);
	}

	igt_describe("ALLOC access modes: O_RDONLY and O_RDWR only");
	igt_subtest("alloc-fd-flags-accmode") {
		struct cenalloc_alloc_data arg = { .size = PAGE };
		uint8_t *p;

		arg.fd_flags = O_WRONLY;
		igt_assert_eq(cenalloc_raw(CENALLOC_IOC_ALLOC, &arg), -EINVAL);
		arg.fd_flags = O_ACCMODE;
		igt_assert_eq(cenalloc_raw(CENALLOC_IOC_ALLOC, &arg), -EINVAL);
		arg.fd_flags = O_RDONLY | O_CLOEXEC;
		igt_assert_eq(cenalloc_raw(CENALLOC_IOC_ALLOC, &arg), 0);
		igt_assert_eq(fcntl(arg.fd, F_GETFL) & O_ACCMODE, O_RDONLY);
		igt_assert(fcntl(arg.fd, F_GETFD) & FD_CLOEXEC);
		p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, arg.fd, 0);
		igt_assert(p != MAP_FAILED);
		igt_assert_eq(peek(p), 0);
		munmap(p, PAGE);
		close(arg.fd);
	}

	igt_describe("ALLOC whose result cannot be copied out leaves no fd behind");
	igt_subtest("alloc-copyout-fault-no-fd") {
		struct cenalloc_alloc_data *arg;
		int before = count_fds();
		int bufs = bufinfo_count("cenalloc");

		arg = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		igt_assert(arg != MAP_FAILED);
		arg->size = PAGE;
		arg->fd_flags = O_RDWR;
		igt_assert_eq(mprotect(arg, PAGE, PROT_READ), 0);
		igt_assert_eq(cenalloc_raw(CENALLOC_IOC_ALLOC, arg), -EFAULT);
		munmap(arg, PAGE);
		igt_assert_eq(count_fds(), before);
		igt_assert_eq(bufinfo_count("cenalloc"), bufs);
	}

	igt_describe("Physical addresses only for CAP_SYS_ADMIN");
	igt_subtest("addresses-need-cap-sys-admin") {
		uint32_t h = vprime_gem_create(fd, PAGE, 0);
		int dmabuf = vp_prime_handle_to_fd(fd, h);
		struct drm_vprime_gem_info info;
		struct cenalloc_info_data ci;
		int status;
		pid_t pid;

		dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
		dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		info = vprime_gem_info(fd, h);
		igt_assert(info.state & VPRIME_GEM_STATE_ALLOCATED);
		igt_assert(info.max_address != 0);
		pid = fork();
		igt_assert(pid >= 0);
		if (pid == 0) {
			drop_cap_sys_admin();
			info = vprime_gem_info(fd, h);
			if (!(info.state & VPRIME_GEM_STATE_ALLOCATED) ||
			    info.max_address)
				_exit(1);
			if (__cenalloc_info(cfd, dmabuf, &ci) ||
			    !(ci.state & CENALLOC_STATE_ALLOCATED) ||
			    ci.max_address)
				_exit(2);
			_exit(0);
		}
		igt_assert_eq(waitpid(pid, &status, 0), pid);
		igt_assert(WIFEXITED(status));
		igt_assert_eq(WEXITSTATUS(status), 0);
		close(dmabuf);
		vp_gem_close(fd, h);
	}

	igt_describe("WRITECOMBINE storage is write-combined (x86 PAT) while it lives");
	igt_subtest("writecombine-pages") {
		const uint64_t size = 16 * PAGE;
		struct drm_vprime_gem_info info;
		uint64_t first, pfn;
		uint8_t *g;
		uint32_t h;

		igt_require_f(access("/proc/kpageflags", R_OK) == 0,
			      "no /proc/kpageflags\n");
		h = vprime_gem_create(fd, size, VPRIME_GEM_CREATE_WRITECOMBINE |
				      VPRIME_GEM_CREATE_CONTIGUOUS);
		g = vp_gem_mmap(fd, h, size, PROT_READ | PROT_WRITE);
		memset(g, 0xa5, size);
		info = vprime_gem_info(fd, h);
		igt_assert(info.state & VPRIME_GEM_STATE_WRITECOMBINE);
		igt_assert(info.state & VPRIME_GEM_STATE_CONTIGUOUS);
		first = (info.max_address + 1 - size) / PAGE;
		if (!(page_flags(first) & (1ULL << KPF_ARCH))) {
			/* A skip leaves the subtest: leave nothing behind. */
			munmap(g, size);
			vp_gem_close(fd, h);
			igt_skip("PAT is not tracking memory types here\n");
		}
		for (pfn = first; pfn < first + size / PAGE; pfn++)
			igt_assert(page_flags(pfn) & (1ULL << KPF_ARCH));
		igt_assert_eq(peek(g + size - 1), 0xa5);
		munmap(g, size);
		vp_gem_close(fd, h);
		/* Freed storage is write-back again. */
		for (pfn = first; pfn < first + size / PAGE; pfn++)
			igt_assert(!(page_flags(pfn) & (1ULL << KPF_ARCH)));
	}

	igt_describe("debugfs listings read while dma-bufs are exported and released");
	igt_subtest("debugfs-vs-release") {
		struct race r = { .fd = fd };
		pthread_t t;
		int i;

		igt_assert_eq(pthread_create(&t, NULL, export_and_close, &r), 0);
		for (i = 0; i < 300; i++) {
			read_file("/sys/kernel/debug/cenalloc/buffers");
			vprime_debugfs_objects(fd);
		}
		__atomic_store_n(&r.stop, true, __ATOMIC_RELEASE);
		pthread_join(t, NULL);
	}

	igt_fixture {
		set_param("cenalloc", "file_limit_mb", 0);
		assert_census_eq(fd, &base);
		close(cfd);
		close(fd);
	}
}
