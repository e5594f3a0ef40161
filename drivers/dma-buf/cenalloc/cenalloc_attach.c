// SPDX-License-Identifier: GPL-2.0
/*
 * cenalloc: admitting a device to a buffer, and moving the storage when a
 * late attach needs other placement.
 */

#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/cenalloc_compat.h>

#include "cenalloc_drv.h"

/**
 * cenalloc_buffer_zap_cpu_mappings() - unmap every user mapping
 * @buf: the buffer (its lock held)
 *
 * The dma-buf's mmaps and the owner's (vprime's GEM mmaps) fault again on
 * the next access and then map the current storage.
 */
void cenalloc_buffer_zap_cpu_mappings(struct cenalloc_buffer *buf)
{
	struct file *file = NULL;

	lockdep_assert_held(&buf->lock);
	/*
	 * The last fput() drops the dma-buf's inode before its release
	 * clears buf->dmabuf: without a file reference, f_mapping may be
	 * gone.  A file nobody holds has no mmaps (each VMA holds one).
	 */
	if (buf->dmabuf)
		file = get_file_active(&buf->dmabuf->file);
	if (file) {
		unmap_mapping_range(file->f_mapping, 0, 0, 1);
		/* Never the final __fput() here: that is deferred to task work. */
		fput(file);
	}
	if (buf->owner_ops && buf->owner_ops->zap_cpu_mappings)
		buf->owner_ops->zap_cpu_mappings(buf->owner);
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

/*
 * Whether @a may join: 0 and the combined constraints in @c, or -EBUSY
 * with a message when it conflicts or no allocator could ever serve it.
 */
static int cenalloc_buffer_check(struct cenalloc_buffer *buf,
				 struct cenalloc_attachment *a,
				 struct cenalloc_constraints *c)
{
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
	cenalloc_buffer_combined(buf, c);
	if (cenalloc_constraints_combine(c, c, &a->constraints) !=
	    CENALLOC_OK) {
		other = cenalloc_find_conflict(buf, &a->constraints, &why);
		pr_info_ratelimited("cenalloc: buffer %lu: %s cannot attach: %s conflicts with %s\n",
				    buf->id, dev_name(a->dev),
				    cenalloc_conflict_str(why), other);
		return -EBUSY;
	}
	if (!cenalloc_pool_can_satisfy(buf->size, c)) {
		cenalloc_constraints_format(text, sizeof(text), c);
		pr_info_ratelimited("cenalloc: buffer %lu: %s cannot attach: no allocator can provide %llu bytes for [%s]\n",
				    buf->id, dev_name(a->dev), buf->size, text);
		return -EBUSY;
	}
	return 0;
}

/*
 * Wait, with the buffer's lock dropped, until no fence protects the
 * storage: 0, -EBUSY after cenalloc_fence_wait_ms, or -ERESTARTSYS.
 */
static int cenalloc_buffer_wait_idle(struct cenalloc_buffer *buf,
				     struct device *dev)
{
	long ret;

	lockdep_assert_held(&buf->lock);
	mutex_unlock(&buf->lock);
	ret = dma_resv_wait_timeout(&buf->resv, DMA_RESV_USAGE_BOOKKEEP, true,
				    cenalloc_fence_wait());
	mutex_lock(&buf->lock);
	if (ret < 0)
		return ret;
	if (!ret) {
		pr_info_ratelimited("cenalloc: buffer %lu: %s cannot attach: the storage must move but its fences did not signal in time\n",
				    buf->id, dev_name(dev));
		return -EBUSY;
	}
	return 0;
}

/*
 * Take the reservation lock for the move: it is outside @buf->lock, which
 * is dropped meanwhile.  Return 0 with both held, or -EINTR.
 */
static int cenalloc_buffer_lock_resv(struct cenalloc_buffer *buf)
{
	int ret;

	lockdep_assert_held(&buf->lock);
	mutex_unlock(&buf->lock);
	ret = dma_resv_lock_interruptible(&buf->resv, NULL);
	mutex_lock(&buf->lock);
	return ret ? -EINTR : 0;
}

/*
 * Admit a new attachment; migrate the storage if it does not serve the
 * combined constraints.  Fences on the buffer are waited for first, and
 * storage a fence still protects is never moved: the last check and the
 * copy happen under the reservation lock, so no fence is added between
 * them.  The new storage is allocated, and the reservation lock taken,
 * with the buffer's lock dropped, so everything is checked again after.
 */
static int cenalloc_buffer_admit(struct cenalloc_buffer *buf,
				 struct cenalloc_attachment *a)
{
	struct cenalloc_storage *old, *st;
	struct cenalloc_constraints c;
	enum cenalloc_conflict why;
	unsigned long i;
	int ret;

	lockdep_assert_held(&buf->lock);
	for (;;) {
		ret = cenalloc_buffer_check(buf, a, &c);
		if (ret || !buf->storage)
			return ret;
		old = buf->storage;
		why = cenalloc_segments_satisfy(old->segs, old->nsegs,
						old->caching, &c);
		if (why == CENALLOC_OK)
			return 0;
		if (buf->num_mapped || buf->vmap_count) {
			pr_info_ratelimited("cenalloc: buffer %lu: %s cannot attach: storage from %s fails its %s and cannot move while %u device and %u kernel mappings are in use\n",
					    buf->id, dev_name(a->dev),
					    cenalloc_allocator_name(old->allocator),
					    cenalloc_conflict_str(why),
					    buf->num_mapped, buf->vmap_count);
			return -EBUSY;
		}
		if (!dma_resv_test_signaled(&buf->resv,
					    DMA_RESV_USAGE_BOOKKEEP)) {
			ret = cenalloc_buffer_wait_idle(buf, a->dev);
			if (ret)
				return ret;
			continue;
		}
		ret = cenalloc_buffer_alloc_unlocked(buf, &c, &st);
		if (ret)
			return ret;
		ret = cenalloc_buffer_lock_resv(buf);
		if (ret) {
			cenalloc_storage_free(st);
			return ret;
		}
		if (buf->storage == old && !buf->num_mapped &&
		    !buf->vmap_count && !cenalloc_buffer_check(buf, a, &c) &&
		    cenalloc_segments_satisfy(st->segs, st->nsegs, st->caching,
					      &c) == CENALLOC_OK &&
		    dma_resv_test_signaled(&buf->resv, DMA_RESV_USAGE_BOOKKEEP))
			break;
		/* The buffer changed meanwhile: decide again. */
		dma_resv_unlock(&buf->resv);
		cenalloc_storage_free(st);
		if (fatal_signal_pending(current))
			return -EINTR;
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
	dma_resv_unlock(&buf->resv);
	atomic64_inc(&cenalloc_nr_migrations);
	cenalloc_storage_free(old);
	return 0;
}

/**
 * cenalloc_dma_buf_attach() - &dma_buf_ops.attach
 * @dmabuf: a cenalloc dma-buf
 * @attach: the new attachment
 *
 * Return: 0, -EBUSY when the device cannot share the buffer (see the
 * kernel log for why), -ENOMEM, or -EINTR.
 */
int cenalloc_dma_buf_attach(struct dma_buf *dmabuf,
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

/**
 * cenalloc_dma_buf_detach() - &dma_buf_ops.detach
 * @dmabuf: a cenalloc dma-buf
 * @attach: the attachment going away (unmapped here if still mapped)
 */
void cenalloc_dma_buf_detach(struct dma_buf *dmabuf,
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
