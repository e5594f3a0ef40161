// SPDX-License-Identifier: MIT
/*
 * A test with known outcomes, run by tests/host/harness.sh to check the
 * harness: one subtest of each result, a fixture, a child process.
 */
#include <signal.h>

#include "igt.h"

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
