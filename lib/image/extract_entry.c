/* Safe extraction of an image into a directory (see image.h). Entries
 * come in image order: each directory before its contents. A directory is
 * made 0700 so that we can fill it; its own mode, owner and mtime are set
 * once everything is in, deepest first (extract.c). */
#include "image.h"
#include "extract_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/base.h"

/* ---- names in the way ---- */

/* With XAR_EXTRACT_FORCE, remove a non-directory that holds name;
 * otherwise (or when it is a directory) fail with EEXIST. */
static int clear_way(struct xar_extract *x, int pfd, const char *name,
		     const char *path)
{
	struct stat st;

	if (!(x->opts.flags & XAR_EXTRACT_FORCE))
		return xar_extract_fail(x, EEXIST, "cannot create", path);
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return xar_extract_fail(x, errno, "cannot inspect", path);
	if (S_ISDIR(st.st_mode))
		return xar_extract_fail(x, EISDIR, "cannot replace", path);
	if (unlinkat(pfd, name, 0))
		return xar_extract_fail(x, errno, "cannot replace", path);
	return 0;
}

/* ---- attributes ---- */

/* For what cannot be opened safely (symlinks, fifos, devices): by name,
 * never following a symlink. */
static int set_attrs_at(struct xar_extract *x, int pfd, const char *name,
			const struct xar_image_entry *e, const char *path)
{
	struct timespec ts[2] = { { (time_t)e->mtime, 0 }, { (time_t)e->mtime, 0 } };

	if (x->owners && fchownat(pfd, name, e->uid, e->gid, AT_SYMLINK_NOFOLLOW))
		return xar_extract_fail(x, errno, "cannot set the owner of", path);
	if (!S_ISLNK(e->mode) &&
	    fchmodat(pfd, name, xar_extract_perm(x, e->mode), AT_SYMLINK_NOFOLLOW))
		return xar_extract_fail(x, errno, "cannot set the mode of", path);
	if (utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW))
		return xar_extract_fail(x, errno, "cannot set the time of", path);
	return 0;
}

/* ---- one entry of each kind ---- */

static int copy_data(struct xar_extract *x, int fd,
		     const struct xar_image_entry *e, const char *path)
{
	uint64_t off = 0;

	while (off < e->size) {
		long long n = xar_image_read(x->img, e, x->buf, XAR_EXTRACT_CHUNK, off,
					     x->err);

		if (n <= 0) {
			char shown[XAR_SHOWN_MAX + 4];

			if (!n)
				xar_err_set(x->err, EIO, "corrupt image: file "
					    "data ends early");
			return xar_err_prefix(x->err, "cannot extract '%s'",
					      xar_image_shown(path, shown));
		}
		if (xar_write_all(fd, x->buf, (size_t)n))
			return xar_extract_fail(x, errno, "cannot write", path);
		off += (uint64_t)n;
	}
	x->stats.bytes += off;
	return 0;
}

int xar_extract_file(struct xar_extract *x, int pfd, const char *name,
		     const struct xar_image_entry *e, const char *path)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(pfd, name, flags, 0600), rc;

	if (fd < 0 && errno == EEXIST) {
		if (clear_way(x, pfd, name, path))
			return -1;
		fd = openat(pfd, name, flags, 0600);
	}
	if (fd < 0)
		return xar_extract_fail(x, errno, "cannot create", path);
	rc = copy_data(x, fd, e, path);
	if (!rc)
		rc = xar_extract_set_attrs_fd(x, fd, e, path);
	if (close(fd) && !rc)
		rc = xar_extract_fail(x, errno, "cannot write", path);
	x->stats.files += !rc;
	return rc;
}

static int make_symlink(struct xar_extract *x, int pfd, const char *name,
			const struct xar_image_entry *e, const char *target,
			const char *path)
{
	int rc = symlinkat(target, pfd, name);

	if (rc && errno == EEXIST) {
		if (clear_way(x, pfd, name, path))
			return -1;
		rc = symlinkat(target, pfd, name);
	}
	if (rc)
		return xar_extract_fail(x, errno, "cannot create", path);
	x->stats.symlinks++;
	return set_attrs_at(x, pfd, name, e, path);
}

/* Fifos, sockets and (for root) devices. */
static int make_special(struct xar_extract *x, int pfd, const char *name,
			const struct xar_image_entry *e, const char *path)
{
	mode_t type = e->mode & S_IFMT;
	dev_t dev = 0;
	int rc;

	if (S_ISCHR(type) || S_ISBLK(type))
		dev = makedev(e->rdev_major, e->rdev_minor);
	rc = mknodat(pfd, name, type | 0600, dev);
	if (rc && errno == EEXIST) {
		if (clear_way(x, pfd, name, path))
			return -1;
		rc = mknodat(pfd, name, type | 0600, dev);
	}
	if (rc)
		return xar_extract_fail(x, errno, "cannot create", path);
	x->stats.specials++;
	return set_attrs_at(x, pfd, name, e, path);
}

static int make_dir(struct xar_extract *x, int pfd, const char *name,
		    const struct xar_image_entry *e, const char *path)
{
	struct stat st;

	if (mkdirat(pfd, name, 0700)) {
		if (errno != EEXIST)
			return xar_extract_fail(x, errno, "cannot create", path);
		if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW))
			return xar_extract_fail(x, errno, "cannot inspect", path);
		if (!S_ISDIR(st.st_mode)) {
			if (clear_way(x, pfd, name, path))
				return -1;
			if (mkdirat(pfd, name, 0700))
				return xar_extract_fail(x, errno,
							"cannot create", path);
		}
	}
	x->stats.dirs++;
	return xar_extract_note_dir(x, path, e);
}

/* A second name of an inode already extracted: link to the first. */
static int make_hardlink(struct xar_extract *x, int pfd, const char *name,
			 const char *first, const char *path)
{
	const char *slash = strrchr(first, '/');
	const char *oname = slash ? slash + 1 : first;
	int ofd, rc;

	ofd = xar_extract_open_dir(x, x->rootfd, first,
				   slash ? (size_t)(slash - first) : 0);
	if (ofd < 0)
		return -1;
	rc = linkat(ofd, oname, pfd, name, 0);
	if (rc && errno == EEXIST) {
		rc = clear_way(x, pfd, name, path);
		if (!rc && linkat(ofd, oname, pfd, name, 0))
			rc = xar_extract_fail(x, errno, "cannot link", path);
	} else if (rc) {
		rc = xar_extract_fail(x, errno, "cannot link", path);
	}
	close(ofd);
	x->stats.hardlinks += !rc;
	return rc;
}

int xar_extract_hardlink(struct xar_extract *x, const char *path,
			 const char *first)
{
	const char *slash = strrchr(path, '/');
	int pfd = xar_extract_open_dir(x, x->rootfd, path,
				       slash ? (size_t)(slash - path) : 0), rc;

	if (pfd < 0)
		return -1;
	rc = make_hardlink(x, pfd, slash ? slash + 1 : path, first, path);
	close(pfd);
	return rc;
}

int xar_extract_entry(struct xar_extract *x, int pfd, const char *name,
		      const struct xar_image_entry *e, const char *target,
		      const char *path)
{
	const char *first;

	if (S_ISDIR(e->mode))
		return make_dir(x, pfd, name, e, path);
	if ((S_ISCHR(e->mode) || S_ISBLK(e->mode)) && geteuid()) {
		x->stats.skipped_devices++;
		return 0;
	}
	if (xar_extract_first_link(x, e, path, &first))
		return -1;
	if (first)
		return make_hardlink(x, pfd, name, first, path);
	if (S_ISREG(e->mode))
		return xar_extract_file(x, pfd, name, e, path);
	if (S_ISLNK(e->mode))
		return make_symlink(x, pfd, name, e, target, path);
	return make_special(x, pfd, name, e, path);
}
