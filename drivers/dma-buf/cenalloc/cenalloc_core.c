// SPDX-License-Identifier: GPL-2.0
/*
 * cenalloc: a constraints-aware, deferred-allocation dma-buf exporter.
 */

/**
 * DOC: cenalloc overview
 *
 * A cenalloc buffer (&struct cenalloc_buffer) is created with a size and no
 * storage.  Devices attach to its dma-buf first.  Each attach gathers the
 * device's constraints (declared by its driver, else inferred from the DMA
 * API, combined with the administrator's policy) and checks them against
 * the creator's and every attached device's: a conflict fails the attach
 * with -EBUSY and a message naming both devices and the constraint.
 *
 * Storage is allocated at the first use that needs it: a device mapping
 * (map_dma_buf), a kernel mapping (vmap), a CPU fault on an mmap, or
 * begin_cpu_access.  It comes from the first allocator of the pool that
 * meets the combined constraints (cenalloc_alloc.c).
 *
 * When a device attaches after storage exists and the storage does not
 * meet its constraints, the storage migrates: new storage is allocated to
 * the new combined constraints, user mappings are zapped (the next fault
 * maps the new pages), the contents are copied, and the old storage is
 * freed.  A device mapping or a kernel mapping in use blocks this; then
 * the attach fails with -EBUSY.
 *
 * Lifetime: the creator holds the first reference.  Each exported dma-buf
 * holds one, dropped by its release; mmaps of the dma-buf hold its file.
 * Storage is freed with the buffer, when the last reference goes.  A
 * dma-buf holds a reference on this module, so it cannot be unloaded
 * while one is alive.
 *
 * Locking: &cenalloc_buffer.lock protects a buffer's attachments, storage,
 * mapping counts and owner.  It nests inside mmap_lock (faults take it)
 * and inside the dma-buf's own lock (vmap); nothing under it copies to or
 * from user memory.  cenalloc_buffers_lock, which protects the global
 * list, is taken outside a buffer's lock.  None of it is taken in
 * interrupt context.
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "cenalloc_drv.h"

static char *cenalloc_policy_param;
module_param_named(policy, cenalloc_policy_param, charp, 0444);
MODULE_PARM_DESC(policy,
		 "Platform policy rules separated by ';', e.g. \"vivid contiguous limit=0xffffffff\"");

/* Protects cenalloc_buffers; taken outside any buffer's lock. */
DEFINE_MUTEX(cenalloc_buffers_lock);
/* Every live buffer, for debugfs; protected by cenalloc_buffers_lock. */
LIST_HEAD(cenalloc_buffers);
atomic64_t cenalloc_nr_migrations;
atomic64_t cenalloc_nr_attach_refused;
static atomic_long_t cenalloc_next_id;

static const struct dma_buf_ops cenalloc_dma_buf_ops;

/**
 * cenalloc_allocator_name() - an allocator's name for messages and debugfs
 * @id: the allocator
 *
 * Return: a static string; "none" for %CENALLOC_ALLOCATOR_NONE.
 */
const char *cenalloc_allocator_name(enum cenalloc_allocator_id id)
{
	if (id <= CENALLOC_ALLOCATOR_NONE || id >= CENALLOC_ALLOCATOR_COUNT)
		return "none";
	return cenalloc_pool[id]->name;
}
EXPORT_SYMBOL_NS_GPL(cenalloc_allocator_name, CENALLOC);

/* The creator's and every attached device's constraints, combined. */
static void cenalloc_buffer_combined(struct cenalloc_buffer *buf,
				     struct cenalloc_constraints *c)
{
	struct cenalloc_attachment *a;

	lockdep_assert_held(&buf->lock);
	*c = buf->creator;
	/* Every attachment was admitted against the others: no conflict. */
	list_for_each_entry(a, &buf->attachments, node)
		cenalloc_constraints_combine(c, c, &a->constraints);
}

/* Allocate storage for the current combined constraints if there is none. */
static int cenalloc_buffer_ensure_storage(struct cenalloc_buffer *buf)
{
	struct cenalloc_constraints c;
	struct cenalloc_storage *st;
	const char *why;
	char text[160];

	lockdep_assert_held(&buf->lock);
	if (buf->storage)
		return 0;
	cenalloc_buffer_combined(buf, &c);
	st = cenalloc_storage_alloc(buf->size, &c, &why);
	if (IS_ERR(st)) {
		if (PTR_ERR(st) != -EINTR) {
			cenalloc_constraints_format(text, sizeof(text), &c);
			pr_info_ratelimited("cenalloc: buffer %lu (%llu bytes): no storage for [%s]: %s\n",
					    buf->id, buf->size, text, why);
		}
		return PTR_ERR(st);
	}
	buf->storage = st;
	return 0;
}

static void cenalloc_buffer_zap_cpu_mappings(struct cenalloc_buffer *buf)
{
	lockdep_assert_held(&buf->lock);
	if (buf->dmabuf)
		unmap_mapping_range(buf->dmabuf->file->f_mapping, 0, 0, 1);
	if (buf->owner_ops && buf->owner_ops->zap_cpu_mappings)
		buf->owner_ops->zap_cpu_mappings(buf->owner);
}

/* Move the contents to storage that meets @c; nothing may map it. */
static int cenalloc_buffer_migrate(struct cenalloc_buffer *buf,
				   const struct cenalloc_constraints *c,
				   struct device *dev)
{
	struct cenalloc_storage *old = buf->storage, *st;
	const char *why;
	unsigned long i;

	lockdep_assert_held(&buf->lock);
	st = cenalloc_storage_alloc(buf->size, c, &why);
	if (IS_ERR(st)) {
		if (PTR_ERR(st) != -EINTR)
			pr_info_ratelimited("cenalloc: buffer %lu: cannot move storage for %s: %s\n",
					    buf->id, dev_name(dev), why);
		return PTR_ERR(st);
	}
	/*
	 * Zap first: a CPU fault waits for buf->lock and then maps the new
	 * pages, so no write can land in the old storage after the copy.
	 */
	cenalloc_buffer_zap_cpu_mappings(buf);
	for (i = 0; i < st->nr_pages; i++) {
		copy_highpage(st->pages[i], old->pages[i]);
		if (!(i & 255))
			cond_resched();
	}
	buf->storage = st;
	buf->migrations++;
	atomic64_inc(&cenalloc_nr_migrations);
	cenalloc_storage_free(old);
	return 0;
}

/* Name the party that conflicts with @c, for the refusal message. */
static const char *cenalloc_find_conflict(struct cenalloc_buffer *buf,
					  const struct cenalloc_constraints *c,
					  enum cenalloc_conflict *why)
{
	struct cenalloc_constraints tmp;
	struct cenalloc_attachment *a;

	*why = cenalloc_constraints_combine(&tmp, &buf->creator, c);
	if (*why != CENALLOC_OK)
		return "the buffer's creator";
	list_for_each_entry(a, &buf->attachments, node) {
		*why = cenalloc_constraints_combine(&tmp, &a->constraints, c);
		if (*why != CENALLOC_OK)
			return dev_name(a->dev);
	}
	cenalloc_buffer_combined(buf, &tmp);
	*why = cenalloc_constraints_combine(&tmp, &tmp, c);
	return "the devices already attached";
}

/* Check a new attachment against the buffer; migrate storage if needed. */
static int cenalloc_buffer_admit(struct cenalloc_buffer *buf,
				 struct cenalloc_attachment *a)
{
	struct cenalloc_constraints c;
	enum cenalloc_conflict why;
	const char *other;
	char text[160];

	lockdep_assert_held(&buf->lock);
	why = cenalloc_constraints_validate(&a->constraints);
	if (why != CENALLOC_OK) {
		cenalloc_constraints_format(text, sizeof(text), &a->constraints);
		pr_info_ratelimited("cenalloc: buffer %lu: %s cannot attach: its own constraints [%s] cannot be met: %s\n",
				    buf->id, dev_name(a->dev), text,
				    cenalloc_conflict_str(why));
		return -EBUSY;
	}
	cenalloc_buffer_combined(buf, &c);
	if (cenalloc_constraints_combine(&c, &c, &a->constraints) !=
	    CENALLOC_OK) {
		other = cenalloc_find_conflict(buf, &a->constraints, &why);
		pr_info_ratelimited("cenalloc: buffer %lu: %s cannot attach: %s conflicts with %s\n",
				    buf->id, dev_name(a->dev),
				    cenalloc_conflict_str(why), other);
		return -EBUSY;
	}
	if (!buf->storage)
		return 0;
	why = cenalloc_segments_satisfy(buf->storage->segs,
					buf->storage->nsegs,
					buf->storage->caching, &c);
	if (why == CENALLOC_OK)
		return 0;
	if (buf->num_mapped || buf->vmap_count) {
		pr_info_ratelimited("cenalloc: buffer %lu: %s cannot attach: storage from %s fails its %s and cannot move while %u device and %u kernel mappings are in use\n",
				    buf->id, dev_name(a->dev),
				    cenalloc_allocator_name(buf->storage->allocator),
				    cenalloc_conflict_str(why), buf->num_mapped,
				    buf->vmap_count);
		return -EBUSY;
	}
	return cenalloc_buffer_migrate(buf, &c, a->dev);
}

static int cenalloc_dma_buf_attach(struct dma_buf *dmabuf,
				   struct dma_buf_attachment *attach)
{
	struct cenalloc_buffer *buf = dmabuf->priv;
	struct cenalloc_attachment *a;
	int ret;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->dev = attach->dev;
	a->source = cenalloc_device_constraints(attach->dev, &a->constraints);

	mutex_lock(&buf->lock);
	ret = cenalloc_buffer_admit(buf, a);
	if (ret) {
		mutex_unlock(&buf->lock);
		atomic64_inc(&cenalloc_nr_attach_refused);
		kfree(a);
		return ret;
	}
	list_add_tail(&a->node, &buf->attachments);
	attach->priv = a;
	mutex_unlock(&buf->lock);
	return 0;
}

static void cenalloc_attachment_unmap(struct cenalloc_buffer *buf,
				      struct cenalloc_attachment *a)
{
	lockdep_assert_held(&buf->lock);
	dma_unmap_sgtable(a->dev, a->sgt, a->dir, 0);
	sg_free_table(a->sgt);
	kfree(a->sgt);
	a->sgt = NULL;
	a->mapped = false;
	buf->num_mapped--;
}

static void cenalloc_dma_buf_detach(struct dma_buf *dmabuf,
				    struct dma_buf_attachment *attach)
{
	struct cenalloc_buffer *buf = dmabuf->priv;
	struct cenalloc_attachment *a = attach->priv;

	mutex_lock(&buf->lock);
	if (a->mapped)
		cenalloc_attachment_unmap(buf, a);
	list_del(&a->node);
	mutex_unlock(&buf->lock);
	kfree(a);
}

/*
 * Cut the storage's extents into DMA segments for a device: fill @sgl, or
 * with a NULL @sgl just count them.  A scatterlist entry's length is an
 * unsigned int, hence the 1 GiB cap on top of the device's limits.
 */
static unsigned int cenalloc_storage_cut(struct cenalloc_storage *st,
					 const struct cenalloc_constraints *c,
					 struct scatterlist *sgl)
{
	unsigned int i, n = 0;
	u64 addr, left, chunk;

	for (i = 0; i < st->nsegs; i++) {
		for (addr = st->segs[i].addr, left = st->segs[i].len; left;
		     addr += chunk, left -= chunk, n++) {
			chunk = min_t(u64, cenalloc_seg_chunk(addr, left, c),
				      SZ_1G);
			if (!sgl)
				continue;
			sg_set_page(sgl, pfn_to_page(PHYS_PFN(addr)), chunk,
				    offset_in_page(addr));
			sgl = sg_next(sgl);
		}
	}
	return n;
}

/* A scatterlist of the storage cut to the device's segment limits. */
static struct sg_table *cenalloc_storage_sgt(struct cenalloc_storage *st,
					     const struct cenalloc_constraints *c)
{
	struct sg_table *sgt;
	int ret;

	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return ERR_PTR(-ENOMEM);
	ret = sg_alloc_table(sgt, cenalloc_storage_cut(st, c, NULL),
			     GFP_KERNEL);
	if (ret) {
		kfree(sgt);
		return ERR_PTR(ret);
	}
	cenalloc_storage_cut(st, c, sgt->sgl);
	return sgt;
}

static struct sg_table *cenalloc_dma_buf_map(struct dma_buf_attachment *attach,
					     enum dma_data_direction dir)
{
	struct cenalloc_buffer *buf = attach->dmabuf->priv;
	struct cenalloc_attachment *a = attach->priv;
	struct sg_table *sgt;
	int ret;

	mutex_lock(&buf->lock);
	if (a->mapped) {
		ret = -EBUSY;
		goto err_unlock;
	}
	ret = cenalloc_buffer_ensure_storage(buf);
	if (ret)
		goto err_unlock;
	sgt = cenalloc_storage_sgt(buf->storage, &a->constraints);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto err_unlock;
	}
	ret = dma_map_sgtable(a->dev, sgt, dir, 0);
	if (ret)
		goto err_free_sgt;
	a->sgt = sgt;
	a->dir = dir;
	a->mapped = true;
	buf->num_mapped++;
	mutex_unlock(&buf->lock);
	return sgt;

err_free_sgt:
	sg_free_table(sgt);
	kfree(sgt);
err_unlock:
	mutex_unlock(&buf->lock);
	return ERR_PTR(ret);
}

static void cenalloc_dma_buf_unmap(struct dma_buf_attachment *attach,
				   struct sg_table *sgt,
				   enum dma_data_direction dir)
{
	struct cenalloc_buffer *buf = attach->dmabuf->priv;
	struct cenalloc_attachment *a = attach->priv;

	mutex_lock(&buf->lock);
	if (a->mapped && a->sgt == sgt)
		cenalloc_attachment_unmap(buf, a);
	mutex_unlock(&buf->lock);
}

static int cenalloc_dma_buf_begin_cpu_access(struct dma_buf *dmabuf,
					     enum dma_data_direction dir)
{
	struct cenalloc_buffer *buf = dmabuf->priv;
	struct cenalloc_attachment *a;
	int ret;

	mutex_lock(&buf->lock);
	ret = cenalloc_buffer_ensure_storage(buf);
	if (!ret) {
		list_for_each_entry(a, &buf->attachments, node)
			if (a->mapped)
				dma_sync_sgtable_for_cpu(a->dev, a->sgt, dir);
		if (buf->vaddr)
			invalidate_kernel_vmap_range(buf->vaddr, buf->size);
	}
	mutex_unlock(&buf->lock);
	return ret;
}

static int cenalloc_dma_buf_end_cpu_access(struct dma_buf *dmabuf,
					   enum dma_data_direction dir)
{
	struct cenalloc_buffer *buf = dmabuf->priv;
	struct cenalloc_attachment *a;

	mutex_lock(&buf->lock);
	if (buf->vaddr)
		flush_kernel_vmap_range(buf->vaddr, buf->size);
	list_for_each_entry(a, &buf->attachments, node)
		if (a->mapped)
			dma_sync_sgtable_for_device(a->dev, a->sgt, dir);
	mutex_unlock(&buf->lock);
	return 0;
}

static vm_fault_t cenalloc_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	pgoff_t pgoff = vma->vm_pgoff +
			((vmf->address - vma->vm_start) >> PAGE_SHIFT);

	return cenalloc_buffer_fault(vma->vm_private_data, vmf, pgoff);
}

static const struct vm_operations_struct cenalloc_vm_ops = {
	.fault = cenalloc_vm_fault,
};

static int cenalloc_dma_buf_mmap(struct dma_buf *dmabuf,
				 struct vm_area_struct *vma)
{
	struct cenalloc_buffer *buf = dmabuf->priv;
	int ret;

	ret = cenalloc_buffer_mmap_prepare(buf, vma);
	if (ret)
		return ret;
	/* The vma holds the dma-buf's file, which holds the buffer. */
	vma->vm_ops = &cenalloc_vm_ops;
	vma->vm_private_data = buf;
	return 0;
}

static int cenalloc_dma_buf_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	return cenalloc_buffer_vmap(dmabuf->priv, map);
}

static void cenalloc_dma_buf_vunmap(struct dma_buf *dmabuf,
				    struct iosys_map *map)
{
	cenalloc_buffer_vunmap(dmabuf->priv, map);
}

static void cenalloc_dma_buf_release(struct dma_buf *dmabuf)
{
	struct cenalloc_buffer *buf = dmabuf->priv;

	mutex_lock(&buf->lock);
	if (buf->dmabuf == dmabuf)
		buf->dmabuf = NULL;
	mutex_unlock(&buf->lock);
	/* Drops the reference cenalloc_buffer_export() took. */
	cenalloc_buffer_put(buf);
}

static const struct dma_buf_ops cenalloc_dma_buf_ops = {
	.attach = cenalloc_dma_buf_attach,
	.detach = cenalloc_dma_buf_detach,
	.map_dma_buf = cenalloc_dma_buf_map,
	.unmap_dma_buf = cenalloc_dma_buf_unmap,
	.release = cenalloc_dma_buf_release,
	.begin_cpu_access = cenalloc_dma_buf_begin_cpu_access,
	.end_cpu_access = cenalloc_dma_buf_end_cpu_access,
	.mmap = cenalloc_dma_buf_mmap,
	.vmap = cenalloc_dma_buf_vmap,
	.vunmap = cenalloc_dma_buf_vunmap,
};

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
 * ERR_PTR(-ENOMEM).
 */
struct cenalloc_buffer *cenalloc_buffer_create(u64 size, u32 flags)
{
	struct cenalloc_buffer *buf;

	might_sleep();
	if (flags & ~CENALLOC_CREATE_ALL)
		return ERR_PTR(-EINVAL);
	if (!size || size > CENALLOC_MAX_SIZE)
		return ERR_PTR(-EINVAL);

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	kref_init(&buf->kref);
	mutex_init(&buf->lock);
	INIT_LIST_HEAD(&buf->attachments);
	buf->size = PAGE_ALIGN(size);
	buf->id = atomic_long_inc_return(&cenalloc_next_id);
	strscpy(buf->exp_name, "cenalloc", sizeof(buf->exp_name));
	cenalloc_constraints_init(&buf->creator);
	if (flags & CENALLOC_CREATE_CONTIGUOUS)
		buf->creator.flags |= CENALLOC_C_CONTIGUOUS;
	if (flags & CENALLOC_CREATE_WRITECOMBINE)
		buf->creator.flags |= CENALLOC_C_WRITECOMBINE;
	if (flags & CENALLOC_CREATE_DMA32)
		buf->creator.dma_limit = 0xffffffffULL;

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

static void cenalloc_buffer_release(struct kref *kref)
{
	struct cenalloc_buffer *buf = container_of(kref, struct cenalloc_buffer,
						   kref);

	mutex_lock(&cenalloc_buffers_lock);
	list_del(&buf->node);
	mutex_unlock(&cenalloc_buffers_lock);

	/* No dma-buf, hence no attachment, is left; vmaps are balanced. */
	if (buf->vaddr)
		vunmap(buf->vaddr);
	if (buf->storage)
		cenalloc_storage_free(buf->storage);
	mutex_destroy(&buf->lock);
	kfree(buf);
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
	struct dma_buf *dmabuf;

	might_sleep();
	mutex_lock(&buf->lock);
	/* A dma-buf whose last file reference is gone is being released. */
	if (buf->dmabuf && get_file_rcu(buf->dmabuf->file)) {
		dmabuf = buf->dmabuf;
		mutex_unlock(&buf->lock);
		return dmabuf;
	}
	if (exp_name)
		strscpy(buf->exp_name, exp_name, sizeof(buf->exp_name));
	exp_info.ops = &cenalloc_dma_buf_ops;
	exp_info.owner = THIS_MODULE;
	exp_info.exp_name = buf->exp_name;
	exp_info.size = buf->size;
	exp_info.flags = fd_flags;
	exp_info.priv = buf;
	kref_get(&buf->kref);
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		mutex_unlock(&buf->lock);
		cenalloc_buffer_put(buf);
		return dmabuf;
	}
	/* From here the dma-buf owns that reference. */
	buf->dmabuf = dmabuf;
	mutex_unlock(&buf->lock);
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
 * cenalloc_buffer_set_owner() - register the object that wraps a buffer
 * @buf: the buffer
 * @ops: the owner's callbacks, or NULL to unregister
 * @owner: passed to @ops
 *
 * An owner must unregister before it is freed; after this returns, no
 * callback runs for it.
 *
 * Context: process context; takes the buffer's lock.
 */
void cenalloc_buffer_set_owner(struct cenalloc_buffer *buf,
			       const struct cenalloc_owner_ops *ops,
			       void *owner)
{
	mutex_lock(&buf->lock);
	buf->owner_ops = ops;
	buf->owner = ops ? owner : NULL;
	mutex_unlock(&buf->lock);
}
EXPORT_SYMBOL_NS_GPL(cenalloc_buffer_set_owner, CENALLOC);

/**
 * cenalloc_buffer_get_owner() - the wrapping object, referenced
 * @buf: the buffer
 * @ops: the owner callbacks the caller registers (identifies the caller)
 *
 * Context: process context; takes the buffer's lock.
 * Return: the owner with a reference taken by @ops->tryget, or NULL when
 * @buf has no owner registered with @ops, or it is being freed.
 */
void *cenalloc_buffer_get_owner(struct cenalloc_buffer *buf,
				const struct cenalloc_owner_ops *ops)
{
	void *owner = NULL;

	mutex_lock(&buf->lock);
	if (buf->owner_ops == ops && buf->owner && ops->tryget(buf->owner))
		owner = buf->owner;
	mutex_unlock(&buf->lock);
	return owner;
}
EXPORT_SYMBOL_NS_GPL(cenalloc_buffer_get_owner, CENALLOC);

/**
 * cenalloc_buffer_mmap_prepare() - set up a vma to map a buffer by faults
 * @buf: the buffer
 * @vma: a shared mapping within the buffer
 *
 * The caller installs vm_ops whose fault handler calls
 * cenalloc_buffer_fault().  Private (copy-on-write) mappings are refused.
 *
 * Return: 0, or -EINVAL for a private mapping or one past the end.
 */
int cenalloc_buffer_mmap_prepare(struct cenalloc_buffer *buf,
				 struct vm_area_struct *vma)
{
	if (is_cow_mapping(vma->vm_flags))
		return -EINVAL;
	if (vma_pages(vma) > buf->size >> PAGE_SHIFT)
		return -EINVAL;
	vma->vm_flags |= VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(cenalloc_buffer_mmap_prepare, CENALLOC);

/*
 * Pages mapped per CPU fault: the faulting one and those after it, as TTM
 * prefaults.  Streaming access then takes one fault per 64 KiB, not per
 * page; the storage exists already, so this only fills page tables.
 */
#define CENALLOC_FAULT_AROUND 16

static void cenalloc_fault_around(struct vm_fault *vmf,
				  struct cenalloc_storage *st, pgoff_t pgoff)
{
	unsigned long addr = vmf->address & PAGE_MASK;
	unsigned int i;

	for (i = 1; i < CENALLOC_FAULT_AROUND; i++) {
		addr += PAGE_SIZE;
		if (addr >= vmf->vma->vm_end || pgoff + i >= st->nr_pages)
			break;
		if (vmf_insert_pfn(vmf->vma, addr,
				   page_to_pfn(st->pages[pgoff + i])) !=
		    VM_FAULT_NOPAGE)
			break;
	}
}

/**
 * cenalloc_buffer_fault() - map one page of a buffer for a CPU fault
 * @buf: the buffer
 * @vmf: the fault
 * @pgoff: page index within the buffer
 *
 * Allocates the storage on first use, with the constraints of the devices
 * attached at that moment.
 *
 * Context: fault handler (mmap_lock held); takes the buffer's lock.
 * Return: a VM_FAULT_* code; VM_FAULT_SIGBUS when no storage can be had.
 */
vm_fault_t cenalloc_buffer_fault(struct cenalloc_buffer *buf,
				 struct vm_fault *vmf, pgoff_t pgoff)
{
	struct cenalloc_storage *st;
	vm_fault_t ret;

	mutex_lock(&buf->lock);
	if (pgoff >= buf->size >> PAGE_SHIFT) {
		ret = VM_FAULT_SIGBUS;
		goto out_unlock;
	}
	/*
	 * -ENOMEM here mostly means no allocator can meet the constraints;
	 * VM_FAULT_OOM would send that to the OOM killer.
	 */
	if (cenalloc_buffer_ensure_storage(buf)) {
		ret = VM_FAULT_SIGBUS;
		goto out_unlock;
	}
	st = buf->storage;
	ret = vmf_insert_pfn(vmf->vma, vmf->address,
			     page_to_pfn(st->pages[pgoff]));
	if (ret == VM_FAULT_NOPAGE)
		cenalloc_fault_around(vmf, st, pgoff);
out_unlock:
	mutex_unlock(&buf->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(cenalloc_buffer_fault, CENALLOC);

/**
 * cenalloc_buffer_vmap() - map a whole buffer into the kernel
 * @buf: the buffer
 * @map: returns the mapping
 *
 * Mappings are counted; each needs a cenalloc_buffer_vunmap().  While one
 * exists the storage cannot migrate.
 *
 * Context: process context; takes the buffer's lock.
 * Return: 0 or -ENOMEM.
 */
int cenalloc_buffer_vmap(struct cenalloc_buffer *buf, struct iosys_map *map)
{
	struct cenalloc_storage *st;
	pgprot_t prot = PAGE_KERNEL;
	void *vaddr;
	int ret;

	mutex_lock(&buf->lock);
	if (buf->vmap_count) {
		buf->vmap_count++;
		iosys_map_set_vaddr(map, buf->vaddr);
		mutex_unlock(&buf->lock);
		return 0;
	}
	ret = cenalloc_buffer_ensure_storage(buf);
	if (ret)
		goto out_unlock;
	st = buf->storage;
	if (st->caching == CENALLOC_C_WRITECOMBINE)
		prot = pgprot_writecombine(prot);
	vaddr = vmap(st->pages, st->nr_pages, VM_MAP, prot);
	if (!vaddr) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	buf->vaddr = vaddr;
	buf->vmap_count = 1;
	iosys_map_set_vaddr(map, vaddr);
out_unlock:
	mutex_unlock(&buf->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(cenalloc_buffer_vmap, CENALLOC);

/**
 * cenalloc_buffer_vunmap() - drop a kernel mapping
 * @buf: the buffer
 * @map: the mapping cenalloc_buffer_vmap() returned
 *
 * Context: process context; takes the buffer's lock.
 */
void cenalloc_buffer_vunmap(struct cenalloc_buffer *buf,
			    struct iosys_map *map)
{
	mutex_lock(&buf->lock);
	if (buf->vmap_count && map->vaddr == buf->vaddr &&
	    !--buf->vmap_count) {
		vunmap(buf->vaddr);
		buf->vaddr = NULL;
	}
	mutex_unlock(&buf->lock);
}
EXPORT_SYMBOL_NS_GPL(cenalloc_buffer_vunmap, CENALLOC);

/**
 * cenalloc_buffer_query() - report storage, placement and constraints
 * @buf: the buffer
 * @state: filled in
 *
 * This is the one place that computes what tools and tests observe; the
 * ioctls and debugfs report it.
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
 * cenalloc_buffer_show() - print one buffer for debugfs
 * @m: the seq_file
 * @buf: the buffer (alive: the caller holds cenalloc_buffers_lock)
 */
void cenalloc_buffer_show(struct seq_file *m, struct cenalloc_buffer *buf)
{
	struct cenalloc_attachment *a;
	struct cenalloc_constraints c;
	struct cenalloc_storage *st;
	char text[160];

	mutex_lock(&buf->lock);
	st = buf->storage;
	cenalloc_buffer_combined(buf, &c);
	cenalloc_constraints_format(text, sizeof(text), &c);
	seq_printf(m, "buffer %lu: size %llu exporter %s ", buf->id,
		   buf->size, buf->exp_name);
	if (buf->dmabuf)
		seq_printf(m, "exported ino %lu\n",
			   file_inode(buf->dmabuf->file)->i_ino);
	else
		seq_puts(m, "unexported\n");
	if (st)
		seq_printf(m, "  storage: %s, %u segment%s, max address %#llx, %s\n",
			   cenalloc_allocator_name(st->allocator), st->nsegs,
			   st->nsegs == 1 ? "" : "s", st->max_address,
			   st->caching == CENALLOC_C_WRITECOMBINE ? "wc" : "cached");
	else
		seq_puts(m, "  storage: none\n");
	seq_printf(m, "  combined: %s\n", text);
	seq_printf(m, "  mapped %u, vmaps %u, migrations %u\n", buf->num_mapped,
		   buf->vmap_count, buf->migrations);
	list_for_each_entry(a, &buf->attachments, node) {
		cenalloc_constraints_format(text, sizeof(text), &a->constraints);
		seq_printf(m, "  attached %s (%s)%s: %s\n", dev_name(a->dev),
			   a->source, a->mapped ? " mapped" : "", text);
	}
	mutex_unlock(&buf->lock);
}

static int __init cenalloc_init(void)
{
	int ret;

	ret = cenalloc_alloc_init();
	if (ret)
		return ret;
	ret = cenalloc_policy_init(cenalloc_policy_param);
	if (ret)
		goto err_alloc_exit;
	ret = cenalloc_dev_init();
	if (ret)
		goto err_policy_exit;
	cenalloc_debugfs_init();
	return 0;

err_policy_exit:
	cenalloc_policy_exit();
err_alloc_exit:
	cenalloc_alloc_exit();
	return ret;
}

static void __exit cenalloc_exit(void)
{
	cenalloc_debugfs_exit();
	cenalloc_dev_exit();
	cenalloc_policy_exit();
	cenalloc_alloc_exit();
}

module_init(cenalloc_init);
module_exit(cenalloc_exit);

MODULE_DESCRIPTION("Constraints-aware central dma-buf allocator");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
