#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host test of the test machinery: the IGT-compatible harness (command line,
# result lines, exit codes) and scripts/igt-summary (counting, crashes,
# dead guests, CR LF).  Prints IGT-style subtest lines.
set -u
. "$(dirname "$0")/lib/check.sh"

has() { grep -qxF "$1" "$2"; }

cc -Wall -Wextra -Werror -I"$top/igt-tests/lib" -o "$tmp/sample" \
	"$top/tests/harness/sample.c" "$top"/igt-tests/lib/*.c || exit 1

"$tmp/sample" --list-subtests >"$tmp/list"
check list-subtests test "$(tr '\n' ' ' <"$tmp/list")" = \
	"pass fail-assert skip-require pass-formatted fail-child fail-thread crash in-group after-group after-fixture "

"$tmp/sample" >"$tmp/all" 2>"$tmp/err"
rc=$?
sed -i 's/ ([0-9.]*s)$//' "$tmp/all"
check failing-run-exits-98 test $rc -eq 98
check result-lines eval 'has "Subtest pass: SUCCESS" $tmp/all &&
	has "Subtest fail-assert: FAIL" $tmp/all &&
	has "Subtest skip-require: SKIP" $tmp/all &&
	has "Subtest pass-formatted: SUCCESS" $tmp/all &&
	has "Subtest fail-child: FAIL" $tmp/all &&
	has "Subtest fail-thread: FAIL" $tmp/all &&
	has "Subtest crash: SUCCESS" $tmp/all &&
	has "Subtest after-fixture: SUCCESS" $tmp/all'
check assert-message grep -q 'Failed assertion: value == 41' "$tmp/err"

"$tmp/sample" --run-subtest 'pass*' >"$tmp/pass"
check filtered-pass-exits-0 test $? -eq 0
check filtered-runs-only-matches test "$(grep -c '^Starting subtest' "$tmp/pass")" -eq 2

"$tmp/sample" --run-subtest skip-require >/dev/null
check only-skip-exits-77 test $? -eq 77

"$tmp/sample" --run-subtest no-such >/dev/null 2>&1
check no-match-exits-79 test $? -eq 79

SAMPLE_CRASH=1 "$tmp/sample" --run-subtest 'crash,after-fixture' >"$tmp/crash"
rc=$?
# As upstream IGT: the first failure's status, here 128 + SIGSEGV.
check crash-reported eval 'test $rc -eq 139 && grep -q "^Subtest crash: CRASH" $tmp/crash'

SAMPLE_SKIP_REST=1 "$tmp/sample" --run-subtest after-fixture >"$tmp/fx"
rc=$?
check fixture-skip-carries-over eval 'test $rc -eq 77 && grep -q "^Subtest after-fixture: SKIP" $tmp/fx'

SAMPLE_SKIP_GROUP=1 "$tmp/sample" --run-subtest 'in-group,after-group' >"$tmp/grp"
check group-scopes-fixture eval 'grep -q "^Subtest in-group: SKIP" $tmp/grp &&
	grep -q "^Subtest after-group: SUCCESS" $tmp/grp'

SAMPLE_FAIL_LAST_FIXTURE=1 "$tmp/sample" --run-subtest pass >/dev/null 2>&1
check last-fixture-failure-fails-run test $? -eq 98

# The summary: counts, a crash between subtests, a dead guest, CR LF.
sum() { "$top/scripts/igt-summary" "$@" 2>&1 | tail -n 1; }
{
	echo "=== igt: a"
	"$tmp/sample" 2>/dev/null
	echo "=== igt: a exit 98"
} >"$tmp/log1"
check summary-counts test "$(sum "$tmp/log1")" = "6 passed, 3 failed, 1 skipped"
"$top/scripts/igt-summary" "$tmp/log1" >/dev/null
check summary-fails-on-failure test $? -eq 1

printf '=== igt: b\r\nStarting subtest: x\r\nSubtest x: SUCCESS (0.1s)\r\n=== igt: b exit 0\r\n' >"$tmp/log2"
check summary-crlf test "$(sum "$tmp/log2")" = "1 passed, 0 failed, 0 skipped"
"$top/scripts/igt-summary" "$tmp/log2" >/dev/null
check summary-passes-on-success test $? -eq 0

printf '=== igt: c\nSubtest x: SUCCESS (0.1s)\n=== igt: c exit 139\n' >"$tmp/log3"
check summary-crash-between-subtests test "$(sum "$tmp/log3")" = "1 passed, 1 failed, 0 skipped"

printf '=== igt: d\nSubtest x: SUCCESS (0.1s)\nStarting subtest: y\n' >"$tmp/log4"
check summary-dead-guest test "$(sum "$tmp/log4")" = "1 passed, 1 failed, 0 skipped"

printf '=== igt: e\n=== igt: e exit 77\n=== igt: f\n=== igt: f exit 0\n' >"$tmp/log5"
check summary-no-subtests test "$(sum "$tmp/log5")" = "1 passed, 0 failed, 1 skipped"

: >"$tmp/log6"
"$top/scripts/igt-summary" "$tmp/log6" >/dev/null
check summary-empty-fails test $? -eq 1

[ $fails -eq 0 ]
