// SPDX-License-Identifier: MIT
/*
 * cenalloc_placement: constraints-aware placement with a real importer.
 * vivid with allocators=1 maps through videobuf2-dma-contig (32-bit DMA
 * mask, needs physically contiguous memory); the administrator's policy
 * says so ("vivid contiguous").  vprime and /dev/cenalloc buffers then
 * get contiguous storage below 4 GiB, allocated at the first map or moved
 * there when the CPU drew first; vgem's shmem buffer fails as it does
 * today.  Also /dev/cenalloc's own bad input.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <linux/dma-buf.h>
#include <xf86drm.h>

#include "igt.h"
#include "igt_kmod.h"
#include "v4l2_common.h"
#include "vprime_common.h"

#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE
#define LIMIT_4G 0xffffffffULL

static int fd = -1, fd_b = -1, cap = -1, cfd = -1;
static uint32_t frame_size;
static int base_bufs;

/* A fresh vivid (dma-contig) with a 1920x1080 XR24 capture queue. */
static void setup_vivid(void)
{
	if (cap >= 0)
		close(cap);
	vivid_reload(1);
	cap = vivid_open("vid-cap");
	frame_size = v4l2_set_format(cap, CAP, 1920, 1080, V4L2_PIX_FMT_XBGR32,
				     NULL);
	igt_assert(frame_size >= 1920 * 1080 * 4);
	igt_assert(v4l2_reqbufs_dmabuf(cap, CAP, 1) > 0);
}

static void release_vivid(void)
{
	igt_assert_eq(v4l2_reqbufs_dmabuf(cap, CAP, 0), 0);
}

static void check_contiguous_low(const struct drm_vprime_gem_info *info)
{
	igt_assert(info->state & VPRIME_GEM_STATE_ALLOCATED);
	igt_assert(info->state & VPRIME_GEM_STATE_CONTIGUOUS);
	igt_assert(info->state & VPRIME_GEM_STATE_BELOW_4G);
	igt_assert_eq_u32(info->num_segments, 1);
	igt_assert(info->max_address <= LIMIT_4G);
	igt_assert_eq_u64(info->dma_limit, LIMIT_4G);
	igt_assert(info->constraint_flags & 1);
	igt_assert_eq_u32(info->allocator, VPRIME_ALLOCATOR_RESERVE);
}

static int cenalloc_raw(unsigned long req, void *arg)
{
	return igt_ioctl(cfd, req, arg) ? -errno : 0;
}

igt_main
{
	igt_fixture {
		fd = vprime_open(VPRIME_NODE_PRIMARY, 0);
		cfd = cenalloc_open();
		base_bufs = bufinfo_count("vprime") + bufinfo_count("cenalloc");
		cenalloc_policy("vivid contiguous");
	}

	igt_subtest_group {
		igt_fixture {
			setup_vivid();
		}

		igt_describe("vivid (dma-contig) maps a 1080p vprime buffer: contiguous, < 4 GiB");
		igt_subtest("vivid-contig-vprime") {
			uint32_t h = vprime_gem_create(fd, frame_size, 0);
			int dmabuf = vp_prime_handle_to_fd(fd, h);
			struct drm_vprime_gem_info info;

			igt_assert_eq(v4l2_qbuf_dmabuf(cap, CAP, 0, dmabuf, frame_size, 0), 0);
			info = vprime_gem_info(fd, h);
			check_contiguous_low(&info);
			igt_assert_eq_u32(info.num_attachments, 1);
			igt_assert_eq_u32(info.num_mapped, 1);
			igt_assert_eq_u32(info.migrations, 0);
			release_vivid();
			info = vprime_gem_info(fd, h);
			igt_assert_eq_u32(info.num_attachments, 0);
			close(dmabuf);
			vp_gem_close(fd, h);
			igt_assert(v4l2_reqbufs_dmabuf(cap, CAP, 1) > 0);
		}

		igt_describe("vivid (dma-contig) maps a /dev/cenalloc buffer: contiguous");
		igt_subtest("vivid-contig-cenalloc") {
			struct cenalloc_info_data ci;
			int dmabuf;

			igt_assert_eq(__cenalloc_alloc(cfd, frame_size, 0, &dmabuf), 0);
			igt_assert_eq(__cenalloc_info(cfd, dmabuf, &ci), 0);
			igt_assert_eq_u32(ci.state, 0);
			igt_assert_eq(v4l2_qbuf_dmabuf(cap, CAP, 0, dmabuf, frame_size, 0), 0);
			igt_assert_eq(__cenalloc_info(cfd, dmabuf, &ci), 0);
			igt_assert(ci.state & CENALLOC_STATE_ALLOCATED);
			igt_assert(ci.state & CENALLOC_STATE_CONTIGUOUS);
			igt_assert(ci.state & CENALLOC_STATE_BELOW_4G);
			igt_assert_eq_u32(ci.allocator, CENALLOC_ALLOCATOR_ID_RESERVE);
			igt_assert_eq_u32(ci.num_attachments, 1);
			igt_assert_eq_u32(ci.num_mapped, 1);
			release_vivid();
			close(dmabuf);
			igt_assert(v4l2_reqbufs_dmabuf(cap, CAP, 1) > 0);
		}

		/*
		 * EFAULT when vgem's pages are below 4 GiB but scattered,
		 * EINVAL when the 32-bit mapping itself fails.
		 */
		igt_describe("Reference: a vgem (shmem) buffer fails at QBUF, as it does today");
		igt_subtest("vivid-contig-vgem-reference") {
			int vgem = drm_open_by_name("vgem", VPRIME_NODE_PRIMARY, 0);
			uint32_t hv;
			uint64_t size;
			void *p;
			int dmabuf, ret;

			igt_require_f(vgem >= 0, "vgem not loaded\n");
			hv = dumb_create(vgem, 1920, 1080, 32, NULL, &size);
			p = vp_gem_mmap(vgem, hv, size, PROT_READ | PROT_WRITE);
			memset(p, 0x40, size);
			igt_assert_eq(drmPrimeHandleToFD(vgem, hv, DRM_CLOEXEC | DRM_RDWR,
							 &dmabuf), 0);
			ret = v4l2_qbuf_dmabuf(cap, CAP, 0, dmabuf, frame_size, 0);
			igt_assert_f(ret == -EFAULT || ret == -EINVAL,
				     "QBUF of a vgem buffer gave %d\n", ret);
			munmap(p, size);
			close(dmabuf);
			vp_gem_close(vgem, hv);
			close(vgem);
		}

		/*
		 * The first touch places the storage with no constraint known;
		 * vivid's attach moves it below 4 GiB, contiguous.
		 */
		igt_describe("CPU draws first, then vivid: storage moves, pixels and mmaps live");
		igt_subtest("migrate-on-attach") {
			uint32_t h = vprime_gem_create(fd, frame_size, 0);
			uint32_t *p = vp_gem_mmap(fd, h, frame_size, PROT_READ | PROT_WRITE);
			struct drm_vprime_gem_info info;
			uint32_t *d;
			int dmabuf;

			pattern_fill(p, frame_size, 0x600d);
			info = vprime_gem_info(fd, h);
			igt_assert_eq_u32(info.allocator, VPRIME_ALLOCATOR_SYSTEM);
			dmabuf = vp_prime_handle_to_fd(fd, h);
			d = dmabuf_mmap(dmabuf, frame_size, PROT_READ | PROT_WRITE);
			igt_assert(pattern_check(d, frame_size, 0x600d));

			igt_assert_eq(v4l2_qbuf_dmabuf(cap, CAP, 0, dmabuf, frame_size, 0), 0);
			info = vprime_gem_info(fd, h);
			check_contiguous_low(&info);
			igt_assert_eq_u32(info.migrations, 1);
			/* both existing mappings refault onto the new pages */
			igt_assert(pattern_check(p, frame_size, 0x600d));
			igt_assert(pattern_check(d, frame_size, 0x600d));
			p[12345] = 0xc0ffee;
			igt_assert_eq_u32(d[12345], 0xc0ffee);
			munmap(d, frame_size);
			munmap(p, frame_size);
			release_vivid();
			close(dmabuf);
			vp_gem_close(fd, h);
			igt_assert(v4l2_reqbufs_dmabuf(cap, CAP, 1) > 0);
		}

		igt_describe("A device mapping in use blocks the move (EBUSY) until it goes");
		igt_subtest("migrate-blocked-by-mapping") {
			int vgem = drm_open_by_name("vgem", VPRIME_NODE_PRIMARY, 0);
			struct drm_vprime_gem_info info;
			uint32_t h, hv, *p;
			int dmabuf;

			/* Before the object is made: a skip would leak it. */
			igt_require_f(vgem >= 0, "vgem not loaded\n");
			if (v4l2_vb2_leaks_failed_attach()) {
				close(vgem);
				igt_skip("this kernel's vb2 keeps a refused QBUF's dma-buf\n");
			}
			h = vprime_gem_create(fd, frame_size, 0);
			p = vp_gem_mmap(fd, h, frame_size, PROT_READ | PROT_WRITE);
			pattern_fill(p, frame_size, 0xb10c);
			dmabuf = vp_prime_handle_to_fd(fd, h);
			/* vgem maps its import at once */
			igt_assert_eq(drmPrimeFDToHandle(vgem, dmabuf, &hv), 0);
			igt_assert_eq_u32(vprime_gem_info(fd, h).num_mapped, 1);
			igt_assert_eq(v4l2_qbuf_dmabuf(cap, CAP, 0, dmabuf, frame_size, 0), -EBUSY);
			info = vprime_gem_info(fd, h);
			igt_assert_eq_u32(info.migrations, 0);
			igt_assert_eq_u32(info.num_attachments, 1);
			igt_assert_eq_u32(info.allocator, VPRIME_ALLOCATOR_SYSTEM);

			vp_gem_close(vgem, hv);
			close(vgem);
			igt_assert_eq(v4l2_qbuf_dmabuf(cap, CAP, 0, dmabuf, frame_size, 0), 0);
			info = vprime_gem_info(fd, h);
			check_contiguous_low(&info);
			igt_assert_eq_u32(info.migrations, 1);
			igt_assert(pattern_check(p, frame_size, 0xb10c));
			munmap(p, frame_size);
			release_vivid();
			close(dmabuf);
			vp_gem_close(fd, h);
			igt_assert_eq(v4l2_qbuf_dmabuf(cap, CAP, 0, -1, 0, 0) < 0, 1);
			igt_assert(v4l2_reqbufs_dmabuf(cap, CAP, 1) > 0);
		}

		igt_describe("Attach before allocate: one allocation meets both devices, no move");
		igt_subtest("attach-then-allocate") {
			struct drm_vprime_gem_info info;
			uint32_t h, hb;
			int dmabuf;

			/* Before anything is made: a skip would leak it. */
			igt_require(drm_count_by_name("vprime", VPRIME_NODE_PRIMARY) >= 2);
			h = vprime_gem_create(fd, frame_size, 0);
			dmabuf = vp_prime_handle_to_fd(fd, h);
			fd_b = vprime_open(VPRIME_NODE_PRIMARY, 1);
			hb = vp_prime_fd_to_handle(fd_b, dmabuf);
			info = vprime_gem_info(fd, h);
			igt_assert_eq_u32(info.num_attachments, 1);
			igt_assert(!(info.state & VPRIME_GEM_STATE_ALLOCATED));
			igt_assert_eq(v4l2_qbuf_dmabuf(cap, CAP, 0, dmabuf, frame_size, 0), 0);
			info = vprime_gem_info(fd, h);
			check_contiguous_low(&info);
			igt_assert_eq_u32(info.num_attachments, 2);
			igt_assert_eq_u32(info.migrations, 0);
			release_vivid();
			vp_gem_close(fd_b, hb);
			close(fd_b);
			close(dmabuf);
			vp_gem_close(fd, h);
			igt_assert(v4l2_reqbufs_dmabuf(cap, CAP, 1) > 0);
		}

		igt_fixture {
			release_vivid();
			close(cap);
			cap = -1;
			vivid_unload();
		}
	}

	igt_describe("Conflicting constraints: the attach fails with EBUSY, nothing allocated");
	igt_subtest("incompatible-attach") {
		int vgem = drm_open_by_name("vgem", VPRIME_NODE_PRIMARY, 0);
		uint32_t h, hv;
		int dmabuf;

		igt_require_f(vgem >= 0, "vgem not loaded\n");
		/* the creator wants write-combined, vgem (by policy) cached */
		cenalloc_policy("vgem cached");
		h = vprime_gem_create(fd, 65536, VPRIME_GEM_CREATE_WRITECOMBINE);
		dmabuf = vp_prime_handle_to_fd(fd, h);
		igt_assert_eq(drmPrimeFDToHandle(vgem, dmabuf, &hv), -1);
		igt_assert_eq(errno, EBUSY);
		igt_assert_eq_u32(vprime_gem_info(fd, h).num_attachments, 0);
		igt_assert(!(vprime_gem_info(fd, h).state & VPRIME_GEM_STATE_ALLOCATED));
		cenalloc_policy("vgem");
		igt_assert_eq(drmPrimeFDToHandle(vgem, dmabuf, &hv), 0);
		igt_assert(vprime_gem_info(fd, h).state & VPRIME_GEM_STATE_WRITECOMBINE);
		vp_gem_close(vgem, hv);
		close(vgem);
		close(dmabuf);
		vp_gem_close(fd, h);
	}

	igt_describe("/dev/cenalloc buffers have no storage until first touched");
	igt_subtest("cenalloc-deferred") {
		struct cenalloc_info_data ci;
		uint8_t *p;
		int dmabuf;

		igt_assert_eq(__cenalloc_alloc(cfd, 5000, 0, &dmabuf), 0);
		igt_assert_eq(__cenalloc_info(cfd, dmabuf, &ci), 0);
		igt_assert_eq_u64(ci.size, 8192);
		igt_assert_eq_u32(ci.state, 0);
		igt_assert_eq_u32(ci.allocator, CENALLOC_ALLOCATOR_ID_NONE);
		p = dmabuf_mmap(dmabuf, 8192, PROT_READ | PROT_WRITE);
		p[8191] = 1;
		igt_assert_eq(__cenalloc_info(cfd, dmabuf, &ci), 0);
		igt_assert(ci.state & CENALLOC_STATE_ALLOCATED);
		igt_assert_eq_u32(ci.allocator, CENALLOC_ALLOCATOR_ID_SYSTEM);
		munmap(p, 8192);
		close(dmabuf);
	}

	igt_describe("/dev/cenalloc ALLOC flags place the storage");
	igt_subtest("cenalloc-flags") {
		struct cenalloc_info_data ci;
		int dmabuf;

		igt_assert_eq(__cenalloc_alloc(cfd, 1 << 20, CENALLOC_FLAG_CONTIGUOUS, &dmabuf), 0);
		dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
		dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		igt_assert_eq(__cenalloc_info(cfd, dmabuf, &ci), 0);
		igt_assert_eq_u32(ci.allocator, CENALLOC_ALLOCATOR_ID_CONTIG);
		igt_assert(ci.state & CENALLOC_STATE_CONTIGUOUS);
		close(dmabuf);
	}

	igt_describe("A contiguous request no allocator can ever meet fails at ALLOC");
	igt_subtest("unsatisfiable-enomem") {
		int dmabuf = -1;

		/* 1 GiB contiguous below 4 GiB: beyond the buddy and the reserve */
		igt_assert_eq(__cenalloc_alloc(cfd, 1ULL << 30, CENALLOC_FLAG_CONTIGUOUS,
					       &dmabuf), -ENOMEM);
		igt_assert_eq(dmabuf, -1);
		igt_assert_eq(bufinfo_count("vprime") + bufinfo_count("cenalloc"),
			      base_bufs);
	}

	igt_describe("A request the pool could meet but not now: SYNC is ENOMEM");
	igt_subtest("exhausted-enomem") {
		struct dma_buf_sync sync = {
			.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW,
		};
		struct cenalloc_info_data ci;
		uint64_t reserve = cenalloc_reserve_bytes();
		int hog, dmabuf;

		/* Larger than a buddy block: only the reserve can serve it. */
		igt_require_f(reserve > (8u << 20), "reserve too small\n");
		igt_assert_eq(__cenalloc_alloc(cfd, reserve, CENALLOC_FLAG_CONTIGUOUS,
					       &hog), 0);
		dmabuf_sync(hog, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
		igt_assert_eq(__cenalloc_alloc(cfd, 8u << 20, CENALLOC_FLAG_CONTIGUOUS,
					       &dmabuf), 0);
		igt_assert_eq(igt_ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &sync), -1);
		igt_assert_eq(errno, ENOMEM);
		igt_assert_eq(__cenalloc_info(cfd, dmabuf, &ci), 0);
		igt_assert_eq_u32(ci.state, 0);
		close(dmabuf);
		close(hog);
	}

	igt_describe("A CPU fault that cannot get storage is a SIGBUS, not an OOM kill");
	igt_subtest("unsatisfiable-fault-sigbus") {
		uint64_t reserve = cenalloc_reserve_bytes();
		int hog, dmabuf;

		igt_require_f(reserve > (8u << 20), "reserve too small\n");
		igt_assert_eq(__cenalloc_alloc(cfd, reserve, CENALLOC_FLAG_CONTIGUOUS,
					       &hog), 0);
		dmabuf_sync(hog, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
		igt_assert_eq(__cenalloc_alloc(cfd, 8u << 20, CENALLOC_FLAG_CONTIGUOUS,
					       &dmabuf), 0);
		/* In a child, so that an OOM kill would not take the test. */
		igt_fork(child, 1) {
			uint8_t *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED,
					  dmabuf, 0);

			igt_assert(p != MAP_FAILED);
			igt_assert(vp_read_sigbus(p));
		}
		igt_waitchildren();
		close(dmabuf);
		close(hog);
	}

	igt_describe("A live buffer holds the cenalloc module");
	igt_subtest("buffer-holds-module") {
		long before = module_param_long("cenalloc", "../refcnt");
		int dmabuf;

		igt_assert_eq(__cenalloc_alloc(cfd, 4096, 0, &dmabuf), 0);
		igt_assert_eq(module_param_long("cenalloc", "../refcnt"), before + 1);
		close(dmabuf);
		igt_assert_eq(module_param_long("cenalloc", "../refcnt"), before);
	}

	/* /dev/cenalloc bad input */
	igt_subtest("cenalloc-alloc-bad-size") {
		int dmabuf;

		igt_assert_eq(__cenalloc_alloc(cfd, 0, 0, &dmabuf), -EINVAL);
		igt_assert_eq(__cenalloc_alloc(cfd, ~0ULL, 0, &dmabuf), -EINVAL);
		igt_assert_eq(__cenalloc_alloc(cfd, (16ULL << 30) + 1, 0, &dmabuf), -EINVAL);
	}

	igt_subtest("cenalloc-alloc-bad-flags") {
		int dmabuf;

		igt_assert_eq(__cenalloc_alloc(cfd, 4096, 1u << 3, &dmabuf), -EINVAL);
	}

	igt_subtest("cenalloc-alloc-bad-fd-flags") {
		struct cenalloc_alloc_data arg = {
			.size = 4096, .fd_flags = O_RDWR | O_NONBLOCK,
		};

		igt_assert_eq(cenalloc_raw(CENALLOC_IOC_ALLOC, &arg), -EINVAL);
	}

	igt_subtest("cenalloc-alloc-nonzero-pad") {
		struct cenalloc_alloc_data arg = {
			.size = 4096, .fd_flags = O_RDWR, .pad = 1,
		};

		igt_assert_eq(cenalloc_raw(CENALLOC_IOC_ALLOC, &arg), -EINVAL);
	}

	igt_subtest("cenalloc-alloc-larger-struct") {
		struct {
			struct cenalloc_alloc_data d;
			uint64_t future;
		} arg = { .d = { .size = 4096, .fd_flags = O_RDWR | O_CLOEXEC } };
		unsigned long req = _IOWR(CENALLOC_IOC_MAGIC, 0x0, arg);

		arg.future = 1;
		igt_assert_eq(cenalloc_raw(req, &arg), -E2BIG);
		arg.future = 0;
		igt_assert_eq(cenalloc_raw(req, &arg), 0);
		igt_assert(arg.d.fd >= 0);
		close(arg.d.fd);
	}

	igt_subtest("cenalloc-info-bad-fd") {
		struct cenalloc_info_data ci;
		int p[2];

		igt_assert_eq(__cenalloc_info(cfd, -1, &ci), -EBADF);
		igt_assert_eq(pipe(p), 0);
		igt_assert_eq(__cenalloc_info(cfd, p[0], &ci), -EINVAL);
		close(p[0]);
		close(p[1]);
	}

	igt_subtest("cenalloc-info-foreign-dmabuf") {
		int vgem = drm_open_by_name("vgem", VPRIME_NODE_PRIMARY, 0);
		struct cenalloc_info_data ci;
		uint32_t hv;
		int dmabuf;

		igt_require_f(vgem >= 0, "vgem not loaded\n");
		hv = dumb_create(vgem, 64, 64, 32, NULL, NULL);
		igt_assert_eq(drmPrimeHandleToFD(vgem, hv, DRM_CLOEXEC, &dmabuf), 0);
		igt_assert_eq(__cenalloc_info(cfd, dmabuf, &ci), -ENOENT);
		close(dmabuf);
		vp_gem_close(vgem, hv);
		close(vgem);
	}

	igt_subtest("cenalloc-info-bad-flags") {
		struct cenalloc_info_data ci = { .flags = 1 };
		int dmabuf;

		igt_assert_eq(__cenalloc_alloc(cfd, 4096, 0, &dmabuf), 0);
		ci.fd = dmabuf;
		igt_assert_eq(cenalloc_raw(CENALLOC_IOC_INFO, &ci), -EINVAL);
		close(dmabuf);
	}

	igt_subtest("cenalloc-unknown-ioctl") {
		uint64_t x = 0;

		igt_assert_eq(cenalloc_raw(_IOWR(CENALLOC_IOC_MAGIC, 0x7f, uint64_t), &x), -ENOTTY);
		igt_assert_eq(cenalloc_raw(_IOWR('X', 0x0, struct cenalloc_alloc_data),
					   &x), -ENOTTY);
	}

	igt_subtest("policy-bad-rule") {
		int pfd = open("/sys/kernel/debug/cenalloc/policy", O_WRONLY);

		igt_assert(pfd >= 0);
		igt_assert_eq((int)write(pfd, "vivid bogus", 11), -1);
		igt_assert_eq(errno, EINVAL);
		igt_assert_eq((int)write(pfd, "vivid limit=0x10", 16), -1);
		igt_assert_eq(errno, EINVAL);
		close(pfd);
	}

	igt_fixture {
		cenalloc_policy("vivid");
		cenalloc_policy("vgem");
		igt_assert_eq(bufinfo_count("vprime") + bufinfo_count("cenalloc"),
			      base_bufs);
		close(cfd);
		close(fd);
	}
}
