/* lib/mount/mountpoint.c: mount root choice, paths, per-user directory checks. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "mount/mount.h"
#include "server/server.h"
#include "tmpdir_fixture.h"

static void mkdir_mode(const char *rel, mode_t mode)
{
	ck_assert_int_eq(mkdir(at(rel), 0700), 0);
	ck_assert_int_eq(chmod(at(rel), mode), 0);
}

static void setup(void)
{
	tmpdir_setup("mountpoint");
	unsetenv(XAR_MOUNT_ROOT_ENV);
}

/* Which directories may hold mounts: shared ones must be sticky,
 * world-writable and owned by root or the user (the sticky bit does not bind
 * the owner), private ones the user's alone. "other" checks the directory
 * for a uid that does not own it; usable 2 means "only if its owner (we) is
 * root". */
static const struct root_case {
	const char *name;
	mode_t mode;
	int other;
	int usable;
} root_cases[] = {
	{ "shared-sticky", 01777, 1, 2 },
	{ "shared-sticky-own", 01777, 0, 1 },
	{ "shared-not-sticky", 0777, 1, 0 },
	{ "private", 0700, 0, 1 },
	{ "private-readable", 0755, 0, 1 },
	{ "private-group-writable", 0775, 0, 0 },
	{ "private-world-writable", 0757, 0, 0 },
	{ "someone-elses", 0755, 1, 0 },
	{ "sticky-not-world-writable", 01775, 1, 0 },
};

START_TEST(test_root_check)
{
	const struct root_case *c = &root_cases[_i];
	struct xar_err err;
	uid_t uid = getuid() + (c->other ? 1 : 0);
	int usable = c->usable == 2 ? getuid() == 0 : c->usable;

	mkdir_mode(c->name, c->mode);
	ck_assert_msg((xar_mount_root_check(at(c->name), uid, &err) == 0) ==
		      usable, "%s: %s", c->name, err.msg);
}
END_TEST

/* A sticky world-writable root of another user: its owner may replace our
 * per-user directory, so not even root mounts there (needs root to chown). */
START_TEST(test_root_sticky_of_another_user)
{
	struct xar_err err;

	if (geteuid())
		return;
	mkdir_mode("theirs", 01777);
	ck_assert_int_eq(chown(at("theirs"), 12345, 12345), 0);
	ck_assert_int_eq(xar_mount_root_check(at("theirs"), 0, &err), -1);
	ck_assert_int_eq(err.code, EPERM);
	ck_assert_msg(strstr(err.msg, "owner uid 12345"), "%s", err.msg);
}
END_TEST

START_TEST(test_root_missing_or_file)
{
	struct xar_err err;
	FILE *f;

	ck_assert_int_eq(xar_mount_root_check(at("none"), getuid(), &err), -1);
	ck_assert_int_eq(err.code, ENOENT);
	f = fopen(at("file"), "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(xar_mount_root_check(at("file"), getuid(), &err), -1);
	ck_assert_int_eq(err.code, ENOTDIR);
}
END_TEST

START_TEST(test_locate_paths)
{
	struct xar_mountpoint mp;
	struct xar_err err;
	struct stat ns;
	char want[512];

	mkdir_mode("root", 01777);
	setenv(XAR_MOUNT_ROOT_ENV, at("root"), 1);
	ck_assert_int_eq(xar_mountpoint_locate(&mp, "00ff", NULL, NULL, &err), 0);
	ck_assert_int_eq(stat("/proc/self/ns/mnt", &ns), 0);
	snprintf(want, sizeof(want), "%s/uid-%u/00ff-ns-%llu-v%d", at("root"),
		 (unsigned)getuid(), (unsigned long long)ns.st_ino,
		 XAR_MOUNT_FORMAT);
	ck_assert_str_eq(mp.path, want);
	ck_assert_str_eq(mp.root, at("root"));
	strcat(want, ".lock");
	ck_assert_str_eq(mp.lock_path, want);
	ck_assert_ptr_nonnull(strstr(mp.stats_path, "-ns-"));
	xar_mountpoint_free(&mp);
}
END_TEST

/* The UUID becomes a file name: hex only. */
static const char *const bad_uuids[] = {
	"", "../etc", "00ff/x", "xyz", "00 ff",
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
};

START_TEST(test_locate_bad_uuid)
{
	struct xar_mountpoint mp;
	struct xar_err err;

	mkdir_mode("root", 01777);
	setenv(XAR_MOUNT_ROOT_ENV, at("root"), 1);
	ck_assert_int_eq(xar_mountpoint_locate(&mp, bad_uuids[_i], NULL, NULL,
					       &err), -1);
}
END_TEST

/* $XAR_MOUNT_ROOT beats the header; an unusable one is an error, not a
 * reason to fall back; a header root that does not exist is skipped. */
START_TEST(test_root_precedence)
{
	struct xar_mountpoint mp;
	struct xar_err err;

	mkdir_mode("env", 01777);
	mkdir_mode("hdr", 01777);
	mkdir_mode("open", 0777);
	setenv(XAR_MOUNT_ROOT_ENV, at("env"), 1);
	ck_assert_int_eq(xar_mountpoint_locate(&mp, "ab", at("hdr"), NULL, &err), 0);
	ck_assert_str_eq(mp.root, at("env"));
	xar_mountpoint_free(&mp);

	setenv(XAR_MOUNT_ROOT_ENV, at("open"), 1);
	ck_assert_int_eq(xar_mountpoint_locate(&mp, "ab", at("hdr"), NULL, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, XAR_MOUNT_ROOT_ENV));

	unsetenv(XAR_MOUNT_ROOT_ENV);
	ck_assert_int_eq(xar_mountpoint_locate(&mp, "ab", at("hdr"), NULL, &err), 0);
	ck_assert_str_eq(mp.root, at("hdr"));
	xar_mountpoint_free(&mp);

	ck_assert_int_eq(xar_mountpoint_locate(&mp, "ab", at("open"), NULL, &err), -1);
	ck_assert_int_eq(xar_mountpoint_locate(&mp, "ab", at("none"), NULL, &err), 0);
	ck_assert_str_ne(mp.root, at("none"));
	xar_mountpoint_free(&mp);
}
END_TEST

/* What may already sit where the per-user directory goes. */
enum prior { NOTHING, DIR_OK, DIR_WRITABLE, SYMLINK, PLAIN_FILE };
static const struct user_dir_case {
	const char *name;
	enum prior prior;
	int create;
	int ok;
	const char *says;
} user_dir_cases[] = {
	{ "made when missing", NOTHING, 1, 1, NULL },
	{ "missing, not made", NOTHING, 0, 0, "No such file" },
	{ "existing", DIR_OK, 0, 1, NULL },
	{ "world-writable", DIR_WRITABLE, 1, 0, "writable by group or others" },
	{ "symlink", SYMLINK, 1, 0, "a symlink" },
	{ "plain file", PLAIN_FILE, 1, 0, "not a directory" },
};

START_TEST(test_user_dir)
{
	const struct user_dir_case *c = &user_dir_cases[_i];
	struct xar_mountpoint mp;
	struct xar_err err;
	int fd;

	mkdir_mode("root", 01777);
	mkdir_mode("elsewhere", 0755);
	setenv(XAR_MOUNT_ROOT_ENV, at("root"), 1);
	ck_assert_int_eq(xar_mountpoint_locate(&mp, "ab", NULL, NULL, &err), 0);
	if (c->prior == DIR_OK || c->prior == DIR_WRITABLE) {
		ck_assert_int_eq(mkdir(mp.user_dir, 0755), 0);
		ck_assert_int_eq(chmod(mp.user_dir,
				       c->prior == DIR_OK ? 0755 : 0777), 0);
	} else if (c->prior == SYMLINK) {
		ck_assert_int_eq(symlink(at("elsewhere"), mp.user_dir), 0);
	} else if (c->prior == PLAIN_FILE) {
		fclose(fopen(mp.user_dir, "w"));
	}
	fd = xar_mountpoint_open_user_dir(&mp, c->create, &err);
	ck_assert_msg((fd >= 0) == c->ok, "%s: %s", c->name, err.msg);
	if (fd >= 0)
		close(fd);
	else
		ck_assert_msg(strstr(err.msg, c->says), "%s: %s", c->name, err.msg);
	xar_mountpoint_free(&mp);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc = xar_check_case(&s, "mountpoint");

	tcase_add_checked_fixture(tc, setup, tmpdir_teardown);
	tcase_add_loop_test(tc, test_root_check, 0,
			    sizeof(root_cases) / sizeof(*root_cases));
	tcase_add_test(tc, test_root_sticky_of_another_user);
	tcase_add_test(tc, test_root_missing_or_file);
	tcase_add_test(tc, test_locate_paths);
	tcase_add_loop_test(tc, test_locate_bad_uuid, 0,
			    sizeof(bad_uuids) / sizeof(*bad_uuids));
	tcase_add_test(tc, test_root_precedence);
	tcase_add_loop_test(tc, test_user_dir, 0,
			    sizeof(user_dir_cases) / sizeof(*user_dir_cases));
	return xar_check_run(s);
}
