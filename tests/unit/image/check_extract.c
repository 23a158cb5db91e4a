/* lib/extract: an image made by mksquashfs extracted as it was packed
 * (compared with tree-manifest.py), in part, into non-empty directories;
 * hostile images (names patched to "..", absolute names, a symlink then a
 * directory or file of the same name) never write outside DIR, with one
 * thread or several; any number of threads gives the same tree and
 * reports the same first failure. */
#include <errno.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "check_main.h"
#include "image/image.h"
#include "fixture.h"

#define MANIFEST "python3 tests/tools/tree-manifest.py"
#define BIG_SIZE (300 * 1024 + 17)

static int root_run; /* the tree has devices and foreign owners */

static void make_tree(void)
{
	char big[BIG_SIZE + 1];
	size_t i;

	for (i = 0; i < BIG_SIZE; i++)
		big[i] = (char)('a' + (i * 7 + i / 1000) % 26);
	big[BIG_SIZE] = '\0';
	fx_sh("mkdir -p '%s' '%s' '%s' '%s'", fx_at("src/sub/deeper"),
	      fx_at("src/ro"), fx_at("src/sticky"), fx_at("src/empty dir"));
	fx_file(fx_at("src/hello"), "hello\n", 0600, 1500000000);
	fx_file(fx_at("src/empty"), "", 0644, -1);
	fx_file(fx_at("src/setuid"), "#!/bin/sh\n", 04755, -1);
	fx_file(fx_at("src/setgid"), "g\n", 02711, -1);
	fx_file(fx_at("src/big"), big, 0644, 1600000001);
	fx_file(fx_at("src/sub/deeper/leaf"), "leaf\n", 0444, -1);
	fx_file(fx_at("src/ro/inside"), "ro\n", 0644, -1);
	ck_assert_int_eq(link(fx_at("src/hello"), fx_at("src/sub/hello-link")), 0);
	ck_assert_int_eq(link(fx_at("src/hello"), fx_at("src/sub/deeper/hl2")), 0);
	ck_assert_int_eq(symlink("../hello", fx_at("src/sub/sym")), 0);
	ck_assert_int_eq(symlink("/nonexistent/x", fx_at("src/dangling")), 0);
	ck_assert_int_eq(mkfifo(fx_at("src/fifo"), 0640), 0);
	fx_sh("chmod 0750 '%s'; chmod 0555 '%s'; chmod 1777 '%s'",
	      fx_at("src/sub"), fx_at("src/ro"), fx_at("src/sticky"));
	root_run = !geteuid();
	if (root_run) {
		ck_assert_int_eq(mknod(fx_at("src/null"), S_IFCHR | 0644,
				       makedev(1, 3)), 0);
		ck_assert_int_eq(lchown(fx_at("src/hello"), 1234, 5678), 0);
		ck_assert_int_eq(lchown(fx_at("src/sub/sym"), 42, 43), 0);
	}
	fx_sh("touch -h -d @1400000000 '%s'", fx_at("src/sub/sym"));
	fx_sh("touch -d @1300000000 '%s' '%s' '%s' '%s'", fx_at("src/sub/deeper"),
	      fx_at("src/sub"), fx_at("src/ro"), fx_at("src"));
}

/* Enough files, in several directories, for the threads to share: sizes
 * from empty to several blocks, modes, mtimes, names of one inode in three
 * directories, a symlink, a read-only directory. */
#define MANY_TREE \
	"import os, sys\n" \
	"os.chdir(sys.argv[1])\n" \
	"for d in ('d1', 'd2/sub', 'd3'): os.makedirs(d)\n" \
	"for d, n in (('d1', 150), ('d2/sub', 80), ('d3', 20)):\n" \
	"    for i in range(n):\n" \
	"        p = '%s/f%03d' % (d, i)\n" \
	"        size = 300000 + i if i % 50 == 7 else i * 379 % 7001\n" \
	"        with open(p, 'wb') as f:\n" \
	"            f.write(bytes((i * 31 + j // 7 + len(d)) % 251 for j in range(size)))\n" \
	"        os.chmod(p, (0o444, 0o755, 0o640)[i % 3])\n" \
	"        os.utime(p, (1500000000 + i, 1500000000 + i))\n" \
	"os.link('d1/f010', 'd2/hl-a'); os.link('d1/f010', 'd2/sub/hl-b')\n" \
	"os.symlink('../d1/f001', 'd2/s1'); os.chmod('d3', 0o555)\n"

static void setup(void)
{
	fx_setup_dir("check-extract");
	make_tree();
	fx_build(fx_at("src"), fx_at("img"), fx_at("x.xar"), 0, 1);
	fx_file(fx_at("many.py"), MANY_TREE, 0644, -1);
	fx_sh("mkdir '%s' && python3 '%s' '%s'", fx_at("many"), fx_at("many.py"),
	      fx_at("many"));
	fx_build(fx_at("many"), fx_at("many.img"), fx_at("many.xar"), 0, 1);
}

static struct xar_image *open_xar(const char *path)
{
	struct xar_image *img;
	struct xar_err err;

	ck_assert_msg(xar_image_open(&img, path, FX_OFF, 0, &err) == 0, "%s",
		      err.msg);
	return img;
}

static int extract(const char *xar, const char *out, unsigned flags,
		   char *const *paths, size_t npaths, unsigned threads,
		   struct xar_err *err)
{
	struct xar_extract_opts o = { flags, paths, npaths, threads };
	struct xar_image *img = open_xar(xar);
	int rc = xar_extract(img, out, &o, NULL, err);

	xar_image_close(img);
	return rc;
}

static void extract_ok(const char *out, unsigned flags, char *const *paths,
		       size_t npaths)
{
	struct xar_err err;

	ck_assert_msg(extract(fx_at("x.xar"), out, flags, paths, npaths, 0, &err)
		      == 0, "%s", err.msg);
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	ck_assert_msg(lstat(path, &st) == 0, "%s is missing", path);
	return st.st_mode & 07777;
}

START_TEST(test_whole_tree)
{
	struct xar_extract_stats st;
	struct xar_extract_opts o = { XAR_EXTRACT_OWNERS | XAR_EXTRACT_KEEP_SETID,
				      NULL, 0, 0 };
	struct xar_image *img = open_xar(fx_at("x.xar"));
	struct xar_err err;
	struct stat a, b;

	ck_assert_msg(xar_extract(img, fx_at("out"), &o, &st, &err) == 0, "%s",
		      err.msg);
	xar_image_close(img);
	fx_sh(MANIFEST " '%s' > '%s' && " MANIFEST " '%s' > '%s' && "
	      "diff '%s' '%s' >&2", fx_at("src"), fx_at("want"), fx_at("out"),
	      fx_at("got"), fx_at("want"), fx_at("got"));
	ck_assert_int_eq(lstat(fx_at("src"), &a), 0);
	ck_assert_int_eq(lstat(fx_at("out"), &b), 0);
	ck_assert_uint_eq(a.st_mode, b.st_mode);
	ck_assert_int_eq(a.st_mtime, b.st_mtime);
	ck_assert_uint_eq(st.hardlinks, 2);
	ck_assert_uint_eq(st.symlinks, 2);
	ck_assert_uint_eq(st.bytes, BIG_SIZE + 6 + 10 + 2 + 5 + 3);
	ck_assert_uint_eq(st.specials, 1 + root_run);
	ck_assert_uint_eq(st.skipped_devices, 0);
}
END_TEST

/* By default setuid and setgid go; PRIVATE also drops group/other write
 * and sticky bits. */
static const struct { unsigned flags; const char *path; mode_t mode; }
modes[] = {
	{ 0, "setuid", 0755 },
	{ 0, "setgid", 0711 },
	{ 0, "sticky", 01777 },
	{ 0, "ro", 0555 },
	{ 0, "sub/deeper/leaf", 0444 },
	{ XAR_EXTRACT_KEEP_SETID, "setuid", 04755 },
	{ XAR_EXTRACT_PRIVATE, "sticky", 0755 },
	{ XAR_EXTRACT_PRIVATE, "hello", 0600 },
};

START_TEST(test_modes)
{
	extract_ok(fx_at("m%d", _i), modes[_i].flags, NULL, 0);
	ck_assert_uint_eq(mode_of(fx_at("m%d/%s", _i, modes[_i].path)),
			  modes[_i].mode);
}
END_TEST

START_TEST(test_some_paths)
{
	char a[] = "/sub//deeper/", b[] = "./hello", c[] = "dangling";
	char *paths[] = { a, b, c };
	struct stat st;

	extract_ok(fx_at("part"), 0, paths, 3);
	ck_assert(fx_exists(fx_at("part/sub/deeper/leaf")));
	ck_assert(fx_exists(fx_at("part/sub/deeper/hl2")));
	ck_assert(fx_exists(fx_at("part/hello")));
	ck_assert(fx_exists(fx_at("part/dangling")));
	ck_assert(!fx_exists(fx_at("part/sub/sym")));
	ck_assert(!fx_exists(fx_at("part/big")));
	ck_assert_uint_eq(mode_of(fx_at("part/sub")), 0750); /* a parent */
	ck_assert_int_eq(stat(fx_at("part/hello"), &st), 0);
	ck_assert_uint_eq(st.st_nlink, 2); /* hl2 and hello, not hello-link */
}
END_TEST

START_TEST(test_missing_path)
{
	char a[] = "hello", b[] = "sub/nope";
	char *paths[] = { a, b };
	struct xar_err err;

	ck_assert_int_eq(extract(fx_at("x.xar"), fx_at("none"), 0, paths, 2, 0,
				 &err), -1);
	ck_assert_int_eq(err.code, ENOENT);
	ck_assert_str_eq(err.msg, "no such file in the image: 'sub/nope'");
	ck_assert(!fx_exists(fx_at("none"))); /* nothing made */
}
END_TEST

START_TEST(test_not_empty)
{
	struct xar_err err;
	char buf[64];

	fx_sh("mkdir -p '%s' && echo mine > '%s' && echo old > '%s'",
	      fx_at("full"), fx_at("full/keep"), fx_at("full/hello"));
	ck_assert_int_eq(extract(fx_at("x.xar"), fx_at("full"), 0, NULL, 0, 0,
				 &err), -1);
	ck_assert_int_eq(err.code, ENOTEMPTY);
	ck_assert_ptr_nonnull(strstr(err.msg, "is not empty"));
	extract_ok(fx_at("full"), XAR_EXTRACT_FORCE, NULL, 0);
	fx_read(fx_at("full/hello"), buf, sizeof(buf));
	ck_assert_str_eq(buf, "hello\n");
	fx_read(fx_at("full/keep"), buf, sizeof(buf));
	ck_assert_str_eq(buf, "mine\n");
	extract_ok(fx_at("full"), XAR_EXTRACT_FORCE, NULL, 0); /* again */
	fx_sh("mkdir '%s'", fx_at("empty"));
	extract_ok(fx_at("empty"), 0, NULL, 0);
	ck_assert_uint_eq(mode_of(fx_at("empty")), 0755); /* the root's */
}
END_TEST

/* A symlink in DIR where the image has a directory: replaced with FORCE,
 * never written through. */
START_TEST(test_symlink_in_dir)
{
	char a[] = "sub";
	char *paths[] = { a };

	fx_sh("mkdir -p '%s' '%s' && ln -s '%s' '%s'", fx_at("elsewhere"),
	      fx_at("pre"), fx_at("elsewhere"), fx_at("pre/sub"));
	extract_ok(fx_at("pre"), XAR_EXTRACT_FORCE, paths, 1);
	ck_assert(fx_exists(fx_at("pre/sub/deeper/leaf")));
	ck_assert(!fx_exists(fx_at("elsewhere/deeper")));
	ck_assert_uint_eq(mode_of(fx_at("pre/sub")), 0750);
}
END_TEST

/* ---- hostile images ---- */

/* Each: a tree, a name in it patched to another of the same length. */
static const struct {
	const char *name;
	const char *tree;      /* shell run in the source directory; OUT is
				  the directory that must stay untouched */
	const char *from, *to; /* "OUT" in them: that path */
	unsigned flags;
	const char *error;     /* NULL: must succeed */
} hostile[] = {
	{ "dotdot dir", "mkdir zz && echo x > zz/pwned", "zz", "..", 0,
	  "bad name '..'" },
	{ "dotdot file", "echo x > zz", "zz", "..", 0, "bad name '..'" },
	{ "absolute", "echo x > ABS", "ABS", "OUT/abs", 0, "bad name '/" },
	{ "slash inside", "echo x > 'a_b'", "a_b", "a/b", 0, "bad name 'a/b'" },
	{ "symlinked parent", "ln -s OUT lin0 && mkdir link && echo x > link/pwned",
	  "lin0", "link", 0, "cannot create 'link': File exists" },
	{ "symlinked parent, force",
	  "ln -s OUT lin0 && mkdir link && echo x > link/pwned", "lin0", "link",
	  XAR_EXTRACT_FORCE, NULL },
	{ "relative symlinked parent",
	  "ln -s ../outside lin0 && mkdir link && echo x > link/pwned",
	  "lin0", "link", 0, "cannot create 'link': File exists" },
	{ "file through symlink", "ln -s OUT/target fil0 && echo x > file",
	  "fil0", "file", 0, "cannot create 'file': File exists" },
	{ "file through symlink, force", "ln -s OUT/target fil0 && echo x > file",
	  "fil0", "file", XAR_EXTRACT_FORCE, NULL },
	/* enough files for threads to write them */
	{ "dotdot dir, many files",
	  "for i in $(seq 40); do echo $i > f$i; done; mkdir zz && echo x > zz/pwned",
	  "zz", "..", 0, "bad name '..'" },
	{ "file through symlink, many files",
	  "for i in $(seq 40); do echo $i > f$i; done; ln -s OUT/target fil0 && "
	  "echo x > file", "fil0", "file", 0, "cannot create 'file': File exists" },
	{ "deep file through symlink",
	  "mkdir d && ln -s OUT d/fil0 && mkdir d/file && echo x > d/file/f",
	  "fil0", "file", 0, "cannot create 'd/file': File exists" },
};

/* s with "OUT" replaced by out. */
static void expand(char *buf, size_t cap, const char *s, const char *out)
{
	const char *o = strstr(s, "OUT");

	if (!o)
		snprintf(buf, cap, "%s", s);
	else
		snprintf(buf, cap, "%.*s%s%s", (int)(o - s), s, out, o + 3);
}

START_TEST(test_hostile)
{
	struct xar_err err;
	char tree[1024], to[512], from[512], shown[sizeof(err.msg)];
	char outside[512], src[512];
	unsigned t;
	int rc;

	snprintf(outside, sizeof(outside), "%s", fx_at("outside"));
	snprintf(src, sizeof(src), "%s", fx_at("h%d", _i));

	fx_sh("mkdir -p '%s' '%s'", src, outside);
	expand(tree, sizeof(tree), hostile[_i].tree, outside);
	fx_sh("cd '%s' && %s", src, tree);
	expand(to, sizeof(to), hostile[_i].to, outside);
	memset(from, 'Q', strlen(to)); /* a placeholder of the same length */
	from[strlen(to)] = '\0';
	if (strlen(hostile[_i].from) == strlen(to))
		snprintf(from, sizeof(from), "%s", hostile[_i].from);
	else
		fx_sh("cd '%s' && mv '%s' '%s'", src, hostile[_i].from, from);
	fx_build(src, fx_at("h%d.img", _i), fx_at("h%d.xar", _i), 1, 0);
	fx_patch(fx_at("h%d.xar", _i), from, to);
	for (t = 1; t <= XAR_EXTRACT_THREADS_MAX; t *= 2) {
		fx_sh("mkdir '%s'", fx_at("hout%d-%u", _i, t));
		rc = extract(fx_at("h%d.xar", _i), fx_at("hout%d-%u", _i, t),
			     hostile[_i].flags, NULL, 0, t, &err);
		snprintf(shown, sizeof(shown), "%s", rc ? err.msg : "(no error)");
		if (hostile[_i].error) {
			ck_assert_msg(rc == -1, "%s: extracted", hostile[_i].name);
			ck_assert_msg(strstr(err.msg, hostile[_i].error), "%s, %u "
				      "threads: '%s' lacks '%s'", hostile[_i].name,
				      t, shown, hostile[_i].error);
		} else {
			ck_assert_msg(rc == 0, "%s: %s", hostile[_i].name, shown);
		}
		/* nothing outside: the directory is empty, the parent
		 * unchanged */
		fx_sh("test -z \"$(ls -A '%s')\"", outside);
		ck_assert(!fx_exists(fx_at("pwned")));
		ck_assert(!fx_exists(fx_at("zz")));
	}
}
END_TEST

/* ---- threads ---- */

static void extract_many(const char *out, unsigned threads,
			 struct xar_extract_stats *st)
{
	struct xar_extract_opts o = { XAR_EXTRACT_OWNERS | XAR_EXTRACT_KEEP_SETID,
				      NULL, 0, threads };
	struct xar_image *img = open_xar(fx_at("many.xar"));
	struct xar_err err;

	ck_assert_msg(xar_extract(img, out, &o, st, &err) == 0, "%u threads: %s",
		      threads, err.msg);
	xar_image_close(img);
}

/* Any number of threads gives the tree that was packed: contents, modes,
 * mtimes, hard links, the same stats. */
START_TEST(test_threads_same_tree)
{
	static const unsigned counts[] = { 1, 2, 3, XAR_EXTRACT_THREADS_MAX };
	struct xar_extract_stats first, st;
	size_t i;

	fx_sh(MANIFEST " '%s' > '%s'", fx_at("many"), fx_at("many.want"));
	for (i = 0; i < sizeof(counts) / sizeof(*counts); i++) {
		extract_many(fx_at("many.t%zu", i), counts[i], &st);
		fx_sh(MANIFEST " '%s' | diff '%s' - >&2", fx_at("many.t%zu", i),
		      fx_at("many.want"));
		ck_assert_uint_eq(st.threads, counts[i]);
		st.threads = 1;
		if (!i)
			first = st;
		ck_assert_mem_eq(&st, &first, sizeof(st));
	}
	ck_assert_uint_eq(first.files, 250); /* d1/f010 once, with 3 names */
	ck_assert_uint_eq(first.hardlinks, 2);
	ck_assert_uint_eq(first.symlinks, 1);
}
END_TEST

/* Files in the way: every count of threads reports the first one in image
 * order, as one thread does. */
START_TEST(test_threads_first_error)
{
	static const unsigned counts[] = { 1, 2, XAR_EXTRACT_THREADS_MAX };
	size_t i;

	for (i = 0; i < sizeof(counts) / sizeof(*counts); i++) {
		struct xar_extract_opts o = { 0, NULL, 0, counts[i] };
		const char *out = fx_at("many.err%zu", i);
		struct xar_image *img = open_xar(fx_at("many.xar"));
		struct xar_err err;
		int fd, rc;

		/* d1/f064 starts the second batch of d1 and fails long
		 * before d1/f063, at the end of the first one */
		fx_sh("mkdir -p '%s/d1' '%s/d2/sub' && touch '%s/d2/sub/f003' "
		      "'%s/d1/f064' '%s/d1/f063'", out, out, out, out, out);
		fd = open(out, O_RDONLY | O_DIRECTORY);
		ck_assert_int_ge(fd, 0);
		rc = xar_extract_at(img, fd, &o, NULL, &err);
		close(fd);
		xar_image_close(img);
		ck_assert_int_eq(rc, -1);
		ck_assert_str_eq(err.msg, "cannot create 'd1/f063': File exists");
		ck_assert_int_eq(err.code, EEXIST);
	}
}
END_TEST

/* Devices: made by root, counted and skipped by others. */
START_TEST(test_devices)
{
	struct xar_extract_opts o = { 0, NULL, 0, 0 };
	struct xar_extract_stats st;
	struct xar_image *img;
	struct xar_err err;
	struct stat s;
	int status;
	pid_t pid;

	if (!root_run)
		return; /* the image has no device (mknod needs root) */
	extract_ok(fx_at("dev-root"), 0, NULL, 0);
	ck_assert_int_eq(lstat(fx_at("dev-root/null"), &s), 0);
	ck_assert(S_ISCHR(s.st_mode));
	ck_assert_uint_eq(s.st_rdev, makedev(1, 3));
	fx_sh("mkdir '%s' && chown 65534 '%s'", fx_at("dev-user"),
	      fx_at("dev-user"));
	pid = fork();
	if (!pid) {
		img = open_xar(fx_at("x.xar"));
		if (setgid(65534) || setuid(65534))
			_exit(3);
		if (xar_extract(img, fx_at("dev-user"), &o, &st, &err))
			_exit(4);
		_exit(st.skipped_devices == 1 && st.specials == 1 ? 0 : 5);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(status, 0);
	ck_assert(!fx_exists(fx_at("dev-user/null")));
	ck_assert(fx_exists(fx_at("dev-user/fifo")));
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc = xar_check_case(&s, "extract");

	tcase_add_unchecked_fixture(tc, setup, fx_teardown_dir);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_whole_tree);
	tcase_add_loop_test(tc, test_modes, 0, sizeof(modes) / sizeof(*modes));
	tcase_add_test(tc, test_some_paths);
	tcase_add_test(tc, test_missing_path);
	tcase_add_test(tc, test_not_empty);
	tcase_add_test(tc, test_symlink_in_dir);
	tcase_add_loop_test(tc, test_hostile, 0,
			    sizeof(hostile) / sizeof(*hostile));
	tcase_add_test(tc, test_devices);
	tcase_add_test(tc, test_threads_same_tree);
	tcase_add_test(tc, test_threads_first_error);
	return xar_check_run(s);
}
