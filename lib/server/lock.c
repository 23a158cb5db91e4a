#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* One try: 0 with the lock, 1 when the file was removed or replaced
 * while we waited (its holder unlinks it: -u), -1 on an error. */
static int lock_once(const char *path, uid_t uid, int create, int *out,
		     struct xar_err *err)
{
	struct stat st, now;
	int fd = open(path, O_RDWR | (create ? O_CREAT : 0) | O_NOFOLLOW |
		      O_CLOEXEC, 0600);

	if (fd < 0 && errno == ELOOP && !lstat(path, &st) &&
	    S_ISLNK(st.st_mode))
		return xar_err_set(err, ELOOP, "cannot open lock file '%s': it "
				   "is a symlink; remove it", path);
	if (fd < 0)
		return xar_err_sys(err, "cannot open lock file '%s'", path);
	if (fstat(fd, &st)) {
		xar_err_sys(err, "cannot stat lock file '%s'", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		xar_err_set(err, EPERM, "lock file '%s' is not a regular file; "
			    "remove it", path);
		goto fail;
	}
	if (st.st_uid != uid) {
		xar_err_set(err, EPERM, "lock file '%s' is owned by uid %u, not "
			    "%u; remove it", path, (unsigned)st.st_uid,
			    (unsigned)uid);
		goto fail;
	}
	/* Reading is enough to flock() it: another user who may open it
	 * could hold the lock and stall every launch. */
	if (st.st_mode & 077) {
		xar_err_set(err, EPERM, "lock file '%s' may be opened by other "
			    "users (mode %04o); remove it", path,
			    (unsigned)(st.st_mode & 07777));
		goto fail;
	}
	while (flock(fd, LOCK_EX)) {
		if (errno != EINTR) {
			xar_err_sys(err, "cannot lock '%s'", path);
			goto fail;
		}
	}
	if (lstat(path, &now) || now.st_ino != st.st_ino ||
	    now.st_dev != st.st_dev) {
		close(fd);
		return 1;
	}
	*out = fd;
	return 0;
fail:
	close(fd);
	return -1;
}

static int lock(const char *path, uid_t uid, int create,
		struct xar_err *err)
{
	int fd = -1, rc, tries = 0;

	while ((rc = lock_once(path, uid, create, &fd, err)) == 1)
		if (++tries == 1000)
			return xar_err_set(err, EAGAIN, "lock file '%s' keeps "
					   "being replaced", path);
	return rc ? -1 : fd;
}

int xar_mount_lock(const char *path, uid_t uid, struct xar_err *err)
{
	return lock(path, uid, 1, err);
}

int xar_mount_lock_existing(const char *path, uid_t uid)
{
	return lock(path, uid, 0, NULL);
}

void xar_mount_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
