/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vprime: private declarations shared by the driver's files.
 */
#ifndef _VPRIME_DRV_H_
#define _VPRIME_DRV_H_

#include <drm/drm_device.h>
#include <drm/drm_gem.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/xarray.h>

#include "vprime_kms.h"

#define VPRIME_DRIVER_NAME	"vprime"
#define VPRIME_DRIVER_DESC	"Virtual PRIME buffer-sharing device"
#define VPRIME_DRIVER_DATE	"20261121"
#define VPRIME_DRIVER_MAJOR	1
#define VPRIME_DRIVER_MINOR	2

struct cenalloc_buffer;
struct dma_resv;
struct drm_file;
struct drm_mode_create_dumb;

/**
 * struct vprime_device - one vprime DRM device
 * @drm: the DRM device, first so that container_of() is free
 * @pdev: the faux platform device it hangs off
 * @index: which of the num_devices instances this is
 * @objects_lock: protects @objects
 * @objects: every live GEM object of the device, for debugfs; protected
 *	by @objects_lock
 * @compose_wq: ordered workqueue of the CRTCs' compose work (KMS only)
 */
struct vprime_device {
	struct drm_device drm;
	struct platform_device *pdev;
	unsigned int index;
	/* protects @objects */
	struct mutex objects_lock;
	struct list_head objects;
	struct workqueue_struct *compose_wq;
};

/**
 * struct vprime_gem_object - a vprime GEM object
 * @base: the GEM object
 * @buffer: the cenalloc buffer holding the storage of an object vprime
 *	created (one reference); NULL for an import, whose storage belongs to
 *	the exporter (base.import_attach)
 * @node: entry in &vprime_device.objects
 * @rcu: frees the object an RCU grace period after its last reference
 *	(cenalloc_dma_buf_owner_rcu() reads owners under RCU)
 */
struct vprime_gem_object {
	struct drm_gem_object base;
	struct cenalloc_buffer *buffer;
	struct list_head node;
	struct rcu_head rcu;
};

/**
 * struct vprime_file - what vprime keeps per open DRM file
 * @fences: FENCE_ATTACH fences not yet signalled through FENCE_SIGNAL, by
 *	id, one reference each (the xarray's own lock protects it)
 */
struct vprime_file {
	struct xarray fences;
};

static inline struct vprime_device *to_vprime_device(struct drm_device *drm)
{
	return container_of(drm, struct vprime_device, drm);
}

static inline struct vprime_gem_object *
to_vprime_gem_object(struct drm_gem_object *obj)
{
	return container_of(obj, struct vprime_gem_object, base);
}

/* vprime_drv.c */
extern u64 vprime_max_object_size;

/* vprime_gem.c */
struct vprime_gem_object *vprime_gem_create(struct drm_device *drm,
					    u64 size, u32 flags);
struct vprime_gem_object *vprime_gem_alloc(struct drm_device *drm, u64 size,
					   struct dma_resv *resv);
void vprime_gem_publish(struct vprime_gem_object *obj);
int vprime_dumb_create(struct drm_file *file, struct drm_device *drm,
		       struct drm_mode_create_dumb *args);
int vprime_dumb_map_offset(struct drm_file *file, struct drm_device *drm,
			   u32 handle, u64 *offset);
extern const struct cenalloc_owner_ops vprime_owner_ops;

/* vprime_prime.c */
struct drm_gem_object *vprime_gem_prime_import(struct drm_device *drm,
					       struct dma_buf *dmabuf);
struct dma_buf *vprime_gem_prime_export(struct drm_gem_object *obj,
					int flags);

/* vprime_ioctl.c */
int vprime_ioctl_getparam(struct drm_device *drm, void *data,
			  struct drm_file *file);
int vprime_ioctl_gem_create(struct drm_device *drm, void *data,
			    struct drm_file *file);
int vprime_ioctl_gem_info(struct drm_device *drm, void *data,
			  struct drm_file *file);

/* vprime_fence.c */
int vprime_ioctl_fence_attach(struct drm_device *drm, void *data,
			      struct drm_file *file);
int vprime_ioctl_fence_signal(struct drm_device *drm, void *data,
			      struct drm_file *file);
void vprime_fence_file_init(struct vprime_file *vfile);
void vprime_fence_file_fini(struct vprime_file *vfile);
u32 vprime_fence_timeout_param(void);
int vprime_fence_module_init(void);
void vprime_fence_module_exit(void);

/* vprime_debugfs.c */
void vprime_debugfs_init(struct drm_minor *minor);

#endif /* _VPRIME_DRV_H_ */
