#!/bin/sh
# Run the Check unit-test binaries given as arguments; each prints its own
# summary ("100%: Checks: N, Failures: 0, Errors: 0"). Exit 1 on any failure.
# $VALGRIND, if set, is the command each binary runs under (make valgrind);
# Check forks a child per test, so each test's errors and leaks fail it.
set -u
rc=0
for t in "$@"; do
	echo "== $(basename "$t")"
	CK_FORK=yes ${VALGRIND:-} "$t" || rc=1
	sh "$(dirname "$0")/sanitizer-reports.sh" "$(basename "$t")" || rc=1
done
exit $rc
