// SPDX-License-Identifier: GPL-2.0
/*
 * cenalloc: a constraints-aware, deferred-allocation dma-buf exporter.
 */

/**
 * DOC: cenalloc overview
 *
 * cenalloc is a central dma-buf exporter.  Devices attach to a buffer
 * before it has storage; storage is allocated at the first use that needs
 * it, from an allocator that satisfies every attached device.
 */

#include <linux/module.h>

#include "cenalloc_drv.h"

static int __init cenalloc_init(void)
{
	return cenalloc_dev_init();
}

static void __exit cenalloc_exit(void)
{
	cenalloc_dev_exit();
}

module_init(cenalloc_init);
module_exit(cenalloc_exit);

MODULE_DESCRIPTION("Constraints-aware central dma-buf allocator");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
