// SPDX-License-Identifier: GPL-2.0
/*
 * vprime: a virtual DRM driver whose GEM objects are cenalloc buffers.
 */

/**
 * DOC: vprime overview
 *
 * vprime registers num_devices (module parameter, default 1) independent
 * DRM devices, each with a primary and a render node and, unless the
 * module parameter modeset is false, virtual display outputs (see "vprime
 * display" in vprime_kms.c).  Each is a platform device "vprime.N" bound
 * to the platform driver "vprime", with a 64-bit DMA mask, so importers
 * and exporters can map buffers for it.
 *
 * Its GEM objects are cenalloc buffers (vprime_gem.c), exported and
 * imported through the DRM core's PRIME ioctls (vprime_prime.c), with the
 * driver ioctls of include/uapi/drm/vprime_drm.h (vprime_ioctl.c).
 *
 * Lifecycle: module init registers the platform driver, then the devices;
 * probe creates and registers the DRM device (devm_drm_dev_alloc()).
 * Unbinding a device through sysfs (/sys/bus/platform/drivers/vprime/
 * unbind) or unloading the module unplugs it (vprime_remove()); binding
 * it again probes a new DRM device while files of the old one may still
 * be open.  Module exit unregisters the devices, then the driver.
 */

#include <linux/cenalloc.h>
#include <linux/cenalloc_compat.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/drm_prime.h>
#include <uapi/drm/vprime_drm.h>

#include "vprime_drv.h"

#define VPRIME_MAX_DEVICES 8

static unsigned int vprime_num_devices = 1;
module_param_named(num_devices, vprime_num_devices, uint, 0444);
MODULE_PARM_DESC(num_devices, "Number of vprime devices (1-8, default 1)");

static unsigned int vprime_max_object_mb = 2048;
module_param_named(max_object_mb, vprime_max_object_mb, uint, 0444);
MODULE_PARM_DESC(max_object_mb, "Largest GEM object in MiB (default 2048)");

/* vprime_max_object_mb in bytes, set at load. */
u64 vprime_max_object_size;

/* The platform devices vprime made at load. */
static struct platform_device *vprime_pdevs[VPRIME_MAX_DEVICES];

/*
 * The DRM core releases a file's GEM handles before &drm_driver.postclose:
 * its fences are signalled first, so that freeing the buffers they guard
 * does not wait for them.  Otherwise these are DEFINE_DRM_GEM_FOPS().
 */
static int vprime_release(struct inode *inode, struct file *filp)
{
	struct drm_file *file = filp->private_data;

	vprime_fence_file_fini(file->driver_priv);
	return drm_release(inode, filp);
}

#ifdef CENALLOC_PMD_PFNMAP
/*
 * A GEM mapping of 2 MiB or more starts on a 2 MiB boundary, so that
 * cenalloc can map its PMD-sized physical runs with PMDs.  It maps an
 * object from its first page (the fake offset says nothing about where
 * the object's runs are), so the address is aligned, not congruent to the
 * offset as thp_get_unmapped_area() would make it for @pgoff.
 */
static unsigned long vprime_get_unmapped_area(struct file *filp,
					      unsigned long addr,
					      unsigned long len,
					      unsigned long pgoff,
					      unsigned long flags)
{
	return thp_get_unmapped_area(filp, addr, len, 0, flags);
}
#endif

static const struct file_operations vprime_fops = {
	.owner = THIS_MODULE,
	.open = drm_open,
	.release = vprime_release,
	.unlocked_ioctl = drm_ioctl,
	.compat_ioctl = drm_compat_ioctl,
	.poll = drm_poll,
	.read = drm_read,
	.llseek = noop_llseek,
	.mmap = drm_gem_mmap,
#ifdef CENALLOC_PMD_PFNMAP
	.get_unmapped_area = vprime_get_unmapped_area,
#endif
	DRM_FOPS_FLAGS
};

static const struct drm_ioctl_desc vprime_ioctls[] = {
	DRM_IOCTL_DEF_DRV(VPRIME_GETPARAM, vprime_ioctl_getparam,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VPRIME_GEM_CREATE, vprime_ioctl_gem_create,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VPRIME_GEM_INFO, vprime_ioctl_gem_info,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VPRIME_FENCE_ATTACH, vprime_ioctl_fence_attach,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VPRIME_FENCE_SIGNAL, vprime_ioctl_fence_signal,
			  DRM_RENDER_ALLOW),
};

static int vprime_open(struct drm_device *drm, struct drm_file *file)
{
	struct vprime_file *vfile;

	vfile = kzalloc(sizeof(*vfile), GFP_KERNEL);
	if (!vfile)
		return -ENOMEM;
	vprime_fence_file_init(vfile);
	file->driver_priv = vfile;
	return 0;
}

static void vprime_postclose(struct drm_device *drm, struct drm_file *file)
{
	/* vprime_release() signalled the fences: nothing is left to free. */
	kfree(file->driver_priv);
}

static const struct drm_driver vprime_driver = {
	/* vprime_kms_init() clears MODESET and ATOMIC with modeset=0. */
	.driver_features = DRIVER_GEM | DRIVER_RENDER | DRIVER_SYNCOBJ |
			   DRIVER_SYNCOBJ_TIMELINE | DRIVER_MODESET |
			   DRIVER_ATOMIC,
	.ioctls = vprime_ioctls,
	.num_ioctls = ARRAY_SIZE(vprime_ioctls),
	.open = vprime_open,
	.postclose = vprime_postclose,
	.dumb_create = vprime_dumb_create,
	.dumb_map_offset = vprime_dumb_map_offset,
	.prime_handle_to_fd = drm_gem_prime_handle_to_fd,
	.prime_fd_to_handle = drm_gem_prime_fd_to_handle,
	.gem_prime_import = vprime_gem_prime_import,
	.debugfs_init = vprime_debugfs_init,
	.fops = &vprime_fops,
	.name = VPRIME_DRIVER_NAME,
	.desc = VPRIME_DRIVER_DESC,
	.date = VPRIME_DRIVER_DATE,
	.major = VPRIME_DRIVER_MAJOR,
	.minor = VPRIME_DRIVER_MINOR,
};

/* Unregister the platform devices made at load (unbinding them first). */
static void vprime_unregister_devices(void)
{
	unsigned int i = VPRIME_MAX_DEVICES;

	while (i--) {
		if (vprime_pdevs[i])
			platform_device_unregister(vprime_pdevs[i]);
		vprime_pdevs[i] = NULL;
	}
}

static int vprime_probe(struct platform_device *pdev)
{
	struct cenalloc_constraints none;
	struct vprime_device *vdev;
	int ret;

	vdev = devm_drm_dev_alloc(&pdev->dev, &vprime_driver,
				  struct vprime_device, drm);
	if (IS_ERR(vdev))
		return PTR_ERR(vdev);
	vdev->pdev = pdev;
	vdev->index = pdev->id;
	INIT_LIST_HEAD(&vdev->objects);
	ret = drmm_mutex_init(&vdev->drm, &vdev->objects_lock);
	if (ret)
		return ret;

	/* A virtual device reaches all memory; importers map for it. */
	ret = dma_coerce_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	/*
	 * No segment limit either, as declared below: exporters that follow
	 * dma_get_max_seg_size() (and DMA-API debug) see the same.
	 */
	dma_set_max_seg_size(&pdev->dev, UINT_MAX);
	/* vprime knows its device: no DMA limit, no segment limit. */
	cenalloc_constraints_init(&none);
	ret = cenalloc_device_declare(&pdev->dev, &none);
	if (ret)
		return ret;

	/* Released with the device (drmm), also on the error path. */
	ret = vprime_kms_init(vdev);
	if (ret)
		goto err_forget;

	ret = drm_dev_register(&vdev->drm, 0);
	if (ret)
		goto err_forget;
	platform_set_drvdata(pdev, vdev);
	return 0;

err_forget:
	cenalloc_device_forget(&pdev->dev);
	return ret;
}

/*
 * Unbind (sysfs, or module unload): the DRM device is unplugged, not
 * freed.  Open files keep it until they close: their ioctls and mmaps get
 * -ENODEV, their GEM mmaps SIGBUS, and dma-bufs exported from it keep
 * working for their importers (they are cenalloc's).  The devm action of
 * devm_drm_dev_alloc() drops the probe's reference afterwards.
 */
static void vprime_remove(struct platform_device *pdev)
{
	struct vprime_device *vdev = platform_get_drvdata(pdev);

	drm_dev_unplug(&vdev->drm);
	/* After the unplug, as upstream drivers do: no new commits race it. */
	vprime_kms_shutdown(vdev);
	cenalloc_device_forget(&pdev->dev);
}

static struct platform_driver vprime_platform_driver = {
	.driver = {
		.name = VPRIME_DRIVER_NAME,
	},
	.probe = vprime_probe,
	PLATFORM_DRIVER_REMOVE(vprime_remove),
};

static int __init vprime_init(void)
{
	struct platform_device *pdev;
	unsigned int i;
	int ret;

	if (!vprime_max_object_mb || vprime_max_object_mb > 16384) {
		pr_err("vprime: max_object_mb must be 1 to 16384\n");
		return -EINVAL;
	}
	vprime_max_object_size = (u64)vprime_max_object_mb << 20;

	ret = vprime_kms_check_params();
	if (ret)
		return ret;

	if (vprime_num_devices < 1 ||
	    vprime_num_devices > VPRIME_MAX_DEVICES) {
		pr_err("vprime: num_devices must be 1 to %d\n",
		       VPRIME_MAX_DEVICES);
		return -EINVAL;
	}

	ret = vprime_fence_module_init();
	if (ret)
		return ret;
	ret = platform_driver_register(&vprime_platform_driver);
	if (ret)
		goto err_fence_exit;
	for (i = 0; i < vprime_num_devices; i++) {
		pdev = platform_device_register_simple(VPRIME_DRIVER_NAME, i,
						       NULL, 0);
		if (IS_ERR(pdev)) {
			ret = PTR_ERR(pdev);
			goto err_unregister_devices;
		}
		vprime_pdevs[i] = pdev;
		/* Probed at once: the driver is registered. */
		if (!platform_get_drvdata(pdev)) {
			ret = -ENODEV;
			goto err_unregister_devices;
		}
	}
	return 0;

err_unregister_devices:
	vprime_unregister_devices();
	platform_driver_unregister(&vprime_platform_driver);
err_fence_exit:
	vprime_fence_module_exit();
	return ret;
}

static void __exit vprime_exit(void)
{
	vprime_unregister_devices();
	platform_driver_unregister(&vprime_platform_driver);
	vprime_fence_module_exit();
}

module_init(vprime_init);
module_exit(vprime_exit);

MODULE_DESCRIPTION(VPRIME_DRIVER_DESC);
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
MODULE_IMPORT_NS(CENALLOC);
