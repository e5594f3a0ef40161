// SPDX-License-Identifier: MIT
/*
 * vprime_prime_mmap: CPU access to vprime buffers through the exported
 * dma-buf's mmap and the GEM mmap, bracketed by DMA_BUF_IOCTL_SYNC, with
 * mappings that outlive fds, handles and even the exporting process's
 * interest.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <linux/dma-buf.h>
#include <xf86drm.h>

#include "igt.h"
#include "vprime_common.h"

#define SIZE (2 * 1024 * 1024)

static int fd = -1;
static int base_bufs;

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
