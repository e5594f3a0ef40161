// SPDX-License-Identifier: GPL-2.0
/*
 * vprime: debugfs file dri/N/vprime_objects, one line per GEM object:
 * size, handle count, exported/imported, storage and placement, and the
 * number of devices attached (cenalloc's debugfs has the details).
 */

#include <linux/cenalloc.h>
#include <linux/dma-buf.h>
#include <linux/seq_file.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_file.h>

#include "vprime_drv.h"

static void vprime_debugfs_object(struct seq_file *m,
				  struct vprime_gem_object *obj)
{
	struct drm_gem_object *gobj = &obj->base;
	struct cenalloc_buffer_state st;
	struct cenalloc_buffer *buf = obj->buffer;

	/*
	 * handle_count and dma_buf belong to the DRM core and change under
	 * its object_name_lock: read once, as a snapshot.  import_attach and
	 * buffer are set before the object is listed and never change.
	 */
	seq_printf(m, "object size %zu handles %u", gobj->size,
		   READ_ONCE(gobj->handle_count));
	if (gobj->import_attach) {
		seq_printf(m, " imported from %s",
			   gobj->import_attach->dmabuf->exp_name);
		buf = cenalloc_buffer_from_dma_buf(gobj->import_attach->dmabuf);
	} else if (READ_ONCE(gobj->dma_buf)) {
		seq_puts(m, " exported");
	}
	if (!buf) {
		seq_puts(m, "\n");
		return;
	}
	cenalloc_buffer_query(buf, &st);
	if (st.flags & CENALLOC_BUFFER_ALLOCATED)
		seq_printf(m, " storage %s segments %u max-address %#llx%s",
			   cenalloc_allocator_name(st.allocator),
			   st.num_segments, st.max_address,
			   st.flags & CENALLOC_BUFFER_CONTIGUOUS ?
			   " contiguous" : "");
	else
		seq_puts(m, " storage none");
	seq_printf(m, " attachments %u mapped %u migrations %u\n",
		   st.num_attachments, st.num_mapped, st.migrations);
}

static int vprime_debugfs_objects(struct seq_file *m, void *data)
{
	struct drm_info_node *node = m->private;
	struct vprime_device *vdev = to_vprime_device(node->minor->dev);
	struct vprime_gem_object *obj;

	mutex_lock(&vdev->objects_lock);
	/* An object on the list is alive: its free waits for the lock. */
	list_for_each_entry(obj, &vdev->objects, node)
		vprime_debugfs_object(m, obj);
	mutex_unlock(&vdev->objects_lock);
	return 0;
}

static const struct drm_info_list vprime_debugfs_list[] = {
	{ "vprime_objects", vprime_debugfs_objects, 0 },
};

/**
 * vprime_debugfs_init() - &drm_driver.debugfs_init
 * @minor: the DRM minor whose debugfs directory gets the files
 */
void vprime_debugfs_init(struct drm_minor *minor)
{
	drm_debugfs_create_files(vprime_debugfs_list,
				 ARRAY_SIZE(vprime_debugfs_list),
				 minor->debugfs_root, minor);
}
