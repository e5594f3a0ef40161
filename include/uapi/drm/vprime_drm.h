/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vprime: userspace API of the virtual PRIME buffer-sharing DRM driver.
 *
 * Besides these ioctls vprime implements the DRM core's dumb buffer ioctls
 * (CREATE_DUMB, MAP_DUMB, DESTROY_DUMB), GEM_CLOSE, PRIME handle-to-fd /
 * fd-to-handle, and the syncobj ioctls (binary and timeline).  MAP_DUMB
 * works for imported buffers too: their mmap is forwarded to the exporter.
 *
 * A buffer has one reservation object: fences added through vprime
 * (FENCE_ATTACH), through any of its dma-bufs (DMA_BUF_IOCTL_IMPORT_SYNC_FILE)
 * or by an importer are seen by all of them.
 */
#ifndef _UAPI_VPRIME_DRM_H_
#define _UAPI_VPRIME_DRM_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_VPRIME_GETPARAM	0x00
#define DRM_VPRIME_GEM_CREATE	0x01
#define DRM_VPRIME_GEM_INFO	0x02
#define DRM_VPRIME_FENCE_ATTACH	0x03
#define DRM_VPRIME_FENCE_SIGNAL	0x04

/* Parameters of DRM_IOCTL_VPRIME_GETPARAM. */
#define VPRIME_PARAM_GEM_CREATE_FLAGS	1	/* flags GEM_CREATE accepts */
#define VPRIME_PARAM_MAX_OBJECT_SIZE	2	/* largest object, bytes */
#define VPRIME_PARAM_DEVICE_INDEX	3	/* which vprime device this is */
#define VPRIME_PARAM_GEM_INFO_STATE	4	/* state bits GEM_INFO reports */
#define VPRIME_PARAM_FENCE_FLAGS	5	/* flags FENCE_ATTACH accepts */
#define VPRIME_PARAM_FENCE_TIMEOUT_MS	6	/* when unsignalled fences expire */

/**
 * struct drm_vprime_getparam - argument of DRM_IOCTL_VPRIME_GETPARAM
 * @param: in: a %VPRIME_PARAM_* value
 * @pad: must be zero
 * @value: out: the parameter's value
 *
 * Errors: EINVAL for an unknown @param or a non-zero @pad.
 */
struct drm_vprime_getparam {
	__u32 param;
	__u32 pad;
	__u64 value;
};

/* Flags of struct drm_vprime_gem_create: placement the creator needs. */
#define VPRIME_GEM_CREATE_CONTIGUOUS	(1U << 0)	/* one physical extent */
#define VPRIME_GEM_CREATE_DMA32		(1U << 1)	/* below 4 GiB */
#define VPRIME_GEM_CREATE_WRITECOMBINE	(1U << 2)	/* WC CPU mappings */
#define VPRIME_GEM_CREATE_FLAGS		(VPRIME_GEM_CREATE_CONTIGUOUS | \
					 VPRIME_GEM_CREATE_DMA32 | \
					 VPRIME_GEM_CREATE_WRITECOMBINE)

/**
 * struct drm_vprime_gem_create - argument of DRM_IOCTL_VPRIME_GEM_CREATE
 * @size: in: size in bytes; out: the size rounded up to pages
 * @flags: in: %VPRIME_GEM_CREATE_* placement flags
 * @handle: out: the new object's handle
 *
 * The object has no storage until first used: a CPU fault on an mmap, a
 * kernel mapping, or a device that imported its dma-buf mapping it.
 * Storage then satisfies these flags and every attached device.
 *
 * Errors: EINVAL for a zero size, a size above %VPRIME_PARAM_MAX_OBJECT_SIZE
 * or unknown flags; ENOMEM.
 */
struct drm_vprime_gem_create {
	__u64 size;
	__u32 flags;
	__u32 handle;
};

/* Bits of struct drm_vprime_gem_info.state. */
#define VPRIME_GEM_STATE_ALLOCATED	(1U << 0)	/* storage exists */
/* One extent: asked for if constraint_flags has bit 0, else for free. */
#define VPRIME_GEM_STATE_CONTIGUOUS	(1U << 1)
#define VPRIME_GEM_STATE_BELOW_4G	(1U << 2)	/* all below 4 GiB */
#define VPRIME_GEM_STATE_WRITECOMBINE	(1U << 3)	/* WC CPU mappings */
#define VPRIME_GEM_STATE_IMPORTED	(1U << 4)	/* from another exporter */
#define VPRIME_GEM_STATE_EXPORTED	(1U << 5)	/* has a PRIME dma-buf */
#define VPRIME_GEM_STATE_CENALLOC	(1U << 6)	/* placement fields valid */
#define VPRIME_GEM_STATE_ALL		0x7f

/* Values of struct drm_vprime_gem_info.allocator. */
#define VPRIME_ALLOCATOR_NONE		0	/* no storage, or not cenalloc */
#define VPRIME_ALLOCATOR_SYSTEM		1	/* scattered pages */
#define VPRIME_ALLOCATOR_DMA32		2	/* scattered, below 4 GiB */
#define VPRIME_ALLOCATOR_CONTIG		3	/* one buddy block */
#define VPRIME_ALLOCATOR_RESERVE	4	/* the contiguous reserve */

/**
 * struct drm_vprime_gem_info - argument of DRM_IOCTL_VPRIME_GEM_INFO
 * @handle: in: a GEM handle
 * @flags: in: must be zero
 * @size: out: object size in bytes
 * @state: out: %VPRIME_GEM_STATE_* bits
 * @allocator: out: %VPRIME_ALLOCATOR_* backing the storage
 * @num_segments: out: physically contiguous extents of the storage
 * @num_attachments: out: devices attached to the buffer
 * @max_address: out: highest physical address of the storage; 0 for
 *	callers without CAP_SYS_ADMIN
 * @dma_limit: out: combined constraints: highest usable address
 * @alignment: out: combined constraints: alignment (0: page)
 * @max_segment: out: combined constraints: largest DMA segment (0: any)
 * @seg_boundary: out: combined constraints: segment boundary mask
 * @constraint_flags: out: combined constraint flags (bit 0 contiguous,
 *	bit 1 cached, bit 2 write-combined)
 * @num_mapped: out: device mappings in use
 * @migrations: out: times the storage moved to meet a new device
 * @vmap_count: out: kernel mappings in use
 *
 * Placement and constraint fields are valid when the object is a cenalloc
 * buffer (%VPRIME_GEM_STATE_CENALLOC): vprime's own objects, and imports of
 * buffers cenalloc exported (another vprime device's, /dev/cenalloc's).
 * For other imports only @size and @state are known.  The placement
 * fields are laid out as in /dev/cenalloc's struct cenalloc_info_data.
 *
 * Errors: ENOENT for an unknown handle, EINVAL for non-zero @flags.
 */
struct drm_vprime_gem_info {
	__u32 handle;
	__u32 flags;
	__u64 size;
	__u32 state;
	__u32 allocator;
	__u32 num_segments;
	__u32 num_attachments;
	__u64 max_address;
	__u64 dma_limit;
	__u64 alignment;
	__u64 max_segment;
	__u64 seg_boundary;
	__u32 constraint_flags;
	__u32 num_mapped;
	__u32 migrations;
	__u32 vmap_count;
};

/* Flags of struct drm_vprime_fence_attach. */
#define VPRIME_FENCE_WRITE	(1U << 0)	/* a write: exclusive, not shared */
#define VPRIME_FENCE_SYNC_FILE	(1U << 1)	/* also return a sync_file fd */
#define VPRIME_FENCE_SYNCOBJ	(1U << 2)	/* also put it in a syncobj */
#define VPRIME_FENCE_IN_SYNCOBJ	(1U << 3)	/* after a syncobj's fence */
#define VPRIME_FENCE_FLAGS	(VPRIME_FENCE_WRITE | \
				 VPRIME_FENCE_SYNC_FILE | \
				 VPRIME_FENCE_SYNCOBJ | \
				 VPRIME_FENCE_IN_SYNCOBJ)

/**
 * struct drm_vprime_fence_attach - argument of DRM_IOCTL_VPRIME_FENCE_ATTACH
 * @handle: in: the GEM object (own or imported) the fence is added to
 * @flags: in: %VPRIME_FENCE_* flags
 * @fence: out: the fence's id in this file, for FENCE_SIGNAL
 * @sync_file_fd: out: with %VPRIME_FENCE_SYNC_FILE a sync_file holding the
 *	fence (close-on-exec), else -1
 * @syncobj: in: with %VPRIME_FENCE_SYNCOBJ, a syncobj handle of this file
 *	that gets the fence; must be zero otherwise
 * @pad: must be zero
 * @point: in: with %VPRIME_FENCE_SYNCOBJ, the timeline point to add the
 *	fence at (0: replace the fence of a binary syncobj); zero otherwise
 * @in_syncobj: in: with %VPRIME_FENCE_IN_SYNCOBJ, a syncobj handle of this
 *	file whose fence (at @in_point) must signal before this one does, as
 *	a job waits for its dependencies; must be zero otherwise
 * @pad2: must be zero
 * @in_point: in: with %VPRIME_FENCE_IN_SYNCOBJ, the timeline point (0: the
 *	fence of a binary syncobj); zero otherwise
 *
 * Emulates a device's asynchronous work on a buffer: a new, unsignalled
 * fence is added to the buffer's reservation object as a read (shared)
 * or, with %VPRIME_FENCE_WRITE, a write.  Readers and writers that honour
 * implicit fences (DMA_BUF_IOCTL_SYNC, poll() on the dma-buf, importers)
 * wait for it until DRM_IOCTL_VPRIME_FENCE_SIGNAL signals it; with an
 * in-fence, FENCE_SIGNAL takes effect once the in-fence has signalled too.
 * A fence not signalled within %VPRIME_PARAM_FENCE_TIMEOUT_MS is signalled
 * with the error -ETIMEDOUT, and closing the file signals its fences with
 * -ECANCELED, in-fence or not, so no client can block others for ever.
 *
 * Errors: ENOENT for an unknown handle or syncobj; EINVAL for unknown
 * flags, non-zero @pad or @pad2, @syncobj/@point without
 * %VPRIME_FENCE_SYNCOBJ, @in_syncobj/@in_point without
 * %VPRIME_FENCE_IN_SYNCOBJ, or an in-syncobj with no fence (at that point)
 * yet; EBUSY when the file already has 4096 unsignalled fences; ENOMEM;
 * EMFILE.
 */
struct drm_vprime_fence_attach {
	__u32 handle;
	__u32 flags;
	__u32 fence;
	__s32 sync_file_fd;
	__u32 syncobj;
	__u32 pad;
	__u64 point;
	__u32 in_syncobj;
	__u32 pad2;
	__u64 in_point;
};

/**
 * struct drm_vprime_fence_signal - argument of DRM_IOCTL_VPRIME_FENCE_SIGNAL
 * @fence: in: a fence id FENCE_ATTACH returned on this file
 * @error: in: 0, or a negative errno the fence completes with
 *
 * Signals the fence and forgets its id.
 *
 * Errors: ENOENT for an unknown (or already signalled) id; EINVAL for an
 * @error that is positive or not an errno; ETIMEDOUT when the fence had
 * already expired (it is forgotten all the same).
 */
struct drm_vprime_fence_signal {
	__u32 fence;
	__s32 error;
};

#define DRM_IOCTL_VPRIME_GETPARAM	DRM_IOWR(DRM_COMMAND_BASE + \
		DRM_VPRIME_GETPARAM, struct drm_vprime_getparam)
#define DRM_IOCTL_VPRIME_GEM_CREATE	DRM_IOWR(DRM_COMMAND_BASE + \
		DRM_VPRIME_GEM_CREATE, struct drm_vprime_gem_create)
#define DRM_IOCTL_VPRIME_GEM_INFO	DRM_IOWR(DRM_COMMAND_BASE + \
		DRM_VPRIME_GEM_INFO, struct drm_vprime_gem_info)
#define DRM_IOCTL_VPRIME_FENCE_ATTACH	DRM_IOWR(DRM_COMMAND_BASE + \
		DRM_VPRIME_FENCE_ATTACH, struct drm_vprime_fence_attach)
#define DRM_IOCTL_VPRIME_FENCE_SIGNAL	DRM_IOW(DRM_COMMAND_BASE + \
		DRM_VPRIME_FENCE_SIGNAL, struct drm_vprime_fence_signal)

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_VPRIME_DRM_H_ */
