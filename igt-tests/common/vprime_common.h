/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by vprime's IGT tests.  They use only libdrm and IGT's
 * core API, so they build in an upstream IGT tree as well as with the
 * project's small harness.
 */
#ifndef VPRIME_COMMON_H
#define VPRIME_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vprime_node {
	VPRIME_NODE_PRIMARY,
	VPRIME_NODE_RENDER,
};

/* Open the @index'th DRM node of @type whose driver is @driver, or -1. */
int drm_open_by_name(const char *driver, enum vprime_node type,
		     unsigned int index);
/* Count the nodes of @type whose driver is @driver. */
int drm_count_by_name(const char *driver, enum vprime_node type);
/* Open vprime device @index's node, skipping the test if it is missing. */
int vprime_open(enum vprime_node type, unsigned int index);
/* The name of the driver behind @fd, in @buf. */
bool drm_driver_name(int fd, char *buf, size_t len);
/* Read an integer module parameter; -1 if absent. */
long module_param_long(const char *module, const char *param);

#endif /* VPRIME_COMMON_H */
