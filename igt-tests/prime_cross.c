// SPDX-License-Identifier: MIT
/*
 * prime_cross: sharing vprime buffers with other devices and processes:
 * vprime device A <-> device B, vprime <-> vgem, /dev/cenalloc -> vprime,
 * and a dma-buf passed to a child over a Unix socket (SCM_RIGHTS).  Pixels
 * are checked at the far end every time.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <linux/dma-buf.h>
#include <xf86drm.h>

#include "igt.h"
#include "vprime_common.h"

#define SIZE (1024 * 1024)

static int a = -1, b = -1;

static ino_t fd_ino(int f)
{
	struct stat st;

	igt_assert_eq(fstat(f, &st), 0);
	return st.st_ino;
}

static void send_fd(int sock, int f)
{
	char cbuf[CMSG_SPACE(sizeof(int))], c = 'f';
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &f, sizeof(int));
	igt_assert_eq((int)sendmsg(sock, &msg, 0), 1);
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))], c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;
	int f = -1;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (cmsg && cmsg->cmsg_type == SCM_RIGHTS)
		memcpy(&f, CMSG_DATA(cmsg), sizeof(int));
	return f;
}

/* Export from @from, import on @to, check both see each other's writes. */
static void share_between(int from, int to)
{
	uint32_t h = vprime_gem_create(from, SIZE, 0), h2;
	struct drm_vprime_gem_info info;
	int dmabuf = vp_prime_handle_to_fd(from, h);
	void *p, *p2;

	h2 = vp_prime_fd_to_handle(to, dmabuf);
	info = vprime_gem_info(to, h2);
	igt_assert(info.state & VPRIME_GEM_STATE_IMPORTED);
	igt_assert(info.state & VPRIME_GEM_STATE_CENALLOC);
	igt_assert_eq_u32(info.num_attachments, 1);
	/* attached lazily: no device mapping */
	igt_assert_eq_u32(info.num_mapped, 0);
	/* vprime declares its device's constraints: none */
	igt_assert_eq_u64(info.dma_limit, ~0ULL);
	igt_assert_eq_u64(info.max_segment, 0);
	igt_assert(cenalloc_debugfs_has("(declared)"));

	p = vp_gem_mmap(from, h, SIZE, PROT_READ | PROT_WRITE);
	p2 = vp_gem_mmap(to, h2, SIZE, PROT_READ | PROT_WRITE);
	pattern_fill(p, SIZE, 0xa0b);
	igt_assert(pattern_check(p2, SIZE, 0xa0b));
	pattern_fill(p2, SIZE, 0xb0a);
	igt_assert(pattern_check(p, SIZE, 0xb0a));
	/* Re-exporting the import gives back the original dma-buf. */
	{
		int again = vp_prime_handle_to_fd(to, h2);

		igt_assert(fd_ino(again) == fd_ino(dmabuf));
		close(again);
	}
	munmap(p, SIZE);
	munmap(p2, SIZE);
	vp_gem_close(to, h2);
	igt_assert_eq_u32(vprime_gem_info(from, h).num_attachments, 0);
	close(dmabuf);
	vp_gem_close(from, h);
}

igt_main
{
	igt_fixture {
		a = vprime_open(VPRIME_NODE_PRIMARY, 0);
	}

	igt_subtest_group {
		igt_fixture {
			igt_require_f(drm_count_by_name("vprime", VPRIME_NODE_PRIMARY) >= 2,
				      "needs vprime num_devices=2\n");
			b = vprime_open(VPRIME_NODE_PRIMARY, 1);
		}

		igt_describe("vprime device A exports, device B imports: shared pages");
		igt_subtest("vprime-a-to-b")
			share_between(a, b);

		igt_describe("vprime device B exports, device A imports: shared pages");
		igt_subtest("vprime-b-to-a")
			share_between(b, a);
	}

	igt_subtest_group {
		int vgem = -1;

		igt_fixture {
			vgem = drm_open_by_name("vgem", VPRIME_NODE_PRIMARY, 0);
			igt_require_f(vgem >= 0, "vgem not loaded\n");
		}

		igt_describe("A vgem buffer imported on vprime maps and reads through vprime");
		igt_subtest("vgem-to-vprime") {
			uint32_t pitch, hv, h;
			uint64_t size;
			void *pv, *p;
			int dmabuf;

			hv = dumb_create(vgem, 512, 512, 32, &pitch, &size);
			pv = vp_gem_mmap(vgem, hv, size, PROT_READ | PROT_WRITE);
			pattern_fill(pv, size, 0x7e);
			igt_assert_eq(drmPrimeHandleToFD(vgem, hv, DRM_CLOEXEC | DRM_RDWR,
							 &dmabuf), 0);
			h = vp_prime_fd_to_handle(a, dmabuf);
			igt_assert_eq_u32(vprime_gem_info(a, h).state, VPRIME_GEM_STATE_IMPORTED);
			igt_assert_eq_u64(vprime_gem_info(a, h).size, size);
			/* MAP_DUMB + mmap of an import goes to vgem's pages */
			p = vp_gem_mmap(a, h, size, PROT_READ | PROT_WRITE);
			igt_assert(pattern_check(p, size, 0x7e));
			pattern_fill(p, size, 0x7f);
			igt_assert(pattern_check(pv, size, 0x7f));
			munmap(p, size);
			munmap(pv, size);
			vp_gem_close(a, h);
			close(dmabuf);
			vp_gem_close(vgem, hv);
		}

		igt_describe("A vprime buffer imported on vgem is mapped for vgem's device");
		igt_subtest("vprime-to-vgem") {
			uint32_t h = vprime_gem_create(a, SIZE, 0), hv;
			struct drm_vprime_gem_info info;
			int dmabuf = vp_prime_handle_to_fd(a, h), again;
			void *p = vp_gem_mmap(a, h, SIZE, PROT_READ | PROT_WRITE);
			void *d;

			pattern_fill(p, SIZE, 0x33);
			igt_assert_eq(drmPrimeFDToHandle(vgem, dmabuf, &hv), 0);
			info = vprime_gem_info(a, h);
			igt_assert_eq_u32(info.num_attachments, 1);
			igt_assert_eq_u32(info.num_mapped, 1);
			/* vgem re-exports the very same dma-buf */
			igt_assert_eq(drmPrimeHandleToFD(vgem, hv, DRM_CLOEXEC, &again), 0);
			igt_assert(fd_ino(again) == fd_ino(dmabuf));
			d = dmabuf_mmap(again, SIZE, PROT_READ);
			igt_assert(pattern_check(d, SIZE, 0x33));
			munmap(d, SIZE);
			close(again);
			vp_gem_close(vgem, hv);
			info = vprime_gem_info(a, h);
			igt_assert_eq_u32(info.num_attachments, 0);
			igt_assert_eq_u32(info.num_mapped, 0);
			munmap(p, SIZE);
			close(dmabuf);
			vp_gem_close(a, h);
		}

		igt_fixture {
			close(vgem);
		}
	}

	igt_describe("A /dev/cenalloc buffer imported on vprime reads and writes through vprime");
	igt_subtest("cenalloc-to-vprime") {
		int cfd = cenalloc_open(), dmabuf;
		struct drm_vprime_gem_info info;
		void *p, *d;
		uint32_t h;

		igt_assert_eq(__cenalloc_alloc(cfd, SIZE, 0, &dmabuf), 0);
		h = vp_prime_fd_to_handle(a, dmabuf);
		info = vprime_gem_info(a, h);
		igt_assert_eq_u32(info.state, VPRIME_GEM_STATE_IMPORTED |
				  VPRIME_GEM_STATE_CENALLOC);
		igt_assert_eq_u32(info.num_attachments, 1);
		p = vp_gem_mmap(a, h, SIZE, PROT_READ | PROT_WRITE);
		pattern_fill(p, SIZE, 0x44);
		d = dmabuf_mmap(dmabuf, SIZE, PROT_READ);
		igt_assert(pattern_check(d, SIZE, 0x44));
		igt_assert(vprime_gem_info(a, h).state & VPRIME_GEM_STATE_ALLOCATED);
		munmap(d, SIZE);
		munmap(p, SIZE);
		vp_gem_close(a, h);
		close(dmabuf);
		close(cfd);
	}

	igt_describe("A dma-buf sent over a Unix socket: the child imports, reads and writes");
	igt_subtest("fd-passing-scm-rights") {
		uint32_t h = vprime_gem_create(a, SIZE, 0);
		void *p = vp_gem_mmap(a, h, SIZE, PROT_READ | PROT_WRITE);
		int sv[2], status, dmabuf;
		pid_t pid;

		pattern_fill(p, SIZE, 0x5c);
		igt_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		pid = fork();
		igt_assert(pid >= 0);
		if (pid == 0) {
			int f = drm_open_by_name("vprime", VPRIME_NODE_RENDER, 0);
			int got = recv_fd(sv[1]);
			uint32_t ch;
			void *cp;

			close(sv[0]);
			if (f < 0 || got < 0 || drmPrimeFDToHandle(f, got, &ch))
				_exit(2);
			close(got);
			/* render nodes cannot MAP_DUMB; map the re-export */
			if (drmPrimeHandleToFD(f, ch, DRM_CLOEXEC | DRM_RDWR, &got))
				_exit(3);
			cp = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, got, 0);
			if (cp == MAP_FAILED || !pattern_check(cp, SIZE, 0x5c))
				_exit(4);
			pattern_fill(cp, SIZE, 0xc5);
			_exit(0);
		}
		close(sv[1]);
		dmabuf = vp_prime_handle_to_fd(a, h);
		send_fd(sv[0], dmabuf);
		close(dmabuf);
		igt_assert_eq(waitpid(pid, &status, 0), pid);
		igt_assert(WIFEXITED(status));
		igt_assert_eq(WEXITSTATUS(status), 0);
		igt_assert(pattern_check(p, SIZE, 0xc5));
		close(sv[0]);
		munmap(p, SIZE);
		vp_gem_close(a, h);
	}

	igt_fixture {
		if (b >= 0)
			close(b);
		close(a);
	}
}
