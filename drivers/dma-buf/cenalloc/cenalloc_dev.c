// SPDX-License-Identifier: GPL-2.0
/*
 * cenalloc: the /dev/cenalloc character device (include/uapi/linux/cenalloc.h).
 */

#include <linux/build_bug.h>
#include <linux/dma-buf.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <uapi/linux/cenalloc.h>

#include "cenalloc_drv.h"

static_assert(CENALLOC_FLAG_CONTIGUOUS == CENALLOC_CREATE_CONTIGUOUS);
static_assert(CENALLOC_FLAG_DMA32 == CENALLOC_CREATE_DMA32);
static_assert(CENALLOC_FLAG_WRITECOMBINE == CENALLOC_CREATE_WRITECOMBINE);
static_assert(CENALLOC_ALLOCATOR_ID_RESERVE == CENALLOC_ALLOCATOR_RESERVE);
static_assert(CENALLOC_CONSTRAINT_CONTIGUOUS == CENALLOC_C_CONTIGUOUS);
static_assert(CENALLOC_STATE_ALLOCATED == CENALLOC_BUFFER_ALLOCATED);
static_assert(CENALLOC_STATE_CONTIGUOUS == CENALLOC_BUFFER_CONTIGUOUS);
static_assert(CENALLOC_STATE_BELOW_4G == CENALLOC_BUFFER_BELOW_4G);
static_assert(CENALLOC_STATE_WRITECOMBINE == CENALLOC_BUFFER_WRITECOMBINE);
static_assert(CENALLOC_CONSTRAINT_WRITECOMBINE == CENALLOC_C_WRITECOMBINE);

#define CENALLOC_FD_FLAGS_VALID	(O_CLOEXEC | O_ACCMODE)

static int cenalloc_ioctl_alloc(void *data)
{
	struct cenalloc_alloc_data *args = data;
	struct cenalloc_buffer *buf;
	struct dma_buf *dmabuf;
	int fd;

	if (args->pad || (args->flags & ~CENALLOC_FLAGS_VALID) ||
	    (args->fd_flags & ~CENALLOC_FD_FLAGS_VALID))
		return -EINVAL;
	buf = cenalloc_buffer_create(args->size, args->flags);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	dmabuf = cenalloc_buffer_export(buf, "cenalloc", args->fd_flags);
	/* The dma-buf holds its own reference on the buffer. */
	cenalloc_buffer_put(buf);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	fd = dma_buf_fd(dmabuf, args->fd_flags);
	if (fd < 0) {
		dma_buf_put(dmabuf);
		return fd;
	}
	args->fd = fd;
	args->size = dmabuf->size;
	return 0;
}

static int cenalloc_ioctl_info(void *data)
{
	struct cenalloc_info_data *args = data;
	struct cenalloc_buffer_state st;
	struct cenalloc_buffer *buf;
	struct dma_buf *dmabuf;
	s32 fd = args->fd;

	if (args->flags)
		return -EINVAL;
	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	buf = cenalloc_buffer_from_dma_buf(dmabuf);
	if (!buf) {
		dma_buf_put(dmabuf);
		return -ENOENT;
	}
	cenalloc_buffer_query(buf, &st);
	dma_buf_put(dmabuf);

	memset(args, 0, sizeof(*args));
	args->fd = fd;
	args->size = st.size;
	args->state = st.flags;
	args->allocator = st.allocator;
	args->num_segments = st.num_segments;
	args->num_attachments = st.num_attachments;
	args->max_address = st.max_address;
	args->dma_limit = st.combined.dma_limit;
	args->alignment = st.combined.alignment;
	args->max_segment = st.combined.max_segment;
	args->seg_boundary = st.combined.seg_boundary;
	args->constraint_flags = st.combined.flags;
	args->num_mapped = st.num_mapped;
	args->migrations = st.migrations;
	args->vmap_count = st.vmap_count;
	return 0;
}

static const struct {
	unsigned int cmd;
	int (*fn)(void *data);
} cenalloc_ioctls[] = {
	{ CENALLOC_IOC_ALLOC, cenalloc_ioctl_alloc },
	{ CENALLOC_IOC_INFO, cenalloc_ioctl_info },
};

/*
 * Structs may grow by appending: a smaller user struct reads as zeros, a
 * larger one must have zeros past what the kernel knows (-E2BIG if not).
 */
static long cenalloc_dev_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	union {
		struct cenalloc_alloc_data alloc;
		struct cenalloc_info_data info;
	} data;
	void __user *uptr = (void __user *)arg;
	unsigned int i, ksize, usize = _IOC_SIZE(cmd);
	int ret;

	for (i = 0; i < ARRAY_SIZE(cenalloc_ioctls); i++)
		if (_IOC_NR(cmd) == _IOC_NR(cenalloc_ioctls[i].cmd) &&
		    _IOC_TYPE(cmd) == CENALLOC_IOC_MAGIC &&
		    _IOC_DIR(cmd) == _IOC_DIR(cenalloc_ioctls[i].cmd))
			break;
	if (i == ARRAY_SIZE(cenalloc_ioctls))
		return -ENOTTY;
	ksize = _IOC_SIZE(cenalloc_ioctls[i].cmd);

	ret = copy_struct_from_user(&data, ksize, uptr, usize);
	if (ret)
		return ret;
	ret = cenalloc_ioctls[i].fn(&data);
	if (ret)
		return ret;
	if (copy_to_user(uptr, &data, min(usize, ksize)))
		return -EFAULT;
	return 0;
}

static const struct file_operations cenalloc_dev_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.unlocked_ioctl = cenalloc_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = no_llseek,
};

static struct miscdevice cenalloc_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "cenalloc",
	.fops = &cenalloc_dev_fops,
	.mode = 0666,
};

/**
 * cenalloc_dev_init() - register /dev/cenalloc
 *
 * Return: 0 or -errno.
 */
int cenalloc_dev_init(void)
{
	return misc_register(&cenalloc_miscdev);
}

/**
 * cenalloc_dev_exit() - unregister /dev/cenalloc
 */
void cenalloc_dev_exit(void)
{
	misc_deregister(&cenalloc_miscdev);
}
