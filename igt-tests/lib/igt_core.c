// SPDX-License-Identifier: MIT
/*
 * The core of the small IGT-compatible harness: command line, subtest and
 * fixture sequencing, results and exit codes.
 *
 * A subtest's body runs between sigsetjmp() in igt_subtest() and a
 * siglongjmp() from igt_success(), igt_fail() or igt_skip(), as in IGT.  A
 * failure or skip in a fixture carries over to every later subtest.
 */
#include <fnmatch.h>
#include <getopt.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "igt.h"

sigjmp_buf igt_subtest_jmpbuf;
const char *igt_test_name;

static bool list_subtests;
static const char *run_filter;
static const char *in_subtest;
static bool in_fixture;
static bool fixture_entered;	/* the current fixture's body has begun */
static bool is_child;
static struct timespec subtest_start;
static const char *skip_henceforth;	/* NULL, "SKIP" or "FAIL" */
static int n_success, n_fail, n_skip, n_matched;
static bool fixture_failed;	/* a fixture failed: the run fails */
static char subtest_name_buf[256];
static pid_t children[64];
static int n_children;
static int log_level = IGT_LOG_INFO;
static pid_t main_pid;

bool igt_only_list_subtests(void)
{
	return list_subtests;
}

static double elapsed(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - subtest_start.tv_sec) +
	       (now.tv_nsec - subtest_start.tv_nsec) / 1e9;
}

static void crash_handler(int sig)
{
	char buf[384];
	int n;

	/*
	 * A process the test forked by itself dies of the signal as usual:
	 * with the default action back, the faulting access runs again
	 * (abort() raises again by itself).
	 */
	if (getpid() != main_pid && !is_child) {
		signal(sig, SIG_DFL);
		return;
	}
	if (in_subtest && !is_child)
		n = snprintf(buf, sizeof(buf),
			     "Received signal %s.\nSubtest %s: CRASH (%.3fs)\n",
			     strsignal(sig), in_subtest, elapsed());
	else
		n = snprintf(buf, sizeof(buf), "Received signal %s.\n",
			     strsignal(sig));
	if (n > 0 && write(STDOUT_FILENO, buf, n) < 0)
		n = 0;
	_exit(IGT_EXIT_FAILURE);
}

static void usage(const char *prog, FILE *f)
{
	fprintf(f, "Usage: %s [OPTIONS]\n"
		"  --list-subtests\n"
		"  --run-subtest <pattern>\n"
		"  --debug\n"
		"  --help\n", prog);
}

int igt_subtest_init_parse_opts(int *argc, char **argv)
{
	static const struct option opts[] = {
		{ "list-subtests", no_argument, NULL, 'l' },
		{ "run-subtest", required_argument, NULL, 'r' },
		{ "debug", optional_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGABRT, SIGILL };
	const char *slash;
	size_t i;
	int c;

	main_pid = getpid();
	slash = strrchr(argv[0], '/');
	igt_test_name = slash ? slash + 1 : argv[0];

	while ((c = getopt_long(*argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			list_subtests = true;
			break;
		case 'r':
			run_filter = optarg;
			break;
		case 'd':
			log_level = IGT_LOG_DEBUG;
			break;
		case 'h':
			usage(argv[0], stdout);
			exit(IGT_EXIT_SUCCESS);
		default:
			usage(argv[0], stderr);
			exit(IGT_EXIT_INVALID);
		}
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		signal(sigs[i], crash_handler);
	signal(SIGPIPE, SIG_IGN);
	if (!list_subtests)
		printf("IGT-Version: 1.27-vprime (x86_64) (Linux)\n");
	return 0;
}

/* The filter is a comma-separated list of fnmatch() patterns, as in IGT. */
static bool filter_matches(const char *name)
{
	char buf[512], *tok, *save = NULL;

	if (!run_filter)
		return true;
	snprintf(buf, sizeof(buf), "%s", run_filter);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (fnmatch(tok, name, 0) == 0)
			return true;
	return false;
}

const char *__igt_subtest_name(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(subtest_name_buf, sizeof(subtest_name_buf), fmt, ap);
	va_end(ap);
	return subtest_name_buf;
}

void __igt_describe(const char *desc)
{
	(void)desc;
}

int __igt_group_enter(void)
{
	if (!skip_henceforth)
		return 0;
	return strcmp(skip_henceforth, "SKIP") ? 2 : 1;
}

void __igt_group_exit(int saved)
{
	skip_henceforth = saved == 0 ? NULL : saved == 1 ? "SKIP" : "FAIL";
}

bool __igt_run_subtest(const char *name, const char *file, int line)
{
	(void)file;
	(void)line;

	if (in_subtest) {
		fprintf(stderr, "igt: nested subtest %s in %s\n", name,
			in_subtest);
		exit(IGT_EXIT_INVALID);
	}
	if (list_subtests) {
		printf("%s\n", name);
		return false;
	}
	if (!filter_matches(name))
		return false;

	n_matched++;
	clock_gettime(CLOCK_MONOTONIC, &subtest_start);
	printf("Starting subtest: %s\n", name);
	if (skip_henceforth) {
		printf("Subtest %s: %s (0.000s)\n", name, skip_henceforth);
		if (strcmp(skip_henceforth, "FAIL") == 0)
			n_fail++;
		else
			n_skip++;
		return false;
	}
	in_subtest = strdup(name);
	return true;
}

static __noreturn void exit_subtest(const char *result)
{
	fflush(stderr);
	printf("Subtest %s: %s (%.3fs)\n", in_subtest, result, elapsed());
	free((void *)in_subtest);
	in_subtest = NULL;
	siglongjmp(igt_subtest_jmpbuf, 1);
}

void __igt_fixture_enter(void)
{
	fixture_entered = false;
}

/* True once per fixture: the loop in igt_fixture runs its body once. */
bool __igt_fixture(void)
{
	if (fixture_entered)
		return false;
	fixture_entered = true;
	if (list_subtests || skip_henceforth)
		return false;
	in_fixture = true;
	return true;
}

void __igt_fixture_complete(void)
{
	in_fixture = false;
}

void igt_success(void)
{
	n_success++;
	exit_subtest("SUCCESS");
}

static void kill_children(void)
{
	int i;

	for (i = 0; i < n_children; i++)
		kill(children[i], SIGKILL);
	for (i = 0; i < n_children; i++)
		waitpid(children[i], NULL, 0);
	n_children = 0;
}

void igt_fail(int exitcode)
{
	if (is_child)
		exit(exitcode);
	kill_children();
	if (in_subtest) {
		n_fail++;
		exit_subtest("FAIL");
	}
	if (in_fixture) {
		skip_henceforth = "FAIL";
		fixture_failed = true;
		in_fixture = false;
		siglongjmp(igt_subtest_jmpbuf, 1);
	}
	exit(exitcode);
}

void igt_skip(const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	if (is_child)
		exit(IGT_EXIT_SKIP);
	kill_children();
	if (in_subtest) {
		n_skip++;
		exit_subtest("SKIP");
	}
	skip_henceforth = "SKIP";
	if (in_fixture) {
		in_fixture = false;
		siglongjmp(igt_subtest_jmpbuf, 1);
	}
	/* A skip outside any block ends the test here. */
	igt_exit();
}

void __igt_fail_assert(const char *domain, const char *file, int line,
		       const char *func, const char *assertion,
		       const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "(%s:%d) %s-CRITICAL: Test assertion failure function %s, file %s:%d:\n",
		igt_test_name, getpid(), domain, func, file, line);
	fprintf(stderr, "(%s:%d) %s-CRITICAL: Failed assertion: %s\n",
		igt_test_name, getpid(), domain, assertion);
	if (err)
		fprintf(stderr, "(%s:%d) %s-CRITICAL: Last errno: %d, %s\n",
			igt_test_name, getpid(), domain, err, strerror(err));
	if (fmt) {
		fprintf(stderr, "(%s:%d) %s-CRITICAL: ", igt_test_name,
			getpid(), domain);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
	}
	igt_fail(IGT_EXIT_FAILURE);
}

void __igt_fail_cmp(const char *file, int line, const char *func,
		    const char *assertion, const char *ncmp, bool is_signed,
		    unsigned long long n1, unsigned long long n2)
{
	if (is_signed)
		__igt_fail_assert("vprime", file, line, func, assertion,
				  "error: %lld %s %lld\n", (long long)n1, ncmp,
				  (long long)n2);
	__igt_fail_assert("vprime", file, line, func, assertion,
			  "error: %#llx %s %#llx\n", n1, ncmp, n2);
}

void __igt_skip_check(const char *file, int line, const char *func,
		      const char *check, const char *fmt, ...)
{
	va_list ap;

	printf("Test requirement not met in function %s, file %s:%d:\n",
	       func, file, line);
	printf("Test requirement: %s\n", check);
	if (fmt) {
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	igt_skip(NULL);
}

void igt_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (level < log_level)
		return;
	va_start(ap, fmt);
	vfprintf(level >= IGT_LOG_WARN ? stderr : stdout, fmt, ap);
	va_end(ap);
}

int __igt_fork_all(int num_children)
{
	pid_t pid;
	int i;

	igt_assert(n_children + num_children <= (int)ARRAY_SIZE(children));
	fflush(stdout);
	fflush(stderr);
	for (i = 0; i < num_children; i++) {
		pid = fork();
		igt_assert(pid >= 0);
		if (pid == 0) {
			is_child = true;
			n_children = 0;
			return i;
		}
		children[n_children++] = pid;
	}
	return -1;
}

bool __igt_in_child(void)
{
	return is_child;
}

void igt_waitchildren(void)
{
	int i, status, failed = 0;

	for (i = 0; i < n_children; i++) {
		if (waitpid(children[i], &status, 0) < 0 ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			igt_warn("child %d failed: status %#x\n", children[i],
				 status);
			failed++;
		}
	}
	n_children = 0;
	igt_assert_f(failed == 0, "%d children failed\n", failed);
}

int igt_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret;
}

void igt_exit(void)
{
	if (list_subtests)
		exit(IGT_EXIT_SUCCESS);
	if (run_filter && n_matched == 0) {
		fprintf(stderr, "%s: no subtest matches %s\n", igt_test_name,
			run_filter);
		exit(IGT_EXIT_INVALID);
	}
	if (n_fail || fixture_failed)
		exit(IGT_EXIT_FAILURE);
	if (n_success == 0 && (n_skip || skip_henceforth))
		exit(IGT_EXIT_SKIP);
	exit(IGT_EXIT_SUCCESS);
}
