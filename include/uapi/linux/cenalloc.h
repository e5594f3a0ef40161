/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * cenalloc: userspace API of /dev/cenalloc, the central constraints-aware
 * dma-buf allocator.
 */
#ifndef _UAPI_LINUX_CENALLOC_H
#define _UAPI_LINUX_CENALLOC_H

#include <linux/ioctl.h>
#include <linux/types.h>

#if defined(__cplusplus)
extern "C" {
#endif

/* Creation flags of &struct cenalloc_alloc_data and vprime's GEM_CREATE. */
#define CENALLOC_FLAG_CONTIGUOUS	(1U << 0)	/* one physical extent */
#define CENALLOC_FLAG_DMA32		(1U << 1)	/* below 4 GiB */
#define CENALLOC_FLAG_WRITECOMBINE	(1U << 2)	/* WC CPU mappings */
#define CENALLOC_FLAGS_VALID		(CENALLOC_FLAG_CONTIGUOUS | \
					 CENALLOC_FLAG_DMA32 | \
					 CENALLOC_FLAG_WRITECOMBINE)

/**
 * struct cenalloc_alloc_data - argument of %CENALLOC_IOC_ALLOC
 * @size: in: buffer size in bytes, rounded up to pages; out: the size
 * @fd_flags: in: O_CLOEXEC and the access mode (O_RDWR, O_RDONLY)
 * @flags: in: %CENALLOC_FLAG_* constraints of the allocating user
 * @fd: out: the dma-buf file descriptor
 * @pad: must be zero
 *
 * The buffer has no storage until a device maps it, the CPU maps and
 * touches it, or a CPU access (DMA_BUF_IOCTL_SYNC) begins; then storage is
 * allocated to satisfy every device attached at that time.
 */
struct cenalloc_alloc_data {
	__u64 size;
	__u32 fd_flags;
	__u32 flags;
	__s32 fd;
	__u32 pad;
};

/* Values of &struct cenalloc_info_data.allocator. */
#define CENALLOC_ALLOCATOR_ID_NONE	0	/* no storage */
#define CENALLOC_ALLOCATOR_ID_SYSTEM	1	/* scattered pages */
#define CENALLOC_ALLOCATOR_ID_DMA32	2	/* scattered, below 4 GiB */
#define CENALLOC_ALLOCATOR_ID_CONTIG	3	/* buddy block, below 4 GiB */
#define CENALLOC_ALLOCATOR_ID_RESERVE	4	/* reserve, below 4 GiB */

/* Bits of &struct cenalloc_info_data.state. */
#define CENALLOC_STATE_ALLOCATED	(1U << 0)
/* One extent: asked for if constraint_flags has CONTIGUOUS, else for free. */
#define CENALLOC_STATE_CONTIGUOUS	(1U << 1)
#define CENALLOC_STATE_BELOW_4G		(1U << 2)
#define CENALLOC_STATE_WRITECOMBINE	(1U << 3)

/* Bits of &struct cenalloc_info_data.constraint_flags. */
#define CENALLOC_CONSTRAINT_CONTIGUOUS		(1U << 0)
#define CENALLOC_CONSTRAINT_CACHED		(1U << 1)
#define CENALLOC_CONSTRAINT_WRITECOMBINE	(1U << 2)

/**
 * struct cenalloc_info_data - argument of %CENALLOC_IOC_INFO
 * @fd: in: a dma-buf file descriptor exported by cenalloc
 * @flags: in: must be zero
 * @size: out: buffer size in bytes
 * @state: out: %CENALLOC_STATE_* bits
 * @allocator: out: %CENALLOC_ALLOCATOR_ID_* of the storage
 * @num_segments: out: physically contiguous extents of the storage
 * @num_attachments: out: devices attached
 * @max_address: out: highest physical address of the storage (0 if none)
 * @dma_limit: out: combined constraints: highest usable address
 * @alignment: out: combined constraints: alignment (0: page)
 * @max_segment: out: combined constraints: largest segment (0: any)
 * @seg_boundary: out: combined constraints: segment boundary mask
 * @constraint_flags: out: combined %CENALLOC_CONSTRAINT_* flags
 * @num_mapped: out: attachments currently mapped by their device
 * @migrations: out: times the storage moved to meet a new device
 * @vmap_count: out: kernel mappings in use
 */
struct cenalloc_info_data {
	__s32 fd;
	__u32 flags;
	__u64 size;
	__u32 state;
	__u32 allocator;
	__u32 num_segments;
	__u32 num_attachments;
	__u64 max_address;
	__u64 dma_limit;
	__u64 alignment;
	__u64 max_segment;
	__u64 seg_boundary;
	__u32 constraint_flags;
	__u32 num_mapped;
	__u32 migrations;
	__u32 vmap_count;
};

#define CENALLOC_IOC_MAGIC	'C'

/**
 * CENALLOC_IOC_ALLOC - allocate a dma-buf with deferred storage
 *
 * Errors: EINVAL for a zero or too large size, unknown flags or fd_flags,
 * or non-zero pad; EMFILE/ENFILE when no file descriptor is free.
 */
#define CENALLOC_IOC_ALLOC	_IOWR(CENALLOC_IOC_MAGIC, 0x0, \
				      struct cenalloc_alloc_data)

/**
 * CENALLOC_IOC_INFO - report a cenalloc dma-buf's storage and constraints
 *
 * Works for any dma-buf cenalloc exports, including vprime's.  Errors:
 * EBADF for a bad fd, EINVAL for an fd that is not a dma-buf, ENOENT for a
 * dma-buf cenalloc did not export, EINVAL for non-zero flags.
 */
#define CENALLOC_IOC_INFO	_IOWR(CENALLOC_IOC_MAGIC, 0x1, \
				      struct cenalloc_info_data)

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_LINUX_CENALLOC_H */
