#!/bin/sh
# Run every tests/e2e/<front end>/test_*.sh and count PASS/FAIL/SKIP lines.
# Prints the totals as "N passed, N failed, N skipped"; exit 1 on any failure.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
out=${TMPDIR:-/tmp}/xar-e2e-out.$$
p=0; f=0; s=0
for t in "$dir"/e2e/*/test_*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$(dirname "$t")")/$(basename "$t" .sh)
	echo "== $name"
	BUILD="$BUILD" timeout "${XAR_TEST_TIMEOUT:-900}" sh "$t" >"$out" 2>&1
	rc=$?
	sh "$dir/sanitizer-reports.sh" "$name" >>"$out"
	cat "$out"
	tp=$(grep -c '^PASS: ' "$out"); tf=$(grep -c '^FAIL: ' "$out"); ts=$(grep -c '^SKIP: ' "$out")
	if [ "$rc" -ne 0 ] && [ "$tf" -eq 0 ]; then
		echo "FAIL: $name: script exited with status $rc"; tf=1
	fi
	p=$((p + tp)); f=$((f + tf)); s=$((s + ts))
done
# Servers that outlived their test report when they exit.
if ! sh "$dir/sanitizer-reports.sh" late; then f=$((f + 1)); fi
rm -f "$out"
echo "e2e: $p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
