// SPDX-License-Identifier: MIT
/*
 * vprime-bench: PRIME export/import with many live objects, create and
 * destroy, mmap first touch and bandwidth, kernel memory per object.
 * Each figure runs the same code on vprime and on vgem (or anonymous
 * memory for the bandwidth limit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <xf86drm.h>

#include "bench.h"
#include "vprime.h"

static int ops;

static uint32_t dumb(int fd, uint32_t w, uint32_t h)
{
	struct vprime_bo bo;

	if (vprime_bo_create_dumb(fd, w, h, 32, &bo)) {
		fprintf(stderr, "vprime-bench: %s\n", vprime_error());
		exit(1);
	}
	return bo.handle;
}

static int export(int fd, uint32_t h)
{
	int dmabuf;

	if (vprime_bo_export(fd, h, &dmabuf)) {
		fprintf(stderr, "vprime-bench: %s\n", vprime_error());
		exit(1);
	}
	return dmabuf;
}

/* PRIME handle-to-fd + close of one object, @ops times: ops/s. */
static double prime_export(int fd, int other, const void *arg)
{
	uint32_t h = dumb(fd, 32, 32);
	double t = now_s();
	int i;

	(void)other;
	(void)arg;
	for (i = 0; i < ops; i++)
		close(export(fd, h));
	t = now_s() - t;
	vprime_bo_close(fd, h);
	return ops / t;
}

/* fd-to-handle of our own export (the PRIME lookup): ops/s. */
static double prime_self_import(int fd, int other, const void *arg)
{
	uint32_t h = dumb(fd, 32, 32), got;
	int dmabuf = export(fd, h), i;
	double t = now_s();

	(void)other;
	(void)arg;
	for (i = 0; i < ops; i++)
		drmPrimeFDToHandle(fd, dmabuf, &got);
	t = now_s() - t;
	close(dmabuf);
	vprime_bo_close(fd, h);
	return ops / t;
}

/*
 * fd-to-handle + close of a buffer neither device exported: a 4 KiB
 * /dev/cenalloc dma-buf with storage, so that the figure measures the
 * importer and not the exporter's attach: ops/s.
 */
static double prime_foreign_import(int fd, int other, const void *arg)
{
	struct vprime_map m;
	uint32_t got;
	int dmabuf, i;
	double t;

	(void)other;
	(void)arg;
	if (vprime_cenalloc_alloc(4096, 0, &dmabuf) ||
	    vprime_map(dmabuf, 0, PROT_WRITE, &m) ||
	    vprime_map_begin(&m, DMA_BUF_SYNC_WRITE)) {
		fprintf(stderr, "vprime-bench: %s\n", vprime_error());
		exit(1);
	}
	memset(m.ptr, 0, 4096);
	vprime_unmap(&m);
	t = now_s();
	for (i = 0; i < ops; i++) {
		if (drmPrimeFDToHandle(fd, dmabuf, &got)) {
			perror("vprime-bench: foreign import");
			exit(1);
		}
		vprime_bo_close(fd, got);
	}
	t = now_s() - t;
	close(dmabuf);
	return ops / t;
}

struct dims {
	uint32_t w, h;
};

/* Create + destroy a dumb buffer: ops/s. */
static double create_destroy(int fd, int other, const void *arg)
{
	const struct dims *d = arg;
	double t = now_s();
	int i;

	(void)other;
	for (i = 0; i < ops; i++)
		vprime_bo_close(fd, dumb(fd, d->w, d->h));
	return ops / (now_s() - t);
}

enum map_work { FIRST_TOUCH, WRITE_BW, READ_BW };

struct map_arg {
	uint64_t bytes;
	enum map_work work;
};

/* Where the read loop's sum goes, so the compiler keeps the loop. */
static uint64_t sink;

/* Time @work on @p (already mapped): pages/s or MiB/s. */
static double map_work(uint8_t *p, const struct map_arg *a)
{
	uint64_t sum = 0, i, pages = a->bytes / 4096;
	double t;
	int pass;

	if (a->work == FIRST_TOUCH) {
		t = now_s();
		for (i = 0; i < pages; i++)
			p[i * 4096] = (uint8_t)i;
		return pages / (now_s() - t);
	}
	memset(p, 1, a->bytes);	/* fault everything in first */
	t = now_s();
	for (pass = 0; pass < 4; pass++) {
		if (a->work == WRITE_BW) {
			memset(p, pass, a->bytes);
		} else {
			const uint64_t *q = (const uint64_t *)p;

			for (i = 0; i < a->bytes / 8; i++)
				sum += q[i];
		}
	}
	t = now_s() - t;
	__atomic_store_n(&sink, sum, __ATOMIC_RELAXED);
	return 4.0 * a->bytes / (1 << 20) / t;
}

/* Through the mmap of an exported dma-buf, with SYNC bracketing. */
static double dmabuf_map(int fd, int other, const void *arg)
{
	const struct map_arg *a = arg;
	uint32_t h = dumb(fd, 1024, a->bytes / 4096);
	int dmabuf = export(fd, h);
	struct vprime_map m;
	double v;

	(void)other;
	if (vprime_map(dmabuf, a->bytes, PROT_READ | PROT_WRITE, &m) ||
	    vprime_map_begin(&m, DMA_BUF_SYNC_RW)) {
		fprintf(stderr, "vprime-bench: %s\n", vprime_error());
		exit(1);
	}
	v = map_work(m.ptr, a);
	vprime_unmap(&m);
	close(dmabuf);
	vprime_bo_close(fd, h);
	return v;
}

/* The practical limit: the same work on anonymous memory. */
static double anon_map(int fd, int other, const void *arg)
{
	const struct map_arg *a = arg;
	uint8_t *p = mmap(NULL, a->bytes, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double v;

	(void)fd;
	(void)other;
	if (p == MAP_FAILED) {
		perror("vprime-bench: mmap");
		exit(1);
	}
	v = map_work(p, a);
	munmap(p, a->bytes);
	return v;
}

static long slab_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* Slab growth per live 4 KiB object (lower is better): bytes. */
static double slab_per_object(int fd, int other, const void *arg)
{
	int n = *(const int *)arg, i;
	uint32_t *h = malloc(n * sizeof(*h));
	long before, after;

	(void)other;
	before = slab_kb();
	for (i = 0; i < n; i++)
		h[i] = dumb(fd, 32, 32);
	after = slab_kb();
	for (i = 0; i < n; i++)
		vprime_bo_close(fd, h[i]);
	free(h);
	return (after - before) * 1024.0 / n;
}

/* @n live objects on both devices, each exported and its fd kept. */
struct live {
	uint32_t *h;
	int *fds;
	int n;
};

static void live_make(struct live *l, int fd, int n)
{
	int i;

	l->n = n;
	l->h = malloc(n * sizeof(*l->h));
	l->fds = malloc(n * sizeof(*l->fds));
	for (i = 0; i < n; i++) {
		l->h[i] = dumb(fd, 32, 32);
		l->fds[i] = export(fd, l->h[i]);
	}
}

static void live_free(struct live *l, int fd)
{
	int i;

	for (i = 0; i < l->n; i++) {
		close(l->fds[i]);
		vprime_bo_close(fd, l->h[i]);
	}
	free(l->h);
	free(l->fds);
}

void bench_drm(const struct bench_cfg *cfg, int vprime, int vgem)
{
	static const struct dims sizes[] = {
		{ 32, 32 }, { 512, 512 }, { 2048, 2048 },
	};
	static const char * const size_name[] = { "4KiB", "1MiB", "16MiB" };
	struct map_arg ma = { .bytes = cfg->map_bytes };
	struct live lv, lg;
	char variant[32];
	int i;

	ops = cfg->ops;
	for (i = 0; i < 3; i++) {
		/* the figure's own object makes the count */
		live_make(&lv, vprime, cfg->live[i] - 1);
		live_make(&lg, vgem, cfg->live[i] - 1);
		snprintf(variant, sizeof(variant), "%d-live", cfg->live[i]);
		bench_figure(cfg, "prime-export", variant, "ops/s", HIGHER,
			     "vgem", prime_export, vprime, vgem, NULL);
		bench_figure(cfg, "prime-self-import", variant, "ops/s", HIGHER,
			     "vgem", prime_self_import, vprime, vgem, NULL);
		bench_figure(cfg, "prime-foreign-import", variant, "ops/s",
			     HIGHER, "vgem", prime_foreign_import, vprime, vgem,
			     NULL);
		live_free(&lv, vprime);
		live_free(&lg, vgem);
	}
	for (i = 0; i < 3; i++)
		bench_figure(cfg, "create-destroy", size_name[i], "ops/s", HIGHER,
			     "vgem", create_destroy, vprime, vgem, &sizes[i]);

	snprintf(variant, sizeof(variant), "%lluMiB",
		 (unsigned long long)(cfg->map_bytes >> 20));
	ma.work = FIRST_TOUCH;
	bench_figure(cfg, "mmap-first-touch", variant, "pages/s", HIGHER,
		     "vgem", dmabuf_map, vprime, vgem, &ma);
	bench_figure2(cfg, "mmap-first-touch", variant, "pages/s", HIGHER,
		      "anon", dmabuf_map, anon_map, vprime, vgem, &ma);
	ma.work = WRITE_BW;
	bench_figure(cfg, "mmap-write", variant, "MiB/s", HIGHER, "vgem",
		     dmabuf_map, vprime, vgem, &ma);
	bench_figure2(cfg, "mmap-write", variant, "MiB/s", HIGHER, "anon",
		      dmabuf_map, anon_map, vprime, vgem, &ma);
	ma.work = READ_BW;
	bench_figure(cfg, "mmap-read", variant, "MiB/s", HIGHER, "vgem",
		     dmabuf_map, vprime, vgem, &ma);
	bench_figure2(cfg, "mmap-read", variant, "MiB/s", HIGHER, "anon",
		      dmabuf_map, anon_map, vprime, vgem, &ma);

	snprintf(variant, sizeof(variant), "%d-objects", cfg->slab_objects);
	bench_figure(cfg, "slab-per-object", variant, "bytes", LOWER, "vgem",
		     slab_per_object, vprime, vgem, &cfg->slab_objects);
}
