#!/bin/sh
# sanitizer-reports.sh NAME: under `make asan`, every sanitizer report is a
# file in $XAR_SANITIZER_LOGS (ASAN_OPTIONS/UBSAN_OPTIONS log_path), since
# the FUSE server's stderr is /dev/null. Print a FAIL line naming NAME and
# the head of each new report, move the reports aside, and exit 1 when
# there were any; exit 0 at once outside a sanitizer run.
set -u
dir=${XAR_SANITIZER_LOGS:-}
[ -n "$dir" ] && [ -d "$dir" ] || exit 0
rc=0
for r in "$dir"/*.[0-9]*; do
	[ -f "$r" ] || continue
	echo "FAIL: $1: sanitizer report $(basename "$r")"
	head -n 40 "$r" | sed 's/^/    /'
	mkdir -p "$dir/seen" && mv "$r" "$dir/seen/"
	rc=1
done
exit $rc
