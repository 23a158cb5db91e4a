#!/bin/sh
# The fuzz harnesses (tests/fuzz/) as plain replay drivers: each runs its
# saved corpus, every saved crasher (regression inputs for bugs found and
# fixed) and, for the image and header harnesses, seeds made here by our
# mkxar from small real trees. Under make asan the drivers are built with
# the sanitizers, so a report fails the run.
. "$(dirname "$0")/../lib.sh"
FUZZ=$TOP/tests/fuzz

sh "$FUZZ/seed.sh" "$MKXAR" "$T/seeds" >"$T/seed.log" 2>&1 ||
	fail seeds "seed.sh: status $?: $(tail -n 3 "$T/seed.log" | tr '\n' ' ')"

# replay NAME DIR...: one PASS/FAIL per harness, bounded in time.
replay() {
	_n=$1; shift
	_bin=$BUILD/fuzz/replay_$_n
	if [ ! -x "$_bin" ]; then
		fail "replay_$_n" "$_bin is not built"
		return
	fi
	_dirs=""
	for _d in "$@"; do [ -d "$_d" ] && _dirs="$_dirs $_d"; done
	# shellcheck disable=SC2086
	if timeout 300 "$_bin" $_dirs >"$T/$_n.out" 2>"$T/$_n.err"; then
		pass "replay_$_n ($(sed -n 's/^replay: \([0-9]*\) inputs$/\1/p' "$T/$_n.out") inputs)"
	else
		fail "replay_$_n" "status $? on $(grep '^replay: /' "$T/$_n.err" | tail -n 1 | cut -c 9-): $(grep -E 'runtime error|ERROR:|property broken' "$T/$_n.err" | head -n 2 | tr '\n' ' ')"
	fi
}

replay header "$FUZZ/corpus/header" "$FUZZ/crashers/header" "$T/seeds/header"
replay image "$FUZZ/corpus/image" "$FUZZ/crashers/image" "$T/seeds/image"
replay mkxar_options "$FUZZ/corpus/mkxar_options" "$FUZZ/crashers/mkxar_options"
replay fuse_ops "$FUZZ/corpus/fuse_ops" "$FUZZ/crashers/fuse_ops" "$T/seeds/fuse_ops"

# Every harness has its saved inputs.
for h in "$FUZZ"/fuzz_*.c; do
	n=$(basename "$h" .c); n=${n#fuzz_}
	[ "$n" = util ] && continue
	[ -d "$FUZZ/crashers/$n" ] || fail "crashers_$n" "no tests/fuzz/crashers/$n/"
done
