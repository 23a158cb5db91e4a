#!/bin/sh
# The per-mount lock file (<mount point>.lock): deleted with or without a
# live mount, left locked by a killed process, or held by a live one (a
# launch waits for it), it never stops a run for good; a symlink, another
# user's file or a file others may open in its place is refused with
# nothing mounted and the file left alone; 20 simultaneous first launches
# without it make one server.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
run_setup_xar
holder=
T_CLEANUP_HOOK='rm -f "$T/hold"; [ -n "$holder" ] && kill -9 $holder 2>/dev/null; run_cleanup'
mp=$("$XAREXEC" -n x.xar)
lock=$mp.lock
new_of() { "$XAREXEC" x.xar env 2>&1 | grep '^new='; }
unmount() { "$XAREXEC" -u x.xar && wait_until 10 no_mounts_under "$T"; }
locked() { ! flock -n "$lock" true; }

# (a) Deleted under a live mount: the mount is reused.
expect_eq "a first run mounts" "new=1" "$(new_of)"
check "... and leaves a lock file of mode 0600" test "$(stat -c %a "$lock")" = 600
rm "$lock"
expect_eq "lock file deleted, mount live: the next run reuses the mount" "new=" "$(new_of)"
expect_eq "... one server" 1 "$(run_server_count "$T")"

# (b) Deleted with nothing mounted: the next run mounts and makes it again.
unmount
rm -f "$lock"
expect_eq "lock file deleted, nothing mounted: the next run mounts" "new=1" "$(new_of)"
check "... and makes the lock file again" test -f "$lock"

# (c) Locked by a process killed since: the kernel dropped its lock.
unmount
check "-u removes the lock file with the mount" test ! -e "$lock"
# hold SH-CODE: a process that locks the lock file (made as a run makes it,
# when -u removed it) and runs SH-CODE.
hold() {
	[ -e "$lock" ] || (umask 077 && : > "$lock")
	sh -c 'exec 9< "$1" && flock 9 && eval "$2"' sh "$lock" "$1" &
	holder=$!
	wait_until 10 locked
}
hold 'exec sleep 30'
kill -9 "$holder"
wait "$holder" 2>/dev/null
expect_eq "lock file of a killed holder: the next run mounts" "new=1" \
	"$(timeout 20 "$XAREXEC" x.xar env 2>&1 | grep '^new=')"

# (d) Held by a live process: a launch waits for it, then mounts.
unmount
: > "$T/hold"
hold "while [ -e '$T/hold' ]; do sleep 0.05; done"
timeout 20 "$XAREXEC" x.xar env > waited.out 2>&1 &
launcher=$!
sleep 1
if ! run_gone "$launcher" && no_mounts_under "$T"; then
	pass "a launch waits while another process holds the lock"
else
	fail "a launch waits while another process holds the lock" "$(cat waited.out)"
fi
rm "$T/hold"
wait "$holder"
wait "$launcher"
rc=$?
expect_eq "... and mounts once it is released" "0 new=1" \
	"$rc $(grep '^new=' waited.out)"
holder=

# refused NAME: a run fails with status 1 and a message naming the lock
# file, mounts nothing and leaves $T/victim as it was.
refused() {
	_before=$(ls -l --time-style=+%s.%N "$T/victim" 2>&1; cat "$T/victim" 2>&1)
	timeout 20 "$XAREXEC" x.xar > /dev/null 2> err
	_rc=$?
	if [ "$_rc" -ne 1 ]; then
		fail "$1" "status $_rc"
		unmount
	elif ! grep -qF "lock file '$lock'" err; then
		fail "$1" "message: $(cat err)"
	elif [ "$(run_mount_count "$T")" -ne 0 ]; then
		fail "$1" "something got mounted"
	elif [ "$_before" != "$(ls -l --time-style=+%s.%N "$T/victim" 2>&1; cat "$T/victim" 2>&1)" ]; then
		fail "$1" "$T/victim changed"
	else
		pass "$1"
	fi
}

# (e) Something else in its place.
unmount
echo precious > "$T/victim"
chmod 0644 "$T/victim"
rm -f "$lock"
ln -s "$T/victim" "$lock"
refused "lock file that is a symlink to a file: refused"
grep -q "is a symlink" err && pass "... saying it is a symlink" ||
	fail "... saying it is a symlink" "$(cat err)"
rm "$lock" "$T/victim"
ln -s "$T/victim" "$lock"
refused "lock file that is a dangling symlink: refused"
check "... the symlink's target is not created" test ! -e "$T/victim"
rm "$lock"

if is_root; then
	echo precious > "$lock"
	chmod 0600 "$lock"
	chown 12345 "$lock"
	refused "lock file owned by another user: refused"
	grep -q "owned by uid 12345, not 0" err && pass "... naming the owner" ||
		fail "... naming the owner" "$(cat err)"
	check "... and left alone" test "$(stat -c %u "$lock") $(cat "$lock")" = "12345 precious"
	rm "$lock"
else
	skip "lock file owned by another user" "needs root to give a file away"
fi

for mode in 0666 0644 0640; do
	: > "$lock"
	chmod "$mode" "$lock"
	refused "lock file of mode $mode (others could hold the lock): refused"
	check "... and left alone" test "$(stat -c %a "$lock")" = "${mode#0}"
	rm "$lock"
done

mkdir "$lock"
refused "lock file that is a directory: refused"
rmdir "$lock"
expect_eq "after the refusals a run mounts" "new=1" "$(new_of)"

# (f) 20 simultaneous first launches without a lock file.
unmount
rm -f "$lock"
mkdir out
i=1
while [ "$i" -le 20 ]; do
	(timeout 60 "$XAREXEC" x.xar env > "out/$i" 2>&1; echo $? > "out/$i.rc") &
	i=$((i + 1))
done
wait
expect_eq "20 simultaneous first launches without a lock file all succeed" 20 \
	"$(cat out/*.rc | grep -c '^0$')"
expect_eq "... one of them mounted" 1 "$(cat out/[0-9] out/[0-9][0-9] | grep -c '^new=1$')"
expect_eq "... one server" 1 "$(run_server_count "$T")"
expect_eq "... one mount" 1 "$(run_mount_count "$T")"
