/* lib/server: the mount point's lock and the server's request counts,
 * without mounting anything (the server itself is tested end to end in
 * tests/e2e/xarexec/test_run_*.sh). */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/fuse.h>

#include "check_main.h"
#include "server/server.h"
#include "server/stats.h"
#include "tmpdir_fixture.h"

static void setup(void)
{
	tmpdir_setup("server");
}

START_TEST(test_lock_file)
{
	struct xar_err err;
	struct stat st;
	int fd;

	fd = xar_mount_lock(at("m.lock"), getuid(), &err);
	ck_assert_msg(fd >= 0, "%s", err.msg);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	xar_mount_unlock(fd);
	/* the same process may take it again once released */
	fd = xar_mount_lock(at("m.lock"), getuid(), &err);
	ck_assert_int_ge(fd, 0);
	xar_mount_unlock(fd);
}
END_TEST

/* Lock files that must not be trusted. */
static const struct lock_case {
	const char *name;
	int symlink;
	int other_owner;
	const char *says;
} lock_cases[] = {
	{ "symlink", 1, 0, "cannot open lock file" },
	{ "another user's", 0, 1, "owned by uid" },
};

START_TEST(test_lock_refused)
{
	const struct lock_case *c = &lock_cases[_i];
	struct xar_err err;

	fclose(fopen(at("target"), "w"));
	if (c->symlink)
		ck_assert_int_eq(symlink(at("target"), at("m.lock")), 0);
	else
		fclose(fopen(at("m.lock"), "w"));
	ck_assert_int_eq(xar_mount_lock(at("m.lock"), getuid() +
					(c->other_owner ? 1 : 0), &err), -1);
	ck_assert_msg(strstr(err.msg, c->says), "%s: %s", c->name, err.msg);
}
END_TEST

static void count(struct xar_fuse_stats *s, uint32_t opcode)
{
	struct fuse_in_header in;

	memset(&in, 0, sizeof(in));
	in.len = sizeof(in);
	in.opcode = opcode;
	xar_fuse_stats_count(s, &in, sizeof(in));
}

START_TEST(test_stats_count_and_write)
{
	struct xar_fuse_stats s;
	struct xar_err err;
	char text[512];
	size_t n;
	FILE *f;

	memset(&s, 0, sizeof(s));
	count(&s, FUSE_LOOKUP);
	count(&s, FUSE_LOOKUP);
	count(&s, FUSE_STATFS);
	count(&s, 4096); /* CUSE_INIT: out of range, counted as OTHER */
	xar_fuse_stats_count(&s, "ab", 2); /* too short: ignored */
	ck_assert_uint_eq(s.total, 4);
	ck_assert_str_eq(xar_fuse_opcode_name(FUSE_IOCTL), "IOCTL");
	ck_assert_str_eq(xar_fuse_opcode_name(7), "OTHER");
	ck_assert_int_eq(xar_fuse_stats_write(&s, at("stats"), "pid 1\n", &err), 0);
	f = fopen(at("stats"), "r");
	ck_assert_ptr_nonnull(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	ck_assert_str_eq(text, "pid 1\nrequests 4\nLOOKUP 2\nSTATFS 1\nOTHER 1\n");
	ck_assert_int_eq(access(at("stats.tmp"), F_OK), -1);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc = xar_check_case(&s, "server");

	tcase_add_checked_fixture(tc, setup, tmpdir_teardown);
	tcase_add_test(tc, test_lock_file);
	tcase_add_loop_test(tc, test_lock_refused, 0,
			    sizeof(lock_cases) / sizeof(*lock_cases));
	tcase_add_test(tc, test_stats_count_and_write);
	return xar_check_run(s);
}
