// SPDX-License-Identifier: GPL-2.0
/*
 * vprime: planes (primary, overlay, cursor), their formats, and the
 * mapping of their framebuffers for the composer.
 */

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_blend.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_atomic_helper.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_plane.h>
#include <linux/dma-resv.h>

#include "vprime_drv.h"

/* Every plane takes the RGB formats; the last VPRIME_YUV_FORMATS only the overlay. */
static const u32 vprime_plane_formats[] = {
	DRM_FORMAT_XRGB8888,
	DRM_FORMAT_ARGB8888,
	DRM_FORMAT_XBGR8888,
	DRM_FORMAT_ABGR8888,
	DRM_FORMAT_RGB565,
	DRM_FORMAT_XRGB1555,
	DRM_FORMAT_ARGB1555,
	DRM_FORMAT_XRGB2101010,
	DRM_FORMAT_ARGB2101010,
	DRM_FORMAT_XRGB16161616,
	DRM_FORMAT_ARGB16161616,
	DRM_FORMAT_NV12,
	DRM_FORMAT_YUYV,
};

#define VPRIME_YUV_FORMATS	2

static const u64 vprime_plane_modifiers[] = {
	DRM_FORMAT_MOD_LINEAR,
	DRM_FORMAT_MOD_INVALID,
};

static void vprime_plane_reset(struct drm_plane *plane)
{
	struct vprime_plane_state *vps;

	if (plane->state) {
		plane->funcs->atomic_destroy_state(plane, plane->state);
		plane->state = NULL;
	}
	vps = kzalloc(sizeof(*vps), GFP_KERNEL);
	if (!vps)
		return;
	__drm_atomic_helper_plane_reset(plane, &vps->base);
}

static struct drm_plane_state *
vprime_plane_atomic_duplicate_state(struct drm_plane *plane)
{
	struct vprime_plane_state *vps;

	if (drm_WARN_ON_ONCE(plane->dev, !plane->state))
		return NULL;
	/* Zeroed: the mappings belong to the old state, not the copy. */
	vps = kzalloc(sizeof(*vps), GFP_KERNEL);
	if (!vps)
		return NULL;
	__drm_atomic_helper_plane_duplicate_state(plane, &vps->base);
	return &vps->base;
}

static void vprime_plane_atomic_destroy_state(struct drm_plane *plane,
					      struct drm_plane_state *state)
{
	struct vprime_plane_state *vps = to_vprime_plane_state(state);

	/* cleanup_fb ran before: a state is never freed while mapped. */
	drm_WARN_ON_ONCE(plane->dev, vps->fbmap);
	__drm_atomic_helper_plane_destroy_state(state);
	kfree(vps);
}

static const struct drm_plane_funcs vprime_plane_funcs = {
	.update_plane = drm_atomic_helper_update_plane,
	.disable_plane = drm_atomic_helper_disable_plane,
	.reset = vprime_plane_reset,
	.atomic_duplicate_state = vprime_plane_atomic_duplicate_state,
	.atomic_destroy_state = vprime_plane_atomic_destroy_state,
};

/*
 * Every plane, the primary too, may be smaller than the CRTC, anywhere on
 * it or partly off it: what no plane covers is black (IGT's
 * kms_universal_plane expects an undersized, moved primary to be taken).
 * The primary and overlay planes scale, up or down by at most
 * %VPRIME_MAX_SCALE (the helper refuses more with -ERANGE); the cursor
 * does not.  The cursor's size caps (VPRIME_CURSOR_MAX) are a hint, as on
 * vkms: any size is composed, clipped to the CRTC.  Computes visible, src
 * and dst.
 */
static int vprime_plane_atomic_check(struct drm_plane *plane,
				     struct drm_atomic_state *state)
{
	struct drm_plane_state *new = drm_atomic_get_new_plane_state(state,
								      plane);
	int min_scale = DRM_PLANE_NO_SCALING, max_scale = DRM_PLANE_NO_SCALING;
	struct drm_crtc_state *crtc_state;

	if (!new->crtc || !new->fb) {
		/* The state was duplicated: do not keep the old visibility. */
		new->visible = false;
		return 0;
	}
	crtc_state = drm_atomic_get_crtc_state(state, new->crtc);
	if (IS_ERR(crtc_state))
		return PTR_ERR(crtc_state);
	if (plane->type != DRM_PLANE_TYPE_CURSOR) {
		/* src / dst in 16.16 fixed point */
		min_scale = DRM_PLANE_NO_SCALING / VPRIME_MAX_SCALE;
		max_scale = DRM_PLANE_NO_SCALING * VPRIME_MAX_SCALE;
	}
	return drm_atomic_helper_check_plane_state(new, crtc_state, min_scale,
						   max_scale, true, true);
}

static void vprime_fb_map_release(struct kref *ref)
{
	struct vprime_fb_map *m = container_of(ref, struct vprime_fb_map, ref);

	drm_gem_fb_vunmap(m->fb, m->map);
	drm_framebuffer_put(m->fb);
	kfree(m);
}

/**
 * vprime_fb_map_get() - take a reference to a framebuffer mapping
 * @m: the mapping, whose holder keeps it alive meanwhile
 *
 * Context: any, the vblank timer included.
 */
void vprime_fb_map_get(struct vprime_fb_map *m)
{
	kref_get(&m->ref);
}

/**
 * vprime_fb_map_put() - drop a reference to a framebuffer mapping
 * @m: the mapping; the last reference unmaps it and drops its framebuffer
 *
 * Context: process context.
 */
void vprime_fb_map_put(struct vprime_fb_map *m)
{
	might_sleep();
	kref_put(&m->ref, vprime_fb_map_release);
}

/*
 * Map a visible framebuffer for the composer, and make the commit wait
 * for the buffer's implicit fences (drm_gem_plane_helper_prepare_fb()
 * sets state->fence).  cleanup_fb of the same state drops the state's
 * reference to the mapping; frames the CRTC latched keep theirs until
 * they are composed, so no commit waits for the composer.
 */
static int vprime_plane_prepare_fb(struct drm_plane *plane,
				   struct drm_plane_state *state)
{
	struct vprime_plane_state *vps = to_vprime_plane_state(state);
	struct vprime_fb_map *m;
	int ret;

	if (!state->fb || !state->visible)
		return 0;
	ret = drm_gem_plane_helper_prepare_fb(plane, state);
	if (ret)
		return ret;
	/* On error state->fence is put with the state. */
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	ret = drm_gem_fb_vmap(state->fb, m->map, m->data);
	if (ret) {
		drm_dbg_atomic(plane->dev, "cannot map fb %u: %d\n",
			       state->fb->base.id, ret);
		kfree(m);
		return ret;
	}
	kref_init(&m->ref);
	m->fb = state->fb;
	drm_framebuffer_get(m->fb);
	vps->fbmap = m;
	return 0;
}

/*
 * Called for the old state once the commit that replaced it is done, or
 * for the new state of a commit that failed.
 */
static void vprime_plane_cleanup_fb(struct drm_plane *plane,
				    struct drm_plane_state *state)
{
	struct vprime_plane_state *vps = to_vprime_plane_state(state);

	if (!vps->fbmap)
		return;
	vprime_fb_map_put(vps->fbmap);
	vps->fbmap = NULL;
}

/* Describe plane state @state, mapped, to the composer in @cp. */
static void vprime_plane_describe(struct drm_plane_state *state,
				  struct vprime_compose_plane *cp)
{
	struct vprime_plane_state *vps = to_vprime_plane_state(state);

	cp->plane = drm_plane_index(state->plane);
	cp->fbmap = vps->fbmap;
	cp->src = vps->fbmap->data[0];
	cp->format = state->fb->format->format;
	cp->pitch = state->fb->pitches[0];
	cp->cpp = state->fb->format->cpp[0];
	cp->src_x = state->src.x1 >> 16;
	cp->src_y = state->src.y1 >> 16;
	/* At least one pixel: a clipped, downscaled span can round to 0. */
	cp->src_w = max(drm_rect_width(&state->src) >> 16, 1);
	cp->src_h = max(drm_rect_height(&state->src) >> 16, 1);
	cp->dst = state->dst;
	cp->src_uv = vps->fbmap->data[1];
	cp->pitch_uv = state->fb->pitches[1];
	cp->color_encoding = state->color_encoding;
	cp->color_range = state->color_range;
	cp->alpha = state->alpha >> 8;
	cp->blend_mode = state->pixel_blend_mode;
	/* src is in framebuffer coordinates: 180 is both reflections. */
	cp->reflect_x = !!(state->rotation & DRM_MODE_REFLECT_X) ^
			!!(state->rotation & DRM_MODE_ROTATE_180);
	cp->reflect_y = !!(state->rotation & DRM_MODE_REFLECT_Y) ^
			!!(state->rotation & DRM_MODE_ROTATE_180);
}

/* Describe the new state to the composer; the CRTC's flush collects it. */
static void vprime_plane_atomic_update(struct drm_plane *plane,
				       struct drm_atomic_state *state)
{
	struct drm_plane_state *new = drm_atomic_get_new_plane_state(state,
								      plane);

	if (to_vprime_plane_state(new)->fbmap)
		vprime_plane_describe(new, &to_vprime_plane_state(new)->compose);
}

/* Whether @fb's buffers have no unsignalled writer (implicit fence). */
static bool vprime_plane_fb_idle(struct drm_framebuffer *fb)
{
	unsigned int i;

	for (i = 0; i < fb->format->num_planes; i++)
		if (fb->obj[i] &&
		    !dma_resv_test_signaled(fb->obj[i]->resv,
					    DMA_RESV_USAGE_WRITE))
			return false;
	return true;
}

/*
 * A legacy cursor update (DRM_IOCTL_MODE_CURSOR: drmModeMoveCursor, or
 * drmModeSetCursor with a new image) is done at once, without a commit
 * that waits for the CRTC's pending flip, as compositors and IGT's
 * kms_cursor_legacy expect: the cursor stays on the same CRTC, on screen
 * before and after.  A new image must have no pending writer: the async
 * path waits for no fence.  Anything else -- showing or hiding the
 * cursor, another CRTC -- takes the normal commit.  The DRM core has
 * checked the new state (clipping) and that the old one's commit is done.
 */
static int vprime_plane_atomic_async_check(struct drm_plane *plane,
					   struct drm_atomic_state *state)
{
	struct drm_plane_state *new = drm_atomic_get_new_plane_state(state,
								      plane);
	struct drm_plane_state *cur = plane->state;

	if (plane->type != DRM_PLANE_TYPE_CURSOR || !new->crtc ||
	    new->crtc != cur->crtc || !new->fb || !new->visible ||
	    !to_vprime_plane_state(cur)->fbmap)
		return -EINVAL;
	if (new->fb != cur->fb && !vprime_plane_fb_idle(new->fb))
		return -EBUSY;
	return 0;
}

/*
 * Update the cursor in the current state and in the CRTC's frame.  A new
 * image's framebuffer and mapping (prepare_fb mapped it into @new) swap
 * places with the current ones, so that the core's cleanup of @new drops
 * the old ones; frames the CRTC latched keep their own references.
 */
static void vprime_plane_atomic_async_update(struct drm_plane *plane,
					     struct drm_atomic_state *state)
{
	struct drm_plane_state *new = drm_atomic_get_new_plane_state(state,
								      plane);
	struct drm_plane_state *cur = plane->state;
	struct vprime_compose_plane cp;

	if (new->fb != cur->fb) {
		swap(cur->fb, new->fb);
		swap(to_vprime_plane_state(cur)->fbmap,
		     to_vprime_plane_state(new)->fbmap);
	}
	cur->crtc_x = new->crtc_x;
	cur->crtc_y = new->crtc_y;
	cur->crtc_w = new->crtc_w;
	cur->crtc_h = new->crtc_h;
	cur->src_x = new->src_x;
	cur->src_y = new->src_y;
	cur->src_w = new->src_w;
	cur->src_h = new->src_h;
	cur->src = new->src;
	cur->dst = new->dst;
	vprime_plane_describe(cur, &cp);
	vprime_crtc_async_update(cur->crtc, to_vprime_plane_state(cur), &cp);
}

static const struct drm_plane_helper_funcs vprime_plane_helper_funcs = {
	.atomic_check = vprime_plane_atomic_check,
	.prepare_fb = vprime_plane_prepare_fb,
	.cleanup_fb = vprime_plane_cleanup_fb,
	.atomic_update = vprime_plane_atomic_update,
	.atomic_async_check = vprime_plane_atomic_async_check,
	.atomic_async_update = vprime_plane_atomic_async_update,
};

/*
 * zpos, FB_DAMAGE_CLIPS, rotation (0 and 180, reflect X and Y) on every
 * plane; alpha and blend mode on all but the primary; YUV encoding and
 * range on the overlay.  zpos: the primary (0) and the overlay (1) may
 * take 0 or 1, the cursor is 2; equal values are ordered by the DRM core
 * (normalize_zpos).
 */
static int vprime_plane_add_properties(struct drm_plane *plane,
				       enum drm_plane_type type)
{
	unsigned int zpos = type == DRM_PLANE_TYPE_PRIMARY ? 0 :
			    type == DRM_PLANE_TYPE_OVERLAY ? 1 : 2;
	u32 encodings = BIT(DRM_COLOR_YCBCR_BT601) | BIT(DRM_COLOR_YCBCR_BT709);
	u32 ranges = BIT(DRM_COLOR_YCBCR_LIMITED_RANGE) |
		     BIT(DRM_COLOR_YCBCR_FULL_RANGE);
	int ret;

	/* The primary and the overlay may swap; the cursor stays on top. */
	if (type == DRM_PLANE_TYPE_CURSOR)
		ret = drm_plane_create_zpos_immutable_property(plane, zpos);
	else
		ret = drm_plane_create_zpos_property(plane, zpos, 0, 1);
	if (ret)
		return ret;
	/*
	 * Damage clips are taken and checked by the DRM core; every frame
	 * is composed whole, so they change nothing but cost nothing.
	 */
	drm_plane_enable_fb_damage_clips(plane);
	ret = drm_plane_create_rotation_property(plane, DRM_MODE_ROTATE_0,
						 DRM_MODE_ROTATE_0 |
						 DRM_MODE_ROTATE_180 |
						 DRM_MODE_REFLECT_X |
						 DRM_MODE_REFLECT_Y);
	if (ret || type == DRM_PLANE_TYPE_PRIMARY)
		return ret;
	if (type == DRM_PLANE_TYPE_OVERLAY) {
		ret = drm_plane_create_color_properties(plane, encodings,
							ranges,
							DRM_COLOR_YCBCR_BT601,
							DRM_COLOR_YCBCR_LIMITED_RANGE);
		if (ret)
			return ret;
	}
	ret = drm_plane_create_alpha_property(plane);
	if (ret)
		return ret;
	return drm_plane_create_blend_mode_property(plane,
			BIT(DRM_MODE_BLEND_PIXEL_NONE) |
			BIT(DRM_MODE_BLEND_PREMULTI) |
			BIT(DRM_MODE_BLEND_COVERAGE));
}

/**
 * vprime_plane_create() - create one plane of an output
 * @vdev: the device
 * @type: primary, overlay or cursor
 * @index: the output, whose CRTC (created next, with this index) is the
 *	only one the plane can show on
 *
 * The plane is freed with the device (drmm).
 *
 * Return: the plane or an ERR_PTR().
 */
struct drm_plane *vprime_plane_create(struct vprime_device *vdev,
				      enum drm_plane_type type,
				      unsigned int index)
{
	bool overlay = type == DRM_PLANE_TYPE_OVERLAY;
	struct vprime_plane *vplane;
	int ret;

	vplane = drmm_universal_plane_alloc(&vdev->drm, struct vprime_plane,
					    base, BIT(index),
					    &vprime_plane_funcs,
					    vprime_plane_formats,
					    ARRAY_SIZE(vprime_plane_formats) -
					    (overlay ? 0 : VPRIME_YUV_FORMATS),
					    vprime_plane_modifiers, type, NULL);
	if (IS_ERR(vplane))
		return ERR_CAST(vplane);
	drm_plane_helper_add(&vplane->base, &vprime_plane_helper_funcs);
	ret = vprime_plane_add_properties(&vplane->base, type);
	if (ret)
		return ERR_PTR(ret);
	return &vplane->base;
}
