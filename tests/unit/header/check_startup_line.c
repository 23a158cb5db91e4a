/* lib/header: lines of the start-up list, as mkxar and a FUSE server
 * (reading a hostile image) parse them. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "check_main.h"
#include "header/header.h"

static int parse(const char *line, size_t *plen, uint64_t *a, uint64_t *b)
{
	return xar_startup_line(line, strlen(line), plen, a, b);
}

START_TEST(whole_file)
{
	size_t n;
	uint64_t a, b;

	ck_assert_int_eq(parse("lib/x.py", &n, &a, &b), 0);
	ck_assert_uint_eq(n, 8);
	ck_assert_uint_eq(a, 0);
	ck_assert_uint_eq(b, UINT64_MAX);
}
END_TEST

START_TEST(block_range)
{
	size_t n;
	uint64_t a, b;

	ck_assert_int_eq(parse("bin/python\t12-40", &n, &a, &b), 0);
	ck_assert_uint_eq(n, 10);
	ck_assert_uint_eq(a, 12);
	ck_assert_uint_eq(b, 40);
	ck_assert_int_eq(parse("a\t7-7", &n, &a, &b), 0);
	ck_assert_uint_eq(a, 7);
	ck_assert_uint_eq(b, 7);
	ck_assert_int_eq(parse("a\t0-9999999999999999999", &n, &a, &b), 0);
	ck_assert_uint_eq(b, 9999999999999999999ull);
}
END_TEST

START_TEST(absent_name)
{
	size_t n;
	uint64_t a, b;

	ck_assert_int_eq(parse("pkg/__init__.abi3.so\tabsent", &n, &a, &b), 1);
	ck_assert_uint_eq(n, 20);
	ck_assert_int_eq(parse("a\tabsent ", &n, &a, &b), -1);
	ck_assert_int_eq(parse("a\tabsen", &n, &a, &b), -1);
	ck_assert_int_eq(parse("a\tAbsent", &n, &a, &b), -1);
}
END_TEST

START_TEST(bad_ranges)
{
	static const char *const bad[] = {
		"a\t", "a\t1", "a\t-1", "a\t1-", "a\t2-1", "a\tx-1", "a\t1-y",
		"a\t1-2-3", "a\t 1-2", "a\t1-2 ", "a\t+1-2",
		"a\t0-99999999999999999999", /* 20 digits */
	};
	size_t i, n;
	uint64_t a, b;

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(parse(bad[i], &n, &a, &b) == -1, "accepted %s",
			      bad[i]);
}
END_TEST

/* Only len bytes are looked at: a line is not NUL-terminated in a list. */
START_TEST(bounded)
{
	const char buf[] = "a\t1-29";
	const char abs[] = "a\tabsent9";
	size_t n;
	uint64_t a, b;

	ck_assert_int_eq(xar_startup_line(buf, 5, &n, &a, &b), 0);
	ck_assert_uint_eq(b, 2);
	ck_assert_int_eq(xar_startup_line(abs, 8, &n, &a, &b), 1);
	ck_assert_int_eq(xar_startup_line(abs, 9, &n, &a, &b), -1);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc = xar_check_case(&s, "startup_line");

	tcase_add_test(tc, whole_file);
	tcase_add_test(tc, block_range);
	tcase_add_test(tc, absent_name);
	tcase_add_test(tc, bad_ranges);
	tcase_add_test(tc, bounded);
	return xar_check_run(s);
}
