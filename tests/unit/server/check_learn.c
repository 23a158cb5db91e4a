/* lib/server: the start-up recorder (record.c) and the learnt list's
 * reader (learn.c), without mounting anything (their use by a server is
 * tested end to end in tests/e2e/xarexec/test_learn.sh). */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "header/header.h"
#include "server/learn.h"
#include "server/record.h"
#include "tmpdir_fixture.h"

static void setup(void)
{
	tmpdir_setup("learn");
}

/* A new file at path holding text. */
static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	size_t n = strlen(text);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, n), (ssize_t)n);
	close(fd);
}

static char *slurp(const char *path)
{
	static char text[1 << 20];
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

/* Many names (a large listing) still resolve to paths, in first-read
 * order, with sequential reads merged and repeated ones dropped. */
START_TEST(test_record_many_names)
{
	struct xar_record *r = xar_record_new();
	char name[32];
	uint64_t i;

	ck_assert_ptr_nonnull(r);
	ck_assert(xar_record_empty(r));
	xar_record_lookup(r, 1, "d", 2);
	for (i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "f%llu", (unsigned long long)i);
		xar_record_lookup(r, 2, name, 100 + i);
	}
	xar_record_lookup(r, 1, "other-name-same-inode", 2); /* first stays */
	xar_record_read(r, 100 + 19999, 0, 0);
	xar_record_read(r, 100 + 19999, 1, 3);   /* goes on: merged */
	xar_record_read(r, 100 + 7, 5, 5);
	xar_record_read(r, 100 + 19999, 2, 2);   /* read before: dropped */
	xar_record_read(r, 99999999, 0, 0);      /* never looked up */
	ck_assert(!xar_record_empty(r));
	/* a temporary file a killed writer left is no obstacle */
	put(at("list.tmp"), "");
	ck_assert_int_eq(xar_record_write(r, at("list")), 0);
	ck_assert_int_eq(access(at("list.tmp"), F_OK), -1);
	ck_assert_str_eq(slurp(at("list")), "d/f19999\t0-3\nd/f7\t5-5\n");
	xar_record_free(r);
}
END_TEST

/* Names looked up in vain come in their place among the reads, as
 * "PATH<TAB>absent" (at the root too); they alone make no list worth
 * writing; past a bound they are no longer followed. */
START_TEST(test_record_absent)
{
	struct xar_record *r = xar_record_new();
	char name[32];
	int i;

	ck_assert_ptr_nonnull(r);
	xar_record_lookup(r, 1, "pkg", 2);
	xar_record_absent(r, 2, "__init__.abi3.so");
	xar_record_absent(r, 1, "top.so");
	ck_assert(xar_record_empty(r));
	xar_record_lookup(r, 2, "__init__.py", 3);
	xar_record_read(r, 3, 0, 0);
	xar_record_absent(r, 99, "under-an-unknown-directory");
	xar_record_absent(r, 2, "late.so");
	ck_assert(!xar_record_empty(r));
	ck_assert_int_eq(xar_record_write(r, at("list")), 0);
	ck_assert_str_eq(slurp(at("list")),
			 "pkg/__init__.abi3.so\tabsent\ntop.so\tabsent\n"
			 "pkg/__init__.py\t0-0\npkg/late.so\tabsent\n");
	for (i = 0; i < 5000; i++) { /* 4 came before: 4092 more */
		snprintf(name, sizeof(name), "n%d", i);
		xar_record_absent(r, 1, name);
	}
	ck_assert_int_eq(unlink(at("list")), 0);
	ck_assert_int_eq(xar_record_write(r, at("list")), 0);
	ck_assert_ptr_nonnull(strstr(slurp(at("list")), "\nn4091\tabsent\n"));
	ck_assert_ptr_null(strstr(slurp(at("list")), "\nn4092\t"));
	xar_record_free(r);
}
END_TEST

/* A list added to (a new build's, after its predecessor's): the head's
 * complete lines first, then the lines it lacks; a line it holds only
 * as part of another is not one it holds. */
START_TEST(test_record_after)
{
	static const char head[] = "pkg/a.py\t0-0\ngone.so\tabsent\n"
				   "xpkg/b.py\t0-0\ncut/off";
	struct xar_record *r = xar_record_new();

	ck_assert_ptr_nonnull(r);
	xar_record_lookup(r, 1, "pkg", 2);
	xar_record_lookup(r, 2, "a.py", 3);
	xar_record_lookup(r, 2, "b.py", 4);
	xar_record_lookup(r, 2, "c.py", 5);
	xar_record_read(r, 3, 0, 0);   /* in the head: not again */
	xar_record_read(r, 4, 0, 0);   /* only inside xpkg/b.py's line */
	xar_record_read(r, 5, 0, 1);
	xar_record_absent(r, 1, "gone.so");
	ck_assert_int_eq(xar_record_write_after(r, head, sizeof(head) - 1,
						at("list")), 0);
	ck_assert_str_eq(slurp(at("list")),
			 "pkg/a.py\t0-0\ngone.so\tabsent\nxpkg/b.py\t0-0\n"
			 "pkg/b.py\t0-0\npkg/c.py\t0-1\n");
	/* nothing of its own: the head alone */
	xar_record_free(r);
	r = xar_record_new();
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(unlink(at("list")), 0);
	ck_assert_int_eq(xar_record_write_after(r, head, 20, at("list")), 0);
	ck_assert_str_eq(slurp(at("list")), "pkg/a.py\t0-0\n");
	xar_record_free(r);
}
END_TEST

/* A long list added to: each line of the record checked against all of
 * it (by hash: the table grows past its first size and probes wrap), the
 * new ones after it in their order. */
START_TEST(test_record_after_long)
{
	struct xar_record *r = xar_record_new();
	size_t cap = 6000 * 16, len = 0;
	char *head = malloc(cap), name[32], *text;
	int i;

	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(head);
	for (i = 0; i < 6000; i++)
		len += (size_t)snprintf(head + len, cap - len, "d/f%d\t0-0\n", i);
	xar_record_lookup(r, 1, "d", 2);
	for (i = 0; i < 8000; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		xar_record_lookup(r, 2, name, 100 + (uint64_t)i);
		xar_record_read(r, 100 + (uint64_t)i, 0, 0);
	}
	ck_assert_int_eq(xar_record_write_after(r, head, len, at("list")), 0);
	text = slurp(at("list"));
	ck_assert_int_eq(memcmp(text, head, len), 0);
	ck_assert_int_eq(strncmp(text + len, "d/f6000\t0-0\nd/f6001\t", 20), 0);
	ck_assert_ptr_null(strstr(text + len, "d/f5999\t"));
	ck_assert_ptr_nonnull(strstr(text + len, "\nd/f7999\t0-0\n"));
	free(head);
	xar_record_free(r);
}
END_TEST

START_TEST(test_learnt_read)
{
	char *buf = (char *)1;
	size_t len = 1;
	int fd;

	ck_assert_int_eq(xar_learnt_read(at("none"), &buf, &len), 1);
	ck_assert_ptr_null(buf);
	ck_assert_uint_eq(len, 0);
	put(at("good"), "a\t0-1\n");
	ck_assert_int_eq(xar_learnt_read(at("good"), &buf, &len), 0);
	ck_assert_uint_eq(len, 6);
	ck_assert_int_eq(memcmp(buf, "a\t0-1\n", 6), 0);
	free(buf);
	/* a longer one: its head */
	fd = open(at("good"), O_WRONLY);
	ck_assert_int_eq(ftruncate(fd, XAR_STARTUP_LIST_MAX + 4096), 0);
	close(fd);
	ck_assert_int_eq(xar_learnt_read(at("good"), &buf, &len), 0);
	ck_assert_uint_eq(len, XAR_STARTUP_LIST_MAX);
	ck_assert_int_eq(memcmp(buf, "a\t0-1\n", 6), 0);
	free(buf);
}
END_TEST

/* Anything else in its place is left: -1, nothing read. */
START_TEST(test_learnt_refused)
{
	char *buf = (char *)1;
	size_t len = 1;

	ck_assert_int_eq(symlink(at("good"), at("link")), 0);
	put(at("good"), "a\n");
	ck_assert_int_eq(xar_learnt_read(at("link"), &buf, &len), -1);
	ck_assert_int_eq(mkfifo(at("fifo"), 0600), 0);
	ck_assert_int_eq(xar_learnt_read(at("fifo"), &buf, &len), -1);
	ck_assert_int_eq(mkdir(at("dir"), 0700), 0);
	ck_assert_int_eq(xar_learnt_read(at("dir"), &buf, &len), -1);
	put(at("empty"), "");
	ck_assert_int_eq(xar_learnt_read(at("empty"), &buf, &len), -1);
	if (getuid() == 0) { /* another user's */
		put(at("theirs"), "a\n");
		ck_assert_int_eq(chown(at("theirs"), 65534, 65534), 0);
		ck_assert_int_eq(xar_learnt_read(at("theirs"), &buf, &len), -1);
	}
	ck_assert_ptr_null(buf);
	ck_assert_uint_eq(len, 0);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc = xar_check_case(&s, "learn");

	tcase_add_checked_fixture(tc, setup, tmpdir_teardown);
	tcase_add_test(tc, test_record_many_names);
	tcase_add_test(tc, test_record_absent);
	tcase_add_test(tc, test_record_after);
	tcase_add_test(tc, test_record_after_long);
	tcase_add_test(tc, test_learnt_read);
	tcase_add_test(tc, test_learnt_refused);
	return xar_check_run(s);
}
