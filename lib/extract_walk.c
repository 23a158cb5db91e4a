/* The extraction walk (see extract.h): which entries to take, finding the
 * directory to write into without following symlinks, hard links, and the
 * directories' own attributes once their contents are in. */
#include "extract.h"
#include "extract_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

struct xar_extract_dir {
	char *path;
	struct xar_image_entry e;
};

int xar_extract_fail(struct xar_extract *x, int code, const char *what,
		     const char *path)
{
	char shown[XAR_SHOWN_MAX + 4];

	return xar_err_set(x->err, code, "%s '%s': %s", what,
			   xar_image_shown(path, shown), strerror(code));
}

unsigned xar_extract_perm(const struct xar_extract *x, uint32_t mode)
{
	unsigned perm = mode & 07777;

	if (!(x->opts.flags & XAR_EXTRACT_KEEP_SETID))
		perm &= ~(unsigned)(S_ISUID | S_ISGID);
	if (x->opts.flags & XAR_EXTRACT_PRIVATE)
		perm &= ~(unsigned)(S_IWGRP | S_IWOTH | S_ISVTX);
	if (x->opts.flags & XAR_EXTRACT_READONLY)
		perm &= ~(unsigned)(S_IWUSR | S_IWGRP | S_IWOTH);
	return perm;
}

/* ---- directories on the way ---- */

static int fail_at(struct xar_extract *x, int code, const char *path,
		   size_t len)
{
	char *p = strndup(path, len);

	if (!p)
		return xar_err_set(x->err, ENOMEM, "out of memory");
	if (code == ELOOP || code == ENOTDIR)
		xar_extract_fail(x, code, "not writing through", p);
	else
		xar_extract_fail(x, code, "cannot open directory", p);
	free(p);
	return -1;
}

int xar_extract_open_dir(struct xar_extract *x, int start, const char *path,
			 size_t len)
{
	char name[SQFS_NAME_LIMIT + 2];
	size_t i = 0;
	int fd = fcntl(start, F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		return xar_err_sys(x->err, "cannot duplicate a descriptor");
	while (i < len) {
		size_t n = strcspn(path + i, "/");
		int next;

		if (n > len - i)
			n = len - i;
		if (n >= sizeof(name)) {
			fail_at(x, ENAMETOOLONG, path, i + n);
			goto fail;
		}
		memcpy(name, path + i, n);
		name[n] = '\0';
		next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			      O_CLOEXEC);
		if (next < 0) {
			fail_at(x, errno, path, i + n);
			goto fail;
		}
		close(fd);
		fd = next;
		i += n + 1;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

static int set_cur(struct xar_extract *x, const char *path, size_t len, int fd)
{
	while (len + 1 > x->curcap)
		if (xar_grow((void **)&x->cur, &x->curcap, 1, 256))
			return xar_err_set(x->err, ENOMEM, "out of memory");
	memcpy(x->cur, path, len);
	x->cur[len] = '\0';
	if (x->curfd >= 0)
		close(x->curfd);
	x->curfd = fd;
	return 0;
}

/* The descriptor of path's parent directory; *name is path's last part.
 * The last one is kept: entries come grouped by directory. */
static int parent_fd(struct xar_extract *x, const char *path,
		     const char **name)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : 0;
	size_t clen = x->curfd >= 0 ? strlen(x->cur) : 0;
	int fd;

	*name = slash ? slash + 1 : path;
	if (x->curfd >= 0 && clen == len && !memcmp(x->cur, path, len))
		return x->curfd;
	if (x->curfd >= 0 && clen < len && !memcmp(x->cur, path, clen) &&
	    (!clen || path[clen] == '/')) /* below the last one: go on */
		fd = xar_extract_open_dir(x, x->curfd, path + clen + !!clen,
					  len - clen - !!clen);
	else
		fd = xar_extract_open_dir(x, x->rootfd, path, len);
	if (fd < 0 || set_cur(x, path, len, fd))
		return -1;
	return fd;
}

/* ---- which entries ---- */

enum { SKIP, TAKE, ANCESTOR };

static int load_filters(struct xar_extract *x)
{
	struct xar_image_entry e;
	size_t i;

	if (!x->opts.npaths)
		return 0;
	if (!(x->filters = calloc(x->opts.npaths, sizeof(char *))))
		return xar_err_set(x->err, ENOMEM, "out of memory");
	for (i = 0; i < x->opts.npaths; i++) {
		if (!(x->filters[i] = xar_image_clean_path(x->opts.paths[i])))
			return xar_err_set(x->err, ENOMEM, "out of memory");
		if (xar_image_lookup(x->img, x->filters[i], &e, x->err))
			return -1;
	}
	return 0;
}

static int select_entry(const struct xar_extract *x, const char *path)
{
	int ancestor = 0;
	size_t i;

	if (!x->filters)
		return TAKE;
	for (i = 0; i < x->opts.npaths; i++) {
		if (xar_image_path_under(path, x->filters[i]))
			return TAKE;
		ancestor |= xar_image_path_under(x->filters[i], path);
	}
	return ancestor ? ANCESTOR : SKIP;
}

/* ---- directories' own attributes, and links ---- */

int xar_extract_note_dir(struct xar_extract *x, const char *path,
			 const struct xar_image_entry *e)
{
	struct xar_extract_dir *d;

	if (x->ndirs == x->capdirs &&
	    xar_grow((void **)&x->dirs, &x->capdirs, sizeof(*x->dirs), 64))
		return xar_err_set(x->err, ENOMEM, "out of memory");
	d = &x->dirs[x->ndirs];
	if (!(d->path = strdup(path)))
		return xar_err_set(x->err, ENOMEM, "out of memory");
	d->e = *e;
	x->ndirs++;
	return 0;
}

/* Deepest first (the reverse of image order), so that a directory's
 * mtime is set after everything in it, and a read-only one is filled
 * before it becomes read-only. */
static int finish_dirs(struct xar_extract *x)
{
	size_t i = x->ndirs;

	while (i--) {
		const struct xar_extract_dir *d = &x->dirs[i];
		int fd, rc;

		if (!*d->path && !(x->opts.flags & XAR_EXTRACT_ROOT_ATTRS))
			continue;
		fd = xar_extract_open_dir(x, x->rootfd, d->path,
					  strlen(d->path));
		if (fd < 0)
			return -1;
		rc = xar_extract_set_attrs_fd(x, fd, &d->e,
					      *d->path ? d->path : ".");
		close(fd);
		if (rc)
			return -1;
	}
	return 0;
}

int xar_extract_first_link(struct xar_extract *x,
			   const struct xar_image_entry *e, const char *path,
			   const char **first)
{
	struct xar_inomap_slot *s;

	*first = NULL;
	if (e->nlink < 2 || !e->ino)
		return 0;
	if (!(s = xar_inomap_get(&x->links, e->ino)))
		return xar_err_set(x->err, ENOMEM, "out of memory");
	if (s->value) {
		if (s->count == (e->mode & S_IFMT))
			*first = s->value;
		return 0;
	}
	if (!(s->value = strdup(path)))
		return xar_err_set(x->err, ENOMEM, "out of memory");
	s->count = e->mode & S_IFMT;
	return 0;
}

/* ---- the walk ---- */

static int visit(void *ctx, const char *path, const struct xar_image_entry *e,
		 const char *target, struct xar_err *err)
{
	struct xar_extract *x = ctx;
	int sel = select_entry(x, path), pfd;
	const char *name;

	(void)err;
	if (sel == SKIP || (sel == ANCESTOR && !S_ISDIR(e->mode)))
		return 0;
	if (!*path)
		return xar_extract_note_dir(x, path, e);
	pfd = parent_fd(x, path, &name);
	if (pfd < 0)
		return -1;
	return xar_extract_entry(x, pfd, name, e, target, path);
}

static void release(struct xar_extract *x)
{
	size_t i;

	if (x->curfd >= 0)
		close(x->curfd);
	for (i = 0; x->filters && i < x->opts.npaths; i++)
		free(x->filters[i]);
	for (i = 0; i < x->ndirs; i++)
		free(x->dirs[i].path);
	xar_inomap_free(&x->links, free);
	free(x->filters);
	free(x->dirs);
	free(x->cur);
	free(x->buf);
}

int xar_extract_at(struct xar_image *img, int dirfd,
		   const struct xar_extract_opts *o,
		   struct xar_extract_stats *stats, struct xar_err *err)
{
	struct xar_extract x;
	int rc = -1;

	memset(&x, 0, sizeof(x));
	x.img = img;
	if (o)
		x.opts = *o;
	x.err = err;
	x.rootfd = dirfd;
	x.curfd = -1;
	x.owners = (x.opts.flags & XAR_EXTRACT_OWNERS) && !geteuid();
	if (!(x.buf = malloc(XAR_EXTRACT_CHUNK))) {
		xar_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (load_filters(&x))
		goto out;
	rc = xar_image_walk(img, visit, &x, err);
	if (x.curfd >= 0) {
		close(x.curfd);
		x.curfd = -1;
	}
	if (!rc)
		rc = finish_dirs(&x);
out:
	if (stats)
		*stats = x.stats;
	release(&x);
	return rc ? -1 : 0;
}
