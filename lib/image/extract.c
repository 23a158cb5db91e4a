/* The extraction walk (see image.h): which entries to take, finding the
 * directory to write into without following symlinks, hard links, and the
 * directories' own attributes once their contents are in. */
#include "image.h"
#include "extract_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

/* ---- directories on the way ---- */

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

/* ---- directories' own attributes ---- */

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

/* ---- the walk ---- */

/* A regular file, with the pool: to a thread, or when it is a second name
 * of a file, noted for a link once the first one is surely written. */
static int hand_over(struct xar_extract *x, int pfd, const char *name,
		     const struct xar_image_entry *e, const char *path)
{
	const char *first;

	if (xar_extract_first_link(x, e, path, &first))
		return -1;
	if (first)
		return xar_extract_note_link(x, path, first);
	return xar_extract_pool_add(x, pfd, name, e, path);
}

static int visit(void *ctx, const char *path, const struct xar_image_entry *e,
		 const char *target, struct xar_err *err)
{
	struct xar_extract *x = ctx;
	int sel = select_entry(x, path), pfd;
	const char *name;

	(void)err;
	x->seq++;
	if (sel == SKIP || (sel == ANCESTOR && !S_ISDIR(e->mode)))
		return 0;
	if (!*path)
		return xar_extract_note_dir(x, path, e);
	pfd = parent_fd(x, path, &name);
	if (pfd < 0)
		return -1;
	if (x->pool && S_ISREG(e->mode))
		return hand_over(x, pfd, name, e, path);
	return xar_extract_entry(x, pfd, name, e, target, path);
}

/* ---- with the pool ---- */

/* The hard links noted while the pool wrote files, in image order, those
 * before *fail_seq only; the first to fail sets x->err and *fail_seq. */
static int make_later(struct xar_extract *x, uint64_t *fail_seq)
{
	size_t i;

	for (i = 0; i < x->nlater && x->later[i].seq < *fail_seq; i++)
		if (xar_extract_hardlink(x, x->later[i].path,
					 x->later[i].first)) {
			*fail_seq = x->later[i].seq;
			return -1;
		}
	return 0;
}

/* The walk with files written by the pool: the first failure in image
 * order, wherever it happened, as a walk alone would have stopped at it. */
static int walk_pooled(struct xar_extract *x)
{
	uint64_t fail;
	int rc = xar_image_walk(x->img, visit, x, x->err);

	if (x->curfd >= 0) { /* hard links open their own directories */
		close(x->curfd);
		x->curfd = -1;
	}
	xar_extract_pool_finish(x, rc, &fail);
	make_later(x, &fail);
	return fail == UINT64_MAX ? 0 : -1;
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
	for (i = 0; i < x->nlater; i++)
		free(x->later[i].path);
	free(x->later);
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
	x.stats.threads = 1;
	if (load_filters(&x) || xar_extract_pool_start(&x))
		goto out;
	rc = x.pool ? walk_pooled(&x) : xar_image_walk(img, visit, &x, err);
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

/* ---- the directory extracted into ---- */

static int is_empty_dir(int fd, int *empty)
{
	int dup_fd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *d;
	DIR *dir;

	if (dup_fd < 0)
		return -1;
	if (!(dir = fdopendir(dup_fd))) {
		close(dup_fd);
		return -1;
	}
	*empty = 1;
	errno = 0;
	while ((d = readdir(dir)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..")) {
			*empty = 0;
			break;
		}
	closedir(dir);
	return errno ? -1 : 0;
}

/* Open dir, making it when missing; *fresh when made here or empty. */
static int open_target(const char *dir, unsigned flags, int *fresh,
		       struct xar_err *err)
{
	int fd, empty;

	if (mkdir(dir, 0700) && errno != EEXIST)
		return xar_err_sys(err, "cannot create '%s'", dir);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return xar_err_sys(err, "cannot open '%s'", dir);
	if (is_empty_dir(fd, &empty)) {
		xar_err_sys(err, "cannot read '%s'", dir);
		goto fail;
	}
	if (!empty && !(flags & XAR_EXTRACT_FORCE)) {
		xar_err_set(err, ENOTEMPTY, "'%s' exists and is not empty", dir);
		goto fail;
	}
	*fresh = empty;
	return fd;
fail:
	close(fd);
	return -1;
}

/* Every path asked for is in the image (before DIR is touched). */
static int check_paths(struct xar_image *img, const struct xar_extract_opts *o,
		       struct xar_err *err)
{
	struct xar_image_entry e;
	size_t i;

	for (i = 0; i < o->npaths; i++) {
		char *p = xar_image_clean_path(o->paths[i]);
		int rc = p ? xar_image_lookup(img, p, &e, err) :
			     xar_err_set(err, ENOMEM, "out of memory");

		free(p);
		if (rc)
			return -1;
	}
	return 0;
}

int xar_extract(struct xar_image *img, const char *dir,
		const struct xar_extract_opts *o,
		struct xar_extract_stats *stats, struct xar_err *err)
{
	struct xar_extract_opts mine = { 0, NULL, 0, 0 };
	int fresh = 0, fd, rc;

	if (o)
		mine = *o;
	if (stats)
		memset(stats, 0, sizeof(*stats));
	if (check_paths(img, &mine, err))
		return -1;
	fd = open_target(dir, mine.flags, &fresh, err);
	if (fd < 0)
		return -1;
	if (fresh)
		mine.flags |= XAR_EXTRACT_ROOT_ATTRS;
	rc = xar_extract_at(img, fd, &mine, stats, err);
	close(fd);
	return rc;
}
