#!/bin/sh
# xarexec runs a raw xar: arguments, exit status, signals, stdin and the
# environment reach the app unchanged, through exec (no wrapper process),
# from a read-only, nosuid, nodev FUSE mount; bad input gets a clear error.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
run_setup_xar
PATH="$BUILD:$PATH"; export PATH # the shebang's /usr/bin/env xarexec

nl='
'
expect_eq "shebang: argv intact, argv[0] is the invoked name" \
	"[./x.xar]$nl[a]$nl[b c]$nl[]$nl[-m]" "$(./x.xar a "b c" "" -m)"
expect_eq "xarexec FILE: argv intact" \
	"[x.xar]$nl[a]$nl[ b ]" "$("$XAREXEC" x.xar a " b ")"

for code in 0 3 255; do
	./x.xar exit "$code"
	expect_eq "exit status $code" "$code" "$?"
done
./x.xar kill 15
expect_eq "death by SIGTERM shows as 128+15" 143 "$?"
./x.xar kill 9
expect_eq "death by SIGKILL shows as 128+9" 137 "$?"

expect_eq "stdin is piped through" "one${nl}two" \
	"$(printf 'one\ntwo\n' | ./x.xar cat)"
expect_eq "stdout and stderr are the caller's" "[./x.xar]" \
	"$(./x.xar 2>/dev/null)"

# The app is the process the caller started: no wrapper stays behind.
out=$(sh -c 'echo $$; exec ./x.xar pid')
expect_eq "exec, no wrapper process" "$(echo "$out" | sed -n 1p)" \
	"$(echo "$out" | sed -n 2p)"

mp=$("$XAREXEC" -n x.xar)
expect_eq "XAR_RUNTIME_FILES is the mount point" "files=$mp" \
	"$(./x.xar env | grep '^files=')"
expect_eq "XAR_INVOKED_NAME is the invoked name" "invoked=./x.xar" \
	"$(./x.xar env | grep '^invoked=')"

line=$(grep -F " $mp " /proc/mounts)
case "$line" in
xar:*" fuse.xar ro,nosuid,nodev,"*) pass "mounted read-only, nosuid, nodev as fuse.xar" ;;
*) fail "mounted read-only, nosuid, nodev as fuse.xar" "mount line [$line]" ;;
esac
expect_eq "the image's files are served" "data of $T/src" "$(cat "$mp/data.txt")"
expect_eq "symlinks are served" "data.txt data of $T/src" \
	"$(readlink "$mp/link") $(cat "$mp/link")"
expect_eq "directories are listed" "__xar__ bin data.txt link" "$(ls "$mp" | tr '\n' ' ' | sed 's/ $//')"
if touch "$mp/new" 2>/dev/null; then
	fail "the mount refuses writes" "touch succeeded"
else
	pass "the mount refuses writes"
fi

# Errors: one line naming the file, status 1 (usage 2), nothing mounted.
before=$(run_mount_count "$T")
head -c 10000 /dev/urandom > junk.xar
"$XAREXEC" junk.xar > out 2> err
rc=$?
expect_eq "not a xar: status 1" 1 "$rc"
case "$(cat err)" in
"xarexec: error: junk.xar: "*) pass "not a xar: error names the file" ;;
*) fail "not a xar: error names the file" "$(cat err)" ;;
esac

"$MKXAR" -q --no-exec -o notarget.xar src
"$XAREXEC" notarget.xar 2> err
expect_eq "no target: status 1" 1 "$?"
grep -q "names no target" err && pass "no target: says so" ||
	fail "no target: says so" "$(cat err)"

# A header that is fine (with a UUID of its own) in front of an image that
# is not SquashFS.
head -c 4096 x.xar | awk '/^UUID="/ { gsub(/[0-9a-f]/, "e") } 1' > badimg.xar
head -c 65536 /dev/urandom >> badimg.xar
"$XAREXEC" badimg.xar 2> err
expect_eq "corrupt image: status 1" 1 "$?"
grep -q "no SquashFS image" err && pass "corrupt image: says so" ||
	fail "corrupt image: says so" "$(cat err)"
"$XAREXEC" "$T/missing.xar" 2> err
expect_eq "missing file: status 1" 1 "$?"
expect_eq "bad input leaves no mount behind" "$before" "$(run_mount_count "$T")"
expect_eq "bad input leaves no server behind" 0 \
	"$(run_servers_under "$T" | grep -vc "^$(stats_value x.xar pid)\$")"

"$XAREXEC" > /dev/null 2>&1
expect_eq "no xar given: usage status 2" 2 "$?"
"$XAREXEC" --bogus x.xar > /dev/null 2>&1
expect_eq "unknown option: usage status 2" 2 "$?"
"$XAREXEC" --help | grep -q "^Usage: xarexec" &&
	pass "--help on stdout, status 0" || fail "--help on stdout, status 0" "no usage"
"$XAREXEC" --version | grep -q "^xarexec " &&
	pass "--version" || fail "--version" "no version line"

XAR_DEBUG=1 "$XAREXEC" x.xar 2> err > /dev/null
grep -q "xarexec: debug: reusing the live mount" err &&
	grep -q "xarexec: debug: exec " err &&
	pass "XAR_DEBUG=1 prints the decisions" ||
	fail "XAR_DEBUG=1 prints the decisions" "$(head -3 err)"
