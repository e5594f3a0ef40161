/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cenalloc: private declarations shared by the framework's files.
 */
#ifndef _CENALLOC_DRV_H_
#define _CENALLOC_DRV_H_

#include <linux/atomic.h>
#include <linux/cenalloc.h>
#include <linux/dma-resv.h>
#include <linux/dma-direction.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>

struct cenalloc_quota;
struct dentry;
struct dma_buf;
struct dma_buf_attachment;
struct seq_file;

/**
 * struct cenalloc_storage - backing storage of a buffer
 * @allocator: which allocator it came from
 * @nr_pages: number of pages
 * @pages: the pages, in buffer order
 * @caching: %CENALLOC_C_CACHED or %CENALLOC_C_WRITECOMBINE
 * @nsegs: number of physically contiguous extents
 * @segs: the extents, in buffer order
 * @max_address: highest physical address used
 * @page1: @pages of a one-page storage, which allocates no array
 * @seg1: @segs of a storage that is one extent, which allocates none
 */
struct cenalloc_storage {
	enum cenalloc_allocator_id allocator;
	unsigned long nr_pages;
	struct page **pages;
	u32 caching;
	unsigned int nsegs;
	struct cenalloc_segment *segs;
	u64 max_address;
	struct page *page1;
	struct cenalloc_segment seg1;
};

/**
 * struct cenalloc_attachment - one device attached to a buffer
 * @node: entry in &cenalloc_buffer.attachments
 * @dev: the device
 * @constraints: what the device needs (declared, inferred and policy)
 * @source: where @constraints came from, for messages
 * @sgt: this attachment's DMA-mapped scatterlist while @mapped
 * @dir: direction of the current mapping
 * @mapped: whether the attachment is mapped (blocks migration)
 */
struct cenalloc_attachment {
	struct list_head node;
	struct device *dev;
	struct cenalloc_constraints constraints;
	const char *source;
	struct sg_table *sgt;
	enum dma_data_direction dir;
	bool mapped;
};

/*
 * Bookkeeping sized by a user's request (page and segment arrays): charged
 * to the caller's memory cgroup, and a failure is the caller's -ENOMEM,
 * not a kernel warning.
 */
#define CENALLOC_GFP_META	(GFP_KERNEL_ACCOUNT | __GFP_NOWARN)

/**
 * struct cenalloc_buffer - a cenalloc buffer
 * @kref: references: the creator, each exported dma-buf, each mmap of the
 *	dma-buf, and whoever cenalloc_buffer_get() was called for
 * @resv: the buffer's fences, shared by its dma-bufs and its owner; its
 *	own lock is taken outside @alloc_lock and @lock
 * @alloc_lock: serialises allocating storage (taken outside @lock, which
 *	is dropped while allocating)
 * @lock: protects every field below it
 * @size: size in bytes, page aligned (constant)
 * @id: unique number for debugfs (constant)
 * @creator: constraints from the creation flags (constant)
 * @attachments: &cenalloc_attachment list; protected by @lock
 * @storage: backing storage, NULL until first needed; protected by @lock
 * @num_mapped: mapped attachments; protected by @lock
 * @vmap_count: users of @vaddr; protected by @lock
 * @vaddr: kernel mapping while @vmap_count; protected by @lock
 * @migrations: times the storage moved; protected by @lock
 * @dmabuf: the live exported dma-buf, not a reference: cleared by its
 *	release; protected by @lock
 * @dmabuf_ino: inode number of @dmabuf's file, for debugfs (read when
 *	exported: the file may be half torn down before its release runs);
 *	protected by @lock
 * @exp_name: exporter name shown in dma_buf/bufinfo
 * @owner_ops: callbacks of the wrapping object; written under @lock, read
 *	under RCU by cenalloc_dma_buf_owner_rcu()
 * @owner: the wrapping object; as @owner_ops
 * @node: entry in the global buffer list (cenalloc_buffers_lock)
 * @quota: what the buffer's size is charged to, or NULL (constant once
 *	the buffer is shared)
 * @free_work: frees the buffer once its fences signalled, when the last
 *	reference went while they had not
 */
struct cenalloc_buffer {
	struct kref kref;
	struct dma_resv resv;
	/* serialises allocating storage, outside @lock */
	struct mutex alloc_lock;
	/* protects the fields below: see the kerneldoc above */
	struct mutex lock;
	u64 size;
	unsigned long id;
	struct cenalloc_constraints creator;
	struct list_head attachments;
	struct cenalloc_storage *storage;
	unsigned int num_mapped;
	unsigned int vmap_count;
	void *vaddr;
	unsigned int migrations;
	struct dma_buf *dmabuf;
	unsigned long dmabuf_ino;
	char exp_name[16];
	const struct cenalloc_owner_ops *owner_ops;
	void *owner;
	struct list_head node;
	struct cenalloc_quota *quota;
	struct work_struct free_work;
};

/**
 * struct cenalloc_allocator - one allocator of the pool
 * @name: shown in debugfs and messages
 * @caps: what it guarantees (see cenalloc_pick_allocator())
 * @alloc: fill @st->pages (@st->nr_pages is set) so that the pages meet
 *	the constraints; returns 0 or -errno, leaving nothing allocated
 * @free: give back @st->pages
 * @nr_allocs: successful allocations
 * @nr_failures: failed allocations
 * @bytes: bytes currently allocated
 */
struct cenalloc_allocator {
	const char *name;
	struct cenalloc_alloc_caps caps;
	int (*alloc)(struct cenalloc_storage *st,
		     const struct cenalloc_constraints *c);
	void (*free)(struct cenalloc_storage *st);
	atomic64_t nr_allocs;
	atomic64_t nr_failures;
	atomic64_t bytes;
};

/* cenalloc_alloc.c */
extern struct cenalloc_allocator *cenalloc_pool[CENALLOC_ALLOCATOR_COUNT];
int cenalloc_buffer_init(void);
void cenalloc_buffer_exit(void);
int cenalloc_alloc_init(void);
void cenalloc_alloc_exit(void);
struct cenalloc_storage *cenalloc_storage_alloc(u64 size,
						const struct cenalloc_constraints *c,
						const char **why);
void cenalloc_storage_free(struct cenalloc_storage *st);
bool cenalloc_pool_can_satisfy(u64 size, const struct cenalloc_constraints *c);
void cenalloc_alloc_show(struct seq_file *m);

/* cenalloc_buffer.c */
extern struct mutex cenalloc_buffers_lock;
extern struct list_head cenalloc_buffers;
extern atomic64_t cenalloc_nr_migrations;
extern atomic64_t cenalloc_nr_attach_refused;
void cenalloc_buffer_combined(struct cenalloc_buffer *buf,
			      struct cenalloc_constraints *c);
int cenalloc_buffer_alloc_unlocked(struct cenalloc_buffer *buf,
				   const struct cenalloc_constraints *c,
				   struct cenalloc_storage **st);
int cenalloc_buffer_ensure_storage(struct cenalloc_buffer *buf);
long cenalloc_fence_wait(void);
struct cenalloc_quota *cenalloc_quota_create(void);
void cenalloc_quota_put(struct cenalloc_quota *q);
int cenalloc_buffer_charge(struct cenalloc_buffer *buf,
			   struct cenalloc_quota *q, u64 limit);

/* cenalloc_attach.c */
void cenalloc_buffer_zap_cpu_mappings(struct cenalloc_buffer *buf);
int cenalloc_dma_buf_attach(struct dma_buf *dmabuf,
			    struct dma_buf_attachment *attach);
void cenalloc_dma_buf_detach(struct dma_buf *dmabuf,
			     struct dma_buf_attachment *attach);

/* cenalloc_dma_buf.c */
extern const struct dma_buf_ops cenalloc_dma_buf_ops;
void cenalloc_attachment_unmap(struct cenalloc_buffer *buf,
			       struct cenalloc_attachment *a);

/* cenalloc_policy.c */
int cenalloc_policy_init(const char *rules);
void cenalloc_policy_exit(void);
const char *cenalloc_device_constraints(struct device *dev,
					struct cenalloc_constraints *c);
int cenalloc_policy_write(const char *line);
void cenalloc_policy_show(struct seq_file *m);

/* cenalloc_dev.c */
int cenalloc_dev_init(void);
void cenalloc_dev_exit(void);

/* cenalloc_debugfs.c */
void cenalloc_debugfs_init(void);
void cenalloc_debugfs_exit(void);

#endif /* _CENALLOC_DRV_H_ */
