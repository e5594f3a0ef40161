// SPDX-License-Identifier: GPL-2.0
/*
 * vprime: GEM objects, dumb buffers and mmap.
 */

/**
 * DOC: vprime GEM objects
 *
 * A GEM object vprime creates wraps a cenalloc buffer (&vprime_gem_object
 * .buffer) and registers itself as the buffer's owner, so that a dma-buf
 * exported from it is recognised on import (the same object comes back)
 * and so that cenalloc can zap the object's mmaps when the storage moves.
 * The object has no storage until first used.
 *
 * An imported object (&drm_gem_object.import_attach) holds an attachment
 * of the vprime device to the exporter's dma-buf and nothing else: it is
 * not mapped until something needs a device mapping, and its mmap is
 * forwarded to the exporter with dma_buf_mmap(), which is what makes
 * MAP_DUMB + mmap work for imported buffers (Mesa's kms_swrast).
 *
 * Lifetime: the DRM core's object reference count.  Handles, mmaps of the
 * object (drm_gem_vm_open/close) and the core's PRIME bookkeeping hold
 * references.  An mmap of an import holds the exporter's dma-buf instead.
 * The last reference frees the object: it unregisters as the buffer's
 * owner, then drops the buffer (or detaches from the exporter).
 */

#include <linux/cenalloc.h>
#include <linux/cenalloc_compat.h>
#include <linux/dma-buf.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_prime.h>
#include <drm/drm_vma_manager.h>
#include <uapi/drm/vprime_drm.h>

#include "vprime_drv.h"

static_assert(VPRIME_GEM_CREATE_CONTIGUOUS == CENALLOC_CREATE_CONTIGUOUS);
static_assert(VPRIME_GEM_CREATE_DMA32 == CENALLOC_CREATE_DMA32);
static_assert(VPRIME_GEM_CREATE_WRITECOMBINE == CENALLOC_CREATE_WRITECOMBINE);

static void vprime_gem_free(struct drm_gem_object *gobj)
{
	struct vprime_gem_object *obj = to_vprime_gem_object(gobj);
	struct vprime_device *vdev = to_vprime_device(gobj->dev);

	mutex_lock(&vdev->objects_lock);
	list_del(&obj->node);
	mutex_unlock(&vdev->objects_lock);

	if (gobj->import_attach) {
		/* Detaches and drops the import's dma-buf reference. */
		drm_prime_gem_destroy(gobj, NULL);
	} else if (obj->buffer) {
		cenalloc_buffer_set_owner(obj->buffer, NULL, NULL);
		cenalloc_buffer_put(obj->buffer);
	}
	drm_gem_object_release(gobj);
	/* cenalloc_dma_buf_owner_rcu() may still read it (under RCU). */
	kfree_rcu(obj, rcu);
}

static void vprime_owner_zap(void *owner)
{
	struct vprime_gem_object *obj = owner;

	drm_vma_node_unmap(&obj->base.vma_node,
			   obj->base.dev->anon_inode->i_mapping);
}

/* How cenalloc reaches the object wrapping a buffer. */
const struct cenalloc_owner_ops vprime_owner_ops = {
	.zap_cpu_mappings = vprime_owner_zap,
};

/*
 * vm_pgoff of a GEM vma is the object's fake offset plus the vma's first
 * page; a vma split (munmap of the head, mprotect of a middle page) moves
 * it along.  cenalloc's fault handler takes offsets in the object.
 */
static pgoff_t vprime_gem_pgoff(struct drm_gem_object *gobj, pgoff_t pgoff)
{
	return pgoff - drm_vma_node_start(&gobj->vma_node);
}

/*
 * An unplugged device's mappings were zapped by drm_dev_unplug() and do
 * not fault back in (as with hardware that is gone); dma-bufs exported
 * from it keep working.
 */
static vm_fault_t vprime_gem_fault(struct vm_fault *vmf)
{
	struct drm_gem_object *gobj = vmf->vma->vm_private_data;
	vm_fault_t ret;
	int idx;

	if (!drm_dev_enter(gobj->dev, &idx))
		return VM_FAULT_SIGBUS;
	ret = cenalloc_buffer_fault(to_vprime_gem_object(gobj)->buffer, vmf,
				    vprime_gem_pgoff(gobj, vmf->pgoff));
	drm_dev_exit(idx);
	return ret;
}

#ifdef CENALLOC_PMD_PFNMAP
static vm_fault_t vprime_gem_huge_fault(struct vm_fault *vmf,
					unsigned int order)
{
	struct drm_gem_object *gobj = vmf->vma->vm_private_data;
	vm_fault_t ret;
	int idx;

	if (!drm_dev_enter(gobj->dev, &idx))
		return VM_FAULT_SIGBUS;
	ret = cenalloc_buffer_huge_fault(to_vprime_gem_object(gobj)->buffer,
					 vmf, vprime_gem_pgoff(gobj, vmf->pgoff),
					 order);
	drm_dev_exit(idx);
	return ret;
}
#endif

static const struct vm_operations_struct vprime_gem_vm_ops = {
	.fault = vprime_gem_fault,
#ifdef CENALLOC_PMD_PFNMAP
	.huge_fault = vprime_gem_huge_fault,
#endif
	.open = drm_gem_vm_open,
	.close = drm_gem_vm_close,
};

static int vprime_gem_mmap(struct drm_gem_object *gobj,
			   struct vm_area_struct *vma)
{
	struct vprime_gem_object *obj = to_vprime_gem_object(gobj);
	int ret;

	if (gobj->import_attach) {
		/*
		 * The exporter maps its own storage; drm_gem_dumb_map_offset()
		 * refuses imports, which is why vprime has its own MAP_DUMB.
		 * Exporters that install no vm_ops (the system dma-heap,
		 * udmabuf) must not inherit vprime's, whose close would drop
		 * an object reference this vma does not hold.
		 */
		vma->vm_ops = NULL;
		vma->vm_private_data = NULL;
		ret = dma_buf_mmap(gobj->import_attach->dmabuf, vma,
				   vprime_gem_pgoff(gobj, vma->vm_pgoff));
		if (ret)
			return ret;
		/*
		 * A dma-buf mapping cannot grow past the buffer, whether or
		 * not the exporter said so; the DRM core insists.
		 */
		vm_flags_set(vma, VM_DONTEXPAND);
		/* The vma holds the dma-buf file now, not the object. */
		drm_gem_object_put(gobj);
		return 0;
	}
	ret = cenalloc_buffer_mmap_prepare(obj->buffer, vma,
					   vprime_gem_pgoff(gobj, vma->vm_pgoff));
	if (ret)
		return ret;
	vma->vm_ops = &vprime_gem_vm_ops;
	return 0;
}

static int vprime_gem_vmap(struct drm_gem_object *gobj, struct iosys_map *map)
{
	if (gobj->import_attach)
		return dma_buf_vmap(gobj->import_attach->dmabuf, map);
	return cenalloc_buffer_vmap(to_vprime_gem_object(gobj)->buffer, map);
}

static void vprime_gem_vunmap(struct drm_gem_object *gobj,
			      struct iosys_map *map)
{
	if (gobj->import_attach)
		dma_buf_vunmap(gobj->import_attach->dmabuf, map);
	else
		cenalloc_buffer_vunmap(to_vprime_gem_object(gobj)->buffer, map);
}

static const struct drm_gem_object_funcs vprime_gem_funcs = {
	.free = vprime_gem_free,
	.export = vprime_gem_prime_export,
	.vmap = vprime_gem_vmap,
	.vunmap = vprime_gem_vunmap,
	.mmap = vprime_gem_mmap,
	.vm_ops = &vprime_gem_vm_ops,
};

/**
 * vprime_gem_alloc() - a GEM object with an mmap offset and no storage
 * @drm: the device
 * @size: page-aligned size
 * @resv: the reservation object of the storage (the cenalloc buffer's or
 *	the imported dma-buf's): the object's fences are the buffer's
 *
 * The caller sets either &vprime_gem_object.buffer or import_attach, then
 * calls vprime_gem_publish(); until then the object may only be freed with
 * drm_gem_object_put().
 *
 * Return: the object, with one reference for the caller, or an ERR_PTR().
 */
struct vprime_gem_object *vprime_gem_alloc(struct drm_device *drm, u64 size,
					   struct dma_resv *resv)
{
	struct vprime_gem_object *obj;
	int ret;

	obj = kzalloc(sizeof(*obj), GFP_KERNEL);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	obj->base.funcs = &vprime_gem_funcs;
	/* Set first: drm_gem_private_object_init() keeps a resv set. */
	obj->base.resv = resv;
	drm_gem_private_object_init(drm, &obj->base, size);
	/* Not listed until vprime_gem_publish(): list_del() of it is safe. */
	INIT_LIST_HEAD(&obj->node);

	ret = drm_gem_create_mmap_offset(&obj->base);
	if (ret) {
		/* From here the object is freed through its reference. */
		drm_gem_object_put(&obj->base);
		return ERR_PTR(ret);
	}
	return obj;
}

/**
 * vprime_gem_publish() - list a finished object for debugfs
 * @obj: an object whose buffer or import_attach is set
 *
 * Fields set before this are read by debugfs without further locking.
 */
void vprime_gem_publish(struct vprime_gem_object *obj)
{
	struct vprime_device *vdev = to_vprime_device(obj->base.dev);

	mutex_lock(&vdev->objects_lock);
	list_add_tail(&obj->node, &vdev->objects);
	mutex_unlock(&vdev->objects_lock);
}

/**
 * vprime_gem_create() - a new object backed by a cenalloc buffer
 * @drm: the device
 * @size: bytes, rounded up to pages
 * @flags: %VPRIME_GEM_CREATE_* placement flags
 *
 * Return: the object with one reference for the caller, ERR_PTR(-EINVAL)
 * for a bad size or flags, or ERR_PTR(-ENOMEM).
 */
struct vprime_gem_object *vprime_gem_create(struct drm_device *drm,
					    u64 size, u32 flags)
{
	struct cenalloc_buffer *buf;
	struct vprime_gem_object *obj;

	if (flags & ~VPRIME_GEM_CREATE_FLAGS) {
		drm_dbg(drm, "unknown GEM_CREATE flags %#x\n", flags);
		return ERR_PTR(-EINVAL);
	}
	if (!size || size > vprime_max_object_size) {
		drm_dbg(drm, "object size %llu outside 1..%llu\n", size,
			vprime_max_object_size);
		return ERR_PTR(-EINVAL);
	}
	size = PAGE_ALIGN(size);

	buf = cenalloc_buffer_create(size, flags);
	if (IS_ERR(buf))
		return ERR_CAST(buf);
	obj = vprime_gem_alloc(drm, size, cenalloc_buffer_resv(buf));
	if (IS_ERR(obj)) {
		cenalloc_buffer_put(buf);
		return obj;
	}
	/* The object owns this reference; vprime_gem_free() drops it. */
	obj->buffer = buf;
	cenalloc_buffer_set_owner(buf, &vprime_owner_ops, obj);
	vprime_gem_publish(obj);
	return obj;
}

/**
 * vprime_dumb_create() - &drm_driver.dumb_create
 * @file: the DRM file
 * @drm: the device
 * @args: width, height and bpp in; handle, pitch and size out
 *
 * The pitch is width * bytes per pixel rounded up to 64 bytes.
 *
 * Return: 0, -EINVAL for flags, a bpp that is not 1, 2, 4 or 8 bytes per
 * pixel, or a size that overflows or exceeds the maximum object size, or
 * -ENOMEM.
 */
int vprime_dumb_create(struct drm_file *file, struct drm_device *drm,
		       struct drm_mode_create_dumb *args)
{
	struct vprime_gem_object *obj;
	u64 cpp = DIV_ROUND_UP((u64)args->bpp, 8);
	u64 pitch = ALIGN((u64)args->width * cpp, 64);
	u64 size;
	int ret;

	/*
	 * Pixels of 1, 2, 4 or 8 bytes, as every RGB and YUV format with a
	 * dumb buffer has; 3-byte pixels (bpp 24) are refused, as upstream
	 * IGT's dumb_buffer@invalid-bpp expects.
	 */
	if (cpp != 1 && cpp != 2 && cpp != 4 && cpp != 8) {
		drm_dbg(drm, "bad dumb buffer bpp %u\n", args->bpp);
		return -EINVAL;
	}
	if (args->flags || !args->width || !args->height ||
	    pitch > U32_MAX || args->height > vprime_max_object_size / pitch) {
		drm_dbg(drm, "bad dumb buffer %ux%u bpp %u flags %#x\n",
			args->width, args->height, args->bpp, args->flags);
		return -EINVAL;
	}
	obj = vprime_gem_create(drm, pitch * args->height, 0);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	size = obj->base.size;
	ret = drm_gem_handle_create(file, &obj->base, &args->handle);
	/*
	 * The handle holds the object now (or nothing does, on error).  Once
	 * the handle exists another thread may close it: obj is not ours to
	 * read after the put.
	 */
	drm_gem_object_put(&obj->base);
	if (ret)
		return ret;
	args->pitch = pitch;
	args->size = size;
	return 0;
}

/**
 * vprime_dumb_map_offset() - &drm_driver.dumb_map_offset
 * @file: the DRM file
 * @drm: the device
 * @handle: the object
 * @offset: returns the fake offset to mmap on the DRM file
 *
 * Unlike drm_gem_dumb_map_offset() this accepts imported objects: their
 * mmap is forwarded to the exporter.
 *
 * Return: 0 or -ENOENT for an unknown handle.
 */
int vprime_dumb_map_offset(struct drm_file *file, struct drm_device *drm,
			   u32 handle, u64 *offset)
{
	struct drm_gem_object *gobj = drm_gem_object_lookup(file, handle);

	if (!gobj)
		return -ENOENT;
	*offset = drm_vma_node_offset_addr(&gobj->vma_node);
	drm_gem_object_put(gobj);
	return 0;
}
