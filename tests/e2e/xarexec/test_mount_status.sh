#!/bin/sh
# xarexec --status, --clean and --doctor on live FUSE mounts: --status
# lists this user's mount with its xar, UUID and server pid; --clean keeps a
# mount in use, unmounts it once unused, detaches one whose server was
# killed; mounts outside this XAR_MOUNT_ROOT are left alone; --doctor
# reports /dev/fuse, fusermount3, the mount root and a xar it is given.
. "$(dirname "$0")/../lib.sh"

if ! have_fuse; then
	skip mount-status "needs FUSE (/dev/fuse and fusermount3)"
	exit 0
fi
export XDG_CACHE_HOME="$T/cache" XAR_MOUNT_ROOT="$T/mnt"
mkdir -m 1777 "$T/mnt" "$T/other"
T_CLEANUP_HOOK='kill $hold_pid 2>/dev/null; for m in $(awk -v t="$T/" "index(\$2, t) == 1 { print \$2 }" /proc/mounts); do fusermount3 -u -z "$m" 2>/dev/null; done'
hold_pid=
mounted() { awk -v m="$1" '$2 == m { print "yes" }' /proc/mounts; }

mkdir -p "$T/app/bin"
printf '#!/bin/sh\necho "args=$*"\n' > "$T/app/bin/tool"
chmod 755 "$T/app/bin/tool"
"$MKXAR" -q -o "$T/a.xar" --exec bin/tool "$T/app"
uuid=$(sed -n 's/^UUID="\(.*\)"$/\1/p' "$T/a.xar")
expect_eq run "args=x" "$("$XAREXEC" "$T/a.xar" x 2>&1)"
mp=$("$XAREXEC" -n "$T/a.xar")
other=$(XAR_MOUNT_ROOT="$T/other" "$XAREXEC" -m "$T/a.xar")

out=$("$XAREXEC" --status 2>&1)
case $out in
*"$mp  $uuid  server pid "[0-9]*) pass status-lists-mount ;;
*) fail status-lists-mount "$out" ;;
esac
case $out in
*"  $T/a.xar  $mp  $uuid  server pid "[0-9]*) pass status-names-the-xar ;;
*) fail status-names-the-xar "$out" ;;
esac
case $out in
*"$other"*) fail status-own-root-only "$out" ;;
*) pass status-own-root-only ;;
esac

# in use: a process has its working directory in the mount
(cd "$mp" && exec sleep 30) &
hold_pid=$!
while [ "$(readlink "/proc/$hold_pid/cwd")" != "$mp" ] &&
      kill -0 "$hold_pid" 2>/dev/null; do
	sleep 0.1
done
out=$("$XAREXEC" --clean 2>&1)
expect_eq clean-keeps-busy-mount yes "$(mounted "$mp")"
kill "$hold_pid"; wait "$hold_pid" 2>/dev/null; hold_pid=
"$XAREXEC" --clean >/dev/null 2>"$T/err"
expect_eq clean-status 0 "$?"
expect_eq clean-unmounts-idle "" "$(mounted "$mp")"
expect_eq clean-leaves-other-root yes "$(mounted "$other")"

# broken: the server was killed
"$XAREXEC" "$T/a.xar" >/dev/null 2>&1
pid=$(sed -n 's/^pid //p' "$mp.stats")
kill -9 "$pid"
while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
out=$("$XAREXEC" --status 2>&1)
case $out in
*"$mp  $uuid  broken"*) pass status-shows-broken ;;
*) fail status-shows-broken "$out" ;;
esac
"$XAREXEC" --clean >/dev/null 2>"$T/err"
expect_eq clean-removes-broken "" "$(mounted "$mp")"
expect_eq run-after-clean "args=y" "$("$XAREXEC" "$T/a.xar" y 2>&1)"
"$XAREXEC" -u "$T/a.xar"
XAR_MOUNT_ROOT="$T/other" "$XAREXEC" -u "$T/a.xar"

out=$("$XAREXEC" --doctor "$T/a.xar" 2>&1)
case $out in
*"ok: /dev/fuse"*"ok: fusermount3"*"ok: mount root $T/mnt"*"ok: $T/a.xar says how to run it"*) pass doctor-ok ;;
*) fail doctor-ok "$out" ;;
esac
