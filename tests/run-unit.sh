#!/bin/sh
# Run the Check unit-test binaries given as arguments; each prints its own
# summary ("100%: Checks: N, Failures: 0, Errors: 0"). Exit 1 on any failure.
set -u
rc=0
for t in "$@"; do
	echo "== $(basename "$t")"
	CK_FORK=yes "$t" || rc=1
	sh "$(dirname "$0")/sanitizer-reports.sh" "$(basename "$t")" || rc=1
done
exit $rc
