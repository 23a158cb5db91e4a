/* Shared by cache.c (the run path) and cache_list.c
 * (--status, --clean). Not for use outside lib/run/cache*.c. */
#ifndef XAR_RUN_CACHE_INTERNAL_H
#define XAR_RUN_CACHE_INTERNAL_H

#include <stddef.h>

#include "base/base.h"

#define XAR_CACHE_PART ".part-" /* .<uuid>.part-<hex> */
#define XAR_CACHE_NAME_MAX 128

/* Open the cache directory, checked as xar_cache_ensure says; with create,
 * make it (and missing parents, 0700) and its CACHEDIR.TAG. *dir is its
 * path (malloc'ed). -1, or with !create and no directory, -2 (ENOENT). */
int xar_cache_open_dir(int create, char **dir, struct xar_err *err);

/* 1 when name is a UUID as the header allows: 1-64 hex digits. */
int xar_cache_is_uuid(const char *name, size_t len);

/* Open (O_CREAT unless !create) and flock <dirfd>/name with op (LOCK_SH,
 * LOCK_EX, | LOCK_NB), again when the file was unlinked meanwhile. The
 * descriptor, or -1 (errno EWOULDBLOCK when busy; ENOENT when !create and
 * missing). cloexec 0 leaves it open across exec. */
int xar_cache_lock(int dirfd, const char *name, int op, int create,
		   int cloexec);

/* Remove every .<uuid>.part-* in dirfd (the caller holds <uuid>.lock). */
int xar_cache_remove_parts(int dirfd, const char *uuid);

/* A fresh name ".<uuid>.part-<hex>" into out[XAR_CACHE_NAME_MAX]. */
int xar_cache_part_name(const char *uuid, char *out);

#endif
