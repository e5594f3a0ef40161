// SPDX-License-Identifier: MIT
/*
 * A test with known outcomes, run by tests/host/harness.sh to check the
 * harness: one subtest of each result, a fixture, a child process, a
 * thread.
 */
#include <pthread.h>
#include <signal.h>

#include "igt.h"

/* An assertion that fails in a thread of the test, not its main thread. */
static void *assert_in_thread(void *arg)
{
	igt_assert_eq(*(int *)arg, 41);
	return NULL;
}

igt_main
{
	int value = 0;

	igt_fixture {
		value = 42;
	}

	igt_subtest("pass")
		igt_assert_eq(value, 42);

	igt_subtest("fail-assert")
		igt_assert_eq(value, 41);

	igt_subtest("skip-require")
		igt_require(value == 0);

	igt_subtest_f("pass-%s", "formatted") {
		igt_fork(child, 2)
			igt_assert(child < 2);
		igt_waitchildren();
	}

	igt_subtest("fail-child") {
		igt_fork(child, 1)
			igt_assert_eq(child, 1);
		igt_waitchildren();
	}

	igt_subtest("fail-thread") {
		pthread_t thread;

		igt_assert_eq(pthread_create(&thread, NULL, assert_in_thread,
					     &value), 0);
		igt_assert_eq(pthread_join(thread, NULL), 0);
	}

	igt_subtest("crash")
		if (getenv("SAMPLE_CRASH"))
			raise(SIGSEGV);

	igt_subtest_group {
		igt_fixture {
			igt_require(!getenv("SAMPLE_SKIP_GROUP"));
		}

		igt_subtest("in-group")
			igt_assert(value == 42);
	}

	igt_subtest("after-group")
		igt_assert(value == 42);

	igt_fixture {
		igt_require_f(!getenv("SAMPLE_SKIP_REST"),
			      "skipping the rest\n");
	}

	igt_subtest("after-fixture")
		igt_assert(value == 42);

	igt_fixture {
		igt_assert(!getenv("SAMPLE_FAIL_LAST_FIXTURE"));
	}
}
