// SPDX-License-Identifier: GPL-2.0
/*
 * cenalloc: the allocator pool.
 *
 * Four allocators, tried in this order, the first whose capabilities meet
 * the combined constraints winning (cenalloc_pick_allocator()):
 *
 * - system: one buddy block for buffers of up to 4 MiB when one is free
 *   without reclaim (contiguity for free: dma-contig importers then work
 *   without a policy), else scattered pages, 1 MiB and 64 KiB blocks first;
 * - dma32: the same below 4 GiB;
 * - contig: one buddy block below 4 GiB, up to 4 MiB (MAX_PAGE_ORDER);
 * - reserve: contiguous ranges of a region below 4 GiB set aside at module
 *   load, for contiguous buffers larger than a buddy block.
 *
 * The kernel has no CMA and does not export alloc_contig_pages(), so the
 * reserve is built from 4 MiB buddy blocks that happen to be physically
 * adjacent: at load, cenalloc takes up to four times the blocks it needs
 * from ZONE_DMA32, keeps the longest adjacent run (up to reserve_mb) and
 * gives the rest back.  This works on a freshly booted machine and may
 * yield a smaller reserve, or none, once memory is fragmented; the size
 * obtained is logged and shown in debugfs.  A request nothing can meet
 * fails with -ENOMEM.
 */

#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/highmem.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/cenalloc_compat.h>

#include "cenalloc_drv.h"

static unsigned int cenalloc_reserve_mb = 64;
module_param_named(reserve_mb, cenalloc_reserve_mb, uint, 0444);
MODULE_PARM_DESC(reserve_mb,
		 "Contiguous memory below 4 GiB set aside at load, in MiB (default 64)");

#define CENALLOC_BLOCK_ORDER	MAX_PAGE_ORDER
#define CENALLOC_BLOCK_PAGES	BIT(CENALLOC_BLOCK_ORDER)
#define CENALLOC_BLOCK_SIZE	(PAGE_SIZE << CENALLOC_BLOCK_ORDER)
#define CENALLOC_LIMIT_4G	0xffffffffULL

/*
 * High orders first, as the system heap does: fewer, larger segments.
 * The first is the PMD's order, so that CPU mappings can map such a block
 * with one PMD where the kernel allows it (cenalloc_buffer_huge_fault()).
 */
static const unsigned int cenalloc_orders[] = { PMD_SHIFT - PAGE_SHIFT, 8, 4, 0 };

/*
 * Blocks the buffer uses whole are compound pages, as the system heap
 * allocates them, and go back as one block: split into pages, a 1 MiB
 * block took 256 frees through the per-CPU lists, which made allocating
 * and freeing a 1 MiB buffer 0.75x the heap's rate.  A driver that takes a
 * reference on any page of such a block takes it on the block.  Only a
 * block larger than the buffer is split, to give its tail back.
 */
static gfp_t cenalloc_block_gfp(unsigned long pages, unsigned int order)
{
	return order && pages >= (1UL << order) ? __GFP_COMP : 0;
}

/* Free @n pages of a storage: whole compound blocks, or single pages. */
static void cenalloc_free_pages_array(struct page **pages, unsigned long n)
{
	unsigned long i = 0;
	unsigned int order;

	while (i < n) {
		order = PageHead(pages[i]) ? compound_order(pages[i]) : 0;
		__free_pages(pages[i], order);
		i += 1UL << order;
	}
}

/* Put a block of 2^@order pages at the head of @st; a larger one is split. */
static void cenalloc_take_block(struct cenalloc_storage *st, struct page *page,
				unsigned int order)
{
	unsigned long i;

	if (!PageHead(page) && order)
		split_page(page, order);
	for (i = 0; i < (1UL << order); i++) {
		if (i < st->nr_pages)
			st->pages[i] = page + i;
		else
			__free_page(page + i);
	}
}

/*
 * One block for the whole buffer if the buddy allocator has one at hand:
 * no reclaim, no compaction, no warning.  The tail past the buffer goes
 * back at once.
 */
static bool cenalloc_pages_one_block(struct cenalloc_storage *st, gfp_t zone)
{
	unsigned int order = get_order(st->nr_pages << PAGE_SHIFT);
	struct page *page;

	if (st->nr_pages < 2 || order > CENALLOC_BLOCK_ORDER)
		return false;
	page = alloc_pages((GFP_USER | zone | __GFP_ZERO | __GFP_ACCOUNT |
			    __GFP_NOWARN | __GFP_NORETRY |
			    cenalloc_block_gfp(st->nr_pages, order)) &
			   ~__GFP_RECLAIM, order);
	if (!page)
		return false;
	cenalloc_take_block(st, page, order);
	return true;
}

static int cenalloc_pages_alloc(struct cenalloc_storage *st, gfp_t zone)
{
	unsigned long i = 0, j;
	struct page *page;
	unsigned int k, order;
	gfp_t gfp;

	if (cenalloc_pages_one_block(st, zone))
		return 0;

	while (i < st->nr_pages) {
		if (fatal_signal_pending(current)) {
			cenalloc_free_pages_array(st->pages, i);
			return -EINTR;
		}
		page = NULL;
		for (k = 0; k < ARRAY_SIZE(cenalloc_orders); k++) {
			order = cenalloc_orders[k];
			if ((1UL << order) > st->nr_pages - i)
				continue;
			/*
			 * Charged to the caller's memory cgroup, and failing
			 * with -ENOMEM rather than calling the OOM killer on
			 * bystanders: the user asked for the size.
			 */
			gfp = GFP_USER | zone | __GFP_ZERO | __GFP_ACCOUNT |
			      __GFP_NOWARN | (order ? __GFP_COMP : 0);
			gfp |= order ? __GFP_NORETRY : __GFP_RETRY_MAYFAIL;
			page = alloc_pages(gfp, order);
			if (page)
				break;
		}
		if (!page) {
			cenalloc_free_pages_array(st->pages, i);
			return -ENOMEM;
		}
		for (j = 0; j < (1UL << order); j++)
			st->pages[i++] = page + j;
		cond_resched();
	}
	return 0;
}

static int cenalloc_system_alloc(struct cenalloc_storage *st,
				 const struct cenalloc_constraints *c)
{
	return cenalloc_pages_alloc(st, 0);
}

static int cenalloc_dma32_alloc(struct cenalloc_storage *st,
				const struct cenalloc_constraints *c)
{
	return cenalloc_pages_alloc(st, GFP_DMA32);
}

static void cenalloc_pages_free(struct cenalloc_storage *st)
{
	cenalloc_free_pages_array(st->pages, st->nr_pages);
}

static int cenalloc_contig_alloc(struct cenalloc_storage *st,
				 const struct cenalloc_constraints *c)
{
	u64 need = max_t(u64, st->nr_pages << PAGE_SHIFT, c->alignment);
	unsigned int order = get_order(need);
	struct page *page;

	if (order > CENALLOC_BLOCK_ORDER)
		return -ENOMEM;
	page = alloc_pages(GFP_USER | GFP_DMA32 | __GFP_ZERO | __GFP_ACCOUNT |
			   __GFP_NOWARN | __GFP_RETRY_MAYFAIL |
			   cenalloc_block_gfp(st->nr_pages, order), order);
	if (!page)
		return -ENOMEM;
	cenalloc_take_block(st, page, order);
	return 0;
}

/**
 * struct cenalloc_reserve - the contiguous region set aside at load
 * @lock: protects @map
 * @base_pfn: first page frame of the region (4 MiB aligned)
 * @nr_pages: size of the region in pages; 0 when there is none
 * @map: one bit per page, set while allocated; protected by @lock
 */
struct cenalloc_reserve {
	/* protects @map */
	struct mutex lock;
	unsigned long base_pfn;
	unsigned long nr_pages;
	unsigned long *map;
};

static struct cenalloc_reserve cenalloc_reserve = {
	.lock = __MUTEX_INITIALIZER(cenalloc_reserve.lock),
};

static int cenalloc_reserve_alloc(struct cenalloc_storage *st,
				  const struct cenalloc_constraints *c)
{
	struct cenalloc_reserve *r = &cenalloc_reserve;
	u64 align = max_t(u64, c->alignment, PAGE_SIZE);
	unsigned long start, i;

	mutex_lock(&r->lock);
	start = bitmap_find_next_zero_area(r->map, r->nr_pages, 0,
					   st->nr_pages,
					   (align >> PAGE_SHIFT) - 1);
	if (start >= r->nr_pages) {
		mutex_unlock(&r->lock);
		return -ENOMEM;
	}
	bitmap_set(r->map, start, st->nr_pages);
	mutex_unlock(&r->lock);

	for (i = 0; i < st->nr_pages; i++) {
		st->pages[i] = pfn_to_page(r->base_pfn + start + i);
		clear_highpage(st->pages[i]);
		if (!(i & 255))
			cond_resched();
	}
	return 0;
}

static void cenalloc_reserve_free(struct cenalloc_storage *st)
{
	struct cenalloc_reserve *r = &cenalloc_reserve;
	unsigned long start = page_to_pfn(st->pages[0]) - r->base_pfn;

	mutex_lock(&r->lock);
	bitmap_clear(r->map, start, st->nr_pages);
	mutex_unlock(&r->lock);
}

static int cenalloc_cmp_pfn(const void *a, const void *b)
{
	unsigned long pa = page_to_pfn(*(struct page *const *)a);
	unsigned long pb = page_to_pfn(*(struct page *const *)b);

	return pa < pb ? -1 : pa > pb;
}

static int cenalloc_reserve_init(void)
{
	struct cenalloc_reserve *r = &cenalloc_reserve;
	unsigned long want = (unsigned long)cenalloc_reserve_mb * SZ_1M /
			     CENALLOC_BLOCK_SIZE;
	unsigned long tries = min(want * 4, 4096UL), n = 0, i, mib;
	unsigned long best = 0, best_len = 0, run = 0, keep;
	struct page **blocks;

	if (!want)
		return 0;
	blocks = kvmalloc_array(tries, sizeof(*blocks), CENALLOC_GFP_META);
	if (!blocks)
		return -ENOMEM;
	while (n < tries) {
		blocks[n] = alloc_pages(GFP_USER | GFP_DMA32 | __GFP_NOWARN |
					__GFP_NORETRY, CENALLOC_BLOCK_ORDER);
		if (!blocks[n])
			break;
		n++;
	}
	sort(blocks, n, sizeof(*blocks), cenalloc_cmp_pfn, NULL);
	for (i = 0; i < n; i++) {
		if (i && page_to_pfn(blocks[i]) ==
			 page_to_pfn(blocks[i - 1]) + CENALLOC_BLOCK_PAGES)
			run++;
		else
			run = 1;
		if (run > best_len) {
			best_len = run;
			best = i + 1 - run;
		}
	}
	keep = min(best_len, want);
	for (i = 0; i < n; i++) {
		if (i >= best && i < best + keep)
			continue;
		__free_pages(blocks[i], CENALLOC_BLOCK_ORDER);
	}
	if (keep) {
		r->map = bitmap_zalloc(keep * CENALLOC_BLOCK_PAGES, GFP_KERNEL);
		if (!r->map) {
			for (i = best; i < best + keep; i++)
				__free_pages(blocks[i], CENALLOC_BLOCK_ORDER);
			kvfree(blocks);
			return -ENOMEM;
		}
		for (i = best; i < best + keep; i++)
			split_page(blocks[i], CENALLOC_BLOCK_ORDER);
		r->base_pfn = page_to_pfn(blocks[best]);
		r->nr_pages = keep * CENALLOC_BLOCK_PAGES;
	}
	kvfree(blocks);

	mib = r->nr_pages << PAGE_SHIFT >> 20;
	if (mib < cenalloc_reserve_mb)
		pr_info("cenalloc: reserve is %lu MiB of the %u MiB asked for (memory is fragmented)\n",
			mib, cenalloc_reserve_mb);
	return 0;
}

static void cenalloc_reserve_exit(void)
{
	struct cenalloc_reserve *r = &cenalloc_reserve;
	unsigned long i;

	for (i = 0; i < r->nr_pages; i++)
		__free_page(pfn_to_page(r->base_pfn + i));
	bitmap_free(r->map);
	r->map = NULL;
	r->nr_pages = 0;
}

static struct cenalloc_allocator cenalloc_system = {
	.name = "system",
	.caps = { .addr_limit = CENALLOC_NO_LIMIT, .max_align = PAGE_SIZE },
	.alloc = cenalloc_system_alloc,
	.free = cenalloc_pages_free,
};

static struct cenalloc_allocator cenalloc_dma32 = {
	.name = "dma32",
	.caps = { .addr_limit = CENALLOC_LIMIT_4G, .max_align = PAGE_SIZE },
	.alloc = cenalloc_dma32_alloc,
	.free = cenalloc_pages_free,
};

static struct cenalloc_allocator cenalloc_contig = {
	.name = "contig",
	.caps = {
		.addr_limit = CENALLOC_LIMIT_4G,
		.max_size = CENALLOC_BLOCK_SIZE,
		.max_align = CENALLOC_BLOCK_SIZE,
		.contiguous = true,
	},
	.alloc = cenalloc_contig_alloc,
	.free = cenalloc_pages_free,
};

static struct cenalloc_allocator cenalloc_reserved = {
	.name = "reserve",
	.caps = {
		.addr_limit = CENALLOC_LIMIT_4G,
		.max_align = CENALLOC_BLOCK_SIZE,
		.contiguous = true,
	},
	.alloc = cenalloc_reserve_alloc,
	.free = cenalloc_reserve_free,
};

/* Indexed by enum cenalloc_allocator_id; [NONE] stays NULL. */
struct cenalloc_allocator *cenalloc_pool[CENALLOC_ALLOCATOR_COUNT] = {
	[CENALLOC_ALLOCATOR_SYSTEM] = &cenalloc_system,
	[CENALLOC_ALLOCATOR_DMA32] = &cenalloc_dma32,
	[CENALLOC_ALLOCATOR_CONTIG] = &cenalloc_contig,
	[CENALLOC_ALLOCATOR_RESERVE] = &cenalloc_reserved,
};

static bool cenalloc_allocator_available(enum cenalloc_allocator_id id)
{
	return id != CENALLOC_ALLOCATOR_RESERVE || cenalloc_reserve.nr_pages;
}

/* The capabilities of the allocators present, and their ids. */
static unsigned int cenalloc_pool_caps(struct cenalloc_alloc_caps *caps,
				       enum cenalloc_allocator_id *ids)
{
	unsigned int n = 0;
	int i;

	for (i = CENALLOC_ALLOCATOR_SYSTEM; i < CENALLOC_ALLOCATOR_COUNT; i++) {
		if (!cenalloc_allocator_available(i))
			continue;
		caps[n] = cenalloc_pool[i]->caps;
		ids[n++] = i;
	}
	return n;
}

/**
 * cenalloc_pool_can_satisfy() - whether any allocator could ever meet
 * @size: bytes
 * @c: the combined constraints (valid)
 *
 * False means no allocation can succeed, however much memory is free:
 * such requests are refused when they are made (create, attach), not at
 * the first map, fault or vmap.
 *
 * Storage is never swapped or moved by the kernel, so a buffer larger than
 * the machine's memory is never satisfiable either.
 *
 * Return: true when an allocator of the pool has the capabilities.
 */
bool cenalloc_pool_can_satisfy(u64 size, const struct cenalloc_constraints *c)
{
	struct cenalloc_alloc_caps caps[CENALLOC_ALLOCATOR_COUNT];
	enum cenalloc_allocator_id ids[CENALLOC_ALLOCATOR_COUNT];
	unsigned int n = cenalloc_pool_caps(caps, ids);

	if (size >> PAGE_SHIFT > totalram_pages())
		return false;
	return cenalloc_pick_allocator(caps, n, c, size) >= 0;
}

/*
 * The arrays of a storage, embedded in it when they have one entry: a
 * small buffer, or one that got a single block, allocates no array.
 */
static struct page **cenalloc_pages_array(struct cenalloc_storage *st)
{
	if (st->nr_pages == 1)
		return &st->page1;
	return kvmalloc_array(st->nr_pages, sizeof(*st->pages),
			      CENALLOC_GFP_META);
}

static void cenalloc_pages_array_free(struct cenalloc_storage *st)
{
	if (st->pages != &st->page1)
		kvfree(st->pages);
}

static void cenalloc_segs_free(struct cenalloc_storage *st)
{
	if (st->segs != &st->seg1)
		kvfree(st->segs);
	st->segs = NULL;
}

/* Merge the pages into physically contiguous extents. */
static int cenalloc_storage_build_segs(struct cenalloc_storage *st)
{
	unsigned long i;
	unsigned int n = 1;
	u64 addr;

	for (i = 1; i < st->nr_pages; i++)
		if (page_to_pfn(st->pages[i]) != page_to_pfn(st->pages[i - 1]) + 1)
			n++;
	if (n == 1)
		st->segs = &st->seg1;
	else
		st->segs = kvmalloc_array(n, sizeof(*st->segs),
					  CENALLOC_GFP_META);
	if (!st->segs)
		return -ENOMEM;
	st->nsegs = 0;
	st->max_address = 0;
	for (i = 0; i < st->nr_pages; i++) {
		addr = page_to_phys(st->pages[i]);
		if (i && addr == st->segs[st->nsegs - 1].addr +
				 st->segs[st->nsegs - 1].len) {
			st->segs[st->nsegs - 1].len += PAGE_SIZE;
		} else {
			st->segs[st->nsegs].addr = addr;
			st->segs[st->nsegs].len = PAGE_SIZE;
			st->nsegs++;
		}
		st->max_address = max_t(u64, st->max_address,
					addr + PAGE_SIZE - 1);
	}
	return 0;
}

/**
 * cenalloc_storage_alloc() - allocate storage that meets constraints
 * @size: bytes, page aligned
 * @c: the combined constraints (valid)
 * @why: set to a reason when it fails
 *
 * Tries, in pool order, every allocator whose capabilities meet @c, and
 * checks what it returned against @c before using it.
 *
 * Context: process context, may sleep; no locks required.
 * Return: the storage, or ERR_PTR(-ENOMEM) (-EINTR on a fatal signal).
 */
struct cenalloc_storage *cenalloc_storage_alloc(u64 size,
						const struct cenalloc_constraints *c,
						const char **why)
{
	struct cenalloc_alloc_caps caps[CENALLOC_ALLOCATOR_COUNT];
	enum cenalloc_allocator_id ids[CENALLOC_ALLOCATOR_COUNT];
	struct cenalloc_storage *st;
	struct cenalloc_allocator *a;
	unsigned int n = cenalloc_pool_caps(caps, ids), first = 0;
	int i, ret = -ENOMEM;

	*why = "no allocator in the pool can meet the constraints";
	/*
	 * More than free plus reclaimable memory cannot succeed: fail now
	 * rather than reclaim everything first (__GFP_RETRY_MAYFAIL gives up
	 * only once reclaim makes no progress).  What fits in half the free
	 * pages (one counter read) needs no such estimate, which walks every
	 * zone.
	 */
	if (size >> PAGE_SHIFT > global_zone_page_state(NR_FREE_PAGES) / 2 &&
	    size >> PAGE_SHIFT > (u64)max(si_mem_available(), 0L)) {
		*why = "more than the available memory";
		return ERR_PTR(-ENOMEM);
	}

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return ERR_PTR(-ENOMEM);
	st->nr_pages = size >> PAGE_SHIFT;
	st->caching = (c->flags & CENALLOC_C_WRITECOMBINE) ?
		      CENALLOC_C_WRITECOMBINE : CENALLOC_C_CACHED;
	st->pages = cenalloc_pages_array(st);
	if (!st->pages)
		goto err_free_st;

	while (first < n) {
		i = cenalloc_pick_allocator(caps + first, n - first, c, size);
		if (i < 0)
			break;
		first += i;
		a = cenalloc_pool[ids[first]];
		ret = a->alloc(st, c);
		if (ret == -EINTR)
			goto err_free_pages_array;
		if (ret) {
			atomic64_inc(&a->nr_failures);
			*why = "the allocators that could meet the constraints are out of memory";
			first++;
			continue;
		}
		st->allocator = ids[first];
		ret = cenalloc_storage_build_segs(st);
		if (ret) {
			a->free(st);
			goto err_free_pages_array;
		}
		if (cenalloc_segments_satisfy(st->segs, st->nsegs, st->caching,
					      c) != CENALLOC_OK) {
			/* The allocator did not keep its promise. */
			atomic64_inc(&a->nr_failures);
			cenalloc_segs_free(st);
			a->free(st);
			ret = -ENOMEM;
			first++;
			continue;
		}
		/* Zeroed through the cached linear map, then made WC. */
		if (st->caching == CENALLOC_C_WRITECOMBINE &&
		    cenalloc_set_pages_wc(st->pages, st->nr_pages)) {
			cenalloc_segs_free(st);
			a->free(st);
			ret = -ENOMEM;
			goto err_free_pages_array;
		}
		atomic64_inc(&a->nr_allocs);
		atomic64_add(size, &a->bytes);
		return st;
	}
	ret = -ENOMEM;

err_free_pages_array:
	cenalloc_pages_array_free(st);
err_free_st:
	kfree(st);
	return ERR_PTR(ret);
}

/**
 * cenalloc_storage_free() - give storage back to its allocator
 * @st: the storage; nothing may map it any more
 */
void cenalloc_storage_free(struct cenalloc_storage *st)
{
	struct cenalloc_allocator *a = cenalloc_pool[st->allocator];

	atomic64_sub(st->nr_pages << PAGE_SHIFT, &a->bytes);
	if (st->caching == CENALLOC_C_WRITECOMBINE)
		cenalloc_set_pages_wb(st->pages, st->nr_pages);
	a->free(st);
	cenalloc_segs_free(st);
	cenalloc_pages_array_free(st);
	kfree(st);
}

/**
 * cenalloc_alloc_show() - print the pool for debugfs
 * @m: the seq_file
 */
void cenalloc_alloc_show(struct seq_file *m)
{
	struct cenalloc_allocator *a;
	int i;

	seq_puts(m, "allocator  available  allocs  failures  bytes\n");
	for (i = CENALLOC_ALLOCATOR_SYSTEM; i < CENALLOC_ALLOCATOR_COUNT; i++) {
		a = cenalloc_pool[i];
		seq_printf(m, "%-10s %-10s %6lld  %8lld  %lld\n", a->name,
			   cenalloc_allocator_available(i) ? "yes" : "no",
			   atomic64_read(&a->nr_allocs),
			   atomic64_read(&a->nr_failures),
			   atomic64_read(&a->bytes));
	}
	seq_printf(m, "reserve: %lu MiB at %#llx\n",
		   cenalloc_reserve.nr_pages >> (20 - PAGE_SHIFT),
		   (u64)cenalloc_reserve.base_pfn << PAGE_SHIFT);
}

/**
 * cenalloc_alloc_init() - set up the pool (the reserve)
 *
 * Return: 0 or -ENOMEM.
 */
int cenalloc_alloc_init(void)
{
	int ret = cenalloc_reserve_init();

	cenalloc_reserved.caps.max_size = cenalloc_reserve.nr_pages << PAGE_SHIFT;
	return ret;
}

/**
 * cenalloc_alloc_exit() - release the reserve; no storage may be left
 */
void cenalloc_alloc_exit(void)
{
	cenalloc_reserve_exit();
}
