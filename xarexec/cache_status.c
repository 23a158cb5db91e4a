/* xarexec --status, --clean and --doctor: the extraction cache's part. */
#include "cache_status.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "run/run.h"

#define DAY (24 * 3600)

static int fail(const struct xar_err *err)
{
	fprintf(stderr, "xarexec: error: %s\n", err->msg);
	return 1;
}

static void human(uint64_t bytes, char out[16])
{
	static const char units[] = "BKMGT";
	double v = (double)bytes;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(out, 16, u ? "%.1f%c" : "%.0f%c", v, units[u]);
}

static void when(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm) ||
	    !strftime(out, 32, "%Y-%m-%d %H:%M", &tm))
		snprintf(out, 32, "@%" PRId64, t);
}

static int load(struct xar_cache_entry **list, size_t *n, char **dir)
{
	struct xar_err err;

	if (xar_cache_dir(dir, &err))
		return fail(&err);
	if (xar_cache_list(list, n, &err)) {
		free(*dir);
		return fail(&err);
	}
	return 0;
}

int xarexec_cache_status(void)
{
	struct xar_cache_entry *list;
	char *dir, size[16], used[32];
	size_t n, i;

	if (load(&list, &n, &dir))
		return 1;
	printf("extraction caches in %s:%s\n", dir, n ? "" : " none");
	for (i = 0; i < n; i++) {
		human(list[i].bytes, size);
		when(list[i].last_used, used);
		printf("  %s  %8s  last used %s%s\n", list[i].name, size, used,
		       list[i].partial ? (list[i].in_use ? "  (being extracted)"
						  : "  (interrupted extraction)")
				       : list[i].in_use ? "  (in use)" : "");
	}
	xar_cache_list_free(list, n);
	free(dir);
	return fflush(stdout) ? 1 : 0;
}

static int clean_one(const struct xar_cache_entry *e, unsigned days,
		     time_t now)
{
	struct xar_err err;
	int rc;

	if (!e->partial && now - e->last_used < (int64_t)days * DAY)
		return 0;
	if (e->in_use) {
		printf("kept %s: in use\n", e->name);
		return 0;
	}
	rc = xar_cache_remove(e->name, &err);
	if (rc < 0)
		return fail(&err);
	if (rc)
		printf("kept %s: in use\n", e->name);
	else
		printf("removed %s\n", e->name);
	return 0;
}

int xarexec_cache_clean(unsigned days)
{
	struct xar_cache_entry *list;
	time_t now = time(NULL);
	size_t n, i;
	char *dir;
	int rc = 0;

	if (load(&list, &n, &dir))
		return 1;
	for (i = 0; i < n; i++)
		if (clean_one(&list[i], days, now))
			rc = 1;
	xar_cache_list_free(list, n);
	free(dir);
	return fflush(stdout) ? 1 : rc;
}

int xarexec_cache_doctor(void)
{
	struct xar_err err;
	char *dir = NULL;
	int rc = xar_cache_check(&dir, &err);

	if (rc)
		printf("problem: extraction cache: %s\n", err.msg);
	else
		printf("ok: extraction cache %s (used when FUSE cannot be)\n", dir);
	free(dir);
	return rc ? 1 : 0;
}
