/* xarexec --list: an ls -l-like line per entry, in image order:
 *
 *   drwxr-xr-x 0/0                  0 2026-01-02 03:04:05 .
 *   -rw-r--r-- 0/0               1234 2026-01-02 03:04:05 pkg/data.txt
 *   lrwxrwxrwx 0/0                  8 2026-01-02 03:04:05 pkg/link -> data.txt
 *   crw-r--r-- 0/0                1,3 2026-01-02 03:04:05 dev/null
 *
 * Times are local (as ls shows them); the root is ".". */
#include "inspect.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct listing {
	char **filters; /* clean paths, or NULL for everything */
	size_t n;
};

static void mode_string(uint32_t m, char out[11])
{
	static const char types[] = "?pc?d?b?-?l?s???";
	static const char rwx[] = "rwxrwxrwx";
	int i;

	out[0] = types[(m & S_IFMT) >> 12];
	for (i = 0; i < 9; i++)
		out[1 + i] = m & (0400u >> i) ? rwx[i] : '-';
	if (m & S_ISUID)
		out[3] = out[3] == 'x' ? 's' : 'S';
	if (m & S_ISGID)
		out[6] = out[6] == 'x' ? 's' : 'S';
	if (m & S_ISVTX)
		out[9] = out[9] == 'x' ? 't' : 'T';
	out[10] = '\0';
}

/* Names are bytes from the image: no control byte reaches the terminal. */
static void put_escaped(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || c == '\\')
			printf("\\%03o", c);
		else
			putchar(c);
	}
}

static int selected(const struct listing *l, const char *path)
{
	size_t i;

	if (!l->filters)
		return 1;
	for (i = 0; i < l->n; i++)
		if (xar_image_path_under(path, l->filters[i]))
			return 1;
	return 0;
}

static int list_one(void *ctx, const char *path,
		    const struct xar_image_entry *e, const char *target,
		    struct xar_err *err)
{
	char mode[11], owner[32], size[32], when[32];
	time_t t = (time_t)e->mtime;
	struct tm tm;

	(void)err;
	if (!selected(ctx, path))
		return 0;
	mode_string(e->mode, mode);
	if (S_ISCHR(e->mode) || S_ISBLK(e->mode))
		snprintf(size, sizeof(size), "%" PRIu32 ",%" PRIu32,
			 e->rdev_major, e->rdev_minor);
	else
		snprintf(size, sizeof(size), "%" PRIu64, e->size);
	if (!localtime_r(&t, &tm) ||
	    !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(when, sizeof(when), "@%" PRId64, e->mtime);
	snprintf(owner, sizeof(owner), "%" PRIu32 "/%" PRIu32, e->uid, e->gid);
	printf("%s %-11s %10s %s ", mode, owner, size, when);
	put_escaped(*path ? path : ".");
	if (target) {
		fputs(" -> ", stdout);
		put_escaped(target);
	}
	putchar('\n');
	return 0;
}

static int load_filters(struct listing *l, struct xarexec_xar *x,
			char **paths, size_t n)
{
	struct xar_image_entry e;
	struct xar_err err;
	size_t i;

	if (!n)
		return 0;
	if (!(l->filters = calloc(n, sizeof(char *))))
		goto oom;
	l->n = n;
	for (i = 0; i < n; i++) {
		if (!(l->filters[i] = xar_image_clean_path(paths[i])))
			goto oom;
		if (xar_image_lookup(x->img, l->filters[i], &e, &err))
			return xarexec_inspect_fail(x->path, &err);
	}
	return 0;
oom:
	xar_err_set(&err, 0, "out of memory");
	return xarexec_inspect_fail(x->path, &err);
}

int xarexec_list(const char *xar, char **paths, int npaths)
{
	struct listing l = { NULL, 0 };
	struct xarexec_xar x;
	struct xar_err err;
	int rc = 1;
	size_t i;

	if (xarexec_xar_open(&x, xar))
		return 1;
	tzset();
	if (load_filters(&l, &x, paths, npaths > 0 ? (size_t)npaths : 0))
		goto out;
	if (xar_image_walk(x.img, list_one, &l, &err)) {
		fflush(stdout);
		xarexec_inspect_fail(xar, &err);
		goto out;
	}
	rc = fflush(stdout) ? 1 : 0;
out:
	for (i = 0; i < l.n; i++)
		free(l.filters[i]);
	free(l.filters);
	xarexec_xar_close(&x);
	return rc;
}
