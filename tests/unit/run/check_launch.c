/* lib/run/launch.c: what xarexec execs from a mounted image. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "run/run.h"

static const struct path_case {
	const char *path;
	int ok;
} path_cases[] = {
	{ "bin/app", 1 },
	{ "app", 1 },
	{ "__xar__/run.sh", 1 },
	{ "a/./b", 1 },
	{ "..app", 1 },
	{ "", 0 },
	{ "/bin/sh", 0 },
	{ "..", 0 },
	{ "../x", 0 },
	{ "a/../../x", 0 },
	{ "a/..", 0 },
	{ "a//b", 0 },
	{ "a/", 0 },
};

START_TEST(test_target_paths)
{
	const struct path_case *c = &path_cases[_i];

	ck_assert_msg(xar_target_path_ok(c->path) == c->ok, "%s", c->path);
}
END_TEST

/* A header with the given keys (NULL values are left out). */
static void header(struct xar_header *h, const char *exec,
		   const char *target)
{
	struct xar_err err;

	xar_header_init(h);
	ck_assert_int_eq(xar_header_set(h, "OFFSET", "4096", &err), 0);
	ck_assert_int_eq(xar_header_set(h, "UUID", "00ff", &err), 0);
	if (exec)
		ck_assert_int_eq(xar_header_set(h, "XAR_EXEC", exec, &err), 0);
	if (target)
		ck_assert_int_eq(xar_header_set(h, "XAREXEC_TARGET", target,
						&err), 0);
}

static const struct plan_case {
	const char *exec, *target;
	const char *want[7]; /* path, then argv */
} plan_cases[] = {
	/* our raw xars: the target itself, argv[0] = the invoked name */
	{ "bin/app", NULL, { "/m/bin/app", "./x.xar", "a", "", NULL } },
	/* XAR_EXEC wins over the trampoline kept for the original runtime */
	{ "bin/app", "__xar__/run.sh", { "/m/bin/app", "./x.xar", "a", "", NULL } },
	/* the original format */
	{ NULL, "run.sh", { "/bin/sh", "/bin/sh", "-e", "/m/run.sh", "./x.xar",
			    "a", "" } },
};

START_TEST(test_plan)
{
	const struct plan_case *c = &plan_cases[_i];
	char a[] = "a", empty[] = "";
	char *args[] = { a, empty, NULL };
	struct xar_header h;
	struct xar_launch l;
	struct xar_err err;
	int i;

	header(&h, c->exec, c->target);
	ck_assert_int_eq(xar_launch_check(&h, &err), 0);
	ck_assert_int_eq(xar_launch_plan(&h, "/m", "./x.xar", 2, args, &l, &err), 0);
	ck_assert_str_eq(l.path, c->want[0]);
	for (i = 0; i < 6 && c->want[i + 1]; i++)
		ck_assert_str_eq(l.argv[i], c->want[i + 1]);
	ck_assert_ptr_null(l.argv[i]);
	xar_launch_free(&l);
	xar_header_free(&h);
}
END_TEST

START_TEST(test_no_or_bad_target)
{
	struct xar_header h;
	struct xar_launch l;
	struct xar_err err;

	header(&h, NULL, NULL);
	ck_assert_int_eq(xar_launch_check(&h, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "names no target"));
	ck_assert_int_eq(xar_launch_plan(&h, "/m", "x", 0, NULL, &l, &err), -1);
	xar_header_free(&h);
	header(&h, "../bin/sh", NULL);
	ck_assert_int_eq(xar_launch_check(&h, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "XAR_EXEC"));
	xar_header_free(&h);
}
END_TEST

START_TEST(test_env)
{
	struct xar_err err;

	setenv("XARFUSE_NEW_MOUNT", "1", 1);
	ck_assert_int_eq(xar_launch_env("./x.xar", "/m", 0, &err), 0);
	ck_assert_ptr_null(getenv("XARFUSE_NEW_MOUNT"));
	ck_assert_str_eq(getenv("XAR_INVOKED_NAME"), "./x.xar");
	ck_assert_str_eq(getenv("XAR_RUNTIME_FILES"), "/m");
	ck_assert_int_eq(xar_launch_env("x", "/n", 1, &err), 0);
	ck_assert_str_eq(getenv("XARFUSE_NEW_MOUNT"), "1");
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc = xar_check_case(&s, "mount_launch");

	tcase_add_loop_test(tc, test_target_paths, 0,
			    sizeof(path_cases) / sizeof(*path_cases));
	tcase_add_loop_test(tc, test_plan, 0,
			    sizeof(plan_cases) / sizeof(*plan_cases));
	tcase_add_test(tc, test_no_or_bad_target);
	tcase_add_test(tc, test_env);
	return xar_check_run(s);
}
