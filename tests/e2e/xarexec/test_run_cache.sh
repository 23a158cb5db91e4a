#!/bin/sh
# The mount is made once and reused: a second run makes no new mount and no
# new server; XARFUSE_NEW_MOUNT is set on the first run only; one mount per
# image UUID; the header's MOUNT_ROOT is honoured; requests are counted.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
run_setup_xar
mp=$("$XAREXEC" -n x.xar)

expect_eq "first run mounts: XARFUSE_NEW_MOUNT=1" "new=1" \
	"$("$XAREXEC" x.xar env | grep '^new=')"
pid1=$(stats_value x.xar pid)
expect_eq "one mount after the first run" 1 "$(run_mount_count "$T")"
expect_eq "one server after the first run" "$pid1" "$(run_servers_under "$T")"

expect_eq "second run reuses: XARFUSE_NEW_MOUNT unset" "new=" \
	"$("$XAREXEC" x.xar env | grep '^new=')"
expect_eq "a caller's XARFUSE_NEW_MOUNT is not passed on" "new=" \
	"$(XARFUSE_NEW_MOUNT=1 "$XAREXEC" x.xar env | grep '^new=')"
expect_eq "still one mount" 1 "$(run_mount_count "$T")"
expect_eq "still the same server" "$pid1" "$(run_servers_under "$T")"

# A copy of the file is the same image: it shares the mount.
cp x.xar copy.xar
expect_eq "a copy shares the mount" "new=" \
	"$("$XAREXEC" copy.xar env | grep '^new=')"

# Another image gets its own mount and server.
mkdir -p src2 && cp -r src/. src2/ && echo other > src2/data.txt
make_raw_xar y.xar src2
"$XAREXEC" y.xar > /dev/null
expect_eq "another image: two mounts" 2 "$(run_mount_count "$T")"
expect_eq "another image: two servers" 2 "$(run_server_count "$T")"
expect_eq "each mount serves its own image" "other" \
	"$(cat "$("$XAREXEC" -n y.xar)/data.txt")"

# A hot run costs the server one STATFS (the liveness check).
statfs_reached() { [ "$(stats_value x.xar STATFS)" -ge "$1" ]; }
sleep 0.5 # the server rewrites its stats once requests pause
s0=$(stats_value x.xar STATFS)
for i in 1 2 3 4 5; do "$XAREXEC" x.xar > /dev/null; done
wait_until 10 statfs_reached $((s0 + 5))
sleep 0.5
expect_eq "five hot runs: five STATFS requests" 5 \
	"$(($(stats_value x.xar STATFS) - s0))"
grep -q '^STATFS ' "$mp.stats" && pass "request counts by type in the stats file" ||
	fail "request counts by type in the stats file" "$(cat "$mp.stats")"

# The image never changes: the kernel keeps entries, attributes, missing
# names, directory listings and symlink targets; asking again costs nothing.
count() { _v=$(stats_value x.xar "$1"); echo "${_v:-0}"; }
# again NAME TYPE CMD...: CMD once (settled), then twice more: TYPE requests
# must not grow.
again() {
	_name=$1 _type=$2; shift 2
	"$@" > /dev/null 2>&1
	sleep 0.5
	_before=$(count "$_type")
	"$@" > /dev/null 2>&1
	"$@" > /dev/null 2>&1
	sleep 0.5
	expect_eq "$_name" "$_before" "$(count "$_type")"
}
again "a missing name is looked up once" LOOKUP stat "$mp/no-such-file"
again "attributes are asked for once" GETATTR stat "$mp/data.txt"
again "a directory is listed once" READDIR ls -la "$mp/bin"
again "file data is read once" READ cat "$mp/bin/app"
again "a symlink target is read once" READLINK cat "$mp/link"

# MOUNT_ROOT from the header, when $XAR_MOUNT_ROOT is not set.
mkdir -m 1777 "$T/hdr-root"
"$MKXAR" -q -o z.xar --exec bin/app --mount-root "$T/hdr-root" src2
(unset XAR_MOUNT_ROOT; "$XAREXEC" z.xar > /dev/null)
case $(cd / && env -u XAR_MOUNT_ROOT "$XAREXEC" -n "$T/z.xar") in
"$T/hdr-root/uid-$(id -u)/"*) pass "header MOUNT_ROOT is used" ;;
*) fail "header MOUNT_ROOT is used" "$(env -u XAR_MOUNT_ROOT "$XAREXEC" -n "$T/z.xar")" ;;
esac
expect_eq "header MOUNT_ROOT: mounted there" 1 "$(run_mount_count "$T/hdr-root")"
