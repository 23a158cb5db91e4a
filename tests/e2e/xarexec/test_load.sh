#!/bin/sh
# Load: 100 concurrent first launches of one xar, then 1000 sequential
# launches of a tiny static C target. All succeed; afterwards there is
# exactly one FUSE server and one mount, the server has as many open
# descriptors as before the sequential runs and about the same resident
# memory. The figures are printed ("load: …") for the record. Bounded: every
# launch runs under timeout, the whole file well within a minute here.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
run_setup
CONCURRENT=100
SEQUENTIAL=1000

mkdir -p "$T/src/bin"
cat > "$T/tiny.c" <<'EOF'
#include <unistd.h>
int main(void) { return write(1, "ok\n", 3) == 3 ? 0 : 1; }
EOF
if ! ${CC:-cc} -static -O2 -o "$T/src/bin/tiny" "$T/tiny.c" 2>"$T/err"; then
	fail static-target "$(head -c 300 "$T/err")"
	exit 0
fi
"$MKXAR" -q -o "$T/load.xar" --exec bin/tiny "$T/src" || {
	fail build "mkxar"; exit 0; }

# ---- concurrent first launches ----------------------------------------------
i=0
while [ $i -lt $CONCURRENT ]; do
	( timeout 120 "$XAREXEC" "$T/load.xar" >"$T/c.$i.out" 2>"$T/c.$i.err"
	  echo $? >"$T/c.$i.rc" ) &
	i=$((i + 1))
done
wait
ok=0; i=0
while [ $i -lt $CONCURRENT ]; do
	[ "$(cat "$T/c.$i.rc")" = 0 ] && [ "$(cat "$T/c.$i.out")" = ok ] &&
		ok=$((ok + 1))
	i=$((i + 1))
done
c_failed=$((CONCURRENT - ok))
if [ $c_failed -eq 0 ]; then
	pass concurrent-first-launches
else
	fail concurrent-first-launches "$c_failed of $CONCURRENT failed, e.g. $(cat "$T"/c.*.err | sort | uniq -c | sort -rn | head -n 2 | tr '\n' ' ')"
fi
expect_eq one-server-after-concurrent 1 "$(run_server_count "$T")"
expect_eq one-mount-after-concurrent 1 "$(run_mount_count "$T")"

server=$(run_servers_under "$T" | head -n 1)
if [ -z "$server" ]; then
	fail server "no FUSE server for the load xar"
	exit 0
fi
fds() { ls "/proc/$server/fd" 2>/dev/null | wc -l | tr -d ' '; }
rss() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$server/status"; }

# ---- sequential launches ----------------------------------------------------
# One warm-up run first, so that "before" sees a server that has served.
timeout 20 "$XAREXEC" "$T/load.xar" >/dev/null 2>&1
fds_before=$(fds); rss_before=$(rss)
s_failed=0; i=0
while [ $i -lt $SEQUENTIAL ]; do
	out=$(timeout 20 "$XAREXEC" "$T/load.xar" 2>>"$T/s.err") && [ "$out" = ok ] ||
		s_failed=$((s_failed + 1))
	i=$((i + 1))
done
fds_after=$(fds); rss_after=$(rss)
if [ $s_failed -eq 0 ]; then
	pass sequential-launches
else
	fail sequential-launches "$s_failed of $SEQUENTIAL failed, e.g. $(sort "$T/s.err" | uniq -c | sort -rn | head -n 2 | tr '\n' ' ')"
fi
expect_eq same-server-after-sequential "$server" "$(run_servers_under "$T" | tr '\n' ' ' | sed 's/ $//')"
expect_eq one-mount-after-sequential 1 "$(run_mount_count "$T")"
expect_eq server-fds-flat "$fds_before" "$fds_after"
# Resident memory may move by a few pages (malloc's arenas, libfuse's
# buffers); a leak per launch would show as 1000 times something. Under
# AddressSanitizer freed memory sits in quarantine, so allow more there.
slack=1024
[ -n "${XAR_SANITIZER_LOGS:-}" ] && slack=65536
if [ -n "$rss_before" ] && [ -n "$rss_after" ] &&
   [ "$rss_after" -le $((rss_before + slack)) ]; then
	pass server-rss-flat
else
	fail server-rss-flat "VmRSS ${rss_before} kB -> ${rss_after} kB (slack $slack kB)"
fi
echo "load: $CONCURRENT concurrent first launches, $c_failed failed;" \
     "$SEQUENTIAL sequential launches, $s_failed failed;" \
     "servers $(run_server_count "$T"), mounts $(run_mount_count "$T");" \
     "server fds $fds_before -> $fds_after; server VmRSS $rss_before kB -> $rss_after kB"

# ---- and nothing left once unmounted ----------------------------------------
timeout 20 "$XAREXEC" -u "$T/load.xar" >/dev/null 2>&1
wait_until 10 run_gone "$server"
expect_eq no-mount-after-unmount 0 "$(run_mount_count "$T")"
expect_eq no-server-after-unmount 0 "$(run_server_count "$T")"
