// SPDX-License-Identifier: MIT
/*
 * Helpers shared by vprime's IGT tests.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

#include "igt.h"
#include "vprime_common.h"

bool drm_driver_name(int fd, char *buf, size_t len)
{
	drmVersionPtr v = drmGetVersion(fd);

	if (!v)
		return false;
	snprintf(buf, len, "%s", v->name);
	drmFreeVersion(v);
	return true;
}

static int node_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t lx = strlen(x), ly = strlen(y);

	/* card2 sorts before card10. */
	return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x, y);
}

/* Open the @index-th node of @driver, or count them when !@open_it. */
static int scan_nodes(enum vprime_node type, const char *driver,
		      unsigned int index, bool open_it)
{
	const char *prefix = type == VPRIME_NODE_RENDER ? "renderD" : "card";
	char *names[64], path[300], name[64];
	struct dirent *de;
	unsigned int found = 0;
	int n = 0, i, fd, ret = -1;
	DIR *dir;

	dir = opendir("/dev/dri");
	if (!dir)
		return -1;
	while ((de = readdir(dir)) && n < 64)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			names[n++] = strdup(de->d_name);
	closedir(dir);
	qsort(names, n, sizeof(names[0]), node_cmp);

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/dev/dri/%s", names[i]);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (drm_driver_name(fd, name, sizeof(name)) &&
		    strcmp(name, driver) == 0) {
			if (open_it && found == index) {
				ret = fd;
				break;
			}
			found++;
		}
		close(fd);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	return open_it ? ret : (int)found;
}

int drm_open_by_name(const char *driver, enum vprime_node type,
		     unsigned int index)
{
	return scan_nodes(type, driver, index, true);
}

int drm_count_by_name(const char *driver, enum vprime_node type)
{
	return scan_nodes(type, driver, 0, false);
}

int vprime_open(enum vprime_node type, unsigned int index)
{
	int fd = drm_open_by_name("vprime", type, index);

	/* A missing vprime is a failure, not a skip: it is what we test. */
	igt_assert_f(fd >= 0, "no vprime %s node #%u\n",
		     type == VPRIME_NODE_RENDER ? "render" : "primary", index);
	return fd;
}

long module_param_long(const char *module, const char *param)
{
	char path[256];
	long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", module,
		 param);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}
