// SPDX-License-Identifier: MIT
/*
 * vprime_prime_mmap: CPU access to vprime buffers through the exported
 * dma-buf's mmap and the GEM mmap, bracketed by DMA_BUF_IOCTL_SYNC, with
 * mappings that outlive fds, handles and even the exporting process's
 * interest.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <linux/dma-buf.h>
#include <xf86drm.h>

#include "igt.h"
#include "vprime_common.h"

#define SIZE (2 * 1024 * 1024)

#define PMD (2 * 1024 * 1024)

static int fd = -1;
static int base_bufs;

/*
 * Linux 6.12 maps PMD-sized runs in vprime's and cenalloc's (VM_PFNMAP)
 * mappings; THP must not be off.
 */
static void require_pmd_mappings(void)
{
	char mode[64] = "";
	struct utsname u;
	int major = 0, minor = 0, n;
	FILE *f;

	igt_assert_eq(uname(&u), 0);
	n = sscanf(u.release, "%d.%d", &major, &minor);
	igt_assert_eq(n, 2);
	igt_require_f(major > 6 || (major == 6 && minor >= 12),
		      "Linux %s calls no huge_fault for VM_PFNMAP\n",
		      u.release);
	f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	igt_require(f);
	igt_assert(fgets(mode, sizeof(mode), f));
	fclose(f);
	igt_require_f(!strstr(mode, "[never]"), "THP is off\n");
}

/* Minor and major: a fault retried after allocating counts as major. */
static long page_faults(void)
{
	struct rusage ru;

	igt_assert_eq(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_minflt + ru.ru_majflt;
}

/*
 * Write its page number into each page of @p (@size bytes, first touch);
 * return the page faults that took.
 */
static long touch_pages(uint32_t *p, size_t size)
{
	long before = page_faults();
	size_t i;

	for (i = 0; i < size / 4096; i++)
		p[i * 1024] = 0x5a000000 + i;
	return page_faults() - before;
}

/* Whether pages @first.. of @p (mapping page 0 of the object) hold theirs. */
static bool pages_touched(const uint32_t *p, size_t first, size_t size)
{
	size_t i;

	for (i = first; i < size / 4096; i++)
		if (p[i * 1024] != 0x5a000000 + i)
			return false;
	return true;
}

/* A PMD-aligned address with @size bytes free after it, for MAP_FIXED. */
static void *aligned_hole(size_t size)
{
	uint8_t *p = mmap(NULL, size + PMD, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	igt_assert(p != MAP_FAILED);
	a = ((uintptr_t)p + PMD - 1) & ~(uintptr_t)(PMD - 1);
	munmap(p, size + PMD);
	return (void *)a;
}

igt_main
{
	igt_fixture {
		fd = vprime_open(VPRIME_NODE_PRIMARY, 0);
		base_bufs = bufinfo_count("vprime");
	}

	igt_describe("Writes through the dma-buf mmap are seen through the GEM mmap");
	igt_subtest("dmabuf-write-gem-read") {
		uint32_t h = vprime_gem_create(fd, SIZE, 0);
		int dmabuf = vp_prime_handle_to_fd(fd, h);
		void *d = dmabuf_mmap(dmabuf, SIZE, PROT_READ | PROT_WRITE);
		void *g;

		dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
		pattern_fill(d, SIZE, 0xabc);
		dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
		g = vp_gem_mmap(fd, h, SIZE, PROT_READ);
		igt_assert(pattern_check(g, SIZE, 0xabc));
		munmap(g, SIZE);
		munmap(d, SIZE);
		close(dmabuf);
		vp_gem_close(fd, h);
	}

	igt_describe("Writes through the GEM mmap are seen through the dma-buf mmap");
	igt_subtest("gem-write-dmabuf-read") {
		uint32_t h = vprime_gem_create(fd, SIZE, 0);
		void *g = vp_gem_mmap(fd, h, SIZE, PROT_READ | PROT_WRITE);
		int dmabuf;
		void *d;

		pattern_fill(g, SIZE, 0xdef);
		dmabuf = vp_prime_handle_to_fd(fd, h);
		d = dmabuf_mmap(dmabuf, SIZE, PROT_READ);
		dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		igt_assert(pattern_check(d, SIZE, 0xdef));
		dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
		munmap(g, SIZE);
		munmap(d, SIZE);
		close(dmabuf);
		vp_gem_close(fd, h);
	}

	igt_describe("Mapping the dma-buf allocates nothing; a sync or touch does");
	igt_subtest("dmabuf-mmap-deferred") {
		uint32_t h = vprime_gem_create(fd, SIZE, 0);
		int dmabuf = vp_prime_handle_to_fd(fd, h);
		uint8_t *d = dmabuf_mmap(dmabuf, SIZE, PROT_READ);

		igt_assert(!(vprime_gem_info(fd, h).state & VPRIME_GEM_STATE_ALLOCATED));
		igt_assert_eq(peek(d + SIZE - 1), 0);
		igt_assert(vprime_gem_info(fd, h).state & VPRIME_GEM_STATE_ALLOCATED);
		munmap(d, SIZE);
		close(dmabuf);
		vp_gem_close(fd, h);

		h = vprime_gem_create(fd, SIZE, 0);
		dmabuf = vp_prime_handle_to_fd(fd, h);
		dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
		igt_assert(vprime_gem_info(fd, h).state & VPRIME_GEM_STATE_ALLOCATED);
		dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		close(dmabuf);
		vp_gem_close(fd, h);
	}

	igt_describe("The mapping keeps the buffer alive after fd and handle close");
	igt_subtest("mapping-outlives-fd") {
		uint32_t h = vprime_gem_create(fd, SIZE, 0);
		int dmabuf = vp_prime_handle_to_fd(fd, h);
		void *d = dmabuf_mmap(dmabuf, SIZE, PROT_READ | PROT_WRITE);

		pattern_fill(d, SIZE, 5);
		close(dmabuf);
		vp_gem_close(fd, h);
		igt_assert_eq(bufinfo_count("vprime"), base_bufs + 1);
		igt_assert(pattern_check(d, SIZE, 5));
		munmap(d, SIZE);
		igt_assert_eq(bufinfo_count("vprime"), base_bufs);
	}

	igt_describe("A child keeps reading after the parent closed everything");
	igt_subtest("close-while-child-maps") {
		uint32_t h = vprime_gem_create(fd, SIZE, 0);
		int dmabuf = vp_prime_handle_to_fd(fd, h), up[2], down[2], status;
		void *g = vp_gem_mmap(fd, h, SIZE, PROT_READ | PROT_WRITE);
		char c = 0;
		pid_t pid;

		pattern_fill(g, SIZE, 77);
		munmap(g, SIZE);
		/* up: child to parent; down: parent to child */
		igt_assert_eq(pipe(up), 0);
		igt_assert_eq(pipe(down), 0);
		pid = fork();
		igt_assert(pid >= 0);
		if (pid == 0) {
			void *d = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, dmabuf, 0);

			close(dmabuf);
			if (d == MAP_FAILED || write(up[1], "m", 1) != 1)
				_exit(2);
			/* wait until the parent has closed its fd and handle */
			if (read(down[0], &c, 1) != 1)
				_exit(3);
			_exit(pattern_check(d, SIZE, 77) ? 0 : 1);
		}
		igt_assert_eq((int)read(up[0], &c, 1), 1);
		close(dmabuf);
		vp_gem_close(fd, h);
		igt_assert_eq((int)write(down[1], "c", 1), 1);
		igt_assert_eq(waitpid(pid, &status, 0), pid);
		igt_assert(WIFEXITED(status));
		igt_assert_eq(WEXITSTATUS(status), 0);
		close(up[0]);
		close(up[1]);
		close(down[0]);
		close(down[1]);
		igt_assert_eq(bufinfo_count("vprime"), base_bufs);
	}

	/* Bad input */
	igt_subtest("dmabuf-mmap-too-long") {
		uint32_t h = vprime_gem_create(fd, 8192, 0);
		int dmabuf = vp_prime_handle_to_fd(fd, h);

		igt_assert(mmap(NULL, 3 * 4096, PROT_READ, MAP_SHARED, dmabuf, 0) == MAP_FAILED);
		igt_assert_eq(errno, EINVAL);
		close(dmabuf);
		vp_gem_close(fd, h);
	}

	igt_subtest("dmabuf-mmap-bad-offset") {
		uint32_t h = vprime_gem_create(fd, 8192, 0);
		int dmabuf = vp_prime_handle_to_fd(fd, h);

		igt_assert(mmap(NULL, 4096, PROT_READ, MAP_SHARED, dmabuf, 2 * 4096) == MAP_FAILED);
		igt_assert_eq(errno, EINVAL);
		igt_assert(mmap(NULL, 4096, PROT_READ, MAP_SHARED, dmabuf,
				1ULL << 44) == MAP_FAILED);
		igt_assert_eq(errno, EINVAL);
		close(dmabuf);
		vp_gem_close(fd, h);
	}

	igt_subtest("dmabuf-mmap-offset-ok") {
		uint32_t h = vprime_gem_create(fd, 8192, 0);
		int dmabuf = vp_prime_handle_to_fd(fd, h);
		uint32_t *all = dmabuf_mmap(dmabuf, 8192, PROT_READ | PROT_WRITE);
		uint32_t *second = mmap(NULL, 4096, PROT_READ, MAP_SHARED, dmabuf, 4096);

		igt_assert(second != MAP_FAILED);
		all[1024] = 0x5a5a5a5a;
		igt_assert_eq_u32(second[0], 0x5a5a5a5a);
		munmap(second, 4096);
		munmap(all, 8192);
		close(dmabuf);
		vp_gem_close(fd, h);
	}

	/*
	 * A fault maps the pages after the faulting one too: every page of
	 * partial mappings at odd offsets, read first-touch in any order,
	 * must still show its own bytes; windows that reach a mapping's or
	 * the buffer's end must stop there (the page tables past the end
	 * belong to nobody, and a wrong pgoff would show the wrong bytes).
	 */
	igt_describe("Faults map neighbours correctly in partial, offset mappings");
	igt_subtest("dmabuf-mmap-fault-around") {
		const size_t pages = 37;
		uint32_t h = vprime_gem_create(fd, pages * 4096, 0);
		int dmabuf = vp_prime_handle_to_fd(fd, h);
		uint32_t *all = dmabuf_mmap(dmabuf, pages * 4096,
					    PROT_READ | PROT_WRITE);
		static const size_t starts[] = { 0, 3, 15, 17, 30 };
		size_t i, p, n;

		for (p = 0; p < pages; p++)
			all[p * 1024] = 0xab000000 + p;
		munmap(all, pages * 4096);
		for (i = 0; i < ARRAY_SIZE(starts); i++) {
			n = pages - starts[i] < 5 ? pages - starts[i] : 5;
			all = mmap(NULL, n * 4096, PROT_READ, MAP_SHARED, dmabuf,
				   starts[i] * 4096);
			igt_assert(all != MAP_FAILED);
			/* last page first, then the rest backwards */
			for (p = n; p-- > 0;)
				igt_assert_eq_u32(all[p * 1024],
						  0xab000000 + starts[i] + p);
			munmap(all, n * 4096);
		}
		close(dmabuf);
		vp_gem_close(fd, h);
	}

	/*
	 * A fault maps up to 64 pages, never past the faulting page's page
	 * table.  Mapped so that a 2 MiB boundary of the address space falls
	 * 5 pages into the buffer: page 3 read first (its run stops at the
	 * boundary), then the pages after the boundary, every page shows its
	 * own bytes, and a forward first read of 256 pages takes 4 faults
	 * (one per 64 pages; 5 allowed), not 256.
	 */
	igt_describe("Fault-around maps 64 pages a fault, not past a page table");
	igt_subtest("dmabuf-mmap-fault-around-boundary") {
		const size_t pages = 600, size = pages * 4096;
		uint32_t h = vprime_gem_create(fd, size, 0);
		int dmabuf = vp_prime_handle_to_fd(fd, h);
		uint32_t *all = dmabuf_mmap(dmabuf, size, PROT_READ | PROT_WRITE);
		uint8_t *hole;
		uint32_t *m;
		long faults;
		size_t p;

		for (p = 0; p < pages; p++)
			all[p * 1024] = 0xcd000000 + p;
		munmap(all, size);
		hole = aligned_hole(size + PMD);
		m = mmap(hole + PMD - 5 * 4096, size, PROT_READ,
			 MAP_SHARED | MAP_FIXED, dmabuf, 0);
		igt_assert(m != MAP_FAILED);
		igt_assert_eq_u32(m[3 * 1024], 0xcd000003);
		for (p = 5; p < 64; p++)
			igt_assert_eq_u32(m[p * 1024], 0xcd000000 + p);
		faults = page_faults();
		for (p = 64; p < 320; p++)
			igt_assert_eq_u32(m[p * 1024], 0xcd000000 + p);
		faults = page_faults() - faults;
		igt_info("first read of 256 pages: %ld page faults\n", faults);
		igt_assert_f(faults <= 5, "%ld faults for 256 pages\n", faults);
		for (p = 0; p < pages; p++)
			igt_assert_eq_u32(m[p * 1024], 0xcd000000 + p);
		munmap(m, size);
		close(dmabuf);
		vp_gem_close(fd, h);
	}

	/*
	 * 4 MiB of contiguous storage is two naturally aligned 2 MiB runs: a
	 * GEM mapping of it starts on a 2 MiB boundary and its first touch
	 * takes a fault per PMD (plus the one that allocates), not one per
	 * 64 pages (with PTEs: 16 or more); every page still shows its own
	 * bytes, also after a partial munmap splits a PMD.
	 */
	igt_describe("A GEM mapping of 2 MiB runs is PMD-aligned and mapped by PMDs");
	igt_subtest("gem-mmap-pmd") {
		uint32_t h;
		uint32_t *g;
		long faults;

		require_pmd_mappings();
		h = vprime_gem_create(fd, 2 * PMD,
				      VPRIME_GEM_CREATE_CONTIGUOUS);
		g = vp_gem_mmap(fd, h, 2 * PMD, PROT_READ | PROT_WRITE);
		igt_assert_f(!((uintptr_t)g & (PMD - 1)), "mapped at %p\n", g);
		faults = touch_pages(g, 2 * PMD);
		igt_info("first touch of 4 MiB: %ld page faults\n", faults);
		igt_assert_f(faults <= 3, "%ld faults: not mapped by PMDs\n",
			     faults);
		igt_assert(pages_touched(g, 0, 2 * PMD));
		/* Split the first PMD: the rest refaults by pages. */
		igt_assert_eq(munmap(g, 4096), 0);
		igt_assert(pages_touched(g, 1, 2 * PMD));
		munmap(g + 1024, 2 * PMD - 4096);
		vp_gem_close(fd, h);
	}

	igt_describe("A dma-buf mapping at a 2 MiB boundary is mapped by PMDs");
	igt_subtest("dmabuf-mmap-pmd") {
		uint32_t h, *d, *g;
		int dmabuf;
		long faults;

		require_pmd_mappings();
		h = vprime_gem_create(fd, 2 * PMD,
				      VPRIME_GEM_CREATE_CONTIGUOUS);
		dmabuf = vp_prime_handle_to_fd(fd, h);
		d = mmap(aligned_hole(2 * PMD), 2 * PMD, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, dmabuf, 0);
		igt_assert(d != MAP_FAILED);
		faults = touch_pages(d, 2 * PMD);
		igt_info("first touch of 4 MiB: %ld page faults\n", faults);
		igt_assert_f(faults <= 3, "%ld faults: not mapped by PMDs\n",
			     faults);
		/* The same pages through the GEM mapping. */
		g = vp_gem_mmap(fd, h, 2 * PMD, PROT_READ);
		igt_assert(pages_touched(g, 0, 2 * PMD));
		munmap(g, 2 * PMD);
		munmap(d, 2 * PMD);
		close(dmabuf);
		vp_gem_close(fd, h);
	}

	igt_subtest("dmabuf-mmap-private") {
		uint32_t h = vprime_gem_create(fd, 8192, 0);
		int dmabuf = vp_prime_handle_to_fd(fd, h);

		igt_assert(mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE,
				dmabuf, 0) == MAP_FAILED);
		igt_assert_eq(errno, EINVAL);
		close(dmabuf);
		vp_gem_close(fd, h);
	}

	igt_subtest("sync-bad-flags") {
		uint32_t h = vprime_gem_create(fd, 8192, 0);
		int dmabuf = vp_prime_handle_to_fd(fd, h);
		struct dma_buf_sync sync = { .flags = 1ULL << 40 };

		igt_assert_eq(igt_ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &sync), -1);
		igt_assert_eq(errno, EINVAL);
		sync.flags = 0;	/* neither read nor write */
		igt_assert_eq(igt_ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &sync), -1);
		igt_assert_eq(errno, EINVAL);
		close(dmabuf);
		vp_gem_close(fd, h);
	}

	igt_fixture {
		igt_assert_eq(bufinfo_count("vprime"), base_bufs);
		close(fd);
	}
}
