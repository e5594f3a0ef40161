// SPDX-License-Identifier: MIT
/*
 * vprime-demo producer: draws the frames on vprime dumb buffers, exports
 * them as dma-bufs and passes the fds to the consumer over a Unix socket.
 * It keeps its buffers until the consumer says it is done.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <linux/dma-buf.h>

#include <xf86drm.h>

#include "demo.h"
#include "vprime.h"

int producer_main(int sock)
{
	struct vprime_bo bo[DEMO_FRAMES];
	struct demo_done_msg done;
	struct vprime_map map;
	int drm, i, n, dmabuf, fds[1];

	drm = vprime_open_driver("vprime", VPRIME_PRIMARY, 0);
	if (drm < 0)
		return demo_fail("producer: %s", vprime_error());
	/*
	 * The first open of the card node made this process DRM master; it
	 * only draws, the consumer shows frames on the display.
	 */
	drmDropMaster(drm);
	for (i = 0; i < DEMO_FRAMES; i++) {
		struct demo_frame_msg msg = {
			.magic = DEMO_MAGIC, .index = i,
			.width = DEMO_WIDTH, .height = DEMO_HEIGHT,
			.fourcc = DRM_FORMAT_XRGB8888, .pid = getpid(),
		};

		if (vprime_bo_create_dumb(drm, DEMO_WIDTH, DEMO_HEIGHT, 32,
					  &bo[i]) ||
		    vprime_bo_export(drm, bo[i].handle, &dmabuf))
			return demo_fail("producer: %s", vprime_error());
		/* draw through the dma-buf, bracketed for the exporter */
		if (vprime_map(dmabuf, bo[i].size, PROT_READ | PROT_WRITE,
			       &map) ||
		    vprime_map_begin(&map, DMA_BUF_SYNC_WRITE))
			return demo_fail("producer: %s", vprime_error());
		draw_frame(map.ptr, bo[i].pitch, DEMO_WIDTH, DEMO_HEIGHT, i);
		vprime_unmap(&map);

		msg.pitch = bo[i].pitch;
		msg.size = bo[i].size;
		msg.handle = bo[i].handle;
		fds[0] = dmabuf;
		if (vprime_send_fds(sock, fds, 1, &msg, sizeof(msg)))
			return demo_fail("producer: %s", vprime_error());
		/* the consumer's fd and vprime's handle keep the buffer */
		close(dmabuf);
	}

	n = vprime_recv_fds(sock, fds, 0, &done, sizeof(done));
	if (n < 0)
		return demo_fail("producer: %s", vprime_error());
	for (i = 0; i < DEMO_FRAMES; i++)
		vprime_bo_close(drm, bo[i].handle);
	close(drm);
	return done.magic == DEMO_MAGIC && done.ok ? 0 : 1;
}
