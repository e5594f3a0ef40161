// SPDX-License-Identifier: GPL-2.0
/*
 * cenalloc: the /dev/cenalloc character device (include/uapi/linux/cenalloc.h).
 */

#include <linux/build_bug.h>
#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
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

static unsigned int cenalloc_file_limit_mb;
module_param_named(file_limit_mb, cenalloc_file_limit_mb, uint, 0644);
MODULE_PARM_DESC(file_limit_mb,
		 "Bytes of live buffers one open /dev/cenalloc may have allocated, in MiB (0: half of RAM)");

/**
 * struct cenalloc_client - one open file of /dev/cenalloc
 * @quota: the bytes of its buffers that are still alive, against
 *	file_limit_mb; the buffers hold it after the file is closed
 */
struct cenalloc_client {
	struct cenalloc_quota *quota;
};

static u64 cenalloc_file_limit(void)
{
	if (cenalloc_file_limit_mb)
		return (u64)cenalloc_file_limit_mb << 20;
	return (u64)totalram_pages() << PAGE_SHIFT >> 1;
}

/**
 * struct cenalloc_ioctl_out - what an ioctl leaves to do after copy-out
 * @file: a file to install as @fd once the result reached the user
 * @fd: the reserved descriptor for @file
 */
struct cenalloc_ioctl_out {
	struct file *file;
	int fd;
};

static int cenalloc_ioctl_alloc(struct cenalloc_client *client, void *data,
				struct cenalloc_ioctl_out *out)
{
	struct cenalloc_alloc_data *args = data;
	u32 mode = args->fd_flags & O_ACCMODE;
	struct cenalloc_buffer *buf;
	struct dma_buf *dmabuf;
	int fd, ret;

	if (args->pad || (args->flags & ~CENALLOC_FLAGS_VALID) ||
	    (args->fd_flags & ~(O_CLOEXEC | O_ACCMODE)) ||
	    (mode != O_RDONLY && mode != O_RDWR))
		return -EINVAL;
	buf = cenalloc_buffer_create(args->size, args->flags);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ret = cenalloc_buffer_charge(buf, client->quota,
				     cenalloc_file_limit());
	if (ret)
		goto err_put_buf;
	fd = get_unused_fd_flags(args->fd_flags & O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_put_buf;
	}
	dmabuf = cenalloc_buffer_export(buf, "cenalloc", args->fd_flags);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto err_put_fd;
	}
	/* The dma-buf holds its own reference on the buffer. */
	args->size = cenalloc_buffer_size(buf);
	cenalloc_buffer_put(buf);
	args->fd = fd;
	/* Installed by cenalloc_dev_ioctl() once the user has the number. */
	out->file = dmabuf->file;
	out->fd = fd;
	return 0;

err_put_fd:
	put_unused_fd(fd);
err_put_buf:
	cenalloc_buffer_put(buf);
	return ret;
}

static int cenalloc_ioctl_info(struct cenalloc_client *client, void *data,
			       struct cenalloc_ioctl_out *out)
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
	cenalloc_state_hide_addresses(&st);

	memset(args, 0, sizeof(*args));
	args->fd = fd;
	args->size = st.size;
	args->state = st.flags;
	CENALLOC_STATE_TO_UAPI(args, &st);
	return 0;
}

/*
 * @min_size: the smallest argument accepted: the struct's first version,
 * so that a caller always gets back what it needs (the fd of ALLOC).
 */
static const struct {
	unsigned int cmd;
	unsigned int min_size;
	int (*fn)(struct cenalloc_client *client, void *data,
		  struct cenalloc_ioctl_out *out);
} cenalloc_ioctls[] = {
	{ CENALLOC_IOC_ALLOC, sizeof(struct cenalloc_alloc_data),
	  cenalloc_ioctl_alloc },
	{ CENALLOC_IOC_INFO, sizeof(struct cenalloc_info_data),
	  cenalloc_ioctl_info },
};

/*
 * Structs may grow by appending: a larger one must have zeros past what
 * the kernel knows (-E2BIG if not).  A file made by an ioctl is installed
 * last, once the result is in the user's hands: until then no other
 * thread can reach it, and a failed copy-out leaves no descriptor behind.
 */
static long cenalloc_dev_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	union {
		struct cenalloc_alloc_data alloc;
		struct cenalloc_info_data info;
	} data;
	struct cenalloc_ioctl_out out = { .fd = -1 };
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
	if (usize < cenalloc_ioctls[i].min_size)
		return -EINVAL;
	ksize = _IOC_SIZE(cenalloc_ioctls[i].cmd);

	ret = copy_struct_from_user(&data, ksize, uptr, usize);
	if (ret)
		return ret;
	ret = cenalloc_ioctls[i].fn(file->private_data, &data, &out);
	if (ret)
		return ret;
	if (copy_to_user(uptr, &data, min(usize, ksize))) {
		if (out.file) {
			put_unused_fd(out.fd);
			fput(out.file);
		}
		return -EFAULT;
	}
	if (out.file)
		fd_install(out.fd, out.file);
	return 0;
}

static int cenalloc_dev_open(struct inode *inode, struct file *file)
{
	struct cenalloc_client *client;

	client = kzalloc(sizeof(*client), GFP_KERNEL_ACCOUNT);
	if (!client)
		return -ENOMEM;
	client->quota = cenalloc_quota_create();
	if (!client->quota) {
		kfree(client);
		return -ENOMEM;
	}
	file->private_data = client;
	return nonseekable_open(inode, file);
}

static int cenalloc_dev_release(struct inode *inode, struct file *file)
{
	struct cenalloc_client *client = file->private_data;

	/* Buffers still alive keep the quota until they go. */
	cenalloc_quota_put(client->quota);
	kfree(client);
	return 0;
}

static const struct file_operations cenalloc_dev_fops = {
	.owner = THIS_MODULE,
	.open = cenalloc_dev_open,
	.release = cenalloc_dev_release,
	.unlocked_ioctl = cenalloc_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
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
