// SPDX-License-Identifier: MIT
/*
 * The core of the small IGT-compatible harness: command line, subtest and
 * fixture sequencing, results, logging and exit codes, as upstream IGT's
 * lib/igt_core.c (1.27.1) has them.
 *
 * A subtest's body runs between sigsetjmp() in igt_subtest() and a
 * siglongjmp() from igt_success(), igt_fail() or igt_skip().  A failure or
 * skip in a fixture carries over to every later subtest of its group.
 *
 * As upstream: a crash signal (SIGSEGV, SIGBUS, SIGFPE) inside a subtest
 * ends it as CRASH in whatever process takes it, a child of igt_fork() or
 * of a plain fork() included; so a test that expects a child to die of a
 * signal handles that signal itself.  SIGPIPE is not ignored.
 *
 * Left out of upstream's: dynamic subtests, helper processes, exit
 * handlers, timeouts, --describe and the options that serve hardware
 * (--device, --interactive-debug, --skip-crc-compare, --trace-on-oops),
 * stack traces, the igt_runner socket, and fbcon unbinding.
 */
#define _GNU_SOURCE
/* Upstream's library logs under its file's name. */
#define IGT_LOG_DOMAIN "igt_core"
#include <assert.h>
#include <ctype.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "igt.h"

jmp_buf igt_subtest_jmpbuf;
enum igt_log_level igt_log_level = IGT_LOG_INFO;

/* drmIoctl()'s semantics, without needing libdrm here. */
static int restarting_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret;
}

int (*igt_ioctl)(int fd, unsigned long request, void *arg) = restarting_ioctl;

enum skip_mode { CONT = 0, SKIP, FAIL };

static const char *command_str;
static char *log_domain_filter;
static bool list_subtests, show_testlist;
static char *run_single_subtest;
static bool run_single_subtest_found;
static const char *in_subtest;
static bool in_fixture;
static bool test_child;
static enum skip_mode skip_subtests_henceforth;
static bool skipped_one, succeeded_one, failed_one;
static int igt_exitcode = IGT_EXIT_SUCCESS;
static struct timespec subtest_time;
static bool plain_output;
static pid_t *test_children;
static int num_test_children, test_children_sz;
static bool log_continuation;

/* The last lines logged, at every level: shown when a test fails. */
static struct {
	char *entries[256];
	uint8_t start, end;
} log_buffer;

static void internal_assert(bool cond, const char *msg)
{
	if (cond)
		return;
	igt_critical("internal error: %s", msg);
	igt_critical("please refer to lib/igt_core documentation\n");
	abort();
}

bool igt_only_list_subtests(void)
{
	return list_subtests || show_testlist;
}

const char *igt_test_name(void)
{
	return command_str;
}

const char *igt_subtest_name(void)
{
	return in_subtest;
}

bool igt_can_fail(void)
{
	return in_fixture || in_subtest;
}

static void gettime(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC_RAW, ts);
}

static double time_elapsed(const struct timespec *then)
{
	struct timespec now;

	gettime(&now);
	return (now.tv_sec - then->tv_sec) +
	       (now.tv_nsec - then->tv_nsec) / 1e9;
}

__attribute__((format(printf, 1, 2)))
static void igt_kmsg(const char *format, ...)
{
	FILE *file = fopen("/dev/kmsg", "w");
	va_list ap;

	if (!file)
		return;
	va_start(ap, format);
	vfprintf(file, format, ap);
	va_end(ap);
	fclose(file);
}

static void oom_adjust_for_doom(void)
{
	static const char always_kill[] = "1000";
	int fd = open("/proc/self/oom_score_adj", O_WRONLY);

	igt_assert(fd != -1);
	igt_assert(write(fd, always_kill, sizeof(always_kill)) ==
		   sizeof(always_kill));
	close(fd);
}

static void log_buffer_append(char *line)
{
	free(log_buffer.entries[log_buffer.end]);
	log_buffer.entries[log_buffer.end] = line;
	log_buffer.end++;
	if (log_buffer.end == log_buffer.start)
		log_buffer.start++;
}

static void log_buffer_reset(void)
{
	log_buffer.start = 0;
	log_buffer.end = 0;
}

static void log_buffer_dump(void)
{
	uint8_t i;

	if (in_subtest)
		fprintf(stderr, "Subtest %s failed.\n", in_subtest);
	else
		fprintf(stderr, "Test %s failed.\n", command_str);

	if (log_buffer.start == log_buffer.end) {
		fprintf(stderr, "No log.\n");
		return;
	}
	fprintf(stderr, "**** DEBUG ****\n");
	i = log_buffer.start;
	do {
		fprintf(stderr, "%s", log_buffer.entries[i]);
		i++;
	} while (i != log_buffer.start && i != log_buffer.end);
	log_buffer_reset();
	fprintf(stderr, "****  END  ****\n");
}

void igt_log(const char *domain, enum igt_log_level level,
	     const char *format, ...)
{
	va_list args;

	va_start(args, format);
	igt_vlog(domain, level, format, args);
	va_end(args);
}

void igt_vlog(const char *domain, enum igt_log_level level,
	      const char *format, va_list args)
{
	static const char * const level_str[] = {
		"DEBUG", "INFO", "WARNING", "CRITICAL", "NONE",
	};
	char *line, *formatted;
	FILE *file;
	int ret;

	if (igt_only_list_subtests() && level <= IGT_LOG_WARN)
		return;
	if (vasprintf(&line, format, args) == -1)
		return;

	/* A message not ending its line continues without a prefix. */
	if (log_continuation)
		ret = asprintf(&formatted, "%s", line);
	else
		ret = asprintf(&formatted, "(%s:%d) %s%s%s: %s",
			       program_invocation_short_name, getpid(),
			       domain ? domain : "", domain ? "-" : "",
			       level_str[level], line);
	if (ret == -1)
		goto out;
	log_continuation = line[0] && line[strlen(line) - 1] != '\n';
	log_buffer_append(formatted);

	if (igt_log_level > level)
		goto out;
	if (log_domain_filter &&
	    (domain ? strcmp(log_domain_filter, domain) :
		      strcmp(log_domain_filter, "application")))
		goto out;

	if (level >= IGT_LOG_WARN) {
		file = stderr;
		fflush(stdout);
	} else {
		file = stdout;
	}
	fprintf(file, "%s", level == IGT_LOG_INFO ? line : formatted);
out:
	free(line);
}

static const char *result_color(bool start)
{
	if (plain_output)
		return "";
	return start ? "\x1b[1m" : "\x1b[0m";
}

static void subtest_result_message(const char *name, const char *result,
				   double elapsed)
{
	printf("%sSubtest %s: %s (%.3fs)%s\n", result_color(true), name,
	       result, elapsed, result_color(false));
	fflush(stdout);
}

static void kill_children(void)
{
	int c;

	for (c = 0; c < num_test_children; c++) {
		if (test_children[c] > 0) {
			kill(test_children[c], SIGKILL);
			waitpid(test_children[c], NULL, 0);
		}
	}
	num_test_children = 0;
}

static __noreturn void exit_subtest(const char *result)
{
	subtest_result_message(in_subtest, result, time_elapsed(&subtest_time));
	kill_children();
	in_subtest = NULL;
	siglongjmp(igt_subtest_jmpbuf, 1);
}

/* Crash signals end the subtest; the others end the process silently. */
static const struct {
	int number;
	const char *name;
} handled_signals[] = {
	{ SIGINT, NULL }, { SIGHUP, NULL }, { SIGPIPE, NULL },
	{ SIGTERM, NULL }, { SIGQUIT, "SIGQUIT" }, { SIGABRT, "SIGABRT" },
	{ SIGSEGV, "SIGSEGV" }, { SIGBUS, "SIGBUS" }, { SIGFPE, "SIGFPE" },
};

static bool crash_signal(int sig)
{
	return sig == SIGILL || sig == SIGBUS || sig == SIGFPE ||
	       sig == SIGSEGV;
}

static void write_stderr(const char *str)
{
	if (write(STDERR_FILENO, str, strlen(str)) < 0)
		return;
}

static void fatal_sig_handler(int sig)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(handled_signals); i++) {
		if (handled_signals[i].number != sig)
			continue;
		if (handled_signals[i].name) {
			write_stderr("Received signal ");
			write_stderr(handled_signals[i].name);
			write_stderr(".\n");
		}
		if (crash_signal(sig)) {
			/* 128 + signal, as a shell reports it */
			if (!failed_one)
				igt_exitcode = 128 + sig;
			failed_one = true;
			if (in_subtest)
				exit_subtest("CRASH");
		}
		break;
	}

	/* Die of the signal, with its default action. */
	for (i = 0; i < ARRAY_SIZE(handled_signals); i++)
		signal(handled_signals[i].number, SIG_DFL);
	syscall(SYS_tgkill, syscall(SYS_getpid), syscall(SYS_gettid), sig);
}

static void print_usage(const char *help_str, bool output_on_stderr)
{
	FILE *f = output_on_stderr ? stderr : stdout;

	fprintf(f, "Usage: %s [OPTIONS]\n", command_str);
	fprintf(f, "  --list-subtests\n"
		   "  --show-testlist\n"
		   "  --run-subtest <pattern>\n"
		   "  --debug[=log-domain]\n"
		   "  --help|-h\n");
	if (help_str)
		fprintf(f, "%s\n", help_str);
}

static void print_version(void)
{
	struct utsname uts;

	uname(&uts);
	igt_info("IGT-Version: 1.27.1-vprime (x86_64) (%s: %s %s)\n",
		 uts.sysname, uts.release, uts.machine);
}

enum {
	OPT_LIST_SUBTESTS = 500,
	OPT_SHOW_TESTLIST,
	OPT_RUN_SUBTEST,
	OPT_DEBUG,
	OPT_HELP = 'h',
};

static int parse_options(int *argc, char **argv, const char *extra_short_opts,
			 const struct option *extra_long_opts,
			 const char *help_str,
			 igt_opt_handler_t extra_opt_handler,
			 void *handler_data)
{
	static const struct option long_options[] = {
		{ "list-subtests", no_argument, NULL, OPT_LIST_SUBTESTS },
		{ "show-testlist", no_argument, NULL, OPT_SHOW_TESTLIST },
		{ "run-subtest", required_argument, NULL, OPT_RUN_SUBTEST },
		{ "debug", optional_argument, NULL, OPT_DEBUG },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct option *opts;
	char *short_opts;
	int c, n_extra = 0, option_index = 0, ret = 0;

	while (extra_long_opts && extra_long_opts[n_extra].name)
		n_extra++;
	opts = calloc(n_extra + ARRAY_SIZE(long_options), sizeof(*opts));
	igt_assert(opts);
	if (n_extra)
		memcpy(opts, extra_long_opts, n_extra * sizeof(*opts));
	memcpy(opts + n_extra, long_options, sizeof(long_options));
	igt_assert(asprintf(&short_opts, "%sh",
			    extra_short_opts ? extra_short_opts : "") != -1);

	while ((c = getopt_long(*argc, argv, short_opts, opts,
				&option_index)) != -1) {
		switch (c) {
		case OPT_LIST_SUBTESTS:
			if (!run_single_subtest)
				list_subtests = true;
			break;
		case OPT_SHOW_TESTLIST:
			show_testlist = true;
			break;
		case OPT_RUN_SUBTEST:
			if (!igt_only_list_subtests())
				run_single_subtest = strdup(optarg);
			break;
		case OPT_DEBUG:
			igt_log_level = IGT_LOG_DEBUG;
			if (optarg && strlen(optarg) > 0)
				log_domain_filter = strdup(optarg);
			break;
		case OPT_HELP:
			print_usage(help_str, false);
			ret = -1;
			goto out;
		case '?':
			print_usage(help_str, true);
			ret = -2;
			goto out;
		default:
			ret = extra_opt_handler ?
			      extra_opt_handler(c, option_index, handler_data) :
			      IGT_OPT_HANDLER_ERROR;
			if (ret)
				goto out;
		}
	}
out:
	free(short_opts);
	free(opts);
	return ret;
}

int igt_subtest_init_parse_opts(int *argc, char **argv,
				const char *extra_short_opts,
				const struct option *extra_long_opts,
				const char *help_str,
				igt_opt_handler_t extra_opt_handler,
				void *handler_data)
{
	const char *env;
	size_t i;
	int ret;

	if (!isatty(STDOUT_FILENO) || getenv("IGT_PLAIN_OUTPUT"))
		plain_output = true;
	errno = 0;	/* isatty() leaves ENOTTY */
	env = getenv("IGT_LOG_LEVEL");
	if (env) {
		if (strcmp(env, "debug") == 0)
			igt_log_level = IGT_LOG_DEBUG;
		else if (strcmp(env, "info") == 0)
			igt_log_level = IGT_LOG_INFO;
		else if (strcmp(env, "warn") == 0)
			igt_log_level = IGT_LOG_WARN;
		else if (strcmp(env, "none") == 0)
			igt_log_level = IGT_LOG_NONE;
	}

	command_str = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 :
					      argv[0];
	setvbuf(stdout, NULL, _IOLBF, 0);

	ret = parse_options(argc, argv, extra_short_opts, extra_long_opts,
			    help_str, extra_opt_handler, handler_data);
	if (ret < 0)
		exit(ret == -1 ? IGT_EXIT_SUCCESS : IGT_EXIT_INVALID);

	if (!igt_only_list_subtests()) {
		igt_kmsg("<6>[IGT] %s: executing\n", command_str);
		print_version();
		sync();
		oom_adjust_for_doom();
	}

	for (i = 0; i < ARRAY_SIZE(handled_signals); i++)
		signal(handled_signals[i].number, fatal_sig_handler);

	/* What getopt left, after the program name. */
	for (i = 0; optind + i < (size_t)*argc; i++)
		argv[i + 1] = argv[optind + i];
	*argc = *argc - optind + 1;
	return ret;
}

/* --run-subtest: comma-separated globs, "!" negates, the last match wins. */
static bool subtest_matches(const char *name)
{
	char *copy = strdup(run_single_subtest), *tok, *save = NULL;
	bool match = false;

	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		bool neg = tok[0] == '!';

		if (fnmatch(tok + neg, name, 0) == 0)
			match = !neg;
	}
	free(copy);
	return match;
}

static bool valid_name_for_subtest(const char *name)
{
	for (; *name; name++)
		if (*name != '_' && *name != '-' &&
		    !isalnum((unsigned char)*name))
			return false;
	return true;
}

bool __igt_run_subtest(const char *subtest_name, const char *file,
		       const int line)
{
	(void)file;
	(void)line;
	internal_assert(!igt_can_fail(),
			"igt_subtest can be nested only in igt_main or igt_subtest_group\n");

	if (!valid_name_for_subtest(subtest_name)) {
		igt_critical("Invalid subtest name \"%s\".\n", subtest_name);
		igt_exit();
	}

	if (run_single_subtest) {
		if (!subtest_matches(subtest_name))
			return false;
		run_single_subtest_found = true;
	}

	if (show_testlist) {
		printf("igt@%s@%s\n", igt_test_name(), subtest_name);
		return false;
	} else if (list_subtests) {
		printf("%s\n", subtest_name);
		return false;
	}

	if (skip_subtests_henceforth) {
		subtest_result_message(subtest_name,
				       skip_subtests_henceforth == SKIP ?
				       "SKIP" : "FAIL", 0.0);
		return false;
	}

	igt_kmsg("<6>[IGT] %s: starting subtest %s\n", command_str,
		 subtest_name);
	igt_info("Starting subtest: %s\n", subtest_name);
	fflush(stdout);
	log_buffer_reset();
	gettime(&subtest_time);
	in_subtest = subtest_name;
	return true;
}

void igt_describe_f(const char *fmt, ...)
{
	(void)fmt;	/* shown only by --describe, which is left out */
}

void __igt_subtest_group_save(int *save, int *desc)
{
	*desc = false;
	*save = skip_subtests_henceforth;
}

void __igt_subtest_group_restore(int save, int desc)
{
	(void)desc;
	skip_subtests_henceforth = save;
}

bool __igt_fixture(void)
{
	internal_assert(!in_fixture,
			"nesting multiple igt_fixtures is invalid\n");
	internal_assert(!in_subtest,
			"nesting igt_fixture in igt_subtest is invalid\n");

	if (igt_only_list_subtests() || skip_subtests_henceforth)
		return false;
	in_fixture = true;
	return true;
}

void __igt_fixture_complete(void)
{
	in_fixture = false;
}

void __igt_fixture_end(void)
{
	in_fixture = false;
	siglongjmp(igt_subtest_jmpbuf, 1);
}

/*
 * A failed assertion in a thread of the test (pthread_create()) cannot
 * unwind the main thread's subtest: as upstream's igt_thread.c, the thread
 * only records it and exits, and the subtest fails when it ends.
 */
static bool thread_failed;	/* __atomic */

static bool in_main_thread(void)
{
	return syscall(SYS_gettid) == getpid();
}

void igt_success(void)
{
	if (__atomic_exchange_n(&thread_failed, false, __ATOMIC_ACQ_REL)) {
		igt_critical("Failure in a thread of the test\n");
		igt_fail(IGT_EXIT_FAILURE);
	}
	succeeded_one = true;
	if (in_subtest)
		exit_subtest("SUCCESS");
}

void igt_fail(int exitcode)
{
	assert(exitcode != IGT_EXIT_SUCCESS && exitcode != IGT_EXIT_SKIP);

	if (!in_main_thread()) {
		__atomic_store_n(&thread_failed, true, __ATOMIC_RELEASE);
		pthread_exit(NULL);
	}

	if (!failed_one)
		igt_exitcode = exitcode;
	failed_one = true;

	/* A child's log is not shown; its parent reports the failure. */
	if (test_child)
		exit(exitcode);

	log_buffer_dump();

	if (in_subtest)
		exit_subtest("FAIL");

	internal_assert(igt_can_fail(),
			"failing test is only allowed in fixtures, subtests and igt_simple_main\n");
	skip_subtests_henceforth = FAIL;
	__igt_fixture_end();
}

void igt_skip(const char *f, ...)
{
	va_list args;

	skipped_one = true;
	internal_assert(!test_child, "skips are not allowed in forks\n");

	if (!igt_only_list_subtests()) {
		va_start(args, f);
		vprintf(f, args);
		va_end(args);
	}

	if (in_subtest)
		exit_subtest("SKIP");

	internal_assert(in_fixture,
			"skipping is allowed only in fixtures, subtests or igt_simple_main\n");
	skip_subtests_henceforth = SKIP;
	__igt_fixture_end();
}

void __igt_skip_check(const char *file, const int line, const char *func,
		      const char *check, const char *format, ...)
{
	static char *buf;
	char *err_str = NULL;
	int err = errno;
	va_list args;

	if (err)
		igt_assert(asprintf(&err_str, "Last errno: %i, %s\n", err,
				    strerror(err)) != -1);

	free(buf);
	buf = NULL;
	if (format) {
		va_start(args, format);
		igt_assert(vasprintf(&buf, format, args) != -1);
		va_end(args);
	}

	igt_skip("Test requirement not met in function %s, file %s:%i:\n"
		 "Test requirement: %s\n%s%s",
		 func, file, line, check, buf ? buf : "",
		 err_str ? err_str : "");
}

void __igt_fail_assert(const char *domain, const char *file, const int line,
		       const char *func, const char *assertion,
		       const char *format, ...)
{
	int err = errno;
	va_list args;

	igt_log(domain, IGT_LOG_CRITICAL,
		"Test assertion failure function %s, file %s:%i:\n", func,
		file, line);
	igt_log(domain, IGT_LOG_CRITICAL, "Failed assertion: %s\n", assertion);
	if (err)
		igt_log(domain, IGT_LOG_CRITICAL, "Last errno: %i, %s\n", err,
			strerror(err));
	if (format) {
		va_start(args, format);
		igt_vlog(domain, IGT_LOG_CRITICAL, format, args);
		va_end(args);
	}
	igt_fail(IGT_EXIT_FAILURE);
}

bool __igt_fork(void)
{
	pid_t pid;

	internal_assert(in_subtest,
			"forking is only allowed in subtests or igt_simple_main\n");
	internal_assert(!test_child,
			"forking is not allowed from already forked children\n");

	if (num_test_children >= test_children_sz) {
		test_children_sz = test_children_sz ? test_children_sz * 2 : 4;
		test_children = realloc(test_children,
					sizeof(pid_t) * test_children_sz);
		igt_assert(test_children);
	}

	fflush(NULL);
	pid = fork();
	igt_assert(pid != -1);
	if (pid == 0) {
		test_child = true;
		num_test_children = 0;
		oom_adjust_for_doom();
		return true;
	}
	test_children[num_test_children++] = pid;
	return false;
}

/* The first child to fail gives its status, the rest are killed. */
static int __igt_waitchildren(void)
{
	int err = 0, count = 0;

	while (count < num_test_children) {
		int status = -1, c;
		pid_t pid = wait(&status);

		if (pid == -1) {
			if (errno == EINTR)
				continue;
			printf("wait(num_children:%d) failed with %m\n",
			       num_test_children - count);
			return IGT_EXIT_FAILURE;
		}
		for (c = 0; c < num_test_children; c++)
			if (pid == test_children[c])
				break;
		if (c == num_test_children)
			continue;

		if (err == 0 && status != 0) {
			if (WIFEXITED(status)) {
				printf("child %i failed with exit status %i\n",
				       c, WEXITSTATUS(status));
				err = WEXITSTATUS(status);
			} else if (WIFSIGNALED(status)) {
				printf("child %i died with signal %i, %s\n",
				       c, WTERMSIG(status),
				       strsignal(WTERMSIG(status)));
				err = 128 + WTERMSIG(status);
			} else {
				printf("Unhandled failure [%d] in child %i\n",
				       status, c);
				err = 256;
			}
			for (c = 0; c < num_test_children; c++)
				kill(test_children[c], SIGKILL);
		}
		count++;
	}
	num_test_children = 0;
	return err;
}

void igt_waitchildren(void)
{
	int err = __igt_waitchildren();

	if (err)
		igt_fail(err);
}

void igt_exit(void)
{
	if (run_single_subtest && !run_single_subtest_found) {
		igt_critical("Unknown subtest: %s\n", run_single_subtest);
		exit(IGT_EXIT_INVALID);
	}
	if (igt_only_list_subtests())
		exit(IGT_EXIT_SUCCESS);

	if (!failed_one)
		igt_exitcode = succeeded_one ? IGT_EXIT_SUCCESS : IGT_EXIT_SKIP;

	igt_kmsg("<6>[IGT] %s: exiting, ret=%d\n", command_str, igt_exitcode);
	igt_debug("Exiting with status code %d\n", igt_exitcode);
	kill_children();
	exit(igt_exitcode);
}
