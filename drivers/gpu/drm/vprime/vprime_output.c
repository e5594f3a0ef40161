// SPDX-License-Identifier: GPL-2.0
/*
 * vprime: outputs, each a CRTC with its planes, a virtual encoder and a
 * virtual connector, connected unless debugfs (vprime_connected in the
 * connector's directory) unplugs it, and a writeback connector.
 */

#include <drm/drm_atomic_helper.h>
#include <drm/drm_connector.h>
#include <drm/drm_edid.h>
#include <drm/drm_encoder.h>
#include <drm/drm_managed.h>
#include <drm/drm_modes.h>
#include <drm/drm_probe_helper.h>
#include <linux/debugfs.h>

#include "vprime_drv.h"

#define VPRIME_MODES_MAX_WIDTH		4096
#define VPRIME_MODES_MAX_HEIGHT		2160
#define VPRIME_PREFERRED_WIDTH		1920
#define VPRIME_PREFERRED_HEIGHT		1080

static struct vprime_output *to_vprime_output(struct drm_connector *c)
{
	return container_of(c, struct vprime_output, connector);
}

/* Connected unless unplugged through debugfs ("connected" = 0). */
static enum drm_connector_status
vprime_connector_detect(struct drm_connector *connector, bool force)
{
	return READ_ONCE(to_vprime_output(connector)->unplugged) ?
	       connector_status_disconnected : connector_status_connected;
}

static int vprime_connected_get(void *data, u64 *val)
{
	*val = !READ_ONCE(to_vprime_output(data)->unplugged);
	return 0;
}

/*
 * Plug (1) or unplug (0) the virtual monitor and tell userspace, as a
 * hotplug interrupt would.  A lit output stays lit until userspace turns
 * it off: the CRTC and its planes do not depend on the connector's state.
 */
static int vprime_connected_set(void *data, u64 val)
{
	struct drm_connector *connector = data;

	if (val > 1)
		return -EINVAL;
	WRITE_ONCE(to_vprime_output(connector)->unplugged, !val);
	drm_kms_helper_hotplug_event(connector->dev);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(vprime_connected_fops, vprime_connected_get,
			 vprime_connected_set, "%llu\n");

static void vprime_connector_debugfs_init(struct drm_connector *connector,
					  struct dentry *root)
{
	debugfs_create_file_unsafe("vprime_connected", 0644, root, connector,
				   &vprime_connected_fops);
}

static const struct drm_connector_funcs vprime_connector_funcs = {
	.detect = vprime_connector_detect,
	.fill_modes = drm_helper_probe_single_connector_modes,
	.reset = drm_atomic_helper_connector_reset,
	.atomic_duplicate_state = drm_atomic_helper_connector_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_connector_destroy_state,
	.debugfs_init = vprime_connector_debugfs_init,
};

/*
 * The CEA (TV) modes a display stack expects beside the VESA ones, which
 * have no UHD mode and no 50 Hz ones: 3840x2160 at 24, 25, 30, 50 and
 * 60 Hz, 1920x1080 and 1280x720 at 50 Hz, 720x576 at 50 Hz and 720x480
 * at 60 Hz.  Modes equal to a VESA one are merged by the probe helper.
 */
static const u8 vprime_cea_vics[] = { 93, 94, 95, 96, 97, 31, 19, 17, 2 };

static int vprime_add_cea_modes(struct drm_connector *connector)
{
	struct drm_display_mode *mode;
	int i, count = 0;

	for (i = 0; i < ARRAY_SIZE(vprime_cea_vics); i++) {
		mode = drm_display_mode_from_cea_vic(connector->dev,
						     vprime_cea_vics[i]);
		if (!mode)
			continue;
		drm_mode_probed_add(connector, mode);
		count++;
	}
	return count;
}

/**
 * vprime_output_get_modes() - the modes of a vprime connector
 * @connector: a connector of an output (virtual or writeback)
 *
 * The VESA modes up to 4096x2160 and the usual TV modes (UHD
 * 3840x2160 among them), 1920x1080 preferred.
 *
 * Return: the number of modes added.
 */
int vprime_output_get_modes(struct drm_connector *connector)
{
	int count;

	count = drm_add_modes_noedid(connector, VPRIME_MODES_MAX_WIDTH,
				     VPRIME_MODES_MAX_HEIGHT);
	/* Before the TV modes: 1920x1080 at 60 Hz is preferred, not at 50. */
	drm_set_preferred_mode(connector, VPRIME_PREFERRED_WIDTH,
			       VPRIME_PREFERRED_HEIGHT);
	return count + vprime_add_cea_modes(connector);
}

static const struct drm_connector_helper_funcs vprime_connector_helper_funcs = {
	.get_modes = vprime_output_get_modes,
};

/**
 * vprime_output_init() - create output @index: planes, CRTC, encoder,
 *	connector, writeback connector
 * @vdev: the device, with mode_config, vblank and the compose workqueue
 *	set up
 * @index: the output number; outputs are created in order, so it is also
 *	the index of the CRTC
 *
 * Everything is freed with the device (drmm).
 *
 * Return: 0 or -errno.
 */
int vprime_output_init(struct vprime_device *vdev, unsigned int index)
{
	struct drm_device *drm = &vdev->drm;
	struct drm_plane *primary, *overlay, *cursor;
	struct vprime_output *output;
	int ret;

	output = drmm_kzalloc(drm, sizeof(*output), GFP_KERNEL);
	if (!output)
		return -ENOMEM;

	primary = vprime_plane_create(vdev, DRM_PLANE_TYPE_PRIMARY, index);
	if (IS_ERR(primary))
		return PTR_ERR(primary);
	overlay = vprime_plane_create(vdev, DRM_PLANE_TYPE_OVERLAY, index);
	if (IS_ERR(overlay))
		return PTR_ERR(overlay);
	cursor = vprime_plane_create(vdev, DRM_PLANE_TYPE_CURSOR, index);
	if (IS_ERR(cursor))
		return PTR_ERR(cursor);

	output->crtc = vprime_crtc_create(vdev, primary, cursor);
	if (IS_ERR(output->crtc))
		return PTR_ERR(output->crtc);
	if (drm_WARN_ON(drm, drm_crtc_index(&output->crtc->base) != index))
		return -EINVAL;

	ret = drmm_encoder_init(drm, &output->encoder, NULL,
				DRM_MODE_ENCODER_VIRTUAL, NULL);
	if (ret)
		return ret;
	output->encoder.possible_crtcs = drm_crtc_mask(&output->crtc->base);

	ret = drmm_connector_init(drm, &output->connector,
				  &vprime_connector_funcs,
				  DRM_MODE_CONNECTOR_VIRTUAL, NULL);
	if (ret)
		return ret;
	drm_connector_helper_add(&output->connector,
				 &vprime_connector_helper_funcs);
	ret = drm_connector_attach_encoder(&output->connector,
					   &output->encoder);
	if (ret)
		return ret;
	ret = vprime_writeback_init(vdev, &output->wb, output->crtc);
	if (ret)
		return ret;
	/* Both show the CRTC at once: each is a clone of the other. */
	output->encoder.possible_clones = drm_encoder_mask(&output->encoder) |
					  drm_encoder_mask(&output->wb.encoder);
	output->wb.encoder.possible_clones = output->encoder.possible_clones;
	return 0;
}
