# Helpers for the xarexec run-time tests (test_run_*.sh), sourced after
# lib.sh. Each test file gets its own sticky mount root under $T, so that
# test files never see each other's mounts, and unmounts everything of its
# own at exit.

# The app packed into test xars: a small C program, so that argv[0],
# signals and exit codes are its own and no shell sits in between.
#   app                 print argv, one "[arg]" per line
#   app exit N | kill SIG | cat | env | pid | sleep S
run_app_source() {
	cat <<'EOF'
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	const char *arg = argc > 2 ? argv[2] : "0";
	int c, i;

	if (!strcmp(cmd, "exit"))
		return atoi(arg);
	if (!strcmp(cmd, "kill")) {
		signal(atoi(arg), SIG_DFL);
		raise(atoi(arg));
		return 99;
	}
	if (!strcmp(cmd, "cat")) {
		while ((c = getchar()) != EOF)
			putchar(c);
		return 0;
	}
	if (!strcmp(cmd, "env")) {
		printf("new=%s\n", getenv("XARFUSE_NEW_MOUNT") ?
		       getenv("XARFUSE_NEW_MOUNT") : "");
		printf("invoked=%s\n", getenv("XAR_INVOKED_NAME"));
		printf("files=%s\n", getenv("XAR_RUNTIME_FILES"));
		return 0;
	}
	if (!strcmp(cmd, "pid")) {
		printf("%ld\n", (long)getpid());
		return 0;
	}
	if (!strcmp(cmd, "sleep")) {
		sleep((unsigned)atoi(arg));
		return 0;
	}
	for (i = 0; i < argc; i++)
		printf("[%s]\n", argv[i]);
	return 0;
}
EOF
}

# run_setup: skip the whole file without FUSE; else a private mount root.
run_setup() {
	if ! have_fuse; then
		skip "$(basename "$0" .sh)" "no usable /dev/fuse and fusermount3"
		exit 0
	fi
	XAR_MOUNT_ROOT="$T/mnt"
	mkdir -p "$XAR_MOUNT_ROOT"
	chmod 1777 "$XAR_MOUNT_ROOT"
	export XAR_MOUNT_ROOT
	unset XAR_DEBUG XAR_MOUNT_TIMEOUT XARFUSE_NEW_MOUNT
	T_CLEANUP_HOOK=run_cleanup
}

# run_setup_xar: run_setup, then $T/src (the app tree), $T/x.xar (a raw xar
# of it) and the working directory $T.
run_setup_xar() {
	run_setup
	if ! make_app_tree "$T/src" || ! make_raw_xar "$T/x.xar" "$T/src"; then
		fail setup "cannot build the test xar"
		exit 1
	fi
	cd "$T" || exit 1
}

# Unmount whatever is mounted under $T and wait (bounded) for the servers.
run_cleanup() {
	for _m in $(run_mounts_under "$T"); do
		fusermount3 -u -z "$_m" 2>/dev/null || umount -l "$_m" 2>/dev/null
	done
	for _p in $(run_servers_under "$T"); do
		wait_until 10 run_gone "$_p" || kill -9 "$_p" 2>/dev/null
	done
}

# A process is gone once it exited, reaped (by init) or not.
run_gone() {
	! kill -0 "$1" 2>/dev/null ||
		[ "$(cut -d ' ' -f 3 "/proc/$1/stat" 2>/dev/null)" = Z ]
}

# Mount points below DIR, one a line.
run_mounts_under() {
	awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/mounts
}

# How many mounts below DIR.
run_mount_count() { run_mounts_under "$1" | wc -l | tr -d ' '; }
no_mounts_under() { [ "$(run_mount_count "$1")" -eq 0 ]; }

# Pids of FUSE servers whose image file lies below DIR (a server keeps its
# xar open).
run_servers_under() {
	for _p in $(pgrep -x xar-fuse-server); do
		if ls -l "/proc/$_p/fd" 2>/dev/null | grep -qF -- " $1/"; then
			echo "$_p"
		fi
	done
}
run_server_count() { run_servers_under "$1" | wc -l | tr -d ' '; }

# wait_until SECONDS CMD...: poll CMD every 0.1 s; 1 on timeout.
wait_until() {
	_n=$(($1 * 10)); shift
	while [ "$_n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}

# A value from a mount's stats file: stats_value XAR KEY
stats_value() {
	_s="$("$XAREXEC" -n "$1").stats"
	awk -v k="$2" '$1 == k { print $2 }' "$_s" 2>/dev/null
}

# The blocks a bare mount of XAR (not mounted now) prefetched, once its
# prefetcher has started and had half a second; unmounted again after.
first_prefetch() {
	_x=$1
	"$XAREXEC" -m "$_x" > /dev/null
	wait_until 5 eval '[ -n "$(stats_value "$_x" prefetched | grep -v "^0$")" ]'
	sleep 0.5
	stats_value "$_x" prefetched
	"$XAREXEC" -u "$_x"
}

is_mounted() { grep -qF " $1 " /proc/mounts; }
not_mounted() { ! is_mounted "$1"; }

# make_app_tree DIR: DIR/bin/app (the C app above), DIR/data.txt and
# DIR/link -> data.txt.
make_app_tree() {
	mkdir -p "$1/bin"
	run_app_source > "$T/app.c"
	${CC:-cc} -O2 -o "$1/bin/app" "$T/app.c" || return 1
	echo "data of $1" > "$1/data.txt"
	ln -s data.txt "$1/link"
}

# make_raw_xar OUT DIR: a xar whose target is DIR's bin/app.
make_raw_xar() {
	"$MKXAR" -q -o "$1" --exec bin/app "$2"
}
