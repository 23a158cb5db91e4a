/* lib/run: starting the app: the command exec'ed from a mount, and the
 * extraction cache that stands in for the mount where FUSE cannot be used.
 * The one public header of this folder; see lib/README.md. */
#ifndef XAR_RUN_H
#define XAR_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "header/header.h"
#include "python/python.h"

/* What xarexec execs once the image is mounted at root, chosen by the
 * header:
 *  - XAR_PYTHON: the interpreter on the image's bootstrap (python.h);
 *  - XAR_EXEC="path": <root>/<path> itself, argv[0] = the name the xar
 *    was invoked by (our raw xars: no shell in between);
 *  - else XAREXEC_TARGET="path": what the original runtime does,
 *    /bin/sh -e <root>/<path> <xar path> args...
 * Target paths must be relative and stay inside the image (no ".."). */

struct xar_launch {
	char *path;    /* what to execv */
	char **argv;   /* NULL-terminated */
	int python;    /* argv is xar_python_argv's */
	char *target;  /* <root>/<target>, malloc'ed */
};

/* 1 when p is a usable target path: non-empty, relative, no ".."
 * component, no empty component, shorter than PATH_MAX. */
int xar_target_path_ok(const char *p);

/* Check that the header says how to run the app, before mounting. */
int xar_launch_check(const struct xar_header *h, struct xar_err *err);

/* Plan the exec. xar_path is the xar as invoked; app_argv the app's own
 * arguments. For Python xars this also prepares the environment
 * (python.h). Strings of app_argv are borrowed. */
/* The path in the image that runs (the bootstrap of a Python xar, else
 * the target), or NULL. */
const char *xar_launch_target(const struct xar_header *h);

int xar_launch_plan(const struct xar_header *h, const char *root,
		    const char *xar_path, int app_argc, char *const app_argv[],
		    struct xar_launch *l, struct xar_err *err);
void xar_launch_free(struct xar_launch *l);

/* XAR_INVOKED_NAME, XAR_RUNTIME_FILES, and XARFUSE_NEW_MOUNT=1 on the run
 * that mounted (removed otherwise, so that a nested xar does not inherit
 * its parent's). */
int xar_launch_env(const char *xar_path, const char *root, int new_mount,
		   struct xar_err *err);

/* The run cache: where xarexec runs an image from when FUSE cannot be used
 * (or XAR_EXTRACT=1). Each image is extracted once per user, keyed by its
 * UUID, and reused by later runs:
 *
 *   <cache>                       $XDG_CACHE_HOME/xar, else ~/.cache/xar:
 *                                 ours, not writable by others, CACHEDIR.TAG
 *   <cache>/<uuid>/               a complete extraction; only rename()
 *                                 makes it, so it is never half-written
 *   <cache>/.<uuid>.part-<hex>/   an extraction under way, or one that was
 *                                 interrupted (removed by the next one)
 *   <cache>/<uuid>.lock           flock(LOCK_EX) while extracting or removing
 *   <cache>/<uuid>.inuse          flock(LOCK_SH) held by every process that
 *                                 runs from <uuid>/ (across exec); its mtime
 *                                 is the last use
 *
 * --clean removes a cache only when it can take <uuid>.inuse exclusively,
 * and renames it away before deleting it; a run takes <uuid>.inuse shared
 * before it looks for <uuid>/, so a cache never vanishes under a run. A
 * lock file is unlinked only by its exclusive holder, and whoever gets a
 * lock on an unlinked file opens it again.
 *
 * Extraction keeps modes (setuid, setgid, sticky and group/other write
 * bits dropped), mtimes, symlinks and hard links; not owners. */


struct xar_cache {
	char *root;    /* <cache>/<uuid>: run the app from here */
	int inuse_fd;  /* shared lock on <uuid>.inuse, NOT close-on-exec:
			  keep it open across exec (as the mount root fd) */
	int extracted; /* 1 when this call extracted the image, 0 reused */
};

/* The cache directory's path (not checked, not made); malloc'ed. Fails
 * when neither XDG_CACHE_HOME (absolute) nor a home directory is known. */
int xar_cache_dir(char **dir, struct xar_err *err);

#define XAR_CACHE_VERIFY 1u /* verify the xar (xar_verify_fd) before
				extracting it; never when reusing */
#define XAR_CACHE_BY_DIGEST 2u /* keyed by the full digest, not the UUID
				  (xar_header_key; under a trust policy) */

/* Find or make the extraction of the xar at xar_path (whose header is h)
 * and lock it as in use. N concurrent first runs extract it once; the
 * others wait for it. Refuses, naming the path and the fix, a cache
 * directory that is not ours, is writable by others, sits in a directory
 * others may write to (not sticky), or is on a noexec filesystem. On
 * failure nothing is left locked, and no partial extraction is left. */
int xar_cache_ensure(const char *xar_path, const struct xar_header *h,
		     unsigned flags, struct xar_cache *c, struct xar_err *err);

/* Close the in-use lock (when not handed to an exec'ed app) and free. */
void xar_cache_release(struct xar_cache *c);

/* For --doctor, changing nothing: 0 when runs could use the cache (it is
 * usable, or missing and could be made in a place that allows exec), else
 * -1 naming the problem and its fix. *dir is the path (malloc'ed), also
 * on failure when known. */
int xar_cache_check(char **dir, struct xar_err *err);

/* ---- --status and --clean ---- */

struct xar_cache_entry {
	char *name;        /* "<uuid>", or ".<uuid>.part-<hex>" when partial */
	char uuid[65];
	int partial;       /* an interrupted (or running) extraction */
	int in_use;        /* a process runs from it (partial: extraction
			      under way) */
	uint64_t bytes;    /* disk space used */
	int64_t last_used; /* seconds since the epoch */
};

/* Everything in the cache directory (none when it does not exist), in
 * directory order. Free with xar_cache_list_free. */
int xar_cache_list(struct xar_cache_entry **list, size_t *n,
		   struct xar_err *err);
void xar_cache_list_free(struct xar_cache_entry *list, size_t n);

/* Remove a cache or a partial extraction by its entry name. Returns 0
 * when removed, 1 when kept because it is in use (or being extracted),
 * -1 on error. */
int xar_cache_remove(const char *name, struct xar_err *err);

#endif
