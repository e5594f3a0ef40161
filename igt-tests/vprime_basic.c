// SPDX-License-Identifier: MIT
/*
 * vprime_basic: GEM objects, dumb buffers and mmap on vprime, with every
 * bad input of those ioctls.
 */
#include <fcntl.h>
#include <sys/mman.h>

#include <xf86drm.h>

#include "igt.h"
#include "vprime_common.h"

#define ONE_MIB (1024 * 1024)

static int fd = -1;

static void check_err(int ret, int err)
{
	igt_assert_eq(ret, -err);
}

static int raw_ioctl(unsigned long req, void *arg)
{
	return drmIoctl(fd, req, arg) ? -errno : 0;
}

igt_main
{
	igt_fixture {
		fd = vprime_open(VPRIME_NODE_PRIMARY, 0);
	}

	igt_describe("GETPARAM reports the create flags, size limit and index");
	igt_subtest("getparam") {
		uint64_t v;

		igt_assert_eq(__vprime_getparam(fd, VPRIME_PARAM_GEM_CREATE_FLAGS, &v), 0);
		igt_assert_eq_u64(v, VPRIME_GEM_CREATE_FLAGS);
		igt_assert_eq(__vprime_getparam(fd, VPRIME_PARAM_MAX_OBJECT_SIZE, &v), 0);
		igt_assert(v >= 64ULL * ONE_MIB);
		igt_assert_eq(__vprime_getparam(fd, VPRIME_PARAM_DEVICE_INDEX, &v), 0);
		igt_assert_eq_u64(v, 0);
		igt_assert_eq(__vprime_getparam(fd, VPRIME_PARAM_GEM_INFO_STATE, &v), 0);
		igt_assert_eq_u64(v, VPRIME_GEM_STATE_ALL);
	}

	igt_describe("A new object has a size and no storage");
	igt_subtest("create-deferred") {
		uint32_t h = vprime_gem_create(fd, ONE_MIB, 0);
		struct drm_vprime_gem_info info = vprime_gem_info(fd, h);

		igt_assert_eq_u64(info.size, ONE_MIB);
		igt_assert_eq_u32(info.state, VPRIME_GEM_STATE_CENALLOC);
		igt_assert_eq_u32(info.allocator, VPRIME_ALLOCATOR_NONE);
		igt_assert_eq_u32(info.num_attachments, 0);
		igt_assert_eq_u64(info.max_address, 0);
		vp_gem_close(fd, h);
	}

	igt_describe("Sizes are rounded up to pages");
	igt_subtest("create-rounds-up") {
		struct drm_vprime_gem_create arg = { .size = 1 };

		igt_assert_eq(raw_ioctl(DRM_IOCTL_VPRIME_GEM_CREATE, &arg), 0);
		igt_assert_eq_u64(arg.size, 4096);
		igt_assert_eq_u64(vprime_gem_info(fd, arg.handle).size, 4096);
		vp_gem_close(fd, arg.handle);
	}

	igt_describe("Writes through mmap read back after a remap; the first touch allocates");
	igt_subtest("mmap-write-read") {
		uint32_t h = vprime_gem_create(fd, 3 * ONE_MIB, 0);
		struct drm_vprime_gem_info info;
		void *p = vp_gem_mmap(fd, h, 3 * ONE_MIB, PROT_READ | PROT_WRITE);

		info = vprime_gem_info(fd, h);
		igt_assert(!(info.state & VPRIME_GEM_STATE_ALLOCATED));
		pattern_fill(p, 3 * ONE_MIB, 0x1234);
		info = vprime_gem_info(fd, h);
		igt_assert(info.state & VPRIME_GEM_STATE_ALLOCATED);
		igt_assert_eq_u32(info.allocator, VPRIME_ALLOCATOR_SYSTEM);
		igt_assert(info.num_segments >= 1);
		munmap(p, 3 * ONE_MIB);
		p = vp_gem_mmap(fd, h, 3 * ONE_MIB, PROT_READ);
		igt_assert(pattern_check(p, 3 * ONE_MIB, 0x1234));
		munmap(p, 3 * ONE_MIB);
		vp_gem_close(fd, h);
	}

	igt_describe("New storage reads as zeros");
	igt_subtest("mmap-zeroed") {
		uint32_t h = vprime_gem_create(fd, ONE_MIB, 0);
		const uint8_t *p = vp_gem_mmap(fd, h, ONE_MIB, PROT_READ);
		size_t i;

		for (i = 0; i < ONE_MIB; i++)
			igt_assert_eq(p[i], 0);
		munmap((void *)p, ONE_MIB);
		vp_gem_close(fd, h);
	}

	igt_describe("The DRM core maps objects from their start only: an inner offset is refused");
	igt_subtest("mmap-inner-offset") {
		uint32_t h = vprime_gem_create(fd, 4 * 4096, 0);
		uint64_t off;

		igt_assert_eq(__dumb_map(fd, h, &off), 0);
		igt_assert(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd,
				off + 2 * 4096) == MAP_FAILED);
		igt_assert_eq(errno, EINVAL);
		vp_gem_close(fd, h);
	}

	igt_describe("Contiguous below-4G objects come from the contiguous allocators");
	igt_subtest("create-contiguous") {
		static const struct { uint64_t size; uint32_t allocator; } c[] = {
			{ ONE_MIB, VPRIME_ALLOCATOR_CONTIG },
			{ 4 * ONE_MIB, VPRIME_ALLOCATOR_CONTIG },
			{ 16 * ONE_MIB, VPRIME_ALLOCATOR_RESERVE },
		};
		size_t i;

		for (i = 0; i < ARRAY_SIZE(c); i++) {
			uint32_t h = vprime_gem_create(fd, c[i].size,
						       VPRIME_GEM_CREATE_CONTIGUOUS);
			uint8_t *p = vp_gem_mmap(fd, h, c[i].size, PROT_READ | PROT_WRITE);
			struct drm_vprime_gem_info info;

			p[0] = 1;
			info = vprime_gem_info(fd, h);
			igt_assert_eq_u32(info.allocator, c[i].allocator);
			igt_assert_eq_u32(info.num_segments, 1);
			igt_assert(info.state & VPRIME_GEM_STATE_CONTIGUOUS);
			igt_assert(info.state & VPRIME_GEM_STATE_BELOW_4G);
			igt_assert(info.constraint_flags & 1);
			munmap(p, c[i].size);
			vp_gem_close(fd, h);
		}
	}

	igt_describe("DMA32 objects are placed below 4 GiB");
	igt_subtest("create-dma32") {
		uint32_t h = vprime_gem_create(fd, 8 * ONE_MIB, VPRIME_GEM_CREATE_DMA32);
		uint8_t *p = vp_gem_mmap(fd, h, 8 * ONE_MIB, PROT_READ | PROT_WRITE);
		struct drm_vprime_gem_info info;

		p[0] = 1;
		info = vprime_gem_info(fd, h);
		igt_assert_eq_u32(info.allocator, VPRIME_ALLOCATOR_DMA32);
		igt_assert(info.state & VPRIME_GEM_STATE_BELOW_4G);
		igt_assert(info.max_address <= 0xffffffffULL);
		igt_assert_eq_u64(info.dma_limit, 0xffffffffULL);
		munmap(p, 8 * ONE_MIB);
		vp_gem_close(fd, h);
	}

	igt_describe("Dumb buffers: pitch is width*cpp rounded to 64, size covers it");
	igt_subtest("dumb-create") {
		static const struct { uint32_t w, h, bpp, pitch; } c[] = {
			{ 640, 480, 32, 2560 }, { 1920, 1080, 32, 7680 },
			{ 33, 7, 32, 192 }, { 1, 1, 8, 64 }, { 100, 10, 16, 256 },
			{ 100, 10, 64, 832 }, { 7, 3, 12, 64 },
		};
		size_t i;

		for (i = 0; i < ARRAY_SIZE(c); i++) {
			uint32_t pitch;
			uint64_t size;
			uint32_t h = dumb_create(fd, c[i].w, c[i].h, c[i].bpp,
						 &pitch, &size);

			igt_assert_eq_u32(pitch, c[i].pitch);
			igt_assert(size >= (uint64_t)pitch * c[i].h);
			igt_assert_eq_u64(size % 4096, 0);
			igt_assert_eq_u64(vprime_gem_info(fd, h).size, size);
			vp_gem_close(fd, h);
		}
	}

	igt_describe("Closing every handle frees the objects");
	igt_subtest("close-frees") {
		int before = vprime_debugfs_objects(fd), i;
		uint32_t h[16];

		for (i = 0; i < 16; i++)
			h[i] = vprime_gem_create(fd, 65536, 0);
		igt_assert_eq(vprime_debugfs_objects(fd), before + 16);
		for (i = 0; i < 16; i++)
			vp_gem_close(fd, h[i]);
		igt_assert_eq(vprime_debugfs_objects(fd), before);
	}

	igt_describe("Closing the file frees objects still mapped elsewhere only after munmap");
	igt_subtest("close-fd-while-mapped") {
		int fd2 = vprime_open(VPRIME_NODE_PRIMARY, 0);
		int before = vprime_debugfs_objects(fd);
		uint32_t h = vprime_gem_create(fd2, 65536, 0);
		uint32_t *p = vp_gem_mmap(fd2, h, 65536, PROT_READ | PROT_WRITE);

		p[0] = 42;
		close(fd2);
		igt_assert_eq(vprime_debugfs_objects(fd), before + 1);
		igt_assert_eq_u32(p[0], 42);
		munmap(p, 65536);
		igt_assert_eq(vprime_debugfs_objects(fd), before);
	}

	/* Bad input: one field wrong each time, the exact errno. */
	igt_subtest("create-zero-size") {
		uint32_t h;

		check_err(__vprime_gem_create(fd, 0, 0, &h), EINVAL);
	}

	igt_subtest("create-too-large") {
		uint64_t max;
		uint32_t h;

		igt_assert_eq(__vprime_getparam(fd, VPRIME_PARAM_MAX_OBJECT_SIZE, &max), 0);
		check_err(__vprime_gem_create(fd, max + 1, 0, &h), EINVAL);
		check_err(__vprime_gem_create(fd, ~0ULL, 0, &h), EINVAL);
		check_err(__vprime_gem_create(fd, ~0ULL - 4094, 0, &h), EINVAL);
	}

	igt_subtest("create-bad-flags") {
		uint32_t h;

		check_err(__vprime_gem_create(fd, 4096, 1u << 3, &h), EINVAL);
		check_err(__vprime_gem_create(fd, 4096, 1u << 31, &h), EINVAL);
	}

	igt_subtest("info-bad-handle") {
		struct drm_vprime_gem_info info;

		check_err(__vprime_gem_info(fd, 0, &info), ENOENT);
		check_err(__vprime_gem_info(fd, 0xdeadbeef, &info), ENOENT);
	}

	igt_subtest("info-stale-handle") {
		struct drm_vprime_gem_info info;
		uint32_t h = vprime_gem_create(fd, 4096, 0);

		vp_gem_close(fd, h);
		check_err(__vprime_gem_info(fd, h, &info), ENOENT);
	}

	igt_subtest("info-bad-flags") {
		struct drm_vprime_gem_info info = {
			.handle = vprime_gem_create(fd, 4096, 0), .flags = 1,
		};

		check_err(raw_ioctl(DRM_IOCTL_VPRIME_GEM_INFO, &info), EINVAL);
		vp_gem_close(fd, info.handle);
	}

	igt_subtest("getparam-bad-param") {
		uint64_t v;

		check_err(__vprime_getparam(fd, 0, &v), EINVAL);
		check_err(__vprime_getparam(fd, 9999, &v), EINVAL);
	}

	igt_subtest("getparam-nonzero-pad") {
		struct drm_vprime_getparam arg = {
			.param = VPRIME_PARAM_DEVICE_INDEX, .pad = 1,
		};

		check_err(raw_ioctl(DRM_IOCTL_VPRIME_GETPARAM, &arg), EINVAL);
	}

	igt_subtest("ioctl-smaller-struct") {
		/* An older, shorter GETPARAM: the core zero-fills the rest. */
		struct { uint32_t param, pad; } small = {
			.param = VPRIME_PARAM_DEVICE_INDEX,
		};

		igt_assert_eq(raw_ioctl(DRM_IOWR(DRM_COMMAND_BASE + DRM_VPRIME_GETPARAM,
						 small), &small), 0);
		igt_assert_eq_u32(small.param, VPRIME_PARAM_DEVICE_INDEX);
	}

	igt_subtest("ioctl-larger-struct") {
		/* A newer, longer GEM_INFO: known fields work, the tail is kept. */
		struct {
			struct drm_vprime_gem_info info;
			uint64_t future[2];
		} big;

		memset(&big, 0, sizeof(big));
		big.info.handle = vprime_gem_create(fd, 8192, 0);
		igt_assert_eq(raw_ioctl(DRM_IOWR(DRM_COMMAND_BASE + DRM_VPRIME_GEM_INFO,
						 big), &big), 0);
		igt_assert_eq_u64(big.info.size, 8192);
		igt_assert_eq_u64(big.future[0], 0);
		vp_gem_close(fd, big.info.handle);
	}

	igt_subtest("close-bad-handle") {
		struct drm_gem_close arg = { .handle = 0xdeadbeef };

		check_err(raw_ioctl(DRM_IOCTL_GEM_CLOSE, &arg), EINVAL);
	}

	igt_subtest("double-close") {
		struct drm_gem_close arg = { .handle = vprime_gem_create(fd, 4096, 0) };

		igt_assert_eq(raw_ioctl(DRM_IOCTL_GEM_CLOSE, &arg), 0);
		check_err(raw_ioctl(DRM_IOCTL_GEM_CLOSE, &arg), EINVAL);
	}

	igt_describe("bpp 0 and pixels of 3, 5-7 or more than 8 bytes are EINVAL");
	igt_subtest("dumb-bad-bpp") {
		/* 4032x2016 at bpp 24 is upstream IGT's dumb_buffer@invalid-bpp */
		static const uint32_t bad[] = { 0, 24, 40, 56, 72, 128 };
		struct drm_mode_create_dumb arg = { .width = 4032, .height = 2016 };
		size_t i;

		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			arg.bpp = bad[i];
			check_err(raw_ioctl(DRM_IOCTL_MODE_CREATE_DUMB, &arg), EINVAL);
		}
	}

	igt_subtest("dumb-zero-width") {
		struct drm_mode_create_dumb arg = { .height = 64, .bpp = 32 };

		check_err(raw_ioctl(DRM_IOCTL_MODE_CREATE_DUMB, &arg), EINVAL);
	}

	igt_subtest("dumb-overflow") {
		struct drm_mode_create_dumb arg = {
			.width = 0xffffffff, .height = 0xffffffff, .bpp = 32,
		};

		check_err(raw_ioctl(DRM_IOCTL_MODE_CREATE_DUMB, &arg), EINVAL);
		arg.width = 0x10000;
		arg.height = 0x10000;
		arg.bpp = 0xffffffff;
		check_err(raw_ioctl(DRM_IOCTL_MODE_CREATE_DUMB, &arg), EINVAL);
	}

	igt_subtest("dumb-too-large") {
		/* 64k x 64k x 4 = 16 GiB: no overflow, above the limit. */
		struct drm_mode_create_dumb arg = {
			.width = 65536, .height = 65536, .bpp = 32,
		};

		check_err(raw_ioctl(DRM_IOCTL_MODE_CREATE_DUMB, &arg), EINVAL);
	}

	igt_subtest("dumb-bad-flags") {
		struct drm_mode_create_dumb arg = {
			.width = 64, .height = 64, .bpp = 32, .flags = 1,
		};

		check_err(raw_ioctl(DRM_IOCTL_MODE_CREATE_DUMB, &arg), EINVAL);
	}

	igt_subtest("map-dumb-bad-handle") {
		uint64_t off;

		check_err(__dumb_map(fd, 0xdeadbeef, &off), ENOENT);
	}

	igt_subtest("mmap-bad-offset") {
		uint32_t h = vprime_gem_create(fd, 8192, 0);
		uint64_t off;

		igt_assert_eq(__dumb_map(fd, h, &off), 0);
		/* past the end of the object */
		igt_assert(mmap(NULL, 3 * 4096, PROT_READ, MAP_SHARED, fd, off) == MAP_FAILED);
		igt_assert_eq(errno, EINVAL);
		igt_assert(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd,
				off + 2 * 4096) == MAP_FAILED);
		igt_assert_eq(errno, EINVAL);
		/* an offset no object has */
		igt_assert(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 1ULL << 40) == MAP_FAILED);
		igt_assert_eq(errno, EINVAL);
		vp_gem_close(fd, h);
	}

	igt_subtest("mmap-private") {
		uint32_t h = vprime_gem_create(fd, 8192, 0);
		uint64_t off;

		igt_assert_eq(__dumb_map(fd, h, &off), 0);
		igt_assert(mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE,
				fd, off) == MAP_FAILED);
		igt_assert_eq(errno, EINVAL);
		vp_gem_close(fd, h);
	}

	igt_subtest("mmap-other-file") {
		/* A file without a handle to the object may not map it. */
		int fd2 = vprime_open(VPRIME_NODE_PRIMARY, 0);
		uint32_t h = vprime_gem_create(fd, 8192, 0);
		uint64_t off;

		igt_assert_eq(__dumb_map(fd, h, &off), 0);
		igt_assert(mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd2, off) == MAP_FAILED);
		igt_assert_eq(errno, EACCES);
		close(fd2);
		vp_gem_close(fd, h);
	}

	igt_fixture {
		close(fd);
	}
}
