/* The read side: a SquashFS 4.0 image at a byte offset inside a file (a
 * .xar, or a bare image at offset 0), read through libsquashfuse.
 *
 * The image is untrusted. Before libsquashfuse sees it, the superblock is
 * checked (magic, version 4.0, compression, block size, every table inside
 * bytes_used, bytes_used inside the file). The walk refuses names that are
 * empty, ".", ".." or contain '/' or NUL, a directory reached twice (loops
 * and shared subtrees) and nesting deeper than XAR_IMAGE_DEPTH_MAX, so its
 * paths are safe to join under an extraction root.
 *
 * Messages do not name the file; front ends put it in front. */
#ifndef XAR_IMAGE_H
#define XAR_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define XAR_IMAGE_DEPTH_MAX 1024
#define XAR_SHOWN_MAX 200 /* how much of an image path a message repeats */

/* xar_image_open flags */
#define XAR_IMAGE_ANY_COMPRESSION 1u /* accept whatever libsquashfuse
					decompresses, not only zstd */

struct xar_image;

/* From the superblock. */
struct xar_image_info {
	uint64_t offset;          /* where the image starts in the file */
	uint64_t bytes_used;      /* image size */
	uint32_t block_size;
	uint32_t inodes;
	uint32_t fragments;
	uint32_t mkfs_time;
	uint16_t flags;
	uint16_t ids;
	const char *compression;  /* "zstd", "gzip", "xz", ... */
};

/* One inode, as lstat() would describe it. */
struct xar_image_entry {
	uint32_t mode;       /* file type and permission bits (S_IFMT | 07777) */
	uint32_t uid, gid;
	uint32_t nlink;
	uint32_t ino;        /* inode number: hard links share it */
	uint32_t rdev_major; /* character and block devices */
	uint32_t rdev_minor;
	int64_t mtime;
	uint64_t size;       /* regular file: bytes; symlink: target length */
	uint64_t ref;        /* private: where the inode is */
};

/* Open the image that starts offset bytes into the file at path (or into
 * the open file fd, which is duplicated: the caller keeps and closes its
 * own). *img is NULL on failure. */
int xar_image_open(struct xar_image **img, const char *path, uint64_t offset,
		   unsigned flags, struct xar_err *err);
int xar_image_open_fd(struct xar_image **img, int fd, uint64_t offset,
		      unsigned flags, struct xar_err *err);
void xar_image_close(struct xar_image *img);

const struct xar_image_info *xar_image_info(const struct xar_image *img);

/* Called for every entry. path is relative to the image root ("" for the
 * root itself), '/'-separated; target is a symlink's target, else NULL.
 * Return 0 to go on; anything else stops the walk and is returned by it
 * (fill err then). */
typedef int (*xar_image_visit_fn)(void *ctx, const char *path,
				  const struct xar_image_entry *e,
				  const char *target, struct xar_err *err);

/* Every entry in image order: the root, then each directory's entries in
 * directory (name) order, each directory just before its contents. */
int xar_image_walk(struct xar_image *img, xar_image_visit_fn fn, void *ctx,
		   struct xar_err *err);

/* Look up a '/'-separated path from the root ("" or "/" is the root).
 * Symlinks are not followed. err->code is ENOENT or ENOTDIR when the path
 * is not there. */
int xar_image_lookup(struct xar_image *img, const char *path,
		     struct xar_image_entry *e, struct xar_err *err);

/* Read up to len bytes at off from a regular file: the number of bytes
 * read (short only at the end of the file, 0 at or past it), or -1. */
long long xar_image_read(struct xar_image *img, const struct xar_image_entry *e,
			 void *buf, size_t len, uint64_t off,
			 struct xar_err *err);

/* A symlink's target, malloc'ed and NUL-terminated. */
int xar_image_readlink(struct xar_image *img, const struct xar_image_entry *e,
		       char **target, struct xar_err *err);

/* A path given by a user, as the walk spells image paths: "/a//b/./c/"
 * becomes "a/b/c" ("" for the root). malloc'ed; NULL when out of memory. */
char *xar_image_clean_path(const char *path);

/* 1 when the walk's path is the clean path prefix or lies below it. */
int xar_image_path_under(const char *path, const char *prefix);

/* An image path as a message may show it: at most XAR_SHOWN_MAX bytes,
 * control bytes as '?', "..." when cut. Returns out. */
const char *xar_image_shown(const char *path, char out[XAR_SHOWN_MAX + 4]);

#endif
