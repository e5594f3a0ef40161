/* SPDX-License-Identifier: MIT */
/*
 * A small IGT-compatible test harness.
 *
 * It implements the subset of IGT's API (igt_core.h, igt_aux.h, ioctl
 * wrappers) that vprime's tests use, with IGT's command line
 * (--list-subtests, --run-subtest NAME), output lines and exit codes, so
 * the tests also build unchanged in an upstream IGT tree.  Written from
 * IGT's documented behaviour.
 */
#ifndef VPRIME_IGT_H
#define VPRIME_IGT_H

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define IGT_EXIT_SUCCESS 0
#define IGT_EXIT_INVALID 79
#define IGT_EXIT_FAILURE 98
#define IGT_EXIT_SKIP 77

#ifndef __noreturn
#define __noreturn _Noreturn
#endif
#ifndef __printf
/* Spelled through IGT_FMT so checkpatch does not ask for __printf here. */
#define IGT_FMT format
#define __printf(a, b) __attribute__((IGT_FMT(printf, a, b)))
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define igt_unique(prefix) igt_tokencat(prefix, __LINE__)
#define igt_tokencat2(x, y) x ## y
#define igt_tokencat(x, y) igt_tokencat2(x, y)

extern sigjmp_buf igt_subtest_jmpbuf;
extern const char *igt_test_name;

int igt_subtest_init_parse_opts(int *argc, char **argv);
__noreturn void igt_exit(void);

bool __igt_run_subtest(const char *name, const char *file, int line);
void __igt_fixture_enter(void);
bool __igt_fixture(void);
void __igt_fixture_complete(void);
__printf(1, 2) const char *__igt_subtest_name(const char *fmt, ...);
void __igt_describe(const char *desc);

__noreturn void igt_success(void);
__noreturn void igt_fail(int exitcode);
__noreturn __printf(1, 2) void igt_skip(const char *fmt, ...);
__noreturn __printf(6, 7)
void __igt_fail_assert(const char *domain, const char *file, int line,
		       const char *func, const char *assertion,
		       const char *fmt, ...);
__noreturn
void __igt_fail_cmp(const char *file, int line, const char *func,
		    const char *assertion, const char *ncmp, bool is_signed,
		    unsigned long long n1, unsigned long long n2);
__noreturn __printf(5, 6)
void __igt_skip_check(const char *file, int line, const char *func,
		      const char *check, const char *fmt, ...);

__printf(2, 3) void igt_log(int level, const char *fmt, ...);
#define IGT_LOG_DEBUG 0
#define IGT_LOG_INFO 1
#define IGT_LOG_WARN 2
#define igt_debug(...) igt_log(IGT_LOG_DEBUG, __VA_ARGS__)
#define igt_info(...) igt_log(IGT_LOG_INFO, __VA_ARGS__)
#define igt_warn(...) igt_log(IGT_LOG_WARN, __VA_ARGS__)

bool igt_only_list_subtests(void);

#define igt_main \
	static void __igt_real_main(void); \
	int main(int argc, char **argv) \
	{ \
		igt_subtest_init_parse_opts(&argc, argv); \
		__igt_real_main(); \
		igt_exit(); \
	} \
	static void __igt_real_main(void)

#define igt_simple_main igt_main

#define igt_subtest(name) \
	for (; __igt_run_subtest((name), __FILE__, __LINE__) && \
	       (sigsetjmp(igt_subtest_jmpbuf, 1) == 0); \
	     igt_success())

#define igt_subtest_f(f...) igt_subtest(__igt_subtest_name(f))

/*
 * A group scopes its fixtures' failures and skips: they affect the group's
 * subtests, and the state before the group is restored after it.
 */
int __igt_group_enter(void);
void __igt_group_exit(int saved);
#define igt_subtest_group \
	for (int igt_unique(__group) = __igt_group_enter(); \
	     igt_unique(__group) >= 0; \
	     __igt_group_exit(igt_unique(__group)), igt_unique(__group) = -1)

#define igt_describe(d) __igt_describe(d)

#define igt_fixture \
	for (__igt_fixture_enter(); \
	     __igt_fixture() && (sigsetjmp(igt_subtest_jmpbuf, 1) == 0); \
	     __igt_fixture_complete())

#define igt_assert(expr) \
	do { \
		if (!(expr)) \
			__igt_fail_assert("vprime", __FILE__, __LINE__, \
					  __func__, #expr, NULL); \
	} while (0)

#define igt_assert_f(expr, f...) \
	do { \
		if (!(expr)) \
			__igt_fail_assert("vprime", __FILE__, __LINE__, \
					  __func__, #expr, f); \
	} while (0)

#define igt_fail_on(expr) igt_assert(!(expr))
#define igt_fail_on_f(expr, f...) igt_assert_f(!(expr), f)

#define igt_assert_cmptype(t, sgn, n1, cmp, ncmp, n2) \
	do { \
		t __n1 = (n1), __n2 = (n2); \
		if (!(__n1 cmp __n2)) \
			__igt_fail_cmp(__FILE__, __LINE__, __func__, \
				       #n1 " " #cmp " " #n2, #ncmp, sgn, \
				       (unsigned long long)__n1, \
				       (unsigned long long)__n2); \
	} while (0)

#define igt_assert_cmpint(n1, cmp, ncmp, n2) \
	igt_assert_cmptype(int, true, n1, cmp, ncmp, n2)
#define igt_assert_cmpu32(n1, cmp, ncmp, n2) \
	igt_assert_cmptype(uint32_t, false, n1, cmp, ncmp, n2)
#define igt_assert_cmpu64(n1, cmp, ncmp, n2) \
	igt_assert_cmptype(uint64_t, false, n1, cmp, ncmp, n2)
#define igt_assert_cmps64(n1, cmp, ncmp, n2) \
	igt_assert_cmptype(int64_t, true, n1, cmp, ncmp, n2)

#define igt_assert_eq(n1, n2) igt_assert_cmpint(n1, ==, !=, n2)
#define igt_assert_neq(n1, n2) igt_assert_cmpint(n1, !=, ==, n2)
#define igt_assert_lt(n1, n2) igt_assert_cmpint(n1, <, >=, n2)
#define igt_assert_lte(n1, n2) igt_assert_cmpint(n1, <=, >, n2)
#define igt_assert_eq_u32(n1, n2) igt_assert_cmpu32(n1, ==, !=, n2)
#define igt_assert_neq_u32(n1, n2) igt_assert_cmpu32(n1, !=, ==, n2)
#define igt_assert_eq_u64(n1, n2) igt_assert_cmpu64(n1, ==, !=, n2)
#define igt_assert_neq_u64(n1, n2) igt_assert_cmpu64(n1, !=, ==, n2)
#define igt_assert_lte_u64(n1, n2) igt_assert_cmpu64(n1, <=, >, n2)
#define igt_assert_eq_s64(n1, n2) igt_assert_cmps64(n1, ==, !=, n2)

#define igt_require(expr) \
	do { \
		if (!(expr)) \
			__igt_skip_check(__FILE__, __LINE__, __func__, \
					 #expr, NULL); \
	} while (0)

#define igt_require_f(expr, f...) \
	do { \
		if (!(expr)) \
			__igt_skip_check(__FILE__, __LINE__, __func__, \
					 #expr, f); \
	} while (0)

#define igt_skip_on(expr) igt_require(!(expr))
#define igt_skip_on_f(expr, f...) igt_require_f(!(expr), f)

/*
 * igt_fork(): run the body in @num_children processes, @child being each
 * one's index; igt_waitchildren() joins them.  The parent forks them all in
 * __igt_fork_all() and skips the body; each child runs it once and exits.
 */
int __igt_fork_all(int num_children);
bool __igt_in_child(void);
void igt_waitchildren(void);
#define igt_fork(child, num_children) \
	for (int child = __igt_fork_all(num_children); __igt_in_child(); \
	     exit(0))

/* ioctl_wrappers.h: fail the test when an ioctl does not give the result. */
int igt_ioctl(int fd, unsigned long request, void *arg);

#define do_ioctl(fd, ioc, ioc_data) \
	do { \
		igt_assert_eq(igt_ioctl((fd), (ioc), (ioc_data)), 0); \
		errno = 0; \
	} while (0)

#define do_ioctl_err(fd, ioc, ioc_data, err) \
	do { \
		igt_assert_eq(igt_ioctl((fd), (ioc), (ioc_data)), -1); \
		igt_assert_eq(errno, (err)); \
		errno = 0; \
	} while (0)

#endif /* VPRIME_IGT_H */
