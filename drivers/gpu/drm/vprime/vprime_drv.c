// SPDX-License-Identifier: GPL-2.0
/*
 * vprime: a virtual DRM driver whose GEM objects are cenalloc buffers.
 */

/**
 * DOC: vprime overview
 *
 * vprime registers num_devices (module parameter, default 1) independent
 * DRM devices, each with a primary and a render node and no display
 * hardware.  Each device hangs off its own faux platform device with a
 * 64-bit DMA mask, so importers and exporters can map buffers for it.
 *
 * Its GEM objects are cenalloc buffers (vprime_gem.c), exported and
 * imported through the DRM core's PRIME ioctls (vprime_prime.c), with the
 * driver ioctls of include/uapi/drm/vprime_drm.h (vprime_ioctl.c).
 *
 * Lifecycle: module init creates the platform devices and registers one
 * DRM device on each; module exit unregisters them in reverse order.  The
 * DRM device memory is managed (devm_drm_dev_alloc()) inside a devres
 * group that is released when the platform device goes away.
 */

#include <linux/cenalloc.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>

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

static struct vprime_device *vprime_devices[VPRIME_MAX_DEVICES];

DEFINE_DRM_GEM_FOPS(vprime_fops);

static const struct drm_ioctl_desc vprime_ioctls[] = {
	DRM_IOCTL_DEF_DRV(VPRIME_GETPARAM, vprime_ioctl_getparam,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VPRIME_GEM_CREATE, vprime_ioctl_gem_create,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VPRIME_GEM_INFO, vprime_ioctl_gem_info,
			  DRM_RENDER_ALLOW),
};

static const struct drm_driver vprime_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER,
	.ioctls = vprime_ioctls,
	.num_ioctls = ARRAY_SIZE(vprime_ioctls),
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

static struct vprime_device *vprime_device_create(unsigned int index)
{
	struct cenalloc_constraints none;
	struct platform_device *pdev;
	struct vprime_device *vdev;
	int ret;

	pdev = platform_device_register_simple(VPRIME_DRIVER_NAME, index,
					       NULL, 0);
	if (IS_ERR(pdev))
		return ERR_CAST(pdev);

	if (!devres_open_group(&pdev->dev, NULL, GFP_KERNEL)) {
		ret = -ENOMEM;
		goto err_unregister_pdev;
	}

	vdev = devm_drm_dev_alloc(&pdev->dev, &vprime_driver,
				  struct vprime_device, drm);
	if (IS_ERR(vdev)) {
		ret = PTR_ERR(vdev);
		goto err_release_group;
	}
	vdev->pdev = pdev;
	vdev->index = index;
	INIT_LIST_HEAD(&vdev->objects);
	ret = drmm_mutex_init(&vdev->drm, &vdev->objects_lock);
	if (ret)
		goto err_release_group;

	/* A virtual device reaches all memory; importers map for it. */
	ret = dma_coerce_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto err_release_group;
	/* vprime knows its device: no DMA limit, no segment limit. */
	cenalloc_constraints_init(&none);
	ret = cenalloc_device_declare(&pdev->dev, &none);
	if (ret)
		goto err_release_group;

	ret = drm_dev_register(&vdev->drm, 0);
	if (ret)
		goto err_forget;

	return vdev;

err_forget:
	cenalloc_device_forget(&pdev->dev);
err_release_group:
	devres_release_group(&pdev->dev, NULL);
err_unregister_pdev:
	platform_device_unregister(pdev);
	return ERR_PTR(ret);
}

static void vprime_device_destroy(struct vprime_device *vdev)
{
	struct platform_device *pdev = vdev->pdev;

	drm_dev_unregister(&vdev->drm);
	cenalloc_device_forget(&pdev->dev);
	devres_release_group(&pdev->dev, NULL);
	platform_device_unregister(pdev);
}

static int __init vprime_init(void)
{
	unsigned int i;
	int ret;

	if (!vprime_max_object_mb || vprime_max_object_mb > 16384) {
		pr_err("vprime: max_object_mb must be 1 to 16384\n");
		return -EINVAL;
	}
	vprime_max_object_size = (u64)vprime_max_object_mb << 20;

	if (vprime_num_devices < 1 ||
	    vprime_num_devices > VPRIME_MAX_DEVICES) {
		pr_err("vprime: num_devices must be 1 to %d\n",
		       VPRIME_MAX_DEVICES);
		return -EINVAL;
	}

	for (i = 0; i < vprime_num_devices; i++) {
		vprime_devices[i] = vprime_device_create(i);
		if (IS_ERR(vprime_devices[i])) {
			ret = PTR_ERR(vprime_devices[i]);
			vprime_devices[i] = NULL;
			goto err_destroy_devices;
		}
	}
	return 0;

err_destroy_devices:
	while (i--) {
		vprime_device_destroy(vprime_devices[i]);
		vprime_devices[i] = NULL;
	}
	return ret;
}

static void __exit vprime_exit(void)
{
	unsigned int i = vprime_num_devices;

	while (i--) {
		vprime_device_destroy(vprime_devices[i]);
		vprime_devices[i] = NULL;
	}
}

module_init(vprime_init);
module_exit(vprime_exit);

MODULE_DESCRIPTION(VPRIME_DRIVER_DESC);
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
MODULE_IMPORT_NS(CENALLOC);
