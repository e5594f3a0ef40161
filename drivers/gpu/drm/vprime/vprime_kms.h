/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vprime: declarations of the display side (vprime_kms.c, vprime_crtc.c,
 * vprime_plane.c, vprime_output.c, vprime_compose.c).
 */
#ifndef _VPRIME_KMS_H_
#define _VPRIME_KMS_H_

#include <drm/drm_connector.h>
#include <drm/drm_crtc.h>
#include <drm/drm_encoder.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_plane.h>
#include <drm/drm_rect.h>
#include <drm/drm_writeback.h>
#include <linux/hrtimer.h>
#include <linux/iosys-map.h>
#include <linux/kref.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

struct vprime_device;

#define VPRIME_MAX_OUTPUTS	4
/* Primary, overlay and cursor: the planes of one CRTC. */
#define VPRIME_PLANES_PER_CRTC	3
#define VPRIME_MAX_WIDTH	4096
#define VPRIME_MAX_HEIGHT	4096
#define VPRIME_CURSOR_MAX	256
/* Primary and overlay planes scale by up to this factor either way. */
#define VPRIME_MAX_SCALE	8
/*
 * The fastest mode a CRTC takes: 4096x2160 at 120 Hz with CVT reduced
 * blanking fits under the pixel clock, and the vblank timer fires at most
 * %VPRIME_MAX_REFRESH times a second.
 */
#define VPRIME_MAX_CLOCK_KHZ	1200000
#define VPRIME_MAX_REFRESH	240
/* Entries of a CRTC's gamma LUT: one per 8-bit channel value. */
#define VPRIME_GAMMA_SIZE	256

/**
 * struct vprime_fb_map - a framebuffer mapped for the composer
 * @ref: held by the plane state whose prepare_fb mapped it (until its
 *	cleanup_fb) and by each latched frame that shows it (until the
 *	compose work is done with that frame)
 * @fb: the framebuffer, referenced
 * @map: the mappings of its GEM objects
 * @data: @map plus the framebuffer's offsets: where each plane's pixels
 *	start
 *
 * The last reference unmaps and drops @fb, in process context: the vblank
 * timer takes references but never drops one.
 */
struct vprime_fb_map {
	struct kref ref;
	struct drm_framebuffer *fb;
	struct iosys_map map[DRM_FORMAT_MAX_PLANES];
	struct iosys_map data[DRM_FORMAT_MAX_PLANES];
};

/**
 * struct vprime_compose_plane - one plane as the composer sees it
 * @plane: the DRM plane's index (drm_plane_index()), to find it in a frame
 * @fbmap: the mapping @src and @src_uv point into; a latched frame holds
 *	a reference to it
 * @src: the first byte of the framebuffer's plane 0 (offset included)
 * @format: DRM fourcc of the framebuffer
 * @pitch: bytes per framebuffer line
 * @cpp: bytes per pixel
 * @src_x: first visible source column, whole pixels
 * @src_y: first visible source line, whole pixels
 * @src_w: visible source columns, whole pixels
 * @src_h: visible source lines, whole pixels
 * @dst: where the visible part lands on the CRTC (clipped to it); a size
 *	other than @src_w x @src_h scales
 * @alpha: plane alpha, 0 (transparent) to 255 (opaque)
 * @blend_mode: %DRM_MODE_BLEND_PIXEL_NONE, _PREMULTI or _COVERAGE
 * @src_uv: NV12's CbCr plane (offset included), as @src
 * @pitch_uv: bytes per line of @src_uv
 * @color_encoding: &enum drm_color_encoding of a YUV format
 * @color_range: &enum drm_color_range of a YUV format
 * @reflect_x: the visible source is mirrored left to right on the CRTC
 * @reflect_y: the visible source is mirrored top to bottom on the CRTC
 *	(rotation 180 is both)
 */
struct vprime_compose_plane {
	unsigned int plane;
	struct vprime_fb_map *fbmap;
	struct iosys_map src;
	u32 format;
	unsigned int pitch;
	unsigned int cpp;
	unsigned int src_x;
	unsigned int src_y;
	unsigned int src_w;
	unsigned int src_h;
	struct drm_rect dst;
	u8 alpha;
	u16 blend_mode;
	struct iosys_map src_uv;
	unsigned int pitch_uv;
	u8 color_encoding;
	u8 color_range;
	bool reflect_x;
	bool reflect_y;
};

/**
 * struct vprime_frame - what one CRTC shows: its size and visible planes
 * @width: active width in pixels, 0 when the CRTC is off
 * @height: active height in lines
 * @num_planes: entries used in @planes
 * @planes: the visible planes, bottom (lowest zpos) first
 * @gamma: the CRTC has a gamma LUT: @lut applies to the blended output
 * @lut: the LUT's red, green and blue tables, 8-bit value to 8-bit value
 */
struct vprime_frame {
	unsigned int width;
	unsigned int height;
	unsigned int num_planes;
	struct vprime_compose_plane planes[VPRIME_PLANES_PER_CRTC];
	bool gamma;
	u8 lut[3][VPRIME_GAMMA_SIZE];
};

/**
 * struct vprime_compose_buffers - the composer's line buffers of one CRTC
 * @out: one output line, XRGB8888, %VPRIME_MAX_WIDTH pixels
 * @raw: one source line as read from a framebuffer
 * @argb: the same line converted to ARGB8888; also the writeback's
 *	converted output line
 *
 * Used by the CRTC's compose work only (the workqueue is ordered).
 */
struct vprime_compose_buffers {
	__le32 *out;
	u8 *raw;
	u32 *argb;
};

/**
 * struct vprime_wb_target - where a writeback job's frame is written
 * @dst: the first byte of the writeback framebuffer's plane 0, mapped
 *	until the DRM core cleans the job up (after it is signalled)
 * @pitch: bytes per framebuffer line
 * @format: DRM fourcc of the framebuffer, one of the writeback formats
 */
struct vprime_wb_target {
	struct iosys_map dst;
	unsigned int pitch;
	u32 format;
};

/**
 * enum vprime_wb_state - where a CRTC's writeback job is
 * @VPRIME_WB_IDLE: no job in flight
 * @VPRIME_WB_QUEUED: a commit tail queued one; its atomic_flush arms it
 * @VPRIME_WB_ARMED: the next vblank latches it with the frame (a vblank
 *	reference keeps the timer running until then)
 * @VPRIME_WB_LATCHED: a latched frame carries it to the compose work
 * @VPRIME_WB_RUNNING: the compose work is writing it
 */
enum vprime_wb_state {
	VPRIME_WB_IDLE,
	VPRIME_WB_QUEUED,
	VPRIME_WB_ARMED,
	VPRIME_WB_LATCHED,
	VPRIME_WB_RUNNING,
};

/* Latched frames a CRTC's compose work may lag behind by. */
#define VPRIME_LATCH_DEPTH	8

/**
 * struct vprime_latch - a frame as a vblank latched it
 * @frame: the CRTC's frame at that vblank
 * @content: its &vprime_crtc.content_seq
 * @first: the first CRC frame number it stands for
 * @last: the last one (later vblanks that latched the same frame)
 * @wb: it carries the writeback job
 *
 * The frame latched at vblank N is on screen until vblank N + 1: its CRC
 * is reported as frame N + 1, the frame that ends there, as display
 * hardware (and IGT, which reads a flip's CRC at the next flip's vblank)
 * numbers them.
 */
struct vprime_latch {
	struct vprime_frame frame;
	u64 content;
	u64 first;
	u64 last;
	bool wb;
};

/**
 * struct vprime_plane - a vprime plane
 * @base: the DRM plane
 */
struct vprime_plane {
	struct drm_plane base;
};

/**
 * struct vprime_plane_state - a plane state with its framebuffer mapped
 * @base: the DRM plane state
 * @fbmap: the visible framebuffer's mapping, made by prepare_fb, this
 *	state's reference dropped by cleanup_fb of the same state; NULL
 *	without a visible framebuffer
 * @compose: this plane in the composer's terms, set by atomic_update
 *	when @fbmap is set; read by the CRTC's atomic_flush of the same commit
 */
struct vprime_plane_state {
	struct drm_plane_state base;
	struct vprime_fb_map *fbmap;
	struct vprime_compose_plane compose;
};

/**
 * struct vprime_crtc - a CRTC with its vblank timer and composer
 * @base: the DRM CRTC
 * @vblank_timer: fires once per frame while @vblank_on
 * @period: frame duration of the current mode; set by atomic_enable;
 *	protected by @lock
 * @compose_work: composes the frame and reports its CRC; queued by the
 *	timer on &vprime_device.compose_wq
 * @buffers: line buffers of @compose_work
 * @crc_vblank_ref: set_crc_source() holds a vblank reference so that the
 *	timer keeps running while CRCs are read; only set_crc_source()
 *	touches it, and the DRM core calls that from one opener at a time
 * @lock: protects @period, @vblank_on, @frame, @crc_enabled, @latched,
 *	@latch_head, @latch_count and @crc_next, and the (re)starts of
 *	@vblank_timer;
 *	taken in the timer (hard interrupt), so with interrupts off elsewhere
 * @vblank_on: the DRM core has vblank interrupts enabled (enable_vblank
 *	to disable_vblank); the timer stops itself once it is false;
 *	protected by @lock
 * @frame: what the CRTC shows, replaced by atomic_flush and atomic_disable;
 *	protected by @lock
 * @crc_enabled: CRC source "auto" is selected; protected by @lock
 * @latched: frames the vblank timer latched for @compose_work, a ring
 *	of @latch_count from @latch_head, oldest first; protected by @lock
 * @latch_head: index of the oldest entry of @latched
 * @latch_count: entries in @latched
 * @crc_next: the CRC frame number after the last one latched (0: none
 *	since the source was selected); protected by @lock
 * @content_seq: bumped each time @frame changes (atomic_flush,
 *	atomic_disable, an async plane update); protected by @lock
 * @wb: the output's writeback connector
 * @wb_state: where the writeback job is; protected by @lock
 * @wb_target: the job's framebuffer while @wb_state is not idle;
 *	protected by @lock
 * @wb_idle: woken when @wb_state becomes %VPRIME_WB_IDLE
 */
struct vprime_crtc {
	struct drm_crtc base;
	struct hrtimer vblank_timer;
	ktime_t period;
	struct work_struct compose_work;
	struct vprime_compose_buffers buffers;
	bool crc_vblank_ref;
	/* protects period, vblank_on, frame, crc_*, latch_*, content_seq */
	spinlock_t lock;
	bool vblank_on;
	struct vprime_frame frame;
	bool crc_enabled;
	struct vprime_latch latched[VPRIME_LATCH_DEPTH];
	unsigned int latch_head;
	unsigned int latch_count;
	u64 crc_next;
	u64 content_seq;
	struct drm_writeback_connector *wb;
	enum vprime_wb_state wb_state;
	struct vprime_wb_target wb_target;
	wait_queue_head_t wb_idle;
};

/**
 * struct vprime_output - one display pipeline
 * @crtc: its CRTC
 * @encoder: a virtual encoder
 * @connector: a virtual connector
 * @wb: the writeback connector of @crtc
 * @unplugged: @connector reports disconnected (debugfs vprime_connected)
 */
struct vprime_output {
	struct vprime_crtc *crtc;
	struct drm_encoder encoder;
	struct drm_connector connector;
	struct drm_writeback_connector wb;
	bool unplugged;
};

static inline struct vprime_crtc *to_vprime_crtc(struct drm_crtc *crtc)
{
	return container_of(crtc, struct vprime_crtc, base);
}

static inline struct vprime_plane_state *
to_vprime_plane_state(struct drm_plane_state *state)
{
	return container_of(state, struct vprime_plane_state, base);
}

/* vprime_kms.c */
int vprime_kms_check_params(void);
int vprime_kms_init(struct vprime_device *vdev);
void vprime_kms_shutdown(struct vprime_device *vdev);

/* vprime_crtc.c */
struct vprime_crtc *vprime_crtc_create(struct vprime_device *vdev,
				       struct drm_plane *primary,
				       struct drm_plane *cursor);
void vprime_crtc_async_update(struct drm_crtc *crtc,
			      struct vprime_plane_state *vps,
			      const struct vprime_compose_plane *cp);
void vprime_crtc_wb_wait_idle(struct vprime_crtc *vcrtc);
void vprime_crtc_wb_queue(struct vprime_crtc *vcrtc,
			  const struct vprime_wb_target *target);

/* vprime_plane.c */
struct drm_plane *vprime_plane_create(struct vprime_device *vdev,
				      enum drm_plane_type type,
				      unsigned int index);
void vprime_fb_map_get(struct vprime_fb_map *m);
void vprime_fb_map_put(struct vprime_fb_map *m);

/* vprime_output.c */
int vprime_output_init(struct vprime_device *vdev, unsigned int index);
int vprime_output_get_modes(struct drm_connector *connector);

/* vprime_compose_yuv.c */
void vprime_compose_yuv_line(const struct vprime_compose_plane *plane,
			     unsigned int line, u8 *raw, u32 *argb,
			     unsigned int n);

/* vprime_writeback.c */
int vprime_writeback_init(struct vprime_device *vdev,
			  struct drm_writeback_connector *wb,
			  struct vprime_crtc *vcrtc);

/* vprime_compose.c */
int vprime_compose_buffers_init(struct drm_device *drm,
				struct vprime_compose_buffers *bufs);
u32 vprime_compose(const struct vprime_frame *frame,
		   struct vprime_compose_buffers *bufs,
		   const struct vprime_wb_target *wb, bool want_crc);

#endif /* _VPRIME_KMS_H_ */
