/* What the extraction walk (extract.c) and the making of each entry
 * (extract_entry.c) share: error messages, permission bits, attributes,
 * opening directories without following symlinks, and the records of
 * directories and hard links kept for later. */
#include "image.h"
#include "extract_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

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

int xar_extract_note_link(struct xar_extract *x, const char *path,
			  const char *first)
{
	struct xar_extract_link *l;

	if (x->nlater == x->caplater &&
	    xar_grow((void **)&x->later, &x->caplater, sizeof(*x->later), 64))
		return xar_err_set(x->err, ENOMEM, "out of memory");
	l = &x->later[x->nlater];
	if (!(l->path = strdup(path)))
		return xar_err_set(x->err, ENOMEM, "out of memory");
	l->first = first;
	l->seq = x->seq - 1;
	x->nlater++;
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

int xar_extract_set_attrs_fd(struct xar_extract *x, int fd,
			     const struct xar_image_entry *e,
			     const char *path)
{
	struct timespec ts[2] = { { (time_t)e->mtime, 0 }, { (time_t)e->mtime, 0 } };

	if (x->owners && fchown(fd, e->uid, e->gid))
		return xar_extract_fail(x, errno, "cannot set the owner of", path);
	if (fchmod(fd, xar_extract_perm(x, e->mode)))
		return xar_extract_fail(x, errno, "cannot set the mode of", path);
	if (futimens(fd, ts))
		return xar_extract_fail(x, errno, "cannot set the time of", path);
	return 0;
}
