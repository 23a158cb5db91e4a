/* lib/extract_cache: the run cache used when FUSE cannot be. Extracted
 * once and reused; 20 racing first runs extract once; a killed extraction
 * is never taken for a cache and is cleaned up, and a hostile image leaves
 * nothing behind; unsafe cache directories and noexec filesystems are
 * refused with the fix; the in-use lock survives exec and keeps --clean
 * away; listing and removal. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "check_main.h"
#include "run/run.h"
#include "fixture.h"
#include "header/header.h"

#define BIG_SIZE (3 << 20) /* above the file size limit of the killed run */
#define RACERS 20

static struct xar_header hdr;
static char uuid[65];

static void setup(void)
{
	struct xar_err err;
	int fd;

	fx_setup_dir("check-cache");
	fx_sh("mkdir -p '%s' && head -c %d /dev/urandom > '%s'",
	      fx_at("src/bin"), BIG_SIZE, fx_at("src/big"));
	fx_file(fx_at("src/bin/tool"), "#!/bin/sh\necho tool\n", 04755, -1);
	fx_file(fx_at("src/shared"), "w\n", 0666, -1);
	/* enough files for extraction threads */
	fx_sh("mkdir '%s' && cd '%s' && for i in $(seq 60); do "
	      "seq $i > f$i; chmod 6$((i %% 3 * 2))4 f$i; done", fx_at("src/lib"),
	      fx_at("src/lib"));
	fx_build(fx_at("src"), fx_at("img"), fx_at("x.xar"), 0, 1);
	fd = open(fx_at("x.xar"), O_RDONLY);
	ck_assert_msg(xar_header_read_fd(&hdr, fd, &err) == 0, "%s", err.msg);
	close(fd);
	snprintf(uuid, sizeof(uuid), "%s", xar_header_get(&hdr, "UUID"));
}

static void teardown(void)
{
	xar_header_free(&hdr);
	fx_teardown_dir();
}

/* Each test its own cache: XDG_CACHE_HOME=<dir>/<name>. */
static const char *use_cache(const char *name)
{
	static char base[512];

	snprintf(base, sizeof(base), "%s/%s", fx_dir, name);
	ck_assert_int_eq(setenv("XDG_CACHE_HOME", base, 1), 0);
	return base;
}

static void ensure_ok(struct xar_cache *c)
{
	struct xar_err err;

	ck_assert_msg(xar_cache_ensure(fx_at("x.xar"), &hdr, 0, c, &err) == 0,
		      "%s", err.msg);
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	ck_assert_msg(lstat(path, &st) == 0, "%s is missing", path);
	return st.st_mode & 07777;
}

/* How many .<uuid>.part-* directories the cache holds. */
static int parts(const char *base)
{
	char cmd[600], buf[32] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls -A '%s/xar' | grep -c '^\\.%s\\.part-'",
		 base, uuid);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), p));
	pclose(p);
	return atoi(buf);
}

START_TEST(test_extract_then_reuse)
{
	const char *base = use_cache("c-reuse");
	struct xar_cache c, again;
	char tag[200];

	ensure_ok(&c);
	ck_assert_int_eq(c.extracted, 1);
	ck_assert_str_eq(c.root, fx_at("c-reuse/xar/%s", uuid));
	fx_sh("diff -r '%s' '%s'", fx_at("src"), c.root);
	ck_assert_uint_eq(mode_of(fx_at("c-reuse/xar/%s/lib/f5", uuid)), 0444);
	ck_assert_uint_eq(mode_of(fx_at("c-reuse/xar/%s/lib/f7", uuid)), 0404);
	/* the image's modes without write bits: read-only, as the mount */
	ck_assert_uint_eq(mode_of(fx_at("c-reuse/xar/%s/bin/tool", uuid)), 0555);
	ck_assert_uint_eq(mode_of(fx_at("c-reuse/xar/%s/shared", uuid)), 0444);
	ck_assert_uint_eq(mode_of(fx_at("c-reuse/xar/%s/bin", uuid)) & 0222, 0);
	ck_assert_uint_eq(mode_of(c.root) & 0222, 0);
	ck_assert_uint_eq(mode_of(fx_at("c-reuse/xar")), 0700);
	fx_read(fx_at("c-reuse/xar/CACHEDIR.TAG"), tag, sizeof(tag));
	ck_assert_int_eq(strncmp(tag, "Signature: 8a477f597d28d172789f06886806bc55",
				 43), 0);
	/* the in-use lock: shared, and left open across exec */
	ck_assert_int_eq(fcntl(c.inuse_fd, F_GETFD) & FD_CLOEXEC, 0);
	ensure_ok(&again);
	ck_assert_int_eq(again.extracted, 0);
	ck_assert_str_eq(again.root, c.root);
	ck_assert_int_eq(parts(base), 0);
	xar_cache_release(&again);
	xar_cache_release(&c);
	ck_assert_int_eq(c.inuse_fd, -1);
}
END_TEST

START_TEST(test_racing_first_runs)
{
	int go[2], status, i, extracted = 0, reused = 0;
	pid_t pids[RACERS];
	char b;

	use_cache("c-race");
	ck_assert_int_eq(pipe(go), 0);
	for (i = 0; i < RACERS; i++) {
		struct xar_cache c;
		struct xar_err err;

		if ((pids[i] = fork()))
			continue;
		close(go[1]);
		if (read(go[0], &b, 1) != 0) /* all start when it closes */
			_exit(2);
		if (xar_cache_ensure(fx_at("x.xar"), &hdr, 0, &c, &err))
			_exit(3);
		_exit(10 + c.extracted);
	}
	close(go[0]);
	close(go[1]);
	for (i = 0; i < RACERS; i++) {
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert(WIFEXITED(status));
		extracted += WEXITSTATUS(status) == 11;
		reused += WEXITSTATUS(status) == 10;
	}
	ck_assert_int_eq(extracted, 1);
	ck_assert_int_eq(reused, RACERS - 1);
}
END_TEST

/* A run killed while extracting (here by its file size limit, SIGXFSZ)
 * leaves a partial directory that is not a cache; the next run extracts
 * anew and removes it. */
START_TEST(test_killed_extraction)
{
	const char *base = use_cache("c-killed");
	struct rlimit small = { 1 << 20, 1 << 20 };
	struct xar_cache_entry *list;
	struct xar_cache c;
	size_t n;
	int status;
	pid_t pid = fork();

	if (!pid) {
		struct xar_err err;

		signal(SIGXFSZ, SIG_DFL);
		setrlimit(RLIMIT_FSIZE, &small);
		xar_cache_ensure(fx_at("x.xar"), &hdr, 0, &c, &err);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGXFSZ,
		      "status %#x", status);
	ck_assert_int_eq(parts(base), 1);
	ck_assert(!fx_exists(fx_at("c-killed/xar/%s", uuid)));
	ck_assert_int_eq(xar_cache_list(&list, &n, NULL), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert(list[0].partial);
	ck_assert(!list[0].in_use);
	ck_assert_str_eq(list[0].uuid, uuid);
	xar_cache_list_free(list, n);
	ensure_ok(&c);
	ck_assert_int_eq(c.extracted, 1);
	ck_assert_int_eq(parts(base), 0);
	fx_sh("cmp '%s' '%s/big'", fx_at("src/big"), c.root);
	xar_cache_release(&c);
}
END_TEST

/* A hostile image (a name patched to "..") with files enough for the
 * extraction threads: the run fails, and leaves neither a cache nor a
 * partial directory, nor anything beside them. */
START_TEST(test_hostile_not_published)
{
	const char *base = use_cache("c-hostile");
	struct xar_header h;
	struct xar_cache c;
	struct xar_err err;
	int fd;

	fx_sh("mkdir '%s' && cd '%s' && for i in $(seq 40); do echo $i > f$i; "
	      "done && mkdir zz && echo x > zz/pwned", fx_at("hsrc"),
	      fx_at("hsrc"));
	fx_build(fx_at("hsrc"), fx_at("h.img"), fx_at("h.xar"), 1, 0);
	fx_patch(fx_at("h.xar"), "zz", "..");
	fd = open(fx_at("h.xar"), O_RDONLY);
	ck_assert_msg(xar_header_read_fd(&h, fd, &err) == 0, "%s", err.msg);
	close(fd);
	ck_assert_int_eq(xar_cache_ensure(fx_at("h.xar"), &h, 0, &c, &err), -1);
	ck_assert_msg(strstr(err.msg, "bad name '..'"), "%s", err.msg);
	fx_sh("test -z \"$(ls -A '%s/xar' | grep -v -e '\\.lock$' -e "
	      "'\\.inuse$' -e '^CACHEDIR.TAG$')\"", base);
	xar_header_free(&h);
}
END_TEST

/* A partial directory that looks complete is still not used. */
START_TEST(test_partial_never_used)
{
	const char *base = use_cache("c-fake");
	struct xar_cache c;

	ensure_ok(&c); /* makes the cache directory */
	xar_cache_release(&c);
	ck_assert_int_eq(xar_cache_remove(uuid, NULL), 0);
	fx_sh("cp -a '%s' '%s'", fx_at("src"),
	      fx_at("c-fake/xar/.%s.part-abcdef", uuid));
	fx_sh("echo fake > '%s'", fx_at("c-fake/xar/.%s.part-abcdef/big", uuid));
	ensure_ok(&c);
	ck_assert_int_eq(c.extracted, 1);
	fx_sh("cmp '%s' '%s/big'", fx_at("src/big"), c.root);
	ck_assert_int_eq(parts(base), 0);
	xar_cache_release(&c);
}
END_TEST

/* --doctor's check says what a run finds, without changing anything:
 * the same verdict (and problem) as the run that just happened. */
static void check_agrees(int run_rc, const char *name)
{
	struct xar_err err;
	char *dir = NULL;
	int rc = xar_cache_check(&dir, &err);

	free(dir);
	if (strstr(name, "entry")) /* entries are checked by runs only */
		return;
	ck_assert_msg(rc == run_rc, "%s: the check says %d, the run %d (%s)",
		      name, rc, run_rc, rc ? err.msg : "");
}

/* Cache directories xarexec must not use: the message names it and the fix. */
static const struct {
	const char *name;
	const char *prepare;  /* shell: $B is the cache's base directory, $UUID the xar's */
	int root_only;
	const char *error;    /* NULL: must work */
} unsafe[] = {
	{ "world-writable", "mkdir -p $B/xar && chmod 0777 $B/xar", 0,
	  "is writable by others (mode 0777): run chmod go-w" },
	{ "group-writable", "mkdir -p $B/xar && chmod 0770 $B/xar", 0,
	  "is writable by others (mode 0770)" },
	{ "symlink", "mkdir -p $B/real && ln -s real $B/xar", 0,
	  "is not a directory (a symlink?): remove it, or set XDG_CACHE_HOME" },
	{ "not ours", "mkdir -p $B/xar && chown 65534 $B/xar", 1,
	  "is owned by uid 65534, not by you" },
	{ "open parent", "mkdir -p $B && chmod 0777 $B", 0,
	  "which holds the extraction cache, is writable by others (mode 0777)" },
	{ "sticky parent", "mkdir -p $B && chmod 1777 $B", 0, NULL },
	{ "entry not a directory", "mkdir -p $B/xar && touch $B/xar/$UUID", 0,
	  "is not an extraction of yours: remove it" },
	{ "entry a symlink", "mkdir -p $B/xar/elsewhere && ln -s elsewhere $B/xar/$UUID",
	  0, "is not an extraction of yours" },
};

START_TEST(test_unsafe_dirs)
{
	struct xar_cache c;
	struct xar_err err;
	int rc;

	char name[32];
	const char *base;

	if (unsafe[_i].root_only && geteuid())
		return;
	snprintf(name, sizeof(name), "c-unsafe%d", _i);
	base = use_cache(name);
	fx_sh("B='%s' UUID=%s; %s", base, uuid, unsafe[_i].prepare);
	rc = xar_cache_ensure(fx_at("x.xar"), &hdr, 0, &c, &err);
	check_agrees(rc, unsafe[_i].name);
	if (!unsafe[_i].error) {
		ck_assert_msg(rc == 0, "%s: %s", unsafe[_i].name, err.msg);
		xar_cache_release(&c);
		return;
	}
	ck_assert_msg(rc == -1, "%s: accepted", unsafe[_i].name);
	ck_assert_msg(strstr(err.msg, unsafe[_i].error), "%s: '%s' lacks '%s'",
		      unsafe[_i].name, err.msg, unsafe[_i].error);
	ck_assert_int_eq(c.inuse_fd, -1);
	ck_assert_ptr_null(c.root);
}
END_TEST

/* In a private mount namespace: the cache on a tmpfs mounted noexec. */
START_TEST(test_noexec)
{
	const char *base = use_cache("c-noexec");
	struct xar_cache c;
	struct xar_err err;
	char *dir;

	if (geteuid())
		return; /* mounting needs root */
	fx_sh("mkdir -p '%s'", base);
	ck_assert_int_eq(unshare(CLONE_NEWNS), 0); /* this test's own process */
	ck_assert_int_eq(mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL), 0);
	ck_assert_int_eq(mount("tmpfs", base, "tmpfs", MS_NOEXEC, "mode=0755"), 0);
	ck_assert_int_eq(xar_cache_check(&dir, &err), -1); /* --doctor */
	ck_assert_msg(strstr(err.msg, "would be on a filesystem mounted noexec"),
		      "%s", err.msg);
	free(dir);
	ck_assert_int_eq(xar_cache_ensure(fx_at("x.xar"), &hdr, 0, &c, &err), -1);
	ck_assert_msg(strstr(err.msg, "mounted noexec") &&
		      strstr(err.msg, "set XDG_CACHE_HOME to a directory on a "
			     "filesystem that allows exec"), "%s", err.msg);
	ck_assert_int_eq(xar_cache_check(&dir, &err), -1); /* now it exists */
	ck_assert_msg(strstr(err.msg, "is on a filesystem mounted noexec"),
		      "%s", err.msg);
	free(dir);
}
END_TEST

START_TEST(test_where)
{
	struct xar_err err;
	char *dir;

	setenv("XDG_CACHE_HOME", fx_at("c-where/not/yet"), 1);
	ck_assert_msg(xar_cache_check(&dir, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(dir, fx_at("c-where/not/yet/xar"));
	ck_assert(!fx_exists(fx_at("c-where"))); /* nothing made */
	free(dir);

	setenv("XDG_CACHE_HOME", "/somewhere/cache", 1);
	ck_assert_int_eq(xar_cache_dir(&dir, &err), 0);
	ck_assert_str_eq(dir, "/somewhere/cache/xar");
	free(dir);
	setenv("XDG_CACHE_HOME", "relative/is/ignored", 1);
	setenv("HOME", "/home/someone", 1);
	ck_assert_int_eq(xar_cache_dir(&dir, &err), 0);
	ck_assert_str_eq(dir, "/home/someone/.cache/xar");
	free(dir);
	unsetenv("XDG_CACHE_HOME");
	unsetenv("HOME");
	ck_assert_int_eq(xar_cache_dir(&dir, &err), 0); /* from passwd */
	ck_assert_int_eq(dir[0], '/');
	free(dir);
}
END_TEST

/* The lock of a run is held across exec: --clean keeps the cache while
 * the exec'ed program lives, removes it afterwards. */
START_TEST(test_in_use_across_exec)
{
	const char *base = use_cache("c-inuse");
	struct xar_cache_entry *list;
	int ready[2], status;
	size_t n;
	char b;
	pid_t pid;

	ck_assert_int_eq(pipe(ready), 0);
	pid = fork();
	if (!pid) {
		struct xar_cache c;
		struct xar_err err;

		if (xar_cache_ensure(fx_at("x.xar"), &hdr, 0, &c, &err) ||
		    dup2(ready[1], 3) != 3)
			_exit(3);
		execl("/bin/sh", "sh", "-c", "echo >&3; exec 3>&-; exec sleep 600",
		      (char *)NULL);
		_exit(4);
	}
	close(ready[1]);
	ck_assert_int_eq(read(ready[0], &b, 1), 1); /* exec'ed, lock held */
	ck_assert_int_eq(xar_cache_list(&list, &n, NULL), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(list[0].name, uuid);
	ck_assert(!list[0].partial);
	ck_assert(list[0].in_use);
	ck_assert_uint_ge(list[0].bytes, BIG_SIZE);
	ck_assert_int_ge(list[0].last_used, time(NULL) - 600);
	xar_cache_list_free(list, n);
	ck_assert_int_eq(xar_cache_remove(uuid, NULL), 1);
	ck_assert(fx_exists(fx_at("c-inuse/xar/%s/big", uuid)));
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(xar_cache_remove(uuid, NULL), 0);
	ck_assert(!fx_exists(fx_at("c-inuse/xar/%s", uuid)));
	ck_assert(!fx_exists(fx_at("c-inuse/xar/%s.inuse", uuid)));
	ck_assert(!fx_exists(fx_at("c-inuse/xar/%s.lock", uuid)));
	ck_assert_int_eq(parts(base), 0);
	ck_assert_int_eq(xar_cache_list(&list, &n, NULL), 0);
	ck_assert_uint_eq(n, 0);
	free(list);
}
END_TEST

/* XAR_VERIFY=1: a damaged xar is refused before it is extracted. */
START_TEST(test_verify_first)
{
	const char *base = use_cache("c-verify");
	struct xar_cache c;
	struct xar_err err;

	fx_sh("cp '%s' '%s'", fx_at("x.xar"), fx_at("bad.xar"));
	fx_flip(fx_at("bad.xar"), FX_OFF + 4000, 0x20);
	ck_assert_int_eq(xar_cache_ensure(fx_at("bad.xar"), &hdr,
					  XAR_CACHE_VERIFY, &c, &err), -1);
	ck_assert_msg(strstr(err.msg, "SHA-256 does not match"), "%s", err.msg);
	ck_assert(!fx_exists(fx_at("c-verify/xar/%s", uuid)));
	ck_assert_int_eq(parts(base), 0);
	ck_assert_msg(xar_cache_ensure(fx_at("x.xar"), &hdr, XAR_CACHE_VERIFY,
				       &c, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(c.extracted, 1);
	xar_cache_release(&c);
}
END_TEST

START_TEST(test_remove_bad_names)
{
	struct xar_err err;

	use_cache("c-names");
	ck_assert_int_eq(xar_cache_remove("../etc", &err), -1);
	ck_assert_str_eq(err.msg, "'../etc' is not an entry of the extraction "
			 "cache");
	ck_assert_int_eq(xar_cache_remove(".abc.part-", &err), -1);
	ck_assert_int_eq(xar_cache_remove("CACHEDIR.TAG", &err), -1);
	ck_assert_int_eq(xar_cache_remove("abc", &err), -1); /* no cache */
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc = xar_check_case(&s, "extract_cache");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_extract_then_reuse);
	tcase_add_test(tc, test_racing_first_runs);
	tcase_add_test(tc, test_killed_extraction);
	tcase_add_test(tc, test_partial_never_used);
	tcase_add_test(tc, test_hostile_not_published);
	tcase_add_loop_test(tc, test_unsafe_dirs, 0,
			    sizeof(unsafe) / sizeof(*unsafe));
	tcase_add_test(tc, test_noexec);
	tcase_add_test(tc, test_where);
	tcase_add_test(tc, test_in_use_across_exec);
	tcase_add_test(tc, test_verify_first);
	tcase_add_test(tc, test_remove_bad_names);
	return xar_check_run(s);
}
