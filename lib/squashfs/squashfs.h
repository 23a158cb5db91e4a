/* The SquashFS 4.0 writer: turns a struct xar_tree into a zstd-compressed
 * image written at a byte offset of an open file. Deterministic: the same
 * tree and options give the same bytes, whatever the thread count. */
#ifndef XAR_SQUASHFS_H
#define XAR_SQUASHFS_H

#include <stdint.h>

#include "base/base.h"
#include "tree/tree.h"

#define XAR_SQFS_DEFAULT_BLOCK (128u * 1024u)
#define XAR_SQFS_DEFAULT_LEVEL 16

struct xar_sqfs_opts {
	uint32_t block_size;  /* power of two, 4 KiB to 1 MiB */
	int level;            /* zstd level, 1 to ZSTD_maxCLevel() */
	unsigned threads;     /* compression threads; 0: one per CPU */
	uint32_t mkfs_time;   /* the image's modification time */
	/* Called as file data is queued, when not NULL. */
	void (*progress)(uint64_t done, uint64_t total, void *arg);
	void *progress_arg;
};

struct xar_sqfs_result {
	uint64_t bytes_used;   /* image size before padding */
	uint64_t image_size;   /* padded to 4 KiB, as written */
	uint32_t inodes;
	uint32_t fragments;
	uint64_t files, dup_files; /* regular files, and those stored once */
	uint64_t input_bytes;  /* the regular files' bytes, duplicates too */
};

int xar_sqfs_write(struct xar_tree *t, int fd, uint64_t offset,
		   const struct xar_sqfs_opts *o, struct xar_sqfs_result *r,
		   struct xar_err *err);

#endif
