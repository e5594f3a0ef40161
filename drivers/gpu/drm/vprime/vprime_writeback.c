// SPDX-License-Identifier: GPL-2.0
/*
 * vprime: the writeback connector of an output, which copies what its
 * CRTC shows into a framebuffer userspace gives it.
 */

/**
 * DOC: vprime writeback
 *
 * Every output has a writeback connector (DRM_MODE_CONNECTOR_WRITEBACK,
 * visible to clients that set DRM_CLIENT_CAP_WRITEBACK_CONNECTORS) on its
 * CRTC.  A commit that sets its WRITEBACK_FB_ID gets the composer's output
 * of that commit's frame, written once into that framebuffer at the next
 * vblank, and the WRITEBACK_OUT_FENCE_PTR fence signals when it is there.
 *
 * The framebuffer must be the size of the CRTC's mode, linear, and one of
 * the formats of vprime_wb_formats; the output's alpha (or X) is all
 * ones.  It is mapped by prepare_writeback_job and unmapped by
 * cleanup_writeback_job, which the DRM core calls once the job has been
 * signalled (or was never queued).
 *
 * One job is in flight per CRTC: a commit with a new job waits in its
 * tail until the previous one is written (one or two frames), as a
 * hardware writeback engine would.
 */

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_modeset_helper_vtables.h>
#include <drm/drm_probe_helper.h>
#include <drm/drm_writeback.h>
#include <linux/slab.h>

#include "vprime_drv.h"

static const u32 vprime_wb_formats[] = {
	DRM_FORMAT_XRGB8888,
	DRM_FORMAT_ARGB8888,
	DRM_FORMAT_XRGB2101010,
	DRM_FORMAT_ARGB2101010,
};

/**
 * struct vprime_wb_job - the mappings of a writeback job's framebuffer
 * @map: the mappings of its GEM objects
 * @data: @map plus the framebuffer's offsets
 */
struct vprime_wb_job {
	struct iosys_map map[DRM_FORMAT_MAX_PLANES];
	struct iosys_map data[DRM_FORMAT_MAX_PLANES];
};

static bool vprime_wb_format_ok(u32 format)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vprime_wb_formats); i++)
		if (vprime_wb_formats[i] == format)
			return true;
	return false;
}

/* The framebuffer must match the mode exactly: nothing is scaled. */
static int vprime_wb_encoder_atomic_check(struct drm_encoder *encoder,
					  struct drm_crtc_state *crtc_state,
					  struct drm_connector_state *conn_state)
{
	struct drm_framebuffer *fb;

	if (!conn_state->writeback_job || !conn_state->writeback_job->fb)
		return 0;
	fb = conn_state->writeback_job->fb;
	if (fb->width != crtc_state->mode.hdisplay ||
	    fb->height != crtc_state->mode.vdisplay) {
		drm_dbg_atomic(encoder->dev,
			       "writeback fb %ux%u, mode %ux%u\n", fb->width,
			       fb->height, crtc_state->mode.hdisplay,
			       crtc_state->mode.vdisplay);
		return -EINVAL;
	}
	if (!vprime_wb_format_ok(fb->format->format) ||
	    fb->modifier != DRM_FORMAT_MOD_LINEAR) {
		drm_dbg_atomic(encoder->dev, "writeback format %p4cc\n",
			       &fb->format->format);
		return -EINVAL;
	}
	return 0;
}

static const struct drm_encoder_helper_funcs vprime_wb_encoder_helper_funcs = {
	.atomic_check = vprime_wb_encoder_atomic_check,
};

static void vprime_wb_connector_destroy(struct drm_connector *connector)
{
	drm_connector_cleanup(connector);
}

static const struct drm_connector_funcs vprime_wb_connector_funcs = {
	.fill_modes = drm_helper_probe_single_connector_modes,
	.destroy = vprime_wb_connector_destroy,
	.reset = drm_atomic_helper_connector_reset,
	.atomic_duplicate_state = drm_atomic_helper_connector_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_connector_destroy_state,
};

static int vprime_wb_prepare_job(struct drm_writeback_connector *wb,
				 struct drm_writeback_job *job)
{
	struct vprime_wb_job *vjob;
	int ret;

	if (!job->fb)
		return 0;
	vjob = kzalloc(sizeof(*vjob), GFP_KERNEL);
	if (!vjob)
		return -ENOMEM;
	ret = drm_gem_fb_vmap(job->fb, vjob->map, vjob->data);
	if (ret) {
		drm_dbg_atomic(wb->base.dev, "cannot map writeback fb %u: %d\n",
			       job->fb->base.id, ret);
		kfree(vjob);
		return ret;
	}
	job->priv = vjob;
	return 0;
}

static void vprime_wb_cleanup_job(struct drm_writeback_connector *wb,
				  struct drm_writeback_job *job)
{
	struct vprime_wb_job *vjob = job->priv;

	if (!vjob)
		return;
	drm_gem_fb_vunmap(job->fb, vjob->map);
	kfree(vjob);
	job->priv = NULL;
}

/*
 * Called by the commit tail (drm_atomic_helper_commit_writebacks()) for a
 * job with a framebuffer, before the CRTC's atomic_flush publishes the
 * frame this job must capture: hand the job to the CRTC, which arms it in
 * that flush.
 */
static void vprime_wb_atomic_commit(struct drm_connector *connector,
				    struct drm_atomic_state *state)
{
	struct drm_connector_state *conn_state =
		drm_atomic_get_new_connector_state(state, connector);
	struct drm_writeback_connector *wb =
		drm_connector_to_writeback(connector);
	struct drm_writeback_job *job = conn_state->writeback_job;
	struct vprime_crtc *vcrtc = to_vprime_crtc(conn_state->crtc);
	struct vprime_wb_job *vjob = job->priv;
	struct vprime_wb_target target = {
		.dst = vjob->data[0],
		.pitch = job->fb->pitches[0],
		.format = job->fb->format->format,
	};

	vprime_crtc_wb_wait_idle(vcrtc);
	drm_writeback_queue_job(wb, conn_state);
	vprime_crtc_wb_queue(vcrtc, &target);
}

static const struct drm_connector_helper_funcs vprime_wb_connector_helper_funcs = {
	.get_modes = vprime_output_get_modes,
	.prepare_writeback_job = vprime_wb_prepare_job,
	.cleanup_writeback_job = vprime_wb_cleanup_job,
	.atomic_commit = vprime_wb_atomic_commit,
};

/*
 * drmm action: the connector and its encoder are not managed (Linux 6.1
 * has no drmm writeback init) but live in drmm memory allocated after the
 * mode_config, which would be freed before mode_config cleanup reaches
 * them: clean them up here, in the release order of that memory.
 */
static void vprime_wb_release(struct drm_device *drm, void *data)
{
	struct drm_writeback_connector *wb = data;

	drm_connector_cleanup(&wb->base);
	drm_encoder_cleanup(&wb->encoder);
}

/**
 * vprime_writeback_init() - create the writeback connector of an output
 * @vdev: the device
 * @wb: the connector to initialise, in drmm memory of the device
 * @vcrtc: the output's CRTC, the only one the connector can use
 *
 * The connector and its encoder are cleaned up with the device (drmm),
 * before @wb's memory is freed.
 *
 * Return: 0 or -errno.
 */
int vprime_writeback_init(struct vprime_device *vdev,
			  struct drm_writeback_connector *wb,
			  struct vprime_crtc *vcrtc)
{
	int ret;

	ret = drm_writeback_connector_init(&vdev->drm, wb,
					   &vprime_wb_connector_funcs,
					   &vprime_wb_encoder_helper_funcs,
					   vprime_wb_formats,
					   ARRAY_SIZE(vprime_wb_formats),
					   drm_crtc_mask(&vcrtc->base));
	if (ret)
		return ret;
	ret = drmm_add_action_or_reset(&vdev->drm, vprime_wb_release, wb);
	if (ret)
		return ret;
	drm_connector_helper_add(&wb->base, &vprime_wb_connector_helper_funcs);
	vcrtc->wb = wb;
	return 0;
}
