// SPDX-License-Identifier: GPL-2.0
/*
 * cenalloc: debugfs files under cenalloc/.
 *
 * buffers  every live buffer: size, exporter, storage (allocator,
 *          segments, highest address, caching), combined constraints,
 *          mapping counts, migrations, and each attached device with its
 *          constraints and where they came from
 * pool     the allocators with their counters, the reserve, migrations
 *          and refused attaches
 * policy   the platform policy rules and driver declarations; write a
 *          rule ("vivid contiguous limit=0xffffffff") to add or replace
 *          it, or a bare name to remove it
 */

#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "cenalloc_drv.h"

static struct dentry *cenalloc_debugfs_root;

/* One buffer; alive: the caller holds cenalloc_buffers_lock. */
static void cenalloc_buffer_show(struct seq_file *m,
				 struct cenalloc_buffer *buf)
{
	struct cenalloc_attachment *a;
	struct cenalloc_constraints c;
	struct cenalloc_storage *st;
	char text[160];

	mutex_lock(&buf->lock);
	st = buf->storage;
	cenalloc_buffer_combined(buf, &c);
	cenalloc_constraints_format(text, sizeof(text), &c);
	seq_printf(m, "buffer %lu: size %llu exporter %s ", buf->id,
		   buf->size, buf->exp_name);
	if (buf->dmabuf)
		seq_printf(m, "exported ino %lu\n", buf->dmabuf_ino);
	else
		seq_puts(m, "unexported\n");
	if (st)
		seq_printf(m, "  storage: %s, %u segment%s%s, max address %#llx, %s\n",
			   cenalloc_allocator_name(st->allocator), st->nsegs,
			   st->nsegs == 1 ? "" : "s",
			   st->nsegs > 1 ? "" :
			   c.flags & CENALLOC_C_CONTIGUOUS ?
			   " (contiguous, asked for)" : " (contiguous, for free)",
			   st->max_address,
			   st->caching == CENALLOC_C_WRITECOMBINE ? "wc" : "cached");
	else
		seq_puts(m, "  storage: none\n");
	seq_printf(m, "  combined: %s\n", text);
	seq_printf(m, "  mapped %u, vmaps %u, migrations %u\n", buf->num_mapped,
		   buf->vmap_count, buf->migrations);
	list_for_each_entry(a, &buf->attachments, node) {
		cenalloc_constraints_format(text, sizeof(text), &a->constraints);
		seq_printf(m, "  attached %s (%s)%s: %s\n", dev_name(a->dev),
			   a->source, a->mapped ? " mapped" : "", text);
	}
	mutex_unlock(&buf->lock);
}

static int cenalloc_buffers_show(struct seq_file *m, void *unused)
{
	struct cenalloc_buffer *buf;

	mutex_lock(&cenalloc_buffers_lock);
	list_for_each_entry(buf, &cenalloc_buffers, node)
		cenalloc_buffer_show(m, buf);
	mutex_unlock(&cenalloc_buffers_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cenalloc_buffers);

static int cenalloc_pool_show(struct seq_file *m, void *unused)
{
	cenalloc_alloc_show(m);
	seq_printf(m, "migrations: %lld\nrefused attaches: %lld\n",
		   atomic64_read(&cenalloc_nr_migrations),
		   atomic64_read(&cenalloc_nr_attach_refused));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cenalloc_pool);

static int cenalloc_policy_seq_show(struct seq_file *m, void *unused)
{
	cenalloc_policy_show(m);
	return 0;
}

static int cenalloc_policy_open(struct inode *inode, struct file *file)
{
	return single_open(file, cenalloc_policy_seq_show, NULL);
}

static ssize_t cenalloc_policy_fwrite(struct file *file,
				      const char __user *ubuf, size_t len,
				      loff_t *ppos)
{
	char *line;
	int ret;

	if (len > 256)
		return -EINVAL;
	line = memdup_user_nul(ubuf, len);
	if (IS_ERR(line))
		return PTR_ERR(line);
	ret = cenalloc_policy_write(line);
	kfree(line);
	return ret ? ret : len;
}

static const struct file_operations cenalloc_policy_fops = {
	.owner = THIS_MODULE,
	.open = cenalloc_policy_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = cenalloc_policy_fwrite,
};

/**
 * cenalloc_debugfs_init() - create the debugfs files (failures are ignored,
 * as debugfs is optional)
 */
void cenalloc_debugfs_init(void)
{
	cenalloc_debugfs_root = debugfs_create_dir("cenalloc", NULL);
	debugfs_create_file("buffers", 0444, cenalloc_debugfs_root, NULL,
			    &cenalloc_buffers_fops);
	debugfs_create_file("pool", 0444, cenalloc_debugfs_root, NULL,
			    &cenalloc_pool_fops);
	debugfs_create_file("policy", 0644, cenalloc_debugfs_root, NULL,
			    &cenalloc_policy_fops);
}

/**
 * cenalloc_debugfs_exit() - remove them
 */
void cenalloc_debugfs_exit(void)
{
	debugfs_remove_recursive(cenalloc_debugfs_root);
}
