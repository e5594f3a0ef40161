/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cenalloc: the in-kernel API of the constraints-aware dma-buf exporter.
 */
#ifndef _LINUX_CENALLOC_H
#define _LINUX_CENALLOC_H

#include <linux/bits.h>
#include <linux/cenalloc_constraints.h>
#include <linux/mm_types.h>
#include <linux/types.h>

struct cenalloc_buffer;
struct dma_buf;
struct dma_resv;
struct device;
struct iosys_map;

/* Creation flags: constraints the creator itself imposes. */
#define CENALLOC_CREATE_CONTIGUOUS	BIT(0)
#define CENALLOC_CREATE_DMA32		BIT(1)
#define CENALLOC_CREATE_WRITECOMBINE	BIT(2)
#define CENALLOC_CREATE_ALL		(CENALLOC_CREATE_CONTIGUOUS | \
					 CENALLOC_CREATE_DMA32 | \
					 CENALLOC_CREATE_WRITECOMBINE)

/* Largest buffer cenalloc creates. */
#define CENALLOC_MAX_SIZE		(16ULL << 30)

/**
 * enum cenalloc_allocator_id - the allocators of the pool, in order
 * @CENALLOC_ALLOCATOR_NONE: no storage yet
 * @CENALLOC_ALLOCATOR_SYSTEM: scattered pages, high orders first
 * @CENALLOC_ALLOCATOR_DMA32: scattered pages below 4 GiB
 * @CENALLOC_ALLOCATOR_CONTIG: one buddy block below 4 GiB (up to 4 MiB)
 * @CENALLOC_ALLOCATOR_RESERVE: contiguous, from the reserve set aside at
 *	module load (below 4 GiB)
 * @CENALLOC_ALLOCATOR_COUNT: number of values
 */
enum cenalloc_allocator_id {
	CENALLOC_ALLOCATOR_NONE,
	CENALLOC_ALLOCATOR_SYSTEM,
	CENALLOC_ALLOCATOR_DMA32,
	CENALLOC_ALLOCATOR_CONTIG,
	CENALLOC_ALLOCATOR_RESERVE,
	CENALLOC_ALLOCATOR_COUNT,
};

/* Bits of &cenalloc_buffer_state.flags; the uAPIs use the same values. */
#define CENALLOC_BUFFER_ALLOCATED	BIT(0)	/* storage exists */
#define CENALLOC_BUFFER_CONTIGUOUS	BIT(1)	/* one physical extent */
#define CENALLOC_BUFFER_BELOW_4G	BIT(2)	/* all of it below 4 GiB */
#define CENALLOC_BUFFER_WRITECOMBINE	BIT(3)	/* WC CPU mappings */

/**
 * struct cenalloc_buffer_state - what cenalloc_buffer_query() reports
 * @size: buffer size in bytes
 * @flags: %CENALLOC_BUFFER_* bits
 * @allocator: which allocator backs it (%CENALLOC_ALLOCATOR_NONE if none)
 * @num_segments: physically contiguous extents of the storage
 * @max_address: highest physical address used (0 without storage)
 * @num_attachments: devices attached
 * @num_mapped: attachments currently mapped
 * @vmap_count: kernel mappings (vmap) in use
 * @migrations: times the storage moved to meet a new attachment
 * @combined: constraints of the creator and every attached device
 */
struct cenalloc_buffer_state {
	u64 size;
	u32 flags;
	enum cenalloc_allocator_id allocator;
	unsigned int num_segments;
	u64 max_address;
	unsigned int num_attachments;
	unsigned int num_mapped;
	unsigned int vmap_count;
	unsigned int migrations;
	struct cenalloc_constraints combined;
};

/**
 * CENALLOC_STATE_TO_UAPI() - copy the fields every placement query reports
 * @args: a uAPI struct with the fields of &struct cenalloc_info_data from
 *	@allocator to @vmap_count (cenalloc's INFO, vprime's GEM_INFO)
 * @st: a &struct cenalloc_buffer_state
 *
 * The state bits are left to the caller, which may add its own.
 */
#define CENALLOC_STATE_TO_UAPI(args, st) do {				\
	typeof(args) __u = (args);					\
	const struct cenalloc_buffer_state *__s = (st);			\
									\
	__u->allocator = __s->allocator;				\
	__u->num_segments = __s->num_segments;				\
	__u->num_attachments = __s->num_attachments;			\
	__u->max_address = __s->max_address;				\
	__u->dma_limit = __s->combined.dma_limit;			\
	__u->alignment = __s->combined.alignment;			\
	__u->max_segment = __s->combined.max_segment;			\
	__u->seg_boundary = __s->combined.seg_boundary;			\
	__u->constraint_flags = __s->combined.flags;			\
	__u->num_mapped = __s->num_mapped;				\
	__u->migrations = __s->migrations;				\
	__u->vmap_count = __s->vmap_count;				\
} while (0)

/**
 * struct cenalloc_owner_ops - callbacks into the object that wraps a buffer
 *
 * A driver whose objects are cenalloc buffers (vprime's GEM objects)
 * registers these with cenalloc_buffer_set_owner(); their address also
 * identifies the owner's driver to cenalloc_dma_buf_owner_rcu().
 * @zap_cpu_mappings is called with the buffer's lock held and may not call
 * back into cenalloc for the same buffer.
 */
struct cenalloc_owner_ops {
	/**
	 * @zap_cpu_mappings: remove every user mapping of the buffer that
	 * the owner made (its own mmap path), so the next access faults on
	 * the buffer's new storage.  Called when the storage moves.
	 * Optional.
	 */
	void (*zap_cpu_mappings)(void *owner);
};

struct cenalloc_buffer *cenalloc_buffer_create(u64 size, u32 flags);
void cenalloc_buffer_get(struct cenalloc_buffer *buf);
void cenalloc_buffer_put(struct cenalloc_buffer *buf);
struct dma_buf *cenalloc_buffer_export(struct cenalloc_buffer *buf,
				       const char *exp_name, int fd_flags);
struct cenalloc_buffer *cenalloc_buffer_from_dma_buf(struct dma_buf *dmabuf);
u64 cenalloc_buffer_size(struct cenalloc_buffer *buf);
struct dma_resv *cenalloc_buffer_resv(struct cenalloc_buffer *buf);

void cenalloc_buffer_set_owner(struct cenalloc_buffer *buf,
			       const struct cenalloc_owner_ops *ops,
			       void *owner);
void *cenalloc_dma_buf_owner_rcu(struct dma_buf *dmabuf,
				 const struct cenalloc_owner_ops *ops);

int cenalloc_buffer_mmap_prepare(struct cenalloc_buffer *buf,
				 struct vm_area_struct *vma, pgoff_t pgoff);
vm_fault_t cenalloc_buffer_fault(struct cenalloc_buffer *buf,
				 struct vm_fault *vmf, pgoff_t pgoff);
vm_fault_t cenalloc_buffer_huge_fault(struct cenalloc_buffer *buf,
				      struct vm_fault *vmf, pgoff_t pgoff,
				      unsigned int order);
int cenalloc_buffer_vmap(struct cenalloc_buffer *buf, struct iosys_map *map);
void cenalloc_buffer_vunmap(struct cenalloc_buffer *buf,
			    struct iosys_map *map);
void cenalloc_buffer_query(struct cenalloc_buffer *buf,
			   struct cenalloc_buffer_state *state);
void cenalloc_state_hide_addresses(struct cenalloc_buffer_state *state);

const char *cenalloc_allocator_name(enum cenalloc_allocator_id id);

int cenalloc_device_declare(struct device *dev,
			    const struct cenalloc_constraints *c);
void cenalloc_device_forget(struct device *dev);

#endif /* _LINUX_CENALLOC_H */
