/* SPDX-License-Identifier: MIT */
/*
 * libvprime: share buffers through vprime, cenalloc and dma-buf.
 *
 * Every function returns 0 (or a non-negative value where it says so) on
 * success and a negative errno on failure; vprime_error() then describes
 * the failure in words for the calling thread.  File descriptors the
 * library returns are close-on-exec and belong to the caller.
 */
#ifndef LIBVPRIME_H
#define LIBVPRIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <drm/vprime_drm.h>
#include <linux/cenalloc.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The last failure of this thread, as a sentence; "" if none. */
const char *vprime_error(void);

/* ioctl(), restarted on EINTR and EAGAIN as libdrm does: 0 or -errno. */
int vprime_ioctl(int fd, unsigned long request, void *arg);

enum vprime_node_type {
	VPRIME_PRIMARY,	/* /dev/dri/cardN: dumb buffers, what Mesa needs */
	VPRIME_RENDER,	/* /dev/dri/renderDN */
};

/*
 * Open the @index'th DRM node of @type whose kernel driver is @driver
 * ("vprime", "vgem", ...), found by name, not by card number.
 * Returns the fd or -errno (-ENODEV when there is no such device).
 */
int vprime_open_driver(const char *driver, enum vprime_node_type type,
		       unsigned int index);

/* A buffer object of one DRM file. */
struct vprime_bo {
	uint32_t handle;
	uint32_t width, height, pitch;	/* 0 for GEM_CREATE objects */
	uint64_t size;
};

/* GEM_CREATE: @flags are VPRIME_GEM_CREATE_*. */
int vprime_bo_create(int drm, uint64_t size, uint32_t flags,
		     struct vprime_bo *bo);
/* A dumb buffer, as a compositor or Mesa allocates one. */
int vprime_bo_create_dumb(int drm, uint32_t width, uint32_t height,
			  uint32_t bpp, struct vprime_bo *bo);
int vprime_bo_close(int drm, uint32_t handle);
/* PRIME handle-to-fd (read-write) and fd-to-handle. */
int vprime_bo_export(int drm, uint32_t handle, int *dmabuf);
int vprime_bo_import(int drm, int dmabuf, uint32_t *handle);
/* GEM_INFO: where the object's storage is and what constrains it. */
int vprime_bo_info(int drm, uint32_t handle,
		   struct drm_vprime_gem_info *info);

/*
 * /dev/cenalloc: a dma-buf with CENALLOC_FLAG_* placement requests.  The
 * library opens /dev/cenalloc once and keeps it (close-on-exec); the
 * buffers of a process count against that one file's quota.  Each call
 * checks with an fstat() that the kept descriptor is still /dev/cenalloc
 * (a program may have closed or reused its number); a program that
 * allocates in a tight loop can open /dev/cenalloc itself and call
 * CENALLOC_IOC_ALLOC on it, one syscall a buffer.
 */
int vprime_cenalloc_alloc(uint64_t size, uint32_t flags, int *dmabuf);
/* Placement of any cenalloc-backed dma-buf (vprime's exports too). */
int vprime_cenalloc_info(int dmabuf, struct cenalloc_info_data *info);

/* The size of a dma-buf (any exporter); >= 0, or -errno. */
int64_t vprime_dmabuf_size(int dmabuf);
/* The exporter's name from /proc/self/fdinfo, into @buf. */
int vprime_dmabuf_exporter(int dmabuf, char *buf, size_t len);

/*
 * A CPU mapping of a dma-buf.  Access goes between vprime_map_begin()
 * and vprime_map_end(), which issue DMA_BUF_IOCTL_SYNC so that caches
 * and device access are coordinated by the exporter.
 */
struct vprime_map {
	void *ptr;
	size_t size;
	int dmabuf;
	uint64_t access;	/* DMA_BUF_SYNC_READ/WRITE while begun */
};

/* @prot: PROT_READ and/or PROT_WRITE; @size 0 means the whole buffer. */
int vprime_map(int dmabuf, size_t size, int prot, struct vprime_map *map);
/* @access: DMA_BUF_SYNC_READ, _WRITE or _RW. */
int vprime_map_begin(struct vprime_map *map, uint64_t access);
int vprime_map_end(struct vprime_map *map);
void vprime_unmap(struct vprime_map *map);

/*
 * Pass dma-buf fds between processes over a Unix socket (SCM_RIGHTS),
 * with @len bytes of data alongside.  vprime_recv_fds() returns the
 * number of fds received (at most @max) and fills @data.
 */
int vprime_send_fds(int sock, const int *fds, unsigned int n,
		    const void *data, size_t len);
int vprime_recv_fds(int sock, int *fds, unsigned int max, void *data,
		    size_t len);

/*
 * V4L2 queues (videodev2.h types and V4L2_MEMORY_*), returning -errno
 * without a vprime_error() message: the caller names the step.
 * vprime_v4l2_open() opens the video node whose sysfs name is @name
 * ("vivid-000-vid-cap") and returns its path in @path.
 */
int vprime_v4l2_open(const char *name, char *path, size_t len);
int vprime_v4l2_reqbufs(int fd, uint32_t type, uint32_t memory,
			uint32_t count);
/* @dmabuf is used for V4L2_MEMORY_DMABUF only. */
int vprime_v4l2_qbuf(int fd, uint32_t type, uint32_t memory, uint32_t index,
		     int dmabuf, uint32_t length, uint32_t bytesused);
/* Wait up to @timeout_ms; -ETIMEDOUT, -EIO for a buffer marked ERROR. */
int vprime_v4l2_dqbuf(int fd, uint32_t type, uint32_t memory, int timeout_ms,
		      uint32_t *index);
int vprime_v4l2_stream(int fd, uint32_t type, bool on);

/* A census of the system's dma-bufs (what dmabuf-inspect prints). */
#define VPRIME_CENSUS_TEXT 192
#define VPRIME_CENSUS_MAX_ATTACH 16

struct vprime_dmabuf_holder {
	int pid;
	char comm[32];
	int fds, maps;		/* open fds and mappings of the buffer */
};

struct vprime_dmabuf {
	unsigned long ino;	/* identity: the dma-buf file's inode */
	uint64_t size;
	char exporter[64];
	char name[64];
	long refs;		/* file references (debugfs only) */
	bool in_bufinfo;
	int nattached;		/* devices attached (debugfs only) */
	char attached[VPRIME_CENSUS_MAX_ATTACH][64];
	struct vprime_dmabuf_holder *holders;
	int nholders;
	/* cenalloc-backed buffers (debugfs cenalloc/buffers) */
	bool cenalloc;
	char storage[VPRIME_CENSUS_TEXT];
	char constraints[VPRIME_CENSUS_TEXT];
	int ncattach;
	char cattach[VPRIME_CENSUS_MAX_ATTACH][VPRIME_CENSUS_TEXT];
};

struct vprime_dmabuf_census {
	struct vprime_dmabuf *bufs;
	int nbufs;
	bool debugfs;		/* debugfs detail was available */
};

/*
 * Take a census; @debugfs is the debugfs mount point (NULL: the usual
 * one).  Free it with vprime_dmabuf_census_free().
 */
int vprime_dmabuf_census(struct vprime_dmabuf_census *c, const char *debugfs);
const struct vprime_dmabuf *
vprime_dmabuf_census_find(const struct vprime_dmabuf_census *c,
			  unsigned long ino);
void vprime_dmabuf_census_free(struct vprime_dmabuf_census *c);

/*
 * KMS (kms.c).  The first display pipe of a DRM device for an atomic
 * client: what CRTC index 0 can use.  @overlay, @cursor and @writeback
 * are 0 when the device has none.
 */
struct vprime_pipe {
	uint32_t crtc, connector, writeback;
	uint32_t primary, overlay, cursor;
};

/*
 * Set the atomic and writeback-connector client caps on @drm and find its
 * first pipe: -ENODEV without a CRTC, connector or primary plane.
 */
int vprime_pipe_find(int drm, struct vprime_pipe *pipe);
/* The id of property @name of object @obj (DRM_MODE_OBJECT_*), or 0. */
uint32_t vprime_prop_id(int drm, uint32_t obj, uint32_t type,
			const char *name);
struct _drmModeAtomicReq;
/* Add @name = @value of @obj to the atomic request @req (libdrm's). */
int vprime_atomic_set(int drm, struct _drmModeAtomicReq *req, uint32_t obj,
		      uint32_t type, const char *name, uint64_t value);

#ifdef __cplusplus
}
#endif

#endif /* LIBVPRIME_H */
