/* lib/tree: gathering sources into the image tree. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "tree/tree.h"

static char base[64];

static void mk(const char *rel, const char *content)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
}

static void mkd(const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	ck_assert_int_eq(mkdir(p, 0755), 0);
}

static char *src(const char *rel)
{
	static char p[256];

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	return p;
}

static void setup(void)
{
	strcpy(base, "/tmp/xar-check-tree.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(base));
	mkd("a");
	mkd("a/sub");
	mk("a/one", "1");
	mk("a/sub/two", "22");
	mk("a/skip.tmp", "x");
	mkd("b");
	mk("b/one", "replaced");
	mk("b/three", "333");
	{
		char from[256];

		snprintf(from, sizeof(from), "%s", src("a/one"));
		ck_assert_int_eq(link(from, src("a/one-link")), 0);
	}
	ck_assert_int_eq(symlink("one", src("a/sym")), 0);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	ck_assert_int_eq(system(cmd), 0);
}

static void init(struct xar_tree *t, const char *const *ex, size_t nex)
{
	struct xar_tree_opts o = { .excludes = ex, .nexcludes = nex };
	struct xar_err err;

	ck_assert_int_eq(xar_tree_init(t, &o, &err), 0);
}

START_TEST(test_merge_and_replace)
{
	struct xar_tree t;
	struct xar_err err;
	struct xar_node *n;

	init(&t, NULL, 0);
	ck_assert_int_eq(xar_tree_add_source(&t, src("a"), &err), 0);
	ck_assert_int_eq(xar_tree_add_source(&t, src("b"), &err), 0);
	n = xar_tree_lookup(&t, "one");
	ck_assert_ptr_nonnull(n);
	ck_assert_uint_eq(n->size, 8); /* b/one replaced a/one */
	ck_assert_ptr_nonnull(xar_tree_lookup(&t, "three"));
	ck_assert_ptr_nonnull(xar_tree_lookup(&t, "sub/two"));
	ck_assert_ptr_null(xar_tree_lookup(&t, "sub/none"));
	ck_assert_ptr_null(xar_tree_lookup(&t, "one/x"));
	/* the hard link a/one-link still shares the old node, now named once */
	n = xar_tree_lookup(&t, "one-link");
	ck_assert_ptr_nonnull(n);
	ck_assert_uint_eq(n->nlink, 1);
	ck_assert_str_eq(xar_tree_lookup(&t, "sym")->target, "one");
	ck_assert_uint_eq(t.root->uid, 0);
	xar_tree_free(&t);
}
END_TEST

START_TEST(test_hard_links_share_a_node)
{
	struct xar_tree t;
	struct xar_err err;

	init(&t, NULL, 0);
	ck_assert_int_eq(xar_tree_add_source(&t, src("a"), &err), 0);
	ck_assert_ptr_eq(xar_tree_lookup(&t, "one"), xar_tree_lookup(&t, "one-link"));
	ck_assert_uint_eq(xar_tree_lookup(&t, "one")->nlink, 2);
	xar_tree_free(&t);
}
END_TEST

static const struct {
	const char *spec;  /* PATH=DEST, with PATH relative to base */
	const char *look;  /* expected image path */
	const char *err;   /* or expected error substring */
} dest_cases[] = {
	{ "a/one=x/y/z", "x/y/z", NULL },
	{ "a/one=//x//y/", "x/y", NULL },
	{ "a/sub=lib", "lib/two", NULL },
	{ "a/one", "one", NULL },
	{ "a/one=x/../y", NULL, "must not contain" },
	{ "a/one=./y", NULL, "must not contain" },
	{ "a/one=", NULL, "not a directory" },
	{ "a/missing=x", NULL, "cannot stat" },
	{ "=x", NULL, "no PATH" },
};

START_TEST(test_dest_paths)
{
	struct xar_tree t;
	struct xar_err err = { 0 };
	char spec[256];
	int rc;

	init(&t, NULL, 0);
	if (dest_cases[_i].spec[0] == '=')
		snprintf(spec, sizeof(spec), "%s", dest_cases[_i].spec);
	else
		snprintf(spec, sizeof(spec), "%s/%s", base, dest_cases[_i].spec);
	rc = xar_tree_add_source(&t, spec, &err);
	if (dest_cases[_i].look) {
		ck_assert_msg(rc == 0, "%s: %s", spec, err.msg);
		ck_assert_ptr_nonnull(xar_tree_lookup(&t, dest_cases[_i].look));
	} else {
		ck_assert_int_eq(rc, -1);
		ck_assert_msg(strstr(err.msg, dest_cases[_i].err), "%s: %s",
			      spec, err.msg);
	}
	xar_tree_free(&t);
}
END_TEST

START_TEST(test_excludes)
{
	static const char *const ex[] = { "*.tmp", "sub/two" };
	struct xar_tree t;
	struct xar_err err;

	init(&t, ex, 2);
	ck_assert_int_eq(xar_tree_add_source(&t, src("a"), &err), 0);
	ck_assert_ptr_null(xar_tree_lookup(&t, "skip.tmp"));
	ck_assert_ptr_null(xar_tree_lookup(&t, "sub/two"));
	ck_assert_ptr_nonnull(xar_tree_lookup(&t, "sub"));
	ck_assert_ptr_nonnull(xar_tree_lookup(&t, "one"));
	xar_tree_free(&t);
}
END_TEST

START_TEST(test_times_clamped)
{
	struct xar_tree t;
	struct xar_err err;
	struct timespec ts[2] = { { 2000000000, 0 }, { 2000000000, 0 } };

	ck_assert_int_eq(utimensat(AT_FDCWD, src("a/one"), ts, 0), 0);
	init(&t, NULL, 0);
	ck_assert_int_eq(xar_tree_add_source(&t, src("a/one=deep/er/one"), &err), 0);
	ck_assert_int_eq(xar_tree_finish_times(&t, 1500000000), 1500000000);
	ck_assert_int_eq(xar_tree_lookup(&t, "deep/er/one")->mtime, 1500000000);
	/* made-up directories get the newest time */
	ck_assert_int_eq(xar_tree_lookup(&t, "deep")->mtime, 1500000000);
	xar_tree_free(&t);
}
END_TEST

static int count_visit(struct xar_node *n, const char *path, void *arg)
{
	(void)n;
	(void)path;
	++*(int *)arg;
	return 0;
}

START_TEST(test_walk_and_bytes)
{
	struct xar_tree t;
	struct xar_err err;
	int count = 0;

	init(&t, NULL, 0);
	ck_assert_int_eq(xar_tree_add_source(&t, src("a"), &err), 0);
	ck_assert_int_eq(xar_tree_add_bytes(&t, "gen/x.sh", "echo\n", 5, 0755, &err), 0);
	ck_assert_int_eq(xar_tree_walk(&t, count_visit, &count), 0);
	/* root, one, one-link, skip.tmp, sub, sub/two, sym, gen, gen/x.sh */
	ck_assert_int_eq(count, 9);
	ck_assert_uint_eq(xar_tree_lookup(&t, "gen/x.sh")->size, 5);
	xar_tree_free(&t);
}
END_TEST

/* A directory replaced by a file leaves its subtree unreachable; links
 * are counted over what the image will hold. */
START_TEST(test_replaced_subtree_not_counted)
{
	struct xar_tree t;
	struct xar_err err;
	char spec[300];

	init(&t, NULL, 0);
	ck_assert_int_eq(xar_tree_add_source(&t, src("a"), &err), 0);
	snprintf(spec, sizeof(spec), "%s=one-dir", src("a"));
	ck_assert_int_eq(xar_tree_add_source(&t, spec, &err), 0);
	/* one-dir/one is the same inode as /one and /one-link */
	ck_assert_ptr_eq(xar_tree_lookup(&t, "one-dir/one"), xar_tree_lookup(&t, "one"));
	snprintf(spec, sizeof(spec), "%s=one-dir", src("b/three"));
	ck_assert_int_eq(xar_tree_add_source(&t, spec, &err), 0);
	ck_assert(S_ISREG(xar_tree_lookup(&t, "one-dir")->mode));
	xar_tree_sort(&t);
	ck_assert_uint_eq(xar_tree_lookup(&t, "one")->nlink, 2);
	xar_tree_free(&t);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc = xar_check_case(&s, "tree");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_merge_and_replace);
	tcase_add_test(tc, test_hard_links_share_a_node);
	tcase_add_loop_test(tc, test_dest_paths, 0,
			    sizeof(dest_cases) / sizeof(*dest_cases));
	tcase_add_test(tc, test_excludes);
	tcase_add_test(tc, test_times_clamped);
	tcase_add_test(tc, test_walk_and_bytes);
	tcase_add_test(tc, test_replaced_subtree_not_counted);
	return xar_check_run(s);
}
