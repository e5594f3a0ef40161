// SPDX-License-Identifier: GPL-2.0
/*
 * vprime: the CRTC, its vblank timer, and CRC capture through the composer.
 */

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_color_mgmt.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/drm_vblank.h>
#include <linux/dma-fence.h>
#include <linux/math64.h>

#include "vprime_drv.h"

/* Used when a mode has no pixel clock. */
#define VPRIME_DEFAULT_PERIOD_NS 16666667
/* Skipped vblanks reported at most: half the core's CRC ring (128). */
#define VPRIME_CRC_BACKLOG 64
/* A writeback job not taken by the compose work by then is cancelled. */
#define VPRIME_WB_TIMEOUT_MS 5000

static const char *const vprime_crc_sources[] = { "auto" };

/* Entry @i (0: the oldest) of @vcrtc's ring of latched frames. */
static struct vprime_latch *vprime_crtc_latch_at(struct vprime_crtc *vcrtc,
						 unsigned int i)
{
	return &vcrtc->latched[(vcrtc->latch_head + i) % VPRIME_LATCH_DEPTH];
}

/*
 * Take the oldest latched frame out of the ring into @l; false if there is
 * none.  Called with @vcrtc->lock held, or once nothing else runs.
 */
static bool vprime_crtc_latch_pop(struct vprime_crtc *vcrtc,
				  struct vprime_latch *l)
{
	if (!vcrtc->latch_count)
		return false;
	*l = *vprime_crtc_latch_at(vcrtc, 0);
	vcrtc->latch_head = (vcrtc->latch_head + 1) % VPRIME_LATCH_DEPTH;
	vcrtc->latch_count--;
	return true;
}

/*
 * Latch the frame on screen from vblank @frame on for the compose work:
 * a new entry, holding references to the frame's framebuffer mappings,
 * when the frame changed since the newest entry still waiting in the
 * ring; else that entry stands for this vblank too.  With the ring full
 * the newest entry stands for it as well (a compose work that lags that
 * far behind reports it for these frame numbers), and a writeback job
 * waits for a free entry.  Never drops a reference (that may unmap, which
 * sleeps).  Called with @vcrtc->lock held.
 */
static void vprime_crtc_latch(struct vprime_crtc *vcrtc, u64 frame, bool wb)
{
	u64 tag = frame + 1, first = tag;
	struct vprime_latch *l = NULL;
	unsigned int i;

	/* Latched already, by a capture that started after this vblank. */
	if (!wb && vcrtc->crc_next > tag)
		return;
	/* Numbers a late timer skipped: the frames before stood for them. */
	if (vcrtc->crc_next && vcrtc->crc_next < tag)
		first = tag - min_t(u64, VPRIME_CRC_BACKLOG,
				    tag - vcrtc->crc_next);
	vcrtc->crc_next = tag + 1;
	if (vcrtc->latch_count)
		l = vprime_crtc_latch_at(vcrtc, vcrtc->latch_count - 1);
	if (l && ((!wb && l->content == vcrtc->content_seq) ||
		  vcrtc->latch_count == VPRIME_LATCH_DEPTH)) {
		l->last = tag;
		return;
	}
	if (wb)
		vcrtc->wb_state = VPRIME_WB_LATCHED;
	l = vprime_crtc_latch_at(vcrtc, vcrtc->latch_count++);
	*l = (struct vprime_latch){
		.frame = vcrtc->frame,
		.content = vcrtc->content_seq,
		.first = first,
		.last = tag,
		.wb = wb,
	};
	for (i = 0; i < l->frame.num_planes; i++)
		vprime_fb_map_get(l->frame.planes[i].fbmap);
}

/* Drop a latched frame's references to its mappings.  May sleep. */
static void vprime_crtc_latch_release(struct vprime_latch *l)
{
	unsigned int i;

	for (i = 0; i < l->frame.num_planes; i++)
		vprime_fb_map_put(l->frame.planes[i].fbmap);
}

/*
 * The vblank "interrupt".  The timer is moved to the next frame before the
 * vblank is handled, as hardware updates its counters before it raises the
 * interrupt: vprime_crtc_get_vblank_timestamp() relies on it.  The compose
 * work does the rest; nothing here sleeps.
 *
 * disable_vblank cannot wait for this function (see there), so it asks it
 * to stop through @vblank_on.  When enable_vblank has restarted the timer
 * meanwhile, the timer is queued again and this run steps aside: forwarding
 * a queued timer is not allowed.
 *
 * Like display hardware, it latches the frame at the vblank: a commit
 * that lands after it is seen from the next one on, however late the
 * compose work runs.
 */
static enum hrtimer_restart vprime_crtc_vblank_timer(struct hrtimer *timer)
{
	struct vprime_crtc *vcrtc = container_of(timer, struct vprime_crtc,
						 vblank_timer);
	struct drm_crtc *crtc = &vcrtc->base;
	struct vprime_device *vdev = to_vprime_device(crtc->dev);
	bool fence_cookie, handled, wb;
	u64 frame;

	spin_lock(&vcrtc->lock);
	if (!vcrtc->vblank_on || hrtimer_is_queued(timer)) {
		spin_unlock(&vcrtc->lock);
		return HRTIMER_NORESTART;
	}
	hrtimer_forward_now(timer, vcrtc->period);
	spin_unlock(&vcrtc->lock);

	/*
	 * Takes event_lock and vblank_time_lock: not under vcrtc->lock.
	 * Sends the vblank events, which signal the commits' out-fences.
	 */
	fence_cookie = dma_fence_begin_signalling();
	handled = drm_crtc_handle_vblank(crtc);
	dma_fence_end_signalling(fence_cookie);
	if (!handled)
		return HRTIMER_RESTART;

	frame = drm_crtc_vblank_count(crtc);
	spin_lock(&vcrtc->lock);
	wb = vcrtc->wb_state == VPRIME_WB_ARMED;
	if (vcrtc->crc_enabled || wb) {
		vprime_crtc_latch(vcrtc, frame, wb);
		queue_work(vdev->compose_wq, &vcrtc->compose_work);
	}
	spin_unlock(&vcrtc->lock);
	return HRTIMER_RESTART;
}

/*
 * The job is written (@status 0) or dropped: signal it, drop its vblank
 * reference if it had one, and let the next job in.
 */
static void vprime_crtc_wb_done(struct vprime_crtc *vcrtc, int status,
				bool vblank_ref)
{
	drm_writeback_signal_completion(vcrtc->wb, status);
	if (vblank_ref)
		drm_crtc_vblank_put(&vcrtc->base);
	spin_lock_irq(&vcrtc->lock);
	vcrtc->wb_state = VPRIME_WB_IDLE;
	spin_unlock_irq(&vcrtc->lock);
	wake_up_all(&vcrtc->wb_idle);
}

/*
 * Compose the oldest latched frame: report its CRC for every frame number
 * it stands for, and write it into the writeback job it carries.  The
 * entry is taken out of the ring under the lock; its references keep the
 * framebuffers mapped until it is composed, then they are dropped.  One
 * frame a run, the work queued again for the next.
 */
static void vprime_crtc_compose_work(struct work_struct *work)
{
	struct vprime_crtc *vcrtc = container_of(work, struct vprime_crtc,
						 compose_work);
	struct vprime_device *vdev = to_vprime_device(vcrtc->base.dev);
	struct vprime_wb_target target;
	struct vprime_latch l;
	bool want_crc, wb;
	u32 crc = 0;
	u64 tag;

	spin_lock_irq(&vcrtc->lock);
	if (!vprime_crtc_latch_pop(vcrtc, &l)) {
		spin_unlock_irq(&vcrtc->lock);
		return;
	}
	if (vcrtc->latch_count)
		queue_work(vdev->compose_wq, &vcrtc->compose_work);
	want_crc = vcrtc->crc_enabled;
	wb = l.wb && vcrtc->wb_state == VPRIME_WB_LATCHED;
	if (wb) {
		vcrtc->wb_state = VPRIME_WB_RUNNING;
		target = vcrtc->wb_target;
	}
	spin_unlock_irq(&vcrtc->lock);

	if (l.frame.width && (want_crc || wb))
		crc = vprime_compose(&l.frame, &vcrtc->buffers,
				     wb ? &target : NULL, want_crc);
	vprime_crtc_latch_release(&l);
	if (wb)
		vprime_crtc_wb_done(vcrtc, l.frame.width ? 0 : -EIO, true);
	if (!want_crc || !l.frame.width)
		return;
	for (tag = l.first; tag <= l.last; tag++) {
		/* Fails once the reader has gone or is too slow: stop then. */
		if (drm_crtc_add_crc_entry(&vcrtc->base, true, (u32)tag, &crc))
			break;
	}
}

/**
 * vprime_crtc_wb_wait_idle() - wait until a CRTC has no writeback job
 * @vcrtc: the CRTC
 *
 * A job the compose work has not taken within %VPRIME_WB_TIMEOUT_MS is
 * signalled with -ETIMEDOUT.  Called by the commit tail before it queues
 * a new job and before the CRTC is turned off.
 *
 * Context: process context; may sleep.
 */
void vprime_crtc_wb_wait_idle(struct vprime_crtc *vcrtc)
{
	unsigned int i;
	bool cancel;

	wait_event_timeout(vcrtc->wb_idle,
			   READ_ONCE(vcrtc->wb_state) == VPRIME_WB_IDLE,
			   msecs_to_jiffies(VPRIME_WB_TIMEOUT_MS));
	spin_lock_irq(&vcrtc->lock);
	cancel = vcrtc->wb_state == VPRIME_WB_ARMED ||
		 vcrtc->wb_state == VPRIME_WB_LATCHED;
	if (cancel) {
		vcrtc->wb_state = VPRIME_WB_RUNNING;
		/* Its latched frame must not carry the next job. */
		for (i = 0; i < VPRIME_LATCH_DEPTH; i++)
			vcrtc->latched[i].wb = false;
	}
	spin_unlock_irq(&vcrtc->lock);
	if (cancel) {
		drm_dbg_kms(vcrtc->base.dev, "writeback job timed out\n");
		vprime_crtc_wb_done(vcrtc, -ETIMEDOUT, true);
	}
	/* A running job finishes without waiting for anything. */
	wait_event(vcrtc->wb_idle,
		   READ_ONCE(vcrtc->wb_state) == VPRIME_WB_IDLE);
}

/**
 * vprime_crtc_wb_queue() - hand a writeback job to a CRTC
 * @vcrtc: the CRTC, active, with no job (vprime_crtc_wb_wait_idle())
 * @target: the job's framebuffer
 *
 * Called by the writeback connector's atomic_commit, which has queued
 * the job on the connector; the CRTC's atomic_flush of the same commit
 * arms it, so that it captures that commit's frame.
 *
 * Context: process context, commit tail.
 */
void vprime_crtc_wb_queue(struct vprime_crtc *vcrtc,
			  const struct vprime_wb_target *target)
{
	spin_lock_irq(&vcrtc->lock);
	vcrtc->wb_target = *target;
	vcrtc->wb_state = VPRIME_WB_QUEUED;
	spin_unlock_irq(&vcrtc->lock);
}

/**
 * vprime_crtc_async_update() - replace one plane of the frame on screen
 * @crtc: the CRTC
 * @vps: the plane's current state, whose description becomes @cp
 * @cp: the plane's new description (its @cp->plane finds it in the frame)
 *
 * For a plane's async update (a cursor move or a new cursor image): the
 * next vblank latches it.  @cp's mapping is held by @vps, the plane's
 * current state.  Under &vprime_crtc.lock, against the atomic_flush of a
 * commit without this plane, which reads @vps->compose.
 *
 * Context: process context, under the plane's and the CRTC's modeset
 * locks.
 */
void vprime_crtc_async_update(struct drm_crtc *crtc,
			      struct vprime_plane_state *vps,
			      const struct vprime_compose_plane *cp)
{
	struct vprime_crtc *vcrtc = to_vprime_crtc(crtc);
	unsigned int i;

	spin_lock_irq(&vcrtc->lock);
	vps->compose = *cp;
	for (i = 0; i < vcrtc->frame.num_planes; i++)
		if (vcrtc->frame.planes[i].plane == cp->plane)
			vcrtc->frame.planes[i] = *cp;
	vcrtc->content_seq++;
	spin_unlock_irq(&vcrtc->lock);
}

/* Called under the DRM core's vbl_lock, interrupts off. */
static int vprime_crtc_enable_vblank(struct drm_crtc *crtc)
{
	struct vprime_crtc *vcrtc = to_vprime_crtc(crtc);
	unsigned long flags;

	spin_lock_irqsave(&vcrtc->lock, flags);
	vcrtc->vblank_on = true;
	hrtimer_start(&vcrtc->vblank_timer, vcrtc->period, HRTIMER_MODE_REL);
	spin_unlock_irqrestore(&vcrtc->lock, flags);
	return 0;
}

/*
 * Called under the DRM core's vbl_lock, and from drm_crtc_vblank_off() also
 * under event_lock, which the timer takes in drm_crtc_handle_vblank():
 * waiting for the timer here (hrtimer_cancel()) could deadlock.  So the
 * timer is told to stop and cancelled only if it is not running; a running
 * timer sees @vblank_on false on its next expiry and does not restart.
 */
static void vprime_crtc_disable_vblank(struct drm_crtc *crtc)
{
	struct vprime_crtc *vcrtc = to_vprime_crtc(crtc);
	unsigned long flags;

	spin_lock_irqsave(&vcrtc->lock, flags);
	vcrtc->vblank_on = false;
	spin_unlock_irqrestore(&vcrtc->lock, flags);
	hrtimer_try_to_cancel(&vcrtc->vblank_timer);
}

/*
 * The vblank time is the timer's expiry.  Inside the timer the timer has
 * already moved to the next frame, so the vblank being handled is one
 * period earlier; outside it the last vblank is one period before the
 * next expiry too.  With vblank off, now.
 */
static bool vprime_crtc_get_vblank_timestamp(struct drm_crtc *crtc,
					     int *max_error,
					     ktime_t *vblank_time,
					     bool in_vblank_irq)
{
	struct vprime_crtc *vcrtc = to_vprime_crtc(crtc);

	/* A racy read is fine: the core serialises enable and disable. */
	if (!READ_ONCE(vcrtc->vblank_on)) {
		*vblank_time = ktime_get();
		return true;
	}
	*vblank_time = ktime_sub(hrtimer_get_expires(&vcrtc->vblank_timer),
				 vcrtc->period);
	return true;
}

static int vprime_crtc_verify_crc_source(struct drm_crtc *crtc,
					 const char *source, size_t *values_cnt)
{
	if (source && strcmp(source, "auto")) {
		drm_dbg_driver(crtc->dev, "unknown CRC source %s\n", source);
		return -EINVAL;
	}
	*values_cnt = 1;
	return 0;
}

/*
 * "auto" starts CRC capture, NULL stops it.  While it runs, a vblank
 * reference keeps the timer going (if the CRTC is on when it starts).  As
 * on display hardware, the frame being scanned out when capture starts
 * gets a CRC when it ends: it is latched at once, numbered as the next
 * vblank's frame, so that N vblanks after the start N CRCs are there (IGT's
 * nonblocking-crc reads them without waiting).
 */
static int vprime_crtc_set_crc_source(struct drm_crtc *crtc,
				      const char *source)
{
	struct vprime_crtc *vcrtc = to_vprime_crtc(crtc);
	struct vprime_device *vdev = to_vprime_device(crtc->dev);
	bool enable = !!source, had_ref = vcrtc->crc_vblank_ref;
	size_t values;
	int ret;

	ret = vprime_crtc_verify_crc_source(crtc, source, &values);
	if (ret)
		return ret;
	vcrtc->crc_vblank_ref = enable && !drm_crtc_vblank_get(crtc);

	spin_lock_irq(&vcrtc->lock);
	vcrtc->crc_enabled = enable;
	vcrtc->crc_next = 0;
	if (vcrtc->crc_vblank_ref) {
		vprime_crtc_latch(vcrtc, drm_crtc_vblank_count(crtc), false);
		queue_work(vdev->compose_wq, &vcrtc->compose_work);
	}
	spin_unlock_irq(&vcrtc->lock);

	if (had_ref)
		drm_crtc_vblank_put(crtc);
	if (!enable)
		flush_work(&vcrtc->compose_work);
	return 0;
}

static const char *const *
vprime_crtc_get_crc_sources(struct drm_crtc *crtc, size_t *count)
{
	*count = ARRAY_SIZE(vprime_crc_sources);
	return vprime_crc_sources;
}

static const struct drm_crtc_funcs vprime_crtc_funcs = {
	.set_config = drm_atomic_helper_set_config,
	.page_flip = drm_atomic_helper_page_flip,
	.reset = drm_atomic_helper_crtc_reset,
	.atomic_duplicate_state = drm_atomic_helper_crtc_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_crtc_destroy_state,
	.enable_vblank = vprime_crtc_enable_vblank,
	.disable_vblank = vprime_crtc_disable_vblank,
	.get_vblank_timestamp = vprime_crtc_get_vblank_timestamp,
	.set_crc_source = vprime_crtc_set_crc_source,
	.verify_crc_source = vprime_crtc_verify_crc_source,
	.get_crc_sources = vprime_crtc_get_crc_sources,
};

/* The frame period of @mode: htotal * vtotal pixels at clock kHz. */
static ktime_t vprime_crtc_mode_period(const struct drm_display_mode *mode)
{
	u64 ns;

	if (!mode->clock || !mode->htotal || !mode->vtotal)
		return ns_to_ktime(VPRIME_DEFAULT_PERIOD_NS);
	ns = div_u64((u64)mode->htotal * mode->vtotal * 1000000, mode->clock);
	return ns_to_ktime(ns);
}

/*
 * The composer's line buffers bound the mode's size, the vblank timer its
 * rate: a user mode with a clock of INT_MAX kHz would fire it every
 * microsecond.
 */
static enum drm_mode_status
vprime_crtc_mode_valid(struct drm_crtc *crtc,
		       const struct drm_display_mode *mode)
{
	if (mode->hdisplay > VPRIME_MAX_WIDTH ||
	    mode->vdisplay > VPRIME_MAX_HEIGHT)
		return MODE_BAD;
	if (mode->clock > VPRIME_MAX_CLOCK_KHZ)
		return MODE_CLOCK_HIGH;
	if (drm_mode_vrefresh(mode) > VPRIME_MAX_REFRESH)
		return MODE_VSYNC;
	return MODE_OK;
}

/*
 * mode_valid is not consulted for every commit that turns a CRTC on with
 * a user mode: check the mode here too, the composer and the vblank timer
 * rely on it.
 */
static int vprime_crtc_atomic_check(struct drm_crtc *crtc,
				    struct drm_atomic_state *state)
{
	struct drm_crtc_state *crtc_state =
		drm_atomic_get_new_crtc_state(state, crtc);
	enum drm_mode_status status;

	if (crtc_state->gamma_lut &&
	    drm_color_lut_size(crtc_state->gamma_lut) != VPRIME_GAMMA_SIZE) {
		drm_dbg_atomic(crtc->dev, "gamma LUT of %u entries, not %u\n",
			       drm_color_lut_size(crtc_state->gamma_lut),
			       VPRIME_GAMMA_SIZE);
		return -EINVAL;
	}
	if (!crtc_state->enable)
		return 0;
	status = vprime_crtc_mode_valid(crtc, &crtc_state->mode);
	if (status != MODE_OK) {
		drm_dbg_atomic(crtc->dev,
			       "mode " DRM_MODE_FMT " refused (%d): at most %ux%u, %u kHz, %u Hz\n",
			       DRM_MODE_ARG(&crtc_state->mode), status,
			       VPRIME_MAX_WIDTH, VPRIME_MAX_HEIGHT,
			       VPRIME_MAX_CLOCK_KHZ, VPRIME_MAX_REFRESH);
		return -EINVAL;
	}
	return 0;
}

static void vprime_crtc_atomic_enable(struct drm_crtc *crtc,
				      struct drm_atomic_state *state)
{
	struct vprime_crtc *vcrtc = to_vprime_crtc(crtc);

	spin_lock_irq(&vcrtc->lock);
	vcrtc->period = vprime_crtc_mode_period(&crtc->state->adjusted_mode);
	spin_unlock_irq(&vcrtc->lock);
	drm_crtc_vblank_on(crtc);
}

static void vprime_crtc_atomic_disable(struct drm_crtc *crtc,
				       struct drm_atomic_state *state)
{
	struct vprime_crtc *vcrtc = to_vprime_crtc(crtc);

	/* The last commit's writeback job needs the timer: before it stops. */
	vprime_crtc_wb_wait_idle(vcrtc);
	drm_crtc_vblank_off(crtc);

	spin_lock_irq(&vcrtc->lock);
	vcrtc->frame.width = 0;
	vcrtc->frame.num_planes = 0;
	vcrtc->content_seq++;
	spin_unlock_irq(&vcrtc->lock);

	/* A CRTC that stays off gets no flush: its event is sent here. */
	if (crtc->state->event && !crtc->state->active) {
		spin_lock_irq(&crtc->dev->event_lock);
		drm_crtc_send_vblank_event(crtc, crtc->state->event);
		spin_unlock_irq(&crtc->dev->event_lock);
		crtc->state->event = NULL;
	}
}

/*
 * The composer's tables for the gamma LUT @blob (checked: full size): an
 * entry's top 8 bits, so that the usual ramp i * 0xffff / 255 is the
 * identity (rounding would raise the upper half by one).
 */
static void vprime_crtc_set_gamma(struct vprime_frame *frame,
				  const struct drm_property_blob *blob)
{
	const struct drm_color_lut *lut;
	unsigned int i;

	frame->gamma = !!blob;
	if (!blob)
		return;
	lut = blob->data;
	for (i = 0; i < VPRIME_GAMMA_SIZE; i++) {
		frame->lut[0][i] = lut[i].red >> 8;
		frame->lut[1][i] = lut[i].green >> 8;
		frame->lut[2][i] = lut[i].blue >> 8;
	}
}

/*
 * Publish the new frame to the composer, then arm the commit's event for
 * the next vblank (or send it now if vblank is off).
 */
static void vprime_crtc_atomic_flush(struct drm_crtc *crtc,
				     struct drm_atomic_state *state)
{
	struct drm_crtc_state *crtc_state =
		drm_atomic_get_new_crtc_state(state, crtc);
	struct vprime_crtc *vcrtc = to_vprime_crtc(crtc);
	struct drm_pending_vblank_event *event;
	struct drm_plane_state *plane_state;
	struct vprime_plane_state *vps;
	struct vprime_frame frame = {
		.width = crtc_state->mode.hdisplay,
		.height = crtc_state->mode.vdisplay,
	};
	unsigned int zpos[VPRIME_PLANES_PER_CRTC];
	struct drm_plane *plane;
	unsigned int i;
	bool armed;

	/*
	 * A job queued by this commit captures this frame; a vblank
	 * reference keeps the timer going until it is written.  Only this
	 * commit tail sets VPRIME_WB_QUEUED, so reading it unlocked is fine.
	 */
	armed = READ_ONCE(vcrtc->wb_state) == VPRIME_WB_QUEUED;
	if (armed && drm_crtc_vblank_get(crtc)) {
		armed = false;
		vprime_crtc_wb_done(vcrtc, -EIO, false);
	}

	spin_lock_irq(&vcrtc->lock);
	/*
	 * Planes of the CRTC that are not in the commit did not change:
	 * plane->state is their committed state (a commit changing them
	 * includes this CRTC and waits for this one's hw_done before
	 * swapping; an async cursor move changes the cursor's in place,
	 * under &vprime_crtc.lock, which this holds from reading the planes
	 * to publishing the frame).  The plane mask is in creation order, so
	 * sort by normalized zpos.
	 */
	drm_for_each_plane_mask(plane, crtc->dev, crtc_state->plane_mask) {
		plane_state = drm_atomic_get_new_plane_state(state, plane);
		if (!plane_state)
			plane_state = plane->state;
		vps = to_vprime_plane_state(plane_state);
		if (!vps->fbmap ||
		    frame.num_planes == VPRIME_PLANES_PER_CRTC)
			continue;
		/* Insertion sort, bottom first. */
		i = frame.num_planes++;
		while (i && zpos[i - 1] > plane_state->normalized_zpos) {
			frame.planes[i] = frame.planes[i - 1];
			zpos[i] = zpos[i - 1];
			i--;
		}
		frame.planes[i] = vps->compose;
		zpos[i] = plane_state->normalized_zpos;
	}

	vcrtc->frame = frame;
	vprime_crtc_set_gamma(&vcrtc->frame, crtc_state->gamma_lut);
	vcrtc->content_seq++;
	if (armed)
		vcrtc->wb_state = VPRIME_WB_ARMED;
	spin_unlock_irq(&vcrtc->lock);

	event = crtc_state->event;
	if (!event)
		return;
	crtc_state->event = NULL;
	if (drm_crtc_vblank_get(crtc) == 0) {
		/* The reference is dropped when the event is sent. */
		spin_lock_irq(&crtc->dev->event_lock);
		drm_crtc_arm_vblank_event(crtc, event);
		spin_unlock_irq(&crtc->dev->event_lock);
	} else {
		spin_lock_irq(&crtc->dev->event_lock);
		drm_crtc_send_vblank_event(crtc, event);
		spin_unlock_irq(&crtc->dev->event_lock);
	}
}

static const struct drm_crtc_helper_funcs vprime_crtc_helper_funcs = {
	.mode_valid = vprime_crtc_mode_valid,
	.atomic_check = vprime_crtc_atomic_check,
	.atomic_flush = vprime_crtc_atomic_flush,
	.atomic_enable = vprime_crtc_atomic_enable,
	.atomic_disable = vprime_crtc_atomic_disable,
};

/*
 * drmm action: the timer must not outlive the CRTC.  No lock is held here,
 * so waiting for a running timer is safe.
 */
static void vprime_crtc_release(struct drm_device *drm, void *data)
{
	struct vprime_crtc *vcrtc = data;
	struct vprime_latch l;

	hrtimer_cancel(&vcrtc->vblank_timer);
	cancel_work_sync(&vcrtc->compose_work);
	/* Frames latched and never composed: their mappings go now. */
	while (vprime_crtc_latch_pop(vcrtc, &l))
		vprime_crtc_latch_release(&l);
}

/**
 * vprime_crtc_create() - create the CRTC of an output
 * @vdev: the device; its compose workqueue and vblank support exist
 * @primary: the output's primary plane
 * @cursor: the output's cursor plane
 *
 * The CRTC is freed with the device (drmm); its timer is cancelled first.
 *
 * Return: the CRTC or an ERR_PTR().
 */
struct vprime_crtc *vprime_crtc_create(struct vprime_device *vdev,
				       struct drm_plane *primary,
				       struct drm_plane *cursor)
{
	struct drm_device *drm = &vdev->drm;
	struct vprime_crtc *vcrtc;
	int ret;

	vcrtc = drmm_kzalloc(drm, sizeof(*vcrtc), GFP_KERNEL);
	if (!vcrtc)
		return ERR_PTR(-ENOMEM);
	ret = vprime_compose_buffers_init(drm, &vcrtc->buffers);
	if (ret)
		return ERR_PTR(ret);
	spin_lock_init(&vcrtc->lock);
	init_waitqueue_head(&vcrtc->wb_idle);
	INIT_WORK(&vcrtc->compose_work, vprime_crtc_compose_work);
	hrtimer_init(&vcrtc->vblank_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	vcrtc->vblank_timer.function = vprime_crtc_vblank_timer;
	vcrtc->period = ns_to_ktime(VPRIME_DEFAULT_PERIOD_NS);

	ret = drmm_crtc_init_with_planes(drm, &vcrtc->base, primary, cursor,
					 &vprime_crtc_funcs, NULL);
	if (ret)
		return ERR_PTR(ret);
	drm_crtc_helper_add(&vcrtc->base, &vprime_crtc_helper_funcs);
	/* GAMMA_LUT, which the legacy gamma ioctl sets as well. */
	ret = drm_mode_crtc_set_gamma_size(&vcrtc->base, VPRIME_GAMMA_SIZE);
	if (ret)
		return ERR_PTR(ret);
	drm_crtc_enable_color_mgmt(&vcrtc->base, 0, false, VPRIME_GAMMA_SIZE);
	ret = drmm_add_action_or_reset(drm, vprime_crtc_release, vcrtc);
	if (ret)
		return ERR_PTR(ret);
	return vcrtc;
}
