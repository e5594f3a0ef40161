// SPDX-License-Identifier: GPL-2.0
/*
 * vprime: the display side: module parameters, mode_config, commit tail.
 */

/**
 * DOC: vprime display
 *
 * With the module parameter modeset (default on) each vprime device is an
 * atomic KMS device with as many independent outputs as the parameter
 * outputs says (1-4, default 1).  An
 * output (vprime_output.c) is a CRTC (vprime_crtc.c) with a primary, an
 * overlay and a cursor plane (vprime_plane.c), a virtual encoder and a
 * virtual connector that is always connected, and a writeback connector.
 * With modeset=0 the device is
 * render-only, as before: DRIVER_MODESET and DRIVER_ATOMIC are cleared and
 * nothing here is set up.
 *
 * Framebuffers are GEM objects, vprime's own or imported, read only through
 * their mapping (drm_gem_fb_vmap()), never through cenalloc's storage.
 *
 * Call sequence of a commit: the planes' atomic_check computes what is
 * visible (vprime_atomic_check() adds no plane the request does not name;
 * the CRTC's flush takes those planes' current states).  prepare_fb maps
 * each visible framebuffer into its (new) plane state and collects its
 * implicit fence.  In the commit tail, atomic_update describes each plane
 * to the composer and the CRTC's atomic_flush publishes the frame (the
 * planes bottom to top) in &vprime_crtc.frame and arms the event.  Then
 * the tail waits for the flip and cleans up the old plane states
 * (cleanup_fb drops their references to the mappings).  It never waits
 * for the composer.
 *
 * Vblank: a per-CRTC hrtimer runs at the mode's frame period while the
 * DRM core has vblank interrupts enabled, calls drm_crtc_handle_vblank()
 * and, while a CRC source is selected or a writeback job is armed,
 * latches the frame (&vprime_crtc.latched, with references to its
 * framebuffer mappings) and queues the CRTC's compose work on the
 * device's ordered workqueue.  The work composes the latched frames in
 * order, line by line, reports one CRC per vblank (vprime_compose.c),
 * writes the writeback job's framebuffer (vprime_writeback.c) and drops
 * the frame's references.  A writeback job is queued by the writeback
 * connector's atomic_commit and armed by the CRTC's atomic_flush of the
 * same commit, under the lock that publishes the frame, so the next
 * vblank latches it with that commit's frame; it holds a vblank reference
 * until the work has written and signalled it.
 *
 * Lifetimes:
 *
 * - A framebuffer mapping (&struct vprime_fb_map) is made by prepare_fb
 *   and counted: the plane state holds a reference until its cleanup_fb,
 *   each latched frame showing it one until it is composed.  The frame a
 *   CRTC publishes points into the mappings of the plane states of the
 *   last commit that flushed it; those states are cleaned up only by the
 *   tail of a later commit that includes the CRTC (changing a plane adds
 *   its CRTC), after it has published its own frame, so the timer only
 *   ever takes a reference to a mapping a state still holds.  The timer
 *   never drops one: the compose work does, or the CRTC's release.
 * - The compose work takes its frame out of the ring under
 *   &vprime_crtc.lock and never touches DRM state objects.
 * - Teardown: vprime_remove() unplugs the device, then
 *   drm_atomic_helper_shutdown() turns every CRTC off (vblank off tells
 *   the timer to stop).  The drmm release actions then run in reverse
 *   order: each CRTC's timer is cancelled (waiting for a last run), its
 *   work cancelled and the frames it had not composed released, then the
 *   workqueue is destroyed, then vblank support and the mode config (the
 *   framebuffers) are freed.
 *
 * Lock order: modeset locks > &drm_device.event_lock (irq) > the core's
 * vbl_lock > &vprime_crtc.lock (irq).  The timer runs in hard interrupt
 * context; it takes &vprime_crtc.lock alone, and the core's event_lock
 * and vblank_time_lock (in drm_crtc_handle_vblank()) with no lock of its
 * own held.  enable_vblank and disable_vblank run under vbl_lock (and
 * disable_vblank under event_lock too, from drm_crtc_vblank_off()), so
 * they never wait for the timer: disable_vblank tells it to stop.  The
 * compose work takes &vprime_crtc.lock and the core's CRC lock, and
 * unmaps and puts framebuffers (dma_resv locks) holding neither; nothing
 * waits for it but teardown and set_crc_source.
 */

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_atomic_uapi.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_mode_config.h>
#include <drm/drm_modeset_lock.h>
#include <drm/drm_plane.h>
#include <drm/drm_print.h>
#include <drm/drm_vblank.h>
#include <linux/dma-fence.h>
#include <linux/module.h>

#include "vprime_drv.h"

static bool vprime_modeset = true;
module_param_named(modeset, vprime_modeset, bool, 0444);
MODULE_PARM_DESC(modeset, "Display (KMS) support (default true; false: render-only)");

static unsigned int vprime_num_outputs = 1;
module_param_named(outputs, vprime_num_outputs, uint, 0444);
MODULE_PARM_DESC(outputs, "Outputs (CRTC + planes + connector) per device (1-4, default 1)");

/*
 * Every plane of a CRTC in the commit joins the commit, so that the CRTC's
 * atomic_flush finds all its planes' new states (mapped by prepare_fb).
 */
/*
 * A CRTC being switched off takes its writeback connector along when the
 * request does not mention that connector.  Clients without
 * DRM_CLIENT_CAP_WRITEBACK_CONNECTORS (most of them) do not see it and
 * cannot detach one that another client left bound; the DRM core would
 * then refuse every commit that switches the CRTC off (its connectors and
 * its enable state disagree), as IGT tests run after kms_writeback found.
 */
static int vprime_detach_writeback(struct drm_atomic_state *state,
				   struct drm_crtc *crtc)
{
	struct vprime_crtc *vcrtc = to_vprime_crtc(crtc);
	struct drm_connector_state *conn_state;
	struct drm_connector *conn;
	int ret;

	if (!vcrtc->wb)
		return 0;
	conn = &vcrtc->wb->base;
	ret = drm_modeset_lock(&state->dev->mode_config.connection_mutex,
			       state->acquire_ctx);
	if (ret)
		return ret;
	if (drm_atomic_get_new_connector_state(state, conn) ||
	    conn->state->crtc != crtc)
		return 0;
	conn_state = drm_atomic_get_connector_state(state, conn);
	if (IS_ERR(conn_state))
		return PTR_ERR(conn_state);
	return drm_atomic_set_crtc_for_connector(conn_state, NULL);
}

static int vprime_atomic_check(struct drm_device *drm,
			       struct drm_atomic_state *state)
{
	struct drm_crtc_state *crtc_state;
	struct drm_crtc *crtc;
	unsigned int i;
	int ret;

	/*
	 * Planes the request does not name stay out of it (a modeset adds
	 * them, in the helper): the CRTC's flush takes their current
	 * states, and a page flip does not hold the cursor plane, so that a
	 * cursor move right after it can be async.
	 */
	for_each_new_crtc_in_state(state, crtc, crtc_state, i) {
		if (crtc_state->enable)
			continue;
		ret = vprime_detach_writeback(state, crtc);
		if (ret)
			return ret;
	}
	return drm_atomic_helper_check(drm, state);
}

/*
 * drm_atomic_helper_commit_tail_rpm(), waiting for the flip rather than a
 * vblank before the old plane states are cleaned up: latched frames hold
 * their own references to the mappings (see the DOC above).
 */
static void vprime_atomic_commit_tail(struct drm_atomic_state *state)
{
	struct drm_device *drm = state->dev;
	bool fence_cookie = dma_fence_begin_signalling();

	/* Until hw_done the commit's out-fences depend on this: no waits. */
	drm_atomic_helper_commit_modeset_disables(drm, state);
	drm_atomic_helper_commit_modeset_enables(drm, state);
	drm_atomic_helper_commit_planes(drm, state,
					DRM_PLANE_COMMIT_ACTIVE_ONLY);
	drm_atomic_helper_commit_hw_done(state);
	dma_fence_end_signalling(fence_cookie);

	drm_atomic_helper_wait_for_flip_done(drm, state);
	drm_atomic_helper_cleanup_planes(drm, state);
}

/*
 * A framebuffer no plane can show is refused at ADDFB2 with -EINVAL, as
 * Linux 6.12's drm_gem_fb_init_with_funcs() does and 6.1's does not: a
 * modifier other than LINEAR (DRM_FORMAT_MOD_INVALID with the modifiers
 * flag, IGT kms_addfb_basic addfb25-bad-modifier) or a format no plane
 * lists would otherwise fail only at the commit that shows it.
 */
static struct drm_framebuffer *
vprime_fb_create(struct drm_device *drm, struct drm_file *file,
		 const struct drm_mode_fb_cmd2 *cmd)
{
	if (!drm_any_plane_has_format(drm, cmd->pixel_format,
				      cmd->modifier[0])) {
		drm_dbg_kms(drm, "no plane shows %p4cc with modifier %#llx\n",
			    &cmd->pixel_format, cmd->modifier[0]);
		return ERR_PTR(-EINVAL);
	}
	return drm_gem_fb_create(drm, file, cmd);
}

static const struct drm_mode_config_funcs vprime_mode_config_funcs = {
	.fb_create = vprime_fb_create,
	.atomic_check = vprime_atomic_check,
	.atomic_commit = drm_atomic_helper_commit,
};

static const struct drm_mode_config_helper_funcs vprime_mode_config_helpers = {
	.atomic_commit_tail = vprime_atomic_commit_tail,
};

/* drmm action: every compose work has been cancelled before this. */
static void vprime_kms_destroy_wq(struct drm_device *drm, void *data)
{
	destroy_workqueue(data);
}

/**
 * vprime_kms_check_params() - validate the display module parameters
 *
 * Return: 0, or -EINVAL if outputs is not 1 to %VPRIME_MAX_OUTPUTS.
 */
int vprime_kms_check_params(void)
{
	if (vprime_num_outputs < 1 || vprime_num_outputs > VPRIME_MAX_OUTPUTS) {
		pr_err("vprime: outputs must be 1 to %d\n", VPRIME_MAX_OUTPUTS);
		return -EINVAL;
	}
	return 0;
}

/**
 * vprime_kms_init() - set up the display side of a device, or switch it off
 * @vdev: a device being probed, not yet registered
 *
 * With modeset=0 clears DRIVER_MODESET and DRIVER_ATOMIC.  Otherwise
 * initialises mode_config, vblank support, the compose workqueue and the
 * outputs, and resets the atomic state.  Everything is released with the
 * device (drmm).
 *
 * Context: process context, probe.
 * Return: 0 or -errno.
 */
int vprime_kms_init(struct vprime_device *vdev)
{
	struct drm_device *drm = &vdev->drm;
	struct drm_mode_config *config = &drm->mode_config;
	unsigned int i;
	int ret;

	if (!vprime_modeset) {
		drm->driver_features &= ~(DRIVER_MODESET | DRIVER_ATOMIC);
		return 0;
	}

	ret = drmm_mode_config_init(drm);
	if (ret)
		return ret;
	config->min_width = 1;
	config->min_height = 1;
	config->max_width = VPRIME_MAX_WIDTH;
	config->max_height = VPRIME_MAX_HEIGHT;
	config->cursor_width = VPRIME_CURSOR_MAX;
	config->cursor_height = VPRIME_CURSOR_MAX;
	config->preferred_depth = 24;
	config->normalize_zpos = true;
	config->funcs = &vprime_mode_config_funcs;
	config->helper_private = &vprime_mode_config_helpers;

	/* Before the CRTCs: its release must come after theirs. */
	ret = drm_vblank_init(drm, vprime_num_outputs);
	if (ret)
		return ret;
	vdev->compose_wq = alloc_ordered_workqueue("vprime-compose-%u", 0,
						   vdev->index);
	if (!vdev->compose_wq)
		return -ENOMEM;
	ret = drmm_add_action_or_reset(drm, vprime_kms_destroy_wq,
				       vdev->compose_wq);
	if (ret)
		return ret;

	for (i = 0; i < vprime_num_outputs; i++) {
		ret = vprime_output_init(vdev, i);
		if (ret)
			return ret;
	}
	drm_mode_config_reset(drm);
	return 0;
}

/**
 * vprime_kms_shutdown() - turn every output off
 * @vdev: a device being removed, already unplugged
 *
 * Nothing to do without KMS.
 *
 * Context: process context, remove.
 */
void vprime_kms_shutdown(struct vprime_device *vdev)
{
	if (drm_core_check_feature(&vdev->drm, DRIVER_MODESET))
		drm_atomic_helper_shutdown(&vdev->drm);
}
