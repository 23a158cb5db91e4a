/* lib/mount/verified.c: the record that lets a new mount under a trust
 * policy skip hashing a file checked before. It must name that very file,
 * unchanged, and be ours; the policy's whole point is lost if a record
 * could vouch for other bytes. End to end: tests/e2e/xarexec/test_trust.sh. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "mount/mount.h"
#include "tmpdir_fixture.h"

static int dirfd_;

static void setup(void)
{
	tmpdir_setup("verified");
	dirfd_ = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dirfd_, 0);
}

static void teardown(void)
{
	close(dirfd_);
	tmpdir_teardown();
}

static int make_file(const char *rel)
{
	int fd = open(at(rel), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "0123456789", 10), 10);
	return fd;
}

/* Record the file at fd as a passed check would: looked at, then noted. */
static void note(const char *name, int fd)
{
	struct xar_verified v;

	xar_verified_known(dirfd_, name, fd, &v);
	xar_verified_note(dirfd_, name, fd, &v);
}

static int known(const char *name, int fd)
{
	struct xar_verified v;

	return xar_verified_known(dirfd_, name, fd, &v);
}

/* Entries in the scratch directory. */
static int entries(void)
{
	struct dirent *e;
	DIR *d = opendir(base);
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/* A file changed a moment ago is not recorded (a ctime that steps by a
 * clock tick could hide a second change). */
START_TEST(test_fresh_file_not_recorded)
{
	int fd = make_file("x.xar");

	note("r.verified", fd);
	ck_assert_int_eq(access(at("r.verified"), F_OK), -1);
	ck_assert_int_eq(known("r.verified", fd), 0);
	close(fd);
}
END_TEST

/* A settled file is recorded (0600, nothing left beside it) and known;
 * another file is not. */
START_TEST(test_settled_file_recorded)
{
	int fd = open("/bin/sh", O_RDONLY | O_CLOEXEC), other = make_file("o");
	struct stat st;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_ge(time(NULL) - st.st_ctim.tv_sec, 2);
	note("r.verified", fd);
	ck_assert_int_eq(stat(at("r.verified"), &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(known("r.verified", fd), 1);
	ck_assert_int_eq(known("r.verified", other), 0);
	ck_assert_int_eq(known("none", fd), 0);
	ck_assert_int_eq(entries(), 2); /* o and the record */
	close(fd);
	close(other);
}
END_TEST

/* A record that others may write, a link to a good one, or one with a
 * byte more, vouches for nothing. */
START_TEST(test_record_not_trusted)
{
	int fd = open("/bin/sh", O_RDONLY | O_CLOEXEC);
	char cmd[512];

	ck_assert_int_ge(fd, 0);
	note("r.verified", fd);
	ck_assert_int_eq(known("r.verified", fd), 1);
	ck_assert_int_eq(chmod(at("r.verified"), 0620), 0);
	ck_assert_int_eq(known("r.verified", fd), 0);
	ck_assert_int_eq(chmod(at("r.verified"), 0600), 0);
	ck_assert_int_eq(symlink(at("r.verified"), at("l.verified")), 0);
	ck_assert_int_eq(known("l.verified", fd), 0);
	snprintf(cmd, sizeof(cmd), "echo >> '%s'", at("r.verified"));
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(known("r.verified", fd), 0);
	close(fd);
}
END_TEST

/* A write while the file was being checked (after it was looked at, before
 * the check passed): nothing is recorded. */
START_TEST(test_changed_during_check_not_recorded)
{
	int fd = make_file("x.xar");
	struct xar_verified v;

	sleep(2);
	ck_assert_int_eq(xar_verified_known(dirfd_, "r.verified", fd, &v), 0);
	ck_assert_int_eq(v.settled, 1);
	ck_assert_int_eq(pwrite(fd, "Y", 1, 5), 1);
	xar_verified_note(dirfd_, "r.verified", fd, &v);
	ck_assert_int_eq(access(at("r.verified"), F_OK), -1);
	close(fd);
}
END_TEST

/* The file changed in place after it was recorded, its size and mtime
 * put back: the ctime gives it away. */
START_TEST(test_changed_file_not_known)
{
	int fd = make_file("x.xar");
	struct timespec times[2];
	struct stat st;

	ck_assert_int_eq(fstat(fd, &st), 0);
	sleep(2);
	note("r.verified", fd);
	ck_assert_int_eq(known("r.verified", fd), 1);
	ck_assert_int_eq(pwrite(fd, "X", 1, 3), 1);
	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	ck_assert_int_eq(futimens(fd, times), 0);
	ck_assert_int_eq(known("r.verified", fd), 0);
	close(fd);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc = xar_check_case(&s, "verified");

	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_fresh_file_not_recorded);
	tcase_add_test(tc, test_settled_file_recorded);
	tcase_add_test(tc, test_record_not_trusted);
	tcase_add_test(tc, test_changed_file_not_known);
	tcase_add_test(tc, test_changed_during_check_not_recorded);
	return xar_check_run(s);
}
