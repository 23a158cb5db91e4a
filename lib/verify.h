/* Verify a xar: its header parses; its image bytes (OFFSET to the end of
 * the file, padding included) hash to the header's XAR_SHA256, from which
 * the UUID is derived, when the header has one (xars of the original
 * format do not); the superblock and tables are consistent (inode count,
 * link counts, owners, names); every file's every block reads back and
 * decompresses.
 *
 * On failure the message names what is wrong, e.g.
 *   "bad header: ..."
 *   "file 'lib/x.so' does not read back: corrupt image: ..."
 *   "the image's SHA-256 does not match XAR_SHA256 in the header: ..."
 * and a structural problem found together with a digest mismatch is named
 * first, the mismatch after it. */
#ifndef XAR_VERIFY_H
#define XAR_VERIFY_H

#include <stdint.h>

#include "err.h"

struct xar_verify_result {
	int has_digest;       /* XAR_SHA256 was there (and matched) */
	char sha256[65];      /* of the image bytes, in hex */
	char uuid[65];        /* the header's UUID */
	uint64_t offset;      /* where the image starts */
	uint64_t image_size;  /* the superblock's bytes_used */
	uint64_t entries;     /* below the root */
	uint64_t files;       /* regular files (hard links counted once) */
	uint64_t bytes;       /* their contents, decompressed */
};

/* 0 when everything holds, else -1 naming the first problem. r may be
 * NULL; it is filled as far as verification got. Messages do not name the
 * file. */
int xar_verify_fd(int fd, struct xar_verify_result *r, struct xar_err *err);
int xar_verify(const char *path, struct xar_verify_result *r,
	       struct xar_err *err);

#endif
