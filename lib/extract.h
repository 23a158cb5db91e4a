/* Extract all or part of an image into a directory, safely.
 *
 * Whatever the image holds, nothing is written outside the directory:
 * every name is created with mkdirat/openat/symlinkat/linkat relative to a
 * directory descriptor, and every directory on the way is opened with
 * O_NOFOLLOW | O_DIRECTORY, so a symlink (from the image, or already in the
 * directory) is never followed. The image walk (lib/image.h) refuses names
 * that are empty, ".", ".." or hold a '/'; an entry whose name is already
 * taken (a hostile image may repeat names) is refused, or with
 * XAR_EXTRACT_FORCE replaced when it is not a directory.
 *
 * Kept: file contents, permission bits, mtimes (files, symlinks, and
 * directories once their contents are in), symlinks, hard links (names of
 * one inode become links to the first one extracted), fifos and sockets.
 * Devices are made only by root (else counted in skipped_devices).
 * Setuid and setgid bits are dropped unless XAR_EXTRACT_KEEP_SETID. */
#ifndef XAR_EXTRACT_H
#define XAR_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "image.h"

#define XAR_EXTRACT_FORCE       1u /* DIR may hold files; replace what is in
				      the way (never a directory) */
#define XAR_EXTRACT_KEEP_SETID  2u /* keep setuid and setgid bits */
#define XAR_EXTRACT_OWNERS      4u /* give entries the image's owners (only
				      when running as root; else ignored) */
#define XAR_EXTRACT_PRIVATE     8u /* clear group and other write bits and
				      the sticky bit (for the run cache) */
#define XAR_EXTRACT_ROOT_ATTRS 16u /* xar_extract_at: give the directory
				      itself the image root's mode and mtime */
#define XAR_EXTRACT_READONLY   32u /* clear every write bit, as on the
				      read-only mount (for the run cache;
				      xar_remove_tree_at still removes it) */

struct xar_extract_opts {
	unsigned flags;
	/* Only these image paths and what lies below them ('/'-separated,
	 * relative to the root; leading, trailing and repeated slashes are
	 * ignored); their parent directories are made too. NULL or npaths 0:
	 * everything. Each path must be in the image. */
	char *const *paths;
	size_t npaths;
};

struct xar_extract_stats {
	uint64_t dirs, files, symlinks, hardlinks, specials;
	uint64_t skipped_devices; /* devices not made (not root) */
	uint64_t bytes;           /* file contents written */
};

/* Extract into the directory at dir, which is made when missing (its
 * parent must exist); an existing one must be empty unless
 * XAR_EXTRACT_FORCE (err->code ENOTEMPTY otherwise). A directory made
 * here or found empty gets the image root's mode and mtime. stats may be
 * NULL. Messages name image paths ("cannot create 'a/b': ..."). */
int xar_extract(struct xar_image *img, const char *dir,
		const struct xar_extract_opts *o,
		struct xar_extract_stats *stats, struct xar_err *err);

/* The same into an open directory (not checked for emptiness; the
 * caller's descriptor stays open). */
int xar_extract_at(struct xar_image *img, int dirfd,
		   const struct xar_extract_opts *o,
		   struct xar_extract_stats *stats, struct xar_err *err);

#endif
