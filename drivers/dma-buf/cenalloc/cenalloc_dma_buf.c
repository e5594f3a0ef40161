// SPDX-License-Identifier: GPL-2.0
/*
 * cenalloc: the dma_buf_ops of cenalloc's dma-bufs (attach and detach are
 * in cenalloc_attach.c).
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <linux/cenalloc_compat.h>

#include "cenalloc_drv.h"

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
	/* As long as the buffer is fragmented: see CENALLOC_GFP_META. */
	ret = sg_alloc_table(sgt, cenalloc_storage_cut(st, c, NULL),
			     CENALLOC_GFP_META);
	if (ret) {
		kfree(sgt);
		return ERR_PTR(ret);
	}
	cenalloc_storage_cut(st, c, sgt->sgl);
	return sgt;
}

/*
 * Several devices (or several files of one) may map the same pages: the
 * mappings are made without CPU cache maintenance, as the DRM core's and
 * udmabuf's are, and the cache is handled by explicit syncs in the
 * mapping's own direction (here, and in begin/end_cpu_access).
 */
#define CENALLOC_DMA_ATTRS DMA_ATTR_SKIP_CPU_SYNC

/**
 * cenalloc_attachment_unmap() - undo an attachment's device mapping
 * @buf: the buffer (its lock held)
 * @a: a mapped attachment
 */
void cenalloc_attachment_unmap(struct cenalloc_buffer *buf,
			       struct cenalloc_attachment *a)
{
	lockdep_assert_held(&buf->lock);
	dma_sync_sgtable_for_cpu(a->dev, a->sgt, a->dir);
	dma_unmap_sgtable(a->dev, a->sgt, a->dir, CENALLOC_DMA_ATTRS);
	sg_free_table(a->sgt);
	kfree(a->sgt);
	a->sgt = NULL;
	a->mapped = false;
	buf->num_mapped--;
}

static struct sg_table *cenalloc_dma_buf_map(struct dma_buf_attachment *attach,
					     enum dma_data_direction dir)
{
	struct cenalloc_buffer *buf = attach->dmabuf->priv;
	struct cenalloc_attachment *a = attach->priv;
	struct sg_table *sgt;
	int ret;

	mutex_lock(&buf->lock);
	/* Drops the lock while allocating: check the mapping after it. */
	ret = cenalloc_buffer_ensure_storage(buf);
	if (ret)
		goto err_unlock;
	if (a->mapped) {
		ret = -EBUSY;
		goto err_unlock;
	}
	sgt = cenalloc_storage_sgt(buf->storage, &a->constraints);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto err_unlock;
	}
	ret = dma_map_sgtable(a->dev, sgt, dir, CENALLOC_DMA_ATTRS);
	if (ret)
		goto err_free_sgt;
	dma_sync_sgtable_for_device(a->dev, sgt, dir);
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

/*
 * Each mapped attachment is synced in the direction it was mapped with:
 * the DMA API requires it, whatever the CPU is about to do.
 */
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
				dma_sync_sgtable_for_cpu(a->dev, a->sgt, a->dir);
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
			dma_sync_sgtable_for_device(a->dev, a->sgt, a->dir);
	mutex_unlock(&buf->lock);
	return 0;
}

static vm_fault_t cenalloc_dma_buf_fault(struct vm_fault *vmf)
{
	/* dma_buf_mmap() made vm_pgoff relative to the buffer. */
	return cenalloc_buffer_fault(vmf->vma->vm_private_data, vmf,
				     vmf->pgoff);
}

#ifdef CENALLOC_PMD_PFNMAP
static vm_fault_t cenalloc_dma_buf_huge_fault(struct vm_fault *vmf,
					      unsigned int order)
{
	return cenalloc_buffer_huge_fault(vmf->vma->vm_private_data, vmf,
					  vmf->pgoff, order);
}
#endif

static const struct vm_operations_struct cenalloc_dma_buf_vm_ops = {
	.fault = cenalloc_dma_buf_fault,
#ifdef CENALLOC_PMD_PFNMAP
	.huge_fault = cenalloc_dma_buf_huge_fault,
#endif
};

static int cenalloc_dma_buf_mmap(struct dma_buf *dmabuf,
				 struct vm_area_struct *vma)
{
	struct cenalloc_buffer *buf = dmabuf->priv;
	int ret;

	ret = cenalloc_buffer_mmap_prepare(buf, vma, vma->vm_pgoff);
	if (ret)
		return ret;
	/* The vma holds the dma-buf's file, which holds the buffer. */
	vma->vm_ops = &cenalloc_dma_buf_vm_ops;
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

const struct dma_buf_ops cenalloc_dma_buf_ops = {
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
