// SPDX-License-Identifier: GPL-2.0
/*
 * cenalloc: module parameters, load and unload.  The overview of the
 * framework is the DOC in cenalloc_buffer.c.
 */

#include <linux/module.h>

#include "cenalloc_drv.h"

static char *cenalloc_policy_param;
module_param_named(policy, cenalloc_policy_param, charp, 0444);
MODULE_PARM_DESC(policy,
		 "Platform policy rules MATCH:KEY[,KEY=VALUE] separated by ';', e.g. vivid:contiguous,limit=0xffffffff");

/**
 * cenalloc_allocator_name() - an allocator's name for messages and debugfs
 * @id: the allocator
 *
 * Return: a static string; "none" for %CENALLOC_ALLOCATOR_NONE.
 */
const char *cenalloc_allocator_name(enum cenalloc_allocator_id id)
{
	if (id <= CENALLOC_ALLOCATOR_NONE || id >= CENALLOC_ALLOCATOR_COUNT)
		return "none";
	return cenalloc_pool[id]->name;
}
EXPORT_SYMBOL_NS_GPL(cenalloc_allocator_name, CENALLOC);

static int __init cenalloc_init(void)
{
	int ret;

	ret = cenalloc_buffer_init();
	if (ret)
		return ret;
	ret = cenalloc_alloc_init();
	if (ret)
		goto err_buffer_exit;
	ret = cenalloc_policy_init(cenalloc_policy_param);
	if (ret)
		goto err_alloc_exit;
	ret = cenalloc_dev_init();
	if (ret)
		goto err_policy_exit;
	cenalloc_debugfs_init();
	return 0;

err_policy_exit:
	cenalloc_policy_exit();
err_alloc_exit:
	cenalloc_alloc_exit();
err_buffer_exit:
	cenalloc_buffer_exit();
	return ret;
}

static void __exit cenalloc_exit(void)
{
	cenalloc_debugfs_exit();
	cenalloc_dev_exit();
	cenalloc_policy_exit();
	/* Deferred frees give storage back to the allocators: before them. */
	cenalloc_buffer_exit();
	cenalloc_alloc_exit();
}

module_init(cenalloc_init);
module_exit(cenalloc_exit);

MODULE_DESCRIPTION("Constraints-aware central dma-buf allocator");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
