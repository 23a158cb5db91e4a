#include "mount_status.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "mount/mount.h"
#include "server/server.h"

typedef int (*mount_fn)(const struct mntent *m, const char *uuid);

/* Is m a xar mount made by this user? Its UUID (from "xar:<uuid>"). */
static const char *our_uuid(const struct mntent *m)
{
	char opt[32];

	if (strcmp(m->mnt_type, "fuse.xar") ||
	    strncmp(m->mnt_fsname, "xar:", 4))
		return NULL;
	snprintf(opt, sizeof(opt), "user_id=%lu", (unsigned long)getuid());
	return hasmntopt(m, opt) ? m->mnt_fsname + 4 : NULL;
}

/* Each of this user's xar mounts in the per-user directory of the mount
 * root that runs here would use (XAR_MOUNT_ROOT, else the first usable
 * default): other roots' mounts are left alone. */
static int for_each_mount(const char *heading, mount_fn fn)
{
	struct xar_mountpoint mp;
	struct xar_err err;
	struct mntent *m;
	size_t len;
	FILE *f;
	int rc = 0;

	if (xar_mountpoint_locate(&mp, "0000000000000000", NULL, NULL, &err)) {
		fprintf(stderr, "xarexec: error: %s\n", err.msg);
		return 1;
	}
	if (heading)
		printf("%s %s:\n", heading, mp.user_dir);
	len = strlen(mp.user_dir);
	f = setmntent("/proc/self/mounts", "re");
	if (!f) {
		fprintf(stderr, "xarexec: error: cannot read /proc/self/mounts:"
			" %s\n", strerror(errno));
		rc = 1;
		goto out;
	}
	while ((m = getmntent(f)))
		if (our_uuid(m) && !strncmp(m->mnt_dir, mp.user_dir, len) &&
		    m->mnt_dir[len] == '/')
			rc |= fn(m, our_uuid(m));
	endmntent(f);
out:
	xar_mountpoint_free(&mp);
	return rc;
}

/* The server's pid, the xar it serves and the stats file's age, from
 * <mount>.stats. */
static void read_stats(const char *dir, long *pid, char *xar, size_t size,
		       long long *idle)
{
	char path[4096], line[4096 + 8];
	struct stat st;
	size_t n;
	FILE *f;

	*pid = -1;
	*idle = -1;
	snprintf(xar, size, "?");
	if (snprintf(path, sizeof(path), "%s.stats", dir) >= (int)sizeof(path)
	    || !(f = fopen(path, "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "pid %ld", pid) == 1)
			continue;
		if (!strncmp(line, "xar ", 4)) {
			n = strcspn(line + 4, "\n");
			snprintf(xar, size, "%.*s", (int)n, line + 4);
			break; /* the counters follow; stop reading */
		}
	}
	if (!fstat(fileno(f), &st))
		*idle = (long long)(time(NULL) - st.st_mtime);
	fclose(f);
}

static int show_mount(const struct mntent *m, const char *uuid)
{
	char xar[4096];
	struct statfs sf;
	long long idle;
	long pid;

	read_stats(m->mnt_dir, &pid, xar, sizeof(xar), &idle);
	if (statfs(m->mnt_dir, &sf))
		printf("  %s  %s  %s  broken (%s)\n", xar, m->mnt_dir, uuid,
		       strerror(errno));
	else
		printf("  %s  %s  %s  server pid %ld  idle %lld s\n", xar,
		       m->mnt_dir, uuid, pid, idle);
	return 0;
}

int xarexec_mount_status(void)
{
	return for_each_mount("live mounts in", show_mount);
}

/* Unmount m as -u would (lib/mount: found by /proc/self/mounts, never by
 * a stat a stuck server would not answer; detached when its server is
 * gone; its mount point, stats and lock removed). */
static int clean_mount(const struct mntent *m, const char *uuid)
{
	struct xar_mountpoint mp;
	struct xar_err err;
	int rc;

	if (xar_mountpoint_locate(&mp, uuid, NULL, NULL, &err))
		goto fail;
	if (strcmp(mp.path, m->mnt_dir)) { /* another namespace's name */
		printf("kept %s (made in another mount namespace)\n",
		       m->mnt_dir);
		xar_mountpoint_free(&mp);
		return 0;
	}
	rc = xar_mount_remove(&mp, uuid, NULL, &err);
	xar_mountpoint_free(&mp);
	if (rc >= 0) {
		printf("unmounted %s (%s)\n", m->mnt_dir, uuid);
		return 0;
	}
	if (err.code == EBUSY) {
		printf("kept %s (in use)\n", m->mnt_dir);
		return 0;
	}
fail:
	fprintf(stderr, "xarexec: error: %s: %s\n", m->mnt_dir, err.msg);
	return 1;
}

int xarexec_mount_clean(void)
{
	return for_each_mount(NULL, clean_mount);
}

static int have_setuid_fusermount(void)
{
	static const char *const dirs[] = { "/usr/bin", "/bin", "/usr/sbin",
					    "/sbin", "/usr/local/bin" };
	char path[64];
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/fusermount3", dirs[i]);
		if (!stat(path, &st))
			return (st.st_mode & S_ISUID) && st.st_uid == 0 ? 1 : 2;
	}
	return 0;
}

static int doctor_fuse(void)
{
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC), s;

	if (fd < 0 && (errno == EACCES || errno == EPERM)) {
		printf("problem: cannot open /dev/fuse: %s (it needs mode "
		       "0666, as Debian ships it: chmod 0666 /dev/fuse; or "
		       "read-write for a group you are in, such as fuse; "
		       "xars still run from an extraction)\n", strerror(errno));
		return 1;
	}
	if (fd < 0) {
		printf("problem: cannot open /dev/fuse: %s (load the fuse "
		       "module, or give the container --device /dev/fuse; "
		       "xars still run from an extraction, as XAR_EXTRACT=1)\n",
		       strerror(errno));
		return 1;
	}
	close(fd);
	printf("ok: /dev/fuse opens\n");
	if (geteuid() != 0 && prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1) {
		printf("problem: no_new_privs is set (NoNewPrivs in "
		       "/proc/self/status), so the set-uid fusermount3 cannot "
		       "mount (drop NoNewPrivileges=yes from the systemd unit or "
		       "no-new-privileges from the container; xars still run "
		       "from an extraction)\n");
		return 1;
	}
	s = have_setuid_fusermount();
	if (s == 1 || (geteuid() == 0 && s != 2)) {
		printf("ok: fusermount3 %s\n", s ? "is set-uid root" :
		       "not needed as root");
		return 0;
	}
	printf("problem: fusermount3 %s (apt-get install fuse3; chmod u+s "
	       "$(command -v fusermount3))\n", s ? "is not set-uid root" :
	       "is missing");
	return 1;
}

static int doctor_roots(void)
{
	const char *roots[] = { getenv(XAR_MOUNT_ROOT_ENV), "/mnt/xarfuse",
				getenv("XDG_RUNTIME_DIR"), "/dev/shm", "/tmp" };
	struct xar_err err;
	size_t i;

	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		if (!roots[i] || !*roots[i])
			continue;
		if (!xar_mount_root_check(roots[i], getuid(), &err)) {
			printf("ok: mount root %s\n", roots[i]);
			return 0;
		}
		if (err.code != ENOENT || i == 0)
			printf("problem: mount root %s: %s\n", roots[i],
			       err.msg);
	}
	printf("problem: no usable mount root (set XAR_MOUNT_ROOT to a "
	       "directory of yours that only you may write)\n");
	return 1;
}

int xarexec_mount_doctor(void)
{
	int rc = doctor_fuse();

	return doctor_roots() | rc;
}
