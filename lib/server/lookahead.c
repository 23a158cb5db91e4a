/* Lookups ahead of the app (lookahead.h). */
#include "lookahead.h"
#include "looker.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PYCACHE "__pycache__"
#define DIRS_MAX (XAR_LOOKAHEAD_DIRS / 4 * 3) /* so that probes stay short */

void xar_lookahead_init(struct xar_lookahead *la, const char *const *launch)
{
	memset(la, 0, sizeof(*la));
	la->launch = launch;
	la->fd = -1;
}

void xar_lookahead_attach(struct xar_lookahead *la, const char *mountpoint)
{
	free(la->mnt);
	la->mnt = strdup(mountpoint);
}

/* Whether path[0..len) stays below the directory it is taken from: no
 * ".." component. The image's own walk found every component a directory
 * entry; a hostile image may still hold an entry named "..", which the
 * kernel's walk would take upwards. */
static int beneath(const char *path, size_t len)
{
	const char *end = path + len, *c;

	for (; path < end; path = c + 1) {
		c = memchr(path, '/', (size_t)(end - path));
		if (!c)
			c = end;
		if (c - path == 2 && path[0] == '.' && path[1] == '.')
			return 0;
	}
	return 1;
}

/* Whether the launch names path itself: it looks that up at once. */
static int launch_names(const struct xar_lookahead *la, const char *path,
			size_t len)
{
	size_t i;

	for (i = 0; la->launch && la->launch[i]; i++)
		if (strlen(la->launch[i]) == len &&
		    !memcmp(la->launch[i], path, len))
			return 1;
	return 0;
}

/* Whether to ask anything about path[0..len). */
static int askable(const struct xar_lookahead *la, const char *path,
		   size_t len)
{
	return la->mnt && !la->failed && la->asked < XAR_LOOKAHEAD_MAX &&
	       beneath(path, len) && !launch_names(la, path, len) &&
	       !memchr(path, '\0', len);
}

/* Have the looker take path[0..len) under the mount point, with a '/'
 * after it when dir (looker.h). The looker starts on the first such
 * request (a fork: a launch whose list names nothing more pays nothing). */
static void ask(struct xar_lookahead *la, const char *path, size_t len,
		int dir)
{
	char full[PATH_MAX];
	size_t mlen = strlen(la->mnt);

	if (la->asked >= XAR_LOOKAHEAD_MAX || mlen + 2 + len >= sizeof(full))
		return;
	memcpy(full, la->mnt, mlen);
	full[mlen] = '/';
	memcpy(full + mlen + 1, path, len);
	full[mlen + 1 + len] = dir ? '/' : '\0';
	full[mlen + 2 + len] = '\0';
	if (la->fd < 0) {
		if ((la->fd = xar_looker_start()) < 0) {
			la->failed = 1;
			return;
		}
		__atomic_store_n(&la->started, 1, __ATOMIC_RELAXED);
	}
	la->asked++;
	xar_looker_ask(la->fd, full);
}

/* Whether the directory path[0..len) is new (then it is remembered). */
static int new_dir(struct xar_lookahead *la, const char *path, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)path[i]) * 0x100000001b3ull;
	h |= 1; /* 0 marks an empty slot */
	for (i = (size_t)h & (XAR_LOOKAHEAD_DIRS - 1); la->dirs[i];
	     i = (i + 1) & (XAR_LOOKAHEAD_DIRS - 1))
		if (la->dirs[i] == h)
			return 0;
	if (la->ndirs >= DIRS_MAX)
		return 0;
	la->dirs[i] = h;
	la->ndirs++;
	return 1;
}

/* Whether name[0..len) is a module Python imports. */
static int module_name(const char *name, size_t len)
{
	static const char *const ext[] = { ".py", ".pyc", ".so" };
	size_t i, n;

	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		n = strlen(ext[i]);
		if (len > n && !memcmp(name + len - n, ext[i], n))
			return 1;
	}
	return 0;
}

/* Have the directories above a module read through, the top first. */
static void list_dirs(struct xar_lookahead *la, const char *path, size_t len)
{
	const char *base = path + len, *c, *name;

	while (base > path && base[-1] != '/')
		base--;
	if (!module_name(base, (size_t)(path + len - base)))
		return;
	if (new_dir(la, "", 0))
		ask(la, "", 0, 1);
	for (c = path; (c = memchr(c, '/', (size_t)(base - c))); c++) {
		for (name = c; name > path && name[-1] != '/'; name--)
			;
		if ((size_t)(c - name) == strlen(PYCACHE) &&
		    !memcmp(name, PYCACHE, strlen(PYCACHE)))
			continue;
		if (new_dir(la, path, (size_t)(c - path)))
			ask(la, path, (size_t)(c - path), 1);
	}
}

void xar_lookahead_file(struct xar_lookahead *la, const char *path,
			size_t len, int known)
{
	if (!askable(la, path, len))
		return;
	list_dirs(la, path, len);
	if (!known)
		ask(la, path, len, 0);
}

void xar_lookahead_absent(struct xar_lookahead *la, const char *path,
			  size_t len)
{
	if (!len || path[len - 1] == '/' || !askable(la, path, len))
		return;
	list_dirs(la, path, len);
	ask(la, path, len, 0);
}

int xar_lookahead_started(const struct xar_lookahead *la)
{
	return __atomic_load_n(&la->started, __ATOMIC_RELAXED);
}

void xar_lookahead_end(struct xar_lookahead *la)
{
	if (la->fd >= 0)
		close(la->fd);
	la->fd = -1;
}

void xar_lookahead_free(struct xar_lookahead *la)
{
	xar_lookahead_end(la);
	free(la->mnt);
	la->mnt = NULL;
}
