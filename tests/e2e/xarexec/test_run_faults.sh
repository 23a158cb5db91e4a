#!/bin/sh
# Faults: a killed server is replaced by the next run; an unsafe mount
# point, per-user directory or mount root is refused with nothing mounted;
# a launcher killed while waiting leaves nothing broken.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
run_setup_xar
mp=$("$XAREXEC" -n x.xar)
ud=$(dirname "$mp")
nl='
'

# The server dies: the mount is dead (ENOTCONN); the next run replaces it.
"$XAREXEC" x.xar > /dev/null
pid=$(stats_value x.xar pid)
kill -9 "$pid"
wait_until 10 run_gone "$pid"
if stat -f "$mp" > /dev/null 2>&1; then
	fail "a killed server leaves a dead mount" "statfs still works"
else
	pass "a killed server leaves a dead mount"
fi
expect_eq "the next run recovers" "[x.xar]$nl[a]" "$("$XAREXEC" x.xar a)"
expect_eq "... with a new server" 1 "$(run_server_count "$T")"
[ "$(stats_value x.xar pid)" != "$pid" ] && pass "... not the dead one" ||
	fail "... not the dead one" "same pid"
expect_eq "... and one mount" 1 "$(run_mount_count "$T")"

# A dead mount that something still sits in is detached lazily.
pid=$(stats_value x.xar pid)
(cd "$mp" && sleep 3) &
sitter=$!
sleep 0.5
kill -9 "$pid"
wait_until 10 run_gone "$pid"
expect_eq "a busy dead mount is replaced too" "[x.xar]" "$("$XAREXEC" x.xar)"
expect_eq "... leaving one mount" 1 "$(run_mount_count "$T")"
wait "$sitter"
"$XAREXEC" -u x.xar
wait_until 10 not_mounted "$mp"

# refused NAME PATTERN CMD...: CMD fails with status 1, its message matches
# PATTERN, and nothing is mounted.
refused() {
	_name=$1 _pat=$2; shift 2
	"$@" > /dev/null 2> "$T/err"
	_rc=$?
	if [ "$_rc" -ne 1 ]; then
		fail "$_name" "status $_rc"
	elif ! grep -q -- "$_pat" "$T/err"; then
		fail "$_name" "message: $(cat "$T/err")"
	elif [ "$(run_mount_count "$T")" -ne 0 ]; then
		fail "$_name" "something got mounted"
	else
		pass "$_name"
	fi
}

# The mount point replaced by a symlink to a directory elsewhere.
mkdir -p "$T/elsewhere"
rmdir "$mp" 2>/dev/null # -u removed it already
ln -s "$T/elsewhere" "$mp"
refused "mount point that is a symlink: refused" "is a symlink" "$XAREXEC" x.xar
rm "$mp"

# A mount point that is not ours to mount on.
mkdir -m 0777 "$mp"
refused "group/world-writable mount point: refused" "writable by group or others" \
	"$XAREXEC" x.xar
rmdir "$mp"

# The per-user directory owned by another user.
chown 12345 "$ud"
refused "per-user directory of another user: refused" "owned by uid 12345" \
	"$XAREXEC" x.xar
chown "$(id -u)" "$ud"
chmod 0775 "$ud"
refused "group-writable per-user directory: refused" "writable by group or others" \
	"$XAREXEC" x.xar
chmod 0757 "$ud"
refused "world-writable per-user directory: refused" "writable by group or others" \
	"$XAREXEC" x.xar
chmod 0755 "$ud"
mv "$ud" "$T/real-ud" && ln -s "$T/real-ud" "$ud"
refused "per-user directory that is a symlink: refused" "is a symlink" "$XAREXEC" x.xar
rm "$ud" && mv "$T/real-ud" "$ud"

# A mount root shared without the sticky bit.
mkdir -m 0777 "$T/open-root" && chmod 0777 "$T/open-root"
refused "non-sticky shared mount root: refused" "neither sticky" \
	env XAR_MOUNT_ROOT="$T/open-root" "$XAREXEC" x.xar
refused "missing XAR_MOUNT_ROOT: refused" "XAR_MOUNT_ROOT" \
	env XAR_MOUNT_ROOT="$T/no-such-root" "$XAREXEC" x.xar

expect_eq "after the refusals a normal run works" "[x.xar]" "$("$XAREXEC" x.xar)"
"$XAREXEC" -u x.xar
wait_until 10 not_mounted "$mp"

# The launcher killed while it waits for a new mount: whatever the moment,
# no dead mount stays and the next run works.
"$XAREXEC" x.xar sleep 1 &
launcher=$!
sleep 0.05
kill -9 "$launcher" 2>/dev/null
wait "$launcher" 2>/dev/null
# A server it started may still be coming up: give it time to, or to fail.
not_dead() { not_mounted "$mp" || stat -f "$mp" > /dev/null 2>&1; }
wait_until 10 not_dead && pass "a killed launcher leaves no dead mount" ||
	fail "a killed launcher leaves no dead mount" "dead mount at $mp"
expect_eq "... and the next run works" "[x.xar]" "$("$XAREXEC" x.xar)"
expect_eq "... with one server" 1 "$(run_server_count "$T")"
