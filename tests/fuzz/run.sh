#!/bin/sh
# run.sh NAME...: make fuzz. Each harness $BUILD/fuzz/fuzz_NAME runs for
# $FUZZ_SECONDS seconds over $BUILD/fuzz-corpus/NAME, seeded with the saved
# corpus, the crashers and (image, header) real xars from seed.sh. A crash
# leaves its input in $BUILD/fuzz-artifacts/NAME/; copy it to
# tests/fuzz/crashers/NAME/ once fixed. One summary line per harness.
# FUZZ_SEED fixes libFuzzer's random seed (CI), so that with the same
# seeds a run mutates the same way; the time bound decides how far it gets.
set -u
: "${BUILD:?}" "${MKXAR:?}" "${FUZZ_SECONDS:=60}"
dir=$(cd "$(dirname "$0")" && pwd)
seeds=$BUILD/fuzz-seeds
rm -rf "$seeds"
sh "$dir/seed.sh" "$MKXAR" "$seeds" || exit 1
rc=0
for n in "$@"; do
	corpus=$BUILD/fuzz-corpus/$n
	art=$BUILD/fuzz-artifacts/$n
	log=$BUILD/fuzz-$n.log
	mkdir -p "$corpus" "$art"
	for d in "$dir/corpus/$n" "$dir/crashers/$n" "$seeds/$n"; do
		[ -d "$d" ] && find "$d" -maxdepth 1 -type f ! -name '.*' \
		    -exec cp {} "$corpus/" \;
	done
	set -- -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -close_fd_mask=3 -artifact_prefix="$art/"
	[ -n "${FUZZ_SEED:-}" ] && set -- "$@" -seed="$FUZZ_SEED"
	[ -f "$dir/$n.dict" ] && set -- "$@" -dict="$dir/$n.dict"
	[ "$n" = header ] && set -- "$@" -max_len=20000
	[ "$n" = mkxar_options ] && set -- "$@" -max_len=1024
	start=$(date +%s)
	# libFuzzer ends with _exit: a harness's sandbox stays in TMPDIR.
	rm -rf "$BUILD/fuzz-tmp" && mkdir -p "$BUILD/fuzz-tmp"
	TMPDIR=$BUILD/fuzz-tmp ASAN_OPTIONS=detect_leaks=1 \
	    "$BUILD/fuzz/fuzz_$n" "$@" "$corpus" >"$log" 2>&1
	st=$?
	rm -rf "$BUILD/fuzz-tmp"
	secs=$(( $(date +%s) - start ))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	echo "fuzz $n: ${runs:-?} executions in ${secs} s, ${cov:-cov: ?}," \
	     "corpus $(ls "$corpus" | wc -l) inputs, exit $st"
	if [ "$st" -ne 0 ]; then
		grep -E '^(==[0-9]+==|SUMMARY|fuzz: |artifact_prefix|Test unit written)' "$log" | head -n 20
		rc=1
	fi
done
exit $rc
