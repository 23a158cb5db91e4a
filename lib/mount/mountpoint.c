#include "mount.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/server.h"

#define UUID_MAX 64 /* the header allows no longer */

/* The default roots after $XAR_MOUNT_ROOT and the header's MOUNT_ROOT;
 * NULL entries are filled from the environment. */
static const char *const default_roots[] = {
	"/mnt/xarfuse", NULL /* $XDG_RUNTIME_DIR */, "/dev/shm", "/tmp",
};

int xar_mount_root_check(const char *dir, uid_t uid, struct xar_err *err)
{
	struct stat st;
	mode_t m;

	if (stat(dir, &st))
		return xar_err_sys(err, "mount root '%s'", dir);
	if (!S_ISDIR(st.st_mode))
		return xar_err_set(err, ENOTDIR, "mount root '%s' is not a "
				   "directory", dir);
	m = st.st_mode & 07777;
	/* Shared, like /tmp. The sticky bit does not bind the directory's
	 * owner, who could swap our per-user directory for a symlink. */
	if ((m & 01777) == 01777 && (st.st_uid == 0 || st.st_uid == uid))
		return 0;
	if (st.st_uid == uid && !(m & 022))
		return 0; /* private to the user */
	return xar_err_set(err, EPERM, "mount root '%s' (mode %04o, owner uid "
			   "%u) is neither sticky, world-writable and owned "
			   "by root nor private to uid %u", dir, (unsigned)m,
			   (unsigned)st.st_uid, (unsigned)uid);
}

/* A UUID, or "sha256-" and a digest (xar_header_key). */
static int valid_uuid(const char *uuid)
{
	size_t i;

	if (!strncmp(uuid, "sha256-", 7))
		uuid += 7;
	for (i = 0; uuid[i]; i++)
		if (!strchr("0123456789abcdefABCDEF", uuid[i]) || i >= UUID_MAX)
			return 0;
	return i > 0;
}

/* Returns the root to use (borrowed), or NULL with err set. */
static const char *choose_root(const char *header_root, uid_t uid,
			       const struct xar_trace *t, struct xar_err *err)
{
	const char *env = getenv(XAR_MOUNT_ROOT_ENV);
	struct xar_err why;
	size_t i;

	if (env && *env) {
		if (xar_mount_root_check(env, uid, err)) {
			xar_err_prefix(err, "$%s", XAR_MOUNT_ROOT_ENV);
			return NULL;
		}
		xar_tracef(t, "mount root %s (from $%s)", env,
			   XAR_MOUNT_ROOT_ENV);
		return env;
	}
	if (header_root && *header_root) {
		if (!xar_mount_root_check(header_root, uid, err)) {
			xar_tracef(t, "mount root %s (from the header's "
				   "MOUNT_ROOT)", header_root);
			return header_root;
		}
		if (err && err->code != ENOENT) {
			xar_err_prefix(err, "header MOUNT_ROOT");
			return NULL;
		}
		xar_tracef(t, "header MOUNT_ROOT %s does not exist; trying "
			   "the defaults", header_root);
	}
	for (i = 0; i < sizeof(default_roots) / sizeof(*default_roots); i++) {
		const char *dir = default_roots[i];

		if (!dir)
			dir = getenv("XDG_RUNTIME_DIR");
		if (!dir || !*dir)
			continue;
		if (!xar_mount_root_check(dir, uid, &why) &&
		    !access(dir, X_OK)) {
			xar_tracef(t, "mount root %s", dir);
			return dir;
		}
		xar_tracef(t, "skipping mount root %s: %s", dir, why.msg);
	}
	xar_err_set(err, ENOENT, "no usable mount root among /mnt/xarfuse, "
		    "$XDG_RUNTIME_DIR, /dev/shm and /tmp; set %s to a "
		    "directory of yours", XAR_MOUNT_ROOT_ENV);
	return NULL;
}

/* "<uuid>-ns-<inode>-v<format>": the mount namespace keeps mounts made in
 * another namespace, invisible here, from being mistaken for absent ones;
 * the format keeps runtimes of other formats (and the original XAR's,
 * which uses "<uuid>-ns-<inode>") out of each other's way. */
static char *mount_name(const char *uuid)
{
	struct stat st;
	char *name;
	int n;

	if (stat("/proc/self/ns/mnt", &st))
		n = asprintf(&name, "%s-v%d", uuid, XAR_MOUNT_FORMAT);
	else
		n = asprintf(&name, "%s-ns-%llu-v%d", uuid,
			     (unsigned long long)st.st_ino, XAR_MOUNT_FORMAT);
	return n < 0 ? NULL : name;
}

int xar_mountpoint_locate(struct xar_mountpoint *mp, const char *uuid,
			  const char *header_root, const struct xar_trace *t,
			  struct xar_err *err)
{
	const char *root;

	memset(mp, 0, sizeof(*mp));
	mp->uid = getuid();
	if (!valid_uuid(uuid))
		return xar_err_set(err, EINVAL, "UUID \"%s\" is not 1 to %d "
				   "hex digits", uuid, UUID_MAX);
	root = choose_root(header_root, mp->uid, t, err);
	if (!root)
		return -1;
	/* The server works from "/": a relative root would mean another
	 * place to it. */
	mp->root = root[0] == '/' ? strdup(root) : realpath(root, NULL);
	mp->name = mount_name(uuid);
	if (!mp->root || !mp->name ||
	    asprintf(&mp->user_dir, "%s/uid-%u", mp->root,
		     (unsigned)mp->uid) < 0 ||
	    asprintf(&mp->path, "%s/%s", mp->user_dir, mp->name) < 0 ||
	    asprintf(&mp->lock_path, "%s.lock", mp->path) < 0 ||
	    asprintf(&mp->stats_path, "%s.stats", mp->path) < 0 ||
	    asprintf(&mp->learn_path, "%s.startup", mp->path) < 0 ||
	    asprintf(&mp->verified_path, "%s.verified", mp->path) < 0) {
		xar_mountpoint_free(mp);
		return xar_err_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

void xar_mountpoint_free(struct xar_mountpoint *mp)
{
	free(mp->root);
	free(mp->user_dir);
	free(mp->name);
	free(mp->path);
	free(mp->lock_path);
	free(mp->stats_path);
	free(mp->learn_path);
	free(mp->verified_path);
	memset(mp, 0, sizeof(*mp));
}

int xar_mountpoint_check_dir(int fd, const char *path, const char *what,
			     uid_t uid, struct xar_err *err)
{
	struct stat st;

	if (fstat(fd, &st))
		return xar_err_sys(err, "cannot stat %s '%s'", what, path);
	if (!S_ISDIR(st.st_mode))
		return xar_err_set(err, ENOTDIR, "%s '%s' is not a directory; "
				   "remove it", what, path);
	if (st.st_uid != uid)
		return xar_err_set(err, EPERM, "%s '%s' is owned by uid %u, "
				   "not %u; remove it or set %s to another "
				   "directory", what, path, (unsigned)st.st_uid,
				   (unsigned)uid, XAR_MOUNT_ROOT_ENV);
	if (st.st_mode & 022)
		return xar_err_set(err, EPERM, "%s '%s' is writable by group "
				   "or others (mode %04o); run: chmod go-w '%s'",
				   what, path, (unsigned)(st.st_mode & 07777),
				   path);
	return 0;
}

int xar_open_dir_nofollow(int dirfd, const char *name, const char *shown,
			  const char *what, struct xar_err *err)
{
	struct stat st;
	int fd = openat(dirfd, name,
			O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if ((errno == ENOTDIR || errno == ELOOP) &&
	    !fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return xar_err_set(err, ENOTDIR, "%s '%s' is %s; remove it",
				   what, shown, S_ISLNK(st.st_mode) ?
				   "a symlink" : "not a directory");
	return xar_err_sys(err, "cannot open %s '%s'", what, shown);
}

int xar_mountpoint_open_user_dir(const struct xar_mountpoint *mp, int create,
				 struct xar_err *err)
{
	static const char what[] = "per-user directory";
	struct xar_err e;
	int fd;

	fd = xar_open_dir_nofollow(AT_FDCWD, mp->user_dir, mp->user_dir, what,
				    &e);
	if (fd < 0 && e.code == ENOENT && create) { /* the first run */
		if (mkdir(mp->user_dir, 0755) && errno != EEXIST)
			return xar_err_sys(err, "cannot create %s '%s'", what,
					   mp->user_dir);
		fd = xar_open_dir_nofollow(AT_FDCWD, mp->user_dir,
					    mp->user_dir, what, &e);
	}
	if (fd < 0) {
		if (err)
			*err = e;
		return -1;
	}
	if (xar_mountpoint_check_dir(fd, mp->user_dir, what, mp->uid, err)) {
		close(fd);
		return -1;
	}
	return fd;
}
