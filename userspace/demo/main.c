// SPDX-License-Identifier: MIT
/*
 * vprime-demo: a frame drawn on vprime travels zero-copy through another
 * process and vivid's video loop, and comes back to be checked.
 *
 *   vprime-demo [--out DIR]
 *
 * A producer process draws frames on vprime and passes them as dma-buf fds
 * over a Unix socket; the consumer (this process) queues them to vivid's
 * output, captures vivid's loop into its own vprime buffers and compares
 * every byte.  The report goes to stdout and DIR/report.txt, a captured
 * frame to DIR/frame.png.  Any failure exits non-zero with the reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xf86drm.h>

#include "demo.h"
#include "vprime.h"

static FILE *report_file;

void report(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
	if (report_file) {
		va_start(ap, fmt);
		vfprintf(report_file, fmt, ap);
		va_end(ap);
		fflush(report_file);
	}
}

int demo_fail(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report("FAIL: %s\n", msg);
	return 1;
}

static void report_devices(void)
{
	static const char * const fmt[] = { "/dev/dri/card%d", "/dev/dri/renderD%d" };
	char path[64], name[64];
	drmVersionPtr v;
	int t, i, fd;
	FILE *f;

	report("== Devices\n");
	for (t = 0; t < 2; t++) {
		for (i = t * 128; i < t * 128 + 16; i++) {
			snprintf(path, sizeof(path), fmt[t], i);
			fd = open(path, O_RDWR | O_CLOEXEC);
			if (fd < 0)
				continue;
			v = drmGetVersion(fd);
			if (v)
				report("  %-20s %s %d.%d.%d (%s)\n", path,
				       v->name, v->version_major,
				       v->version_minor, v->version_patchlevel,
				       v->desc);
			drmFreeVersion(v);
			close(fd);
		}
	}
	report("  %-20s %s\n", "/dev/cenalloc",
	       access("/dev/cenalloc", F_OK) ? "missing" :
	       "cenalloc, the constraints-aware allocator");
	for (i = 0; i < 16; i++) {
		snprintf(path, sizeof(path), "/sys/class/video4linux/video%d/name",
			 i);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f)) {
			name[strcspn(name, "\n")] = '\0';
			report("  /dev/video%-10d %s\n", i, name);
		}
		fclose(f);
	}
	f = fopen("/sys/module/vivid/parameters/allocators", "r");
	if (f) {
		if (fgets(name, sizeof(name), f))
			report("  vivid allocators: %s", strncmp(name, "1", 1) ?
			       "vmalloc\n" : "dma-contig (needs contiguous memory below 4 GiB)\n");
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	const char *outdir = ".";
	char path[512], exe[400], inspector[512];
	const char *dir;
	int sv[2], status, ret;
	ssize_t n;
	pid_t pid;

	if (argc == 3 && !strcmp(argv[1], "--out")) {
		outdir = argv[2];
	} else if (argc == 2 && !strcmp(argv[1], "--help")) {
		printf("usage: vprime-demo [--out DIR]\n");
		return 0;
	} else if (argc != 1) {
		fprintf(stderr, "usage: vprime-demo [--out DIR]\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/report.txt", outdir);
	report_file = fopen(path, "w");
	if (!report_file) {
		fprintf(stderr, "vprime-demo: %s: %s\n", path, strerror(errno));
		return 1;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	/* build/tools/ in the tree; installed, next to the demo */
	dir = dirname(exe);
	snprintf(inspector, sizeof(inspector), "%s/../tools/dmabuf-inspect", dir);
	if (access(inspector, X_OK))
		snprintf(inspector, sizeof(inspector), "%s/dmabuf-inspect", dir);

	report("vprime demo: %s\n\n",
	       "a frame drawn on vprime, through another process and vivid's video loop, and back");
	report_devices();

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return demo_fail("socketpair: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return demo_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		close(sv[0]);
		report_file = NULL;	/* the consumer writes the report */
		prctl(PR_SET_NAME, "demo-producer");
		_exit(producer_main(sv[1]));
	}
	close(sv[1]);
	prctl(PR_SET_NAME, "demo-consumer");
	report("  producer pid %d draws %d frames %ux%u XRGB8888 %s\n",
	       pid, DEMO_FRAMES, DEMO_WIDTH, DEMO_HEIGHT,
	       "on vprime dumb buffers and exports them");
	ret = consumer_main(sv[0], outdir, inspector);
	close(sv[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		ret = ret ? ret : demo_fail("the producer failed (status %#x)",
					    status);
	report("\n== Result: %s\n", ret ? "FAIL" : "PASS");
	fclose(report_file);
	return ret;
}
