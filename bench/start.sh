#!/bin/sh
# Start-up and file-serving cost of xarexec, side by side with its peers.
#
#   sh bench/start.sh [BUILD_DIR]      (default: build; make first)
#
# 1. Start: a xar whose target is a tiny static C program, against running
#    that program directly, through xarexec, a shebang and the runtime
#    embedded by mkxar --self-contained. Hot = the mount is cached; cold = a fresh mount
#    each run (unmounted, untimed, before each). Medians over $RUNS runs.
# 2. Files: every file of a real Python tree ($TREE, default Django's if
#    installed, else /usr/lib/python3.11) walked as an import does (lstat,
#    open, fstat, read to the end, close), from our mount, from the
#    squashfuse_ll binary mounting the same image, and from the tree on
#    disk: wall-time ratios (medians over $WALKS hot runs) and FUSE requests
#    per hot run by type (ours from the server's stats file, squashfuse_ll's
#    from its -d log). Repeated with an isatty() per open, which Python's
#    open() adds, because the kernel forwards every ioctl to the server.
# 3. Per operation, hot, on one small file of $TREE: lstat, open+close,
#    pread, fstat, on disk and from our mount (no request reaches our server
#    for any of them): the kernel's own cost per file, which bounds 2.
#
# Needs: cc, mkxar and xarexec from BUILD_DIR, squashfuse_ll, FUSE.
set -eu
BUILD=$(cd "${1:-build}" && pwd)
RUNS=${RUNS:-201}
WALKS=${WALKS:-21}
W=$(mktemp -d "${TMPDIR:-/tmp}/xar-bench.XXXXXX")
chmod 755 "$W"
export XAR_MOUNT_ROOT="$W/mnt"
mkdir -m 1777 "$XAR_MOUNT_ROOT"
unset XAR_DEBUG XAR_MOUNT_TIMEOUT
SQ1="$W/sq-time" SQ2="$W/sq-count"

cleanup() {
	set +e
	for m in $(awk -v d="$W/" 'index($2, d) == 1 { print $2 }' /proc/mounts); do
		fusermount3 -u -z "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	[ -n "${SQPID:-}" ] && kill "$SQPID" 2>/dev/null
	sleep 0.2
	rm -rf "$W"
}
trap cleanup EXIT INT TERM

# ---- helpers, compiled here so that the script is all there is ----

# timeit N BEFORE CMD... [--- BEFORE CMD...]...: run each CMD N times, the
# commands taking turns (so that drift on a busy machine hits them alike),
# each after the shell command BEFORE (untimed, when not empty), output
# discarded; print the median wall time of each in microseconds, a line each.
cat > "$W/timeit.c" <<'EOF'
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Run argv with stdout on /dev/null; 0 when it exits 0. */
static int run(char **argv)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		return -1;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

/* One timed run of a group: argv[0] is BEFORE, the rest the command. */
static double time_one(char **argv)
{
	char *before[] = { "/bin/sh", "-c", argv[0], NULL };
	struct timespec a, b;

	if (argv[0][0] && run(before))
		exit(1);
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (run(argv + 1))
		exit(1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
}

int main(int argc, char **argv)
{
	int n = atoi(argv[1]), groups = 0, g, i;
	char **start[16];
	double *t[16];

	for (i = 2; i < argc && groups < 16; i++) {
		start[groups] = argv + i;
		t[groups++] = calloc((size_t)n, sizeof(double));
		while (i < argc && strcmp(argv[i], "---"))
			i++;
		argv[i] = NULL; /* ends this group (argv[argc] is NULL anyway) */
	}
	for (i = 0; i < n; i++)
		for (g = 0; g < groups; g++)
			t[g][i] = time_one(start[g]);
	for (g = 0; g < groups; g++) {
		qsort(t[g], (size_t)n, sizeof(double), cmp);
		printf("%.0f\n", t[g][n / 2]);
	}
	return 0;
}
EOF

# walk DIR [isatty]: lstat every entry, open, fstat, read and close every
# regular file, as an import does; print how many files.
cat > "$W/walk.c" <<'EOF'
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int with_isatty;
static char buf[1 << 16];

static long walk(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[4096];
	struct stat st;
	long n = 0;
	int fd;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (lstat(p, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			n += walk(p);
		} else if (S_ISREG(st.st_mode) && (fd = open(p, O_RDONLY)) >= 0) {
			fstat(fd, &st);
			if (with_isatty)
				isatty(fd);
			while (read(fd, buf, sizeof(buf)) > 0)
				;
			close(fd);
			n++;
		}
	}
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	with_isatty = argc > 2;
	printf("%ld\n", walk(argv[1]));
	return 0;
}
EOF
# ops FILE N: nanoseconds per lstat, open+close, pread and fstat of FILE.
cat > "$W/ops.c" <<'EOF'
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	int n = atoi(argv[2]), i, fd;
	struct stat st;
	double t;

	t = now();
	for (i = 0; i < n; i++)
		lstat(argv[1], &st);
	printf("%.0f ", (now() - t) / n);
	t = now();
	for (i = 0; i < n; i++)
		close(open(argv[1], O_RDONLY));
	printf("%.0f ", (now() - t) / n);
	fd = open(argv[1], O_RDONLY);
	t = now();
	for (i = 0; i < n; i++)
		if (pread(fd, buf, sizeof(buf), 0) < 0)
			return 1;
	printf("%.0f ", (now() - t) / n);
	t = now();
	for (i = 0; i < n; i++)
		fstat(fd, &st);
	printf("%.0f\n", (now() - t) / n);
	return 0;
}
EOF
printf 'int main(void) { return 0; }\n' > "$W/tiny.c"
cc -O2 -o "$W/timeit" "$W/timeit.c"
cc -O2 -o "$W/walk" "$W/walk.c"
cc -O2 -o "$W/ops" "$W/ops.c"
mkdir -p "$W/tiny/bin"
cc -O2 -static -o "$W/tiny/bin/tiny" "$W/tiny.c"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ms() { awk -v a="$1" 'BEGIN { printf "%.2f ms", a / 1000 }'; }

# ---- 1. start ----

"$BUILD/mkxar" -q -o "$W/tiny.xar" --exec bin/tiny "$W/tiny"
# The same image with an absolute shebang, as an operator who installs
# xarexec at a fixed path may choose: what env's own exec costs.
"$BUILD/mkxar" -q -o "$W/tiny-abs.xar" --shebang "#!$BUILD/xarexec" \
	--exec bin/tiny "$W/tiny"
# The same image with the static runtime in front (mkxar --self-contained).
"$BUILD/mkxar" -q -o "$W/tiny-sc.xar" --self-contained --exec bin/tiny "$W/tiny"
X="$BUILD/xarexec"
PATH="$BUILD:$PATH"; export PATH # for the shebang's /usr/bin/env xarexec
"$X" -m "$W/tiny.xar" > /dev/null
# shellcheck disable=SC2046
set -- $("$W/timeit" "$RUNS" "" "$W/tiny/bin/tiny" --- "" "$X" "$W/tiny.xar" \
	--- "" "$W/tiny.xar" --- "" "$W/tiny-abs.xar" --- "" "$W/tiny-sc.xar")
direct=$1 hot=$2 shebang=$3 absolute=$4 selfc=$5
cold_runs=$((RUNS / 4 + 1))
# shellcheck disable=SC2046
set -- $("$W/timeit" "$cold_runs" "'$X' -u '$W/tiny.xar'" "$X" "$W/tiny.xar" \
	--- "'$X' -u '$W/tiny-sc.xar'" "$W/tiny-sc.xar")
cold=$1 selfc_cold=$2
"$X" -u "$W/tiny.xar" || true

echo "start of a tiny static program (medians of $RUNS runs, cold: $cold_runs)"
echo "  direct                     $(ms "$direct")"
echo "  xarexec tiny.xar, hot      $(ms "$hot")  overhead $(ms $((hot - direct)))  ratio $(ratio "$hot" "$direct")"
echo "  ./tiny.xar (env), hot      $(ms "$shebang")  overhead $(ms $((shebang - direct)))  ratio $(ratio "$shebang" "$direct")"
echo "  ./tiny-abs.xar (#!xarexec) $(ms "$absolute")  overhead $(ms $((absolute - direct)))  ratio $(ratio "$absolute" "$direct")"
echo "  ./tiny-sc.xar (embedded)   $(ms "$selfc")  overhead $(ms $((selfc - direct)))  ratio $(ratio "$selfc" "$direct")"
echo "  xarexec tiny.xar, cold     $(ms "$cold")  over hot $(ms $((cold - hot)))  ratio $(ratio "$cold" "$hot")"
echo "  ./tiny-sc.xar, cold        $(ms "$selfc_cold")  over hot $(ms $((selfc_cold - selfc)))  ratio $(ratio "$selfc_cold" "$selfc")"
echo "  self-contained / shebang (env) layout, hot overhead: $(ratio $((selfc - direct)) $((shebang - direct)))"
echo "  runtime in front of the header: $(stat -c %s "$BUILD/xar-runtime") bytes"

# A signed xar under a trust policy (the user's, XAR_TRUSTED_KEYS, which
# needs no root: the same checks as the system's) against the same xar
# without one: the header's signature checked on every run, the mount
# named by the digest. Both through env, so that env's cost cancels.
(cd "$W" && "$BUILD/mkxar" --new-key bench > /dev/null)
"$BUILD/mkxar" -q -o "$W/tiny-signed.xar" --sign "$W/bench.key" --exec bin/tiny "$W/tiny"
"$X" -m "$W/tiny-signed.xar" > /dev/null
XAR_TRUSTED_KEYS="$W/bench.pub" "$X" -m "$W/tiny-signed.xar" > /dev/null
# shellcheck disable=SC2046
set -- $("$W/timeit" "$RUNS" "" /usr/bin/env XAR_UNRELATED=1 "$X" "$W/tiny-signed.xar" \
	--- "" /usr/bin/env "XAR_TRUSTED_KEYS=$W/bench.pub" "$X" "$W/tiny-signed.xar")
nopol=$1 pol=$2
echo "  signed xar, hot, no policy  $(ms "$nopol")"
echo "  signed xar, hot, policy     $(ms "$pol")  overhead $(ms $((pol - nopol)))  ratio $(ratio "$pol" "$nopol")"
# Cold, a policy also checks the whole image's SHA-256 before mounting: a
# signed xar of 15 MiB (a hermetic hello world's size; the payload random,
# so stored as it is), each run a fresh mount, policy against none. Once
# checked, the file is recorded beside the mount point (lib/mount/
# verified.c) and later mounts of it skip the hashing: timed as it is,
# and with the record removed before each run (the first check of a new
# file).
mkdir -p "$W/big/bin" "$W/big/data"
cp "$W/tiny/bin/tiny" "$W/big/bin/"
head -c 15728640 /dev/urandom > "$W/big/data/blob"
"$BUILD/mkxar" -q -o "$W/big-signed.xar" --sign "$W/bench.key" --exec bin/tiny "$W/big"
sleep 2 # a file changed in the last 2 s is not recorded
pol_env="XAR_TRUSTED_KEYS=$W/bench.pub"
"$X" -m "$W/big-signed.xar" > /dev/null
env "$pol_env" "$X" -m "$W/big-signed.xar" > /dev/null
record=$(env "$pol_env" "$X" -n "$W/big-signed.xar").verified
# shellcheck disable=SC2046
set -- $("$W/timeit" "$cold_runs" "'$X' -u '$W/big-signed.xar'" \
	/usr/bin/env XAR_UNRELATED=1 "$X" "$W/big-signed.xar" \
	--- "$pol_env '$X' -u '$W/big-signed.xar'" /usr/bin/env "$pol_env" "$X" "$W/big-signed.xar" \
	--- "$pol_env '$X' -u '$W/big-signed.xar'; rm -f '$record'" \
	/usr/bin/env "$pol_env" "$X" "$W/big-signed.xar")
nopol=$1 pol=$2 first=$3
"$X" -u "$W/big-signed.xar" || true
env "$pol_env" "$X" -u "$W/big-signed.xar" || true
echo "  signed 15 MiB xar, cold, no policy  $(ms "$nopol")"
echo "  signed 15 MiB xar, cold, policy     $(ms "$pol")  overhead $(ms $((pol - nopol)))  ratio $(ratio "$pol" "$nopol")  (checked before)"
echo "  ... first check of the file        $(ms "$first")  overhead $(ms $((first - nopol)))  ratio $(ratio "$first" "$nopol")"

# ---- 2. files ----

if [ -z "${TREE:-}" ]; then
	TREE=$(python3 -c 'import django, os; print(os.path.dirname(django.__file__))' 2>/dev/null ||
	       echo /usr/lib/python3.11)
fi
"$BUILD/mkxar" -q --no-exec -o "$W/tree.xar" "$TREE"
ours=$("$X" -m "$W/tree.xar")
offset=$(sed -n 's/^OFFSET="\(.*\)"$/\1/p' "$W/tree.xar" | head -n 1)
mkdir "$SQ1" "$SQ2"
squashfuse_ll -o "offset=$offset" "$W/tree.xar" "$SQ1"
squashfuse_ll -f -d -o "offset=$offset" "$W/tree.xar" "$SQ2" 2> "$W/sq.log" &
SQPID=$!
i=0
until grep -qF " $SQ2 " /proc/mounts; do
	sleep 0.1; i=$((i + 1)); [ "$i" -lt 100 ] || { echo "squashfuse_ll did not mount" >&2; exit 1; }
done

stats_file="$ours.stats"
# Our requests by type, from the stats file ("TYPE count" lines).
ours_counts() { sleep 0.5; sed -n '/^requests /,$p' "$stats_file" | sed 1d; }
sq_counts() { sed -n 's/.*opcode: \([A-Z_]*\) .*/\1/p' "$W/sq.log" | sort | uniq -c | awk '{ print $2, $1 }'; }
# delta BEFORE AFTER: per-type differences and their total.
delta() {
	printf '%s\n' "$1" | awk -v after="$2" '
	BEGIN { n = split(after, l, "\n"); for (i = 1; i <= n; i++) { split(l[i], f, " "); if (f[1] != "") a[f[1]] = f[2] } }
	{ b[$1] = $2 }
	END { t = 0; s = ""; for (k in a) { d = a[k] - b[k]; if (d > 0) { s = s " " k "=" d; t += d } } print t (s == "" ? " none" : s) }'
}

files=$("$W/walk" "$TREE")
echo
echo "files: $files files of $TREE (lstat, open, fstat, read, close), hot, medians of $WALKS runs"
for mode in plain isatty; do
	arg=""; [ "$mode" = isatty ] && arg=isatty
	for d in "$ours" "$SQ1" "$SQ2" "$TREE"; do "$W/walk" "$d" $arg > /dev/null; done
	b=$(ours_counts); "$W/walk" "$ours" $arg > /dev/null; ours_req=$(delta "$b" "$(ours_counts)")
	b=$(sq_counts); "$W/walk" "$SQ2" $arg > /dev/null; sleep 0.3; sq_req=$(delta "$b" "$(sq_counts)")
	# shellcheck disable=SC2046
	set -- $("$W/timeit" "$WALKS" "" "$W/walk" "$TREE" $arg \
		--- "" "$W/walk" "$ours" $arg --- "" "$W/walk" "$SQ1" $arg)
	t_disk=$1 t_ours=$2 t_sq=$3
	[ "$mode" = isatty ] && echo "with an isatty() per open (as Python's open() does):"
	echo "  tree on disk    $(ms "$t_disk")"
	echo "  xarexec mount   $(ms "$t_ours")  ratio to disk $(ratio "$t_ours" "$t_disk")"
	echo "  squashfuse_ll   $(ms "$t_sq")  ratio to disk $(ratio "$t_sq" "$t_disk")"
	echo "  requests per hot run: ours ${ours_req%% *} (${ours_req#* }), squashfuse_ll ${sq_req%% *} (${sq_req#* })"
	echo "  ours / squashfuse_ll requests: $(awk -v a="${ours_req%% *}" -v b="${sq_req%% *}" 'BEGIN { printf "%.1f%%", b ? 100 * a / b : 0 }')"
done

# ---- 3. per operation ----

one=$(cd "$TREE" && find . -type f -size -16k -size +2k | sort | head -n 1)
echo
echo "per operation on $TREE/${one#./}, hot (ns, best of 5 rounds of 100000):"
printf '  %-14s %8s %10s %8s %8s\n' "" lstat open+close pread fstat
for d in "$TREE" "$ours"; do
	best=$(for r in 1 2 3 4 5; do "$W/ops" "$d/$one" 100000; done |
	    sort -n -k2 | head -n 1)
	[ "$d" = "$TREE" ] && name="tree on disk" || name="xarexec mount"
	# shellcheck disable=SC2086
	printf '  %-14s %8s %10s %8s %8s\n' "$name" $best
done
