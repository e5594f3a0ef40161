// SPDX-License-Identifier: GPL-2.0
/*
 * vprime: PRIME export and import.
 *
 * The DRM core (drm_prime.c) owns the ioctls, the per-file dma-buf/handle
 * caches and &drm_gem_object.dma_buf; vprime supplies the export of its
 * own objects (cenalloc's dma_buf_ops) and the import path.
 */

#include <linux/cenalloc.h>
#include <linux/dma-buf.h>
#include <linux/kref.h>
#include <linux/rcupdate.h>

#include <drm/drm_prime.h>

#include "vprime_drv.h"

/**
 * vprime_gem_prime_export() - &drm_gem_object_funcs.export
 * @gobj: an object vprime created (the core re-exports imports itself)
 * @flags: file flags of the dma-buf (DRM_CLOEXEC, DRM_RDWR)
 *
 * The dma-buf is the cenalloc buffer's, exporter name "vprime"; it holds
 * the buffer, not the object, so it outlives the object's handles.
 *
 * Return: a dma-buf reference for the core, or an ERR_PTR().
 */
struct dma_buf *vprime_gem_prime_export(struct drm_gem_object *gobj,
					int flags)
{
	struct vprime_gem_object *obj = to_vprime_gem_object(gobj);

	if (drm_WARN_ON_ONCE(gobj->dev, !obj->buffer))
		return ERR_PTR(-EINVAL);
	return cenalloc_buffer_export(obj->buffer, VPRIME_DRIVER_NAME, flags);
}

/**
 * vprime_gem_prime_import() - &drm_driver.gem_prime_import
 * @drm: the importing device
 * @dmabuf: any dma-buf
 *
 * A dma-buf of an object of this device gives back that object.  Any other
 * dma-buf (another vprime device's, /dev/cenalloc's, vgem's, a V4L2
 * driver's) is attached for this device without being mapped.
 *
 * Context: called by the core with the device's object_name_lock held.
 * Return: an object reference for the core, or an ERR_PTR().
 */
struct drm_gem_object *vprime_gem_prime_import(struct drm_device *drm,
					       struct dma_buf *dmabuf)
{
	struct dma_buf_attachment *attach;
	struct vprime_gem_object *obj;

	/* What the core does for its own dma-bufs: one call, no lock. */
	rcu_read_lock();
	obj = cenalloc_dma_buf_owner_rcu(dmabuf, &vprime_owner_ops);
	if (obj && obj->base.dev == drm &&
	    kref_get_unless_zero(&obj->base.refcount)) {
		rcu_read_unlock();
		return &obj->base;
	}
	rcu_read_unlock();

	if (!dmabuf->size || !PAGE_ALIGNED(dmabuf->size)) {
		drm_dbg(drm, "cannot import a dma-buf of %zu bytes\n",
			dmabuf->size);
		return ERR_PTR(-EINVAL);
	}
	attach = dma_buf_attach(dmabuf, drm->dev);
	if (IS_ERR(attach))
		return ERR_CAST(attach);
	get_dma_buf(dmabuf);

	obj = vprime_gem_alloc(drm, dmabuf->size, dmabuf->resv);
	if (IS_ERR(obj)) {
		dma_buf_detach(dmabuf, attach);
		dma_buf_put(dmabuf);
		return ERR_CAST(obj);
	}
	/* The object owns the attachment and the dma-buf reference now. */
	obj->base.import_attach = attach;
	vprime_gem_publish(obj);
	return &obj->base;
}
