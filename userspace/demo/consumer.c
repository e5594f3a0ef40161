// SPDX-License-Identifier: MIT
/*
 * vprime-demo consumer: receives the producer's frames as dma-buf fds,
 * queues them to vivid's HDMI output, captures vivid's loop into its own
 * vprime buffers, checks every captured frame byte for byte against what
 * the producer drew, and reports who shares what.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <linux/dma-buf.h>
#include <linux/videodev2.h>

#include "demo.h"
#include "vprime.h"

#define OUT V4L2_BUF_TYPE_VIDEO_OUTPUT
#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE
#define DMABUF V4L2_MEMORY_DMABUF
#define DQ_TIMEOUT_MS 20000
#define MAX_TRIES 120

struct frame {
	struct demo_frame_msg msg;
	int dmabuf;
	struct vprime_map map;
};

struct capture {
	struct vprime_bo bo;
	int dmabuf;
	struct vprime_map map;
};

struct consumer {
	int drm;
	struct frame frame[DEMO_FRAMES];
	struct capture cap[DEMO_CAPTURES];
	struct demo_vivid vivid;
	uint8_t *last;		/* copy of the last checked capture */
	int checked;
};

static const char *allocator_name(uint32_t id)
{
	switch (id) {
	case CENALLOC_ALLOCATOR_ID_SYSTEM:
		return "system pages";
	case CENALLOC_ALLOCATOR_ID_DMA32:
		return "pages below 4 GiB";
	case CENALLOC_ALLOCATOR_ID_CONTIG:
		return "contiguous buddy block";
	case CENALLOC_ALLOCATOR_ID_RESERVE:
		return "cenalloc reserve (contiguous)";
	default:
		return "none yet";
	}
}

static int receive_frames(struct consumer *c, int sock)
{
	int i, n, fd;

	for (i = 0; i < DEMO_FRAMES; i++) {
		struct frame *f = &c->frame[i];

		n = vprime_recv_fds(sock, &fd, 1, &f->msg, sizeof(f->msg));
		if (n < 0)
			return demo_fail("consumer: %s", vprime_error());
		if (n != 1 || f->msg.magic != DEMO_MAGIC ||
		    f->msg.index != (uint32_t)i ||
		    f->msg.width != DEMO_WIDTH ||
		    f->msg.height != DEMO_HEIGHT ||
		    f->msg.fourcc != DRM_FORMAT_XRGB8888 ||
		    f->msg.pitch != DEMO_WIDTH * 4)
			return demo_fail("consumer: bad frame message %d", i);
		f->dmabuf = fd;
		if (vprime_map(fd, f->msg.size, PROT_READ, &f->map))
			return demo_fail("consumer: %s", vprime_error());
	}
	return 0;
}

static int create_captures(struct consumer *c)
{
	int i;

	c->drm = vprime_open_driver("vprime", VPRIME_PRIMARY, 0);
	if (c->drm < 0)
		return demo_fail("consumer: %s", vprime_error());
	for (i = 0; i < DEMO_CAPTURES; i++) {
		struct capture *k = &c->cap[i];

		if (vprime_bo_create_dumb(c->drm, DEMO_WIDTH, DEMO_HEIGHT, 32,
					  &k->bo) ||
		    vprime_bo_export(c->drm, k->bo.handle, &k->dmabuf) ||
		    vprime_map(k->dmabuf, k->bo.size, PROT_READ | PROT_WRITE,
			       &k->map))
			return demo_fail("consumer: %s", vprime_error());
		memset(k->map.ptr, 0, k->bo.size);
	}
	return 0;
}

/* One buffer of the sharing graph, from the census and cenalloc. */
static void report_buffer(const struct vprime_dmabuf_census *cs,
			  const char *what, int dmabuf, const char *origin)
{
	const struct vprime_dmabuf *b;
	struct cenalloc_info_data ci;
	struct stat st;
	int i;

	if (fstat(dmabuf, &st))
		return;
	b = vprime_dmabuf_census_find(cs, st.st_ino);
	report("  %s: dma-buf inode %lu, %llu bytes, exporter %s\n", what,
	       (unsigned long)st.st_ino,
	       (unsigned long long)vprime_dmabuf_size(dmabuf),
	       b && b->exporter[0] ? b->exporter : "?");
	report("    exported by: %s\n", origin);
	for (i = 0; b && i < b->nholders; i++)
		report("    held by: %s (pid %d): %d fd%s, %d mapping%s\n",
		       b->holders[i].comm, b->holders[i].pid,
		       b->holders[i].fds, b->holders[i].fds == 1 ? "" : "s",
		       b->holders[i].maps, b->holders[i].maps == 1 ? "" : "s");
	for (i = 0; b && i < b->nattached; i++)
		report("    attached: %s\n", b->attached[i]);
	for (i = 0; b && i < b->ncattach; i++)
		report("    constraints of %s\n", b->cattach[i]);
	if (b && b->cenalloc)
		report("    combined constraints: %s\n", b->constraints);
	if (!vprime_cenalloc_info(dmabuf, &ci))
		report("    storage: %s, %u segment%s, highest address %#llx%s%s\n",
		       allocator_name(ci.allocator), ci.num_segments,
		       ci.num_segments == 1 ? "" : "s",
		       (unsigned long long)ci.max_address,
		       ci.state & CENALLOC_STATE_CONTIGUOUS ? ", contiguous" : "",
		       ci.state & CENALLOC_STATE_BELOW_4G ? ", below 4 GiB" : "");
}

static void report_sharing(struct consumer *c, const char *inspector)
{
	struct vprime_dmabuf_census cs;
	char what[32], origin[96], line[512];
	FILE *p;
	int i;

	if (vprime_dmabuf_census(&cs, NULL)) {
		report("  (no census: %s)\n", strerror(ENOMEM));
		return;
	}
	report("\n== Sharing graph, while vivid streams\n");
	if (!cs.debugfs)
		report("  (debugfs not readable: attachments and placement not shown)\n");
	for (i = 0; i < DEMO_FRAMES; i++) {
		snprintf(what, sizeof(what), "frame %d", i);
		snprintf(origin, sizeof(origin),
			 "producer (pid %d), vprime GEM handle %u, pitch %u",
			 c->frame[i].msg.pid, c->frame[i].msg.handle,
			 c->frame[i].msg.pitch);
		report_buffer(&cs, what, c->frame[i].dmabuf, origin);
	}
	for (i = 0; i < DEMO_CAPTURES; i++) {
		snprintf(what, sizeof(what), "capture %d", i);
		snprintf(origin, sizeof(origin),
			 "consumer (pid %d), vprime GEM handle %u", getpid(),
			 c->cap[i].bo.handle);
		report_buffer(&cs, what, c->cap[i].dmabuf, origin);
	}
	vprime_dmabuf_census_free(&cs);

	report("\n== dmabuf-inspect, while the buffers are live\n");
	p = popen(inspector, "r");
	if (!p) {
		report("  (cannot run %s)\n", inspector);
		return;
	}
	while (fgets(line, sizeof(line), p))
		report("  %s", line);
	if (pclose(p))
		report("  (%s failed)\n", inspector);
}

/* Which frame does capture buffer @k hold: @i, @i - 1, or -1. */
static int identify(struct consumer *c, struct capture *k, int i,
		    uint32_t size)
{
	int m = -1;

	if (vprime_map_begin(&k->map, DMA_BUF_SYNC_READ))
		return -2;
	if (!memcmp(k->map.ptr, c->frame[i].map.ptr, size))
		m = i;
	else if (i > 0 && !memcmp(k->map.ptr, c->frame[i - 1].map.ptr, size))
		m = i - 1;
	if (m == DEMO_FRAMES - 1)
		memcpy(c->last, k->map.ptr, size);
	vprime_map_end(&k->map);
	return m;
}

static int stream(struct consumer *c, const char *inspector)
{
	struct demo_vivid *v = &c->vivid;
	uint32_t idx, size;
	int i, tries, m, ret;

	ret = vivid_loop_open(v, DEMO_WIDTH, DEMO_HEIGHT, V4L2_PIX_FMT_XBGR32,
			      DEMO_WIDTH * 4);
	if (ret)
		return ret;
	size = v->sizeimage;
	c->last = malloc(size);
	if (!c->last)
		return demo_fail("consumer: out of memory");
	report("  vivid output %s, capture %s: HDMI, %ux%u XR24, Loop Video on\n",
	       v->out_path, v->cap_path, DEMO_WIDTH, DEMO_HEIGHT);

	ret = vprime_v4l2_reqbufs(v->out, OUT, DMABUF, DEMO_FRAMES);
	if (!ret)
		ret = vprime_v4l2_reqbufs(v->cap, CAP, DMABUF, DEMO_CAPTURES);
	for (i = 0; !ret && i < DEMO_CAPTURES; i++)
		ret = vprime_v4l2_qbuf(v->cap, CAP, DMABUF, i,
				       c->cap[i].dmabuf, c->cap[i].bo.size, 0);
	if (!ret)
		ret = vprime_v4l2_qbuf(v->out, OUT, DMABUF, 0,
				       c->frame[0].dmabuf,
				       c->frame[0].msg.size, size);
	if (!ret)
		ret = vprime_v4l2_stream(v->out, OUT, true);
	if (!ret)
		ret = vprime_v4l2_stream(v->cap, CAP, true);
	if (ret)
		return demo_fail("consumer: vivid queues: %s", strerror(-ret));

	for (i = 0; i < DEMO_FRAMES; i++) {
		if (i > 0) {
			ret = vprime_v4l2_qbuf(v->out, OUT, DMABUF, i,
					       c->frame[i].dmabuf,
					       c->frame[i].msg.size, size);
			if (ret)
				return demo_fail("consumer: queue frame %d: %s",
						 i, strerror(-ret));
		}
		for (tries = 0; tries < MAX_TRIES; tries++) {
			ret = vprime_v4l2_dqbuf(v->cap, CAP, DMABUF,
						DQ_TIMEOUT_MS, &idx);
			if (ret || idx >= DEMO_CAPTURES)
				return demo_fail("consumer: capture: %s",
						 strerror(ret ? -ret : EINVAL));
			m = identify(c, &c->cap[idx], i, size);
			if (m < 0)
				return demo_fail("consumer: %s %d nor %d",
						 "a captured frame differs from frames",
						 i, i - 1);
			c->checked++;
			ret = vprime_v4l2_qbuf(v->cap, CAP, DMABUF, idx,
					       c->cap[idx].dmabuf,
					       c->cap[idx].bo.size, 0);
			if (ret)
				return demo_fail("consumer: requeue: %s",
						 strerror(-ret));
			if (m == i)
				break;
		}
		if (tries == MAX_TRIES)
			return demo_fail("consumer: frame %d never came back", i);
		/* vivid hands shown output frames back */
		while (!vprime_v4l2_dqbuf(v->out, OUT, DMABUF, 0, &idx))
			;
		/* every frame is queued now and vivid holds them all */
		if (i == DEMO_FRAMES - 1)
			report_sharing(c, inspector);
	}

	vprime_v4l2_stream(v->cap, CAP, false);
	vprime_v4l2_stream(v->out, OUT, false);
	vprime_v4l2_reqbufs(v->cap, CAP, DMABUF, 0);
	vprime_v4l2_reqbufs(v->out, OUT, DMABUF, 0);
	vivid_loop_close(v);
	return 0;
}

static void release(struct consumer *c)
{
	int i;

	vivid_loop_close(&c->vivid);
	for (i = 0; i < DEMO_FRAMES; i++) {
		vprime_unmap(&c->frame[i].map);
		if (c->frame[i].dmabuf >= 0)
			close(c->frame[i].dmabuf);
	}
	for (i = 0; i < DEMO_CAPTURES; i++) {
		vprime_unmap(&c->cap[i].map);
		if (c->cap[i].dmabuf >= 0)
			close(c->cap[i].dmabuf);
		if (c->cap[i].bo.handle)
			vprime_bo_close(c->drm, c->cap[i].bo.handle);
	}
	if (c->drm >= 0)
		close(c->drm);
	free(c->last);
}

int consumer_main(int sock, const char *outdir, const char *inspector)
{
	struct demo_done_msg done = { .magic = DEMO_MAGIC };
	struct consumer c;
	char path[512];
	int i, ret;

	memset(&c, 0, sizeof(c));
	c.drm = -1;
	c.vivid.out = -1;
	c.vivid.cap = -1;
	for (i = 0; i < DEMO_FRAMES; i++)
		c.frame[i].dmabuf = -1;
	for (i = 0; i < DEMO_CAPTURES; i++)
		c.cap[i].dmabuf = -1;

	report("\n== Video path\n");
	ret = receive_frames(&c, sock);
	if (!ret)
		report("  consumer (pid %d) received %d frames %s (pid %d) %s\n",
		       getpid(), DEMO_FRAMES, "from the producer",
		       c.frame[0].msg.pid, "over a Unix socket (SCM_RIGHTS)");
	if (!ret)
		ret = create_captures(&c);
	if (!ret)
		ret = stream(&c, inspector);
	if (!ret) {
		report("\n== Frames\n");
		report("  %d output frames queued to vivid as DMABUF\n",
		       DEMO_FRAMES);
		report("  %d captured frames checked byte for byte %s: all identical\n",
		       c.checked, "against the producer's");
		snprintf(path, sizeof(path), "%s/frame.png", outdir);
		ret = write_png(path, c.last, DEMO_WIDTH * 4, DEMO_WIDTH,
				DEMO_HEIGHT);
		if (ret)
			ret = demo_fail("consumer: %s: %s", path,
					strerror(-ret));
		else
			report("  captured frame %d saved as frame.png\n",
			       DEMO_FRAMES - 1);
	}
	if (!ret)
		ret = display_frame(c.drm, c.frame[DEMO_FRAMES - 1].dmabuf,
				    c.last, outdir);
	done.ok = !ret;
	vprime_send_fds(sock, NULL, 0, &done, sizeof(done));
	release(&c);
	return ret;
}
