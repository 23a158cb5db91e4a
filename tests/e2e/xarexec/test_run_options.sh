#!/bin/sh
# xarexec -n (where it would mount), -m (mount, print, run nothing) and -u
# (unmount if mounted); options after the xar path belong to the app.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
run_setup_xar

mp=$("$XAREXEC" -n x.xar)
expect_eq "-n: status 0" 0 "$?"
uuid=$(sed -n 's/^UUID="\(.*\)"$/\1/p' x.xar | head -n 1)
ns=$(stat -L -c %i /proc/self/ns/mnt)
expect_eq "-n: <root>/uid-<uid>/<uuid>-ns-<mnt ns>-v<format>" \
	"$T/mnt/uid-$(id -u)/$uuid-ns-$ns-v1" "$mp"
expect_eq "-n: mounts nothing" 0 "$(run_mount_count "$T")"
expect_eq "--print-path = -n" "$mp" "$("$XAREXEC" --print-path x.xar)"

expect_eq "-m: prints the mount point" "$mp" "$("$XAREXEC" -m x.xar)"
is_mounted "$mp" && pass "-m: mounted" || fail "-m: mounted" "no mount"
expect_eq "-m: runs nothing, the files are there" "data of $T/src" \
	"$(cat "$mp/data.txt")"
pid=$(stats_value x.xar pid)
expect_eq "-m again: same mount point" "$mp" "$("$XAREXEC" --mount x.xar)"
expect_eq "-m again: same server" "$pid" "$(stats_value x.xar pid)"
"$MKXAR" -q --no-exec -o notarget.xar src
expect_eq "-m needs no target" "$("$XAREXEC" -n notarget.xar)" \
	"$("$XAREXEC" -m notarget.xar)"

# -u while something sits in the mount: refused, still mounted.
(cd "$mp" && sleep 2) &
sitter=$!
sleep 0.3
"$XAREXEC" -u x.xar 2> err
expect_eq "-u on a busy mount: status 1" 1 "$?"
is_mounted "$mp" && pass "-u on a busy mount: still mounted" ||
	fail "-u on a busy mount: still mounted" "unmounted under a user"
wait "$sitter"

"$XAREXEC" -u x.xar
expect_eq "-u: status 0" 0 "$?"
not_mounted "$mp" && pass "-u: unmounted" || fail "-u: unmounted" "still mounted"
wait_until 10 run_gone "$pid" && pass "-u: the server exits" ||
	fail "-u: the server exits" "pid $pid still runs"
"$XAREXEC" --unmount x.xar
expect_eq "-u with nothing mounted: status 0" 0 "$?"
"$XAREXEC" -u notarget.xar

"$XAREXEC" -m -u x.xar > /dev/null 2>&1
expect_eq "-m with -u: usage status 2" 2 "$?"
for o in -u -m -n; do
	out=$("$XAREXEC" $o x.xar notarget.xar 2>&1)
	expect_eq "$o with two xars: usage status 2, not the second ignored" \
		"2 xarexec: unexpected argument: notarget.xar" "$? $(echo "$out" | head -1)"
done
expect_eq "... and nothing was mounted by them" 0 "$(run_mount_count "$T")"

nl='
'
expect_eq "options after the xar go to the app" "[x.xar]$nl[-u]$nl[--help]$nl[-m]" \
	"$("$XAREXEC" x.xar -u --help -m)"
expect_eq "... and the mount stayed" 1 "$(run_mount_count "$T")"

# A relative XAR_MOUNT_ROOT means the same place as the absolute one (the
# server, which works from /, is given the absolute path).
expect_eq "relative XAR_MOUNT_ROOT: same mount point" "$mp" \
	"$(XAR_MOUNT_ROOT=mnt "$XAREXEC" -n x.xar)"
expect_eq "relative XAR_MOUNT_ROOT: runs" "[x.xar]" \
	"$(XAR_MOUNT_ROOT=mnt "$XAREXEC" x.xar)"
