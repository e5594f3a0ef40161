// SPDX-License-Identifier: GPL-2.0
/*
 * vprime: driver ioctls (include/uapi/drm/vprime_drm.h).
 */

#include <linux/cenalloc.h>
#include <linux/dma-buf.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <uapi/drm/vprime_drm.h>

#include "vprime_drv.h"

static_assert(VPRIME_ALLOCATOR_RESERVE == CENALLOC_ALLOCATOR_RESERVE);
static_assert(VPRIME_GEM_STATE_ALLOCATED == CENALLOC_BUFFER_ALLOCATED);
static_assert(VPRIME_GEM_STATE_CONTIGUOUS == CENALLOC_BUFFER_CONTIGUOUS);
static_assert(VPRIME_GEM_STATE_BELOW_4G == CENALLOC_BUFFER_BELOW_4G);
static_assert(VPRIME_GEM_STATE_WRITECOMBINE == CENALLOC_BUFFER_WRITECOMBINE);

/**
 * vprime_ioctl_getparam() - DRM_IOCTL_VPRIME_GETPARAM
 * @drm: the device
 * @data: &struct drm_vprime_getparam
 * @file: the DRM file
 *
 * Return: 0, or -EINVAL for an unknown parameter or non-zero padding.
 */
int vprime_ioctl_getparam(struct drm_device *drm, void *data,
			  struct drm_file *file)
{
	struct drm_vprime_getparam *args = data;

	if (args->pad)
		return -EINVAL;
	switch (args->param) {
	case VPRIME_PARAM_GEM_CREATE_FLAGS:
		args->value = VPRIME_GEM_CREATE_FLAGS;
		break;
	case VPRIME_PARAM_MAX_OBJECT_SIZE:
		args->value = vprime_max_object_size;
		break;
	case VPRIME_PARAM_DEVICE_INDEX:
		args->value = to_vprime_device(drm)->index;
		break;
	case VPRIME_PARAM_GEM_INFO_STATE:
		args->value = VPRIME_GEM_STATE_ALL;
		break;
	case VPRIME_PARAM_FENCE_FLAGS:
		args->value = VPRIME_FENCE_FLAGS;
		break;
	case VPRIME_PARAM_FENCE_TIMEOUT_MS:
		args->value = vprime_fence_timeout_param();
		break;
	default:
		drm_dbg(drm, "unknown GETPARAM %u\n", args->param);
		return -EINVAL;
	}
	return 0;
}

/**
 * vprime_ioctl_gem_create() - DRM_IOCTL_VPRIME_GEM_CREATE
 * @drm: the device
 * @data: &struct drm_vprime_gem_create
 * @file: the DRM file
 *
 * Return: 0, -EINVAL for a bad size or flags, or -ENOMEM.
 */
int vprime_ioctl_gem_create(struct drm_device *drm, void *data,
			    struct drm_file *file)
{
	struct drm_vprime_gem_create *args = data;
	struct vprime_gem_object *obj;
	u32 handle;
	u64 size;
	int ret;

	obj = vprime_gem_create(drm, args->size, args->flags);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	size = obj->base.size;
	ret = drm_gem_handle_create(file, &obj->base, &handle);
	/*
	 * The handle holds the object now (or nothing does, on error); a
	 * racing GEM_CLOSE of the new handle may free it right after.
	 */
	drm_gem_object_put(&obj->base);
	if (ret)
		return ret;
	args->handle = handle;
	args->size = size;
	return 0;
}

/**
 * vprime_ioctl_gem_info() - DRM_IOCTL_VPRIME_GEM_INFO
 * @drm: the device
 * @data: &struct drm_vprime_gem_info
 * @file: the DRM file
 *
 * Return: 0, -ENOENT for an unknown handle, -EINVAL for non-zero flags.
 */
int vprime_ioctl_gem_info(struct drm_device *drm, void *data,
			  struct drm_file *file)
{
	struct drm_vprime_gem_info *args = data;
	struct cenalloc_buffer_state st;
	struct drm_gem_object *gobj;
	struct cenalloc_buffer *buf;
	u32 handle = args->handle;
	u32 state = 0;

	if (args->flags)
		return -EINVAL;
	gobj = drm_gem_object_lookup(file, handle);
	if (!gobj)
		return -ENOENT;

	if (gobj->import_attach) {
		state |= VPRIME_GEM_STATE_IMPORTED;
		buf = cenalloc_buffer_from_dma_buf(gobj->import_attach->dmabuf);
	} else {
		buf = to_vprime_gem_object(gobj)->buffer;
		if (gobj->dma_buf)
			state |= VPRIME_GEM_STATE_EXPORTED;
	}

	memset(args, 0, sizeof(*args));
	args->handle = handle;
	args->size = gobj->size;
	if (buf) {
		/* The import holds the dma-buf, which holds the buffer. */
		cenalloc_buffer_query(buf, &st);
		cenalloc_state_hide_addresses(&st);
		state |= VPRIME_GEM_STATE_CENALLOC | st.flags;
		CENALLOC_STATE_TO_UAPI(args, &st);
	}
	args->state = state;
	drm_gem_object_put(gobj);
	return 0;
}
