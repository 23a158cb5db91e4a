/* The run cache (see run.h): finding and checking the cache
 * directory, locking, and extracting an image once. */
#include "run.h"
#include "cache_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "image/image.h"
#include "base/base.h"

#define TAG_NAME "CACHEDIR.TAG"
#define TAG_TEXT "Signature: 8a477f597d28d172789f06886806bc55\n" \
	"# This file is a cache directory tag created by xarexec, which\n" \
	"# extracts .xar files here when it cannot mount them.\n" \
	"# For information about cache directory tags, see:\n" \
	"#\thttps://bford.info/cachedir/\n"
#define FIX_ELSEWHERE "or set XDG_CACHE_HOME to a directory of your own"

/* ---- where ---- */

int xar_cache_dir(char **dir, struct xar_err *err)
{
	const char *base = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	char pw_home[512];
	int n;

	*dir = NULL;
	if (base && base[0] == '/') /* the XDG spec ignores relative ones */
		n = asprintf(dir, "%s/xar", base);
	else {
		if ((!home || home[0] != '/') &&
		    !xar_passwd_home(geteuid(), pw_home, sizeof(pw_home)))
			home = pw_home;
		if (!home || home[0] != '/')
			return xar_err_set(err, ENOENT, "no directory for the "
					   "extraction cache: set XDG_CACHE_HOME "
					   "or HOME");
		n = asprintf(dir, "%s/.cache/xar", home);
	}
	if (n < 0) {
		*dir = NULL;
		return xar_err_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

int xar_cache_is_uuid(const char *name, size_t len)
{
	size_t i;

	if (len > 7 && !strncmp(name, "sha256-", 7)) {
		name += 7;
		len -= 7;
	}
	if (!len || len > 64)
		return 0;
	for (i = 0; i < len; i++)
		if (!strchr("0123456789abcdefABCDEF", name[i]) || !name[i])
			return 0;
	return 1;
}

/* ---- checking and making the directory ---- */

/* mkdir -p of dir's parents, 0700 as the XDG spec says. */
static int make_parents(const char *dir, struct xar_err *err)
{
	char *p = strdup(dir), *s;
	int rc = 0;

	if (!p)
		return xar_err_set(err, ENOMEM, "out of memory");
	for (s = strchr(p + 1, '/'); s && !rc; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0700) && errno != EEXIST)
			rc = xar_err_sys(err, "cannot create '%s'", p);
		*s = '/';
	}
	free(p);
	return rc;
}

/* Others who may write to the parent could swap the cache for their own. */
static int check_parent(const char *dir, struct xar_err *err)
{
	char *p = strdup(dir), *slash;
	struct stat st;
	int rc = 0;

	if (!p)
		return xar_err_set(err, ENOMEM, "out of memory");
	slash = strrchr(p, '/');
	slash[slash == p] = '\0';
	if (stat(p, &st))
		rc = xar_err_sys(err, "cannot inspect '%s'", p);
	else if (!(st.st_mode & S_ISVTX) && ((st.st_mode & S_IWOTH) ||
		 ((st.st_mode & S_IWGRP) && st.st_gid != getegid())))
		rc = xar_err_set(err, EPERM, "'%s', which holds the extraction "
				 "cache, is writable by others (mode %04o): run "
				 "chmod go-w '%s', " FIX_ELSEWHERE, p,
				 (unsigned)(st.st_mode & 07777), p);
	free(p);
	return rc;
}

static int check_dir(int fd, const char *dir, struct xar_err *err)
{
	struct statvfs vfs;
	struct stat st;

	if (fstat(fd, &st) || fstatvfs(fd, &vfs))
		return xar_err_sys(err, "cannot inspect '%s'", dir);
	if (st.st_uid != geteuid())
		return xar_err_set(err, EPERM, "the extraction cache '%s' is "
				   "owned by uid %u, not by you (uid %u): remove "
				   "it, " FIX_ELSEWHERE, dir, (unsigned)st.st_uid,
				   (unsigned)geteuid());
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return xar_err_set(err, EPERM, "the extraction cache '%s' is "
				   "writable by others (mode %04o): run chmod "
				   "go-w '%s'", dir, (unsigned)(st.st_mode & 07777),
				   dir);
	if (vfs.f_flag & ST_NOEXEC)
		return xar_err_set(err, EPERM, "the extraction cache '%s' is on "
				   "a filesystem mounted noexec, where apps "
				   "cannot run: set XDG_CACHE_HOME to a directory "
				   "on a filesystem that allows exec", dir);
	return 0;
}

static int write_tag(int fd, const char *dir, struct xar_err *err)
{
	int tfd = openat(fd, TAG_NAME, O_WRONLY | O_CREAT | O_EXCL |
			 O_NOFOLLOW | O_CLOEXEC, 0644);

	if (tfd < 0)
		return errno == EEXIST ? 0 : xar_err_sys(err, "cannot create "
							 "'%s/" TAG_NAME "'", dir);
	if (xar_write_all(tfd, TAG_TEXT, strlen(TAG_TEXT)) || close(tfd)) {
		xar_err_sys(err, "cannot write '%s/" TAG_NAME "'", dir);
		unlinkat(fd, TAG_NAME, 0);
		return -1;
	}
	return 0;
}

static int open_existing(const char *dir, struct xar_err *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0 || errno == ENOENT)
		return fd;
	if (errno == ELOOP || errno == ENOTDIR)
		return xar_err_set(err, errno, "the extraction cache '%s' is "
				   "not a directory (a symlink?): remove it, "
				   FIX_ELSEWHERE, dir);
	return xar_err_sys(err, "cannot open '%s'", dir);
}

int xar_cache_open_dir(int create, char **dirp, struct xar_err *err)
{
	char *dir;
	int fd;

	if (xar_cache_dir(&dir, err))
		return -1;
	fd = open_existing(dir, err);
	if (fd < 0 && errno == ENOENT && create) {
		if (make_parents(dir, err))
			goto fail;
		if (mkdir(dir, 0700) && errno != EEXIST) {
			xar_err_sys(err, "cannot create '%s'", dir);
			goto fail;
		}
		fd = open_existing(dir, err);
	}
	if (fd < 0 && errno == ENOENT) {
		xar_err_sys(err, "cannot open '%s'", dir);
		free(dir);
		return create ? -1 : -2;
	}
	if (fd < 0)
		goto fail;
	if (check_parent(dir, err) || check_dir(fd, dir, err) ||
	    (create && write_tag(fd, dir, err))) {
		close(fd);
		goto fail;
	}
	*dirp = dir;
	return fd;
fail:
	free(dir);
	return -1;
}

/* A cache that does not exist yet: would runs be able to make it, in a
 * place that allows exec? Judged on its nearest existing ancestor. */
static int check_missing(const char *dir, struct xar_err *err)
{
	char *p = strdup(dir), *slash;
	struct statvfs vfs;
	int rc = 0;

	if (!p)
		return xar_err_set(err, ENOMEM, "out of memory");
	while (access(p, F_OK) && (slash = strrchr(p, '/')))
		slash[slash == p] = '\0';
	if (access(p, W_OK | X_OK))
		rc = xar_err_sys(err, "the extraction cache '%s' cannot be made "
				 "in '%s': " FIX_ELSEWHERE, dir, p);
	else if (!statvfs(p, &vfs) && (vfs.f_flag & ST_NOEXEC))
		rc = xar_err_set(err, EPERM, "the extraction cache '%s' would be "
				 "on a filesystem mounted noexec, where apps "
				 "cannot run: set XDG_CACHE_HOME to a directory "
				 "on a filesystem that allows exec", dir);
	free(p);
	return rc;
}

int xar_cache_check(char **dir, struct xar_err *err)
{
	char *opened = NULL;
	int fd;

	if (xar_cache_dir(dir, err))
		return -1;
	fd = xar_cache_open_dir(0, &opened, err);
	free(opened);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return fd == -2 ? check_missing(*dir, err) : -1;
}

/* ---- locks and partial extractions ---- */

int xar_cache_lock(int dirfd, const char *name, int op, int create,
		   int cloexec)
{
	int flags = O_RDONLY | O_NOFOLLOW | (create ? O_CREAT : 0) |
		    (cloexec ? O_CLOEXEC : 0);

	for (;;) {
		int fd = openat(dirfd, name, flags, 0600), saved;
		struct stat st;

		if (fd < 0)
			return -1;
		while (flock(fd, op))
			if (errno != EINTR)
				goto fail;
		if (fstat(fd, &st))
			goto fail;
		if (st.st_nlink)
			return fd;
		close(fd); /* unlinked by its remover: take the new one */
		continue;
fail:
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
}

int xar_cache_part_name(const char *uuid, char *out)
{
	unsigned char r[6];
	char hex[2 * sizeof(r) + 1];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return -1;
	xar_hex(r, sizeof(r), hex);
	snprintf(out, XAR_CACHE_NAME_MAX, ".%s" XAR_CACHE_PART "%s", uuid, hex);
	return 0;
}

int xar_cache_remove_parts(int dirfd, const char *uuid)
{
	size_t len = strlen(uuid);
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;
	struct dirent *d;
	DIR *dir;

	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((d = readdir(dir)))
		if (d->d_name[0] == '.' && !strncmp(d->d_name + 1, uuid, len) &&
		    !strncmp(d->d_name + 1 + len, XAR_CACHE_PART,
			     strlen(XAR_CACHE_PART)) &&
		    xar_remove_tree_at(dirfd, d->d_name))
			rc = -1;
	closedir(dir);
	return rc;
}

/* ---- extracting ---- */

/* 1 when <dir>/<uuid> is a complete extraction, 0 when absent. */
static int is_complete(int dirfd, const char *dir, const char *uuid,
		       struct xar_err *err)
{
	struct stat st;

	if (fstatat(dirfd, uuid, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : xar_err_sys(err, "cannot inspect "
							 "'%s/%s'", dir, uuid);
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())
		return xar_err_set(err, EEXIST, "'%s/%s' is not an extraction "
				   "of yours: remove it", dir, uuid);
	return 1;
}

static int make_part(int dirfd, const char *uuid, char *part)
{
	int tries;

	for (tries = 0; tries < 16; tries++) {
		if (xar_cache_part_name(uuid, part))
			return -1;
		if (!mkdirat(dirfd, part, 0700))
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

/* Each extraction is a tree of its own: mark the cache directory as the
 * top of directory hierarchies (chattr +T), so that ext2/3/4's Orlov
 * allocator puts each new .part directory, and with it the files below,
 * in a block group of its own instead of the cache directory's. Without a
 * journal, ext4 skips inodes deleted in the last seconds to minutes each
 * time it allocates one, a scan that made a first run right after an old
 * extraction was removed (--clean, an upgrade) 3-5 times slower: 620
 * files took 200-330 ms instead of 50-65. Other filesystems refuse the
 * ioctl or the flag; that is fine, it is only a placement hint. */
static void spread_extractions(int dirfd)
{
	int attrs;

	if (ioctl(dirfd, FS_IOC_GETFLAGS, &attrs) || (attrs & FS_TOPDIR_FL))
		return;
	attrs |= FS_TOPDIR_FL;
	(void)ioctl(dirfd, FS_IOC_SETFLAGS, &attrs);
}

/* Extract into .<uuid>.part-<hex>, make it durable, rename it to <uuid>. */
static int extract_new(int dirfd, const char *dir, const char *uuid,
		       const char *xar_path, const struct xar_header *h,
		       unsigned flags, struct xar_err *err)
{
	/* read-only for the app, as the mount is */
	const struct xar_extract_opts o = { XAR_EXTRACT_PRIVATE |
					    XAR_EXTRACT_READONLY |
					    XAR_EXTRACT_ROOT_ATTRS, NULL, 0, 0 };
	char part[XAR_CACHE_NAME_MAX];
	struct xar_image *img = NULL;
	int pfd = -1, rc = -1;

	if (xar_cache_remove_parts(dirfd, uuid))
		return xar_err_sys(err, "cannot remove an interrupted "
				   "extraction from '%s'", dir);
	if ((flags & XAR_CACHE_VERIFY) && xar_verify(xar_path, NULL, err))
		return -1;
	if (xar_image_open(&img, xar_path, h->offset,
			   XAR_IMAGE_ANY_COMPRESSION, err))
		return -1;
	spread_extractions(dirfd);
	if (make_part(dirfd, uuid, part) ||
	    (pfd = openat(dirfd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			  O_CLOEXEC)) < 0) {
		xar_err_sys(err, "cannot make a directory in '%s'", dir);
		goto out;
	}
	if (xar_extract_at(img, pfd, &o, NULL, err)) {
		xar_err_prefix(err, "cannot extract into '%s/%s'", dir, part);
		goto out;
	}
	if (syncfs(pfd) || renameat(dirfd, part, dirfd, uuid)) {
		xar_err_sys(err, "cannot complete '%s/%s'", dir, uuid);
		goto out;
	}
	rc = 0;
out:
	if (pfd >= 0)
		close(pfd);
	if (rc && pfd >= 0)
		xar_remove_tree_at(dirfd, part);
	xar_image_close(img);
	return rc;
}

/* With <uuid>.inuse held: extract unless done, once among racing runs. */
static int ensure_extracted(int dirfd, const char *dir, const char *uuid,
			    const char *xar_path, const struct xar_header *h,
			    unsigned flags, struct xar_cache *c,
			    struct xar_err *err)
{
	char name[XAR_CACHE_NAME_MAX];
	int done = is_complete(dirfd, dir, uuid, err), lockfd;

	if (done)
		return done < 0 ? -1 : 0;
	snprintf(name, sizeof(name), "%s.lock", uuid);
	lockfd = xar_cache_lock(dirfd, name, LOCK_EX, 1, 1);
	if (lockfd < 0)
		return xar_err_sys(err, "cannot lock '%s/%s'", dir, name);
	done = is_complete(dirfd, dir, uuid, err);
	if (!done && !extract_new(dirfd, dir, uuid, xar_path, h, flags, err))
		c->extracted = done = 1;
	close(lockfd);
	return done > 0 ? 0 : -1;
}

int xar_cache_ensure(const char *xar_path, const struct xar_header *h,
		     unsigned flags, struct xar_cache *c, struct xar_err *err)
{
	char name[XAR_CACHE_NAME_MAX], *dir = NULL, uuid[XAR_HEADER_KEY_MAX];
	int dirfd;

	memset(c, 0, sizeof(*c));
	c->inuse_fd = -1;
	if (xar_header_key(h, !!(flags & XAR_CACHE_BY_DIGEST), uuid, err))
		return xar_err_prefix(err, "cannot name a cache directory");
	if ((dirfd = xar_cache_open_dir(1, &dir, err)) < 0)
		return -1;
	snprintf(name, sizeof(name), "%s.inuse", uuid);
	c->inuse_fd = xar_cache_lock(dirfd, name, LOCK_SH, 1, 0);
	if (c->inuse_fd < 0) {
		xar_err_sys(err, "cannot lock '%s/%s'", dir, name);
		goto fail;
	}
	futimens(c->inuse_fd, NULL); /* the last use, for --clean */
	if (ensure_extracted(dirfd, dir, uuid, xar_path, h, flags, c, err))
		goto fail;
	if (asprintf(&c->root, "%s/%s", dir, uuid) < 0) {
		c->root = NULL;
		xar_err_set(err, ENOMEM, "out of memory");
		goto fail;
	}
	close(dirfd);
	free(dir);
	return 0;
fail:
	xar_cache_release(c);
	close(dirfd);
	free(dir);
	return -1;
}

void xar_cache_release(struct xar_cache *c)
{
	if (c->inuse_fd >= 0)
		close(c->inuse_fd);
	c->inuse_fd = -1;
	free(c->root);
	c->root = NULL;
}
