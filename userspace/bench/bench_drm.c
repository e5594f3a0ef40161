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

/* operations per call of a loop figure (one slice of a pair) */
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
 * A second open file of each device (vprime, vgem, a second vprime
 * device), for the imports of another client.
 */
static struct {
	int fd, second;
} second[3];

static int second_file(int fd)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(second) - 1; i++)
		if (second[i].fd == fd)
			break;
	return second[i].second;
}

/*
 * fd-to-handle of our own export in another open file of the same device,
 * then GEM_CLOSE: what a second client of the device pays (the pattern of
 * IGT's prime_self_import), the driver's import hook on every call: ops/s.
 */
static double prime_import_second(int fd, int other, const void *arg)
{
	int fd2 = second_file(fd);
	uint32_t h = dumb(fd, 32, 32), got;
	int dmabuf = export(fd, h), i;
	double t = now_s();

	(void)other;
	(void)arg;
	for (i = 0; i < ops; i++) {
		if (drmPrimeFDToHandle(fd2, dmabuf, &got)) {
			perror("vprime-bench: import in a second file");
			exit(1);
		}
		vprime_bo_close(fd2, got);
	}
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

/*
 * FIRST_ACCESS: the latency of mmap() plus the first store, what a user
 * waits for before the first byte lands (vgem allocates the whole object
 * in mmap(), cenalloc at the first fault).  FIRST_TOUCH: mmap() plus one
 * store per page of the whole buffer.  The bandwidth figures fault
 * everything in first, then time four passes.
 */
enum map_work { FIRST_ACCESS, FIRST_TOUCH, WRITE_BW, READ_BW };

/* Which mapping: the exported dma-buf's, or the GEM object's (MAP_DUMB). */
enum map_path { DMABUF_MMAP, GEM_MMAP };

struct map_arg {
	uint64_t bytes;
	enum map_work work;
	enum map_path path;
};

/* Where the read loop's sum goes, so the compiler keeps the loop. */
static uint64_t sink;

/* Map @bytes of @fd at @offset, or exit. */
static uint8_t *map_or_die(int fd, uint64_t bytes, uint64_t offset)
{
	uint8_t *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			  offset);

	if (p == MAP_FAILED) {
		perror("vprime-bench: mmap");
		exit(1);
	}
	return p;
}

/*
 * Time @a->work on @p, mapped at @t0: microseconds for FIRST_ACCESS,
 * pages/s for FIRST_TOUCH, MiB/s for the bandwidths.
 */
static double map_work(uint8_t *p, double t0, const struct map_arg *a)
{
	uint64_t sum = 0, i, pages = a->bytes / 4096;
	double t;
	int pass;

	if (a->work == FIRST_ACCESS) {
		p[0] = 1;
		return (now_s() - t0) * 1e6;
	}
	if (a->work == FIRST_TOUCH) {
		for (i = 0; i < pages; i++)
			p[i * 4096] = (uint8_t)i;
		return pages / (now_s() - t0);
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

/*
 * A fresh object of @a->bytes mapped through @a->path: the exported
 * dma-buf (with SYNC bracketing, as a careful importer does) or the GEM
 * mapping (MAP_DUMB + mmap on the DRM fd, as Mesa's kms_swrast and every
 * dumb-buffer client do).  The clock starts before mmap().
 */
static double object_map(int fd, int other, const void *arg)
{
	const struct map_arg *a = arg;
	uint32_t h = dumb(fd, 1024, a->bytes / 4096);
	struct dma_buf_sync sync = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
	struct drm_mode_map_dumb md = { .handle = h };
	int dmabuf = -1, map_fd = fd;
	uint8_t *p;
	double t0, v;

	(void)other;
	if (a->path == DMABUF_MMAP) {
		dmabuf = export(fd, h);
		map_fd = dmabuf;
	} else if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &md)) {
		perror("vprime-bench: MAP_DUMB");
		exit(1);
	}
	t0 = now_s();
	p = map_or_die(map_fd, a->bytes, md.offset);
	if (dmabuf >= 0 && drmIoctl(dmabuf, DMA_BUF_IOCTL_SYNC, &sync)) {
		perror("vprime-bench: DMA_BUF_IOCTL_SYNC");
		exit(1);
	}
	v = map_work(p, t0, a);
	if (dmabuf >= 0) {
		sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
		drmIoctl(dmabuf, DMA_BUF_IOCTL_SYNC, &sync);
		close(dmabuf);
	}
	munmap(p, a->bytes);
	vprime_bo_close(fd, h);
	return v;
}

/* The practical limit: the same work on anonymous memory. */
static double anon_map(int fd, int other, const void *arg)
{
	const struct map_arg *a = arg;
	double t0 = now_s(), v;
	uint8_t *p = mmap(NULL, a->bytes, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)fd;
	(void)other;
	if (p == MAP_FAILED) {
		perror("vprime-bench: mmap");
		exit(1);
	}
	v = map_work(p, t0, a);
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

struct slab_arg {
	int objects;
	bool exported;	/* each object also exported, its dma-buf fd kept */
};

/*
 * Slab growth per live 4 KiB object, without storage (lower is better):
 * bytes.  Exported, the figure includes the dma-buf, its file and inode
 * and the PRIME bookkeeping: the peak memory of that many shared buffers.
 */
static double slab_per_object(int fd, int other, const void *arg)
{
	const struct slab_arg *a = arg;
	uint32_t *h = malloc(a->objects * sizeof(*h));
	int *fds = malloc(a->objects * sizeof(*fds)), i;
	long before, after;

	(void)other;
	before = slab_kb();
	for (i = 0; i < a->objects; i++) {
		h[i] = dumb(fd, 32, 32);
		fds[i] = a->exported ? export(fd, h[i]) : -1;
	}
	after = slab_kb();
	for (i = 0; i < a->objects; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		vprime_bo_close(fd, h[i]);
	}
	free(fds);
	free(h);
	return (after - before) * 1024.0 / a->objects;
}

/*
 * Memory made real in 4 KiB objects or in one large object: create,
 * MAP_DUMB, mmap, touch every page, unmap, every object kept until the
 * end: MiB/s.  The many-objects case uses fewer bytes (a 4 KiB object
 * costs some hundred microseconds under TCG).
 */
struct bulk_arg {
	uint64_t bytes;
	bool small;
};

static double bulk_alloc(int fd, int other, const void *arg)
{
	const struct bulk_arg *a = arg;
	uint64_t size = a->small ? 4096 : a->bytes, i, n = a->bytes / size;
	uint32_t *h = malloc(n * sizeof(*h));
	double t = now_s();
	uint64_t page;

	(void)other;
	for (i = 0; i < n; i++) {
		struct drm_mode_map_dumb md = { 0 };
		uint8_t *p;

		h[i] = dumb(fd, 1024, size / 4096);
		md.handle = h[i];
		if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &md)) {
			perror("vprime-bench: MAP_DUMB");
			exit(1);
		}
		p = map_or_die(fd, size, md.offset);
		for (page = 0; page < size; page += 4096)
			p[page] = 1;
		munmap(p, size);
	}
	t = now_s() - t;
	for (i = 0; i < n; i++)
		vprime_bo_close(fd, h[i]);
	free(h);
	return a->bytes / (double)(1 << 20) / t;
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

/*
 * Both mappings of a vprime object against vgem's same mapping, and
 * against anonymous memory (the practical limit).
 */
static void bench_maps(const struct bench_cfg *cfg, int vprime, int vgem)
{
	static const struct {
		const char *figure, *unit;
		enum map_work work;
		enum better better;
	} works[] = {
		{ "first-access", "us", FIRST_ACCESS, LOWER },
		{ "first-touch", "pages/s", FIRST_TOUCH, HIGHER },
		{ "write", "MiB/s", WRITE_BW, HIGHER },
		{ "read", "MiB/s", READ_BW, HIGHER },
	};
	static const char * const path_name[] = { "dmabuf", "gem" };
	struct map_arg ma = { .bytes = cfg->map_bytes };
	char figure[48], variant[32];
	unsigned int w, path;

	snprintf(variant, sizeof(variant), "%lluMiB",
		 (unsigned long long)(cfg->map_bytes >> 20));
	for (w = 0; w < ARRAY_SIZE(works); w++) {
		ma.work = works[w].work;
		for (path = DMABUF_MMAP; path <= GEM_MMAP; path++) {
			ma.path = path;
			snprintf(figure, sizeof(figure), "%s-mmap-%s",
				 path_name[path], works[w].figure);
			if (!bench_wanted(cfg, figure))
				continue;
			bench_figure(cfg, figure, variant, works[w].unit,
				     works[w].better, "vgem", object_map, vprime,
				     vgem, &ma);
			bench_figure2(cfg, figure, variant, works[w].unit,
				      works[w].better, "anon", object_map,
				      anon_map, vprime, vgem, &ma);
		}
	}
}

/* The PRIME figures of one live count, vprime against @ref. */
static void prime_figures(const struct bench_cfg *cfg, const char *variant,
			  int vprime, int ref, const char *ref_name)
{
	bench_figure_ops(cfg, "prime-export", variant, ref_name, prime_export,
			 prime_export, vprime, ref, NULL);
	bench_figure_ops(cfg, "prime-self-import", variant, ref_name,
			 prime_self_import, prime_self_import, vprime, ref,
			 NULL);
	bench_figure_ops(cfg, "prime-import-2nd-file", variant, ref_name,
			 prime_import_second, prime_import_second, vprime, ref,
			 NULL);
	bench_figure_ops(cfg, "prime-foreign-import", variant, ref_name,
			 prime_foreign_import, prime_foreign_import, vprime,
			 ref, NULL);
}

/* A file of the device and a second file, or exit. */
static void open_files(int i, const char *driver, unsigned int index, int fd)
{
	second[i].fd = fd;
	second[i].second = vprime_open_driver(driver, VPRIME_PRIMARY, index);
	if (second[i].second < 0) {
		fprintf(stderr, "vprime-bench: %s\n", vprime_error());
		exit(1);
	}
}

void bench_drm(const struct bench_cfg *cfg, int vprime, int vgem)
{
	static const struct dims sizes[] = {
		{ 32, 32 }, { 512, 512 }, { 2048, 2048 },
	};
	static const char * const size_name[] = { "4KiB", "1MiB", "16MiB" };
	struct bulk_arg bulk = { .bytes = cfg->bulk_small_bytes, .small = true };
	struct slab_arg slab = { 0 };
	struct live lv, lg, ls;
	char variant[32];
	int i, self;

	/* the ops/s loops: one slice of a pair each call */
	ops = cfg->ops / cfg->slices;
	open_files(0, "vprime", 0, vprime);
	open_files(1, "vgem", 0, vgem);
	/*
	 * A second vprime device (num_devices=2) runs the PRIME figures
	 * against vprime itself: the same code on both sides, so those
	 * ratios show how far from 1.00 this bench reads for equal costs.
	 */
	self = vprime_open_driver("vprime", VPRIME_PRIMARY, 1);
	if (self >= 0)
		open_files(2, "vprime", 1, self);
	else if (bench_wanted(cfg, "prime-"))
		printf("(one vprime device: no vprime-against-itself figures)\n");
	for (i = 0; i < 3 && bench_wanted(cfg, "prime-"); i++) {
		/* the figure's own object makes the count */
		live_make(&lv, vprime, cfg->live[i] - 1);
		live_make(&lg, vgem, cfg->live[i] - 1);
		snprintf(variant, sizeof(variant), "%d-live", cfg->live[i]);
		prime_figures(cfg, variant, vprime, vgem, "vgem");
		live_free(&lg, vgem);
		if (self >= 0) {
			live_make(&ls, self, cfg->live[i] - 1);
			prime_figures(cfg, variant, vprime, self, "vprime");
			live_free(&ls, self);
		}
		live_free(&lv, vprime);
	}
	for (i = 0; i < 3 && bench_wanted(cfg, "create-destroy"); i++)
		bench_figure_ops(cfg, "create-destroy", size_name[i], "vgem",
				 create_destroy, create_destroy, vprime, vgem,
				 &sizes[i]);

	bench_maps(cfg, vprime, vgem);
	for (i = 0; i < (self >= 0 ? 3 : 2); i++)
		close(second[i].second);
	if (self >= 0)
		close(self);

	snprintf(variant, sizeof(variant), "%d-objects", cfg->slab_objects);
	slab.objects = cfg->slab_objects;
	bench_figure(cfg, "slab-per-object", variant, "bytes", LOWER, "vgem",
		     slab_per_object, vprime, vgem, &slab);
	slab.exported = true;
	bench_figure(cfg, "slab-per-exported-object", variant, "bytes", LOWER,
		     "vgem", slab_per_object, vprime, vgem, &slab);

	snprintf(variant, sizeof(variant), "%lluKiB-in-4KiB",
		 (unsigned long long)(bulk.bytes >> 10));
	bench_figure(cfg, "bulk-alloc", variant, "MiB/s", HIGHER, "vgem",
		     bulk_alloc, vprime, vgem, &bulk);
	bulk.bytes = cfg->bulk_bytes;
	bulk.small = false;
	snprintf(variant, sizeof(variant), "%lluMiB-in-one",
		 (unsigned long long)(bulk.bytes >> 20));
	bench_figure(cfg, "bulk-alloc", variant, "MiB/s", HIGHER, "vgem",
		     bulk_alloc, vprime, vgem, &bulk);
}
