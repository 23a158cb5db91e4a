#!/bin/sh
# The environment cannot redirect another user's mounts: a user whose
# XAR_MOUNT_ROOT or XDG_RUNTIME_DIR names root's per-user directory, its
# mount, or directories the user does not own, never mounts, unmounts or
# writes there, and -n never prints a path there; root's live mount stays
# served by the same server; XAR_RUNTIME_FILES, XAR_INVOKED_NAME and
# XARFUSE_NEW_MOUNT from the caller are replaced; the user's
# XAR_MOUNT_TIMEOUT only times out the user's mount. A sticky directory
# that another user owns is no mount root for root: its owner could swap
# the per-user directory for a symlink.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
. "$(dirname "$0")/../lib_users.sh"
if ! can_add_user; then
	skip test_run_env_redirect "needs root, useradd and setpriv to create a user"
	exit 0
fi
run_setup_xar
user_setup
chmod -R a+rX "$T/src" "$T/x.xar"

mp=$("$XAREXEC" -m x.xar)
rd=$(dirname "$mp")
pid=$(stats_value x.xar pid)
# What root's per-user directory holds: names, owners, modes.
snapshot() { find "$rd" -maxdepth 1 ! -name '*.tmp' -printf '%f %u %m\n' | sort; }
before=$(snapshot)
mkdir -m 0755 "$T/root-open" && mkdir -m 0700 "$T/root-private"
mkdir -m 0755 "$T/user-dir" && chown "$uid" "$T/user-dir"
as_user ln -s "$rd" "$T/user-dir/uid-$uid"

# Each place as the user's XAR_MOUNT_ROOT: a run, -m and -u are refused,
# and nothing prints a path in root's directory (-n only prints: through
# the user's own symlink it names a path of the user's).
for root in "$rd" "$mp" "$T/root-open" "$T/root-private" "$T/user-dir"; do
	bad=
	for mode in "" -m -u -n; do
		out=$(as_user env XAR_MOUNT_ROOT="$root" "$XAREXEC" $mode x.xar 2> err)
		rc=$?
		[ "$rc" -eq 1 ] || [ "$mode" = -n ] || bad="$bad; '$mode' status $rc"
		case $out in *"$rd"/*) bad="$bad; '$mode' printed $out" ;; esac
	done
	[ -z "$bad" ] && pass "the user's XAR_MOUNT_ROOT=${root#$T/}: refused" ||
		fail "the user's XAR_MOUNT_ROOT=${root#$T/}: refused" "${bad#; }"
done

# XDG_RUNTIME_DIR naming root's directory is skipped like any unusable root.
out=$(as_user env -u XAR_MOUNT_ROOT XDG_RUNTIME_DIR="$rd" "$XAREXEC" -n x.xar 2> err)
case $out in
"$rd"/* | "") fail "the user's XDG_RUNTIME_DIR=root's directory: not used" "[$out] $(cat err)" ;;
*) pass "the user's XDG_RUNTIME_DIR=root's directory: not used" ;;
esac
as_user env -u XAR_MOUNT_ROOT XDG_RUNTIME_DIR="$rd" "$XAREXEC" -u x.xar 2> err
expect_eq "... and -u with it touches nothing: status 0" 0 "$?"

# The user's own -u, --clean and --status under the shared root.
as_user "$XAREXEC" -u x.xar
expect_eq "the user's -u: status 0" 0 "$?"
as_user "$XAREXEC" --clean > /dev/null 2>&1
as_user "$XAREXEC" --status > out 2>&1
grep -qF "$rd" out && fail "the user's --status does not show root's mounts" "$(cat out)" ||
	pass "the user's --status does not show root's mounts"

expect_eq "root's directory is as it was" "$before" "$(snapshot)"
expect_eq "... holds nothing of the user's" "" "$(find "$rd" -user "$uid")"
is_mounted "$mp" && pass "root's mount is still mounted" ||
	fail "root's mount is still mounted" "gone"
expect_eq "... by the same server" "$pid" "$(stats_value x.xar pid)"
kill -0 "$pid" 2>/dev/null && pass "... which is alive" || fail "... which is alive" "gone"
expect_eq "... and root's next run reuses it" "new=" "$("$XAREXEC" x.xar env | grep '^new=')"

# The variables xarexec sets for the app are its own, not the caller's.
env_run() {
	as_user env XAR_RUNTIME_FILES="$mp" XAR_INVOKED_NAME=/bin/false \
	    XARFUSE_NEW_MOUNT=1 "$XAREXEC" x.xar env
}
ump=$(as_user "$XAREXEC" -n x.xar)
expect_eq "the caller's XAR_* app variables are replaced (new mount)" \
	"new=1 invoked=x.xar files=$ump" "$(env_run | tr '\n' ' ' | sed 's/ $//')"
expect_eq "... and on reuse XARFUSE_NEW_MOUNT is unset" \
	"new= invoked=x.xar files=$ump" "$(env_run | tr '\n' ' ' | sed 's/ $//')"

# XAR_MOUNT_TIMEOUT=1 of the user times out the user's mount only.
as_user "$XAREXEC" -u x.xar
as_user env XAR_MOUNT_TIMEOUT=1 "$XAREXEC" x.xar > /dev/null
wait_until 20 not_mounted "$ump" && pass "the user's XAR_MOUNT_TIMEOUT=1 unmounts the user's mount" ||
	fail "the user's XAR_MOUNT_TIMEOUT=1 unmounts the user's mount" "still mounted after 20 s"
is_mounted "$mp" && [ "$(stats_value x.xar pid)" = "$pid" ] &&
	[ "$(stats_value x.xar idle_timeout)" = 870 ] &&
	pass "... not root's" || fail "... not root's" "$(cat "$mp.stats")"

# A sticky, world-writable directory of the user's as root's mount root.
mkdir -m 1777 "$T/user-shared" && chown "$uid" "$T/user-shared"
chmod 1777 "$T/user-shared"
env XAR_MOUNT_ROOT="$T/user-shared" "$XAREXEC" -m x.xar > out 2> err
expect_eq "root's XAR_MOUNT_ROOT=a sticky directory of the user's: status 1" 1 "$?"
grep -q "neither sticky" err && pass "... saying why" || fail "... saying why" "$(cat err)"
expect_eq "... creating nothing there" "" "$(ls -A "$T/user-shared")"
out=$(env -u XAR_MOUNT_ROOT XDG_RUNTIME_DIR="$T/user-shared" "$XAREXEC" -n x.xar 2> err)
case $out in
"$T/user-shared"/* | "") fail "root's XDG_RUNTIME_DIR=a sticky directory of the user's: not used" "[$out] $(cat err)" ;;
*) pass "root's XDG_RUNTIME_DIR=a sticky directory of the user's: not used" ;;
esac
expect_eq "the user may still use it" "$T/user-shared/uid-$uid" \
	"$(dirname "$(as_user env XAR_MOUNT_ROOT="$T/user-shared" "$XAREXEC" -n x.xar)")"
