# Sourced by the Python benches (python.sh, apps.sh), after BUILD is set.
# bench_workdir NAME: a new work directory $W (/tmp/xar-bench-NAME.XXXXXX)
# holding a private mount root (exported as XAR_MOUNT_ROOT), BUILD first
# on PATH; on exit every xar in $W is unmounted, whatever is still mounted
# below $W is detached, and $W is removed.
bench_workdir() {
	W=$(mktemp -d "/tmp/xar-bench-$1.XXXXXX")
	export XAR_MOUNT_ROOT="$W/mnt" PATH="$BUILD:$PATH"
	mkdir -m 1777 "$XAR_MOUNT_ROOT"
	trap bench_cleanup EXIT INT TERM
}

bench_cleanup() {
	for x in "$W"/*.xar; do [ -e "$x" ] && "$BUILD/xarexec" -u "$x" >/dev/null 2>&1; done
	for m in $(awk -v w="$W/" 'index($2, w) == 1 { print $2 }' /proc/mounts); do
		fusermount3 -u -z "$m" 2>/dev/null || true
	done
	rm -rf "$W"
}
