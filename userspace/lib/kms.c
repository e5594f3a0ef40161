// SPDX-License-Identifier: MIT
/*
 * libvprime: the display side of a vprime device for atomic KMS clients:
 * its first pipe (CRTC, connector, planes, writeback connector) and
 * properties by name.
 */
#include <errno.h>
#include <string.h>

#include <xf86drm.h>
#include <xf86drmMode.h>

#include "vprime.h"
#include "internal.h"

uint32_t vprime_prop_id(int drm, uint32_t obj, uint32_t type,
			const char *name)
{
	drmModeObjectPropertiesPtr props;
	drmModePropertyPtr p;
	uint32_t id = 0, i;

	props = drmModeObjectGetProperties(drm, obj, type);
	for (i = 0; props && i < props->count_props && !id; i++) {
		p = drmModeGetProperty(drm, props->props[i]);
		if (p && !strcmp(p->name, name))
			id = p->prop_id;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return id;
}

int vprime_atomic_set(int drm, struct _drmModeAtomicReq *req, uint32_t obj,
		      uint32_t type, const char *name, uint64_t value)
{
	uint32_t prop = vprime_prop_id(drm, obj, type, name);

	if (!prop)
		return vprime_fail(ENOENT, "object %u has no property %s", obj,
				   name);
	if (drmModeAtomicAddProperty(req, obj, prop, value) <= 0)
		return vprime_fail(ENOMEM, "adding %s to an atomic request",
				   name);
	return 0;
}

/* The value of plane @id's "type" property, or -1. */
static int plane_type(int drm, uint32_t id)
{
	drmModeObjectPropertiesPtr props;
	drmModePropertyPtr p;
	int type = -1;
	uint32_t i;

	props = drmModeObjectGetProperties(drm, id, DRM_MODE_OBJECT_PLANE);
	for (i = 0; props && i < props->count_props; i++) {
		p = drmModeGetProperty(drm, props->props[i]);
		if (p && !strcmp(p->name, "type"))
			type = (int)props->prop_values[i];
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return type;
}

/* The first plane of each type that can show on the CRTC of index 0. */
static void find_planes(int drm, struct vprime_pipe *pipe)
{
	drmModePlaneResPtr res = drmModeGetPlaneResources(drm);
	drmModePlanePtr plane;
	uint32_t i, *slot;

	for (i = 0; res && i < res->count_planes; i++) {
		plane = drmModeGetPlane(drm, res->planes[i]);
		slot = NULL;
		if (plane && (plane->possible_crtcs & 1)) {
			switch (plane_type(drm, plane->plane_id)) {
			case DRM_PLANE_TYPE_PRIMARY:
				slot = &pipe->primary;
				break;
			case DRM_PLANE_TYPE_OVERLAY:
				slot = &pipe->overlay;
				break;
			case DRM_PLANE_TYPE_CURSOR:
				slot = &pipe->cursor;
				break;
			}
		}
		if (slot && !*slot)
			*slot = plane->plane_id;
		drmModeFreePlane(plane);
	}
	drmModeFreePlaneResources(res);
}

/* Whether connector @conn has an encoder that can drive CRTC index 0. */
static bool drives_first_crtc(int drm, drmModeConnectorPtr conn)
{
	drmModeEncoderPtr enc;
	bool ok = false;
	int i;

	for (i = 0; i < conn->count_encoders && !ok; i++) {
		enc = drmModeGetEncoder(drm, conn->encoders[i]);
		ok = enc && (enc->possible_crtcs & 1);
		drmModeFreeEncoder(enc);
	}
	return ok;
}

int vprime_pipe_find(int drm, struct vprime_pipe *pipe)
{
	drmModeConnectorPtr conn;
	drmModeResPtr res;
	int i;

	memset(pipe, 0, sizeof(*pipe));
	if (drmSetClientCap(drm, DRM_CLIENT_CAP_ATOMIC, 1) ||
	    drmSetClientCap(drm, DRM_CLIENT_CAP_WRITEBACK_CONNECTORS, 1))
		return vprime_fail(errno, "atomic KMS client caps");
	res = drmModeGetResources(drm);
	if (!res || !res->count_crtcs) {
		drmModeFreeResources(res);
		return vprime_fail(ENODEV, "no CRTC: the display is off");
	}
	pipe->crtc = res->crtcs[0];
	for (i = 0; i < res->count_connectors; i++) {
		conn = drmModeGetConnector(drm, res->connectors[i]);
		if (conn && drives_first_crtc(drm, conn)) {
			if (conn->connector_type == DRM_MODE_CONNECTOR_WRITEBACK) {
				if (!pipe->writeback)
					pipe->writeback = conn->connector_id;
			} else if (!pipe->connector) {
				pipe->connector = conn->connector_id;
			}
		}
		drmModeFreeConnector(conn);
	}
	drmModeFreeResources(res);
	find_planes(drm, pipe);
	if (!pipe->connector || !pipe->primary)
		return vprime_fail(ENODEV, "CRTC %u has no connector or primary plane",
				   pipe->crtc);
	return 0;
}
