/* lib/mount: what the runtime decides about a mount point without
 * mounting anything (mounting itself is tested end to end in
 * tests/e2e/xarexec/test_run_*.sh). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "mount/mount.h"
#include "tmpdir_fixture.h"

static void setup(void)
{
	tmpdir_setup("mount");
}

START_TEST(test_marker)
{
	uint64_t a = xar_mount_marker("00ff");

	ck_assert_uint_eq(a, xar_mount_marker("00ff"));
	ck_assert_uint_ne(a, xar_mount_marker("00fe"));
	ck_assert_uint_ne(a, xar_mount_marker("00ff0"));
	ck_assert_uint_ne(xar_mount_marker(""), 0);
}
END_TEST

/* A plain directory is "nothing mounted"; seen from a parent on another
 * device it is "something else is mounted here". */
START_TEST(test_probe_plain_directory)
{
	enum xar_mount_state state;
	struct xar_err err;
	struct stat st;
	int fd;

	ck_assert_int_eq(mkdir(at("mp"), 0755), 0);
	fd = open(at("mp"), O_PATH | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(stat(base, &st), 0);
	ck_assert_int_eq(xar_mount_probe(fd, st.st_dev, 1, &state, &err), 0);
	ck_assert_int_eq(state, XAR_MOUNT_ABSENT);
	ck_assert_int_eq(xar_mount_probe(fd, st.st_dev + 1, 1, &state, &err), 0);
	ck_assert_int_eq(state, XAR_MOUNT_FOREIGN);
	close(fd);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc = xar_check_case(&s, "mount");

	tcase_add_checked_fixture(tc, setup, tmpdir_teardown);
	tcase_add_test(tc, test_marker);
	tcase_add_test(tc, test_probe_plain_directory);
	return xar_check_run(s);
}
