// SPDX-License-Identifier: MIT
/*
 * vprime-bench: cenalloc against the system dma-heap (Linux 6.12 has it
 * built in): allocation rate, first touch and bandwidth through the
 * dma-buf's mmap.  Skipped where /dev/dma_heap/system is missing.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/cenalloc.h>
#include <linux/dma-buf.h>

#include "bench.h"
#include "vprime.h"

/* The uAPI of drivers/dma-buf/dma-heap.c, for headers that lack it. */
struct bench_heap_alloc {
	uint64_t len;
	uint32_t fd;
	uint32_t fd_flags;
	uint64_t heap_flags;
};

#define BENCH_HEAP_ALLOC _IOWR('H', 0x0, struct bench_heap_alloc)

static int ops;

/*
 * A dma-buf of @bytes from the heap's device or from /dev/cenalloc
 * (@dev): the same one ioctl on a descriptor the bench holds, so that the
 * figures compare the two kernels' allocators.  (libvprime's
 * vprime_cenalloc_alloc() adds an fstat() per call, its check that the
 * descriptor it keeps is still /dev/cenalloc.)
 */
static int alloc_buf(int dev, bool heap, uint64_t bytes)
{
	struct bench_heap_alloc a = {
		.len = bytes, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	struct cenalloc_alloc_data c = {
		.size = bytes, .fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (heap ? ioctl(dev, BENCH_HEAP_ALLOC, &a) :
		   ioctl(dev, CENALLOC_IOC_ALLOC, &c)) {
		perror(heap ? "vprime-bench: dma-heap alloc" :
			      "vprime-bench: CENALLOC_IOC_ALLOC");
		exit(1);
	}
	return heap ? (int)a.fd : c.fd;
}

/*
 * Allocate, make the storage real (the heap allocates at once, cenalloc
 * at the first access: a SYNC pair), free: buffers/s.
 */
static double alloc_free(int dev, bool heap, const uint64_t *bytes)
{
	struct dma_buf_sync s;
	/* Each buffer is zeroed: fewer of the large ones under TCG. */
	int n = ops * 4096 / *bytes > 1 ? (int)(ops * 4096 / *bytes) : 1;
	double t = now_s();
	int i, fd;

	for (i = 0; i < n; i++) {
		fd = alloc_buf(dev, heap, *bytes);
		s.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW;
		ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
		s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
		ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
		close(fd);
	}
	return n / (now_s() - t);
}

/* bench_figure_ops() passes each side its own device first. */
static double alloc_free_heap(int heap, int cenalloc, const void *arg)
{
	(void)cenalloc;
	return alloc_free(heap, true, arg);
}

static double alloc_free_cenalloc(int cenalloc, int heap, const void *arg)
{
	(void)heap;
	return alloc_free(cenalloc, false, arg);
}

struct heap_map_arg {
	uint64_t bytes;
	bool touch;	/* first touch (pages/s), else read bandwidth (MiB/s) */
};

static uint64_t sink;

/*
 * First touch counts from the allocation (the heap allocates in its ioctl,
 * cenalloc at the first access); the read bandwidth is of faulted memory.
 */
static double map_buf(int dev, bool heap, const struct heap_map_arg *a)
{
	double t = now_s(), v;
	int fd = alloc_buf(dev, heap, a->bytes);
	uint64_t i, sum = 0, pages = a->bytes / 4096;
	struct vprime_map m;

	if (vprime_map(fd, a->bytes, PROT_READ | PROT_WRITE, &m) ||
	    vprime_map_begin(&m, DMA_BUF_SYNC_RW)) {
		fprintf(stderr, "vprime-bench: %s\n", vprime_error());
		exit(1);
	}
	if (a->touch) {
		for (i = 0; i < pages; i++)
			((uint8_t *)m.ptr)[i * 4096] = (uint8_t)i;
		v = pages / (now_s() - t);
	} else {
		memset(m.ptr, 1, a->bytes);
		t = now_s();
		for (i = 0; i < a->bytes / 8; i++)
			sum += ((const uint64_t *)m.ptr)[i];
		v = a->bytes / (double)(1 << 20) / (now_s() - t);
	}
	__atomic_store_n(&sink, sum, __ATOMIC_RELAXED);
	vprime_unmap(&m);
	close(fd);
	return v;
}

/* bench_figure2() passes both sides the heap's device, then cenalloc's. */
static double map_heap(int heap, int cenalloc, const void *arg)
{
	(void)cenalloc;
	return map_buf(heap, true, arg);
}

static double map_cenalloc(int heap, int cenalloc, const void *arg)
{
	(void)heap;
	return map_buf(cenalloc, false, arg);
}

void bench_heap(const struct bench_cfg *cfg)
{
	uint64_t sizes[] = { 4096, 1 << 20, 16 << 20 };
	static const char * const size_name[] = { "4KiB", "1MiB", "16MiB" };
	struct heap_map_arg ma = { .bytes = cfg->map_bytes };
	char variant[32];
	int heap, cenalloc, i;

	heap = open("/dev/dma_heap/system", O_RDWR | O_CLOEXEC);
	if (heap < 0) {
		printf("(no /dev/dma_heap/system: no cenalloc-vs-heap figures)\n");
		return;
	}
	cenalloc = open("/dev/cenalloc", O_RDWR | O_CLOEXEC);
	if (cenalloc < 0) {
		perror("vprime-bench: /dev/cenalloc");
		exit(1);
	}
	/* the allocation loops: one slice of a pair each call */
	ops = cfg->ops / cfg->slices;
	for (i = 0; i < 3 && bench_wanted(cfg, "heap-alloc-free"); i++)
		bench_figure_ops(cfg, "heap-alloc-free", size_name[i], "heap",
				 alloc_free_cenalloc, alloc_free_heap, cenalloc,
				 heap, &sizes[i]);
	snprintf(variant, sizeof(variant), "%lluMiB",
		 (unsigned long long)(cfg->map_bytes >> 20));
	ma.touch = true;
	bench_figure2(cfg, "heap-first-touch", variant, "pages/s", HIGHER,
		      "heap", map_cenalloc, map_heap, heap, cenalloc, &ma);
	ma.touch = false;
	bench_figure2(cfg, "heap-read", variant, "MiB/s", HIGHER, "heap",
		      map_cenalloc, map_heap, heap, cenalloc, &ma);
	close(cenalloc);
	close(heap);
}
