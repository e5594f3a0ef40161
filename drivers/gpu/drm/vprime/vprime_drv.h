/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vprime: private declarations shared by the driver's files.
 */
#ifndef _VPRIME_DRV_H_
#define _VPRIME_DRV_H_

#include <drm/drm_device.h>
#include <linux/platform_device.h>

#define VPRIME_DRIVER_NAME	"vprime"
#define VPRIME_DRIVER_DESC	"Virtual PRIME buffer-sharing device"
#define VPRIME_DRIVER_DATE	"20261121"
#define VPRIME_DRIVER_MAJOR	1
#define VPRIME_DRIVER_MINOR	0

/**
 * struct vprime_device - one vprime DRM device
 * @drm: the DRM device, first so that container_of() is free
 * @pdev: the faux platform device it hangs off
 * @index: which of the num_devices instances this is
 */
struct vprime_device {
	struct drm_device drm;
	struct platform_device *pdev;
	unsigned int index;
};

static inline struct vprime_device *to_vprime_device(struct drm_device *drm)
{
	return container_of(drm, struct vprime_device, drm);
}

#endif /* _VPRIME_DRV_H_ */
