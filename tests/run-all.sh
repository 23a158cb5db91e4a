#!/bin/sh
# make check: the Check unit tests, then the end-to-end tests; one closing
# summary line over both.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
log=${TMPDIR:-/tmp}/xar-unit-out.$$
{ sh "$dir/run-unit.sh" "$@"; echo $? > "$log.rc"; } 2>&1 | tee "$log"
urc=$(cat "$log.rc"); rm -f "$log.rc"
# Check prints "NN%: Checks: N, Failures: F, Errors: E" per suite binary.
up=0; uf=0
eval "$(awk -F'[:,] *' '/Checks: /{c+=$3; f+=$5+$7} END{printf "up=%d; uf=%d\n", c-f, f}' "$log")"
rm -f "$log"
[ "$urc" -ne 0 ] && [ "$uf" -eq 0 ] && uf=1
BUILD="$BUILD" sh "$dir/run-e2e.sh" > "$log" 2>&1; erc=$?
cat "$log"
ep=0; ef=0; es=0
eval "$(sed -n 's/^e2e: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/ep=\1; ef=\2; es=\3/p' "$log")"
rm -f "$log"
[ "$erc" -ne 0 ] && [ "$ef" -eq 0 ] && ef=1
echo "unit: $up passed, $uf failed"
echo "total: $((up + ep)) passed, $((uf + ef)) failed, $es skipped"
[ "$uf" -eq 0 ] && [ "$ef" -eq 0 ]
