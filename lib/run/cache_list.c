/* The run cache for --status and --clean (see run.h): what is
 * there, how big, when last used, whether in use; removing what is not. */
#include "run.h"
#include "cache_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

/* ---- names ---- */

/* "<uuid>" or ".<uuid>.part-<anything>": its uuid and kind, else -1. */
static int parse_name(const char *name, char uuid[65], int *partial)
{
	const char *part;
	size_t len;

	*partial = name[0] == '.';
	if (*partial) {
		name++;
		part = strstr(name, XAR_CACHE_PART);
		if (!part || !part[strlen(XAR_CACHE_PART)] || strchr(part, '/'))
			return -1;
		len = (size_t)(part - name);
	} else {
		len = strlen(name);
	}
	if (!xar_cache_is_uuid(name, len))
		return -1;
	memcpy(uuid, name, len);
	uuid[len] = '\0';
	return 0;
}

/* ---- what is there ---- */

/* Disk space used by the tree name in dirfd. */
static uint64_t disk_usage(int dirfd, const char *name)
{
	struct dirent *d;
	struct stat st;
	uint64_t sum;
	DIR *dir;
	int fd;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return 0;
	sum = (uint64_t)st.st_blocks * 512;
	if (!S_ISDIR(st.st_mode))
		return sum;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return sum;
	}
	while ((d = readdir(dir)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			sum += disk_usage(fd, d->d_name);
	closedir(dir);
	return sum;
}

/* 1 when someone holds the lock file name (so that we cannot take it). */
static int held(int dirfd, const char *name)
{
	int fd = xar_cache_lock(dirfd, name, LOCK_EX | LOCK_NB, 0, 1);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno == EWOULDBLOCK;
}

static void describe(int dirfd, const char *name, struct xar_cache_entry *e)
{
	char lock[XAR_CACHE_NAME_MAX];
	struct stat st;

	e->bytes = disk_usage(dirfd, name);
	snprintf(lock, sizeof(lock), "%s.inuse", e->uuid);
	if (!e->partial && !fstatat(dirfd, lock, &st, AT_SYMLINK_NOFOLLOW))
		e->last_used = st.st_mtime;
	else if (!fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		e->last_used = st.st_mtime;
	if (e->partial)
		snprintf(lock, sizeof(lock), "%s.lock", e->uuid);
	e->in_use = held(dirfd, lock);
}

static int add_entry(int dirfd, const char *name, struct xar_cache_entry **list,
		     size_t *n, size_t *cap)
{
	struct xar_cache_entry *e;
	struct stat st;
	char uuid[65];
	int partial;

	if (strlen(name) >= XAR_CACHE_NAME_MAX || parse_name(name, uuid, &partial) ||
	    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISDIR(st.st_mode))
		return 0;
	if (*n == *cap && xar_grow((void **)list, cap, sizeof(**list), 16))
		return -1;
	e = &(*list)[*n];
	memset(e, 0, sizeof(*e));
	if (!(e->name = strdup(name)))
		return -1;
	memcpy(e->uuid, uuid, sizeof(uuid));
	e->partial = partial;
	describe(dirfd, name, e);
	(*n)++;
	return 0;
}

int xar_cache_list(struct xar_cache_entry **list, size_t *n,
		   struct xar_err *err)
{
	struct dirent *d;
	char *dir = NULL;
	size_t cap = 0;
	int dirfd, fd, rc = -1;
	DIR *dd;

	*list = NULL;
	*n = 0;
	dirfd = xar_cache_open_dir(0, &dir, err);
	if (dirfd == -2)
		return 0;
	if (dirfd < 0)
		return -1;
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(dd = fdopendir(fd))) {
		xar_err_sys(err, "cannot read '%s'", dir);
		if (fd >= 0)
			close(fd);
		goto out;
	}
	while ((d = readdir(dd)))
		if (add_entry(dirfd, d->d_name, list, n, &cap)) {
			xar_err_set(err, ENOMEM, "out of memory");
			closedir(dd);
			goto out;
		}
	closedir(dd);
	rc = 0;
out:
	if (rc)
		xar_cache_list_free(*list, *n), *list = NULL, *n = 0;
	close(dirfd);
	free(dir);
	return rc;
}

void xar_cache_list_free(struct xar_cache_entry *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(list[i].name);
	free(list);
}

/* ---- removing ---- */

/* With <uuid>.lock and <uuid>.inuse held: rename the cache away (runs that
 * come now extract afresh), then delete it and any partial ones. */
static int remove_cache(int dirfd, const char *uuid)
{
	char trash[XAR_CACHE_NAME_MAX];
	int tries;

	for (tries = 0; tries < 16; tries++) {
		if (xar_cache_part_name(uuid, trash))
			return -1;
		if (!renameat2(dirfd, uuid, dirfd, trash, RENAME_NOREPLACE))
			break;
		if (errno == ENOENT)
			break;
		if (errno != EEXIST)
			return -1;
	}
	return xar_cache_remove_parts(dirfd, uuid);
}

/* Removal under <uuid>.lock: 0 done, 1 in use, -1 error. */
static int remove_locked(int dirfd, const char *name, const char *uuid,
			 int partial)
{
	char inuse[XAR_CACHE_NAME_MAX];
	struct stat st;
	int fd, rc;

	snprintf(inuse, sizeof(inuse), "%s.inuse", uuid);
	fd = xar_cache_lock(dirfd, inuse, LOCK_EX | LOCK_NB, 1, 1);
	if (fd < 0 && errno != EWOULDBLOCK)
		return -1;
	if (partial)
		rc = xar_remove_tree_at(dirfd, name);
	else
		rc = fd < 0 ? 1 : remove_cache(dirfd, uuid);
	if (fd >= 0 && !rc &&
	    fstatat(dirfd, uuid, &st, AT_SYMLINK_NOFOLLOW) && errno == ENOENT)
		unlinkat(dirfd, inuse, 0); /* unlinked by its exclusive holder */
	if (fd >= 0)
		close(fd);
	return rc;
}

int xar_cache_remove(const char *name, struct xar_err *err)
{
	char uuid[65], lock[XAR_CACHE_NAME_MAX], *dir = NULL;
	int dirfd, fd, partial, rc = -1;

	if (strlen(name) >= XAR_CACHE_NAME_MAX || parse_name(name, uuid, &partial))
		return xar_err_set(err, EINVAL, "'%s' is not an entry of the "
				   "extraction cache", name);
	dirfd = xar_cache_open_dir(0, &dir, err);
	if (dirfd < 0)
		return -1;
	snprintf(lock, sizeof(lock), "%s.lock", uuid);
	fd = xar_cache_lock(dirfd, lock, LOCK_EX | LOCK_NB, 1, 1);
	if (fd < 0 && errno == EWOULDBLOCK) {
		rc = 1; /* being extracted right now */
		goto out;
	}
	if (fd < 0) {
		xar_err_sys(err, "cannot lock '%s/%s'", dir, lock);
		goto out;
	}
	rc = remove_locked(dirfd, name, uuid, partial);
	if (rc < 0)
		xar_err_sys(err, "cannot remove '%s/%s'", dir, name);
	else
		unlinkat(dirfd, lock, 0);
	close(fd);
out:
	close(dirfd);
	free(dir);
	return rc;
}
