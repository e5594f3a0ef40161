/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cenalloc constraint logic: the types and pure functions that decide
 * whether devices can share a buffer and which allocator can back it.
 *
 * This header and cenalloc_constraints.c build both in the kernel and in
 * host unit tests, so they use only __uN types, bool and errno values.
 */
#ifndef _LINUX_CENALLOC_CONSTRAINTS_H
#define _LINUX_CENALLOC_CONSTRAINTS_H

#include <linux/types.h>
#ifdef __KERNEL__
#include <linux/bits.h>
#else
#include <stdbool.h>
#include <stddef.h>
#ifndef BIT
#define BIT(nr) (1U << (nr))
#endif
#endif

/* Constraint flags */
#define CENALLOC_C_CONTIGUOUS	BIT(0)	/* one physical extent */
#define CENALLOC_C_CACHED	BIT(1)	/* CPU mappings must be cached */
#define CENALLOC_C_WRITECOMBINE	BIT(2)	/* CPU mappings must be WC */
#define CENALLOC_C_ALL		(CENALLOC_C_CONTIGUOUS | CENALLOC_C_CACHED | \
				 CENALLOC_C_WRITECOMBINE)

#define CENALLOC_PAGE_SIZE	4096ULL
#define CENALLOC_NO_LIMIT	(~0ULL)
/* Nothing can be placed below ZONE_DMA's 16 MiB. */
#define CENALLOC_MIN_LIMIT	0xffffffULL
/* Longest match string of a policy rule, with its NUL. */
#define CENALLOC_MATCH_LEN	32

/**
 * struct cenalloc_constraints - what one device, or a set of devices,
 * needs of a buffer's backing storage
 * @dma_limit: highest physical address the storage may use (inclusive);
 *	%CENALLOC_NO_LIMIT when any address will do
 * @alignment: required alignment of the storage's first byte, a power of
 *	two; 0 means page alignment
 * @max_segment: largest DMA segment the device takes; 0 means no limit
 * @seg_boundary: segment boundary mask (2^n - 1): no segment may cross a
 *	multiple of @seg_boundary + 1; %CENALLOC_NO_LIMIT for none
 * @flags: %CENALLOC_C_* flags
 * @pad: zero
 */
struct cenalloc_constraints {
	__u64 dma_limit;
	__u64 alignment;
	__u64 max_segment;
	__u64 seg_boundary;
	__u32 flags;
	__u32 pad;
};

/**
 * enum cenalloc_conflict - why constraints cannot be met
 * @CENALLOC_OK: no conflict
 * @CENALLOC_CONFLICT_CACHING: one side needs cached, the other WC mappings
 * @CENALLOC_CONFLICT_ALIGNMENT: bad alignment, or none fits under the limit
 * @CENALLOC_CONFLICT_SEGMENT: maximum segment smaller than a page
 * @CENALLOC_CONFLICT_BOUNDARY: segment boundary not 2^n - 1 or below a page
 * @CENALLOC_CONFLICT_LIMIT: DMA limit below what any memory can give
 * @CENALLOC_CONFLICT_FLAGS: unknown flags or non-zero padding
 * @CENALLOC_CONFLICT_CONTIGUOUS: storage is scattered, contiguity needed
 * @CENALLOC_CONFLICT_PLACEMENT: storage lies above the DMA limit
 * @CENALLOC_CONFLICT_COUNT: number of values
 */
enum cenalloc_conflict {
	CENALLOC_OK,
	CENALLOC_CONFLICT_CACHING,
	CENALLOC_CONFLICT_ALIGNMENT,
	CENALLOC_CONFLICT_SEGMENT,
	CENALLOC_CONFLICT_BOUNDARY,
	CENALLOC_CONFLICT_LIMIT,
	CENALLOC_CONFLICT_FLAGS,
	CENALLOC_CONFLICT_CONTIGUOUS,
	CENALLOC_CONFLICT_PLACEMENT,
	CENALLOC_CONFLICT_COUNT,
};

/**
 * struct cenalloc_segment - one physically contiguous run of storage
 * @addr: physical address of the first byte
 * @len: length in bytes
 */
struct cenalloc_segment {
	__u64 addr;
	__u64 len;
};

/**
 * struct cenalloc_alloc_caps - what an allocator can guarantee
 * @addr_limit: highest physical address it may return (inclusive)
 * @max_size: largest buffer it can provide; 0 when unlimited
 * @max_align: largest start alignment it guarantees
 * @contiguous: whether it always returns one extent
 */
struct cenalloc_alloc_caps {
	__u64 addr_limit;
	__u64 max_size;
	__u64 max_align;
	bool contiguous;
};

void cenalloc_constraints_init(struct cenalloc_constraints *c);
enum cenalloc_conflict
cenalloc_constraints_validate(const struct cenalloc_constraints *c);
enum cenalloc_conflict
cenalloc_constraints_combine(struct cenalloc_constraints *out,
			     const struct cenalloc_constraints *a,
			     const struct cenalloc_constraints *b);
const char *cenalloc_conflict_str(enum cenalloc_conflict conflict);
enum cenalloc_conflict
cenalloc_segments_satisfy(const struct cenalloc_segment *segs,
			  unsigned int nsegs, __u32 caching,
			  const struct cenalloc_constraints *c);
__u64 cenalloc_seg_chunk(__u64 addr, __u64 len,
			 const struct cenalloc_constraints *c);
int cenalloc_pick_allocator(const struct cenalloc_alloc_caps *caps,
			    unsigned int ncaps,
			    const struct cenalloc_constraints *c, __u64 size);
int cenalloc_constraints_format(char *buf, size_t len,
				const struct cenalloc_constraints *c);
int cenalloc_policy_parse(const char *line, char *match, size_t match_len,
			  struct cenalloc_constraints *c);

#endif /* _LINUX_CENALLOC_CONSTRAINTS_H */
