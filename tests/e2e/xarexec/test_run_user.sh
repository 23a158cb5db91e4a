#!/bin/sh
# An unprivileged user runs xars: mounts through fusermount3, reuse, idle
# unmount, -u and recovery from a killed server all work without root; a
# user without /dev/fuse gets a clear error; a set-uid xarexec refuses.
# Creates a user for the run (and removes it); widens /dev/fuse to 0666 for
# the run if it is narrower (and restores it).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
. "$(dirname "$0")/../lib_users.sh"
if ! can_add_user; then
	skip test_run_user "needs root, useradd and setpriv to create a user"
	exit 0
fi
run_setup
user_setup

make_app_tree "$T/src" && make_raw_xar "$T/x.xar" "$T/src" ||
	{ fail setup "cannot build the test xar"; exit 1; }
chmod -R a+rX "$T/src" "$T/x.xar"
cd "$T" || exit 1
mp=$(as_user "$XAREXEC" -n x.xar)
expect_eq "the user's mount point is under uid-$uid" "$T/mnt/uid-$uid" "$(dirname "$mp")"

expect_eq "the user runs a xar" "new=1" "$(as_user "$XAREXEC" x.xar env | grep '^new=')"
grep -F " $mp " /proc/mounts | grep -q "user_id=$uid," &&
	pass "... mounted as the user (fusermount3)" ||
	fail "... mounted as the user (fusermount3)" "$(grep -F " $mp " /proc/mounts)"
pid=$(awk '$1 == "pid" { print $2 }' "$mp.stats")
expect_eq "... served by a process of the user" "$uid" "$(ps -o uid= -p "$pid" | tr -d ' ')"
expect_eq "the user's second run reuses the mount" "new=" \
	"$(as_user "$XAREXEC" x.xar env | grep '^new=')"

"$XAREXEC" x.xar > /dev/null
expect_eq "root and the user have a mount each" 2 "$(run_mount_count "$T")"
"$XAREXEC" -u x.xar

kill -9 "$pid"
wait_until 10 run_gone "$pid"
expect_eq "after its server is killed the user's next run recovers" "new=1" \
	"$(as_user "$XAREXEC" x.xar env | grep '^new=')"

as_user "$XAREXEC" -u x.xar
expect_eq "-u as the user: status 0" 0 "$?"
not_mounted "$mp" && pass "-u as the user unmounts" || fail "-u as the user unmounts" "still mounted"

as_user env XAR_MOUNT_TIMEOUT=1 "$XAREXEC" x.xar > /dev/null
wait_until 20 not_mounted "$mp" && pass "the user's idle mount goes away" ||
	fail "the user's idle mount goes away" "still mounted after 20 s"

# Without access to /dev/fuse.
chmod 0600 /dev/fuse
as_user "$XAREXEC" x.xar > /dev/null 2> err
rc=$?
chmod 0666 /dev/fuse
expect_eq "no /dev/fuse for the user: status 1" 1 "$rc"
grep -q "FUSE is unavailable" err && pass "... says FUSE is unavailable" ||
	fail "... says FUSE is unavailable" "$(cat err)"
expect_eq "... and mounts nothing" 0 "$(run_mount_count "$T")"

# A per-user directory that another user made first.
mkdir -m 1777 "$T/mnt2" && mkdir -m 0755 "$T/mnt2/uid-$uid"
as_user env XAR_MOUNT_ROOT="$T/mnt2" "$XAREXEC" x.xar > /dev/null 2> err
expect_eq "a per-user directory owned by root: refused" 1 "$?"
grep -q "owned by uid 0, not $uid" err && pass "... naming the owner" ||
	fail "... naming the owner" "$(cat err)"

cp "$XAREXEC" "$T/suid-xarexec" && chmod 4755 "$T/suid-xarexec"
as_user "$T/suid-xarexec" x.xar > /dev/null 2> err
expect_eq "a set-uid xarexec refuses to run" 1 "$?"
grep -q "refusing to run set-uid" err && pass "... saying so" ||
	fail "... saying so" "$(cat err)"
