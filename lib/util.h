/* Small helpers shared across libxar. */
#ifndef XAR_UTIL_H
#define XAR_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define SQFS_NAME_LIMIT 255 /* longest name a Linux directory entry holds */

/* Grow *arr (of *cap elements of size elem) to at least double, starting
 * at initial. Returns 0, or -1 with *arr untouched when out of memory. */
int xar_grow(void **arr, size_t *cap, size_t elem, size_t initial);

/* "a" + "/" + "b" (just "b" when a is empty); malloc'ed, NULL on ENOMEM. */
char *xar_path_join(const char *a, const char *b);

/* Full write/pwrite that retries short writes and EINTR. */
int xar_write_all(int fd, const void *buf, size_t len);
int xar_pwrite_all(int fd, const void *buf, size_t len, uint64_t off);
/* Full pread; returns bytes read (short only at end of file) or -1. */
long long xar_pread_full(int fd, void *buf, size_t len, uint64_t off);

/* Parse a whole decimal number in [min, max]; 0 or -1 (errno EINVAL/ERANGE). */
int xar_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Remove a directory tree (no symlinks followed). 0 or -1 with errno. */
int xar_rmtree(const char *path);

#endif
