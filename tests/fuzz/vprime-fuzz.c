// SPDX-License-Identifier: GPL-2.0
/*
 * vprime-fuzz: a bounded, seeded random-syscall fuzzer for vprime, cenalloc
 * and the dma-buf paths between them and vgem, the system dma-heap and
 * udmabuf.
 *
 *   vprime-fuzz [--seed N] [--seconds S] [--threads T] [--ops N] [--faults]
 *               [--policy] [--log FILE] [--log-every N]
 *
 * Reproducibility: worker thread i draws from its own xorshift64* state,
 * seeded with seed + i.  For each operation it draws two numbers: which
 * operation, and the seed of that operation's own generator, which draws
 * all its arguments.  So the sequence of operations and of their random
 * arguments depends only on the seed; what they act on (which handles exist,
 * what other threads closed) depends on earlier results.
 *
 * Threads keep private pools of file descriptors (DRM nodes, /dev/cenalloc,
 * dma-bufs), GEM handles and mappings, and race on a small shared pool of
 * descriptors and handles.  Only the owner of an entry closes or unmaps it:
 * other threads may be using a shared descriptor while it is closed, which
 * is the point, but the harness never closes or unmaps what it does not own.
 *
 * Memory: every object kept is at most FZ_KEEP_MAX bytes, the sizes of all
 * entries together (a buffer counts once per handle, fd and mapping) stay
 * under FZ_BUDGET, and an operation touches at most FZ_TOUCH_MAX bytes, so
 * a 2 GiB guest does not run out of memory.  Sizes between FZ_KEEP_MAX and
 * the driver's maximum are never requested: even an object released at
 * once could be allocated by another thread racing on its fd or handle.
 *
 * Each thread logs its last FZ_RING operations in a ring shared with its
 * fork()ed children.  The rings go to stderr at exit and on SIGUSR1, and
 * to --log FILE (rewritten in place) every --log-every operations.
 *
 * Exit status: 0 when the run completed (failing syscalls are expected),
 * 1 when the harness cannot run (no vprime node, no /dev/cenalloc, ...),
 * 2 for bad usage, 3 when a thread stayed stuck in the kernel.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <xf86drm.h>

#include <drm/vprime_drm.h>
#include <linux/cenalloc.h>

#if __has_include("linux/dma-heap.h")
#include <linux/dma-heap.h>
#endif
#if __has_include("linux/udmabuf.h")
#include <linux/udmabuf.h>
#endif

/* The uAPI of drivers/dma-buf/dma-heap.c, for headers that lack it. */
#ifndef DMA_HEAP_IOCTL_ALLOC
struct dma_heap_allocation_data {
	__u64 len;
	__u32 fd;
	__u32 fd_flags;
	__u64 heap_flags;
};

#define DMA_HEAP_IOCTL_ALLOC	_IOWR('H', 0x0, struct dma_heap_allocation_data)
#endif

/* The uAPI of drivers/dma-buf/udmabuf.c, for headers that lack it. */
#ifndef UDMABUF_CREATE
#define UDMABUF_FLAGS_CLOEXEC	0x01

struct udmabuf_create {
	__u32 memfd;
	__u32 flags;
	__u64 offset;
	__u64 size;
};

struct udmabuf_create_item {
	__u32 memfd;
	__u32 __pad;
	__u64 offset;
	__u64 size;
};

struct udmabuf_create_list {
	__u32 flags;
	__u32 count;
	struct udmabuf_create_item list[];
};

#define UDMABUF_CREATE		_IOW('u', 0x42, struct udmabuf_create)
#define UDMABUF_CREATE_LIST	_IOW('u', 0x43, struct udmabuf_create_list)
#endif

#define FZ_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define FZ_MAX_THREADS		64
#define FZ_RING			64	/* operations remembered per thread */
#define FZ_ARGS_LEN		160
#define FZ_MAX_DEVS		16	/* device fds per thread */
#define FZ_MAX_BUFS		64	/* dma-buf fds per thread */
#define FZ_MAX_HANDLES		64	/* GEM handles per thread */
#define FZ_MAX_MAPS		64	/* mappings per thread */
#define FZ_SHARED_DEVS		8
#define FZ_SHARED_BUFS		32
#define FZ_SHARED_HANDLES	32
#define FZ_STALE		8	/* fd numbers a thread closed lately */
#define FZ_SYNCOBJS		4
#define FZ_PAGE			4096UL
#define FZ_MIB			(1024UL * 1024)
#define FZ_KEEP_MAX		(64 * FZ_MIB)	/* largest object kept */
#define FZ_BUDGET		(512 * FZ_MIB)	/* all entries together */
#define FZ_TOUCH_MAX		(2 * FZ_MIB)	/* bytes touched per operation */
#define FZ_CENALLOC_MAX		(16ULL << 30)	/* CENALLOC_MAX_SIZE */
#define FZ_CHILD_OPS		16
#define FZ_CHILD_TIMEOUT_US	5000000		/* then SIGKILL */
#define FZ_CHILD_REAP_US	10000000	/* then give up on the child */
#define FZ_JOIN_GRACE_US	60000000	/* threads must stop by then */
#define FZ_IOCTL_RETRIES	64
#define FZ_NERRNO		256
#define FZ_SCRATCH		16384
#define FZ_READ_MAX		(256 * 1024)
#define FZ_MAX_NODES		32
#define FZ_MAX_STUCK		16
#define FZ_FAULT_PROBABILITY	"10"
#define FZ_POLICY		"/sys/kernel/debug/cenalloc/policy"
#define FZ_POLICY_SAVED		32

#define FZ_INC(x)		__atomic_fetch_add(&(x), 1, __ATOMIC_RELAXED)
#define FZ_LOAD(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define FZ_K(kind)		(1U << (kind))

enum fz_kind {
	FZ_KIND_NONE,
	FZ_KIND_VPRIME,		/* vprime primary node */
	FZ_KIND_VPRIME_RENDER,	/* vprime render node */
	FZ_KIND_VGEM,		/* vgem primary node */
	FZ_KIND_VGEM_RENDER,	/* vgem render node */
	FZ_KIND_CENALLOC,	/* /dev/cenalloc */
	FZ_KIND_HEAP,		/* /dev/dma_heap/system */
	FZ_KIND_UDMABUF,	/* /dev/udmabuf */
	FZ_KIND_NULL,		/* /dev/null */
	FZ_KIND_DMABUF,
	FZ_KIND_COUNT,
};

static const char * const fz_kind_names[FZ_KIND_COUNT] = {
	[FZ_KIND_NONE] = "none",
	[FZ_KIND_VPRIME] = "vprime",
	[FZ_KIND_VPRIME_RENDER] = "vprime-render",
	[FZ_KIND_VGEM] = "vgem",
	[FZ_KIND_VGEM_RENDER] = "vgem-render",
	[FZ_KIND_CENALLOC] = "cenalloc",
	[FZ_KIND_HEAP] = "dma-heap",
	[FZ_KIND_UDMABUF] = "udmabuf",
	[FZ_KIND_NULL] = "null",
	[FZ_KIND_DMABUF] = "dma-buf",
};

#define FZ_VPRIME_NODES	(FZ_K(FZ_KIND_VPRIME) | FZ_K(FZ_KIND_VPRIME_RENDER))
#define FZ_VGEM_NODES	(FZ_K(FZ_KIND_VGEM) | FZ_K(FZ_KIND_VGEM_RENDER))
#define FZ_DRM_NODES	(FZ_VPRIME_NODES | FZ_VGEM_NODES)
#define FZ_ANY_DEV	(~0U)

/* A device node or dma-buf descriptor. */
struct fz_file {
	int fd;
	enum fz_kind kind;
	uint64_t size;		/* dma-bufs: bytes, also the budget taken */
};

struct fz_handle {
	int fd;			/* the DRM file it belongs to */
	uint32_t handle;
	uint64_t size;		/* bytes, also the budget taken */
	uint64_t offset;	/* MAP_DUMB offset, 0 until known */
	bool by_child;		/* made by a fork()ed child, in the parent's file */
};

struct fz_map {
	uint8_t *addr;
	size_t len;		/* whole pages */
	uint64_t size;		/* budget taken: the object behind it */
	int fd;			/* the dma-buf mapped, -1 for a DRM mapping */
};

struct fz_pool {
	struct fz_file devs[FZ_MAX_DEVS];
	unsigned int ndevs, max_devs;
	struct fz_file bufs[FZ_MAX_BUFS];
	unsigned int nbufs, max_bufs;
	struct fz_handle handles[FZ_MAX_HANDLES];
	unsigned int nhandles, max_handles;
	struct fz_map maps[FZ_MAX_MAPS];	/* private pools only */
	unsigned int nmaps;
};

/* One operation in a thread's ring. */
struct fz_rec {
	unsigned long seq;
	pid_t tid;
	const char *op;
	long ret;
	int err;
	bool done;		/* false while a syscall of it is running */
	char args[FZ_ARGS_LEN];
};

struct fz_ring {
	unsigned long next;	/* sequence number of the next record */
	struct fz_rec rec[FZ_RING];
};

struct fz_thread {
	unsigned int id;
	pthread_t thread;
	pid_t tid;
	uint64_t rng;		/* draws the operations */
	uint64_t op_rng;	/* draws the current operation's arguments */
	bool child;		/* a fork()ed child running a few operations */
	unsigned long ops;
	struct fz_pool pool;
	int stale[FZ_STALE];	/* fd numbers this thread closed lately */
	unsigned int nstale, stale_next;
	uint32_t closed_handle;	/* the GEM handle closed last */
	uint32_t syncobj[FZ_SYNCOBJS];
	uint32_t fence[FZ_SYNCOBJS];	/* FENCE_ATTACH ids, maybe stale */
	int null_fd;
	int sock[2];		/* a datagram socketpair to pass fds to itself */
	struct fz_ring *ring;	/* MAP_SHARED: fork()ed children log to it */
	struct fz_rec *cur;	/* the record of the current operation */
	sigjmp_buf touch_jmp;
	int touching;		/* in fz_touch(): SIGBUS and SIGSEGV go back */
	uint8_t scratch[FZ_SCRATCH];
};

struct fz_op {
	const char *name;
	unsigned int weight;
	void (*fn)(struct fz_thread *t);
	bool no_child;		/* not in fork()ed children */
};

struct fz_node {
	char path[64];
	enum fz_kind kind;
	unsigned int minor;
};

static struct {
	uint64_t seed;
	unsigned int threads;
	unsigned int seconds;
	unsigned long ops;	/* per thread; 0: no limit */
	unsigned long log_every;
	const char *log;
	bool faults;
	bool policy;
} fz_cfg;

static struct fz_node fz_nodes[FZ_MAX_NODES];
static unsigned int fz_nnodes;
static uint64_t fz_max_object;	/* VPRIME_PARAM_MAX_OBJECT_SIZE */

/* Protects fz_shared. */
static pthread_mutex_t fz_shared_lock = PTHREAD_MUTEX_INITIALIZER;
/* Descriptors and handles every thread uses; protected by fz_shared_lock. */
static struct fz_pool fz_shared;

static struct fz_thread *fz_threads[FZ_MAX_THREADS];
static __thread struct fz_thread *fz_self;

/* Counters, updated with atomics. */
static unsigned long fz_errors[FZ_NERRNO];	/* [0]: errno out of range */
static unsigned long fz_total_ops;
static unsigned long fz_sigbus, fz_sigsegv, fz_forks, fz_kills;
static unsigned long fz_not_kept, fz_hidden_fds;
static uint64_t fz_budget_used;
static unsigned int fz_running;
static int fz_stop;
static sig_atomic_t fz_sig_stop, fz_sig_dump;
static bool fz_faults_on;
static int fz_log_fd = -1;
static pid_t fz_stuck[FZ_MAX_STUCK];
static unsigned int fz_nstuck;

/* ---- Random numbers ---- */

static uint64_t fz_splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t fz_seed_state(uint64_t seed)
{
	uint64_t s = fz_splitmix(seed);

	return s ? s : 1;
}

/* xorshift64* */
static uint64_t fz_xorshift(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static uint64_t fz_rand(struct fz_thread *t)
{
	return fz_xorshift(&t->op_rng);
}

static uint64_t fz_below(struct fz_thread *t, uint64_t n)
{
	return n ? fz_rand(t) % n : 0;
}

static bool fz_chance(struct fz_thread *t, unsigned int percent)
{
	return fz_below(t, 100) < percent;
}

static uint64_t fz_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void fz_sleep_us(long us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = us % 1000000 * 1000 };

	nanosleep(&ts, NULL);
}

/* ---- The operation log ---- */

static const char *fz_errname(int err, char *buf, size_t len)
{
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(buf, len, "E%d", err);
	return buf;
}

static void fz_begin(struct fz_thread *t, const char *op)
{
	unsigned long seq = t->ring->next++;
	struct fz_rec *r = &t->ring->rec[seq % FZ_RING];

	r->done = false;
	r->seq = seq;
	r->tid = t->tid;
	r->op = op;
	r->ret = 0;
	r->err = 0;
	r->args[0] = '\0';
	t->cur = r;
}

static void fz_vnote(struct fz_thread *t, const char *fmt, va_list ap)
{
	struct fz_rec *r = t->cur;
	size_t used = strnlen(r->args, FZ_ARGS_LEN - 1);

	vsnprintf(r->args + used, FZ_ARGS_LEN - used, fmt, ap);
}

/* Add what a syscall returned to the record. */
__attribute__((format(printf, 2, 3)))
static void fz_note(struct fz_thread *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fz_vnote(t, fmt, ap);
	va_end(ap);
}

/*
 * Describe the syscall about to be made: the ring shows it as running.
 * Calls after the first in an operation are separated by "; ".
 */
__attribute__((format(printf, 2, 3)))
static void fz_args(struct fz_thread *t, const char *fmt, ...)
{
	va_list ap;

	t->cur->done = false;
	if (t->cur->args[0])
		fz_note(t, "; ");
	va_start(ap, fmt);
	fz_vnote(t, fmt, ap);
	va_end(ap);
}

/* Record the result of the syscall fz_args() described; returns @ret. */
static long fz_done(struct fz_thread *t, long ret)
{
	int err = errno;
	struct fz_rec *r = t->cur;

	r->ret = ret;
	r->err = ret < 0 ? err : 0;
	r->done = true;
	if (ret < 0)
		FZ_INC(fz_errors[err > 0 && err < FZ_NERRNO ? err : 0]);
	errno = err;
	return ret;
}

static void fz_dump_ring(int fd, const struct fz_thread *t)
{
	const struct fz_ring *ring = t->ring;
	unsigned long next = ring->next, seq;
	char name[16];

	seq = next > FZ_RING ? next - FZ_RING : 0;
	for (; seq < next; seq++) {
		const struct fz_rec *r = &ring->rec[seq % FZ_RING];

		if (r->seq != seq || !r->op)
			continue;
		dprintf(fd, "T%u #%lu tid %d %s %.*s", t->id, seq, (int)r->tid,
			r->op, FZ_ARGS_LEN, r->args);
		if (!r->done)
			dprintf(fd, " -> (running)\n");
		else if (r->ret < 0)
			dprintf(fd, " -> %ld %s\n", r->ret,
				fz_errname(r->err, name, sizeof(name)));
		else
			dprintf(fd, " -> %ld\n", r->ret);
	}
}

static void fz_dump_all(int fd, const char *why)
{
	unsigned int i;

	dprintf(fd, "vprime-fuzz: last operations of each thread (%s), seed %llu:\n",
		why, (unsigned long long)fz_cfg.seed);
	for (i = 0; i < fz_cfg.threads; i++)
		if (fz_threads[i])
			fz_dump_ring(fd, fz_threads[i]);
}

/*
 * Rewrite --log FILE with the rings.  It stays open for the whole run: an
 * open() here would take an fd number a worker was about to get, and make
 * the run differ from another with the same seed.
 */
static void fz_write_log(const char *why)
{
	off_t end;

	if (fz_log_fd < 0 || lseek(fz_log_fd, 0, SEEK_SET))
		return;
	dprintf(fz_log_fd, "vprime-fuzz: seed %llu, threads %u, %lu ops so far\n",
		(unsigned long long)fz_cfg.seed, fz_cfg.threads, FZ_LOAD(fz_total_ops));
	fz_dump_all(fz_log_fd, why);
	end = lseek(fz_log_fd, 0, SEEK_CUR);
	if (end > 0 && ftruncate(fz_log_fd, end))
		return;
	fdatasync(fz_log_fd);
}

/* ---- Syscall helpers ---- */

/*
 * drmIoctl() restarts on EINTR and EAGAIN forever; a fuzzer must not hang
 * on a driver that keeps returning EAGAIN, so restart a bounded number of
 * times.
 */
/* The system dma-heap's device number, once known (0: none). */
static dev_t fz_heap_rdev;

/*
 * dma_heap_ioctl() dispatches on the ioctl number alone, and the system
 * heap allocates any length it is given, page by page, until the OOM
 * killer stops it: a dma-buf SYNC (nr 0) sent to the heap's fd is an
 * ALLOC of its flags as a length.  Only op_heap_alloc()'s ALLOC goes
 * there.
 */
static bool fz_heap_refuses(int fd, unsigned long request)
{
	struct stat st;

	return fz_heap_rdev && request != DMA_HEAP_IOCTL_ALLOC &&
	       !fstat(fd, &st) && S_ISCHR(st.st_mode) &&
	       st.st_rdev == fz_heap_rdev;
}

static int fz_ioctl(int fd, unsigned long request, void *arg)
{
	int ret, tries = 0;

	if (fz_heap_refuses(fd, request)) {
		errno = ENOTTY;
		return -1;
	}
	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN) &&
		 ++tries < FZ_IOCTL_RETRIES);
	return ret;
}

static uint64_t fz_fd_size(int fd)
{
	off_t end = lseek(fd, 0, SEEK_END);

	return end > 0 ? (uint64_t)end : 0;
}

/* Whether the dma-buf @fd was exported by @name (fdinfo's exp_name). */
static bool fz_is_exporter(int fd, const char *name)
{
	char path[64], text[512], key[64];
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	snprintf(key, sizeof(key), "exp_name:\t%s\n", name);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return false;
	n = read(f, text, sizeof(text) - 1);
	close(f);
	if (n <= 0)
		return false;
	text[n] = '\0';
	return strstr(text, key);
}

/*
 * Whether @fd is a dma-buf udmabuf exported.  Debian 6.1's udmabuf maps its
 * pages for the CPU with the direction of the first DMA_BUF_IOCTL_SYNC and
 * syncs later ones with theirs, and builds segments longer than its own
 * misc device and vgem declare (DMA-API debug warns about both, in
 * udmabuf): the fuzzer keeps such buffers away from both and fuzzes what
 * vprime does with them.
 */
static bool fz_is_udmabuf(int fd)
{
	return fz_is_exporter(fd, "udmabuf");
}

/*
 * drm_ioctl() dispatches on the ioctl number alone: another driver's ioctl
 * sent to a DRM fd runs a DRM one (VERSION, GET_UNIQUE...) that may write
 * through pointers in the struct.  Random bytes must not go there.
 */
static bool fz_is_drm_fd(int fd)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISCHR(st.st_mode) && major(st.st_rdev) == 226;
}

/* Whether @fd is a node of a vprime device. */
static bool fz_is_vprime_fd(int fd)
{
	char name[16] = "";
	struct drm_version v = {
		.name = name, .name_len = sizeof(name) - 1,
	};

	if (!fz_is_drm_fd(fd) || ioctl(fd, DRM_IOCTL_VERSION, &v))
		return false;
	return !strcmp(name, "vprime");
}

static bool fz_write_file(const char *path, const char *val, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = write(fd, val, len);
	close(fd);
	return n == (ssize_t)len;
}

static bool fz_write_str(const char *path, const char *val)
{
	return fz_write_file(path, val, strlen(val));
}

/* ---- The memory budget ---- */

static bool fz_budget_take(struct fz_thread *t, uint64_t size)
{
	uint64_t used = FZ_LOAD(fz_budget_used);

	do {
		if (size > FZ_KEEP_MAX || used + size > FZ_BUDGET) {
			FZ_INC(fz_not_kept);
			fz_note(t, " (not kept: %#llx bytes)", (unsigned long long)size);
			return false;
		}
	} while (!__atomic_compare_exchange_n(&fz_budget_used, &used, used + size,
					      false, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return true;
}

static void fz_budget_put(uint64_t size)
{
	__atomic_fetch_sub(&fz_budget_used, size, __ATOMIC_RELAXED);
}

/* ---- Pools ---- */

static void fz_lock(struct fz_thread *t)
{
	/* A child has no other threads and may have inherited a held lock. */
	if (!t->child)
		pthread_mutex_lock(&fz_shared_lock);
}

static void fz_unlock(struct fz_thread *t)
{
	if (!t->child)
		pthread_mutex_unlock(&fz_shared_lock);
}

static bool fz_is_drm(enum fz_kind kind)
{
	return FZ_K(kind) & FZ_DRM_NODES;
}

static void fz_stale_add(struct fz_thread *t, int fd)
{
	t->stale[t->stale_next++ % FZ_STALE] = fd;
	if (t->nstale < FZ_STALE)
		t->nstale++;
}

static void fz_close_fd(struct fz_thread *t, int fd)
{
	fz_args(t, "close %d", fd);
	fz_done(t, close(fd));
	fz_stale_add(t, fd);
}

static void fz_gem_close(struct fz_thread *t, int fd, uint32_t handle, bool dumb)
{
	if (dumb) {
		struct drm_mode_destroy_dumb arg = { .handle = handle };

		fz_args(t, "destroy_dumb fd=%d h=%u", fd, handle);
		fz_done(t, fz_ioctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &arg));
	} else {
		struct drm_gem_close arg = { .handle = handle };

		if (fz_chance(t, 3))
			arg.pad = (uint32_t)fz_rand(t);
		fz_args(t, "gem_close fd=%d h=%u pad=%u", fd, handle, arg.pad);
		fz_done(t, fz_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &arg));
	}
	t->closed_handle = handle;
}

static bool fz_keep_dev(struct fz_thread *t, int fd, enum fz_kind kind)
{
	struct fz_pool *p = &t->pool;

	if (p->ndevs < p->max_devs) {
		p->devs[p->ndevs++] = (struct fz_file){ .fd = fd, .kind = kind };
		return true;
	}
	fz_close_fd(t, fd);
	return false;
}

static bool fz_keep_buf(struct fz_thread *t, int fd, uint64_t size)
{
	struct fz_pool *p = &t->pool;

	if (p->nbufs < p->max_bufs && fz_budget_take(t, size)) {
		p->bufs[p->nbufs++] = (struct fz_file){
			.fd = fd, .kind = FZ_KIND_DMABUF, .size = size,
		};
		return true;
	}
	fz_close_fd(t, fd);
	return false;
}

static bool fz_keep_handle(struct fz_thread *t, int fd, uint32_t handle,
			   uint64_t size)
{
	struct fz_pool *p = &t->pool;

	if (p->nhandles < p->max_handles && fz_budget_take(t, size)) {
		p->handles[p->nhandles++] = (struct fz_handle){
			.fd = fd, .handle = handle, .size = size,
			.by_child = t->child,
		};
		return true;
	}
	fz_gem_close(t, fd, handle, false);
	return false;
}

static bool fz_keep_map(struct fz_thread *t, void *addr, size_t len,
			uint64_t size, int fd)
{
	struct fz_pool *p = &t->pool;

	len = (len + FZ_PAGE - 1) & ~(FZ_PAGE - 1);
	/* Longer than any object kept: only a kernel bug would allow it. */
	if (len > FZ_KEEP_MAX + 64 * FZ_PAGE) {
		fz_note(t, " (not kept: length)");
	} else if (p->nmaps < FZ_MAX_MAPS && fz_budget_take(t, size)) {
		p->maps[p->nmaps++] = (struct fz_map){
			.addr = addr, .len = len, .size = size, .fd = fd,
		};
		return true;
	}
	fz_args(t, "munmap %p+%#zx", addr, len);
	fz_done(t, munmap(addr, len));
	return false;
}

/* Forget @p's handles on DRM file @fd: closing the file releases them. */
static void fz_forget_handles(struct fz_pool *p, int fd)
{
	unsigned int i = 0;

	while (i < p->nhandles) {
		if (p->handles[i].fd == fd) {
			fz_budget_put(p->handles[i].size);
			p->handles[i] = p->handles[--p->nhandles];
		} else {
			i++;
		}
	}
}

static void fz_drop_dev(struct fz_thread *t, unsigned int i)
{
	struct fz_pool *p = &t->pool;
	int fd = p->devs[i].fd;

	p->devs[i] = p->devs[--p->ndevs];
	fz_forget_handles(p, fd);
	fz_close_fd(t, fd);
}

static void fz_drop_buf(struct fz_thread *t, unsigned int i)
{
	struct fz_pool *p = &t->pool;
	struct fz_file f = p->bufs[i];

	p->bufs[i] = p->bufs[--p->nbufs];
	fz_budget_put(f.size);
	fz_close_fd(t, f.fd);
}

/* Unmap a mapping; it stays in the pool if munmap() fails (ENOMEM). */
static void fz_drop_map(struct fz_thread *t, unsigned int i)
{
	struct fz_pool *p = &t->pool;
	struct fz_map m = p->maps[i];

	fz_args(t, "munmap %p+%#zx", m.addr, m.len);
	if (fz_done(t, munmap(m.addr, m.len)) < 0)
		return;
	p->maps[i] = p->maps[--p->nmaps];
	fz_budget_put(m.size);
}

/* Take a shared device fd out of the pool, with the shared handles on it. */
static bool fz_shared_take_dev(struct fz_thread *t, struct fz_file *f)
{
	bool found = false;

	fz_lock(t);
	if (fz_shared.ndevs) {
		unsigned int i = fz_below(t, fz_shared.ndevs);

		*f = fz_shared.devs[i];
		fz_shared.devs[i] = fz_shared.devs[--fz_shared.ndevs];
		fz_forget_handles(&fz_shared, f->fd);
		found = true;
	}
	fz_unlock(t);
	return found;
}

static bool fz_shared_take_buf(struct fz_thread *t, struct fz_file *f)
{
	bool found = false;

	fz_lock(t);
	if (fz_shared.nbufs) {
		unsigned int i = fz_below(t, fz_shared.nbufs);

		*f = fz_shared.bufs[i];
		fz_shared.bufs[i] = fz_shared.bufs[--fz_shared.nbufs];
		found = true;
	}
	fz_unlock(t);
	if (found)
		fz_budget_put(f->size);
	return found;
}

static bool fz_shared_take_handle(struct fz_thread *t, struct fz_handle *h)
{
	bool found = false;

	fz_lock(t);
	if (fz_shared.nhandles) {
		unsigned int i = fz_below(t, fz_shared.nhandles);

		*h = fz_shared.handles[i];
		fz_shared.handles[i] = fz_shared.handles[--fz_shared.nhandles];
		found = true;
	}
	fz_unlock(t);
	return found;
}

/* ---- Picking what an operation acts on ---- */

static int fz_open_kind(struct fz_thread *t, enum fz_kind kind);

/* Something that is not what the caller wants, or not open at all. */
static int fz_weird_fd(struct fz_thread *t)
{
	struct fz_pool *p = &t->pool;
	struct fz_file *f;

	switch (fz_below(t, 6)) {
	case 0:
		return -1;
	case 1:
		return t->null_fd;
	case 2:
		return t->nstale ? t->stale[fz_below(t, t->nstale)] : 1023;
	case 3:
		return INT_MAX;
	case 4:
		if (!p->ndevs)
			return t->null_fd;
		f = &p->devs[fz_below(t, p->ndevs)];
		/* vgem's private ioctls share numbers with vprime's: skip it. */
		return fz_is_drm(f->kind) && !(FZ_K(f->kind) & FZ_VPRIME_NODES) ?
		       t->null_fd : f->fd;
	default:
		return p->nbufs ? p->bufs[fz_below(t, p->nbufs)].fd : -1;
	}
}

/* A kind of @kinds that has a node, at random. */
static enum fz_kind fz_kind_of(struct fz_thread *t, unsigned int kinds)
{
	enum fz_kind cand[FZ_KIND_COUNT];
	unsigned int i, n = 0;
	int k;

	for (k = FZ_KIND_NONE; k < FZ_KIND_COUNT; k++) {
		if (!(kinds & FZ_K(k)))
			continue;
		for (i = 0; i < fz_nnodes; i++) {
			if (fz_nodes[i].kind == (enum fz_kind)k) {
				cand[n++] = k;
				break;
			}
		}
	}
	return n ? cand[fz_below(t, n)] : FZ_KIND_NONE;
}

/*
 * A device fd of one of @kinds (FZ_K() bits): a private one, a shared one,
 * a newly opened one when there is none, or rarely something else.
 */
static int fz_pick_dev(struct fz_thread *t, unsigned int kinds)
{
	struct fz_pool *p = &t->pool;
	int cand[FZ_MAX_DEVS];
	unsigned int i, n = 0;

	if (fz_chance(t, 4))
		return fz_weird_fd(t);
	if (fz_chance(t, 25)) {
		fz_lock(t);
		for (i = 0; i < fz_shared.ndevs && n < FZ_MAX_DEVS; i++)
			if (kinds & FZ_K(fz_shared.devs[i].kind))
				cand[n++] = fz_shared.devs[i].fd;
		fz_unlock(t);
	}
	if (!n)
		for (i = 0; i < p->ndevs; i++)
			if (kinds & FZ_K(p->devs[i].kind))
				cand[n++] = p->devs[i].fd;
	if (n)
		return cand[fz_below(t, n)];
	return fz_open_kind(t, fz_kind_of(t, kinds));
}

/* A dma-buf fd and its size (0 if unknown), mostly from the pools. */
static int fz_pick_buf(struct fz_thread *t, uint64_t *size)
{
	struct fz_pool *p = &t->pool;
	bool found = false;
	unsigned int i;
	int fd = -1;

	*size = 0;
	if (!fz_chance(t, 4)) {
		if (fz_chance(t, 25)) {
			fz_lock(t);
			if (fz_shared.nbufs) {
				i = fz_below(t, fz_shared.nbufs);
				fd = fz_shared.bufs[i].fd;
				*size = fz_shared.bufs[i].size;
				found = true;
			}
			fz_unlock(t);
		}
		if (!found && p->nbufs) {
			i = fz_below(t, p->nbufs);
			fd = p->bufs[i].fd;
			*size = p->bufs[i].size;
			found = true;
		}
	}
	if (!found) {
		fd = fz_weird_fd(t);
		*size = fz_fd_size(fd);
	}
	return fd;
}

static uint32_t fz_rand_handle(struct fz_thread *t)
{
	switch (fz_below(t, 6)) {
	case 0:
		return 0;
	case 1:
		return t->closed_handle;
	case 2:
		return UINT32_MAX;
	case 3:
		return (uint32_t)fz_rand(t);
	default:
		return 1 + fz_below(t, 64);
	}
}

/*
 * A GEM handle: a private one (*@idx is its index), a shared one or a made
 * up one (*@idx is -1).
 */
static void fz_pick_handle(struct fz_thread *t, struct fz_handle *h, int *idx)
{
	struct fz_pool *p = &t->pool;
	bool found = false;

	*idx = -1;
	if (fz_chance(t, 25)) {
		fz_lock(t);
		if (fz_shared.nhandles) {
			*h = fz_shared.handles[fz_below(t, fz_shared.nhandles)];
			found = true;
		}
		fz_unlock(t);
	}
	if (!found && p->nhandles && !fz_chance(t, 3)) {
		*idx = fz_below(t, p->nhandles);
		*h = p->handles[*idx];
		found = true;
	}
	if (!found) {
		memset(h, 0, sizeof(*h));
		h->fd = fz_pick_dev(t, FZ_DRM_NODES);
		h->handle = fz_rand_handle(t);
	}
}

/* ---- Random arguments ---- */

/* A size the kernel must refuse: above @max. */
static uint64_t fz_huge_size(struct fz_thread *t, uint64_t max)
{
	uint64_t v;

	switch (fz_below(t, 7)) {
	case 0:
		v = max + 1;
		break;
	case 1:
		v = max + FZ_PAGE;
		break;
	case 2:
		v = UINT64_MAX;
		break;
	case 3:
		v = UINT64_MAX - FZ_PAGE + 2;	/* rounds up to 0 */
		break;
	case 4:
		v = 1ULL << 63;
		break;
	case 5:
		v = max * 2;
		break;
	default:
		v = fz_rand(t) | (1ULL << 62);
		break;
	}
	return v > max ? v : UINT64_MAX;
}

/*
 * A buffer size: mostly 4 KiB to 4 MiB, sometimes odd or zero, rarely up to
 * FZ_KEEP_MAX or above @max.
 */
static uint64_t fz_rand_size(struct fz_thread *t, uint64_t max)
{
	unsigned int r = fz_below(t, 100);

	if (r < 4)
		return 0;
	if (r < 10)
		return 1 + fz_below(t, FZ_PAGE - 1);
	if (r < 55)
		return FZ_PAGE * (1 + fz_below(t, 16));
	if (r < 85)
		return FZ_PAGE * (16 + fz_below(t, 1009));
	if (r < 90)
		return 1 + fz_below(t, 4 * FZ_MIB);
	if (r < 94)
		return 4 * FZ_MIB + 1 + fz_below(t, FZ_KEEP_MAX - 4 * FZ_MIB);
	return fz_huge_size(t, max);
}

/* CENALLOC_FLAG_* and VPRIME_GEM_CREATE_* flags, sometimes invalid. */
static uint32_t fz_rand_cflags(struct fz_thread *t)
{
	unsigned int r = fz_below(t, 10);

	if (r < 4)
		return 0;
	if (r < 8)
		return fz_below(t, CENALLOC_FLAGS_VALID + 1);
	if (r < 9)
		return 1U << fz_below(t, 32);
	return (uint32_t)fz_rand(t);
}

/* Flags of a new file descriptor. */
static uint32_t fz_fd_flags(struct fz_thread *t)
{
	switch (fz_below(t, 10)) {
	case 0:
		return O_RDONLY | O_CLOEXEC;
	case 1:
		return O_WRONLY;
	case 2:
		return fz_chance(t, 50) ? O_ACCMODE : O_RDWR | O_NONBLOCK;
	case 3:
		return (uint32_t)fz_rand(t);
	default:
		return O_RDWR | O_CLOEXEC;
	}
}

static int fz_rand_prot(struct fz_thread *t)
{
	static const int prots[] = {
		PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE,
		PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE,
		PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE,
		PROT_READ, PROT_READ, PROT_READ, PROT_WRITE, PROT_NONE,
		PROT_READ | PROT_WRITE | PROT_EXEC, PROT_READ | PROT_EXEC,
	};

	return prots[fz_below(t, FZ_ARRAY_SIZE(prots))];
}

/* MAP_SHARED mostly; MAP_POPULATE only where the budget covers it. */
static int fz_rand_mflags(struct fz_thread *t, size_t len)
{
	unsigned int r = fz_below(t, 100);

	if (r < 85)
		return MAP_SHARED;
	if (r < 97 || len > 4 * FZ_MIB)
		return MAP_PRIVATE;
	return MAP_SHARED | MAP_POPULATE;
}

/* A mapping length for an object of @size bytes (0: unknown). */
static size_t fz_rand_len(struct fz_thread *t, uint64_t size)
{
	uint64_t pages = (size + FZ_PAGE - 1) / FZ_PAGE;
	unsigned int r = fz_below(t, 100);

	if (!pages)
		pages = 1 + fz_below(t, 16);
	if (r < 55)
		return pages * FZ_PAGE;
	if (r < 80)
		return FZ_PAGE * (1 + fz_below(t, pages));
	if (r < 84)
		return 0;
	if (r < 92)
		return (pages + 1 + fz_below(t, 4)) * FZ_PAGE;
	return 1 + fz_below(t, pages * FZ_PAGE);
}

static uint64_t fz_rand_offset(struct fz_thread *t, uint64_t size)
{
	uint64_t pages = size / FZ_PAGE;
	unsigned int r = fz_below(t, 100);

	if (r < 75)
		return 0;
	if (r < 90)
		return FZ_PAGE * fz_below(t, pages ? pages : 1);
	if (r < 95)
		return FZ_PAGE * (pages + fz_below(t, 4));
	return 1 + fz_below(t, FZ_PAGE - 1);
}

/* ---- Device nodes ---- */

/* Open a node of @kind and keep it; returns the fd or -1. */
static int fz_open_kind(struct fz_thread *t, enum fz_kind kind)
{
	const struct fz_node *node = NULL;
	unsigned int i, n = 0, pick;
	int flags, fd;

	for (i = 0; i < fz_nnodes; i++)
		if (fz_nodes[i].kind == kind)
			n++;
	if (!n) {
		fz_note(t, "no %s node", fz_kind_names[kind]);
		return -1;
	}
	pick = fz_below(t, n);
	for (i = 0; i < fz_nnodes && !node; i++)
		if (fz_nodes[i].kind == kind && !pick--)
			node = &fz_nodes[i];
	flags = fz_chance(t, 90) ? O_RDWR | O_CLOEXEC : O_RDONLY | O_CLOEXEC;
	fz_args(t, "open %s %s", node->path, flags & O_RDWR ? "rw" : "ro");
	fd = fz_done(t, open(node->path, flags));
	if (fd < 0)
		return -1;
	fz_note(t, " -> %d", fd);
	return fz_keep_dev(t, fd, kind) ? fd : -1;
}

static void op_open_node(struct fz_thread *t)
{
	static const enum fz_kind kinds[] = {
		FZ_KIND_VPRIME, FZ_KIND_VPRIME, FZ_KIND_VPRIME, FZ_KIND_VPRIME,
		FZ_KIND_VPRIME_RENDER, FZ_KIND_VPRIME_RENDER,
		FZ_KIND_VPRIME_RENDER, FZ_KIND_VGEM, FZ_KIND_VGEM_RENDER,
		FZ_KIND_CENALLOC, FZ_KIND_CENALLOC, FZ_KIND_HEAP,
		FZ_KIND_UDMABUF, FZ_KIND_NULL,
	};

	fz_open_kind(t, kinds[fz_below(t, FZ_ARRAY_SIZE(kinds))]);
}

static void op_close_node(struct fz_thread *t)
{
	struct fz_file f;

	if (fz_chance(t, 25) && fz_shared_take_dev(t, &f)) {
		fz_forget_handles(&t->pool, f.fd);
		fz_args(t, "shared");
		fz_close_fd(t, f.fd);
		return;
	}
	if (!t->pool.ndevs) {
		fz_note(t, "no node open");
		return;
	}
	fz_drop_dev(t, fz_below(t, t->pool.ndevs));
}

static bool fz_shared_add(struct fz_thread *t, const struct fz_file *f)
{
	bool added = false;

	fz_lock(t);
	if (f->kind == FZ_KIND_DMABUF) {
		if (fz_shared.nbufs < fz_shared.max_bufs &&
		    fz_budget_take(t, f->size)) {
			fz_shared.bufs[fz_shared.nbufs++] = *f;
			added = true;
		}
	} else if (fz_shared.ndevs < fz_shared.max_devs) {
		fz_shared.devs[fz_shared.ndevs++] = *f;
		added = true;
	}
	fz_unlock(t);
	return added;
}

/* Move a private handle on a shared DRM file into the shared pool. */
static void fz_share_handle(struct fz_thread *t)
{
	struct fz_pool *p = &t->pool;
	unsigned int i, j;
	bool moved = false;

	if (!p->nhandles) {
		fz_note(t, "no handle");
		return;
	}
	i = fz_below(t, p->nhandles);
	fz_note(t, "handle fd=%d h=%u", p->handles[i].fd, p->handles[i].handle);
	fz_lock(t);
	for (j = 0; j < fz_shared.ndevs && !moved; j++) {
		if (fz_shared.devs[j].fd != p->handles[i].fd ||
		    fz_shared.nhandles >= fz_shared.max_handles)
			continue;
		fz_shared.handles[fz_shared.nhandles++] = p->handles[i];
		p->handles[i] = p->handles[--p->nhandles];
		moved = true;
	}
	fz_unlock(t);
	fz_note(t, "%s", moved ? " shared" : " not on a shared file");
}

/*
 * Move a private device fd into the shared pool.  Not a dup: the handles
 * of a DRM file must die with the one fd the pools know for it, or their
 * budget would be returned while the objects live on.
 */
static void fz_share_dev(struct fz_thread *t)
{
	struct fz_pool *p = &t->pool;
	unsigned int i = fz_below(t, p->ndevs);
	bool moved;

	fz_note(t, "move %s %d", fz_kind_names[p->devs[i].kind], p->devs[i].fd);
	moved = fz_shared_add(t, &p->devs[i]);
	if (moved)
		p->devs[i] = p->devs[--p->ndevs];
	fz_note(t, "%s", moved ? " shared" : " (shared pool full)");
}

static void op_share(struct fz_thread *t)
{
	struct fz_pool *p = &t->pool;
	unsigned int what = fz_below(t, 3);
	struct fz_file f;
	int fd;

	if (what == 2) {
		fz_share_handle(t);
		return;
	}
	if (what == 0 && p->ndevs) {
		fz_share_dev(t);
		return;
	}
	if (what != 1 || !p->nbufs) {
		fz_note(t, "nothing to share");
		return;
	}
	f = p->bufs[fz_below(t, p->nbufs)];
	fz_args(t, "dup %s %d", fz_kind_names[f.kind], f.fd);
	fd = fz_done(t, fcntl(f.fd, F_DUPFD_CLOEXEC, 3));
	if (fd < 0)
		return;
	f.fd = fd;
	if (!fz_shared_add(t, &f))
		fz_close_fd(t, fd);
}

/* ---- GEM ---- */

static void op_gem_create(struct fz_thread *t)
{
	struct drm_vprime_gem_create arg = {
		.size = fz_rand_size(t, fz_max_object),
		.flags = fz_rand_cflags(t),
	};
	int fd = fz_pick_dev(t, FZ_VPRIME_NODES);

	if (fz_chance(t, 3))
		arg.handle = (uint32_t)fz_rand(t);
	fz_args(t, "fd=%d size=%#llx flags=%#x", fd,
		(unsigned long long)arg.size, arg.flags);
	if (fz_done(t, fz_ioctl(fd, DRM_IOCTL_VPRIME_GEM_CREATE, &arg)) < 0)
		return;
	fz_note(t, " -> h=%u size=%#llx", arg.handle,
		(unsigned long long)arg.size);
	fz_keep_handle(t, fd, arg.handle, arg.size);
}

static void op_gem_info(struct fz_thread *t)
{
	struct drm_vprime_gem_info arg;
	struct fz_handle h;
	int idx, fd;

	fz_pick_handle(t, &h, &idx);
	memset(&arg, 0, sizeof(arg));
	arg.handle = fz_chance(t, 10) ? fz_rand_handle(t) : h.handle;
	arg.flags = fz_chance(t, 90) ? 0 : (uint32_t)fz_rand(t);
	fd = fz_chance(t, 5) ? fz_pick_dev(t, FZ_VPRIME_NODES) : h.fd;
	fz_args(t, "fd=%d h=%u flags=%#x", fd, arg.handle, arg.flags);
	if (fz_done(t, fz_ioctl(fd, DRM_IOCTL_VPRIME_GEM_INFO, &arg)) == 0)
		fz_note(t, " -> size=%#llx state=%#x alloc=%u attach=%u",
			(unsigned long long)arg.size, arg.state, arg.allocator,
			arg.num_attachments);
}

static void op_getparam(struct fz_thread *t)
{
	struct drm_vprime_getparam arg = {
		.param = fz_chance(t, 90) ? fz_below(t, 6) : (uint32_t)fz_rand(t),
		.pad = fz_chance(t, 95) ? 0 : (uint32_t)fz_rand(t),
	};
	int fd = fz_pick_dev(t, FZ_VPRIME_NODES);

	fz_args(t, "fd=%d param=%u pad=%u", fd, arg.param, arg.pad);
	if (fz_done(t, fz_ioctl(fd, DRM_IOCTL_VPRIME_GETPARAM, &arg)) == 0)
		fz_note(t, " -> %#llx", (unsigned long long)arg.value);
}

/*
 * FENCE_ATTACH on a handle (read or write, maybe with a sync_file or a
 * syncobj out-fence), or FENCE_SIGNAL of an id it got, a stale one or a
 * random one.  Unsignalled fences expire (vprime's fence_timeout_ms) or
 * are signalled when their file closes.
 */
static void op_fence(struct fz_thread *t)
{
	unsigned int slot = fz_below(t, FZ_SYNCOBJS);
	struct fz_handle h;
	int idx, fd;

	fz_pick_handle(t, &h, &idx);
	fd = h.fd;
	if (fz_chance(t, 50)) {
		struct drm_vprime_fence_attach a = {
			.handle = fz_chance(t, 10) ? fz_rand_handle(t) : h.handle,
			.flags = fz_chance(t, 90) ? fz_below(t, 8) :
				 (uint32_t)fz_rand(t),
			.pad = fz_chance(t, 95) ? 0 : 1,
		};

		if (a.flags & VPRIME_FENCE_SYNCOBJ) {
			a.syncobj = t->syncobj[slot];
			a.point = fz_chance(t, 50) ? 0 : fz_below(t, 8);
		}
		fz_args(t, "attach fd=%d h=%u flags=%#x syncobj=%u point=%llu",
			fd, a.handle, a.flags, a.syncobj,
			(unsigned long long)a.point);
		if (fz_done(t, fz_ioctl(fd, DRM_IOCTL_VPRIME_FENCE_ATTACH,
					&a)) == 0) {
			t->fence[slot] = a.fence;
			fz_note(t, " -> fence=%u sync_file=%d", a.fence,
				a.sync_file_fd);
			if (a.sync_file_fd >= 0)
				close(a.sync_file_fd);
		}
	} else {
		struct drm_vprime_fence_signal s = {
			.fence = fz_chance(t, 90) ? t->fence[slot] :
				 (uint32_t)fz_rand(t),
			.error = fz_chance(t, 80) ? 0 :
				 fz_chance(t, 80) ? -(int32_t)fz_below(t, 200) :
				 (int32_t)fz_rand(t),
		};

		fz_args(t, "signal fd=%d fence=%u error=%d", fd, s.fence,
			s.error);
		fz_done(t, fz_ioctl(fd, DRM_IOCTL_VPRIME_FENCE_SIGNAL, &s));
	}
}

/*
 * Dumb buffer dimensions: mostly sane, else edge values.  A request that
 * is valid but above FZ_KEEP_MAX gets height 0 (see the top comment).
 */
static void fz_dumb_dims(struct fz_thread *t, struct drm_mode_create_dumb *arg)
{
	static const uint32_t dims[] = {
		0, 1, 3, 64, 1920, 4096, 16384, 65535, 65536, 0x10000001,
		0x7fffffff, 0x80000000, 0xffffffff,
	};
	static const uint32_t bpps[] = {
		0, 1, 8, 12, 15, 16, 24, 30, 32, 48, 64, 65, 128, 0x7fffffff,
		0xffffffff,
	};
	static const uint32_t sane_bpps[] = { 8, 16, 32, 32, 64 };
	uint64_t pitch, size;

	if (fz_chance(t, 75)) {
		arg->width = 1 + fz_below(t, 1024);
		arg->height = 1 + fz_below(t, 1024);
		arg->bpp = sane_bpps[fz_below(t, FZ_ARRAY_SIZE(sane_bpps))];
		return;
	}
	arg->width = fz_chance(t, 50) ? dims[fz_below(t, FZ_ARRAY_SIZE(dims))] :
		     1 + fz_below(t, 4096);
	arg->height = fz_chance(t, 50) ? dims[fz_below(t, FZ_ARRAY_SIZE(dims))] :
		      1 + fz_below(t, 4096);
	arg->bpp = bpps[fz_below(t, FZ_ARRAY_SIZE(bpps))];
	pitch = ((uint64_t)arg->width * (((uint64_t)arg->bpp + 7) / 8) + 63) & ~63ULL;
	if (__builtin_mul_overflow(pitch, (uint64_t)arg->height, &size))
		size = UINT64_MAX;
	if (size > FZ_KEEP_MAX && size <= (8ULL << 30))
		arg->height = 0;
}

static void op_dumb_create(struct fz_thread *t)
{
	struct drm_mode_create_dumb arg;
	int fd = fz_pick_dev(t, fz_chance(t, 80) ? FZ_VPRIME_NODES : FZ_DRM_NODES);

	memset(&arg, 0, sizeof(arg));
	fz_dumb_dims(t, &arg);
	if (fz_chance(t, 5))
		arg.flags = (uint32_t)fz_rand(t);
	if (fz_chance(t, 3)) {
		arg.handle = (uint32_t)fz_rand(t);
		arg.pitch = (uint32_t)fz_rand(t);
		arg.size = fz_rand(t);
	}
	fz_args(t, "fd=%d %ux%u bpp=%u flags=%#x", fd, arg.width, arg.height,
		arg.bpp, arg.flags);
	if (fz_done(t, fz_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &arg)) < 0)
		return;
	fz_note(t, " -> h=%u pitch=%u size=%#llx", arg.handle, arg.pitch,
		(unsigned long long)arg.size);
	fz_keep_handle(t, fd, arg.handle, arg.size);
}

/* MAP_DUMB; returns the offset, 0 on failure. */
static uint64_t fz_map_dumb(struct fz_thread *t, const struct fz_handle *h,
			    int idx)
{
	struct drm_mode_map_dumb arg = { .handle = h->handle };

	if (fz_chance(t, 5))
		arg.pad = (uint32_t)fz_rand(t);
	if (fz_chance(t, 5))
		arg.offset = fz_rand(t);
	fz_args(t, "map_dumb fd=%d h=%u pad=%u", h->fd, arg.handle, arg.pad);
	if (fz_done(t, fz_ioctl(h->fd, DRM_IOCTL_MODE_MAP_DUMB, &arg)) < 0)
		return 0;
	fz_note(t, " -> %#llx", (unsigned long long)arg.offset);
	if (idx >= 0)
		t->pool.handles[idx].offset = arg.offset;
	return arg.offset;
}

static void op_map_dumb(struct fz_thread *t)
{
	struct fz_handle h;
	int idx;

	fz_pick_handle(t, &h, &idx);
	fz_map_dumb(t, &h, idx);
}

static void op_gem_close(struct fz_thread *t)
{
	unsigned int mode = fz_below(t, 10);
	struct fz_pool *p = &t->pool;
	struct fz_handle h;
	unsigned int i;

	if (mode >= 8) {
		int fd = fz_pick_dev(t, FZ_DRM_NODES);

		fz_gem_close(t, fd, mode == 8 ? fz_rand_handle(t) : t->closed_handle,
			     false);
		return;
	}
	if (fz_chance(t, 25) && fz_shared_take_handle(t, &h)) {
		fz_note(t, "shared");
	} else if (p->nhandles) {
		i = fz_below(t, p->nhandles);
		h = p->handles[i];
		p->handles[i] = p->handles[--p->nhandles];
	} else {
		fz_note(t, "no handle");
		return;
	}
	fz_budget_put(h.size);
	fz_gem_close(t, h.fd, h.handle, mode == 7);
	if (fz_chance(t, 20))
		fz_gem_close(t, h.fd, h.handle, false);
}

static void op_flink_open(struct fz_thread *t)
{
	struct drm_gem_flink flink;
	struct drm_gem_open open_arg;
	struct fz_handle h;
	int idx, fd;
	long ret;

	fz_pick_handle(t, &h, &idx);
	memset(&flink, 0, sizeof(flink));
	memset(&open_arg, 0, sizeof(open_arg));
	flink.handle = h.handle;
	fz_args(t, "flink fd=%d h=%u", h.fd, flink.handle);
	ret = fz_done(t, fz_ioctl(h.fd, DRM_IOCTL_GEM_FLINK, &flink));
	if (ret == 0)
		fz_note(t, " -> name %u", flink.name);
	if (ret == 0 && !fz_chance(t, 10))
		open_arg.name = flink.name;
	else
		open_arg.name = fz_chance(t, 50) ? 1 + fz_below(t, 64) : fz_rand_handle(t);
	fd = fz_chance(t, 50) ? h.fd : fz_pick_dev(t, FZ_DRM_NODES);
	fz_args(t, "gem_open fd=%d name=%u", fd, open_arg.name);
	if (fz_done(t, fz_ioctl(fd, DRM_IOCTL_GEM_OPEN, &open_arg)) < 0)
		return;
	fz_note(t, " -> h=%u size=%#llx", open_arg.handle,
		(unsigned long long)open_arg.size);
	fz_keep_handle(t, fd, open_arg.handle, open_arg.size);
}

/* ---- PRIME ---- */

static uint32_t fz_prime_flags(struct fz_thread *t)
{
	switch (fz_below(t, 10)) {
	case 0:
		return DRM_CLOEXEC;
	case 1:
		return 0;
	case 2:
		return DRM_CLOEXEC | O_WRONLY;
	case 3:
		return (uint32_t)fz_rand(t);
	default:
		return DRM_CLOEXEC | DRM_RDWR;
	}
}

/* PRIME export; returns the dma-buf fd (not kept yet) or -1. */
static int fz_export(struct fz_thread *t, int fd, uint32_t handle, uint32_t flags)
{
	struct drm_prime_handle arg = { .handle = handle, .flags = flags, .fd = -1 };

	if (fz_chance(t, 3))
		arg.fd = (int)fz_rand(t);
	fz_args(t, "export fd=%d h=%u flags=%#x", fd, handle, flags);
	if (fz_done(t, fz_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &arg)) < 0)
		return -1;
	fz_note(t, " -> %d", arg.fd);
	return arg.fd;
}

/* PRIME import into @drm, keeping the handle; returns 0 or -1. */
static int fz_import(struct fz_thread *t, int drm, int dmabuf, uint64_t size)
{
	struct drm_prime_handle arg = { .fd = dmabuf };

	if (fz_chance(t, 10))
		arg.flags = (uint32_t)fz_rand(t);
	if (fz_chance(t, 3))
		arg.handle = (uint32_t)fz_rand(t);
	/*
	 * vgem maps at import: see fz_is_udmabuf().  Linux 6.1's system
	 * dma-heap also maps 1 MiB segments for vgem's 64 KiB device.
	 */
	if ((fz_is_udmabuf(dmabuf) || fz_is_exporter(dmabuf, "system")) &&
	    !fz_is_vprime_fd(drm))
		return -1;
	fz_args(t, "import fd=%d into %d flags=%#x", dmabuf, drm, arg.flags);
	if (fz_done(t, fz_ioctl(drm, DRM_IOCTL_PRIME_FD_TO_HANDLE, &arg)) < 0)
		return -1;
	fz_note(t, " -> h=%u", arg.handle);
	fz_keep_handle(t, drm, arg.handle, size);
	return 0;
}

static void op_prime_export(struct fz_thread *t)
{
	struct fz_handle h;
	int idx, fd;

	fz_pick_handle(t, &h, &idx);
	fd = fz_export(t, h.fd, h.handle, fz_prime_flags(t));
	if (fd >= 0)
		fz_keep_buf(t, fd, fz_fd_size(fd));
}

static void op_prime_import(struct fz_thread *t)
{
	unsigned int r = fz_below(t, 20);
	uint64_t size;
	int src, drm;

	if (r < 14)
		src = fz_pick_buf(t, &size);
	else if (r < 17)
		src = fz_pick_dev(t, FZ_ANY_DEV);
	else
		src = fz_weird_fd(t);
	drm = fz_pick_dev(t, fz_chance(t, 80) ? FZ_VPRIME_NODES : FZ_DRM_NODES);
	fz_import(t, drm, src, fz_fd_size(src));
}

/* Pick an exporter and an importer, with vgem on one side when present. */
static void fz_cross_pair(struct fz_thread *t, int *exporter, int *importer)
{
	unsigned int r = fz_below(t, 4);
	bool vgem = fz_kind_of(t, FZ_K(FZ_KIND_VGEM)) != FZ_KIND_NONE;

	if (vgem && r < 2) {
		*exporter = fz_pick_dev(t, FZ_K(FZ_KIND_VGEM));
		*importer = fz_pick_dev(t, FZ_VPRIME_NODES);
	} else if (vgem && r < 3) {
		*exporter = fz_pick_dev(t, FZ_K(FZ_KIND_VPRIME));
		*importer = fz_pick_dev(t, FZ_VGEM_NODES);
	} else {
		*exporter = fz_pick_dev(t, FZ_K(FZ_KIND_VPRIME));
		*importer = fz_pick_dev(t, FZ_VPRIME_NODES);
	}
}

/* A dumb buffer on one device, exported and imported into another. */
static void op_cross_import(struct fz_thread *t)
{
	struct drm_mode_create_dumb dumb;
	int exporter, importer, dmabuf;

	fz_cross_pair(t, &exporter, &importer);
	memset(&dumb, 0, sizeof(dumb));
	dumb.width = 1 + fz_below(t, 512);
	dumb.height = 1 + fz_below(t, 512);
	dumb.bpp = 32;
	fz_args(t, "dumb fd=%d %ux%u", exporter, dumb.width, dumb.height);
	if (fz_done(t, fz_ioctl(exporter, DRM_IOCTL_MODE_CREATE_DUMB, &dumb)) < 0)
		return;
	fz_note(t, " -> h=%u", dumb.handle);
	dmabuf = fz_export(t, exporter, dumb.handle, DRM_CLOEXEC | DRM_RDWR);
	if (dmabuf >= 0)
		fz_import(t, importer, dmabuf, dumb.size);
	if (fz_chance(t, 50))
		fz_keep_handle(t, exporter, dumb.handle, dumb.size);
	else
		fz_gem_close(t, exporter, dumb.handle, false);
	if (dmabuf < 0)
		return;
	if (fz_chance(t, 50))
		fz_keep_buf(t, dmabuf, dumb.size);
	else
		fz_close_fd(t, dmabuf);
}

/* ---- Other DRM ioctls ---- */

static void op_caps(struct fz_thread *t)
{
	int fd = fz_pick_dev(t, FZ_DRM_NODES);

	if (fz_chance(t, 50)) {
		struct drm_get_cap arg = {
			.capability = fz_chance(t, 80) ? fz_below(t, 0x20) : fz_rand(t),
		};

		fz_args(t, "get_cap fd=%d cap=%#llx", fd,
			(unsigned long long)arg.capability);
		if (fz_done(t, fz_ioctl(fd, DRM_IOCTL_GET_CAP, &arg)) == 0)
			fz_note(t, " -> %#llx", (unsigned long long)arg.value);
	} else {
		struct drm_set_client_cap arg = {
			.capability = fz_chance(t, 80) ? fz_below(t, 8) : fz_rand(t),
			.value = fz_chance(t, 80) ? fz_below(t, 3) : fz_rand(t),
		};

		fz_args(t, "set_client_cap fd=%d cap=%#llx value=%#llx", fd,
			(unsigned long long)arg.capability,
			(unsigned long long)arg.value);
		fz_done(t, fz_ioctl(fd, DRM_IOCTL_SET_CLIENT_CAP, &arg));
	}
}

static uint64_t fz_timeout_ns(struct fz_thread *t)
{
	struct timespec ts;

	if (fz_chance(t, 50))
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + 1000000;
}

static uint32_t fz_syncobj_flags(struct fz_thread *t)
{
	return fz_chance(t, 90) ? fz_below(t, 8) : (uint32_t)fz_rand(t);
}

static void fz_syncobj_create(struct fz_thread *t, int fd)
{
	struct drm_syncobj_create arg = { .flags = fz_syncobj_flags(t) & 3 };

	if (fz_chance(t, 5))
		arg.flags = (uint32_t)fz_rand(t);
	fz_args(t, "create fd=%d flags=%#x", fd, arg.flags);
	if (fz_done(t, fz_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &arg)) == 0)
		t->syncobj[fz_below(t, FZ_SYNCOBJS)] = arg.handle;
}

static void fz_syncobj_fd(struct fz_thread *t, int fd, uint32_t handle)
{
	struct drm_syncobj_handle arg = { .handle = handle, .fd = -1 };
	uint64_t size;

	arg.flags = fz_chance(t, 80) ? fz_below(t, 2) : (uint32_t)fz_rand(t);
	if (fz_chance(t, 50)) {
		fz_args(t, "handle_to_fd fd=%d h=%u flags=%#x", fd, handle,
			arg.flags);
		if (fz_done(t, fz_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &arg)) == 0)
			fz_close_fd(t, arg.fd);
		return;
	}
	arg.fd = fz_pick_buf(t, &size);
	fz_args(t, "fd_to_handle fd=%d from %d flags=%#x", fd, arg.fd, arg.flags);
	if (fz_done(t, fz_ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &arg)) == 0)
		t->syncobj[fz_below(t, FZ_SYNCOBJS)] = arg.handle;
}

/* Syncobj ioctls: vprime has no DRIVER_SYNCOBJ yet, so EOPNOTSUPP. */
static void op_syncobj(struct fz_thread *t)
{
	uint32_t handles[FZ_SYNCOBJS];
	uint64_t points[FZ_SYNCOBJS];
	unsigned int i, count = 1 + fz_below(t, FZ_SYNCOBJS);
	int fd = fz_pick_dev(t, FZ_DRM_NODES);
	uint64_t ptr = (uintptr_t)handles;

	for (i = 0; i < FZ_SYNCOBJS; i++) {
		handles[i] = fz_chance(t, 80) ? t->syncobj[i] : fz_rand_handle(t);
		points[i] = fz_below(t, 4);
	}
	if (fz_chance(t, 5))
		ptr = 0;

	switch (fz_below(t, 8)) {
	case 0:
		fz_syncobj_create(t, fd);
		break;
	case 1: {
		struct drm_syncobj_destroy arg = { .handle = handles[0] };

		if (fz_chance(t, 5))
			arg.pad = (uint32_t)fz_rand(t);
		fz_args(t, "destroy fd=%d h=%u", fd, arg.handle);
		fz_done(t, fz_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &arg));
		break;
	}
	case 2: {
		struct drm_syncobj_wait arg;

		memset(&arg, 0, sizeof(arg));
		arg.handles = ptr;
		arg.count_handles = count;
		arg.timeout_nsec = fz_timeout_ns(t);
		arg.flags = fz_syncobj_flags(t);
		fz_args(t, "wait fd=%d n=%u flags=%#x", fd, count, arg.flags);
		fz_done(t, fz_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &arg));
		break;
	}
	case 3: {
		struct drm_syncobj_array arg = { .handles = ptr, .count_handles = count };
		bool reset = fz_chance(t, 50);

		fz_args(t, "%s fd=%d n=%u", reset ? "reset" : "signal", fd, count);
		fz_done(t, fz_ioctl(fd, reset ? DRM_IOCTL_SYNCOBJ_RESET :
				    DRM_IOCTL_SYNCOBJ_SIGNAL, &arg));
		break;
	}
	case 4:
		fz_syncobj_fd(t, fd, handles[0]);
		break;
	case 5: {
		struct drm_syncobj_timeline_array arg = {
			.handles = ptr, .points = (uintptr_t)points,
			.count_handles = count, .flags = fz_syncobj_flags(t),
		};
		bool query = fz_chance(t, 50);

		fz_args(t, "%s fd=%d n=%u", query ? "query" : "timeline_signal",
			fd, count);
		fz_done(t, fz_ioctl(fd, query ? DRM_IOCTL_SYNCOBJ_QUERY :
				    DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &arg));
		break;
	}
	case 6: {
		struct drm_syncobj_timeline_wait arg;

		memset(&arg, 0, sizeof(arg));
		arg.handles = ptr;
		arg.points = (uintptr_t)points;
		arg.count_handles = count;
		arg.timeout_nsec = fz_timeout_ns(t);
		arg.flags = fz_syncobj_flags(t);
		fz_args(t, "timeline_wait fd=%d n=%u flags=%#x", fd, count,
			arg.flags);
		fz_done(t, fz_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &arg));
		break;
	}
	default: {
		struct drm_syncobj_transfer arg = {
			.src_handle = handles[0], .dst_handle = handles[1],
			.src_point = points[0], .dst_point = points[1],
			.flags = fz_syncobj_flags(t),
		};

		fz_args(t, "transfer fd=%d %u -> %u", fd, arg.src_handle,
			arg.dst_handle);
		fz_done(t, fz_ioctl(fd, DRM_IOCTL_SYNCOBJ_TRANSFER, &arg));
		break;
	}
	}
}

static void fz_drm_version(struct fz_thread *t, int fd)
{
	char name[32], date[32], desc[64];
	struct drm_version arg;

	memset(&arg, 0, sizeof(arg));
	arg.name_len = fz_below(t, sizeof(name) + 1);
	arg.date_len = fz_below(t, sizeof(date) + 1);
	arg.desc_len = fz_below(t, sizeof(desc) + 1);
	arg.name = fz_chance(t, 95) ? name : NULL;
	arg.date = date;
	arg.desc = desc;
	fz_args(t, "version fd=%d lens %zu %zu %zu", fd, (size_t)arg.name_len,
		(size_t)arg.date_len, (size_t)arg.desc_len);
	fz_done(t, fz_ioctl(fd, DRM_IOCTL_VERSION, &arg));
}

/* An ioctl in vprime's driver range, with a random direction and size. */
static void fz_drm_raw(struct fz_thread *t, int fd)
{
	static const unsigned int dirs[] = {
		_IOC_READ | _IOC_WRITE, _IOC_WRITE, _IOC_READ, _IOC_NONE,
	};
	static const unsigned int sizes[] = { 0, 8, 12, 16, 24, 80, 88, 128 };
	unsigned int nr = fz_below(t, 8), dir = dirs[fz_below(t, 4)], size, i;
	uint8_t *buf = t->scratch;
	unsigned long cmd;
	uint64_t safe;

	size = fz_chance(t, 50) ? sizes[fz_below(t, FZ_ARRAY_SIZE(sizes))] :
	       fz_below(t, 512);
	memset(buf, 0, 512);
	if (fz_chance(t, 60))
		for (i = 0; i < size; i++)
			buf[i] = (uint8_t)fz_rand(t);
	if (nr == DRM_VPRIME_GEM_CREATE) {
		/* Never a valid size above FZ_KEEP_MAX, even in part. */
		safe = fz_below(t, FZ_KEEP_MAX + 1);
		memcpy(buf, &safe, sizeof(safe));
	}
	cmd = _IOC(dir, DRM_IOCTL_BASE, DRM_COMMAND_BASE + nr, size);
	fz_args(t, "raw fd=%d nr=%#x dir=%u size=%u", fd, DRM_COMMAND_BASE + nr,
		dir, size);
	fz_done(t, fz_ioctl(fd, cmd, buf));
}

static void op_drm_misc(struct fz_thread *t)
{
	int fd = fz_pick_dev(t, fz_chance(t, 80) ? FZ_VPRIME_NODES : FZ_DRM_NODES);
	struct drm_unique unique;
	struct drm_auth auth;
	char buf[32];

	switch (fz_below(t, 7)) {
	case 0:
		fz_drm_version(t, fd);
		break;
	case 1:
		memset(&auth, 0, sizeof(auth));
		fz_args(t, "get_magic fd=%d", fd);
		if (fz_done(t, fz_ioctl(fd, DRM_IOCTL_GET_MAGIC, &auth)) == 0)
			fz_note(t, " -> %u", auth.magic);
		if (fz_chance(t, 50))
			auth.magic = (uint32_t)fz_rand(t);
		fz_args(t, "auth_magic %u", auth.magic);
		fz_done(t, fz_ioctl(fd, DRM_IOCTL_AUTH_MAGIC, &auth));
		break;
	case 2:
		fz_args(t, "set_master fd=%d", fd);
		fz_done(t, fz_ioctl(fd, DRM_IOCTL_SET_MASTER, NULL));
		break;
	case 3:
		fz_args(t, "drop_master fd=%d", fd);
		fz_done(t, fz_ioctl(fd, DRM_IOCTL_DROP_MASTER, NULL));
		break;
	case 4:
		memset(&unique, 0, sizeof(unique));
		unique.unique_len = fz_below(t, sizeof(buf) + 1);
		unique.unique = fz_chance(t, 95) ? buf : NULL;
		fz_args(t, "get_unique fd=%d len=%zu", fd, (size_t)unique.unique_len);
		fz_done(t, fz_ioctl(fd, DRM_IOCTL_GET_UNIQUE, &unique));
		break;
	default:
		fz_drm_raw(t, fz_pick_dev(t, FZ_VPRIME_NODES));
		break;
	}
}

/* ---- /dev/cenalloc ---- */

static void op_cenalloc_alloc(struct fz_thread *t)
{
	struct cenalloc_alloc_data arg = {
		.size = fz_rand_size(t, FZ_CENALLOC_MAX),
		.fd_flags = fz_fd_flags(t),
		.flags = fz_rand_cflags(t),
		.fd = -1,
	};
	int dev = fz_pick_dev(t, FZ_K(FZ_KIND_CENALLOC));

	if (fz_chance(t, 3))
		arg.pad = (uint32_t)fz_rand(t);
	fz_args(t, "dev=%d size=%#llx fd_flags=%#x flags=%#x pad=%u", dev,
		(unsigned long long)arg.size, arg.fd_flags, arg.flags, arg.pad);
	if (fz_done(t, fz_ioctl(dev, CENALLOC_IOC_ALLOC, &arg)) < 0)
		return;
	fz_note(t, " -> fd=%d size=%#llx", arg.fd, (unsigned long long)arg.size);
	fz_keep_buf(t, arg.fd, arg.size);
}

static void op_cenalloc_info(struct fz_thread *t)
{
	int dev = fz_pick_dev(t, FZ_K(FZ_KIND_CENALLOC));
	struct cenalloc_info_data arg;
	uint64_t size;

	memset(&arg, 0, sizeof(arg));
	arg.fd = fz_pick_buf(t, &size);
	arg.flags = fz_chance(t, 90) ? 0 : (uint32_t)fz_rand(t);
	fz_args(t, "dev=%d fd=%d flags=%#x", dev, arg.fd, arg.flags);
	if (fz_done(t, fz_ioctl(dev, CENALLOC_IOC_INFO, &arg)) == 0)
		fz_note(t, " -> size=%#llx state=%#x alloc=%u attach=%u mapped=%u",
			(unsigned long long)arg.size, arg.state, arg.allocator,
			arg.num_attachments, arg.num_mapped);
}

/* /dev/cenalloc ioctls with other struct sizes, directions and numbers. */
static void op_cenalloc_raw(struct fz_thread *t)
{
	static const unsigned int sizes[] = {
		0, 4, 8, 12, 16, 20, 24, 28, 32, 40, 64, 80, 88, 256,
	};
	static const unsigned int dirs[] = {
		_IOC_READ | _IOC_WRITE, _IOC_WRITE, _IOC_READ, _IOC_NONE,
	};
	const size_t fd_end = offsetof(struct cenalloc_alloc_data, fd) + sizeof(int);
	unsigned int usize = sizes[fz_below(t, FZ_ARRAY_SIZE(sizes))];
	unsigned int nr = fz_chance(t, 80) ? fz_below(t, 2) : fz_below(t, 256);
	unsigned int dir = fz_chance(t, 85) ? dirs[0] : dirs[fz_below(t, 4)];
	int dev = fz_pick_dev(t, FZ_K(FZ_KIND_CENALLOC)), fd;
	struct cenalloc_alloc_data alloc;
	struct cenalloc_info_data info;
	uint8_t *buf = t->scratch;
	size_t known = 0, i;
	uint64_t size;

	memset(buf, 0, 512);
	if (nr == 0) {
		memset(&alloc, 0, sizeof(alloc));
		alloc.size = FZ_PAGE * (1 + fz_below(t, 256));
		alloc.fd_flags = O_RDWR | O_CLOEXEC;
		alloc.flags = fz_below(t, CENALLOC_FLAGS_VALID + 1);
		alloc.fd = -1;
		memcpy(buf, &alloc, sizeof(alloc));
		known = sizeof(alloc);
	} else if (nr == 1) {
		memset(&info, 0, sizeof(info));
		info.fd = fz_pick_buf(t, &size);
		memcpy(buf, &info, sizeof(info));
		known = sizeof(info);
	}
	if (fz_chance(t, 30) && !fz_is_drm_fd(dev))
		for (i = known; i < usize; i++)
			buf[i] = (uint8_t)fz_rand(t);
	if (fz_chance(t, 10) && !fz_is_drm_fd(dev)) {
		for (i = 0; i < usize; i++)
			buf[i] = (uint8_t)fz_rand(t);
		/* Never a valid size above FZ_KEEP_MAX, even in part. */
		size = FZ_PAGE * fz_below(t, 256);
		memcpy(buf, &size, sizeof(size));
	}
	/*
	 * An ALLOC too short to return the fd that succeeds leaves a dma-buf
	 * fd nobody knows of until exit: mostly ask for size 0 instead.
	 */
	if (nr == 0 && usize < fd_end && fz_chance(t, 90))
		memset(buf, 0, sizeof(uint64_t));
	fz_args(t, "dev=%d nr=%u dir=%u size=%u", dev, nr, dir, usize);
	if (fz_done(t, fz_ioctl(dev, _IOC(dir, CENALLOC_IOC_MAGIC, nr, usize),
				fz_chance(t, 5) ? NULL : buf)) < 0)
		return;
	if (nr != 0 || dir != (_IOC_READ | _IOC_WRITE))
		return;
	if (usize < fd_end) {
		/* The kernel made a dma-buf fd and could not say which. */
		FZ_INC(fz_hidden_fds);
		fz_note(t, " -> fd not returned");
		return;
	}
	memcpy(&fd, buf + offsetof(struct cenalloc_alloc_data, fd), sizeof(fd));
	fz_note(t, " -> fd=%d", fd);
	fz_keep_buf(t, fd, fz_fd_size(fd));
}

/* ---- dma-buf ioctls ---- */

static void fz_sync(struct fz_thread *t, int fd, uint64_t flags)
{
	struct dma_buf_sync arg = { .flags = flags };

	fz_args(t, "sync fd=%d flags=%#llx", fd, (unsigned long long)flags);
	fz_done(t, fz_ioctl(fd, DMA_BUF_IOCTL_SYNC, &arg));
}

static void op_dmabuf_sync(struct fz_thread *t)
{
	static const uint64_t valid[] = {
		DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ,
		DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE,
		DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW,
		DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ,
		DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE,
		DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW,
	};
	unsigned int r = fz_below(t, 10);
	uint64_t size, flags;
	int fd = fz_pick_buf(t, &size);

	if (r < 7)
		flags = valid[fz_below(t, FZ_ARRAY_SIZE(valid))];
	else if (r < 8)
		flags = fz_chance(t, 50) ? 0 : DMA_BUF_SYNC_END;
	else if (r < 9)
		flags = DMA_BUF_SYNC_RW | (1ULL << fz_below(t, 64));
	else
		flags = fz_rand(t);
	if (fz_is_udmabuf(fd))
		return;
	if (fz_chance(t, 3)) {
		fz_args(t, "sync fd=%d NULL", fd);
		fz_done(t, fz_ioctl(fd, DMA_BUF_IOCTL_SYNC, NULL));
		return;
	}
	fz_sync(t, fd, flags);
}

static void op_dmabuf_name(struct fz_thread *t)
{
	static const unsigned long cmds[] = {
		DMA_BUF_SET_NAME, DMA_BUF_SET_NAME_A, DMA_BUF_SET_NAME_B,
	};
	unsigned long cmd = cmds[fz_below(t, FZ_ARRAY_SIZE(cmds))];
	size_t len = fz_below(t, 48), i;
	char name[64];
	uint64_t size;
	void *arg = name;
	int fd = fz_pick_buf(t, &size);

	for (i = 0; i < len; i++)
		name[i] = (char)(fz_chance(t, 90) ? 'a' + fz_below(t, 26) :
				 1 + fz_below(t, 255));
	name[len] = '\0';
	if (fz_chance(t, 3))
		arg = NULL;
	else if (fz_chance(t, 2))
		arg = (void *)-4096L;
	fz_args(t, "set_name fd=%d cmd=%#lx len=%zu%s", fd, cmd, len,
		arg == name ? "" : " bad pointer");
	fz_done(t, fz_ioctl(fd, cmd, arg));
}

static void op_dmabuf_sync_file(struct fz_thread *t)
{
#ifdef DMA_BUF_IOCTL_EXPORT_SYNC_FILE
	static const uint32_t flags[] = {
		DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE, DMA_BUF_SYNC_RW,
	};
	struct dma_buf_export_sync_file exp = { .fd = -1 };
	struct dma_buf_import_sync_file imp = { .fd = -1 };
	uint64_t size;
	int fd = fz_pick_buf(t, &size);
	long ret = -1;

	exp.flags = fz_chance(t, 85) ? flags[fz_below(t, 3)] : (uint32_t)fz_rand(t);
	if (fz_chance(t, 70)) {
		fz_args(t, "export_sync_file fd=%d flags=%#x", fd, exp.flags);
		ret = fz_done(t, fz_ioctl(fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &exp));
		if (ret == 0)
			fz_note(t, " -> %d", exp.fd);
	}
	imp.flags = fz_chance(t, 85) ? flags[fz_below(t, 3)] : (uint32_t)fz_rand(t);
	imp.fd = ret == 0 && fz_chance(t, 90) ? exp.fd : fz_pick_buf(t, &size);
	if (fz_chance(t, 60)) {
		fd = fz_pick_buf(t, &size);
		fz_args(t, "import_sync_file fd=%d sync=%d flags=%#x", fd, imp.fd,
			imp.flags);
		fz_done(t, fz_ioctl(fd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &imp));
	}
	if (ret == 0)
		fz_close_fd(t, exp.fd);
#else
	fz_note(t, "no sync_file ioctls in <linux/dma-buf.h>");
#endif
}

/* lseek, poll, fstat, read, fcntl and fdinfo on a dma-buf. */
static void op_dmabuf_misc(struct fz_thread *t)
{
	static const int whence[] = { SEEK_SET, SEEK_CUR, SEEK_END, 3, 4, 99 };
	struct pollfd pfd;
	struct iovec iov;
	uint64_t size;
	int fd = fz_pick_buf(t, &size), w;
	struct stat st;
	off_t off;

	switch (fz_below(t, 5)) {
	case 0:
		w = whence[fz_below(t, FZ_ARRAY_SIZE(whence))];
		off = fz_chance(t, 50) ? 0 : (off_t)fz_below(t, 2 * size + 2) - 1;
		fz_args(t, "lseek fd=%d %lld whence=%d", fd, (long long)off, w);
		fz_done(t, lseek(fd, off, w));
		break;
	case 1:
		pfd.fd = fd;
		pfd.events = fz_chance(t, 80) ? POLLIN | POLLOUT : (short)fz_rand(t);
		pfd.revents = 0;
		fz_args(t, "poll fd=%d events=%#x", fd, pfd.events);
		if (fz_done(t, poll(&pfd, 1, 0)) >= 0)
			fz_note(t, " revents=%#x", pfd.revents);
		break;
	case 2:
		fz_args(t, "fstat fd=%d", fd);
		fz_done(t, fstat(fd, &st));
		break;
	case 3:
		/*
		 * The fd may be a DRM file by now, whose read() waits for
		 * events: RWF_NOWAIT makes such a read fail instead.
		 */
		iov.iov_base = t->scratch;
		iov.iov_len = 64;
		fz_args(t, "read fd=%d nowait", fd);
		fz_done(t, preadv2(fd, &iov, 1, -1, RWF_NOWAIT));
		break;
	default:
		fz_args(t, "setfl fd=%d", fd);
		fz_done(t, fcntl(fd, F_SETFL, fz_chance(t, 50) ? O_NONBLOCK : 0));
		break;
	}
}

static void op_close_buf(struct fz_thread *t)
{
	struct fz_file f;

	if (fz_chance(t, 25) && fz_shared_take_buf(t, &f)) {
		fz_args(t, "shared");
		fz_close_fd(t, f.fd);
		return;
	}
	if (!t->pool.nbufs) {
		fz_note(t, "no dma-buf");
		return;
	}
	fz_drop_buf(t, fz_below(t, t->pool.nbufs));
}

/* ---- Other exporters: the system dma-heap, udmabuf ---- */

static void op_heap_alloc(struct fz_thread *t)
{
	struct dma_heap_allocation_data arg;
	unsigned int r = fz_below(t, 100);
	int dev = fz_pick_dev(t, FZ_K(FZ_KIND_HEAP));
	bool taken = false;
	long ret;

	memset(&arg, 0, sizeof(arg));
	/* The heap allocates at once: take the budget first. */
	if (r < 5) {
		arg.len = 0;
	} else if (r < 10) {
		/*
		 * Only sizes the heap refuses (0 after page alignment): Linux
		 * 6.1's system heap has no size limit and allocates page by
		 * page until the OOM killer stops it.
		 */
		arg.len = UINT64_MAX - fz_below(t, FZ_PAGE - 1);
	} else {
		arg.len = fz_rand_size(t, FZ_KEEP_MAX);
		if (arg.len > FZ_KEEP_MAX)
			arg.len = FZ_PAGE;
		taken = fz_budget_take(t, arg.len);
		if (!taken)
			arg.len = 0;
	}
	arg.fd_flags = fz_chance(t, 85) ? O_RDWR | O_CLOEXEC : fz_fd_flags(t);
	if (fz_chance(t, 10))
		arg.heap_flags = fz_rand(t);
	if (fz_chance(t, 5))
		arg.fd = (uint32_t)fz_rand(t);
	fz_args(t, "dev=%d len=%#llx fd_flags=%#x heap_flags=%#llx", dev,
		(unsigned long long)arg.len, arg.fd_flags,
		(unsigned long long)arg.heap_flags);
	ret = fz_done(t, fz_ioctl(dev, DMA_HEAP_IOCTL_ALLOC, &arg));
	if (taken)
		fz_budget_put(arg.len);
	if (ret < 0)
		return;
	fz_note(t, " -> %d", (int)arg.fd);
	fz_keep_buf(t, (int)arg.fd, arg.len);
}

/* A memfd of @size bytes for udmabuf, or -1. */
static int fz_memfd(struct fz_thread *t, uint64_t size)
{
	unsigned int seals = F_SEAL_SHRINK;
	int fd;

	fz_args(t, "memfd size=%#llx", (unsigned long long)size);
	fd = fz_done(t, memfd_create("vprime-fuzz",
				     fz_chance(t, 95) ? MFD_ALLOW_SEALING : 0));
	if (fd < 0)
		return -1;
	if (fz_done(t, ftruncate(fd, size)) < 0) {
		fz_close_fd(t, fd);
		return -1;
	}
	if (fz_chance(t, 20))
		seals |= F_SEAL_GROW;
	if (fz_chance(t, 5))
		seals |= F_SEAL_WRITE;
	if (fz_chance(t, 92)) {
		fz_args(t, "seals %#x", seals);
		fz_done(t, fcntl(fd, F_ADD_SEALS, seals));
	}
	return fd;
}

static uint64_t fz_udmabuf_off(struct fz_thread *t, uint64_t size)
{
	switch (fz_below(t, 12)) {
	case 0:
		return FZ_PAGE;
	case 1:
		return 1;
	case 2:
		return size;
	default:
		return 0;
	}
}

/* UDMABUF_CREATE or _LIST on @memfd of @size bytes; the dma-buf or -1. */
static int fz_udmabuf_create(struct fz_thread *t, int dev, int memfd,
			     uint64_t size, uint64_t *total)
{
	struct udmabuf_create one;
	struct {
		struct udmabuf_create_list head;
		struct udmabuf_create_item items[2];
	} list;

	if (fz_chance(t, 70)) {
		memset(&one, 0, sizeof(one));
		one.memfd = fz_chance(t, 95) ? memfd : fz_weird_fd(t);
		one.flags = fz_chance(t, 85) ? UDMABUF_FLAGS_CLOEXEC :
			    (uint32_t)fz_rand(t);
		one.offset = fz_udmabuf_off(t, size);
		one.size = fz_chance(t, 80) ? size - one.offset :
			   fz_below(t, size + 2 * FZ_PAGE);
		*total = one.size;
		fz_args(t, "create dev=%d off=%#llx size=%#llx flags=%#x", dev,
			(unsigned long long)one.offset, (unsigned long long)one.size,
			one.flags);
		return fz_done(t, fz_ioctl(dev, UDMABUF_CREATE, &one));
	}
	memset(&list, 0, sizeof(list));
	list.head.flags = fz_chance(t, 85) ? UDMABUF_FLAGS_CLOEXEC :
			  (uint32_t)fz_rand(t);
	list.head.count = fz_chance(t, 90) ? 1 + fz_below(t, 2) :
			  fz_chance(t, 50) ? 0 : 2000;
	list.items[0].memfd = memfd;
	list.items[0].size = size / 2 & ~(FZ_PAGE - 1);
	list.items[1].memfd = memfd;
	list.items[1].offset = list.items[0].size;
	list.items[1].size = size - list.items[0].size;
	if (fz_chance(t, 10))
		list.items[1].offset = fz_udmabuf_off(t, size);
	*total = size;
	fz_args(t, "create_list dev=%d count=%u flags=%#x", dev,
		list.head.count, list.head.flags);
	return fz_done(t, fz_ioctl(dev, UDMABUF_CREATE_LIST, &list));
}

static void op_udmabuf(struct fz_thread *t)
{
	int dev = fz_pick_dev(t, FZ_K(FZ_KIND_UDMABUF)), memfd, fd;
	uint64_t size = FZ_PAGE * (1 + fz_below(t, 1024)), total = 0;

	/* The memfd's pages are allocated now: take the budget first. */
	if (!fz_budget_take(t, size))
		return;
	memfd = fz_memfd(t, size);
	fd = memfd < 0 ? -1 : fz_udmabuf_create(t, dev, memfd, size, &total);
	fz_budget_put(size);
	if (fd >= 0) {
		fz_note(t, " -> %d", fd);
		fz_keep_buf(t, fd, total);
	}
	if (memfd >= 0)
		fz_close_fd(t, memfd);
}

/* ---- Mappings ---- */

static void op_mmap_buf(struct fz_thread *t)
{
	uint64_t size, off;
	int fd = fz_pick_buf(t, &size), prot, flags;
	size_t len;
	void *p;

	len = fz_rand_len(t, size);
	off = fz_rand_offset(t, size);
	prot = fz_rand_prot(t);
	flags = fz_rand_mflags(t, len);
	if (fz_chance(t, 2))
		len = 1ULL << 40;
	fz_args(t, "mmap fd=%d len=%#zx off=%#llx prot=%#x flags=%#x", fd, len,
		(unsigned long long)off, prot, flags);
	p = mmap(NULL, len, prot, flags, fd, off);
	if (fz_done(t, p == MAP_FAILED ? -1 : 0) < 0)
		return;
	fz_note(t, " -> %p", p);
	fz_keep_map(t, p, len, size ? size : len, fd);
}

/* mmap of a GEM object through its DRM file at the MAP_DUMB offset. */
static void op_mmap_drm(struct fz_thread *t)
{
	struct fz_handle h;
	uint64_t off, size;
	int idx, prot, flags;
	size_t len;
	void *p;

	fz_pick_handle(t, &h, &idx);
	off = h.offset;
	if (!off || fz_chance(t, 10))
		off = fz_map_dumb(t, &h, idx);
	if (!off) {
		if (fz_chance(t, 50))
			return;
		off = fz_below(t, 1ULL << 32) * FZ_PAGE;
	}
	size = h.size;
	len = fz_rand_len(t, size);
	if (fz_chance(t, 15))
		off += FZ_PAGE * fz_below(t, (size + FZ_PAGE - 1) / FZ_PAGE + 1);
	else if (fz_chance(t, 5))
		off -= FZ_PAGE;
	prot = fz_rand_prot(t);
	flags = fz_rand_mflags(t, len);
	fz_args(t, "mmap fd=%d len=%#zx off=%#llx prot=%#x flags=%#x", h.fd,
		len, (unsigned long long)off, prot, flags);
	p = mmap(NULL, len, prot, flags, h.fd, off);
	if (fz_done(t, p == MAP_FAILED ? -1 : 0) < 0)
		return;
	fz_note(t, " -> %p", p);
	fz_keep_map(t, p, len, size ? size : len, -1);
}

/* Unmap all or part of a mapping, or mremap it. */
static void op_munmap(struct fz_thread *t)
{
	struct fz_pool *p = &t->pool;
	unsigned int i, mode = fz_below(t, 10);
	size_t pages, k, new_len;
	struct fz_map *m;
	void *addr;

	if (!p->nmaps) {
		fz_note(t, "no mapping");
		return;
	}
	i = fz_below(t, p->nmaps);
	m = &p->maps[i];
	pages = m->len / FZ_PAGE;
	k = pages > 1 ? 1 + fz_below(t, pages - 1) : 0;
	if (mode == 7 && (pages < 3 || p->nmaps >= FZ_MAX_MAPS ||
			  !fz_budget_take(t, m->size)))
		mode = 6;
	if (!k && mode >= 5)
		mode = 0;

	switch (mode) {
	case 5:
		fz_args(t, "munmap head %p+%#zx", m->addr, k * FZ_PAGE);
		if (fz_done(t, munmap(m->addr, k * FZ_PAGE)) == 0) {
			m->addr += k * FZ_PAGE;
			m->len -= k * FZ_PAGE;
		}
		break;
	case 6:
		fz_args(t, "munmap tail %p+%#zx", m->addr + m->len - k * FZ_PAGE,
			k * FZ_PAGE);
		if (fz_done(t, munmap(m->addr + m->len - k * FZ_PAGE,
				      k * FZ_PAGE)) == 0)
			m->len -= k * FZ_PAGE;
		break;
	case 7:
		/* A hole: the mapping becomes two, each holding the budget. */
		k = 1 + fz_below(t, pages - 2);
		fz_args(t, "munmap page %zu of %p+%#zx", k, m->addr, m->len);
		if (fz_done(t, munmap(m->addr + k * FZ_PAGE, FZ_PAGE)) < 0) {
			fz_budget_put(m->size);
			break;
		}
		p->maps[p->nmaps++] = (struct fz_map){
			.addr = m->addr + (k + 1) * FZ_PAGE,
			.len = m->len - (k + 1) * FZ_PAGE,
			.size = m->size, .fd = m->fd,
		};
		m->len = k * FZ_PAGE;
		break;
	case 8:
		fz_args(t, "mremap %p+%#zx to %#zx", m->addr, m->len, k * FZ_PAGE);
		addr = mremap(m->addr, m->len, k * FZ_PAGE, 0);
		if (fz_done(t, addr == MAP_FAILED ? -1 : 0) == 0)
			m->len = k * FZ_PAGE;
		break;
	case 9:
		new_len = m->len + FZ_PAGE * (1 + fz_below(t, 16));
		fz_args(t, "mremap %p+%#zx to %#zx maymove", m->addr, m->len, new_len);
		addr = mremap(m->addr, m->len, new_len, MREMAP_MAYMOVE);
		if (fz_done(t, addr == MAP_FAILED ? -1 : 0) == 0) {
			fz_note(t, " -> %p", addr);
			m->addr = addr;
			m->len = new_len;
		}
		break;
	default:
		fz_drop_map(t, i);
		break;
	}
}

static void op_mprotect(struct fz_thread *t)
{
	static const int prots[] = {
		PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE, PROT_WRITE,
		PROT_READ | PROT_EXEC, PROT_READ | PROT_WRITE | PROT_EXEC,
	};
	struct fz_pool *p = &t->pool;
	size_t pages, first, n;
	struct fz_map *m;
	int prot;

	if (!p->nmaps) {
		fz_note(t, "no mapping");
		return;
	}
	m = &p->maps[fz_below(t, p->nmaps)];
	pages = m->len / FZ_PAGE;
	first = pages >= 3 ? 1 + fz_below(t, pages - 2) : 0;
	n = fz_chance(t, 80) ? 1 : 1 + fz_below(t, pages - first);
	prot = prots[fz_below(t, FZ_ARRAY_SIZE(prots))];
	fz_args(t, "mprotect %p pages %zu+%zu prot=%#x", m->addr, first, n, prot);
	fz_done(t, mprotect(m->addr + first * FZ_PAGE, n * FZ_PAGE, prot));
}

static void fz_touch_byte(uint8_t *p, bool write, uint8_t val)
{
	if (write)
		__atomic_store_n(p, val, __ATOMIC_RELAXED);
	else
		(void)__atomic_load_n(p, __ATOMIC_RELAXED);
}

/*
 * Read or write one byte per page of @len bytes at @p, and the last one.
 * Returns 0, or the signal (SIGBUS, SIGSEGV) an access raised.
 */
static int fz_touch(struct fz_thread *t, uint8_t *p, size_t len, bool write,
		    uint8_t val)
{
	size_t i;
	int sig;

	sig = sigsetjmp(t->touch_jmp, 1);
	if (sig)
		return sig;
	t->touching = 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	for (i = 0; i < len; i += FZ_PAGE)
		fz_touch_byte(p + i, write, val);
	if (len)
		fz_touch_byte(p + len - 1, write, val);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	t->touching = 0;
	return 0;
}

static void op_touch(struct fz_thread *t)
{
	struct fz_pool *p = &t->pool;
	bool write = fz_chance(t, 45), sync;
	size_t off, len, max;
	struct fz_map *m;
	uint64_t dir;
	int sig;

	if (!p->nmaps) {
		fz_note(t, "no mapping");
		return;
	}
	m = &p->maps[fz_below(t, p->nmaps)];
	off = fz_below(t, m->len);
	max = m->len - off < FZ_TOUCH_MAX ? m->len - off : FZ_TOUCH_MAX;
	len = 1 + fz_below(t, max);
	dir = write ? DMA_BUF_SYNC_WRITE : DMA_BUF_SYNC_READ;
	sync = m->fd >= 0 && fz_chance(t, 50) && !fz_is_udmabuf(m->fd);
	if (sync)
		fz_sync(t, m->fd, DMA_BUF_SYNC_START | dir);
	fz_args(t, "%s %p+%#zx len %#zx", write ? "write" : "read", m->addr, off,
		len);
	sig = fz_touch(t, m->addr + off, len, write, (uint8_t)fz_rand(t));
	t->cur->done = true;
	if (sig == SIGBUS)
		FZ_INC(fz_sigbus);
	else if (sig)
		FZ_INC(fz_sigsegv);
	if (sig)
		fz_note(t, " -> %s", sig == SIGBUS ? "SIGBUS" : "SIGSEGV");
	if (sync)
		fz_sync(t, m->fd, DMA_BUF_SYNC_END | dir);
}

static void op_madvise(struct fz_thread *t)
{
	static const int advice[] = {
		MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
		MADV_DONTNEED, MADV_DONTFORK, MADV_DOFORK, MADV_REMOVE,
		MADV_FREE, MADV_DONTDUMP, MADV_DODUMP, MADV_HUGEPAGE,
		MADV_NOHUGEPAGE, MADV_WIPEONFORK, MADV_KEEPONFORK,
#ifdef MADV_COLD
		MADV_COLD, MADV_PAGEOUT,
#endif
#ifdef MADV_POPULATE_READ
		MADV_POPULATE_READ, MADV_POPULATE_WRITE,
#endif
	};
	struct fz_pool *p = &t->pool;
	size_t pages, first, n;
	struct fz_map *m;
	int adv;

	if (!p->nmaps) {
		fz_note(t, "no mapping");
		return;
	}
	m = &p->maps[fz_below(t, p->nmaps)];
	pages = m->len / FZ_PAGE;
	first = fz_below(t, pages);
	n = 1 + fz_below(t, pages - first);
	if (n > FZ_TOUCH_MAX / FZ_PAGE)
		n = FZ_TOUCH_MAX / FZ_PAGE;
	adv = advice[fz_below(t, FZ_ARRAY_SIZE(advice))];
	fz_args(t, "madvise %p pages %zu+%zu advice=%d", m->addr, first, n, adv);
	fz_done(t, madvise(m->addr + first * FZ_PAGE, n * FZ_PAGE, adv));
}

/* ---- Processes: fork, fd passing ---- */

static void fz_run_one(struct fz_thread *t);

/* Close the handles @p holds that a child made in inherited DRM files. */
static void fz_child_close_handles(struct fz_thread *t, struct fz_pool *p)
{
	unsigned int i;

	for (i = 0; i < p->nhandles; i++)
		if (p->handles[i].by_child)
			fz_gem_close(t, p->handles[i].fd, p->handles[i].handle, false);
}

/*
 * A child runs @nops operations on what it inherited.  Objects it made in
 * the parent's DRM files would outlive it: it closes them, unless it is
 * killed first.
 */
static void __attribute__((noreturn))
fz_child(struct fz_thread *t, uint64_t seed, unsigned int nops)
{
	unsigned int i;

	t->child = true;
	t->tid = getpid();
	t->rng = fz_seed_state(seed);
	for (i = 0; i < nops; i++)
		fz_run_one(t);
	fz_begin(t, "child_exit");
	fz_child_close_handles(t, &t->pool);
	fz_child_close_handles(t, &fz_shared);
	t->cur->done = true;
	_exit(0);
}

static void fz_add_stuck(pid_t pid)
{
	unsigned int i = __atomic_fetch_add(&fz_nstuck, 1, __ATOMIC_RELAXED);

	if (i < FZ_MAX_STUCK)
		fz_stuck[i] = pid;
}

/* Wait for @pid, SIGKILLing it after @kill_us (never if negative). */
static void fz_wait_child(struct fz_thread *t, pid_t pid, long kill_us)
{
	uint64_t start = fz_now_us(), waited;
	bool killed = false;
	int status;
	pid_t ret;

	for (;;) {
		ret = waitpid(pid, &status, WNOHANG);
		if (ret == pid) {
			if (WIFSIGNALED(status))
				fz_note(t, " -> signal %d", WTERMSIG(status));
			else
				fz_note(t, " -> exit %d", WEXITSTATUS(status));
			return;
		}
		if (ret < 0 && errno != EINTR) {
			fz_note(t, " -> waitpid: %s", strerror(errno));
			return;
		}
		waited = fz_now_us() - start;
		if (!killed && ((kill_us >= 0 && waited >= (uint64_t)kill_us) ||
				waited >= FZ_CHILD_TIMEOUT_US)) {
			kill(pid, SIGKILL);
			killed = true;
			FZ_INC(fz_kills);
			fz_note(t, " killed after %lluus", (unsigned long long)waited);
		}
		if (waited >= FZ_CHILD_TIMEOUT_US + FZ_CHILD_REAP_US) {
			fz_note(t, " -> stuck");
			fz_add_stuck(pid);
			return;
		}
		fz_sleep_us(200);
	}
}

static void op_fork(struct fz_thread *t)
{
	uint64_t seed = fz_rand(t);
	unsigned int nops = 1 + fz_below(t, FZ_CHILD_OPS);
	long kill_us = fz_chance(t, 25) ? (long)fz_below(t, 3000) : -1;
	pid_t pid;

	fz_args(t, "child seed=%#llx ops=%u kill_us=%ld",
		(unsigned long long)seed, nops, kill_us);
	pid = fork();
	if (pid == 0)
		fz_child(t, seed, nops);
	if (fz_done(t, pid) < 0)
		return;
	FZ_INC(fz_forks);
	fz_note(t, " pid %d", (int)pid);
	t->cur->done = false;
	fz_wait_child(t, pid, kill_us);
	t->cur->done = true;
}

struct fz_scm_msg {
	uint32_t n;
	uint32_t kind[3];
	uint64_t size[3];
};

static void fz_scm_send(struct fz_thread *t)
{
	char ctl[CMSG_SPACE(3 * sizeof(int))];
	struct fz_scm_msg payload;
	struct iovec iov = { .iov_base = &payload, .iov_len = sizeof(payload) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct fz_pool *p = &t->pool;
	struct cmsghdr *c;
	int fds[3];
	unsigned int i;

	memset(&payload, 0, sizeof(payload));
	memset(ctl, 0, sizeof(ctl));
	payload.n = 1 + fz_below(t, 3);
	for (i = 0; i < payload.n; i++) {
		unsigned int r = fz_below(t, 10);

		if (r < 6) {
			fds[i] = fz_pick_buf(t, &payload.size[i]);
			payload.kind[i] = FZ_KIND_DMABUF;
		} else if (r < 9 && p->ndevs) {
			struct fz_file *f = &p->devs[fz_below(t, p->ndevs)];

			fds[i] = f->fd;
			payload.kind[i] = f->kind;
		} else {
			fds[i] = fz_weird_fd(t);
			payload.kind[i] = FZ_KIND_NONE;
		}
	}
	msg.msg_controllen = CMSG_SPACE(payload.n * sizeof(int));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(payload.n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, payload.n * sizeof(int));
	fz_args(t, "send %u fds: %d %d %d", payload.n, fds[0],
		payload.n > 1 ? fds[1] : -1, payload.n > 2 ? fds[2] : -1);
	fz_done(t, sendmsg(t->sock[0], &msg, MSG_DONTWAIT | MSG_NOSIGNAL));
}

/* Receive one message; keep its fds if @keep, else close them. */
static long fz_scm_recv(struct fz_thread *t, bool keep)
{
	char ctl[CMSG_SPACE(3 * sizeof(int))];
	struct fz_scm_msg payload;
	struct iovec iov = { .iov_base = &payload, .iov_len = sizeof(payload) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *c;
	unsigned int i, n, k = 0;
	long ret;
	int fd;

	memset(&payload, 0, sizeof(payload));
	fz_args(t, "recv");
	ret = fz_done(t, recvmsg(t->sock[1], &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC));
	if (ret < 0)
		return ret;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++, k++) {
			enum fz_kind kind = k < 3 ? payload.kind[k] : FZ_KIND_NONE;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			fz_note(t, " %d", fd);
			/* A second fd on a DRM file: see fz_share_dev(). */
			if (keep && kind == FZ_KIND_DMABUF)
				fz_keep_buf(t, fd, payload.size[k]);
			else if (keep && kind > FZ_KIND_VGEM_RENDER && kind < FZ_KIND_DMABUF)
				fz_keep_dev(t, fd, kind);
			else
				fz_close_fd(t, fd);
		}
	}
	return ret;
}

/* Pass fds to this thread itself over its socketpair. */
static void op_scm_rights(struct fz_thread *t)
{
	if (fz_chance(t, 70))
		fz_scm_send(t);
	if (fz_chance(t, 70))
		fz_scm_recv(t, true);
}

/* ---- debugfs and procfs ---- */

/* A node of @kind at random, for its debugfs directory; false if none. */
static bool fz_node_minor(struct fz_thread *t, enum fz_kind kind,
			  unsigned int *minor)
{
	unsigned int i, n = 0, pick;

	for (i = 0; i < fz_nnodes; i++)
		n += fz_nodes[i].kind == kind;
	if (!n)
		return false;
	pick = fz_below(t, n);
	for (i = 0; i < fz_nnodes; i++) {
		if (fz_nodes[i].kind == kind && !pick--) {
			*minor = fz_nodes[i].minor;
			break;
		}
	}
	return true;
}

/* Read what debugfs and procfs show about buffers, while they change. */
static void op_read_debug(struct fz_thread *t)
{
	static const char * const files[] = {
		"/sys/kernel/debug/cenalloc/buffers",
		"/sys/kernel/debug/cenalloc/pool",
		"/sys/kernel/debug/cenalloc/policy",
		"/sys/kernel/debug/dma_buf/bufinfo",
		"/proc/self/maps",
	};
	static const char * const dri[] = { "vprime_objects", "clients", "gem_names" };
	unsigned int r = fz_below(t, 8), minor = 0;
	uint64_t size, total = 0;
	char path[96];
	ssize_t n;
	int fd;

	if (r < FZ_ARRAY_SIZE(files))
		snprintf(path, sizeof(path), "%s", files[r]);
	else if (r < 7 && fz_node_minor(t, FZ_KIND_VPRIME, &minor))
		snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%u/%s", minor,
			 dri[fz_below(t, FZ_ARRAY_SIZE(dri))]);
	else
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d",
			 fz_chance(t, 70) ? fz_pick_buf(t, &size) :
			 fz_pick_dev(t, FZ_ANY_DEV));
	fz_args(t, "read %s", path);
	fd = fz_done(t, open(path, O_RDONLY | O_CLOEXEC));
	if (fd < 0)
		return;
	do {
		n = read(fd, t->scratch, FZ_SCRATCH);
		total += n > 0 ? n : 0;
	} while (n > 0 && total < FZ_READ_MAX);
	fz_done(t, n < 0 ? -1 : (long)total);
	close(fd);
}

static const char * const fz_policy_names[] = {
	"vivid", "vivid.0", "vgem", "vprime", "vprime.0", "vprime.1",
	"cenalloc", "vprime-fuzz",
};

/* Write a random rule to cenalloc's platform policy (--policy). */
static void op_policy(struct fz_thread *t)
{
	static const char * const keys[] = {
		"contiguous", "cached", "wc", "limit=0xffffffff", "limit=0xfffff",
		"limit=0", "align=0x10000", "align=0x200000",
		"max-segment=0x10000", "max-segment=0x1000", "boundary=0xffff",
		"boundary=0xffffffff",
	};
	static const char * const bad[] = {
		"contiguous=1", "limit=", "limit=0xzz", "align=3", "align=0x1001",
		"limit=99999999999999999999999", "max-segment=1", "frobnicate",
		"=", "limit=-1",
	};
	const char *name = fz_policy_names[fz_below(t, FZ_ARRAY_SIZE(fz_policy_names))];
	unsigned int mode = fz_below(t, 10), i, n;
	char *line = (char *)t->scratch, shown[64];
	size_t len, cap = 320;
	int fd;

	if (mode < 5) {
		len = snprintf(line, cap, "%s", name);
		n = 1 + fz_below(t, 3);
		for (i = 0; i < n; i++)
			len += snprintf(line + len, cap - len, " %s",
					keys[fz_below(t, FZ_ARRAY_SIZE(keys))]);
	} else if (mode < 7) {
		len = snprintf(line, cap, "%s", name);
	} else if (mode < 8) {
		len = snprintf(line, cap, "%s %s", name,
			       bad[fz_below(t, FZ_ARRAY_SIZE(bad))]);
	} else if (mode < 9) {
		len = 1 + fz_below(t, 80);
		for (i = 0; i < len; i++)
			line[i] = (char)(1 + fz_below(t, 255));
	} else {
		len = fz_chance(t, 50) ? 0 : 257 + fz_below(t, 40);
		memset(line, 'a', len);
	}
	for (i = 0; i < len && i < sizeof(shown) - 1; i++)
		shown[i] = line[i] >= ' ' && line[i] < 127 ? line[i] : '?';
	shown[i] = '\0';
	fz_args(t, "write \"%s\" (%zu bytes)", shown, len);
	fd = fz_done(t, open(FZ_POLICY, O_WRONLY | O_CLOEXEC));
	if (fd < 0)
		return;
	fz_done(t, write(fd, line, len));
	close(fd);
}

/* ---- The operation table ---- */

#define FZ_OP(name, weight)		{ #name, weight, op_##name, false }
#define FZ_OP_NO_CHILD(name, weight)	{ #name, weight, op_##name, true }

/* Every operation and its weight: how often it is drawn. */
static const struct fz_op fz_ops[] = {
	FZ_OP(open_node, 6),
	FZ_OP(close_node, 3),
	FZ_OP(share, 3),
	FZ_OP(gem_create, 10),
	FZ_OP(gem_info, 5),
	FZ_OP(getparam, 2),
	FZ_OP(dumb_create, 8),
	FZ_OP(map_dumb, 4),
	FZ_OP(gem_close, 6),
	FZ_OP(flink_open, 2),
	FZ_OP(prime_export, 8),
	FZ_OP(prime_import, 8),
	FZ_OP(cross_import, 4),
	FZ_OP(caps, 2),
	FZ_OP(syncobj, 2),
	FZ_OP(fence, 3),
	FZ_OP(drm_misc, 2),
	FZ_OP(cenalloc_alloc, 8),
	FZ_OP(cenalloc_info, 4),
	FZ_OP(cenalloc_raw, 2),
	FZ_OP(dmabuf_sync, 5),
	FZ_OP(dmabuf_name, 2),
	FZ_OP(dmabuf_sync_file, 2),
	FZ_OP(dmabuf_misc, 3),
	FZ_OP(close_buf, 6),
	FZ_OP(heap_alloc, 2),
	FZ_OP(udmabuf, 2),
	FZ_OP(mmap_buf, 6),
	FZ_OP(mmap_drm, 5),
	FZ_OP(munmap, 7),
	FZ_OP(mprotect, 2),
	FZ_OP(touch, 10),
	FZ_OP(madvise, 2),
	FZ_OP_NO_CHILD(fork, 1),
	FZ_OP_NO_CHILD(scm_rights, 2),
	FZ_OP(read_debug, 1),
	FZ_OP_NO_CHILD(policy, 1),
};

#define FZ_NOPS	FZ_ARRAY_SIZE(fz_ops)

/* Weights in use: 0 for what this machine or these options lack. */
static unsigned int fz_weights[FZ_NOPS], fz_weight_total, fz_child_total;
static unsigned long fz_op_count[FZ_NOPS];

static void fz_setup_weights(void)
{
	unsigned int i;

	for (i = 0; i < FZ_NOPS; i++) {
		fz_weights[i] = fz_ops[i].weight;
		if ((fz_ops[i].fn == op_policy && !fz_cfg.policy) ||
		    (fz_ops[i].fn == op_heap_alloc &&
		     access("/dev/dma_heap/system", F_OK)) ||
		    (fz_ops[i].fn == op_udmabuf && access("/dev/udmabuf", F_OK)))
			fz_weights[i] = 0;
		fz_weight_total += fz_weights[i];
		if (!fz_ops[i].no_child)
			fz_child_total += fz_weights[i];
	}
}

static unsigned int fz_pick_op(struct fz_thread *t)
{
	unsigned int total = t->child ? fz_child_total : fz_weight_total, i;
	uint64_t r = fz_xorshift(&t->rng) % total;

	for (i = 0; i < FZ_NOPS; i++) {
		if (t->child && fz_ops[i].no_child)
			continue;
		if (r < fz_weights[i])
			break;
		r -= fz_weights[i];
	}
	return i;
}

static void fz_run_one(struct fz_thread *t)
{
	unsigned int i = fz_pick_op(t);

	t->op_rng = fz_seed_state(fz_xorshift(&t->rng));
	fz_begin(t, fz_ops[i].name);
	fz_ops[i].fn(t);
	t->cur->done = true;
	t->ops++;
	if (!t->child) {
		FZ_INC(fz_op_count[i]);
		FZ_INC(fz_total_ops);
	}
}

/* ---- Threads ---- */

static void fz_make_it_fail(pid_t tid, bool on)
{
	char path[64];
	int tries;

	snprintf(path, sizeof(path), "/proc/self/task/%d/make-it-fail", (int)tid);
	/* Turning it off can itself fail while it is on. */
	for (tries = 0; tries < 100; tries++)
		if (fz_write_str(path, on ? "1" : "0"))
			break;
}

static void fz_thread_cleanup(struct fz_thread *t)
{
	struct fz_pool *p = &t->pool;
	unsigned int tries;
	long ret;

	fz_begin(t, "cleanup");
	for (tries = 0; p->nmaps && tries < 100 * FZ_MAX_MAPS; tries++)
		fz_drop_map(t, p->nmaps - 1);
	while (p->nbufs)
		fz_drop_buf(t, p->nbufs - 1);
	while (p->ndevs)
		fz_drop_dev(t, p->ndevs - 1);
	/* Handles left are on shared files: closing those releases them. */
	while (p->nhandles)
		fz_budget_put(p->handles[--p->nhandles].size);
	/* fds still in flight are received and closed, not left queued. */
	do {
		ret = fz_scm_recv(t, false);
	} while (ret >= 0);
	close(t->sock[0]);
	close(t->sock[1]);
	close(t->null_fd);
	t->cur->done = true;
}

static bool fz_should_stop(const struct fz_thread *t)
{
	return (fz_cfg.ops && t->ops >= fz_cfg.ops) || FZ_LOAD(fz_stop);
}

static void *fz_thread_main(void *arg)
{
	struct fz_thread *t = arg;

	fz_self = t;
	t->tid = gettid();
	if (fz_faults_on)
		fz_make_it_fail(t->tid, true);
	while (!fz_should_stop(t))
		fz_run_one(t);
	if (fz_faults_on)
		fz_make_it_fail(t->tid, false);
	fz_thread_cleanup(t);
	__atomic_fetch_sub(&fz_running, 1, __ATOMIC_RELAXED);
	return NULL;
}

static struct fz_thread *fz_thread_new(unsigned int id)
{
	struct fz_thread *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->id = id;
	t->rng = fz_seed_state(fz_cfg.seed + id);
	t->pool.max_devs = FZ_MAX_DEVS;
	t->pool.max_bufs = FZ_MAX_BUFS;
	t->pool.max_handles = FZ_MAX_HANDLES;
	t->ring = mmap(NULL, sizeof(*t->ring), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	t->null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	/* Made before any thread runs: a stale fd number is never a socket. */
	if (t->ring == MAP_FAILED || t->null_fd < 0 ||
	    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, t->sock)) {
		fprintf(stderr, "vprime-fuzz: thread setup: %s\n", strerror(errno));
		return NULL;
	}
	return t;
}

/* ---- Signals ---- */

static void fz_on_fault(int sig, siginfo_t *si, void *uc)
{
	struct fz_thread *t = fz_self;
	static const char msg[] = "vprime-fuzz: harness crashed outside a touch\n";

	(void)si;
	(void)uc;
	if (t && t->touching) {
		t->touching = 0;
		siglongjmp(t->touch_jmp, sig);
	}
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	fz_dump_all(2, "crash");
	signal(sig, SIG_DFL);
	raise(sig);
}

static void fz_on_stop(int sig)
{
	(void)sig;
	__atomic_store_n(&fz_sig_stop, 1, __ATOMIC_RELAXED);
}

static void fz_on_dump(int sig)
{
	(void)sig;
	__atomic_store_n(&fz_sig_dump, 1, __ATOMIC_RELAXED);
}

static void fz_setup_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fz_on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fz_on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = fz_on_dump;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* ---- Setup: nodes, fault injection, policy, leftover fds ---- */

static int fz_node_cmp(const void *a, const void *b)
{
	const struct fz_node *x = a, *y = b;
	size_t lx = strlen(x->path), ly = strlen(y->path);

	/* card2 before card10 */
	return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x->path, y->path);
}

static void fz_add_node(const char *path, enum fz_kind kind, unsigned int minor)
{
	struct fz_node *n;

	if (fz_nnodes >= FZ_MAX_NODES)
		return;
	n = &fz_nodes[fz_nnodes++];
	snprintf(n->path, sizeof(n->path), "%s", path);
	n->kind = kind;
	n->minor = minor;
}

/* The DRM nodes of vprime and vgem, by driver name, and the other devices. */
static void fz_find_nodes(void)
{
	char path[300];
	struct dirent *de;
	drmVersionPtr v;
	struct stat st;
	bool render;
	DIR *dir;
	int fd;

	dir = opendir("/dev/dri");
	while (dir && (de = readdir(dir))) {
		render = !strncmp(de->d_name, "renderD", 7);
		if (!render && strncmp(de->d_name, "card", 4))
			continue;
		snprintf(path, sizeof(path), "/dev/dri/%s", de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		if (v && !fstat(fd, &st)) {
			if (!strcmp(v->name, "vprime"))
				fz_add_node(path, render ? FZ_KIND_VPRIME_RENDER :
					    FZ_KIND_VPRIME, minor(st.st_rdev));
			else if (!strcmp(v->name, "vgem"))
				fz_add_node(path, render ? FZ_KIND_VGEM_RENDER :
					    FZ_KIND_VGEM, minor(st.st_rdev));
		}
		drmFreeVersion(v);
		close(fd);
	}
	if (dir)
		closedir(dir);
	qsort(fz_nodes, fz_nnodes, sizeof(fz_nodes[0]), fz_node_cmp);
	if (!access("/dev/cenalloc", F_OK))
		fz_add_node("/dev/cenalloc", FZ_KIND_CENALLOC, 0);
	if (!access("/dev/dma_heap/system", F_OK)) {
		struct stat st;

		if (!stat("/dev/dma_heap/system", &st))
			fz_heap_rdev = st.st_rdev;
		fz_add_node("/dev/dma_heap/system", FZ_KIND_HEAP, 0);
	}
	if (!access("/dev/udmabuf", F_OK))
		fz_add_node("/dev/udmabuf", FZ_KIND_UDMABUF, 0);
	fz_add_node("/dev/null", FZ_KIND_NULL, 0);
}

/* 0, or 1 with a message when vprime or /dev/cenalloc cannot be used. */
static int fz_check_devices(void)
{
	struct drm_vprime_getparam arg = { .param = VPRIME_PARAM_MAX_OBJECT_SIZE };
	const char *path = NULL;
	unsigned int i;
	int fd;

	for (i = 0; i < fz_nnodes && !path; i++)
		if (fz_nodes[i].kind == FZ_KIND_VPRIME)
			path = fz_nodes[i].path;
	if (!path) {
		fprintf(stderr, "vprime-fuzz: no vprime primary node in /dev/dri\n");
		return 1;
	}
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "vprime-fuzz: %s: %s\n", path, strerror(errno));
		return 1;
	}
	fz_max_object = 2048 * FZ_MIB;
	if (!drmIoctl(fd, DRM_IOCTL_VPRIME_GETPARAM, &arg) && arg.value)
		fz_max_object = arg.value;
	close(fd);
	fd = open("/dev/cenalloc", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "vprime-fuzz: /dev/cenalloc: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}

static const char * const fz_fault_dirs[] = {
	"/sys/kernel/debug/failslab",
	"/sys/kernel/debug/fail_page_alloc",
};

static bool fz_fault_set(const char *dir, const char *file, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return fz_write_str(path, val);
}

static void fz_faults_restore(void)
{
	unsigned int i;

	for (i = 0; i < FZ_ARRAY_SIZE(fz_fault_dirs); i++)
		fz_fault_set(fz_fault_dirs[i], "probability", "0");
}

/*
 * failslab and fail_page_alloc for tasks with make-it-fail only, which the
 * workers set for themselves.  Sleeping allocations fail too.
 */
static bool fz_faults_setup(void)
{
	static const char * const common[][2] = {
		{ "probability", "0" }, { "interval", "1" }, { "times", "-1" },
		{ "space", "0" }, { "verbose", "0" }, { "task-filter", "Y" },
		{ "ignore-gfp-wait", "N" },
	};
	const char *page = fz_fault_dirs[1];
	char path[128];
	unsigned int i, j;
	bool ok = true;

	snprintf(path, sizeof(path), "/proc/self/task/%d/make-it-fail", (int)getpid());
	if (access(path, W_OK))
		return false;
	for (i = 0; i < FZ_ARRAY_SIZE(fz_fault_dirs); i++) {
		snprintf(path, sizeof(path), "%s/probability", fz_fault_dirs[i]);
		if (access(path, W_OK))
			return false;
	}
	for (i = 0; i < FZ_ARRAY_SIZE(fz_fault_dirs) && ok; i++)
		for (j = 0; j < FZ_ARRAY_SIZE(common) && ok; j++)
			ok = fz_fault_set(fz_fault_dirs[i], common[j][0], common[j][1]);
	ok = ok && fz_fault_set(page, "ignore-gfp-highmem", "N") &&
	     fz_fault_set(page, "min-order", "0");
	for (i = 0; i < FZ_ARRAY_SIZE(fz_fault_dirs) && ok; i++)
		ok = fz_fault_set(fz_fault_dirs[i], "probability", FZ_FAULT_PROBABILITY);
	if (!ok)
		fz_faults_restore();
	return ok;
}

static char fz_policy_saved[FZ_POLICY_SAVED][160];
static unsigned int fz_npolicy_saved;

/* Remember the policy rules, to put them back after the run. */
static bool fz_policy_save(void)
{
	FILE *f = fopen(FZ_POLICY, "r");
	char line[160];

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f) && fz_npolicy_saved < FZ_POLICY_SAVED) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] && line[0] != '#')
			snprintf(fz_policy_saved[fz_npolicy_saved++],
				 sizeof(fz_policy_saved[0]), "%s", line);
	}
	fclose(f);
	return true;
}

static void fz_policy_restore(void)
{
	unsigned int i;

	for (i = 0; i < FZ_ARRAY_SIZE(fz_policy_names); i++)
		fz_write_str(FZ_POLICY, fz_policy_names[i]);
	for (i = 0; i < fz_npolicy_saved; i++)
		if (!fz_write_str(FZ_POLICY, fz_policy_saved[i]))
			fprintf(stderr, "vprime-fuzz: could not restore policy rule \"%s\"\n",
				fz_policy_saved[i]);
}

#define FZ_MAX_FDS	4096

static int fz_fds_at_start[FZ_MAX_FDS];
static unsigned int fz_nfds_at_start;

/* The open fds; returns how many (at most @max) went into @fds. */
static unsigned int fz_list_fds(int *fds, unsigned int max)
{
	DIR *dir = opendir("/proc/self/fd");
	unsigned int n = 0;
	struct dirent *de;
	int fd;

	if (!dir)
		return 0;
	while ((de = readdir(dir)) && n < max) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		fd = atoi(de->d_name);
		if (fd != dirfd(dir))
			fds[n++] = fd;
	}
	closedir(dir);
	return n;
}

/* Close what was not open at the start; returns how many. */
static unsigned int fz_close_leftovers(void)
{
	static int fds[FZ_MAX_FDS];
	unsigned int n = fz_list_fds(fds, FZ_MAX_FDS), i, j, closed = 0;
	bool old;

	for (i = 0; i < n; i++) {
		old = false;
		for (j = 0; j < fz_nfds_at_start && !old; j++)
			old = fds[i] == fz_fds_at_start[j];
		if (!old && !close(fds[i]))
			closed++;
	}
	return closed;
}

/* ---- main ---- */

static void fz_usage(FILE *f)
{
	fprintf(f,
		"usage: vprime-fuzz [--seed N] [--seconds S] [--threads T] [--ops N]\n"
		"                   [--faults] [--policy] [--log FILE] [--log-every N]\n"
		"  --seed N       PRNG seed (default: from the clock); thread i uses N+i\n"
		"  --seconds S    stop after S seconds (default 60, 0: no limit)\n"
		"  --threads T    worker threads racing on a shared pool (default 2)\n"
		"  --ops N        stop each thread after N operations (default 0: no limit)\n"
		"  --faults       failslab and fail_page_alloc on the fuzzer's tasks\n"
		"  --policy       also write random rules to cenalloc's debugfs policy\n"
		"  --log FILE     write the last operations of each thread to FILE\n"
		"  --log-every N  ... every N operations (default 1000) and at exit\n");
}

static bool fz_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v > max || s[0] == '-')
		return false;
	*out = v;
	return true;
}

static int fz_parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "threads", required_argument, NULL, 't' },
		{ "ops", required_argument, NULL, 'o' },
		{ "faults", no_argument, NULL, 'f' },
		{ "policy", no_argument, NULL, 'p' },
		{ "log", required_argument, NULL, 'l' },
		{ "log-every", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	fz_cfg.seed = fz_splitmix((uint64_t)time(NULL) ^ (uint64_t)getpid() << 32) % 1000000000;
	fz_cfg.seconds = 60;
	fz_cfg.threads = 2;
	fz_cfg.log_every = 1000;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!fz_parse_u64(optarg, UINT64_MAX, &fz_cfg.seed))
				goto bad;
			break;
		case 'S':
			if (!fz_parse_u64(optarg, UINT_MAX, &v))
				goto bad;
			fz_cfg.seconds = v;
			break;
		case 't':
			if (!fz_parse_u64(optarg, FZ_MAX_THREADS, &v) || !v)
				goto bad;
			fz_cfg.threads = v;
			break;
		case 'o':
			if (!fz_parse_u64(optarg, ULONG_MAX, &v))
				goto bad;
			fz_cfg.ops = v;
			break;
		case 'f':
			fz_cfg.faults = true;
			break;
		case 'p':
			fz_cfg.policy = true;
			break;
		case 'l':
			fz_cfg.log = optarg;
			break;
		case 'L':
			if (!fz_parse_u64(optarg, ULONG_MAX, &v) || !v)
				goto bad;
			fz_cfg.log_every = v;
			break;
		case 'h':
			fz_usage(stdout);
			exit(0);
		default:
			goto bad;
		}
	}
	if (optind == argc)
		return 0;
bad:
	fz_usage(stderr);
	return 2;
}

static void fz_report(uint64_t elapsed_us, unsigned int leftovers)
{
	unsigned long total = 0, n;
	char name[16];
	unsigned int i;

	for (i = 0; i < FZ_NERRNO; i++)
		total += fz_errors[i];
	printf("vprime-fuzz: seed %llu, %lu ops in %.1f s, %lu errors by errno:",
	       (unsigned long long)fz_cfg.seed, fz_total_ops, elapsed_us / 1e6,
	       total);
	for (i = 1; i < FZ_NERRNO; i++)
		if (fz_errors[i])
			printf(" %s=%lu", fz_errname(i, name, sizeof(name)), fz_errors[i]);
	if (fz_errors[0])
		printf(" other=%lu", fz_errors[0]);
	printf("\nvprime-fuzz: ops:");
	for (i = 0; i < FZ_NOPS; i++)
		if (fz_op_count[i])
			printf(" %s=%lu", fz_ops[i].name, fz_op_count[i]);
	printf("\nvprime-fuzz: touches faulted: %lu SIGBUS, %lu SIGSEGV\n",
	       fz_sigbus, fz_sigsegv);
	printf("vprime-fuzz: %lu children (%lu killed), %lu objects released at once\n",
	       fz_forks, fz_kills, fz_not_kept);
	if (fz_hidden_fds)
		printf("vprime-fuzz: %lu fds made by ioctls that could not return them\n",
		       fz_hidden_fds);
	if (leftovers)
		printf("vprime-fuzz: closed %u fds the harness did not track\n",
		       leftovers);
	n = FZ_LOAD(fz_nstuck);
	if (n)
		printf("vprime-fuzz: %lu children did not exit 10 s after SIGKILL\n", n);
	if (fz_budget_used)
		printf("vprime-fuzz: harness bug: %llu bytes of budget not returned\n",
		       (unsigned long long)fz_budget_used);
	fflush(stdout);
}

/* Wait for the threads; false if one is still stuck after the grace period. */
static bool fz_supervise(uint64_t start)
{
	uint64_t deadline = fz_cfg.seconds ? start + fz_cfg.seconds * 1000000ULL : 0;
	unsigned long logged = 0, ops;
	uint64_t now, stop_at = 0;

	while (FZ_LOAD(fz_running)) {
		fz_sleep_us(10000);
		now = fz_now_us();
		if (FZ_LOAD(fz_sig_dump)) {
			__atomic_store_n(&fz_sig_dump, 0, __ATOMIC_RELAXED);
			fz_dump_all(2, "SIGUSR1");
			fz_write_log("SIGUSR1");
		}
		ops = FZ_LOAD(fz_total_ops);
		if (ops / fz_cfg.log_every != logged / fz_cfg.log_every) {
			fz_write_log("periodic");
			logged = ops;
		}
		if (!stop_at && ((deadline && now >= deadline) || FZ_LOAD(fz_sig_stop))) {
			__atomic_store_n(&fz_stop, 1, __ATOMIC_RELAXED);
			stop_at = now;
		}
		if (stop_at && now - stop_at > FZ_JOIN_GRACE_US)
			return false;
	}
	return true;
}

static void fz_cleanup_shared(void)
{
	while (fz_shared.ndevs)
		close(fz_shared.devs[--fz_shared.ndevs].fd);
	while (fz_shared.nbufs) {
		fz_shared.nbufs--;
		fz_budget_put(fz_shared.bufs[fz_shared.nbufs].size);
		close(fz_shared.bufs[fz_shared.nbufs].fd);
	}
	while (fz_shared.nhandles)
		fz_budget_put(fz_shared.handles[--fz_shared.nhandles].size);
}

int main(int argc, char **argv)
{
	unsigned int i, leftovers, stuck;
	struct rlimit nofile;
	sigset_t block, old;
	uint64_t start;
	int ret;

	ret = fz_parse_args(argc, argv);
	if (ret)
		return ret;
	printf("vprime-fuzz: seed %llu, threads %u, seconds %u, ops per thread %lu%s%s\n",
	       (unsigned long long)fz_cfg.seed, fz_cfg.threads, fz_cfg.seconds,
	       fz_cfg.ops, fz_cfg.faults ? ", faults" : "",
	       fz_cfg.policy ? ", policy" : "");
	fflush(stdout);
	if (fz_cfg.log) {
		fz_log_fd = open(fz_cfg.log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
				 0644);
		if (fz_log_fd < 0) {
			fprintf(stderr, "vprime-fuzz: %s: %s\n", fz_cfg.log, strerror(errno));
			return 1;
		}
	}
	fz_nfds_at_start = fz_list_fds(fz_fds_at_start, FZ_MAX_FDS);
	/* Threads, the shared pool and children's fds in flight add up. */
	if (!getrlimit(RLIMIT_NOFILE, &nofile) && nofile.rlim_cur < nofile.rlim_max) {
		nofile.rlim_cur = nofile.rlim_max;
		setrlimit(RLIMIT_NOFILE, &nofile);
	}
	fz_find_nodes();
	if (fz_check_devices())
		return 1;
	for (i = 0; i < fz_nnodes; i++)
		printf("vprime-fuzz: %s (%s)\n", fz_nodes[i].path,
		       fz_kind_names[fz_nodes[i].kind]);
	for (i = 0; i < fz_cfg.threads; i++) {
		fz_threads[i] = fz_thread_new(i);
		if (!fz_threads[i])
			return 1;
	}
	if (fz_cfg.policy && !fz_policy_save()) {
		printf("vprime-fuzz: no %s, --policy ignored\n", FZ_POLICY);
		fz_cfg.policy = false;
	}
	if (fz_cfg.faults) {
		fz_faults_on = fz_faults_setup();
		if (!fz_faults_on)
			printf("vprime-fuzz: fault injection not available\n");
	}
	fflush(stdout);
	fz_setup_weights();
	fz_setup_signals();
	fz_shared.max_devs = FZ_SHARED_DEVS;
	fz_shared.max_bufs = FZ_SHARED_BUFS;
	fz_shared.max_handles = FZ_SHARED_HANDLES;

	/* Workers leave SIGINT, SIGTERM and SIGUSR1 to this thread. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	start = fz_now_us();
	for (i = 0; i < fz_cfg.threads; i++) {
		__atomic_fetch_add(&fz_running, 1, __ATOMIC_RELAXED);
		ret = pthread_create(&fz_threads[i]->thread, NULL, fz_thread_main,
				     fz_threads[i]);
		if (ret) {
			fprintf(stderr, "vprime-fuzz: pthread_create: %s\n", strerror(ret));
			__atomic_fetch_sub(&fz_running, 1, __ATOMIC_RELAXED);
			__atomic_store_n(&fz_stop, 1, __ATOMIC_RELAXED);
			fz_cfg.threads = i;
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	if (!fz_supervise(start)) {
		fprintf(stderr, "vprime-fuzz: a thread is still in the kernel %d s later\n",
			FZ_JOIN_GRACE_US / 1000000);
		fz_dump_all(2, "stuck");
		fz_write_log("stuck");
		if (fz_faults_on)
			fz_faults_restore();
		if (fz_cfg.policy)
			fz_policy_restore();
		return 3;
	}
	for (i = 0; i < fz_cfg.threads; i++)
		pthread_join(fz_threads[i]->thread, NULL);

	fz_cleanup_shared();
	stuck = FZ_LOAD(fz_nstuck);
	for (i = 0; i < stuck && i < FZ_MAX_STUCK; i++)
		waitpid(fz_stuck[i], NULL, WNOHANG);
	if (fz_faults_on)
		fz_faults_restore();
	if (fz_cfg.policy)
		fz_policy_restore();
	leftovers = fz_close_leftovers();
	fz_dump_all(2, "exit");
	fz_write_log("exit");
	if (fz_log_fd >= 0)
		close(fz_log_fd);
	fz_report(fz_now_us() - start, leftovers);
	for (i = 0; i < fz_cfg.threads; i++) {
		munmap(fz_threads[i]->ring, sizeof(*fz_threads[i]->ring));
		free(fz_threads[i]);
	}
	return ret ? 1 : 0;
}
