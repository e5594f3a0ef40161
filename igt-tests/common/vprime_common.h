/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by vprime's IGT tests.  They use only libdrm and IGT's
 * core API, so they build in an upstream IGT tree as well as with the
 * project's small harness.  Where upstream's libigt has a helper of the
 * same purpose (gem_close(), prime_handle_to_fd(), ...), ours carries a vp_
 * prefix: upstream's would otherwise take its place at link time, and
 * they differ (upstream exports without DRM_RDWR).
 */
#ifndef VPRIME_COMMON_H
#define VPRIME_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <drm/vprime_drm.h>
#include <linux/cenalloc.h>

enum vprime_node {
	VPRIME_NODE_PRIMARY,
	VPRIME_NODE_RENDER,
};

/* Open the @index'th DRM node of @type whose driver is @driver, or -1. */
int drm_open_by_name(const char *driver, enum vprime_node type,
		     unsigned int index);
/* Count the nodes of @type whose driver is @driver. */
int drm_count_by_name(const char *driver, enum vprime_node type);
/* Open vprime device @index's node, skipping the test if it is missing. */
int vprime_open(enum vprime_node type, unsigned int index);
/* The name of the driver behind @fd, in @buf. */
bool drm_driver_name(int fd, char *buf, size_t len);
/* Read an integer module parameter; -1 if absent. */
long module_param_long(const char *module, const char *param);

/* vprime ioctls: return 0 or -errno. */
int __vprime_gem_create(int fd, uint64_t size, uint32_t flags,
			uint32_t *handle);
uint32_t vprime_gem_create(int fd, uint64_t size, uint32_t flags);
int __vprime_gem_info(int fd, uint32_t handle,
		      struct drm_vprime_gem_info *info);
struct drm_vprime_gem_info vprime_gem_info(int fd, uint32_t handle);
int __vprime_getparam(int fd, uint32_t param, uint64_t *value);
void vp_gem_close(int fd, uint32_t handle);

/* Dumb buffers and mmap through the DRM file. */
uint32_t dumb_create(int fd, uint32_t width, uint32_t height, uint32_t bpp,
		     uint32_t *pitch, uint64_t *size);
int __dumb_map(int fd, uint32_t handle, uint64_t *offset);
void *vp_gem_mmap(int fd, uint32_t handle, size_t size, int prot);

/* PRIME.  The export is DRM_CLOEXEC | DRM_RDWR, so it can be mapped. */
int vp_prime_handle_to_fd(int fd, uint32_t handle);
uint32_t vp_prime_fd_to_handle(int fd, int dmabuf);
void *dmabuf_mmap(int dmabuf, size_t size, int prot);
void dmabuf_sync(int dmabuf, uint64_t flags);

/* /dev/cenalloc. */
int cenalloc_open(void);
int __cenalloc_alloc(int cfd, uint64_t size, uint32_t flags, int *dmabuf);
int __cenalloc_info(int cfd, int dmabuf, struct cenalloc_info_data *info);

/* Count dma-bufs in debugfs dma_buf/bufinfo whose exporter is @exp_name. */
int bufinfo_count(const char *exp_name);
/*
 * What must not outlive a test: live dma-bufs by exporter (vprime,
 * cenalloc, videobuf2) and the objects of @fd's vprime device.
 */
struct buf_census {
	int vprime, cenalloc, vb2, objects;
};

struct buf_census buf_census(int fd);
void assert_census_eq(int fd, const struct buf_census *before);
/* Objects listed in this device's debugfs vprime_objects. */
int vprime_debugfs_objects(int fd);
/* Whether debugfs cenalloc/buffers contains @text. */
bool cenalloc_debugfs_has(const char *text);
/* The size of cenalloc's contiguous reserve (debugfs cenalloc/pool). */
uint64_t cenalloc_reserve_bytes(void);
/* Write a rule to debugfs cenalloc/policy. */
void cenalloc_policy(const char *rule);

/* Read one byte through a mapping, so the access really happens. */
static inline uint8_t peek(const void *p)
{
	return __atomic_load_n((const uint8_t *)p, __ATOMIC_RELAXED);
}

/*
 * Whether reading @p raises SIGBUS.  The signal is caught here, in the
 * calling process, so it never reaches the harness's crash handler (which
 * in upstream IGT ends the subtest as CRASH in whatever process takes it).
 */
bool vp_read_sigbus(const void *p);

/* Fill / check a buffer with a pattern derived from @seed. */
void pattern_fill(void *ptr, size_t size, uint32_t seed);
bool pattern_check(const void *ptr, size_t size, uint32_t seed);

#endif /* VPRIME_COMMON_H */
