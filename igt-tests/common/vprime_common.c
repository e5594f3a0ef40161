// SPDX-License-Identifier: MIT
/*
 * Helpers shared by vprime's IGT tests.
 */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/dma-buf.h>
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

/*
 * vprime device @index is the one whose GETPARAM DEVICE_INDEX says so:
 * after a device is unbound and bound again (vprime_hotunplug) its nodes
 * get new minors, so node order no longer follows the devices.
 */
int vprime_open(enum vprime_node type, unsigned int index)
{
	struct drm_vprime_getparam gp = { .param = VPRIME_PARAM_DEVICE_INDEX };
	int i, n = drm_count_by_name("vprime", type), fd = -1;

	for (i = 0; i < n && fd < 0; i++) {
		fd = drm_open_by_name("vprime", type, i);
		if (fd >= 0 && (drmIoctl(fd, DRM_IOCTL_VPRIME_GETPARAM, &gp) ||
				gp.value != index)) {
			close(fd);
			fd = -1;
		}
	}

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

int __vprime_gem_create(int fd, uint64_t size, uint32_t flags,
			uint32_t *handle)
{
	struct drm_vprime_gem_create arg = { .size = size, .flags = flags };

	if (drmIoctl(fd, DRM_IOCTL_VPRIME_GEM_CREATE, &arg))
		return -errno;
	*handle = arg.handle;
	return 0;
}

uint32_t vprime_gem_create(int fd, uint64_t size, uint32_t flags)
{
	uint32_t handle = 0;

	igt_assert_eq(__vprime_gem_create(fd, size, flags, &handle), 0);
	return handle;
}

int __vprime_gem_info(int fd, uint32_t handle,
		      struct drm_vprime_gem_info *info)
{
	memset(info, 0, sizeof(*info));
	info->handle = handle;
	return drmIoctl(fd, DRM_IOCTL_VPRIME_GEM_INFO, info) ? -errno : 0;
}

struct drm_vprime_gem_info vprime_gem_info(int fd, uint32_t handle)
{
	struct drm_vprime_gem_info info;

	igt_assert_eq(__vprime_gem_info(fd, handle, &info), 0);
	return info;
}

int __vprime_getparam(int fd, uint32_t param, uint64_t *value)
{
	struct drm_vprime_getparam arg = { .param = param };

	if (drmIoctl(fd, DRM_IOCTL_VPRIME_GETPARAM, &arg))
		return -errno;
	*value = arg.value;
	return 0;
}

void vp_gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close arg = { .handle = handle };

	igt_assert_eq(drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &arg), 0);
}

uint32_t dumb_create(int fd, uint32_t width, uint32_t height, uint32_t bpp,
		     uint32_t *pitch, uint64_t *size)
{
	struct drm_mode_create_dumb arg = {
		.width = width, .height = height, .bpp = bpp,
	};

	igt_assert_eq(drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &arg), 0);
	if (pitch)
		*pitch = arg.pitch;
	if (size)
		*size = arg.size;
	return arg.handle;
}

int __dumb_map(int fd, uint32_t handle, uint64_t *offset)
{
	struct drm_mode_map_dumb arg = { .handle = handle };

	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &arg))
		return -errno;
	*offset = arg.offset;
	return 0;
}

void *vp_gem_mmap(int fd, uint32_t handle, size_t size, int prot)
{
	uint64_t offset = 0;
	void *ptr;

	igt_assert_eq(__dumb_map(fd, handle, &offset), 0);
	ptr = mmap(NULL, size, prot, MAP_SHARED, fd, offset);
	igt_assert(ptr != MAP_FAILED);
	return ptr;
}

int vp_prime_handle_to_fd(int fd, uint32_t handle)
{
	int dmabuf = -1;

	igt_assert_eq(drmPrimeHandleToFD(fd, handle, DRM_CLOEXEC | DRM_RDWR,
					 &dmabuf), 0);
	igt_assert(dmabuf >= 0);
	return dmabuf;
}

uint32_t vp_prime_fd_to_handle(int fd, int dmabuf)
{
	uint32_t handle = 0;

	igt_assert_eq(drmPrimeFDToHandle(fd, dmabuf, &handle), 0);
	return handle;
}

void *dmabuf_mmap(int dmabuf, size_t size, int prot)
{
	void *ptr = mmap(NULL, size, prot, MAP_SHARED, dmabuf, 0);

	igt_assert(ptr != MAP_FAILED);
	return ptr;
}

void dmabuf_sync(int dmabuf, uint64_t flags)
{
	struct dma_buf_sync sync = { .flags = flags };

	igt_assert_eq(igt_ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &sync), 0);
}

int cenalloc_open(void)
{
	int fd = open("/dev/cenalloc", O_RDWR | O_CLOEXEC);

	igt_assert_f(fd >= 0, "/dev/cenalloc: %s\n", strerror(errno));
	return fd;
}

int __cenalloc_alloc(int cfd, uint64_t size, uint32_t flags, int *dmabuf)
{
	struct cenalloc_alloc_data arg = {
		.size = size, .flags = flags, .fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (igt_ioctl(cfd, CENALLOC_IOC_ALLOC, &arg))
		return -errno;
	*dmabuf = arg.fd;
	return 0;
}

int __cenalloc_info(int cfd, int dmabuf, struct cenalloc_info_data *info)
{
	memset(info, 0, sizeof(*info));
	info->fd = dmabuf;
	return igt_ioctl(cfd, CENALLOC_IOC_INFO, info) ? -errno : 0;
}

int bufinfo_count(const char *exp_name)
{
	char line[512], name[128];
	int n = 0, lineno = 0;
	FILE *f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "r");

	igt_assert_f(f, "no debugfs dma_buf/bufinfo\n");
	while (fgets(line, sizeof(line), f)) {
		/* size flags mode count exp_name ino name */
		if (++lineno > 2 &&
		    sscanf(line, "%*s %*s %*s %*s %127s", name) == 1 &&
		    !strcmp(name, exp_name))
			n++;
	}
	fclose(f);
	return n;
}

struct buf_census buf_census(int fd)
{
	return (struct buf_census) {
		.vprime = bufinfo_count("vprime"),
		.cenalloc = bufinfo_count("cenalloc"),
		.vb2 = bufinfo_count("videobuf2_vmalloc") +
		       bufinfo_count("videobuf2_dma_contig"),
		.objects = vprime_debugfs_objects(fd),
	};
}

void assert_census_eq(int fd, const struct buf_census *before)
{
	struct buf_census now = buf_census(fd);

	igt_assert_eq(now.vprime, before->vprime);
	igt_assert_eq(now.cenalloc, before->cenalloc);
	igt_assert_eq(now.vb2, before->vb2);
	igt_assert_eq(now.objects, before->objects);
}

void cenalloc_policy(const char *rule)
{
	int fd = open("/sys/kernel/debug/cenalloc/policy", O_WRONLY);

	igt_assert(fd >= 0);
	igt_assert_eq((int)write(fd, rule, strlen(rule)), (int)strlen(rule));
	close(fd);
}

static sigjmp_buf sigbus_jmp;

static void sigbus_handler(int sig)
{
	siglongjmp(sigbus_jmp, sig);
}

bool vp_read_sigbus(const void *p)
{
	struct sigaction sa = { .sa_handler = sigbus_handler }, old;
	bool got;

	igt_assert_eq(sigaction(SIGBUS, &sa, &old), 0);
	if (sigsetjmp(sigbus_jmp, 1) == 0) {
		peek(p);
		got = false;
	} else {
		got = true;
	}
	igt_assert_eq(sigaction(SIGBUS, &old, NULL), 0);
	return got;
}

void pattern_fill(void *ptr, size_t size, uint32_t seed)
{
	uint32_t *p = ptr;
	size_t i;

	for (i = 0; i < size / 4; i++)
		p[i] = seed ^ (uint32_t)(i * 2654435761u);
}

bool pattern_check(const void *ptr, size_t size, uint32_t seed)
{
	const uint32_t *p = ptr;
	size_t i;

	for (i = 0; i < size / 4; i++) {
		if (p[i] != (seed ^ (uint32_t)(i * 2654435761u))) {
			igt_warn("pattern mismatch at word %zu: %#x\n", i,
				 p[i]);
			return false;
		}
	}
	return true;
}

int vprime_debugfs_objects(int fd)
{
	char path[128], line[512];
	struct stat st;
	int n = 0;
	FILE *f;

	igt_assert_eq(fstat(fd, &st), 0);
	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%u/vprime_objects",
		 minor(st.st_rdev));
	f = fopen(path, "r");
	igt_assert_f(f, "%s: %s\n", path, strerror(errno));
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

bool cenalloc_debugfs_has(const char *text)
{
	FILE *f = fopen("/sys/kernel/debug/cenalloc/buffers", "r");
	char line[512];
	bool found = false;

	igt_assert(f);
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, text);
	fclose(f);
	return found;
}

uint64_t cenalloc_reserve_bytes(void)
{
	FILE *f = fopen("/sys/kernel/debug/cenalloc/pool", "r");
	unsigned long long mib = 0;
	char line[256];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "reserve: %llu MiB", &mib) == 1)
			break;
	fclose(f);
	return mib << 20;
}
