# SPDX-License-Identifier: GPL-2.0
# Sourced by the host shell tests: $top, a $tmp removed at exit, and
# check NAME CMD... which prints one IGT-style subtest per check and counts
# failures in $fails.  (Not a test itself: tests/host/*.sh are.)
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

check() {
	echo "Starting subtest: $1"
	local name=$1
	shift
	if "$@"; then
		echo "Subtest $name: SUCCESS (0.000s)"
	else
		echo "Subtest $name: FAIL (0.000s)"
		fails=$((fails + 1))
	fi
}
