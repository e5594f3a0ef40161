// SPDX-License-Identifier: GPL-2.0
/*
 * vprime: a software "GPU" for fences: FENCE_ATTACH adds an unsignalled
 * fence to a buffer's reservation object, FENCE_SIGNAL completes it.
 */

/**
 * DOC: vprime fences
 *
 * Each fence is its own timeline (a fresh dma_fence context): it signals
 * when userspace says so, not in any order with other fences.  A file
 * keeps the fences it attached in an xarray (&vprime_file.fences), which
 * holds one reference each until FENCE_SIGNAL or the file's close takes
 * it out.  The reservation object, sync_files and syncobjs hold their own.
 *
 * Every fence is signalled on every path: by FENCE_SIGNAL, by its timer
 * (timeout module parameter, with -ETIMEDOUT), or when its file closes
 * (with -ECANCELED).  Signalling takes only the fence's spinlock; the
 * timer runs in softirq context and holds a reference of its own, dropped
 * when it runs or is cancelled, so a release (which may come in any
 * context) never waits for it.  Each fence pins the module until its
 * release: sync_files, syncobjs and reservation objects outlive files.
 *
 * A fence with an in-fence (a syncobj's) completes a FENCE_SIGNAL only
 * once the in-fence has signalled: FENCE_SIGNAL records the request and
 * the in-fence's callback carries it out.  The timer and the file's close
 * do not wait.  The callback runs under the in-fence's lock, which may be
 * another vprime fence's (chains of any length), so it takes no lock: it
 * queues a work item on vprime's own workqueue, which holds a reference of
 * the fence until it ran and is drained before the module goes.  No path
 * ever holds two fence locks.
 *
 * Locking: FENCE_ATTACH takes the object's reservation lock to add the
 * fence; nothing holds it while signalling (the signalling paths are
 * annotated with dma_fence_begin_signalling()).
 */

#include <linux/dma-fence.h>
#include <linux/dma-fence-chain.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sync_file.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>
#include <uapi/drm/vprime_drm.h>

#include "vprime_drv.h"

/* Unsignalled fences one file may hold: FENCE_ATTACH is EBUSY beyond. */
#define VPRIME_FENCES_PER_FILE 4096

static unsigned int vprime_fence_timeout_ms = 10000;
module_param_named(fence_timeout_ms, vprime_fence_timeout_ms, uint, 0644);
MODULE_PARM_DESC(fence_timeout_ms,
		 "Unsignalled FENCE_ATTACH fences expire after this (ms, default 10000)");

/**
 * struct vprime_fence - a fence userspace signals
 * @base: the fence
 * @lock: the fence's lock (&dma_fence.lock)
 * @timer: signals the fence with -ETIMEDOUT when it expires
 * @in: the in-fence (a reference, dropped at release), or NULL
 * @in_cb: on @in; holds a reference of the fence until @in_work ran
 * @in_work: completes a requested signal once @in has signalled
 * @in_pending: @in_work has not run yet; protected by @lock
 * @requested: FENCE_SIGNAL came while @in_pending; protected by @lock
 * @error: the error FENCE_SIGNAL asked for; protected by @lock
 */
struct vprime_fence {
	struct dma_fence base;
	/* protects @base's state and the fields marked, as dma_fence locks do */
	spinlock_t lock;
	struct timer_list timer;
	struct dma_fence *in;
	struct dma_fence_cb in_cb;
	struct work_struct in_work;
	bool in_pending;
	bool requested;
	int error;
};

static struct vprime_fence *to_vprime_fence(struct dma_fence *f)
{
	return container_of(f, struct vprime_fence, base);
}

static const char *vprime_fence_driver_name(struct dma_fence *f)
{
	return VPRIME_DRIVER_NAME;
}

static const char *vprime_fence_timeline_name(struct dma_fence *f)
{
	return "fence-attach";
}

static void vprime_fence_release(struct dma_fence *f)
{
	struct vprime_fence *fence = to_vprime_fence(f);

	/* A pending in-fence callback holds a reference: it ran or was removed. */
	dma_fence_put(fence->in);
	dma_fence_free(&fence->base);
	module_put(THIS_MODULE);
}

static const struct dma_fence_ops vprime_fence_ops = {
	.get_driver_name = vprime_fence_driver_name,
	.get_timeline_name = vprime_fence_timeline_name,
	.release = vprime_fence_release,
};

/* Signal @fence with @error; its lock held, not yet signalled. */
static void vprime_fence_signal_locked(struct vprime_fence *fence, int error)
{
	lockdep_assert_held(&fence->lock);
	if (error)
		dma_fence_set_error(&fence->base, error);
	dma_fence_signal_locked(&fence->base);
}

/*
 * Once signalled, the timer has nothing left to do: cancel it and drop its
 * reference (never the last: the caller holds one).
 */
static void vprime_fence_disarm(struct vprime_fence *fence)
{
	if (dma_fence_is_signaled(&fence->base) && del_timer(&fence->timer))
		dma_fence_put(&fence->base);
}

/*
 * Signal @fence with @error unless it is signalled already; with @wait_in,
 * not before its in-fence (the request is then recorded).  Return 0, or
 * -ETIMEDOUT when it had completed before (expired).
 */
static int vprime_fence_complete(struct vprime_fence *fence, int error,
				 bool wait_in)
{
	unsigned long flags;
	bool cookie;
	int ret = 0;

	/* The caller holds a reference: this put is never the last. */
	if (!wait_in && fence->in &&
	    dma_fence_remove_callback(fence->in, &fence->in_cb))
		dma_fence_put(&fence->base);
	cookie = dma_fence_begin_signalling();
	spin_lock_irqsave(&fence->lock, flags);
	if (test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->base.flags)) {
		ret = -ETIMEDOUT;
	} else if (wait_in && fence->in_pending) {
		fence->requested = true;
		fence->error = error;
	} else {
		/* A signalled in-fence's error is final: carry it over. */
		if (wait_in && !error && fence->in)
			error = fence->in->error;
		vprime_fence_signal_locked(fence, error);
	}
	spin_unlock_irqrestore(&fence->lock, flags);
	dma_fence_end_signalling(cookie);
	vprime_fence_disarm(fence);
	return ret;
}

/* Signals fences whose in-fence signalled; drained at module exit. */
static struct workqueue_struct *vprime_fence_wq;

/* The in-fence signalled: carry out a FENCE_SIGNAL that waited for it. */
static void vprime_fence_in_work(struct work_struct *work)
{
	struct vprime_fence *fence = container_of(work, struct vprime_fence,
						  in_work);
	unsigned long flags;
	bool cookie;

	cookie = dma_fence_begin_signalling();
	spin_lock_irqsave(&fence->lock, flags);
	fence->in_pending = false;
	if (fence->requested &&
	    !test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->base.flags))
		vprime_fence_signal_locked(fence, fence->error ? fence->error :
					   fence->in->error);
	spin_unlock_irqrestore(&fence->lock, flags);
	dma_fence_end_signalling(cookie);
	vprime_fence_disarm(fence);
	/* The callback's reference. */
	dma_fence_put(&fence->base);
}

/* Under the in-fence's lock, maybe in hard irq context: no locks here. */
static void vprime_fence_in_signalled(struct dma_fence *in,
				      struct dma_fence_cb *cb)
{
	struct vprime_fence *fence = container_of(cb, struct vprime_fence, in_cb);

	queue_work(vprime_fence_wq, &fence->in_work);
}

/* Make @in (a reference, given) the fence's in-fence. */
static void vprime_fence_set_in(struct vprime_fence *fence,
				struct dma_fence *in)
{
	fence->in = in;
	fence->in_pending = true;
	/* The callback's reference, dropped by the work or by its removal. */
	dma_fence_get(&fence->base);
	if (dma_fence_add_callback(in, &fence->in_cb,
				   vprime_fence_in_signalled)) {
		fence->in_pending = false;	/* signalled already */
		dma_fence_put(&fence->base);
	}
}

static void vprime_fence_timeout(struct timer_list *t)
{
	struct vprime_fence *fence = from_timer(fence, t, timer);

	vprime_fence_complete(fence, -ETIMEDOUT, false);
	/* The reference vprime_fence_create() gave the timer. */
	dma_fence_put(&fence->base);
}

static struct vprime_fence *vprime_fence_create(void)
{
	struct vprime_fence *fence;

	fence = kzalloc(sizeof(*fence), GFP_KERNEL_ACCOUNT);
	if (!fence)
		return NULL;
	/* Dropped by vprime_fence_release(). */
	__module_get(THIS_MODULE);
	spin_lock_init(&fence->lock);
	dma_fence_init(&fence->base, &vprime_fence_ops, &fence->lock,
		       dma_fence_context_alloc(1), 1);
	timer_setup(&fence->timer, vprime_fence_timeout, 0);
	INIT_WORK(&fence->in_work, vprime_fence_in_work);
	/* The armed timer holds a reference: see vprime_fence_timeout(). */
	dma_fence_get(&fence->base);
	mod_timer(&fence->timer,
		  jiffies + msecs_to_jiffies(READ_ONCE(vprime_fence_timeout_ms)));
	return fence;
}

/* Drop a fence no one else saw: it is signalled first, as every fence is. */
static void vprime_fence_discard(struct vprime_fence *fence)
{
	vprime_fence_complete(fence, -ECANCELED, false);
	dma_fence_put(&fence->base);
}

static int vprime_fence_add_to_resv(struct drm_gem_object *gobj,
				    struct dma_fence *fence, bool write)
{
	int ret;

	ret = dma_resv_lock_interruptible(gobj->resv, NULL);
	if (ret)
		return ret;
	ret = dma_resv_reserve_fences(gobj->resv, 1);
	if (!ret)
		dma_resv_add_fence(gobj->resv, fence, write ?
				   DMA_RESV_USAGE_WRITE : DMA_RESV_USAGE_READ);
	dma_resv_unlock(gobj->resv);
	return ret;
}

/**
 * vprime_ioctl_fence_attach() - DRM_IOCTL_VPRIME_FENCE_ATTACH
 * @drm: the device
 * @data: &struct drm_vprime_fence_attach
 * @file: the DRM file
 *
 * The sync_file descriptor, if asked for, is installed last, when nothing
 * can fail any more.
 *
 * Return: 0, or -ENOENT, -EINVAL, -ENOMEM, -EMFILE, -EINTR.
 */
int vprime_ioctl_fence_attach(struct drm_device *drm, void *data,
			      struct drm_file *file)
{
	struct vprime_file *vfile = file->driver_priv;
	struct drm_vprime_fence_attach *args = data;
	struct dma_fence_chain *chain = NULL;
	struct sync_file *sync_file = NULL;
	struct drm_syncobj *syncobj = NULL;
	struct dma_fence *in = NULL;
	struct drm_gem_object *gobj;
	struct vprime_fence *fence;
	int fd = -1, ret;
	u32 id;

	if ((args->flags & ~VPRIME_FENCE_FLAGS) || args->pad || args->pad2)
		return -EINVAL;
	if (!(args->flags & VPRIME_FENCE_SYNCOBJ) &&
	    (args->syncobj || args->point))
		return -EINVAL;
	if (!(args->flags & VPRIME_FENCE_IN_SYNCOBJ) &&
	    (args->in_syncobj || args->in_point))
		return -EINVAL;
	if (args->flags & VPRIME_FENCE_IN_SYNCOBJ) {
		/* -ENOENT: no such syncobj; -EINVAL: no fence there yet. */
		ret = drm_syncobj_find_fence(file, args->in_syncobj,
					     args->in_point, 0, &in);
		if (ret)
			return ret;
	}
	gobj = drm_gem_object_lookup(file, args->handle);
	if (!gobj) {
		ret = -ENOENT;
		goto err_put_in;
	}
	if (args->flags & VPRIME_FENCE_SYNCOBJ) {
		syncobj = drm_syncobj_find(file, args->syncobj);
		if (!syncobj) {
			ret = -ENOENT;
			goto err_put_obj;
		}
		if (args->point) {
			chain = dma_fence_chain_alloc();
			if (!chain) {
				ret = -ENOMEM;
				goto err_put_syncobj;
			}
		}
	}
	if (args->flags & VPRIME_FENCE_SYNC_FILE) {
		fd = get_unused_fd_flags(O_CLOEXEC);
		if (fd < 0) {
			ret = fd;
			goto err_free_chain;
		}
	}

	fence = vprime_fence_create();
	if (!fence) {
		ret = -ENOMEM;
		goto err_put_fd;
	}
	if (in) {
		/* The fence owns the in-fence reference from here. */
		vprime_fence_set_in(fence, in);
		in = NULL;
	}
	if (fd >= 0) {
		sync_file = sync_file_create(&fence->base);
		if (!sync_file) {
			ret = -ENOMEM;
			goto err_discard;
		}
	}
	/*
	 * The id is public once allocated: a racing FENCE_SIGNAL may take the
	 * xarray's reference at once, so the xarray gets its own.
	 */
	dma_fence_get(&fence->base);
	ret = xa_alloc(&vfile->fences, &id, &fence->base,
		       XA_LIMIT(1, VPRIME_FENCES_PER_FILE), GFP_KERNEL_ACCOUNT);
	if (ret) {
		dma_fence_put(&fence->base);
		goto err_put_sync_file;
	}
	ret = vprime_fence_add_to_resv(gobj, &fence->base,
				       args->flags & VPRIME_FENCE_WRITE);
	if (ret)
		goto err_erase;

	/* Nothing fails from here on. */
	if (syncobj) {
		if (chain)
			drm_syncobj_add_point(syncobj, chain, &fence->base,
					      args->point);
		else
			drm_syncobj_replace_fence(syncobj, &fence->base);
		drm_syncobj_put(syncobj);
	}
	args->fence = id;
	args->sync_file_fd = fd;
	if (sync_file)
		fd_install(fd, sync_file->file);
	dma_fence_put(&fence->base);
	drm_gem_object_put(gobj);
	return 0;

err_erase:
	if (xa_erase(&vfile->fences, id))
		dma_fence_put(&fence->base);
err_put_sync_file:
	if (sync_file)
		fput(sync_file->file);
err_discard:
	vprime_fence_discard(fence);
err_put_fd:
	if (fd >= 0)
		put_unused_fd(fd);
err_free_chain:
	dma_fence_chain_free(chain);
err_put_syncobj:
	if (syncobj)
		drm_syncobj_put(syncobj);
err_put_obj:
	drm_gem_object_put(gobj);
err_put_in:
	dma_fence_put(in);
	return ret;
}

/**
 * vprime_ioctl_fence_signal() - DRM_IOCTL_VPRIME_FENCE_SIGNAL
 * @drm: the device
 * @data: &struct drm_vprime_fence_signal
 * @file: the DRM file
 *
 * Return: 0, -ENOENT for an unknown id, -EINVAL for a bad error code,
 * -ETIMEDOUT when the fence had expired.
 */
int vprime_ioctl_fence_signal(struct drm_device *drm, void *data,
			      struct drm_file *file)
{
	struct vprime_file *vfile = file->driver_priv;
	struct drm_vprime_fence_signal *args = data;
	struct dma_fence *f;
	int ret;

	if (args->error > 0 || args->error < -MAX_ERRNO)
		return -EINVAL;
	f = xa_erase(&vfile->fences, args->fence);
	if (!f)
		return -ENOENT;
	ret = vprime_fence_complete(to_vprime_fence(f), args->error, true);
	dma_fence_put(f);
	return ret;
}

/**
 * vprime_fence_file_init() - a file's fence table
 * @vfile: the file's private data
 */
void vprime_fence_file_init(struct vprime_file *vfile)
{
	xa_init_flags(&vfile->fences, XA_FLAGS_ALLOC1);
}

/**
 * vprime_fence_file_fini() - signal and drop every fence a file left
 * @vfile: the file's private data
 *
 * A crashed client's fences must not block anyone: they complete with
 * -ECANCELED.
 *
 * Context: the file is closing; no ioctl of it runs any more.
 */
void vprime_fence_file_fini(struct vprime_file *vfile)
{
	struct dma_fence *f;
	unsigned long id;

	xa_for_each(&vfile->fences, id, f) {
		xa_erase(&vfile->fences, id);
		vprime_fence_complete(to_vprime_fence(f), -ECANCELED, false);
		dma_fence_put(f);
	}
	xa_destroy(&vfile->fences);
}

/**
 * vprime_fence_module_init() - set up what fences share
 *
 * Return: 0 or -ENOMEM.
 */
int vprime_fence_module_init(void)
{
	/* Signalling must progress under memory pressure: a rescuer. */
	vprime_fence_wq = alloc_workqueue("vprime_fence", WQ_MEM_RECLAIM, 0);
	return vprime_fence_wq ? 0 : -ENOMEM;
}

/**
 * vprime_fence_module_exit() - drain the fence work before the module goes
 *
 * Context: no fence exists any more (each pins the module), but the work
 * that dropped the last reference may still be returning.
 */
void vprime_fence_module_exit(void)
{
	destroy_workqueue(vprime_fence_wq);
}

/**
 * vprime_fence_timeout_param() - the expiry of FENCE_ATTACH fences
 *
 * Return: milliseconds.
 */
u32 vprime_fence_timeout_param(void)
{
	return READ_ONCE(vprime_fence_timeout_ms);
}
