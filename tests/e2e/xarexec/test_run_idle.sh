#!/bin/sh
# Idle unmount: after XAR_MOUNT_TIMEOUT seconds without use the mount goes
# away and its server exits, but not while an app started from it, or a
# process whose working directory is in it, still runs; 0 means never.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
run_setup_xar
mp=$("$XAREXEC" -n x.xar)

XAR_MOUNT_TIMEOUT=2 "$XAREXEC" x.xar > /dev/null
pid=$(stats_value x.xar pid)
is_mounted "$mp" && pass "mounted after a run" || fail "mounted after a run" "no mount"
wait_until 20 not_mounted "$mp" && pass "idle mount goes away" ||
	fail "idle mount goes away" "still mounted after 20 s"
wait_until 10 run_gone "$pid" && pass "idle server exits" ||
	fail "idle server exits" "pid $pid still runs"
expect_eq "the server's stats say it exited" exited "$(stats_value x.xar state)"

# A long-running app keeps its mount: it sleeps well past the timeout.
XAR_MOUNT_TIMEOUT=1 "$XAREXEC" x.xar sleep 6 &
app=$!
wait_until 10 is_mounted "$mp"
sleep 4
if kill -0 "$app" 2>/dev/null; then
	is_mounted "$mp" && pass "a running app keeps its mount" ||
		fail "a running app keeps its mount" "unmounted under the app"
else
	skip "a running app keeps its mount" "the app ended too early to judge"
fi
wait "$app"
expect_eq "the app finished normally" 0 "$?"
wait_until 20 not_mounted "$mp" && pass "... and the mount goes once it ends" ||
	fail "... and the mount goes once it ends" "still mounted after 20 s"

# A working directory inside the mount keeps it too.
XAR_MOUNT_TIMEOUT=1 "$XAREXEC" -m x.xar > /dev/null
(cd "$mp/bin" && sleep 4) &
sitter=$!
sleep 3
is_mounted "$mp" && pass "a working directory keeps the mount" ||
	fail "a working directory keeps the mount" "unmounted"
wait "$sitter"
wait_until 20 not_mounted "$mp" && pass "... until it is left" ||
	fail "... until it is left" "still mounted after 20 s"

# 0: never unmount for idleness.
XAR_MOUNT_TIMEOUT=0 "$XAREXEC" x.xar > /dev/null
sleep 3
is_mounted "$mp" && pass "XAR_MOUNT_TIMEOUT=0 keeps the mount" ||
	fail "XAR_MOUNT_TIMEOUT=0 keeps the mount" "unmounted"
"$XAREXEC" -u x.xar
wait_until 10 not_mounted "$mp"

# --timeout beats the environment for a mount made now.
XAR_MOUNT_TIMEOUT=0 "$XAREXEC" --timeout 1 -m x.xar > /dev/null
expect_eq "--timeout sets the new mount's timeout" 1 "$(stats_value x.xar idle_timeout)"
wait_until 20 not_mounted "$mp" && pass "--timeout 1 unmounts" ||
	fail "--timeout 1 unmounts" "still mounted after 20 s"

XAR_MOUNT_TIMEOUT=soon "$XAREXEC" x.xar > /dev/null 2>&1
expect_eq "a bad XAR_MOUNT_TIMEOUT is a usage error" 2 "$?"
