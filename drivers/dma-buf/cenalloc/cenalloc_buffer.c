// SPDX-License-Identifier: GPL-2.0
/*
 * cenalloc: buffer lifetime, storage, export, owner and query.
 */

/**
 * DOC: cenalloc overview
 *
 * A cenalloc buffer (&struct cenalloc_buffer) is created with a size and no
 * storage.  Devices attach to its dma-buf first.  Each attach gathers the
 * device's constraints (declared by its driver, else inferred from the DMA
 * API, combined with the administrator's policy) and checks them against
 * the creator's, every attached device's and what the allocator pool can
 * ever provide: a conflict fails the attach with -EBUSY and a message
 * naming both parties and the constraint (cenalloc_attach.c).  A creation
 * that no allocator could ever satisfy fails at once with -ENOMEM, so that
 * no later map, fault or vmap fails for a reason its caller cannot know.
 *
 * Storage is allocated at the first use that needs it: a device mapping
 * (map_dma_buf), a kernel mapping (vmap), a CPU fault on an mmap, or
 * begin_cpu_access.  It comes from the first allocator of the pool that
 * meets the combined constraints (cenalloc_alloc.c), and is allocated with
 * neither the buffer's lock nor (for a fault) mmap_lock held.
 *
 * When a device attaches after storage exists and the storage does not
 * meet its constraints, the storage migrates: new storage is allocated to
 * the new combined constraints, user mappings are zapped (the next fault
 * maps the new pages), the contents are copied, and the old storage is
 * freed.  A device mapping or a kernel mapping in use blocks this; then
 * the attach fails with -EBUSY.  So do fences: the move waits for the
 * buffer's fences (fence_wait_ms, interruptibly) and never copies storage
 * that an unsignalled fence protects; freeing storage waits for them too,
 * on cenalloc's own workqueue: the last reference may go under mmap_lock
 * (munmap) or DRM's locks, where no one should wait for a fence.
 *
 * CPU mappings (cenalloc_cpu_map.c) have one fault handler for the
 * dma-buf's mmap and for owners' mappings (vprime's GEM mmap); it maps
 * with the storage's caching.
 *
 * Lifetime: the creator holds the first reference.  Each exported dma-buf
 * holds one, dropped by its release; mmaps of the dma-buf hold its file.
 * Storage is freed with the buffer, when the last reference goes.  A
 * dma-buf holds a reference on this module, so it cannot be unloaded
 * while one is alive.
 *
 * Locking, outermost first:
 *
 * 1. mmap_lock (a fault; dropped before a fault allocates storage),
 * 2. the dma-buf's own lock or reservation lock (the core holds one around
 *    vmap and, for dynamic importers, map),
 * 3. &cenalloc_buffer.alloc_lock (serialises allocating storage),
 * 4. cenalloc_buffers_lock (the global list, walked by debugfs),
 * 5. &cenalloc_buffer.lock (attachments, storage, counts; the owner is
 *    written under it and read under RCU),
 * 6. the reserve's lock (cenalloc_alloc.c); a CPU fault's page-table
 *    locks (it maps its pages under 5, cenalloc_cpu_map.c).
 *
 * The dma-buf core's list lock (dma_buf_export(), and its debugfs file,
 * which takes reservation locks under it) is never taken under any of 3-6.
 * Nothing under &cenalloc_buffer.lock copies to or from user memory or
 * allocates storage; migration copies the contents under it (bounded by
 * the buffer size, with cond_resched()).  None of these locks is taken in
 * interrupt context or on a fence-signalling path.
 */

#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <linux/cenalloc_compat.h>

#include "cenalloc_drv.h"

static unsigned int cenalloc_fence_wait_ms = 10000;
module_param_named(fence_wait_ms, cenalloc_fence_wait_ms, uint, 0644);
MODULE_PARM_DESC(fence_wait_ms,
		 "How long moving or freeing storage waits for its fences (ms, default 10000)");

/**
 * cenalloc_fence_wait() - how long to wait for a buffer's fences
 *
 * Return: the fence_wait_ms module parameter, in jiffies.
 */
long cenalloc_fence_wait(void)
{
	return msecs_to_jiffies(READ_ONCE(cenalloc_fence_wait_ms));
}

/* Protects cenalloc_buffers; taken outside any buffer's lock. */
DEFINE_MUTEX(cenalloc_buffers_lock);
/* Every live buffer, for debugfs; protected by cenalloc_buffers_lock. */
LIST_HEAD(cenalloc_buffers);
atomic64_t cenalloc_nr_migrations;
atomic64_t cenalloc_nr_attach_refused;
static atomic_long_t cenalloc_next_id;

/**
 * cenalloc_buffer_combined() - the constraints storage must meet now
 * @buf: the buffer (its lock held)
 * @c: the creator's and every attached device's constraints, combined
 */
void cenalloc_buffer_combined(struct cenalloc_buffer *buf,
			      struct cenalloc_constraints *c)
{
	struct cenalloc_attachment *a;

	lockdep_assert_held(&buf->lock);
	*c = buf->creator;
	/* Every attachment was admitted against the others: no conflict. */
	list_for_each_entry(a, &buf->attachments, node)
		cenalloc_constraints_combine(c, c, &a->constraints);
}

/**
 * cenalloc_buffer_alloc_unlocked() - allocate storage with the lock dropped
 * @buf: the buffer (its lock held; dropped and taken again)
 * @c: the constraints the storage must meet
 * @st: returns the storage, not yet installed
 *
 * The caller must check again, after this returns, whatever it decided
 * under the lock before: attachments may have come and gone meanwhile.
 *
 * Return: 0, -ENOMEM, or -EINTR on a fatal signal.
 */
int cenalloc_buffer_alloc_unlocked(struct cenalloc_buffer *buf,
				   const struct cenalloc_constraints *c,
				   struct cenalloc_storage **st)
{
	const char *why;
	char text[160];

	lockdep_assert_held(&buf->lock);
	mutex_unlock(&buf->lock);
	*st = cenalloc_storage_alloc(buf->size, c, &why);
	mutex_lock(&buf->lock);
	if (!IS_ERR(*st))
		return 0;
	if (PTR_ERR(*st) != -EINTR) {
		cenalloc_constraints_format(text, sizeof(text), c);
		pr_info_ratelimited("cenalloc: buffer %lu (%llu bytes): no storage for [%s]: %s\n",
				    buf->id, buf->size, text, why);
	}
	return PTR_ERR(*st);
}

/**
 * cenalloc_buffer_ensure_storage() - allocate storage if there is none
 * @buf: the buffer, its lock held (dropped while allocating)
 *
 * Anything the caller checked under the lock before may have changed when
 * this returns, except that storage exists when it returns 0.
 * Context: process context; takes &cenalloc_buffer.alloc_lock around the
 * allocation, outside the buffer's lock, so two first users allocate once.
 * Return: 0, -ENOMEM or -EINTR.
 */
int cenalloc_buffer_ensure_storage(struct cenalloc_buffer *buf)
{
	struct cenalloc_constraints c;
	struct cenalloc_storage *st;
	int ret = 0;

	lockdep_assert_held(&buf->lock);
	if (buf->storage)
		return 0;
	mutex_unlock(&buf->lock);
	mutex_lock(&buf->alloc_lock);
	mutex_lock(&buf->lock);
	while (!buf->storage) {
		cenalloc_buffer_combined(buf, &c);
		ret = cenalloc_buffer_alloc_unlocked(buf, &c, &st);
		if (ret)
			break;
		/* An attach while the lock was dropped may want more. */
		cenalloc_buffer_combined(buf, &c);
		if (cenalloc_segments_satisfy(st->segs, st->nsegs, st->caching,
					      &c) != CENALLOC_OK) {
			cenalloc_storage_free(st);
			continue;
		}
		buf->storage = st;
	}
	mutex_unlock(&buf->alloc_lock);
	return ret;
}

/**
 * struct cenalloc_quota - bytes of live buffers charged to one user
 * @kref: the user's reference and one per charged buffer
 * @bytes: the sizes of the charged buffers that are alive
 */
struct cenalloc_quota {
	struct kref kref;
	atomic64_t bytes;
};

/**
 * cenalloc_quota_create() - a quota with nothing charged
 *
 * Return: the quota with one reference, or NULL.
 */
struct cenalloc_quota *cenalloc_quota_create(void)
{
	struct cenalloc_quota *q = kzalloc(sizeof(*q), GFP_KERNEL_ACCOUNT);

	if (q)
		kref_init(&q->kref);
	return q;
}

static void cenalloc_quota_release(struct kref *kref)
{
	kfree(container_of(kref, struct cenalloc_quota, kref));
}

/**
 * cenalloc_quota_put() - drop a reference on a quota
 * @q: the quota
 */
void cenalloc_quota_put(struct cenalloc_quota *q)
{
	kref_put(&q->kref, cenalloc_quota_release);
}

/**
 * cenalloc_buffer_charge() - charge a new buffer's size to a quota
 * @buf: a buffer just created, not yet charged or shared
 * @q: the quota
 * @limit: the most bytes @q may have charged
 *
 * The buffer gives the bytes back when it is freed.
 *
 * Return: 0, or -ENOMEM when the buffer would go past @limit.
 */
int cenalloc_buffer_charge(struct cenalloc_buffer *buf,
			   struct cenalloc_quota *q, u64 limit)
{
	if (atomic64_add_return(buf->size, &q->bytes) > limit) {
		atomic64_sub(buf->size, &q->bytes);
		return -ENOMEM;
	}
	kref_get(&q->kref);
	buf->quota = q;
	return 0;
}

/**
 * cenalloc_buffer_create() - create a buffer without storage
 * @size: size in bytes (rounded up to pages), at most %CENALLOC_MAX_SIZE
 * @flags: %CENALLOC_CREATE_* constraints of the creator
 *
 * The caller owns the returned reference and drops it with
 * cenalloc_buffer_put().  Export it with cenalloc_buffer_export().
 *
 * Context: process context, may sleep.
 * Return: the buffer, ERR_PTR(-EINVAL) for a bad size or unknown flags,
 * ERR_PTR(-ENOMEM) when out of memory or when no allocator of the pool
 * could ever provide such storage (a contiguous buffer larger than the
 * largest contiguous allocator, for instance).
 */
struct cenalloc_buffer *cenalloc_buffer_create(u64 size, u32 flags)
{
	struct cenalloc_constraints creator;
	struct cenalloc_buffer *buf;

	might_sleep();
	if (flags & ~CENALLOC_CREATE_ALL)
		return ERR_PTR(-EINVAL);
	if (!size || size > CENALLOC_MAX_SIZE)
		return ERR_PTR(-EINVAL);
	size = PAGE_ALIGN(size);

	cenalloc_constraints_init(&creator);
	if (flags & CENALLOC_CREATE_CONTIGUOUS)
		creator.flags |= CENALLOC_C_CONTIGUOUS;
	if (flags & CENALLOC_CREATE_WRITECOMBINE)
		creator.flags |= CENALLOC_C_WRITECOMBINE;
	if (flags & CENALLOC_CREATE_DMA32)
		creator.dma_limit = 0xffffffffULL;
	if (!cenalloc_pool_can_satisfy(size, &creator))
		return ERR_PTR(-ENOMEM);

	buf = kzalloc(sizeof(*buf), GFP_KERNEL_ACCOUNT);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	kref_init(&buf->kref);
	dma_resv_init(&buf->resv);
	mutex_init(&buf->lock);
	mutex_init(&buf->alloc_lock);
	INIT_LIST_HEAD(&buf->attachments);
	buf->size = size;
	buf->id = atomic_long_inc_return(&cenalloc_next_id);
	buf->creator = creator;
	strscpy(buf->exp_name, "cenalloc", sizeof(buf->exp_name));

	mutex_lock(&cenalloc_buffers_lock);
	list_add_tail(&buf->node, &cenalloc_buffers);
	mutex_unlock(&cenalloc_buffers_lock);
	return buf;
}
EXPORT_SYMBOL_NS_GPL(cenalloc_buffer_create, CENALLOC);

/**
 * cenalloc_buffer_get() - take a reference on a buffer
 * @buf: the buffer
 */
void cenalloc_buffer_get(struct cenalloc_buffer *buf)
{
	kref_get(&buf->kref);
}
EXPORT_SYMBOL_NS_GPL(cenalloc_buffer_get, CENALLOC);

/* Frees buffers whose fences had not signalled; drained at module exit. */
static struct workqueue_struct *cenalloc_free_wq;

static void cenalloc_buffer_free(struct cenalloc_buffer *buf)
{
	if (buf->vaddr)
		vunmap(buf->vaddr);
	if (buf->storage)
		cenalloc_storage_free(buf->storage);
	if (buf->quota) {
		atomic64_sub(buf->size, &buf->quota->bytes);
		cenalloc_quota_put(buf->quota);
	}
	mutex_destroy(&buf->alloc_lock);
	mutex_destroy(&buf->lock);
	dma_resv_fini(&buf->resv);
	kfree(buf);
}

static void cenalloc_buffer_free_work(struct work_struct *work)
{
	struct cenalloc_buffer *buf = container_of(work, struct cenalloc_buffer,
						   free_work);

	dma_resv_wait_timeout(&buf->resv, DMA_RESV_USAGE_BOOKKEEP, false,
			      cenalloc_fence_wait());
	cenalloc_buffer_free(buf);
}

static void cenalloc_buffer_release(struct kref *kref)
{
	struct cenalloc_buffer *buf = container_of(kref, struct cenalloc_buffer,
						   kref);

	mutex_lock(&cenalloc_buffers_lock);
	list_del(&buf->node);
	mutex_unlock(&cenalloc_buffers_lock);

	/*
	 * No dma-buf, hence no attachment, is left; vmaps are balanced.  A
	 * device may still be finishing work its fence stands for: the pages
	 * go back only once it signalled (or after fence_wait_ms), and the
	 * wait is not the caller's.
	 */
	if (buf->storage &&
	    !dma_resv_test_signaled(&buf->resv, DMA_RESV_USAGE_BOOKKEEP)) {
		INIT_WORK(&buf->free_work, cenalloc_buffer_free_work);
		queue_work(cenalloc_free_wq, &buf->free_work);
		return;
	}
	cenalloc_buffer_free(buf);
}

/**
 * cenalloc_buffer_init() - set up the deferred frees
 *
 * Return: 0 or -ENOMEM.
 */
int cenalloc_buffer_init(void)
{
	/* Freeing gives memory back: it must progress under pressure. */
	cenalloc_free_wq = alloc_workqueue("cenalloc_free", WQ_MEM_RECLAIM, 0);
	return cenalloc_free_wq ? 0 : -ENOMEM;
}

/**
 * cenalloc_buffer_exit() - finish the deferred frees
 *
 * Context: module exit; no buffer is referenced any more.
 */
void cenalloc_buffer_exit(void)
{
	destroy_workqueue(cenalloc_free_wq);
}

/**
 * cenalloc_buffer_put() - drop a reference; the last one frees the buffer
 * @buf: the buffer
 *
 * Context: process context, may sleep; must not hold the buffer's lock.
 */
void cenalloc_buffer_put(struct cenalloc_buffer *buf)
{
	might_lock(&cenalloc_buffers_lock);
	kref_put(&buf->kref, cenalloc_buffer_release);
}
EXPORT_SYMBOL_NS_GPL(cenalloc_buffer_put, CENALLOC);

/*
 * The buffer's live dma-buf with a new reference, or NULL.  A dma-buf
 * whose last file reference is gone is being released; its release clears
 * buf->dmabuf under buf->lock, so the file is still there to look at.
 */
static struct dma_buf *cenalloc_buffer_live_dmabuf(struct cenalloc_buffer *buf)
{
	lockdep_assert_held(&buf->lock);
	if (buf->dmabuf && get_file_active(&buf->dmabuf->file))
		return buf->dmabuf;
	return NULL;
}

/**
 * cenalloc_buffer_export() - the buffer's dma-buf, exported if needed
 * @buf: the buffer
 * @exp_name: exporter name for dma_buf/bufinfo (copied; "cenalloc" when
 *	NULL); used only when a new dma-buf is made
 * @fd_flags: file flags of a new dma-buf (O_RDWR, O_CLOEXEC...)
 *
 * A buffer has at most one live dma-buf: while it lives, this returns it
 * with a new reference.  The dma-buf holds a reference on @buf until its
 * release.
 *
 * Context: process context, may sleep.
 * Return: a dma-buf reference for the caller, or an ERR_PTR().
 */
struct dma_buf *cenalloc_buffer_export(struct cenalloc_buffer *buf,
				       const char *exp_name, int fd_flags)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dma_buf *dmabuf, *live;

	might_sleep();
	mutex_lock(&buf->lock);
	live = cenalloc_buffer_live_dmabuf(buf);
	if (!live && exp_name)
		strscpy(buf->exp_name, exp_name, sizeof(buf->exp_name));
	mutex_unlock(&buf->lock);
	if (live)
		return live;

	/*
	 * Not under buf->lock: dma_buf_export() takes the dma-buf list's
	 * lock, under which the dma-buf debugfs file takes reservation locks,
	 * and those are outside buf->lock.
	 */
	exp_info.ops = &cenalloc_dma_buf_ops;
	exp_info.owner = THIS_MODULE;
	exp_info.exp_name = buf->exp_name;
	exp_info.size = buf->size;
	exp_info.flags = fd_flags;
	exp_info.priv = buf;
	/* Every dma-buf of the buffer, and its owner, share its fences. */
	exp_info.resv = &buf->resv;
	kref_get(&buf->kref);
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		cenalloc_buffer_put(buf);
		return dmabuf;
	}
	/* From here the dma-buf owns that reference. */
	mutex_lock(&buf->lock);
	live = cenalloc_buffer_live_dmabuf(buf);
	if (!live) {
		buf->dmabuf = dmabuf;
		buf->dmabuf_ino = file_inode(dmabuf->file)->i_ino;
	}
	mutex_unlock(&buf->lock);
	if (live) {
		/* A racing export won: its release leaves buf->dmabuf alone. */
		dma_buf_put(dmabuf);
		return live;
	}
	return dmabuf;
}
EXPORT_SYMBOL_NS_GPL(cenalloc_buffer_export, CENALLOC);

/**
 * cenalloc_buffer_from_dma_buf() - the cenalloc buffer behind a dma-buf
 * @dmabuf: any dma-buf
 *
 * Return: the buffer, valid as long as the caller holds @dmabuf, or NULL
 * if cenalloc did not export @dmabuf.
 */
struct cenalloc_buffer *cenalloc_buffer_from_dma_buf(struct dma_buf *dmabuf)
{
	if (dmabuf->ops != &cenalloc_dma_buf_ops)
		return NULL;
	return dmabuf->priv;
}
EXPORT_SYMBOL_NS_GPL(cenalloc_buffer_from_dma_buf, CENALLOC);

/**
 * cenalloc_buffer_size() - a buffer's size
 * @buf: the buffer
 *
 * Return: the size in bytes, page aligned.
 */
u64 cenalloc_buffer_size(struct cenalloc_buffer *buf)
{
	return buf->size;
}
EXPORT_SYMBOL_NS_GPL(cenalloc_buffer_size, CENALLOC);

/**
 * cenalloc_buffer_resv() - the buffer's reservation object
 * @buf: the buffer
 *
 * The one set of fences of the buffer: its dma-bufs are exported with it
 * and an owner (vprime's GEM object) uses it as its own, so a fence added
 * through any of them is seen by all.
 *
 * Return: the reservation object, alive as long as the buffer.
 */
struct dma_resv *cenalloc_buffer_resv(struct cenalloc_buffer *buf)
{
	return &buf->resv;
}
EXPORT_SYMBOL_NS_GPL(cenalloc_buffer_resv, CENALLOC);

/**
 * cenalloc_buffer_set_owner() - register the object that wraps a buffer
 * @buf: the buffer
 * @ops: the owner's callbacks, or NULL to unregister
 * @owner: passed to @ops
 *
 * A buffer has one owner in its life, registered before the buffer is
 * shared.  An owner must unregister before it is freed, and its memory
 * must stay valid for an RCU grace period after (kfree_rcu()): a
 * cenalloc_dma_buf_owner_rcu() that read it just before may still return
 * it, and its caller's get-unless-zero must fail then.  After this
 * returns, no other callback runs for it.
 *
 * Context: process context; takes the buffer's lock.
 */
void cenalloc_buffer_set_owner(struct cenalloc_buffer *buf,
			       const struct cenalloc_owner_ops *ops,
			       void *owner)
{
	mutex_lock(&buf->lock);
	WRITE_ONCE(buf->owner_ops, ops);
	WRITE_ONCE(buf->owner, ops ? owner : NULL);
	mutex_unlock(&buf->lock);
}
EXPORT_SYMBOL_NS_GPL(cenalloc_buffer_set_owner, CENALLOC);

/**
 * cenalloc_dma_buf_owner_rcu() - the object wrapping a dma-buf's buffer
 * @dmabuf: any dma-buf
 * @ops: the owner callbacks the caller registers (identifies the caller)
 *
 * This is every PRIME import of a device's own dma-buf, so it is one call
 * and takes no lock: under RCU an owner read here stays valid memory even
 * if it is unregistering (see cenalloc_buffer_set_owner()).  The owner may
 * be on its way to being freed: the caller takes its reference with a
 * get-unless-zero, which fails then.
 *
 * Context: rcu_read_lock() held; the owner is valid memory until
 * rcu_read_unlock().
 * Return: the owner, not referenced, or NULL when cenalloc did not export
 * @dmabuf or its buffer has no owner registered with @ops.
 */
void *cenalloc_dma_buf_owner_rcu(struct dma_buf *dmabuf,
				 const struct cenalloc_owner_ops *ops)
{
	struct cenalloc_buffer *buf = cenalloc_buffer_from_dma_buf(dmabuf);
	void *owner;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "owner lookup outside RCU");
	if (!buf)
		return NULL;
	owner = READ_ONCE(buf->owner);
	if (owner && READ_ONCE(buf->owner_ops) != ops)
		return NULL;
	return owner;
}
EXPORT_SYMBOL_NS_GPL(cenalloc_dma_buf_owner_rcu, CENALLOC);

/**
 * cenalloc_buffer_query() - report storage, placement and constraints
 * @buf: the buffer
 * @state: filled in
 *
 * This is the one place that computes what tools and tests observe; the
 * ioctls and debugfs report it.  Physical addresses are reported as they
 * are: callers that answer users hide them from the unprivileged
 * (cenalloc_state_hide_addresses()).
 *
 * Context: process context; takes the buffer's lock.
 */
void cenalloc_buffer_query(struct cenalloc_buffer *buf,
			   struct cenalloc_buffer_state *state)
{
	struct cenalloc_attachment *a;
	struct cenalloc_storage *st;

	memset(state, 0, sizeof(*state));
	mutex_lock(&buf->lock);
	st = buf->storage;
	state->size = buf->size;
	if (st) {
		state->flags = CENALLOC_BUFFER_ALLOCATED;
		if (st->nsegs == 1)
			state->flags |= CENALLOC_BUFFER_CONTIGUOUS;
		if (st->max_address <= 0xffffffffULL)
			state->flags |= CENALLOC_BUFFER_BELOW_4G;
		if (st->caching == CENALLOC_C_WRITECOMBINE)
			state->flags |= CENALLOC_BUFFER_WRITECOMBINE;
		state->allocator = st->allocator;
		state->num_segments = st->nsegs;
		state->max_address = st->max_address;
	}
	list_for_each_entry(a, &buf->attachments, node)
		state->num_attachments++;
	state->num_mapped = buf->num_mapped;
	state->vmap_count = buf->vmap_count;
	state->migrations = buf->migrations;
	cenalloc_buffer_combined(buf, &state->combined);
	mutex_unlock(&buf->lock);
}
EXPORT_SYMBOL_NS_GPL(cenalloc_buffer_query, CENALLOC);

/**
 * cenalloc_state_hide_addresses() - what an unprivileged user may see
 * @state: a state cenalloc_buffer_query() filled in
 *
 * Without CAP_SYS_ADMIN the highest physical address is reported as 0;
 * the placement flags (%CENALLOC_BUFFER_BELOW_4G...) stay.
 */
void cenalloc_state_hide_addresses(struct cenalloc_buffer_state *state)
{
	if (!capable(CAP_SYS_ADMIN))
		state->max_address = 0;
}
EXPORT_SYMBOL_NS_GPL(cenalloc_state_hide_addresses, CENALLOC);
