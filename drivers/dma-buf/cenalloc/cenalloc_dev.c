// SPDX-License-Identifier: GPL-2.0
/*
 * cenalloc: the /dev/cenalloc character device.
 */

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "cenalloc_drv.h"

static long cenalloc_dev_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	return -ENOTTY;
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

int cenalloc_dev_init(void)
{
	return misc_register(&cenalloc_miscdev);
}

void cenalloc_dev_exit(void)
{
	misc_deregister(&cenalloc_miscdev);
}
