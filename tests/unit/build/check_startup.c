/* lib/build's start-up list: which files it ranks, what it stores, what
 * it refuses; and the writer laying ranked files out first. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check_main.h"
#include "build/startup.h"
#include "header/header.h"
#include "tree/tree.h"

static struct xar_tree t;

static void add(const char *path, const char *data)
{
	struct xar_err err;

	ck_assert_int_eq(xar_tree_add_bytes(&t, path, data, strlen(data), 0644,
					    &err), 0);
}

static void setup(void)
{
	struct xar_tree_opts o;
	struct xar_err err;

	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(xar_tree_init(&t, &o, &err), 0);
	add("bin/app", "app");
	add("lib/a.py", "a");
	add("lib/b.py", "b");
	add("lib/c.py", "c");
}

static void teardown(void)
{
	xar_tree_free(&t);
}

static uint32_t rank(const char *path)
{
	struct xar_node *n = xar_tree_lookup(&t, path);

	ck_assert_ptr_nonnull(n);
	return n->rank;
}

/* The list stored in the tree, as text. */
static const char *stored(void)
{
	struct xar_node *n = xar_tree_lookup(&t, XAR_STARTUP_LIST);
	static char buf[256];

	ck_assert_ptr_nonnull(n);
	ck_assert_ptr_nonnull(n->content);
	ck_assert_uint_lt(n->size, sizeof(buf));
	memcpy(buf, n->content, n->size);
	buf[n->size] = '\0';
	return buf;
}

START_TEST(ranks_in_list_order)
{
	const char list[] = "lib/c.py\nbin/app\nlib/a.py\n";
	size_t files, skipped;
	struct xar_err err;

	ck_assert_int_eq(xar_startup_apply(&t, list, strlen(list), &files,
					   &skipped, &err), 0);
	ck_assert_uint_eq(files, 3);
	ck_assert_uint_eq(skipped, 0);
	ck_assert_uint_eq(rank("lib/c.py"), 1);
	ck_assert_uint_eq(rank("bin/app"), 2);
	ck_assert_uint_eq(rank("lib/a.py"), 3);
	ck_assert_uint_eq(rank("lib/b.py"), 0);
	ck_assert_str_eq(stored(), list);
}
END_TEST

/* Names of nothing, directories, repeats and blank lines are skipped
 * (counted, blank lines not) and left out of the stored list; a last line
 * without a newline counts. */
START_TEST(skips_what_is_not_a_file)
{
	const char list[] = "nope\nlib\n\nlib/b.py\nlib/b.py\n../x\nlib/a.py";
	size_t files, skipped;
	struct xar_err err;

	ck_assert_int_eq(xar_startup_apply(&t, list, strlen(list), &files,
					   &skipped, &err), 0);
	ck_assert_uint_eq(files, 2);
	ck_assert_uint_eq(skipped, 4);
	ck_assert_str_eq(stored(), "lib/b.py\nlib/a.py\n");
	ck_assert_uint_eq(rank("lib/b.py"), 1);
	ck_assert_uint_eq(rank("lib/a.py"), 2);
}
END_TEST

/* Block ranges: a file's first line ranks it, later ranges of it are
 * kept, in order, and a bad range is skipped. */
START_TEST(keeps_ranges)
{
	const char list[] = "lib/b.py\t3-4\nlib/a.py\nlib/b.py\t0-0\n"
			    "lib/b.py\t2-1\nlib/a.py\t1-1\n";
	size_t files, skipped;
	struct xar_err err;

	ck_assert_int_eq(xar_startup_apply(&t, list, strlen(list), &files,
					   &skipped, &err), 0);
	ck_assert_uint_eq(files, 2);
	ck_assert_uint_eq(skipped, 1);
	ck_assert_uint_eq(rank("lib/b.py"), 1);
	ck_assert_uint_eq(rank("lib/a.py"), 2);
	ck_assert_str_eq(stored(), "lib/b.py\t3-4\nlib/a.py\nlib/b.py\t0-0\n"
			 "lib/a.py\t1-1\n");
}
END_TEST

/* Nothing to rank: nothing stored. */
START_TEST(empty_list_stores_nothing)
{
	size_t files, skipped;
	struct xar_err err;

	ck_assert_int_eq(xar_startup_apply(&t, "x\n", 2, &files, &skipped,
					   &err), 0);
	ck_assert_uint_eq(files, 0);
	ck_assert_ptr_null(xar_tree_lookup(&t, XAR_STARTUP_LIST));
}
END_TEST

START_TEST(refuses_bad_lists)
{
	size_t files, skipped, big = XAR_STARTUP_LIST_MAX + 1;
	struct xar_err err;
	char *huge = malloc(big);

	ck_assert_int_eq(xar_startup_apply(&t, "bin/app\0x\n", 10, &files,
					   &skipped, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "not text"));
	ck_assert_ptr_nonnull(huge);
	memset(huge, 'a', big);
	ck_assert_int_eq(xar_startup_apply(&t, huge, big, &files, &skipped,
					   &err), -1);
	ck_assert_int_eq(err.code, EFBIG);
	free(huge);
	ck_assert_uint_eq(rank("bin/app"), 0);
	add(XAR_STARTUP_LIST, "bin/app\n");
	ck_assert_int_eq(xar_startup_apply(&t, "bin/app\n", 8, &files,
					   &skipped, &err), -1);
	ck_assert_int_eq(err.code, EEXIST);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc = xar_check_case(&s, "startup");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ranks_in_list_order);
	tcase_add_test(tc, skips_what_is_not_a_file);
	tcase_add_test(tc, keeps_ranges);
	tcase_add_test(tc, empty_list_stores_nothing);
	tcase_add_test(tc, refuses_bad_lists);
	return xar_check_run(s);
}
