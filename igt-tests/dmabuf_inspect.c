// SPDX-License-Identifier: MIT
/*
 * dmabuf_inspect: run the dmabuf-inspect tool against dma-bufs this test
 * created (vprime, cenalloc, vgem; held by fd, by mapping only, or by
 * both) and compare what it reports with what the test knows.
 */
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "igt.h"
#include "igt_kmod.h"
#include "v4l2_common.h"
#include "vprime_common.h"

#define MAX_SEEN 64

struct seen {
	unsigned long ino;
	unsigned long long size;
	char exporter[64];
	int fds, maps;
	bool cenalloc, attached_field;
};

struct report {
	bool debugfs;
	int n;
	struct seen buf[MAX_SEEN];
	int proc_buffers, proc_fds, proc_maps;
	unsigned long long proc_bytes;
	int total;
};

static char tool[512];

static unsigned long ino_of(int fd)
{
	struct stat st;

	igt_assert_eq(fstat(fd, &st), 0);
	return st.st_ino;
}

/* Run the tool with --json for our pid and parse its one-line records. */
static void run_json(struct report *r, const char *env)
{
	char cmd[700], line[4096], *p;
	FILE *f;

	memset(r, 0, sizeof(*r));
	snprintf(cmd, sizeof(cmd), "%s%s --json --pid %d", env, tool, getpid());
	f = popen(cmd, "r");
	igt_assert(f);
	while (fgets(line, sizeof(line), f)) {
		struct seen *s = &r->buf[r->n];

		if (strstr(line, "\"debugfs\": true"))
			r->debugfs = true;
		if (sscanf(line, " {\"ino\": %lu, \"size\": %llu, \"exporter\": \"%63[^\"]\"",
			   &s->ino, &s->size, s->exporter) == 3 && r->n < MAX_SEEN) {
			p = strstr(line, "\"pid\": ");
			while (p && atoi(p + 7) != getpid())
				p = strstr(p + 7, "\"pid\": ");
			if (p)
				sscanf(strstr(p, "\"fds\""), "\"fds\": %d, \"maps\": %d",
				       &s->fds, &s->maps);
			s->cenalloc = strstr(line, "\"cenalloc\": {");
			r->n++;
		}
		p = strstr(line, "{\"pid\": ");
		if (p && !strstr(line, "\"ino\"") && atoi(p + 8) == getpid())
			sscanf(strstr(p, "\"buffers\""),
			       "\"buffers\": %d, \"fds\": %d, \"maps\": %d, \"bytes\": %llu",
			       &r->proc_buffers, &r->proc_fds, &r->proc_maps,
			       &r->proc_bytes);
		p = strstr(line, "\"total\": {\"buffers\": ");
		if (p)
			r->total = atoi(p + 21);
	}
	igt_assert_eq(pclose(f), 0);
}

static const struct seen *find(const struct report *r, unsigned long ino)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (r->buf[i].ino == ino)
			return &r->buf[i];
	return NULL;
}

static void check(const struct report *r, unsigned long ino,
		  unsigned long long size, const char *exporter, int fds,
		  int maps)
{
	const struct seen *s = find(r, ino);

	igt_assert_f(s, "inode %lu not reported\n", ino);
	igt_assert_eq_u64(s->size, size);
	igt_assert_f(!strcmp(s->exporter, exporter), "exporter %s, want %s\n",
		     s->exporter, exporter);
	igt_assert_eq(s->fds, fds);
	igt_assert_eq(s->maps, maps);
}

igt_main
{
	int fd = -1, vgem = -1, cfd = -1;

	igt_fixture {
		char exe[400], *dir;
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

		igt_assert_lt(0, n);
		exe[n] = '\0';
		/* Next to the test (an IGT tree), else in make's build/tools. */
		dir = dirname(exe);
		snprintf(tool, sizeof(tool), "%s/dmabuf-inspect", dir);
		if (access(tool, X_OK))
			snprintf(tool, sizeof(tool), "%s/../tools/dmabuf-inspect",
				 dir);
		igt_require_f(access(tool, X_OK) == 0, "no %s\n", tool);
		fd = vprime_open(VPRIME_NODE_PRIMARY, 0);
		cfd = cenalloc_open();
		vgem = drm_open_by_name("vgem", VPRIME_NODE_PRIMARY, 0);
	}

	igt_describe("Counts, sizes, exporters and holders match the buffers we made");
	igt_subtest("known-buffers") {
		struct report r;
		int a, b, c, v = -1;
		unsigned long ia, ib, ic, iv = 0;
		uint32_t h1, h2, hv = 0;
		void *pb, *pv = NULL;
		unsigned long long bytes;
		int want;

		h1 = vprime_gem_create(fd, 8192, 0);
		h2 = vprime_gem_create(fd, 1 << 20, 0);
		a = vp_prime_handle_to_fd(fd, h1);
		b = vp_prime_handle_to_fd(fd, h2);
		igt_assert_eq(__cenalloc_alloc(cfd, 64 << 10, 0, &c), 0);
		ia = ino_of(a);
		ib = ino_of(b);
		ic = ino_of(c);
		pb = dmabuf_mmap(b, 1 << 20, PROT_READ);
		bytes = 8192 + (1 << 20) + (64 << 10);
		want = 3;
		if (vgem >= 0) {
			/* vgem: held by a mapping only, its fd closed */
			uint64_t size;

			hv = dumb_create(vgem, 64, 64, 32, NULL, &size);
			v = vp_prime_handle_to_fd(vgem, hv);
			iv = ino_of(v);
			pv = dmabuf_mmap(v, size, PROT_READ);
			close(v);
			bytes += size;
			want++;
		}

		run_json(&r, "");
		igt_assert(r.debugfs);
		check(&r, ia, 8192, "vprime", 1, 0);
		check(&r, ib, 1 << 20, "vprime", 1, 1);
		check(&r, ic, 64 << 10, "cenalloc", 1, 0);
		igt_assert(find(&r, ia)->cenalloc);
		igt_assert(find(&r, ic)->cenalloc);
		if (vgem >= 0) {
			/* the DRM core's generic PRIME export names "drm" */
			check(&r, iv, 64 * 64 * 4, "drm", 0, 1);
			igt_assert(!find(&r, iv)->cenalloc);
		}
		/* --pid: exactly our buffers, and the per-process totals */
		igt_assert_eq(r.n, want);
		igt_assert_eq(r.total, want);
		igt_assert_eq(r.proc_buffers, want);
		igt_assert_eq(r.proc_fds, 3);
		igt_assert_eq(r.proc_maps, vgem >= 0 ? 2 : 1);
		igt_assert_eq_u64(r.proc_bytes, bytes);

		/* without debugfs: the same buffers, less detail, and it says so */
		run_json(&r, "DMABUF_INSPECT_DEBUGFS=/nonexistent ");
		igt_assert(!r.debugfs);
		igt_assert_eq(r.n, want);
		check(&r, ib, 1 << 20, "vprime", 1, 1);
		igt_assert(!find(&r, ia)->cenalloc);
		/* only /proc/PID/maps knows the vgem buffer: size from the map */
		if (vgem >= 0)
			check(&r, iv, 64 * 64 * 4, "?", 0, 1);

		munmap(pb, 1 << 20);
		close(a);
		close(b);
		close(c);
		vp_gem_close(fd, h1);
		vp_gem_close(fd, h2);
		if (vgem >= 0) {
			munmap(pv, 64 * 64 * 4);
			vp_gem_close(vgem, hv);
		}
		run_json(&r, "");
		igt_assert_eq(r.n, 0);
		igt_assert_eq(r.total, 0);
	}

	igt_describe("A vivid (videobuf2) export is listed like any other");
	igt_subtest("vivid-export") {
		struct report r;
		uint32_t length;
		int cap, dmabuf;
		void *vp;

		vivid_reload(0);
		cap = vivid_open("vid-cap");
		v4l2_set_format(cap, V4L2_BUF_TYPE_VIDEO_CAPTURE, 320, 180,
				V4L2_PIX_FMT_XBGR32, NULL);
		igt_assert_eq(v4l2_reqbufs_mmap(cap, V4L2_BUF_TYPE_VIDEO_CAPTURE, 2), 2);
		vp = v4l2_mmap_buffer(cap, V4L2_BUF_TYPE_VIDEO_CAPTURE, 0, &length);
		munmap(vp, length);
		dmabuf = v4l2_expbuf(cap, V4L2_BUF_TYPE_VIDEO_CAPTURE, 0);

		run_json(&r, "");
		igt_assert_eq(r.n, 1);
		check(&r, ino_of(dmabuf), (length + 4095) & ~4095u,
		      "videobuf2_vmalloc", 1, 0);

		close(dmabuf);
		igt_assert_eq(v4l2_reqbufs_mmap(cap, V4L2_BUF_TYPE_VIDEO_CAPTURE, 0), 0);
		close(cap);
		vivid_unload();
	}

	igt_describe("The table says when debugfs is missing; bad options fail");
	igt_subtest("table-and-usage") {
		char cmd[700], out[8192];
		size_t n;
		FILE *f;

		snprintf(cmd, sizeof(cmd), "DMABUF_INSPECT_DEBUGFS=/nonexistent %s",
			 tool);
		f = popen(cmd, "r");
		igt_assert(f);
		n = fread(out, 1, sizeof(out) - 1, f);
		out[n] = '\0';
		igt_assert_eq(pclose(f), 0);
		igt_assert(strstr(out, "note: debugfs"));
		igt_assert(strstr(out, "INODE"));
		snprintf(cmd, sizeof(cmd), "%s --bogus 2>/dev/null", tool);
		igt_assert_eq(WEXITSTATUS(system(cmd)), 2);
		snprintf(cmd, sizeof(cmd), "%s --pid x 2>/dev/null", tool);
		igt_assert_eq(WEXITSTATUS(system(cmd)), 2);
	}

	igt_fixture {
		if (vgem >= 0)
			close(vgem);
		close(cfd);
		close(fd);
	}
}
